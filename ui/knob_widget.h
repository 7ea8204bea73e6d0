#pragma once

#include "scenario/knob_table.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QGridLayout;
class QLabel;
class QSlider;
class QToolButton;

namespace poolscope {

// One row of the knob table as a control: its label, a slider + spin box with
// the unit (or a check box / combo box), a "Go default" badge, the line saying
// what the current value means, a tooltip with the Go field, help, zero and
// negative meanings, default and range, and a reset-to-default button.
// Values are display values (knobDisplayValue: durations in the knob's unit,
// a probability in %, a bool as 0/1, a choice as its index). Emits valueEdited
// only for user edits, never for setValue(), so loading a preset does not look
// like a change made mid-run. The wheel scrolls the panel unless the knob has
// focus: a slider that grabs the wheel mid-scroll moves knobs by accident.
// Keyboard steps (arrows, PageUp/PageDown, the spin box's buttons, the wheel
// on a focused knob) land on round values (roundStep), so 10 is two presses of
// PageUp from 2, not pixel precision on the slider.
class KnobWidget final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(KnobWidget)

public:
    explicit KnobWidget(const Knob &knob, QWidget *parent = nullptr);

    [[nodiscard]] const Knob &knob() const { return m_knob; }
    // The translated label: the Go name for Go knobs ("Dialer.Timeout"), else "think time".
    [[nodiscard]] QString title() const;
    [[nodiscard]] double value() const { return m_value; }
    // Sets the value without emitting valueEdited.
    void setValue(double value);
    // knobPanelDefault as a display value.
    [[nodiscard]] double defaultValue() const { return m_default; }
    [[nodiscard]] bool isDefault() const;
    // Edits as a user would: through the spin box (clamped and rounded as typing
    // would be), the check box (non-zero = on) or the combo box (an index).
    void editAsUser(double value);
    // "10", "90 s", "0 (=2)", "on", "close early": how markers and tooltips show a value.
    [[nodiscard]] QString displayText(double value) const;

    // The display value `steps` keyboard steps from `value` (negative: down), inside
    // [uiMin, uiMax]. Integer knobs with a small range (one slider step per value)
    // step by 1 on the arrows and walk the 1-2-5 ladder (1, 2, 5, 10, 20, 50 ...) on
    // PageUp/PageDown; other knobs walk the ladder on the arrows and three rungs (a
    // decade) a page. The ladder goes through 0 into the negatives (-1, -2, -5 ...),
    // its finest rung is the spin box's precision, and the range's ends are stops.
    // Up from a zero that means another value (MaxIdleConnsPerHost 0 = 2) continues
    // from that value.
    [[nodiscard]] static double roundStep(const Knob &knob, double value, int steps, bool page);

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

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    // Keeps the name bold and the meaning line smaller when the window's text size changes.
    void changeEvent(QEvent *event) override;

private:
    enum class Editor { Number, Toggle, Choice };

    void buildEditor(QGridLayout *grid);
    void userSet(double value);
    void syncEditors();
    void applyFonts();
    void step(int steps, bool page);
    void updateMarker();
    [[nodiscard]] QString toolTipText() const;
    [[nodiscard]] QString numberText(double value) const;
    [[nodiscard]] int sliderPosition(double value) const;
    [[nodiscard]] double sliderValue(int position) const;
    [[nodiscard]] bool directSlider() const;

    const Knob &m_knob;
    Editor m_editor = Editor::Number;
    double m_default = 0;
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
