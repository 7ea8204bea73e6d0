#include "knob_widget.h"

#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QDoubleSpinBox>
#include <QEvent>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QSlider>
#include <QToolButton>
#include <QWheelEvent>
#include <algorithm>
#include <cmath>

namespace poolscope {

namespace {

constexpr int kSliderSteps = 1000;
// Integer knobs with at most this many values get one slider step per value;
// wider ranges get a quadratic scale so small values stay reachable by mouse.
constexpr double kMaxDirectRange = 200;

// The table's texts are English source strings in the "Knob" context.
QString knobTr(const char *text)
{
    return QCoreApplication::translate("Knob", text);
}

// A unit as the spin box and the tooltip show it ("conns"): the table's units that are words
// are marked in the "KnobUnit" context ("workers" the unit is not "workers" the label).
QString knobUnitTr(const char *unit)
{
    return QCoreApplication::translate("KnobUnit", unit);
}

// Counts read better bare ("MaxIdleConnsPerHost 2 -> 10"); quantities keep their unit.
bool isCountUnit(QLatin1String unit)
{
    return unit == QLatin1String("conns") || unit == QLatin1String("workers")
        || unit == QLatin1String("probes") || unit == QLatin1String("req");
}

// A spin box whose steps (arrows, buttons, PageUp/PageDown, the wheel when focused)
// land on round values; QAbstractSpinBox sends PageUp/PageDown as 10 steps.
class RoundStepSpinBox final : public QDoubleSpinBox
{
public:
    RoundStepSpinBox(const Knob &knob, QWidget *parent) : QDoubleSpinBox(parent), m_knob(knob) { }

    void stepBy(int steps) override
    {
        const bool page = std::abs(steps) >= 10;
        setValue(KnobWidget::roundStep(m_knob, value(), page ? steps / 10 : steps, page));
        selectAll();
    }

private:
    const Knob &m_knob;
};

// The rungs of the 1-2-5 ladder are m * 10^k, m in {1, 2, 5}, never finer than `finest`.
double rungAbove(double x, double finest)
{
    // The smallest rung > x (x >= 0).
    const int start = static_cast<int>(std::floor(std::log10(std::max(x, finest)))) - 1;
    for (int k = start;; ++k) {
        for (const double m : { 1.0, 2.0, 5.0 }) {
            const double rung = m * std::pow(10.0, k);
            if (rung >= finest * (1 - 1e-9) && rung > x * (1 + 1e-9) + finest * 1e-6) {
                return rung;
            }
        }
    }
}

double rungBelow(double x, double finest)
{
    // The largest rung < x (x > 0), or 0 when x is at the finest rung or below.
    const int start = static_cast<int>(std::floor(std::log10(x))) + 1;
    for (int k = start; std::pow(10.0, k + 1) >= finest; --k) {
        for (const double m : { 5.0, 2.0, 1.0 }) {
            const double rung = m * std::pow(10.0, k);
            if (rung >= finest * (1 - 1e-9) && rung < x * (1 - 1e-9) - finest * 1e-6) {
                return rung;
            }
        }
    }
    return 0;
}

// One rung up (dir > 0) or down from v, through 0 into the negatives.
double nextRung(double v, int dir, double finest)
{
    if (dir > 0) {
        return v >= -finest * 1e-6 ? rungAbove(std::max(v, 0.0), finest) : -rungBelow(-v, finest);
    }
    return v <= finest * 1e-6 ? -rungAbove(std::max(-v, 0.0), finest) : rungBelow(v, finest);
}

} // namespace

double KnobWidget::roundStep(const Knob &knob, double value, int steps, bool page)
{
    const double finest = knob.decimals > 0 ? std::pow(10.0, -knob.decimals) : 1.0;
    const bool small = knob.decimals == 0 && (knob.uiMax - knob.uiMin) <= kMaxDirectRange;
    const int dir = steps > 0 ? 1 : -1;
    const int rungs = std::abs(steps) * (page && !small ? 3 : 1);
    double v = std::clamp(value, knob.uiMin, knob.uiMax);
    // Up from a zero that stands for a value ("0 (=2)") goes on from that value: 2 -> 5 -> 10.
    const QString aliasText = knobZeroAlias(knob);
    bool aliasOk = false;
    const double alias = aliasText.section(u' ', 0, 0).toDouble(&aliasOk);
    const QString aliasUnit = aliasText.section(u' ', 1); // "10 MiB" is not in B
    aliasOk = aliasOk && (aliasUnit.isEmpty() || aliasUnit == QLatin1String(knob.unit));
    int i = 0;
    if (v == 0 && dir > 0 && aliasOk && alias > 0) {
        v = std::clamp(
            small && !page ? alias + 1 : nextRung(alias, dir, finest), knob.uiMin, knob.uiMax);
        i = 1;
    }
    for (; i < rungs; ++i) {
        const double next = small && !page ? std::round(v) + dir : nextRung(v, dir, finest);
        v = std::clamp(next, knob.uiMin, knob.uiMax);
    }
    const double scale = std::pow(10.0, knob.decimals);
    return std::round(v * scale) / scale + 0.0;
}

KnobWidget::KnobWidget(const Knob &knob, QWidget *parent)
    : QWidget(parent)
    , m_knob(knob)
    , m_default(knobDisplayValue(knob, knobPanelDefault(knob)))
    , m_value(m_default)
{
    switch (m_knob.kind) {
    case KnobKind::Int:
    case KnobKind::Real:
    case KnobKind::Duration:
        m_editor = Editor::Number;
        break;
    case KnobKind::Bool:
        m_editor = Editor::Toggle;
        break;
    case KnobKind::Choice:
    case KnobKind::Text: // offered as its suggestions (load.method: GET, HEAD, POST)
    case KnobKind::TextList:
        m_editor = Editor::Choice;
        break;
    }

    auto *grid = new QGridLayout(this);
    grid->setContentsMargins(0, 2, 0, 2);
    grid->setHorizontalSpacing(6);
    grid->setVerticalSpacing(1);

    m_name = new QLabel(title(), this);
    m_marker = new QLabel(this);
    m_marker->setObjectName(QStringLiteral("goDefaultMarker"));
    m_reset = new QToolButton(this);
    m_reset->setText(QStringLiteral("↺"));
    m_reset->setAutoRaise(true);
    connect(m_reset, &QToolButton::clicked, this, &KnobWidget::resetToDefault);

    auto *head = new QHBoxLayout;
    head->setSpacing(6);
    head->addWidget(m_name);
    head->addStretch(1);
    head->addWidget(m_marker);
    head->addWidget(m_reset);
    grid->addLayout(head, 0, 0, 1, 2);

    buildEditor(grid);

    m_meaning = new QLabel(this);
    m_meaning->setWordWrap(true);
    applyFonts();
    m_meaning->setStyleSheet(QStringLiteral("color: #666;"));
    grid->addWidget(m_meaning, 2, 0, 1, 2);
    grid->setColumnStretch(0, 1);

    const QString tip = toolTipText();
    setToolTip(tip);
    for (QWidget *w : findChildren<QWidget *>()) {
        w->setToolTip(tip);
    }
    m_reset->setToolTip(m_knob.isGo()
            ? tr("Reset %1 to Go's default (%2)").arg(title(), displayText(m_default))
            : tr("Reset %1 to the default (%2)").arg(title(), displayText(m_default)));

    syncEditors();
    updateMarker();
}

void KnobWidget::buildEditor(QGridLayout *grid)
{
    switch (m_editor) {
    case Editor::Number:
        m_slider = new QSlider(Qt::Horizontal, this);
        if (directSlider()) {
            m_slider->setRange(static_cast<int>(m_knob.uiMin), static_cast<int>(m_knob.uiMax));
        } else {
            m_slider->setRange(0, kSliderSteps);
        }
        m_spin = new RoundStepSpinBox(m_knob, this);
        m_spin->setRange(m_knob.uiMin, m_knob.uiMax);
        m_spin->setDecimals(m_knob.decimals);
        m_spin->setKeyboardTracking(false);
        m_spin->setAccelerated(true);
        m_spin->setMinimumWidth(110);
        if (m_knob.unit[0] != '\0') {
            m_spin->setSuffix(u' ' + knobUnitTr(m_knob.unit));
        }
        grid->addWidget(m_slider, 1, 0);
        grid->addWidget(m_spin, 1, 1);
        connect(m_slider, &QSlider::valueChanged, this, [this](int pos) {
            if (!m_syncing) {
                userSet(sliderValue(pos));
            }
        });
        connect(m_spin, &QDoubleSpinBox::valueChanged, this, [this](double v) {
            if (!m_syncing) {
                userSet(v);
            }
        });
        break;
    case Editor::Toggle:
        m_check = new QCheckBox(tr("enabled"), this);
        grid->addWidget(m_check, 1, 0, 1, 2);
        connect(m_check, &QCheckBox::toggled, this, [this](bool on) {
            if (!m_syncing) {
                userSet(on ? 1.0 : 0.0);
            }
        });
        break;
    case Editor::Choice:
        m_combo = new QComboBox(this);
        for (const KnobChoice &c : m_knob.choices) {
            m_combo->addItem(knobTr(c.label));
        }
        grid->addWidget(m_combo, 1, 0, 1, 2);
        connect(m_combo, &QComboBox::currentIndexChanged, this, [this](int index) {
            if (!m_syncing && index >= 0) {
                userSet(index);
            }
        });
        break;
    }
    // The wheel belongs to the panel's scroll area until the user picks the knob
    // (click or Tab): StrongFocus, so the wheel itself never gives focus.
    for (QWidget *w : { static_cast<QWidget *>(m_slider), static_cast<QWidget *>(m_spin),
             static_cast<QWidget *>(m_combo) }) {
        if (w) {
            w->setFocusPolicy(Qt::StrongFocus);
            w->installEventFilter(this);
        }
    }
}

bool KnobWidget::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() == QEvent::Wheel) {
        const auto *w = qobject_cast<QWidget *>(watched);
        if (w && !w->hasFocus()) {
            event->ignore(); // ignored: QApplication passes it on to the scroll area
            return true;
        }
        if (watched == m_slider) {
            // A focused slider steps like the keys do, one rung a notch.
            const int notches = static_cast<QWheelEvent *>(event)->angleDelta().y() / 120;
            if (notches != 0) {
                step(notches, false);
            }
            return true;
        }
    }
    if (watched == m_slider && event->type() == QEvent::KeyPress) {
        switch (static_cast<QKeyEvent *>(event)->key()) {
        case Qt::Key_Right:
        case Qt::Key_Up:
            step(1, false);
            return true;
        case Qt::Key_Left:
        case Qt::Key_Down:
            step(-1, false);
            return true;
        case Qt::Key_PageUp:
            step(1, true);
            return true;
        case Qt::Key_PageDown:
            step(-1, true);
            return true;
        default:
            break;
        }
    }
    return QWidget::eventFilter(watched, event);
}

void KnobWidget::step(int steps, bool page)
{
    userSet(roundStep(m_knob, m_value, steps, page));
}

void KnobWidget::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::FontChange && m_meaning) {
        applyFonts();
    }
}

void KnobWidget::applyFonts()
{
    // Relative to the panel's font, so a larger window text size scales them too.
    QFont bold = font();
    bold.setBold(true);
    m_name->setFont(bold);
    QFont small = font();
    small.setPointSizeF(small.pointSizeF() * 0.9);
    m_meaning->setFont(small);
}

QString KnobWidget::title() const
{
    return knobTr(m_knob.label);
}

QString KnobWidget::toolTipText() const
{
    const auto esc = [](const QString &s) {
        return s.toHtmlEscaped();
    };
    QStringList lines;
    lines << QStringLiteral("<b>%1</b>").arg(esc(title()));
    lines << (m_knob.isGo()
            ? tr("Go field: <code>%1</code>").arg(esc(QLatin1String(m_knob.goField)))
            : tr("PoolScope's own knob <code>%1</code> (not in Go)")
                  .arg(esc(QLatin1String(m_knob.key))));
    lines << esc(knobTr(m_knob.help));
    if (m_knob.zeroMeans[0] != '\0') {
        lines << esc(knobTr(m_knob.zeroMeans));
    }
    if (m_knob.negativeMeans[0] != '\0') {
        lines << esc(knobTr(m_knob.negativeMeans));
    }
    lines << QStringLiteral("<i>%1</i>")
                 .arg(esc(m_knob.isGo() ? tr("Go default: %1").arg(displayText(m_default))
                                        : tr("Default: %1").arg(displayText(m_default))));
    if (m_editor == Editor::Number) {
        const QString unit = m_knob.unit[0] != '\0' ? u' ' + knobUnitTr(m_knob.unit) : QString();
        QString range
            = tr("Range: %1 to %2%3").arg(numberText(m_knob.uiMin), numberText(m_knob.uiMax), unit);
        const double scale = m_knob.displayScale();
        if (m_knob.min * scale < m_knob.uiMin || m_knob.max * scale > m_knob.uiMax) {
            range += tr("; scenario files and flags accept %1").arg(knobRangeText(m_knob));
        }
        lines << esc(range);
        lines << esc(tr("Click, then arrows or PageUp/PageDown step to round values; or type "
                        "a value and press Enter."));
    }
    return lines.join(QStringLiteral("<br>"));
}

bool KnobWidget::directSlider() const
{
    return m_knob.decimals == 0 && (m_knob.uiMax - m_knob.uiMin) <= kMaxDirectRange;
}

int KnobWidget::sliderPosition(double value) const
{
    if (directSlider()) {
        return static_cast<int>(std::lround(value));
    }
    const double span = m_knob.uiMax - m_knob.uiMin;
    if (span <= 0) {
        return 0;
    }
    const double f = std::clamp((value - m_knob.uiMin) / span, 0.0, 1.0);
    return static_cast<int>(std::lround(std::sqrt(f) * kSliderSteps));
}

double KnobWidget::sliderValue(int position) const
{
    if (directSlider()) {
        return position;
    }
    const double f = static_cast<double>(position) / kSliderSteps;
    const double raw = m_knob.uiMin + (m_knob.uiMax - m_knob.uiMin) * f * f;
    // Round to the spin box's precision so the two editors agree.
    const double scale = std::pow(10.0, m_knob.decimals);
    return std::round(raw * scale) / scale;
}

void KnobWidget::setValue(double value)
{
    if (m_editor == Editor::Number) {
        value = std::clamp(value, m_knob.uiMin, m_knob.uiMax);
    }
    m_value = value;
    syncEditors();
    updateMarker();
}

bool KnobWidget::isDefault() const
{
    return std::abs(m_value - m_default) < 1e-9;
}

void KnobWidget::editAsUser(double value)
{
    if (m_spin) {
        m_spin->setValue(value);
    } else if (m_check) {
        m_check->setChecked(value != 0);
    } else if (m_combo && m_combo->count() > 0) {
        m_combo->setCurrentIndex(
            std::clamp(static_cast<int>(std::lround(value)), 0, m_combo->count() - 1));
    }
}

void KnobWidget::resetToDefault()
{
    userSet(m_default);
    syncEditors();
}

void KnobWidget::userSet(double value)
{
    const double old = m_value;
    if (std::abs(old - value) < 1e-9) {
        return;
    }
    m_value = value;
    syncEditors();
    updateMarker();
    Q_EMIT valueEdited(value, old);
}

void KnobWidget::syncEditors()
{
    m_syncing = true;
    if (m_spin) {
        m_spin->setValue(m_value);
    }
    if (m_slider && !m_slider->isSliderDown()) {
        m_slider->setValue(sliderPosition(m_value));
    }
    if (m_check) {
        m_check->setChecked(m_value != 0);
    }
    if (m_combo) {
        m_combo->setCurrentIndex(static_cast<int>(m_value));
    }
    m_syncing = false;
}

QString KnobWidget::numberText(double value) const
{
    // As the spin box rounds it, without trailing zeros: "90 s", "2.5 ms", never "-0".
    const double scale = std::pow(10.0, m_knob.decimals);
    const double rounded = std::round(value * scale) / scale + 0.0;
    QString text = QString::number(rounded, 'f', m_knob.decimals);
    if (text.contains(u'.')) {
        while (text.endsWith(u'0')) {
            text.chop(1);
        }
        if (text.endsWith(u'.')) {
            text.chop(1);
        }
    }
    return text;
}

QString KnobWidget::displayText(double value) const
{
    switch (m_editor) {
    case Editor::Toggle:
        return value != 0 ? tr("on") : tr("off");
    case Editor::Choice: {
        const auto i = static_cast<std::size_t>(std::max(0.0, value));
        return i < m_knob.choices.size() ? knobTr(m_knob.choices[i].label) : QString::number(value);
    }
    case Editor::Number:
        break;
    }
    QString text = numberText(value);
    const QLatin1String unit(m_knob.unit);
    if (!unit.isEmpty() && !isCountUnit(unit)) {
        text += u' ' + knobUnitTr(m_knob.unit);
    }
    // Markers show what the pool enforces: "MaxIdleConnsPerHost 0 (=2) -> 10".
    const QString alias = knobZeroAlias(m_knob);
    if (value == 0 && !alias.isEmpty()) {
        text += QStringLiteral(" (=%1)").arg(alias);
    }
    return text;
}

QString KnobWidget::markerText() const
{
    return m_marker->text();
}

QString KnobWidget::meaningText() const
{
    return m_meaning->isHidden() ? QString() : m_meaning->text();
}

void KnobWidget::updateMarker()
{
    if (isDefault()) {
        m_marker->setText(m_knob.isGo() ? tr("✓ Go default") : tr("✓ default"));
        m_marker->setStyleSheet(QStringLiteral("color: #2e7d32;"));
    } else {
        const QString def = displayText(m_default);
        m_marker->setText(
            m_knob.isGo() ? tr("Go default: %1").arg(def) : tr("default: %1").arg(def));
        m_marker->setStyleSheet(QStringLiteral("color: #b26a00;"));
    }
    m_reset->setEnabled(!isDefault());
    QString meaning;
    if (m_editor == Editor::Number) {
        if (m_value == 0 && m_knob.zeroMeans[0] != '\0') {
            meaning = knobTr(m_knob.zeroMeans);
        } else if (m_value < 0 && m_knob.negativeMeans[0] != '\0') {
            meaning = knobTr(m_knob.negativeMeans);
        }
    }
    m_meaning->setText(meaning);
    m_meaning->setVisible(!meaning.isEmpty());
}

} // namespace poolscope
