#pragma once

#include <QStringList>
#include <QWidget>
#include <functional>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QSlider;
class QToolButton;

namespace poolscope {

// Everything a knob needs to explain itself to someone who has not read Go's docs.
struct KnobSpec
{
    enum class Kind { Number, Toggle, Choice };

    QString key; // short name used in chart markers: "MaxIdleConnsPerHost"
    QString goField; // full Go name for the tooltip: "http.Transport.MaxIdleConnsPerHost"
    QString help; // what it does and what zero / negative mean
    Kind kind = Kind::Number;
    double min = 0;
    double max = 100;
    double defaultValue = 0; // Go's default (DefaultTransport), or the tool's for non-Go knobs
    int decimals = 0;
    QString unit; // "ms", "s", "conns"; shown in the spin box and in markers
    QStringList choices; // Kind::Choice: value is the index
    // Says what a value means ("0 means 2 (DefaultMaxIdleConnsPerHost)"); empty = nothing to say.
    std::function<QString(double)> meaning;
    bool goKnob = true; // false: the marker says "default" instead of "Go default"
    // Overrides displayText (markers, tooltips), e.g. "0 (=2)" where zero means something else.
    std::function<QString(double)> valueText;
};

// One knob: name, slider + spin box with unit (or a check box / combo box),
// a "Go default" marker, a tooltip with the Go field name and the zero and
// negative meanings, and a reset-to-default button. Emits valueEdited only for
// user edits, never for setValue(), so loading a preset does not look like a
// change made mid-run.
class KnobWidget final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(KnobWidget)

public:
    explicit KnobWidget(KnobSpec spec, QWidget *parent = nullptr);

    [[nodiscard]] const KnobSpec &spec() const { return m_spec; }
    [[nodiscard]] double value() const { return m_value; }
    // Sets the value without emitting valueEdited.
    void setValue(double value);
    [[nodiscard]] bool isDefault() const;
    // "10", "90 s", "on", "GET": how markers and tooltips show a value.
    [[nodiscard]] QString displayText(double value) const;

    // For tests and keyboard users.
    [[nodiscard]] QDoubleSpinBox *spinBox() const { return m_spin; }
    [[nodiscard]] QSlider *slider() const { return m_slider; }
    [[nodiscard]] QCheckBox *checkBox() const { return m_check; }
    [[nodiscard]] QComboBox *comboBox() const { return m_combo; }
    [[nodiscard]] QToolButton *resetButton() const { return m_reset; }
    [[nodiscard]] QString markerText() const;
    // The line under the knob saying what this value means ("0 = unlimited"), or "".
    [[nodiscard]] QString meaningText() const;

public Q_SLOTS:
    // Resets to the default as a user edit (emits valueEdited if it changed).
    void resetToDefault();

Q_SIGNALS:
    void valueEdited(double newValue, double oldValue);

private:
    void userSet(double value);
    void syncEditors();
    void updateMarker();
    [[nodiscard]] int sliderPosition(double value) const;
    [[nodiscard]] double sliderValue(int position) const;
    [[nodiscard]] bool directSlider() const;

    KnobSpec m_spec;
    double m_value = 0;
    QLabel *m_name = nullptr;
    QLabel *m_marker = nullptr;
    QLabel *m_meaning = nullptr;
    QToolButton *m_reset = nullptr;
    QSlider *m_slider = nullptr;
    QDoubleSpinBox *m_spin = nullptr;
    QCheckBox *m_check = nullptr;
    QComboBox *m_combo = nullptr;
    bool m_syncing = false;
};

} // namespace poolscope
