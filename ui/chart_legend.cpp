#include "chart_legend.h"

#include "chart_flow_layout.h"

#include <QAbstractButton>
#include <QEvent>
#include <QLabel>
#include <QPainter>

namespace poolscope {

namespace {

// A legend entry: a swatch of the series' line or fill and its short name.
// Checked is on (drawn in full); off is faded, so the state reads at a glance.
class LegendChip final : public QAbstractButton
{
public:
    LegendChip(const ChartLegend::Swatch &swatch, QWidget *parent)
        : QAbstractButton(parent), m_swatch(swatch)
    {
        setCheckable(true);
        setChecked(true);
        setFocusPolicy(Qt::TabFocus);
        setCursor(Qt::PointingHandCursor);
        setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Fixed);
    }

    // Smaller than the window's text, and following it (presentation mode, Ctrl++):
    // a font set on the chip itself would keep its size when the window's changes.
    [[nodiscard]] QFont chipFont() const
    {
        QFont f = font();
        f.setPointSizeF(f.pointSizeF() * 0.88);
        return f;
    }

    [[nodiscard]] QSize sizeHint() const override
    {
        const QFontMetrics fm(chipFont());
        return { kSwatchWidth + 4 + fm.horizontalAdvance(text()) + 4, fm.height() + 2 };
    }
    [[nodiscard]] QSize minimumSizeHint() const override { return sizeHint(); }

protected:
    void paintEvent(QPaintEvent *) override
    {
        QPainter p(this);
        p.setRenderHint(QPainter::Antialiasing);
        const bool on = isChecked();
        const QColor c = on ? m_swatch.color : QColor(0xc8, 0xc8, 0xc8);
        const double mid = height() / 2.0;
        if (m_swatch.filled) {
            QColor fill = c;
            fill.setAlpha(170);
            const QRectF r(1.5, mid - 4, kSwatchWidth - 3, 8);
            p.fillRect(r, fill);
            p.setPen(QPen(c, 1));
            p.drawRect(r);
        } else {
            p.setPen(QPen(c, 2.2, m_swatch.style, Qt::FlatCap));
            p.drawLine(QPointF(0, mid), QPointF(kSwatchWidth, mid));
        }
        p.setPen(on ? palette().color(QPalette::WindowText) : QColor(0xa0, 0xa0, 0xa0));
        p.setFont(chipFont());
        const QRect textRect = rect().adjusted(kSwatchWidth + 4, 0, 0, 0);
        p.drawText(textRect, Qt::AlignLeft | Qt::AlignVCenter | Qt::TextSingleLine, text());
        if (hasFocus()) {
            p.setPen(QPen(palette().color(QPalette::Highlight), 1, Qt::DotLine));
            p.drawRect(QRectF(rect()).adjusted(0.5, 0.5, -0.5, -0.5));
        }
    }

private:
    static constexpr int kSwatchWidth = 16;
    ChartLegend::Swatch m_swatch;
};

} // namespace

ChartLegend::ChartLegend(QWidget *parent) : QWidget(parent)
{
    m_flow = new ChartFlowLayout(this, 4, 0);
    m_flow->setContentsMargins(6, 2, 4, 0);
    m_title = new QLabel(this);
    QFont tf = m_title->font();
    tf.setBold(true);
    m_title->setFont(tf);
    m_title->setContentsMargins(0, 0, 8, 0);
    m_flow->addWidget(m_title);
    // Not Fixed: a box layout caps a Fixed widget at its one-line size hint, and
    // wrapped entries would be cut off.
    QSizePolicy sp(QSizePolicy::Preferred, QSizePolicy::Preferred);
    sp.setHeightForWidth(true);
    setSizePolicy(sp);
}

ChartLegend::~ChartLegend() = default;

void ChartLegend::setTitles(const QStringList &longestFirst, const QString &toolTip)
{
    m_titles = longestFirst;
    m_title->setToolTip(toolTip);
    fitTitle();
}

void ChartLegend::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::FontChange) {
        // Larger text (presentation mode): the title's minimum and variant follow.
        fitTitle();
    }
}

QString ChartLegend::title() const
{
    return m_title->text();
}

QAbstractButton *ChartLegend::addEntry(
    const QString &key, const QString &text, const QString &toolTip, const Swatch &swatch)
{
    auto *b = new LegendChip(swatch, this);
    b->setObjectName(key);
    b->setText(text);
    b->setToolTip(toolTip + tr("\nClick to hide or show this series."));
    connect(b, &QAbstractButton::toggled, this, [this, key](bool on) { Q_EMIT toggled(key, on); });
    m_flow->addWidget(b);
    m_entries.insert(key, b);
    return b;
}

void ChartLegend::setEntryText(const QString &key, const QString &text)
{
    if (QAbstractButton *b = m_entries.value(key); b && b->text() != text) {
        b->setText(text);
        b->updateGeometry();
        // Place the entries for the new width now, not after the next paint.
        m_flow->invalidate();
        m_flow->activate();
    }
}

void ChartLegend::setEntryShown(const QString &key, bool shown)
{
    if (QAbstractButton *b = m_entries.value(key); b && b->isHidden() == shown) {
        b->setVisible(shown);
    }
}

bool ChartLegend::isOn(const QString &key) const
{
    const QAbstractButton *b = m_entries.value(key);
    return b && b->isChecked();
}

void ChartLegend::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    fitTitle();
}

void ChartLegend::fitTitle()
{
    if (m_titles.isEmpty()) {
        return;
    }
    // The label's own minimum is its current text: the panel could then never get
    // narrower than the longest title. The shortest variant, at this font, is the minimum.
    const QMargins label = m_title->contentsMargins();
    const int minimum = m_title->fontMetrics().horizontalAdvance(m_titles.constLast())
        + label.left() + label.right();
    if (m_title->minimumWidth() != minimum) {
        m_title->setMinimumWidth(minimum);
    }
    const QMargins flow = m_flow->contentsMargins();
    const int room = width() - flow.left() - flow.right() - label.left() - label.right();
    const QFontMetrics fm(m_title->font());
    QString chosen = m_titles.constLast();
    for (const QString &t : std::as_const(m_titles)) {
        if (fm.horizontalAdvance(t) <= room) {
            chosen = t;
            break;
        }
    }
    if (m_title->text() != chosen) {
        m_title->setText(chosen);
    }
}

} // namespace poolscope
