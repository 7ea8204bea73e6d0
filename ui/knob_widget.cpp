#include "knob_widget.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QSlider>
#include <QToolButton>
#include <algorithm>
#include <cmath>

namespace poolscope {

namespace {

constexpr int kSliderSteps = 1000;
// Integer knobs with at most this many values get one slider step per value;
// wider ranges get a quadratic scale so small values stay reachable by mouse.
constexpr double kMaxDirectRange = 200;

} // namespace

KnobWidget::KnobWidget(KnobSpec spec, QWidget *parent)
    : QWidget(parent), m_spec(std::move(spec)), m_value(m_spec.defaultValue)
{
    auto *grid = new QGridLayout(this);
    grid->setContentsMargins(0, 2, 0, 2);
    grid->setHorizontalSpacing(6);
    grid->setVerticalSpacing(1);

    m_name = new QLabel(m_spec.key, this);
    QFont bold = m_name->font();
    bold.setBold(true);
    m_name->setFont(bold);
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

    switch (m_spec.kind) {
    case KnobSpec::Kind::Number: {
        m_slider = new QSlider(Qt::Horizontal, this);
        if (directSlider()) {
            m_slider->setRange(static_cast<int>(m_spec.min), static_cast<int>(m_spec.max));
        } else {
            m_slider->setRange(0, kSliderSteps);
        }
        m_spin = new QDoubleSpinBox(this);
        m_spin->setRange(m_spec.min, m_spec.max);
        m_spin->setDecimals(m_spec.decimals);
        m_spin->setKeyboardTracking(false);
        m_spin->setAccelerated(true);
        m_spin->setMinimumWidth(110);
        if (!m_spec.unit.isEmpty()) {
            m_spin->setSuffix(u' ' + m_spec.unit);
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
    }
    case KnobSpec::Kind::Toggle:
        m_check = new QCheckBox(QStringLiteral("enabled"), this);
        grid->addWidget(m_check, 1, 0, 1, 2);
        connect(m_check, &QCheckBox::toggled, this, [this](bool on) {
            if (!m_syncing) {
                userSet(on ? 1.0 : 0.0);
            }
        });
        break;
    case KnobSpec::Kind::Choice:
        m_combo = new QComboBox(this);
        m_combo->addItems(m_spec.choices);
        grid->addWidget(m_combo, 1, 0, 1, 2);
        connect(m_combo, &QComboBox::currentIndexChanged, this, [this](int index) {
            if (!m_syncing && index >= 0) {
                userSet(index);
            }
        });
        break;
    }

    m_meaning = new QLabel(this);
    m_meaning->setWordWrap(true);
    QFont small = m_meaning->font();
    small.setPointSizeF(small.pointSizeF() * 0.9);
    m_meaning->setFont(small);
    m_meaning->setStyleSheet(QStringLiteral("color: #666;"));
    grid->addWidget(m_meaning, 2, 0, 1, 2);
    grid->setColumnStretch(0, 1);

    QString tip = QStringLiteral("<b>%1</b><br>%2")
                      .arg(m_spec.goField.toHtmlEscaped(), m_spec.help.toHtmlEscaped());
    tip += QStringLiteral("<br><i>%1: %2</i>")
               .arg(m_spec.goKnob ? QStringLiteral("Go default") : QStringLiteral("Default"),
                   displayText(m_spec.defaultValue).toHtmlEscaped());
    setToolTip(tip);
    for (QWidget *w : findChildren<QWidget *>()) {
        w->setToolTip(tip);
    }
    m_reset->setToolTip(
        QStringLiteral("Reset %1 to %2 (%3)")
            .arg(m_spec.key,
                m_spec.goKnob ? QStringLiteral("Go's default") : QStringLiteral("the default"),
                displayText(m_spec.defaultValue)));

    syncEditors();
    updateMarker();
}

bool KnobWidget::directSlider() const
{
    return m_spec.decimals == 0 && (m_spec.max - m_spec.min) <= kMaxDirectRange;
}

int KnobWidget::sliderPosition(double value) const
{
    if (directSlider()) {
        return static_cast<int>(std::lround(value));
    }
    const double span = m_spec.max - m_spec.min;
    if (span <= 0) {
        return 0;
    }
    const double f = std::clamp((value - m_spec.min) / span, 0.0, 1.0);
    return static_cast<int>(std::lround(std::sqrt(f) * kSliderSteps));
}

double KnobWidget::sliderValue(int position) const
{
    if (directSlider()) {
        return position;
    }
    const double f = static_cast<double>(position) / kSliderSteps;
    const double raw = m_spec.min + (m_spec.max - m_spec.min) * f * f;
    // Round to the spin box's precision so the two editors agree.
    const double scale = std::pow(10.0, m_spec.decimals);
    return std::round(raw * scale) / scale;
}

void KnobWidget::setValue(double value)
{
    if (m_spec.kind == KnobSpec::Kind::Number) {
        value = std::clamp(value, m_spec.min, m_spec.max);
    }
    m_value = value;
    syncEditors();
    updateMarker();
}

bool KnobWidget::isDefault() const
{
    return std::abs(m_value - m_spec.defaultValue) < 1e-9;
}

void KnobWidget::resetToDefault()
{
    userSet(m_spec.defaultValue);
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

QString KnobWidget::displayText(double value) const
{
    if (m_spec.valueText) {
        const QString text = m_spec.valueText(value);
        if (!text.isEmpty()) {
            return text;
        }
    }
    switch (m_spec.kind) {
    case KnobSpec::Kind::Toggle:
        return value != 0 ? QStringLiteral("on") : QStringLiteral("off");
    case KnobSpec::Kind::Choice: {
        const int i = static_cast<int>(value);
        return i >= 0 && i < m_spec.choices.size() ? m_spec.choices.at(i) : QString::number(i);
    }
    case KnobSpec::Kind::Number:
        break;
    }
    QString text = QString::number(value, 'f', m_spec.decimals);
    // Counts read better bare ("MaxIdleConnsPerHost 2 -> 10"); quantities keep their unit.
    static const QStringList countUnits = { QStringLiteral("conns"), QStringLiteral("workers"),
        QStringLiteral("probes"), QStringLiteral("req") };
    if (!m_spec.unit.isEmpty() && !countUnits.contains(m_spec.unit)) {
        text += u' ' + m_spec.unit;
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
    const QString what = m_spec.goKnob ? QStringLiteral("Go default") : QStringLiteral("default");
    if (isDefault()) {
        m_marker->setText(QStringLiteral("✓ %1").arg(what));
        m_marker->setStyleSheet(QStringLiteral("color: #2e7d32;"));
    } else {
        m_marker->setText(QStringLiteral("%1: %2").arg(what, displayText(m_spec.defaultValue)));
        m_marker->setStyleSheet(QStringLiteral("color: #b26a00;"));
    }
    m_reset->setEnabled(!isDefault());
    const QString meaning = m_spec.meaning ? m_spec.meaning(m_value) : QString();
    m_meaning->setText(meaning);
    m_meaning->setVisible(!meaning.isEmpty());
}

} // namespace poolscope
