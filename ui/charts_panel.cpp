#include "charts_panel.h"

#include <QAreaSeries>
#include <QChart>
#include <QChartView>
#include <QElapsedTimer>
#include <QEvent>
#include <QFontMetricsF>
#include <QGraphicsLayout>
#include <QGraphicsSimpleTextItem>
#include <QHBoxLayout>
#include <QLabel>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QScatterSeries>
#include <QScrollBar>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>
#include <QValueAxis>
#include <algorithm>
#include <cmath>
#include <ctime>

namespace poolscope {

namespace {

// CPU time of the calling thread: frame cost without the time the OS gave other threads.
qint64 threadCpuNs()
{
    timespec ts {};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return qint64(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// A chart view that adds the time its paint takes to a counter, so the panel
// can report real frame times (series update + paint), not just its own work.
class TimedChartView final : public QChartView
{
public:
    TimedChartView(QChart *chart, QWidget *parent, qint64 *paintNs, qint64 *paintCpuNs)
        : QChartView(chart, parent), m_paintNs(paintNs), m_paintCpuNs(paintCpuNs)
    {
    }

protected:
    void paintEvent(QPaintEvent *event) override
    {
        QElapsedTimer t;
        t.start();
        const qint64 cpu0 = threadCpuNs();
        QChartView::paintEvent(event);
        *m_paintNs += t.nsecsElapsed();
        *m_paintCpuNs += threadCpuNs() - cpu0;
    }

private:
    qint64 *m_paintNs;
    qint64 *m_paintCpuNs;
};

// 1, 2, 5 x 10^k at or above x, so axis ranges do not jitter every tick.
double niceCeil(double x)
{
    if (x <= 0) {
        return 1;
    }
    const double mag = std::pow(10.0, std::floor(std::log10(x)));
    for (double m : { 1.0, 2.0, 5.0, 10.0 }) {
        if (m * mag >= x - 1e-9) {
            return m * mag;
        }
    }
    return 10 * mag;
}

// Ticks at round steps for a niceCeil() maximum: 0..20 by 5, 0..5000 by 1000.
int tickCountFor(double max)
{
    const double mag = std::pow(10.0, std::floor(std::log10(max) + 1e-9));
    const double m = max / mag;
    return m < 1.5 ? 6 : (m < 3 ? 5 : 6);
}

// Colour, label and Go name all come from the reason's row in core/pool/close_reason.h.
QColor closeReasonColor(CloseReason r)
{
    return QColor(QRgb(closeReasonInfo(r).rgb));
}

QString closeLegend(CloseReason r)
{
    const CloseReasonInfo &info = closeReasonInfo(r);
    return QStringLiteral("%1 (%2)").arg(
        QString::fromUtf8(info.label), QString::fromUtf8(info.goName));
}

} // namespace

ChartsPanel::ChartsPanel(QWidget *parent) : QWidget(parent), m_history(kHistoryCapacity)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);

    // 1. Connections with the pool's limits.
    ChartParts &conn = m_charts[0];
    conn = makeChart(QStringLiteral("Connections in the pool"), QStringLiteral("connections"));
    addLine(conn, QStringLiteral("open"), QStringLiteral("open (active + idle)"),
        QColor(0x1f, 0x77, 0xb4), Qt::SolidLine, 2.5);
    addLine(conn, QStringLiteral("active"), QStringLiteral("active"), QColor(0x2c, 0xa0, 0x2c));
    addLine(
        conn, QStringLiteral("idle"), QStringLiteral("idle in the pool"), QColor(0xff, 0x7f, 0x0e));
    addLine(conn, QStringLiteral("dialing"), QStringLiteral("dialing"), QColor(0x94, 0x67, 0xbd),
        Qt::SolidLine, 1.5);
    addLine(conn, QStringLiteral("waiting"), QStringLiteral("requests waiting"),
        QColor(0x7f, 0x7f, 0x7f), Qt::SolidLine, 1.5);
    addLine(conn, QStringLiteral("idleCap"), QStringLiteral("idle cap"), QColor(0xd6, 0x27, 0x28),
        Qt::DashLine, 1.5);
    addLine(conn, QStringLiteral("connCap"), QStringLiteral("MaxConnsPerHost"),
        QColor(0x33, 0x33, 0x33), Qt::DashDotLine, 1.5);

    // 2. Dials/s and closes/s stacked by reason.
    ChartParts &dc = m_charts[1];
    dc = makeChart(
        QStringLiteral(
            "Dials and closes per second (closes stacked by reason, Go error in brackets)"),
        QStringLiteral("per second"));
    for (int r = 1; r < kCloseReasonCount; ++r) {
        const auto reason = static_cast<CloseReason>(r);
        auto *upper = new QLineSeries(this);
        auto *lower = new QLineSeries(this);
        auto *area = new QAreaSeries(upper, lower);
        area->setObjectName(QStringLiteral("close:%1").arg(r));
        area->setName(closeLegend(reason));
        const QColor color = closeReasonColor(reason);
        QColor fill = color;
        fill.setAlpha(170);
        area->setBrush(fill);
        area->setPen(QPen(color, 1));
        dc.chart->addSeries(area);
        area->attachAxis(dc.x);
        area->attachAxis(dc.y);
        area->setVisible(false);
        m_closeAreas[static_cast<std::size_t>(r)] = area;
        m_closeUpper[static_cast<std::size_t>(r)] = upper;
        m_closeLower[static_cast<std::size_t>(r)] = lower;
    }
    addLine(dc, QStringLiteral("dials"), QStringLiteral("dials/s"), QColor(0x1f, 0x1f, 0x1f),
        Qt::SolidLine, 2.5);

    // 3. The kernel's view of the same sockets.
    ChartParts &k = m_charts[2];
    k = makeChart(QStringLiteral(
                      "Kernel TCP sockets to the target (TIME_WAIT: closed by us, port held 60 s)"),
        QStringLiteral("sockets"));
    addLine(
        k, QStringLiteral("established"), QStringLiteral("ESTABLISHED"), QColor(0x2c, 0xa0, 0x2c));
    addLine(k, QStringLiteral("timeWait"), QStringLiteral("TIME_WAIT"), QColor(0xd6, 0x27, 0x28),
        Qt::SolidLine, 2.5);
    addLine(k, QStringLiteral("closeWait"), QStringLiteral("CLOSE_WAIT"), QColor(0x8c, 0x56, 0x4b));
    m_kernelNote = new QGraphicsSimpleTextItem(k.chart);
    QFont noteFont = m_kernelNote->font();
    noteFont.setPointSizeF(noteFont.pointSizeF() * 1.1);
    noteFont.setItalic(true);
    m_kernelNote->setFont(noteFont);
    m_kernelNote->setBrush(QColor(0x55, 0x55, 0x55));
    m_kernelNote->setZValue(100);

    // 4. Latency and throughput.
    ChartParts &lat = m_charts[3];
    lat = makeChart(QStringLiteral("Latency and throughput"), QStringLiteral("latency (ms)"));
    lat.y2 = new QValueAxis(lat.chart);
    lat.y2->setTitleText(QStringLiteral("requests/s"));
    lat.y2->setLabelFormat(QStringLiteral("%.0f"));
    lat.chart->addAxis(lat.y2, Qt::AlignRight);
    addLine(lat, QStringLiteral("p50"), QStringLiteral("p50 latency"), QColor(0x2c, 0xa0, 0x2c));
    addLine(lat, QStringLiteral("p99"), QStringLiteral("p99 latency"), QColor(0xd6, 0x27, 0x28));
    addLine(lat, QStringLiteral("rps"), QStringLiteral("req/s (right axis)"),
        QColor(0x1f, 0x77, 0xb4), Qt::SolidLine, 2.0, lat.y2);
    lat.x->setTitleText(QStringLiteral("seconds since start"));

    for (ChartParts &parts : m_charts) {
        for (int i = 0; i < kMarkerSlots; ++i) {
            MarkerSlot slot;
            slot.line = new QLineSeries(this);
            QPen pen(QColor(0x6a, 0x1b, 0x9a), 1.5, Qt::DashLine);
            slot.line->setPen(pen);
            slot.label = new QScatterSeries(this);
            slot.label->setMarkerSize(1);
            slot.label->setColor(Qt::transparent);
            slot.label->setBorderColor(Qt::transparent);
            slot.label->setPointLabelsVisible(true);
            slot.label->setPointLabelsClipping(false);
            slot.label->setPointLabelsColor(QColor(0x4a, 0x14, 0x8c));
            QFont f = slot.label->pointLabelsFont();
            f.setBold(true);
            slot.label->setPointLabelsFont(f);
            for (QXYSeries *s :
                { static_cast<QXYSeries *>(slot.line), static_cast<QXYSeries *>(slot.label) }) {
                s->setObjectName(QStringLiteral("marker"));
                parts.chart->addSeries(s);
                s->attachAxis(parts.x);
                s->attachAxis(parts.y);
                s->setVisible(false);
                for (QLegendMarker *m : parts.chart->legend()->markers(s)) {
                    m->setVisible(false);
                }
            }
            parts.markers.push_back(slot);
        }
        layout->addWidget(parts.view, 1);
        parts.view->viewport()->installEventFilter(this);
    }

    auto *bar = new QHBoxLayout;
    bar->setContentsMargins(6, 0, 6, 2);
    m_pause = new QToolButton(this);
    m_pause->setCheckable(true);
    m_pause->setText(QStringLiteral("Pause charts"));
    m_pause->setToolTip(QStringLiteral(
        "Freeze the charts (the run goes on and is still recorded). While paused, drag the "
        "scroll bar to look back through the last hour."));
    connect(m_pause, &QToolButton::toggled, this, [this](bool on) { setPaused(on); });
    m_scroll = new QScrollBar(Qt::Horizontal, this);
    m_scroll->setToolTip(QStringLiteral("Scroll back through the run (pauses the charts)"));
    connect(m_scroll, &QScrollBar::valueChanged, this, [this](int v) {
        if (m_updatingScroll) {
            return;
        }
        scrollTo(v / 10.0 + kWindowSeconds);
    });
    m_rangeLabel = new QLabel(this);
    m_rangeLabel->setMinimumWidth(180);
    bar->addWidget(m_pause);
    bar->addWidget(m_scroll, 1);
    bar->addWidget(m_rangeLabel);
    layout->addLayout(bar);

    m_timer = new QTimer(this);
    m_timer->setInterval(kRefreshIntervalMs);
    connect(m_timer, &QTimer::timeout, this, &ChartsPanel::onTick);
    m_timer->start();
    refresh();
}

ChartsPanel::~ChartsPanel() = default;

ChartsPanel::ChartParts ChartsPanel::makeChart(const QString &title, const QString &yTitle)
{
    ChartParts p;
    p.chart = new QChart;
    p.chart->setTitle(title);
    QFont tf = p.chart->titleFont();
    tf.setBold(true);
    p.chart->setTitleFont(tf);
    p.chart->setMargins(QMargins(4, 0, 4, 0));
    p.chart->layout()->setContentsMargins(0, 0, 0, 0);
    p.chart->setBackgroundRoundness(0);
    p.chart->legend()->setAlignment(Qt::AlignRight);
    QFont lf = p.chart->legend()->font();
    lf.setPointSizeF(lf.pointSizeF() * 0.85);
    p.chart->legend()->setFont(lf);
    p.chart->legend()->setShowToolTips(true);
    p.x = new QValueAxis(p.chart);
    p.x->setRange(0, kWindowSeconds);
    p.x->setLabelFormat(QStringLiteral("%.0f"));
    p.x->setTickCount(7);
    p.y = new QValueAxis(p.chart);
    p.y->setTitleText(yTitle);
    p.y->setLabelFormat(QStringLiteral("%.0f"));
    p.y->setRange(0, 5);
    p.chart->addAxis(p.x, Qt::AlignBottom);
    p.chart->addAxis(p.y, Qt::AlignLeft);
    p.view = new TimedChartView(p.chart, this, &m_paintNs, &m_paintCpuNs);
    p.view->setRenderHint(QPainter::Antialiasing);
    p.view->setMinimumHeight(150);
    return p;
}

QLineSeries *ChartsPanel::addLine(ChartParts &parts, const QString &objectName,
    const QString &legend, const QColor &color, Qt::PenStyle style, qreal width, QValueAxis *yAxis)
{
    auto *s = new QLineSeries(this);
    s->setObjectName(objectName);
    s->setName(legend);
    s->setPen(QPen(color, width, style));
    parts.chart->addSeries(s);
    s->attachAxis(parts.x);
    s->attachAxis(yAxis ? yAxis : parts.y);
    m_lines.push_back(s);
    return s;
}

QChart *ChartsPanel::chart(Chart c) const
{
    return m_charts[static_cast<std::size_t>(c)].chart;
}

QChartView *ChartsPanel::chartView(Chart c) const
{
    return m_charts[static_cast<std::size_t>(c)].view;
}

QXYSeries *ChartsPanel::series(const QString &name) const
{
    for (QLineSeries *s : m_lines) {
        if (s->objectName() == name) {
            return s;
        }
    }
    return nullptr;
}

QAreaSeries *ChartsPanel::closeArea(CloseReason reason) const
{
    return m_closeAreas[static_cast<std::size_t>(reason)];
}

QString ChartsPanel::kernelNote() const
{
    return m_kernelNote->isVisible() ? m_kernelNote->text() : QString();
}

void ChartsPanel::addSnapshot(const EngineSnapshot &snapshot)
{
    if (m_history.add(snapshot, m_idleCap, m_connCap)) {
        m_markers.clear(); // a new run: old markers belong to the old timeline
    }
    if (!snapshot.kernel.available) {
        m_kernelNote->setText(snapshot.kernel.unavailableReason.isEmpty()
                ? QStringLiteral("Waiting for the kernel view: the engine has not reported kernel "
                                 "socket counts yet.")
                : QStringLiteral("Kernel view unavailable: %1")
                      .arg(snapshot.kernel.unavailableReason));
    } else {
        m_kernelNote->setText(QString());
    }
    m_dirty = true;
}

void ChartsPanel::setLimits(int effectiveIdleCap, int maxConnsPerHost)
{
    m_idleCap = effectiveIdleCap;
    m_connCap = maxConnsPerHost;
    m_dirty = true;
}

void ChartsPanel::addMarker(const QString &label)
{
    addMarkerAt(m_history.empty() ? 0.0 : m_history.latest().t, label);
}

void ChartsPanel::addMarkerAt(double seconds, const QString &label)
{
    m_markers.push({ seconds, label });
    m_dirty = true;
}

void ChartsPanel::clear()
{
    m_history.clear();
    m_markers.clear();
    m_kernelNote->setText(QString());
    m_viewEnd = kWindowSeconds;
    m_dirty = true;
    refresh();
}

void ChartsPanel::setPaused(bool paused)
{
    if (paused == m_paused) {
        return;
    }
    m_paused = paused;
    if (paused) {
        m_viewEnd
            = m_history.empty() ? kWindowSeconds : std::max(m_history.latest().t, kWindowSeconds);
    }
    {
        const QSignalBlocker block(m_pause);
        m_pause->setChecked(paused);
    }
    m_pause->setText(paused ? QStringLiteral("Resume live") : QStringLiteral("Pause charts"));
    m_dirty = true;
    refresh();
    Q_EMIT pausedChanged(paused);
}

void ChartsPanel::scrollTo(double seconds)
{
    if (!m_paused) {
        setPaused(true);
    }
    m_viewEnd = std::max(seconds, kWindowSeconds);
    m_dirty = true;
    refresh();
}

void ChartsPanel::onTick()
{
    // Close the previous frame: its series update plus every paint it caused.
    if (m_frameOpen) {
        m_frameTimes.record(std::chrono::nanoseconds(m_refreshNs + m_paintNs));
        m_frameCpuTimes.record(std::chrono::nanoseconds(m_refreshCpuNs + m_paintCpuNs));
        m_frameOpen = false;
    }
    if (m_dirty) {
        m_paintNs = 0;
        m_paintCpuNs = 0;
        QElapsedTimer t;
        t.start();
        const qint64 cpu0 = threadCpuNs();
        refresh();
        m_refreshNs = t.nsecsElapsed();
        m_refreshCpuNs = threadCpuNs() - cpu0;
        m_frameOpen = true;
    }
}

void ChartsPanel::refresh()
{
    m_dirty = false;
    const bool haveData = !m_history.empty();
    double end = kWindowSeconds;
    if (m_paused) {
        end = m_viewEnd;
    } else if (haveData) {
        end = std::max(m_history.latest().t, kWindowSeconds);
    }
    const double start = end - kWindowSeconds;
    m_windowStart = start;

    // Samples in [start, end], plus the one just before so lines reach the left edge.
    std::size_t first = m_history.lowerBound(start);
    if (first > 0) {
        --first;
    }
    const std::size_t last = m_history.lowerBound(end + 1e-9);
    const std::size_t count = last > first ? last - first : 0;
    const std::size_t stride
        = std::max<std::size_t>(1, (count + kMaxPointsPerSeries - 1) / kMaxPointsPerSeries);

    struct Track
    {
        const char *name;
        double (*get)(const ChartSample &);
        QList<QPointF> points;
        double max = 0;
    };
    std::vector<Track> tracks = {
        { "open", [](const ChartSample &s) { return double(s.open); }, {}, 0 },
        { "active", [](const ChartSample &s) { return double(s.active); }, {}, 0 },
        { "idle", [](const ChartSample &s) { return double(s.idle); }, {}, 0 },
        { "dialing", [](const ChartSample &s) { return double(s.dialing); }, {}, 0 },
        { "waiting", [](const ChartSample &s) { return double(s.waiting); }, {}, 0 },
        { "idleCap", [](const ChartSample &s) { return double(s.idleCap); }, {}, 0 },
        { "dials", [](const ChartSample &s) { return double(s.dialsPerSec); }, {}, 0 },
        { "established", [](const ChartSample &s) { return double(s.established); }, {}, 0 },
        { "timeWait", [](const ChartSample &s) { return double(s.timeWait); }, {}, 0 },
        { "closeWait", [](const ChartSample &s) { return double(s.closeWait); }, {}, 0 },
        { "p50", [](const ChartSample &s) { return double(s.p50Ms); }, {}, 0 },
        { "p99", [](const ChartSample &s) { return double(s.p99Ms); }, {}, 0 },
        { "rps", [](const ChartSample &s) { return double(s.requestsPerSec); }, {}, 0 },
    };
    for (Track &tr : tracks) {
        tr.points.reserve(static_cast<qsizetype>(count / stride + 2));
    }
    // MaxConnsPerHost is drawn only over the trailing stretch where it is set.
    QList<QPointF> connCap;
    std::array<QList<QPointF>, kCloseReasonCount> closes;
    std::array<double, kCloseReasonCount> closeMax {};
    std::vector<std::size_t> indices;
    for (std::size_t i = first; i < last; i += stride) {
        indices.push_back(i);
    }
    if (count > 0 && indices.back() != last - 1) {
        indices.push_back(last - 1); // always draw the newest sample
    }
    for (std::size_t i : indices) {
        const ChartSample &s = m_history.at(i);
        for (Track &tr : tracks) {
            const double v = tr.get(s);
            tr.points.append(QPointF(s.t, v));
            tr.max = std::max(tr.max, v);
        }
        if (s.connCap > 0) {
            connCap.append(QPointF(s.t, s.connCap));
        } else {
            connCap.clear();
        }
        for (int r = 1; r < kCloseReasonCount; ++r) {
            const auto ri = static_cast<std::size_t>(r);
            closeMax[ri] = std::max(closeMax[ri], double(s.closesPerSec[ri]));
        }
    }
    if (!haveData) {
        // Before a run, show the limits that will apply.
        tracks[5].points = { QPointF(start, m_idleCap), QPointF(end, m_idleCap) };
        tracks[5].max = m_idleCap;
        if (m_connCap > 0) {
            connCap = { QPointF(start, m_connCap), QPointF(end, m_connCap) };
        }
    }

    // Stack the closes of the reasons seen in the window, in enum order.
    double closeTop = 0;
    {
        std::vector<double> base(indices.size(), 0.0);
        for (int r = 1; r < kCloseReasonCount; ++r) {
            const auto ri = static_cast<std::size_t>(r);
            const bool visible = closeMax[ri] > 0;
            QAreaSeries *area = m_closeAreas[ri];
            if (!visible) {
                if (area->isVisible()) {
                    area->setVisible(false);
                }
                continue;
            }
            QList<QPointF> upper;
            QList<QPointF> lower;
            upper.reserve(static_cast<qsizetype>(indices.size()));
            lower.reserve(static_cast<qsizetype>(indices.size()));
            for (std::size_t j = 0; j < indices.size(); ++j) {
                const ChartSample &s = m_history.at(indices[j]);
                lower.append(QPointF(s.t, base[j]));
                base[j] += s.closesPerSec[ri];
                upper.append(QPointF(s.t, base[j]));
                closeTop = std::max(closeTop, base[j]);
            }
            m_closeLower[ri]->replace(lower);
            m_closeUpper[ri]->replace(upper);
            if (!area->isVisible()) {
                area->setVisible(true);
            }
        }
    }

    for (Track &tr : tracks) {
        if (QXYSeries *s = series(QString::fromLatin1(tr.name))) {
            s->replace(tr.points);
        }
    }
    QXYSeries *connCapSeries = series(QStringLiteral("connCap"));
    connCapSeries->replace(connCap);
    connCapSeries->setVisible(!connCap.isEmpty());
    const int idleCapNow = haveData ? m_history.latest().idleCap : m_idleCap;
    const int connCapNow = haveData ? m_history.latest().connCap : m_connCap;
    series(QStringLiteral("idleCap"))
        ->setName(QStringLiteral("idle cap %1 (MaxIdleConnsPerHost)").arg(idleCapNow));
    connCapSeries->setName(QStringLiteral("MaxConnsPerHost %1").arg(connCapNow));

    const auto trackMax = [&tracks](const char *name) {
        for (const Track &tr : tracks) {
            if (qstrcmp(tr.name, name) == 0) {
                return tr.max;
            }
        }
        return 0.0;
    };
    double connMax = 0;
    for (const char *n : { "open", "active", "idle", "dialing", "waiting", "idleCap" }) {
        connMax = std::max(connMax, trackMax(n));
    }
    for (const QPointF &p : connCap) {
        connMax = std::max(connMax, p.y());
    }

    const std::array<double, kChartCount> yMax = {
        niceCeil(std::max(5.0, connMax * 1.15)),
        niceCeil(std::max(5.0, std::max(closeTop, trackMax("dials")) * 1.15)),
        niceCeil(std::max(5.0,
            std::max({ trackMax("established"), trackMax("timeWait"), trackMax("closeWait") })
                * 1.15)),
        niceCeil(std::max(1.0, std::max(trackMax("p50"), trackMax("p99")) * 1.15)),
    };
    for (std::size_t c = 0; c < m_charts.size(); ++c) {
        ChartParts &parts = m_charts[c];
        parts.x->setRange(start, end);
        parts.y->setRange(0, yMax[c]);
        parts.y->setTickCount(tickCountFor(yMax[c]));
        drawMarkers(parts);
    }
    m_charts[3].y->setLabelFormat(yMax[3] < 5 ? QStringLiteral("%.1f") : QStringLiteral("%.0f"));
    const double rpsMax = niceCeil(std::max(10.0, trackMax("rps") * 1.15));
    m_charts[3].y2->setRange(0, rpsMax);
    m_charts[3].y2->setTickCount(tickCountFor(rpsMax));

    // The kernel chart explains itself when it has nothing to show.
    QString note = m_kernelNote->text();
    if (!haveData) {
        note = QStringLiteral("Kernel socket counts appear here once a run starts.");
        m_kernelNote->setText(note);
    }
    const bool showNote = !note.isEmpty() && !(haveData && m_history.latest().kernelAvailable);
    m_kernelNote->setVisible(showNote);
    if (showNote) {
        const QRectF plot = m_charts[2].chart->plotArea();
        const QRectF text = m_kernelNote->boundingRect();
        m_kernelNote->setPos(
            plot.center().x() - text.width() / 2, plot.center().y() - text.height() / 2);
    }

    alignPlotAreas();
    updateScrollBar();
    QString range = QStringLiteral("%1 %2–%3 s")
                        .arg(m_paused ? QStringLiteral("paused at") : QStringLiteral("live:"))
                        .arg(start, 0, 'f', 0)
                        .arg(end, 0, 'f', 0);
    if (m_history.dropped() > 0) {
        // The ring keeps the newest kHistoryCapacity samples: say what scrolled out for good.
        range += QStringLiteral(" (history from %1 s: %2 older samples dropped)")
                     .arg(m_history.at(0).t, 0, 'f', 0)
                     .arg(m_history.dropped());
    }
    m_rangeLabel->setText(range);
}

void ChartsPanel::drawMarkers(ChartParts &parts)
{
    const double start = parts.x->min();
    const double end = parts.x->max();
    const double top = parts.y->max();
    // Newest markers inside the window, at most kMarkerSlots.
    std::vector<const Marker *> visible;
    for (std::size_t i = m_markers.size(); i-- > 0 && visible.size() < parts.markers.size();) {
        if (m_markers[i].t >= start && m_markers[i].t <= end) {
            visible.push_back(&m_markers[i]);
        }
    }
    std::reverse(visible.begin(), visible.end());
    for (std::size_t i = 0; i < parts.markers.size(); ++i) {
        MarkerSlot &slot = parts.markers[i];
        if (i >= visible.size()) {
            if (slot.line->isVisible()) {
                slot.line->setVisible(false);
                slot.label->setVisible(false);
            }
            continue;
        }
        const Marker &m = *visible[i];
        // Alternate label heights so neighbouring markers do not overprint.
        const double labelY = top * (i % 2 == 0 ? 0.86 : 0.66);
        // "@" starts a placeholder in point label formats; markers never need one.
        QString text = m.label;
        text.replace(u'@', u'＠');
        // Point labels are centred on their point: anchor the (invisible) point
        // half a label away from the line, on the side with room, so the text
        // starts at the line and never runs into the axis.
        const double plotWidth = std::max(1.0, parts.chart->plotArea().width());
        const double secondsPerPixel = (end - start) / plotWidth;
        const double half
            = (QFontMetricsF(slot.label->pointLabelsFont()).horizontalAdvance(text) / 2 + 6)
            * secondsPerPixel;
        const bool rightSide = m.t + 2 * half <= end || m.t - 2 * half < start;
        const double labelX = rightSide ? m.t + half : m.t - half;
        slot.line->replace({ QPointF(m.t, 0), QPointF(m.t, top) });
        slot.label->replace({ QPointF(labelX, labelY) });
        slot.label->setPointLabelsFormat(text);
        slot.label->setName(m.label);
        slot.line->setVisible(true);
        slot.label->setVisible(true);
        for (QLegendMarker *lm : parts.chart->legend()->markers(slot.line)) {
            lm->setVisible(false);
        }
        for (QLegendMarker *lm : parts.chart->legend()->markers(slot.label)) {
            lm->setVisible(false);
        }
    }
}

QStringList ChartsPanel::visibleMarkerLabels(Chart c) const
{
    QStringList out;
    for (const MarkerSlot &slot : m_charts[static_cast<std::size_t>(c)].markers) {
        if (slot.label->isVisible()) {
            out << slot.label->name();
        }
    }
    return out;
}

bool ChartsPanel::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() == QEvent::Resize) {
        for (const ChartParts &parts : m_charts) {
            if (parts.view->viewport() == watched) {
                // The charts re-layout after this event; align once they have.
                QTimer::singleShot(0, this, [this] { alignPlotAreas(); });
                break;
            }
        }
    }
    return QWidget::eventFilter(watched, event);
}

void ChartsPanel::alignPlotAreas()
{
    // Charts lay themselves out (legends and axis labels differ in width), so
    // widen each chart's margins by what it lacks compared with the others.
    // The chart's natural plot edges are its current ones minus the extra
    // margins already applied, so this converges after one layout pass.
    constexpr int kBaseMargin = 4;
    std::array<double, kChartCount> naturalLeft {};
    std::array<double, kChartCount> naturalRight {};
    double left = 0;
    double right = 1e9;
    for (std::size_t c = 0; c < m_charts.size(); ++c) {
        const QChart *chart = m_charts[c].chart;
        const QRectF plot = chart->plotArea();
        if (plot.width() <= 0) {
            return; // not laid out yet
        }
        const QMargins m = chart->margins();
        naturalLeft[c] = plot.left() - (m.left() - kBaseMargin);
        naturalRight[c] = plot.right() + (m.right() - kBaseMargin);
        left = std::max(left, naturalLeft[c]);
        right = std::min(right, naturalRight[c]);
    }
    for (std::size_t c = 0; c < m_charts.size(); ++c) {
        QChart *chart = m_charts[c].chart;
        const QMargins wanted(kBaseMargin + static_cast<int>(std::lround(left - naturalLeft[c])), 0,
            kBaseMargin + static_cast<int>(std::lround(naturalRight[c] - right)), 0);
        if (chart->margins() != wanted) {
            chart->setMargins(wanted);
        }
    }
}

void ChartsPanel::updateScrollBar()
{
    m_updatingScroll = true;
    const double latest
        = m_history.empty() ? kWindowSeconds : std::max(m_history.latest().t, kWindowSeconds);
    const double oldest = m_history.empty() ? 0 : m_history.at(0).t;
    m_scroll->setRange(
        static_cast<int>(oldest * 10), static_cast<int>((latest - kWindowSeconds) * 10));
    m_scroll->setPageStep(static_cast<int>(kWindowSeconds * 10));
    m_scroll->setSingleStep(10);
    m_scroll->setValue(static_cast<int>((m_windowStart)*10));
    m_updatingScroll = false;
}

} // namespace poolscope
