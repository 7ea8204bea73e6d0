#include "chart_canvas.h"

#include "chart_palette.h"

#include <QChart>
#include <QElapsedTimer>
#include <QGraphicsLayout>
#include <QGraphicsScene>
#include <QLegend>
#include <QMouseEvent>
#include <QPainter>
#include <QValueAxis>
#include <algorithm>
#include <cmath>
#include <ctime>

namespace poolscope {

namespace {

constexpr int kBaseMargin = 4;
constexpr int kTopMargin = 2;

qint64 threadCpuNs()
{
    timespec ts {};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return qint64(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

QString labelFormat(int decimals)
{
    return QStringLiteral("%.%1f").arg(decimals);
}

// Index of the point whose x is nearest to t (points sorted by x; -1 if none).
qsizetype nearestIndex(const QList<QPointF> &points, double t)
{
    if (points.isEmpty()) {
        return -1;
    }
    const auto it = std::lower_bound(
        points.cbegin(), points.cend(), t, [](const QPointF &p, double v) { return p.x() < v; });
    qsizetype i = it - points.cbegin();
    if (i >= points.size()) {
        return points.size() - 1;
    }
    if (i > 0 && t - points[i - 1].x() < points[i].x() - t) {
        --i;
    }
    return i;
}

} // namespace

ChartCanvas::ChartCanvas(qint64 *paintNs, qint64 *paintCpuNs, QWidget *parent)
    : QWidget(parent)
    , m_scene(std::make_unique<QGraphicsScene>())
    , m_paintNs(paintNs)
    , m_paintCpuNs(paintCpuNs)
{
    setAttribute(Qt::WA_OpaquePaintEvent);
    setMouseTracking(true);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    updateFonts();

    m_chart = new QChart;
    m_chart->legend()->hide();
    m_chart->layout()->setContentsMargins(0, 0, 0, 0);
    m_chart->setBackgroundRoundness(0);
    m_chart->setBackgroundPen(Qt::NoPen);
    m_y = new QValueAxis(m_chart);
    m_y->setLabelsFont(m_labelFont);
    m_y->setRange(0, m_yTop);
    m_y->setTickCount(6);
    m_y->setLabelFormat(labelFormat(0));
    m_chart->addAxis(m_y, Qt::AlignLeft);
    m_scene->addItem(m_chart);
    applyMargins();
}

ChartCanvas::~ChartCanvas() = default;

void ChartCanvas::addRightAxis()
{
    m_y2 = new QValueAxis(m_chart);
    m_y2->setLabelsFont(m_labelFont);
    m_y2->setRange(0, m_y2Top);
    m_y2->setTickCount(6);
    m_y2->setLabelFormat(labelFormat(0));
    m_y2->setGridLineVisible(false);
    m_chart->addAxis(m_y2, Qt::AlignRight);
    m_frameDirty = true;
}

int ChartCanvas::addTrace(const Trace &trace)
{
    m_traces.push_back(trace);
    return traceCount() - 1;
}

int ChartCanvas::traceIndex(const QString &key) const
{
    for (int i = 0; i < traceCount(); ++i) {
        if (trace(i).key == key) {
            return i;
        }
    }
    return -1;
}

void ChartCanvas::setWindow(double start, double end, double bucket)
{
    m_start = start;
    m_end = std::max(end, start + 1e-6);
    m_bucket = bucket;
}

bool ChartCanvas::setScale(bool right, double top, int intervals, int decimals)
{
    QValueAxis *axis = right ? m_y2 : m_y;
    if (!axis) {
        return false;
    }
    const QString format = labelFormat(decimals);
    if (axis->max() == top && axis->min() == 0 && axis->tickCount() == intervals + 1
        && axis->labelFormat() == format) {
        return false;
    }
    axis->setRange(0, top);
    axis->setTickCount(intervals + 1);
    axis->setLabelFormat(format);
    (right ? m_y2Top : m_yTop) = top;
    measureValueLabels(right);
    m_frameDirty = true;
    return true;
}

void ChartCanvas::measureValueLabels(bool right)
{
    const QValueAxis *axis = right ? m_y2 : m_y;
    if (!axis) {
        return;
    }
    const int intervals = std::max(1, axis->tickCount() - 1);
    const QByteArray format = axis->labelFormat().toLatin1();
    double widest = 0;
    for (int i = 0; i <= intervals; ++i) {
        // As QValueAxis formats them.
        const QString label = QString::asprintf(format.constData(), axis->max() * i / intervals);
        widest = std::max(widest, textWidth(m_labelTexts, label));
    }
    (right ? m_y2Labels : m_yLabels) = widest;
}

// The chart's texts are a size below the widget's font, and follow it: larger text
// (presentation mode, Ctrl++) reaches axis, time and marker labels too.
void ChartCanvas::updateFonts()
{
    m_labelFont = font();
    m_labelFont.setPointSizeF(m_labelFont.pointSizeF() * 0.85);
    m_markerFont = m_labelFont;
    m_markerFont.setBold(true);
    m_labelTexts = { m_labelFont, {} };
    m_markerTexts = { m_markerFont, {} };
}

void ChartCanvas::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() != QEvent::FontChange || !m_chart) {
        return;
    }
    updateFonts();
    for (QValueAxis *axis : { m_y, m_y2 }) {
        if (axis) {
            axis->setLabelsFont(m_labelFont);
        }
    }
    measureValueLabels(false);
    measureValueLabels(true);
    // As after a resize: new margins, and the owner aligns and rescales again.
    m_chart->setPlotArea(QRectF());
    m_fixed = QRectF();
    m_naturalValid = false;
    applyMargins();
    updateGeometry();
    Q_EMIT resized();
}

int ChartCanvas::maxIntervals() const
{
    // Qt Charts elides a value label ("...") that is taller than the plot height
    // divided by the number of labels, less twice its label padding.
    constexpr double kQtLabelPadding = 5;
    double plotHeight = m_chart->plotArea().height();
    if (plotHeight <= 0) {
        plotHeight = height() - labelStripHeight() - kTopMargin - 12;
    }
    const double pitch = QFontMetricsF(m_labelFont).height() + 2 * kQtLabelPadding + 3;
    return std::clamp(static_cast<int>(plotHeight / pitch) - 1, 1, 5);
}

double ChartCanvas::plotWidth() const
{
    // Not laid out while hidden: 0 lets the caller assume a typical width.
    return isVisible() ? std::max(0.0, m_chart->plotArea().width()) : 0.0;
}

void ChartCanvas::setMarkers(std::vector<Marker> markers)
{
    m_markers = std::move(markers);
}

void ChartCanvas::setNote(const QString &note)
{
    m_note = note;
}

void ChartCanvas::setTopNotes(const QList<Note> &notes)
{
    m_topNotes = notes;
}

QStringList ChartCanvas::topNotes() const
{
    QStringList out;
    for (const Note &n : m_topNotes) {
        out << n.text;
    }
    return out;
}

void ChartCanvas::setHoverTime(double t)
{
    if (std::isnan(t) && std::isnan(m_hoverTime)) {
        return;
    }
    m_hoverTime = t;
    update();
}

QRectF ChartCanvas::naturalPlotArea()
{
    // Laying a chart out updates every axis label item: only when it can differ.
    const LayoutKey key = layoutKey();
    if (m_naturalValid && key == m_naturalKey) {
        return m_natural;
    }
    m_chart->setPlotArea(QRectF());
    m_chart->layout()->activate();
    m_fixed = QRectF();
    m_natural = m_chart->plotArea();
    m_naturalKey = key;
    m_naturalValid = true;
    m_frameDirty = true;
    return m_natural;
}

void ChartCanvas::fixPlotArea(const QRectF &rect)
{
    if (rect == m_fixed) {
        return;
    }
    m_chart->setPlotArea(rect);
    m_chart->layout()->activate();
    m_fixed = rect;
    m_frameDirty = true;
}

void ChartCanvas::applyMargins()
{
    m_chart->setMargins(QMargins(kBaseMargin, kTopMargin, kBaseMargin, labelStripHeight()));
    m_chart->layout()->activate();
    m_frameDirty = true;
}

QRectF ChartCanvas::plotArea() const
{
    m_chart->layout()->activate();
    return m_chart->plotArea();
}

int ChartCanvas::labelStripHeight() const
{
    return QFontMetrics(m_labelFont).height() + 4;
}

QSize ChartCanvas::sizeHint() const
{
    // No taller than the minimum: the panel's scroll area goes by size hints,
    // and four charts at their minimum read better than two and a scroll bar.
    // The layout stretches the charts over whatever room there is.
    return { 480, minimumSizeHint().height() };
}

QSize ChartCanvas::minimumSizeHint() const
{
    // A plot with room for three value labels (see maxIntervals), the time
    // labels below it and what Qt reserves for the end labels' overhang, which
    // grows with the labels' font (larger text: presentation mode, Ctrl++).
    const double label = QFontMetricsF(m_labelFont).height();
    const double pitch = label + 13;
    return { 200,
        static_cast<int>(std::ceil(3 * pitch + label + 5)) + labelStripHeight() + kTopMargin };
}

void ChartCanvas::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    m_chart->setPlotArea(QRectF()); // the owner aligns it again before the next paint
    m_fixed = QRectF();
    m_naturalValid = false;
    m_chart->resize(size());
    m_chart->layout()->activate();
    m_frameDirty = true;
    Q_EMIT resized();
}

void ChartCanvas::renderFrame()
{
    const qreal dpr = devicePixelRatioF();
    if (m_frame.size() != size() * dpr) {
        m_frame = QPixmap(size() * dpr);
        m_frame.setDevicePixelRatio(dpr);
    }
    m_frame.fill(Qt::white);
    m_chart->layout()->activate();
    QPainter p(&m_frame);
    p.setRenderHint(QPainter::Antialiasing);
    p.setRenderHint(QPainter::TextAntialiasing);
    const QRectF r(QPointF(0, 0), QSizeF(size()));
    m_scene->render(&p, r, r, Qt::IgnoreAspectRatio);
    m_frameDirty = false;
}

double ChartCanvas::xAt(double t) const
{
    const QRectF plot = m_chart->plotArea();
    return plot.left() + (t - m_start) / (m_end - m_start) * plot.width();
}

double ChartCanvas::timeAt(double x) const
{
    const QRectF plot = m_chart->plotArea();
    return m_start + (x - plot.left()) / std::max(1.0, plot.width()) * (m_end - m_start);
}

double ChartCanvas::yAt(double v, bool right) const
{
    const QRectF plot = m_chart->plotArea();
    const double top = right ? m_y2Top : m_yTop;
    return plot.bottom() - v / top * plot.height();
}

void ChartCanvas::paintEvent(QPaintEvent *)
{
    QElapsedTimer timer;
    timer.start();
    const qint64 cpu0 = threadCpuNs();
    if (m_beforePaint) {
        m_beforePaint();
    }
    if (m_frameDirty || m_frame.size() != size() * devicePixelRatioF()) {
        renderFrame();
    }
    QPainter p(this);
    p.drawPixmap(0, 0, m_frame);
    drawTimeAxis(p);
    const QRectF plot = m_chart->plotArea();
    p.save();
    // Lines may reach a pen's width above the top of the scale.
    p.setClipRect(plot.adjusted(0, -3, 0, 1));
    p.setRenderHint(QPainter::Antialiasing);
    drawTraces(p, false);
    drawTraces(p, true);
    drawMarkers(p);
    p.restore();
    drawNotes(p);
    drawHover(p);
    *m_paintNs += timer.nsecsElapsed();
    *m_paintCpuNs += threadCpuNs() - cpu0;
}

} // namespace poolscope

namespace poolscope {

const QStaticText &ChartCanvas::cachedText(TextCache &cache, const QString &text) const
{
    auto it = cache.texts.find(text);
    if (it == cache.texts.end()) {
        if (cache.texts.size() >= 512) {
            cache.texts.clear();
        }
        QStaticText st(text);
        st.setTextFormat(Qt::PlainText);
        st.setPerformanceHint(QStaticText::AggressiveCaching);
        st.prepare(QTransform(), cache.font);
        it = cache.texts.insert(text, st);
    }
    return *it;
}

double ChartCanvas::textWidth(TextCache &cache, const QString &text) const
{
    return cachedText(cache, text).size().width();
}

ChartCanvas::TimeTicks ChartCanvas::timeTicks() const
{
    const double span = m_end - m_start;
    const double pixels = std::max(1.0, m_chart->plotArea().width());
    const double labelWidth = textWidth(
        m_labelTexts, m_end >= 3600 ? QStringLiteral("8:88:88") : QStringLiteral("888 s"));
    static constexpr double kSteps[]
        = { 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400 };
    TimeTicks ticks;
    ticks.step = kSteps[std::size(kSteps) - 1];
    for (double s : kSteps) {
        if (s / span * pixels >= labelWidth + 16) {
            ticks.step = s;
            break;
        }
    }
    ticks.first = std::ceil(m_start / ticks.step - 1e-9) * ticks.step;
    return ticks;
}

QString ChartCanvas::timeText(double t, double step) const
{
    // Seconds while the run is young, a clock (m:ss, h:mm:ss) once it is not.
    const auto whole = static_cast<long long>(std::llround(t));
    if (m_end < 100 && step < 60) {
        return QStringLiteral("%1 s").arg(whole);
    }
    const long long h = whole / 3600;
    const long long m = (whole / 60) % 60;
    const long long s = whole % 60;
    if (h > 0) {
        return QStringLiteral("%1:%2:%3")
            .arg(h)
            .arg(m, 2, 10, QLatin1Char('0'))
            .arg(s, 2, 10, QLatin1Char('0'));
    }
    return QStringLiteral("%1:%2").arg(m).arg(s, 2, 10, QLatin1Char('0'));
}

QList<QPair<QString, QRectF>> ChartCanvas::layoutTimeLabels(QList<double> *tickXs) const
{
    QList<QPair<QString, QRectF>> out;
    const QRectF plot = m_chart->plotArea();
    if (plot.width() <= 0) {
        return out;
    }
    const TimeTicks ticks = timeTicks();
    const double h = QFontMetricsF(m_labelFont).height();
    for (double t = ticks.first; t <= m_end + 1e-9; t += ticks.step) {
        const double x = xAt(t);
        const QString text = timeText(t, ticks.step);
        const double w = textWidth(m_labelTexts, text);
        // Centred under the tick, kept inside the widget at both ends.
        const double left = std::clamp(x - w / 2, 0.0, std::max(0.0, width() - w));
        out.append({ text, QRectF(left, plot.bottom() + 3, w, h) });
        if (tickXs) {
            tickXs->append(x);
        }
    }
    return out;
}

QList<QPair<QString, QRectF>> ChartCanvas::timeLabels() const
{
    return layoutTimeLabels(nullptr);
}

void ChartCanvas::drawTimeAxis(QPainter &p)
{
    const QRectF plot = m_chart->plotArea();
    QList<double> xs;
    const auto labels = layoutTimeLabels(&xs);
    p.setPen(QPen(m_y->gridLineColor(), 1));
    for (double x : std::as_const(xs)) {
        const double px = std::round(x) + 0.5;
        p.drawLine(QPointF(px, plot.top()), QPointF(px, plot.bottom()));
    }
    p.setPen(QPen(m_y->linePenColor(), 1));
    p.drawLine(QPointF(plot.left(), std::round(plot.bottom()) + 0.5),
        QPointF(plot.right(), std::round(plot.bottom()) + 0.5));
    p.setFont(m_labelFont);
    p.setPen(m_y->labelsColor());
    for (const auto &[text, rect] : labels) {
        p.drawStaticText(rect.topLeft(), cachedText(m_labelTexts, text));
    }
}

void ChartCanvas::drawTraces(QPainter &p, bool onTop) const
{
    const QRectF plot = m_chart->plotArea();
    const double sx = plot.width() / (m_end - m_start);
    const double x0 = plot.left() - m_start * sx;
    const Mapper left { x0, sx, plot.bottom(), plot.height() / m_yTop };
    const Mapper right { x0, sx, plot.bottom(), plot.height() / m_y2Top };
    QPolygonF poly;
    for (const Trace &tr : m_traces) {
        if (tr.onTop != onTop || !tr.on || !tr.shown || tr.points.isEmpty()) {
            continue;
        }
        const Mapper &m = tr.rightAxis ? right : left;
        const qsizetype n = tr.points.size();
        if (tr.area) {
            poly.resize(0);
            appendSimplified(poly, tr.points, 0, n, m, false);
            appendSimplified(poly, tr.lower, 0, tr.lower.size(), m, true);
            QColor fill = tr.color;
            fill.setAlpha(170);
            p.setPen(QPen(tr.color, 1));
            p.setBrush(fill);
            p.drawPolygon(poly);
            continue;
        }
        p.setPen(QPen(tr.color, tr.width, tr.style, Qt::FlatCap, Qt::BevelJoin));
        p.setBrush(Qt::NoBrush);
        std::size_t nextBreak = 0;
        for (qsizetype a = 0; a < n;) {
            while (nextBreak < tr.breaks.size() && tr.breaks[nextBreak] <= a) {
                ++nextBreak;
            }
            const qsizetype b = nextBreak < tr.breaks.size() ? tr.breaks[nextBreak] : n;
            if (b - a == 1) {
                // A lone value between gaps: a dot, or it would not show at all.
                p.setBrush(tr.color);
                p.drawEllipse(m.map(tr.points[a]), tr.width, tr.width);
                p.setBrush(Qt::NoBrush);
            } else {
                poly.resize(0);
                appendSimplified(poly, tr.points, a, b, m, false);
                p.drawPolyline(poly);
            }
            a = b;
        }
    }
}

void ChartCanvas::appendSimplified(QPolygonF &out, const QList<QPointF> &points, qsizetype a,
    qsizetype b, const Mapper &m, bool reversed)
{
    // Stroking a wide antialiased pen costs per vertex: a point that lies within
    // a quarter pixel of the line between its kept neighbour and the next one
    // changes no pixel and is left out (a flat limit line is two vertices). Runs
    // are cut every 16 px so small errors cannot add up along a gentle curve.
    constexpr double kTolerance2 = 0.25 * 0.25;
    constexpr double kMaxRun = 16;
    const qsizetype n = b - a;
    if (n <= 0) {
        return;
    }
    const auto at = [&](qsizetype i) {
        return m.map(points[reversed ? b - 1 - i : a + i]);
    };
    QPointF kept = at(0);
    out.append(kept);
    QPointF cur = n > 1 ? at(1) : kept;
    for (qsizetype i = 1; i + 1 < n; ++i) {
        const QPointF next = at(i + 1);
        const double dx = next.x() - kept.x();
        const double dy = next.y() - kept.y();
        const double cross = (cur.x() - kept.x()) * dy - (cur.y() - kept.y()) * dx;
        const double len2 = dx * dx + dy * dy;
        if (cross * cross > kTolerance2 * len2 || std::abs(cur.x() - kept.x()) > kMaxRun) {
            out.append(cur);
            kept = cur;
        }
        cur = next;
    }
    if (n > 1) {
        out.append(cur);
    }
}

QList<ChartCanvas::MarkerLabel> ChartCanvas::markerLabels() const
{
    QList<MarkerLabel> out;
    const QRectF plot = m_chart->plotArea();
    if (plot.width() <= 0) {
        return out;
    }
    const QFontMetricsF fm(m_markerFont);
    const double lineHeight = fm.height() + 1;
    const int rows = std::clamp(static_cast<int>(plot.height() * 0.55 / lineHeight), 1, 3);
    std::vector<double> rowEnd(static_cast<std::size_t>(rows), -1e9);
    const double reserve = textWidth(m_markerTexts, QStringLiteral(" +99"));
    constexpr double kGap = 4;
    for (const Marker &m : m_markers) {
        if (m.t < m_start || m.t > m_end) {
            continue;
        }
        const double x = xAt(m.t);
        // On the right of its line if it fits there, else on the left; elided (in
        // full in the readout) only when neither side has room.
        QString text = m.text;
        double w = textWidth(m_markerTexts, text);
        const double rightRoom = plot.right() - x - kGap - reserve;
        const double leftRoom = x - kGap - reserve - plot.left();
        bool leftSide = w > rightRoom && leftRoom > rightRoom;
        const double room = std::max(40.0, leftSide ? leftRoom : rightRoom);
        if (w > room) {
            text = fm.elidedText(text, Qt::ElideRight, room);
            w = textWidth(m_markerTexts, text);
        }
        if (leftSide && w <= rightRoom) {
            leftSide = false;
        }
        const double occLeft = leftSide ? x - kGap - w - reserve : x + kGap;
        const double occRight = leftSide ? x - kGap : x + kGap + w + reserve;
        int row = -1;
        for (int r = 0; r < rows; ++r) {
            if (rowEnd[static_cast<std::size_t>(r)] + kGap <= occLeft) {
                row = r;
                break;
            }
        }
        if (row < 0) {
            out.last().members << m.text; // no room: merged into the label before it
            continue;
        }
        rowEnd[static_cast<std::size_t>(row)] = occRight;
        MarkerLabel label;
        label.rect = QRectF(
            leftSide ? x - kGap - w : x + kGap, plot.top() + 2 + row * lineHeight, w, fm.height());
        label.text = text;
        label.members << m.text;
        label.leftOfLine = leftSide;
        out.append(label);
    }
    for (MarkerLabel &label : out) {
        if (label.members.size() > 1) {
            const QString more = QStringLiteral(" +%1").arg(label.members.size() - 1);
            label.text += more;
            const double extra = textWidth(m_markerTexts, more);
            if (label.leftOfLine) {
                label.rect.setLeft(label.rect.left() - extra);
            } else {
                label.rect.setWidth(label.rect.width() + extra);
            }
        }
    }
    return out;
}

void ChartCanvas::drawMarkers(QPainter &p) const
{
    if (m_markers.empty()) {
        return;
    }
    const QRectF plot = m_chart->plotArea();
    p.setPen(QPen(QColor(chart_palette::kMarker), 1.5, Qt::DashLine));
    for (const Marker &m : m_markers) {
        if (m.t >= m_start && m.t <= m_end) {
            const double x = xAt(m.t);
            p.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()));
        }
    }
    p.setFont(m_markerFont);
    for (const MarkerLabel &label : markerLabels()) {
        p.fillRect(label.rect.adjusted(-2, 0, 2, 0), QColor(255, 255, 255, 215));
        p.setPen(QColor(chart_palette::kMarkerText));
        p.drawStaticText(label.rect.topLeft(), cachedText(m_markerTexts, label.text));
    }
}

void ChartCanvas::drawNotes(QPainter &p) const
{
    const QRectF plot = m_chart->plotArea();
    if (!m_note.isEmpty()) {
        QFont f = font();
        f.setItalic(true);
        p.setFont(f);
        p.setPen(QColor(0x55, 0x55, 0x55));
        p.drawText(plot.adjusted(10, 4, -10, -4), Qt::AlignCenter | Qt::TextWordWrap, m_note);
    }
    QFont f = m_labelFont;
    f.setBold(true);
    p.setFont(f);
    const QFontMetricsF fm(f);
    double y = plot.top() + 2;
    for (const Note &n : m_topNotes) {
        const double w = fm.horizontalAdvance(n.text);
        const QRectF r(plot.right() - w - 6, y, w, fm.height());
        p.fillRect(r.adjusted(-3, 0, 3, 0), QColor(255, 255, 255, 225));
        p.setPen(n.color);
        p.drawText(r, Qt::AlignRight | Qt::AlignVCenter | Qt::TextSingleLine, n.text);
        y += fm.height() + 1;
    }
}

std::vector<ChartCanvas::ReadoutRow> ChartCanvas::readoutRows(const QPointF &pos) const
{
    std::vector<ReadoutRow> rows;
    const QRectF plot = m_chart->plotArea();
    if (!plot.contains(pos)) {
        return rows;
    }
    const double t = timeAt(pos.x());
    rows.push_back({ tr("at %1 s").arg(t, 0, 'f', 1), QColor() });
    for (const Marker &m : m_markers) {
        if (m.t >= m_start && m.t <= m_end && std::abs(xAt(m.t) - pos.x()) <= 5) {
            rows.push_back({ tr("changed at %1 s: %2").arg(m.t, 0, 'f', 1).arg(m.text),
                QColor(chart_palette::kMarker) });
        }
    }
    // A point stands for the bucket ending at it: further than that is a gap.
    const double reach = std::max(m_bucket, 0.1) * 1.5 + 0.05;
    for (const Trace &tr : m_traces) {
        if (!tr.on || !tr.shown) {
            continue;
        }
        const qsizetype j = nearestIndex(tr.points, t);
        QString value = QStringLiteral("–");
        if (j >= 0 && std::abs(tr.points[j].x() - t) <= reach) {
            const double v = tr.area ? tr.points[j].y() - tr.lower[j].y() : tr.points[j].y();
            value = QString::number(v, 'f', tr.decimals) + tr.unit;
        } else if (tr.points.isEmpty()) {
            continue;
        }
        rows.push_back({ QStringLiteral("%1: %2").arg(tr.name, value), tr.color });
    }
    return rows;
}

QStringList ChartCanvas::readoutAt(const QPointF &pos) const
{
    QStringList out;
    for (const ReadoutRow &r : readoutRows(pos)) {
        out << r.text;
    }
    return out;
}

void ChartCanvas::drawHover(QPainter &p) const
{
    const QRectF plot = m_chart->plotArea();
    if (!std::isnan(m_hoverTime) && m_hoverTime >= m_start && m_hoverTime <= m_end) {
        const double x = std::round(xAt(m_hoverTime)) + 0.5;
        p.setPen(QPen(QColor(0x40, 0x40, 0x40, 160), 1));
        p.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()));
    }
    if (!plot.contains(m_mouse)) {
        return;
    }
    const std::vector<ReadoutRow> rows = readoutRows(m_mouse);
    p.setFont(m_labelFont);
    const QFontMetricsF fm(m_labelFont);
    // Rows wrap rather than run out of the chart (a long marker text).
    const double room = std::max(60.0, width() - 30.0);
    std::vector<QRectF> textRects;
    double w = 0;
    double h = 8;
    for (const ReadoutRow &r : rows) {
        const QRectF t = fm.boundingRect(QRectF(0, 0, room, 1e4), Qt::TextWordWrap, r.text);
        textRects.push_back(t);
        w = std::max(w, t.width());
        h += t.height();
    }
    const QSizeF box(w + 26, h);
    QPointF at = m_mouse + QPointF(14, 10);
    if (at.x() + box.width() > width()) {
        at.setX(m_mouse.x() - 14 - box.width());
    }
    at.setX(std::max(0.0, at.x()));
    at.setY(std::clamp(at.y(), 0.0, std::max(0.0, height() - box.height())));
    const QRectF r(at, box);
    p.setRenderHint(QPainter::Antialiasing, false);
    p.fillRect(r, QColor(255, 255, 255, 235));
    p.setPen(QColor(0x90, 0x90, 0x90));
    p.drawRect(r.adjusted(0, 0, -1, -1));
    double y = r.top() + 4;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        if (rows[i].color.isValid()) {
            p.fillRect(QRectF(r.left() + 5, y + fm.height() / 2 - 2, 12, 4), rows[i].color);
        }
        p.setPen(Qt::black);
        p.drawText(QRectF(r.left() + 21, y, w + 2, textRects[i].height()),
            Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap, rows[i].text);
        y += textRects[i].height();
    }
}

void ChartCanvas::mouseMoveEvent(QMouseEvent *event)
{
    const QPointF pos = event->position();
    if (m_chart->plotArea().contains(pos)) {
        m_mouse = pos;
        Q_EMIT hoverTimeChanged(timeAt(pos.x()));
    } else if (m_mouse.x() >= 0) {
        m_mouse = QPointF(-1, -1);
        Q_EMIT hoverTimeChanged(std::nan(""));
    }
    update();
}

void ChartCanvas::leaveEvent(QEvent *event)
{
    QWidget::leaveEvent(event);
    m_mouse = QPointF(-1, -1);
    Q_EMIT hoverTimeChanged(std::nan(""));
    update();
}

} // namespace poolscope
