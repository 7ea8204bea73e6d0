#include "charts_panel.h"

#include "chart_legend.h"
#include "chart_palette.h"
#include "close_reason_text.h"
#include "load/derived_figures.h"

#include <QAbstractButton>
#include <QAreaSeries>
#include <QChart>
#include <QComboBox>
#include <QElapsedTimer>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineSeries>
#include <QScrollArea>
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

using namespace chart_palette;
using Trace = ChartCanvas::Trace;

qint64 threadCpuNs()
{
    timespec ts {};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return qint64(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

std::size_t idx(ChartsPanel::Chart c)
{
    return static_cast<std::size_t>(c);
}

// The connections chart's HTTP/2 stream series (addStreamSeries).
constexpr const char *kStreamKeys[] = { "h2Streams", "h2MaxPerConn", "h2MeanPerConn", "h2Waiting" };

QString closeKey(CloseReason r)
{
    return QStringLiteral("close:%1").arg(QString::fromUtf8(closeReasonInfo(r).key));
}

// "label (goName)": the legend teaches the Go error when it is a single name.
QString closeLegend(CloseReason r)
{
    const CloseReasonInfo &info = closeReasonInfo(r);
    const QString go = QString::fromUtf8(info.goName);
    const QString label = closeReasonText(r);
    return go.isEmpty() || go.contains(u' ') ? label : QStringLiteral("%1 (%2)").arg(label, go);
}

Trace line(const QString &key, const QString &name, QRgb color, qreal width = 2.0,
    Qt::PenStyle style = Qt::SolidLine)
{
    Trace t;
    t.key = key;
    t.name = name;
    t.color = QColor(color);
    t.width = width;
    t.style = style;
    return t;
}

// Points of one series from the chart points that have a value (`has`); a
// point after one without starts a new segment, so a gap is drawn as a gap.
template<typename Get, typename Has>
void fillTrace(Trace &tr, const std::vector<ChartPoint> &points, Get get, Has has)
{
    tr.points.clear();
    tr.breaks.clear();
    tr.points.reserve(static_cast<qsizetype>(points.size()));
    bool gap = false;
    for (const ChartPoint &p : points) {
        if (!has(p)) {
            gap = true;
            continue;
        }
        if (gap && !tr.points.isEmpty()) {
            tr.breaks.push_back(tr.points.size());
        }
        gap = false;
        tr.points.append(QPointF(p.t, get(p)));
    }
}

template<typename Get>
void fillTrace(Trace &tr, const std::vector<ChartPoint> &points, Get get)
{
    fillTrace(tr, points, get, [](const ChartPoint &) { return true; });
}

double visibleMax(const Trace &tr)
{
    double m = 0;
    if (tr.on && tr.shown) {
        for (const QPointF &p : tr.points) {
            m = std::max(m, p.y());
        }
    }
    return m;
}

struct NiceScale
{
    double top = 1;
    int intervals = 1;
    int decimals = 0;
};

int decimalsFor(double step)
{
    if (step >= 1) {
        return std::fmod(step, 1.0) == 0 ? 0 : 1;
    }
    // 0.5 -> 1, 0.25 -> 2, 0.05 -> 2
    for (int d = 1; d < 6; ++d) {
        const double scaled = step * std::pow(10.0, d);
        if (std::abs(scaled - std::round(scaled)) < 1e-6) {
            return d;
        }
    }
    return 6;
}

// The lowest top that covers value in at most maxIntervals steps of 1, 1.5, 2, 2.5,
// 3, 4, 5, 6 or 8 x 10^k (a short chart has few intervals, and 1-2-5 alone would
// waste up to half of it); for equal tops a round step (1, 2, 2.5, 5) wins, then
// the finer one. Integer steps only for counts. At least two intervals where the
// chart has room for them: an axis labelled only 0 and its top reads no value.
NiceScale niceScale(double value, int maxIntervals, bool integers)
{
    value = std::max(value, integers ? 1.0 : 0.01);
    const int minIntervals = std::min(2, maxIntervals);
    NiceScale best { 0, 0, 0 };
    bool bestRound = false;
    double mag = std::pow(10.0, std::floor(std::log10(value / maxIntervals)));
    for (int decade = 0; decade < 3; ++decade, mag *= 10) {
        for (double m : { 1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0 }) {
            const double step = m * mag;
            if (integers && (step < 1 || std::fmod(step, 1.0) != 0)) {
                continue;
            }
            const int n = std::max(minIntervals, static_cast<int>(std::ceil(value / step - 1e-9)));
            if (n > maxIntervals) {
                continue;
            }
            const double top = n * step;
            const bool round = m == 1.0 || m == 2.0 || m == 2.5 || m == 5.0;
            const bool lower = best.intervals == 0 || top < best.top - 1e-9;
            if (lower || (std::abs(top - best.top) < 1e-9 && round && !bestRound)) {
                best = { top, n, decimalsFor(step) };
                bestRound = round;
            }
        }
    }
    return best.intervals > 0 ? best : NiceScale { value, 1, 0 };
}

} // namespace

ChartsPanel::ChartsPanel(QWidget *parent) : QWidget(parent), m_history(kHistoryCapacity)
{
    m_closeTraces.fill(-1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);

    // Too short for four readable charts: scroll rather than squash them.
    m_scrollArea = new QScrollArea(this);
    m_scrollArea->setFrameShape(QFrame::NoFrame);
    m_scrollArea->setWidgetResizable(true);
    m_scrollArea->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    auto *inner = new QWidget;
    inner->setAutoFillBackground(true);
    inner->setBackgroundRole(QPalette::Base);
    auto *v = new QVBoxLayout(inner);
    v->setContentsMargins(0, 0, 0, 0);
    v->setSpacing(0);
    buildConnectionsChart(inner);
    buildDialsChart(inner);
    buildKernelChart(inner);
    buildLatencyChart(inner);
    for (const Part &p : m_parts) {
        v->addWidget(p.legend);
        v->addWidget(p.canvas, 1);
    }
    m_scrollArea->setWidget(inner);
    layout->addWidget(m_scrollArea, 1);
    layout->addWidget(buildBar());

    m_timer = new QTimer(this);
    m_timer->setInterval(kRefreshIntervalMs);
    connect(m_timer, &QTimer::timeout, this, &ChartsPanel::onTick);
    m_timer->start();
    refresh();
}

ChartsPanel::~ChartsPanel() = default;

ChartsPanel::Part ChartsPanel::makePart(
    QWidget *parent, const QStringList &titles, const QString &toolTip)
{
    Part p;
    p.legend = new ChartLegend(parent);
    p.legend->setTitles(titles, toolTip);
    p.canvas = new ChartCanvas(&m_paintNs, &m_paintCpuNs, parent);
    p.canvas->setBeforePaint([this] { prepareFrame(); });
    connect(p.canvas, &ChartCanvas::resized, this, [this] {
        m_layoutDirty = true;
        m_dirty = true;
    });
    connect(p.canvas, &ChartCanvas::hoverTimeChanged, this, [this](double t) {
        for (const Part &other : m_parts) {
            other.canvas->setHoverTime(t);
        }
    });
    return p;
}

int ChartsPanel::addSeries(
    Chart c, const Trace &trace, const QString &legendText, const QString &toolTip)
{
    Part &part = m_parts[idx(c)];
    const int i = part.canvas->addTrace(trace);
    part.legend->addEntry(trace.key, legendText, toolTip, { trace.color, trace.style, trace.area });
    if (!trace.area) {
        auto *s = new QLineSeries(this);
        s->setObjectName(trace.key);
        s->setName(trace.name);
        m_series.insert(trace.key, s);
    }
    return i;
}

void ChartsPanel::onLegendToggled(Chart c, const QString &key, bool on)
{
    ChartCanvas *cv = m_parts[idx(c)].canvas;
    const int i = cv->traceIndex(key);
    if (i < 0) {
        return;
    }
    cv->trace(i).on = on;
    refresh();
}

} // namespace poolscope

namespace poolscope {

void ChartsPanel::buildConnectionsChart(QWidget *parent)
{
    const Chart c = Chart::Connections;
    m_parts[idx(c)] = makePart(parent,
        { tr("Connections in the pool (1 s means)"), tr("Connections in the pool"),
            tr("Connections") },
        tr("Connections to the target, each point the mean of the last second of 10 Hz "
           "samples. The dashed lines are the pool's limits, drawn over the data."));
    connect(m_parts[idx(c)].legend, &ChartLegend::toggled, this,
        [this, c](const QString &key, bool on) { onLegendToggled(c, key, on); });
    addSeries(c, line(QStringLiteral("open"), tr("open"), kBlue, 2.5), tr("open"),
        tr("Connections open to the target: active plus idle"));
    addSeries(c, line(QStringLiteral("active"), tr("active"), kGreen), tr("active"),
        tr("Connections carrying a request"));
    addSeries(c, line(QStringLiteral("idle"), tr("idle"), kOrange), tr("idle"),
        tr("Idle connections kept in the pool for the next request"));
    addSeries(c, line(QStringLiteral("dialing"), tr("dialing"), kPurple, 1.5), tr("dialing"),
        tr("Connections being dialed (TCP connect and TLS handshake)"));
    addSeries(c, line(QStringLiteral("waiting"), tr("waiting"), kPink, 1.5), tr("waiting"),
        tr("Requests waiting for a connection (MaxConnsPerHost reached, or a dial in flight)"));
    addStreamSeries();
    Trace cap = line(
        QStringLiteral("idleCap"), tr("idle cap (MaxIdleConnsPerHost)"), kRed, 2, Qt::DashLine);
    cap.onTop = true;
    addSeries(c, cap, tr("idle cap %1").arg(m_idleCap),
        tr("MaxIdleConnsPerHost in force (0 means Go's default of 2): a connection returned "
           "while this many are idle is closed (errTooManyIdleHost). Not drawn on a run whose "
           "connections are all HTTP/2: Go's h2 pool has no idle cap"));
    Trace connCap
        = line(QStringLiteral("connCap"), tr("MaxConnsPerHost"), kInk, 2, Qt::DashDotLine);
    connCap.onTop = true;
    addSeries(c, connCap, tr("MaxConnsPerHost"),
        tr("MaxConnsPerHost: at most this many connections, dialing included; more requests "
           "wait (0 = unlimited, not drawn)"));
    m_parts[idx(c)].legend->setEntryShown(QStringLiteral("connCap"), false);
}

// HTTP/2 streams on the connections chart; their legend entries show only once an h2
// connection existed in the run (fillConnections), so HTTP/1.1 runs look as before.
void ChartsPanel::addStreamSeries()
{
    const Chart c = Chart::Connections;
    addSeries(c, line(QStringLiteral("h2Streams"), tr("h2 streams"), kCyan, 2.5), tr("h2 streams"),
        tr("HTTP/2 streams open, all connections together: each request in flight is one "
           "stream, and many share one connection"));
    addSeries(c,
        line(QStringLiteral("h2MaxPerConn"), tr("streams/conn max"), kBrown, 1.5, Qt::DashLine),
        tr("streams/conn max"),
        tr("Streams on the busiest HTTP/2 connection. Go opens a stream on a connection "
           "while streams + 1 stay within the server's SETTINGS_MAX_CONCURRENT_STREAMS "
           "(CanTakeNewRequest; 100 until the server's SETTINGS arrive)"));
    Trace mean
        = line(QStringLiteral("h2MeanPerConn"), tr("streams/conn mean"), kBrown, 1.5, Qt::DotLine);
    mean.decimals = 1;
    addSeries(c, mean, tr("streams/conn mean"),
        tr("Streams per open HTTP/2 connection, on average over the connections"));
    addSeries(c,
        line(QStringLiteral("h2Waiting"), tr("waiting for a stream"), kPink, 1.5, Qt::DashLine),
        tr("waiting for a stream"),
        tr("Requests waiting for a stream slot: with StrictMaxConcurrentStreams queued on a "
           "connection at the server's limit; without it, every connection was at the limit "
           "and they wait for the dial of another one"));
    for (const char *key : kStreamKeys) {
        const QString k = QString::fromLatin1(key);
        canvas(c)->trace(canvas(c)->traceIndex(k)).shown = false;
        m_parts[idx(c)].legend->setEntryShown(k, false);
    }
}

void ChartsPanel::buildDialsChart(QWidget *parent)
{
    const Chart c = Chart::DialsCloses;
    m_parts[idx(c)] = makePart(parent,
        { tr("Dials and closes per second, closes stacked by reason"),
            tr("Dials and closes per second"), tr("Dials, closes /s") },
        tr("New connections per second (line) and closed connections per second, stacked by "
           "the reason Go closes them (the Go error is in each entry's tooltip)."));
    connect(m_parts[idx(c)].legend, &ChartLegend::toggled, this,
        [this, c](const QString &key, bool on) { onLegendToggled(c, key, on); });
    for (int r = 1; r < kCloseReasonCount; ++r) {
        const auto reason = static_cast<CloseReason>(r);
        const CloseReasonInfo &info = closeReasonInfo(reason);
        Trace t;
        t.key = closeKey(reason);
        t.name = closeReasonText(reason);
        t.color = QColor(QRgb(0xff000000 | info.rgb));
        t.area = true;
        t.shown = false;
        t.decimals = 1;
        t.unit = tr("/s");
        m_closeTraces[static_cast<std::size_t>(r)] = addSeries(c, t, closeLegend(reason),
            tr("Closes per second: %1 (Go: %2)")
                .arg(closeReasonText(reason), QString::fromUtf8(info.goName)));
        m_parts[idx(c)].legend->setEntryShown(t.key, false);
        auto *upper = new QLineSeries(this);
        auto *lower = new QLineSeries(this);
        auto *area = new QAreaSeries(upper, lower);
        area->setParent(this);
        area->setObjectName(t.key);
        area->setName(
            QStringLiteral("%1 (%2)").arg(closeReasonText(reason), QString::fromUtf8(info.goName)));
        area->setVisible(false);
        m_closeAreas[static_cast<std::size_t>(r)] = area;
    }
    Trace dials = line(QStringLiteral("dials"), tr("dials"), kInk, 2.5);
    dials.decimals = 1;
    dials.unit = tr("/s");
    addSeries(c, dials, tr("dials/s"), tr("New connections dialed per second"));
}

void ChartsPanel::buildKernelChart(QWidget *parent)
{
    const Chart c = Chart::Kernel;
    m_parts[idx(c)] = makePart(parent,
        { tr("Kernel TCP sockets to the target (TIME_WAIT: closed by us, port held 60 s)"),
            tr("Kernel TCP sockets (TIME_WAIT: closed by us)"), tr("Kernel TCP sockets"),
            tr("Kernel") },
        tr("What the kernel reports for this process's sockets to the target (sock_diag). "
           "A socket in TIME_WAIT was closed by our side first and holds its local port "
           "for 60 s."));
    connect(m_parts[idx(c)].legend, &ChartLegend::toggled, this,
        [this, c](const QString &key, bool on) { onLegendToggled(c, key, on); });
    addSeries(c, line(QStringLiteral("established"), tr("ESTABLISHED"), kGreen), tr("ESTABLISHED"),
        tr("Open TCP connections"));
    addSeries(c, line(QStringLiteral("timeWait"), tr("TIME_WAIT"), kRed, 2.5), tr("TIME_WAIT"),
        tr("Closed by us first: the socket keeps its port for 60 s"));
    addSeries(c, line(QStringLiteral("closeWait"), tr("CLOSE_WAIT"), kBrown), tr("CLOSE_WAIT"),
        tr("Closed by the server, not yet by us"));
    // The target's end, when it runs on this machine: who closes first holds the TIME_WAIT.
    addSeries(c,
        line(QStringLiteral("serverTimeWait"), tr("server TIME_WAIT"), kPink, 2.5, Qt::DashLine),
        tr("server TIME_WAIT"),
        tr("The target's end of the same connections in TIME_WAIT: the server closed first "
           "(Connection: close, keep-alives disabled). Counted when the target runs on this "
           "machine."));
    addSeries(c,
        line(
            QStringLiteral("serverCloseWait"), tr("server CLOSE_WAIT"), kOrange, 1.5, Qt::DashLine),
        tr("server CLOSE_WAIT"), tr("The target's end: closed by us, not yet by the server"));
}

void ChartsPanel::buildLatencyChart(QWidget *parent)
{
    const Chart c = Chart::Latency;
    m_parts[idx(c)] = makePart(parent,
        { tr("Latency of completed responses (ms) and throughput (req/s, right)"),
            tr("Latency (ms) and throughput (req/s)"), tr("Latency and throughput"),
            tr("Latency") },
        tr("p50 and p99 of the responses that completed, in milliseconds (left axis); "
           "nothing is drawn where none completed. On the right axis: successful requests per "
           "second (throughput) and, dashed, every attempt per second, failed ones included."));
    connect(m_parts[idx(c)].legend, &ChartLegend::toggled, this,
        [this, c](const QString &key, bool on) { onLegendToggled(c, key, on); });
    m_parts[idx(c)].canvas->addRightAxis();
    for (const auto &[key, color] : { std::pair { "p50", kGreen }, std::pair { "p99", kRed } }) {
        Trace t = line(QString::fromLatin1(key), QString::fromLatin1(key), color);
        t.decimals = 2;
        t.unit = tr(" ms");
        addSeries(c, t, QString::fromLatin1(key),
            tr("%1 latency of the responses completed in each second").arg(t.name));
    }
    Trace rps = line(QStringLiteral("rps"), tr("req/s"), kBlue);
    rps.rightAxis = true;
    addSeries(c, rps, tr("req/s (right)"),
        tr("Throughput: requests that succeeded, per second (right axis). A failed request "
           "is an attempt, never throughput."));
    Trace attempts = line(QStringLiteral("attempts"), tr("attempts/s"), kGrey, 1.5, Qt::DashLine);
    attempts.rightAxis = true;
    addSeries(c, attempts, tr("attempts/s"),
        tr("Requests finished per second, failed ones included (right axis): far above req/s "
           "when most requests fail"));
}

QWidget *ChartsPanel::buildBar()
{
    auto *bar = new QWidget(this);
    auto *h = new QHBoxLayout(bar);
    h->setContentsMargins(6, 2, 6, 2);
    m_pause = new QToolButton(bar);
    m_pause->setCheckable(true);
    m_pause->setText(tr("Pause charts"));
    m_pause->setToolTip(
        tr("Freeze the charts (the run goes on and is still recorded). While paused, drag the "
           "scroll bar to look back through the last hour."));
    connect(m_pause, &QToolButton::toggled, this, [this](bool on) { setPaused(on); });
    m_spanBox = new QComboBox(bar);
    m_spanBox->addItems(
        { tr("last minute"), tr("last 5 minutes"), tr("last 15 minutes"), tr("whole run") });
    m_spanBox->setToolTip(tr("How much of the run the charts show. The whole run is what the "
                             "history holds: the last hour at 10 Hz."));
    connect(m_spanBox, &QComboBox::currentIndexChanged, this,
        [this](int i) { setSpan(static_cast<Span>(i)); });
    m_scroll = new QScrollBar(Qt::Horizontal, bar);
    m_scroll->setToolTip(tr("Scroll back through the run (pauses the charts)"));
    connect(m_scroll, &QScrollBar::valueChanged, this, [this](int v) {
        if (!m_updatingScroll) {
            scrollTo(v / 10.0 + (m_windowEnd - m_windowStart));
        }
    });
    m_rangeLabel = new QLabel(bar);
    h->addWidget(m_pause);
    h->addWidget(m_spanBox);
    h->addWidget(m_scroll, 1);
    h->addWidget(m_rangeLabel);
    return bar;
}

QChart *ChartsPanel::chart(Chart c) const
{
    return m_parts[idx(c)].canvas->chart();
}

ChartCanvas *ChartsPanel::canvas(Chart c) const
{
    return m_parts[idx(c)].canvas;
}

ChartLegend *ChartsPanel::legend(Chart c) const
{
    return m_parts[idx(c)].legend;
}

QXYSeries *ChartsPanel::series(const QString &name) const
{
    return m_series.value(name);
}

QAreaSeries *ChartsPanel::closeArea(CloseReason reason) const
{
    return m_closeAreas[static_cast<std::size_t>(reason)];
}

QString ChartsPanel::kernelNote() const
{
    return canvas(Chart::Kernel)->note();
}

QStringList ChartsPanel::offScaleNotes() const
{
    return canvas(Chart::Connections)->topNotes();
}

QStringList ChartsPanel::visibleMarkerLabels(Chart c) const
{
    QStringList out;
    for (const ChartCanvas::Marker &m : canvas(c)->markers()) {
        out << m.text;
    }
    return out;
}

} // namespace poolscope

namespace poolscope {

void ChartsPanel::addSnapshot(const EngineSnapshot &snapshot)
{
    if (m_history.add(snapshot, m_idleCap, m_connCap)) {
        // A new run: old markers and reasons belong to the old timeline.
        m_markers.clear();
        m_reasonSeen = {};
        resetPlotEdges();
    }
    const ChartSample &s = m_history.latest();
    for (std::size_t r = 1; r < m_reasonSeen.size(); ++r) {
        m_reasonSeen[r] = m_reasonSeen[r] || s.closesPerSec[r] > 0;
    }
    if (!snapshot.kernel.available) {
        m_kernelNote = snapshot.kernel.unavailableReason.isEmpty()
            ? tr("Waiting for the kernel view: the engine has not reported kernel socket counts "
                 "yet.")
            : tr("Kernel view unavailable: %1").arg(snapshot.kernel.unavailableReason);
    } else {
        m_kernelNote.clear();
    }
    updateClosedFirst(snapshot);
    m_dirty = true;
}

// Who closed first, by close reason: the TIME_WAIT entries' tooltips say whose side holds
// how many, from core's one split (the same as `run --json`'s kernel.closed_first_by).
void ChartsPanel::updateClosedFirst(const EngineSnapshot &snapshot)
{
    const auto split = closesByFirstCloser(snapshot.pool);
    const auto reasons = [&snapshot](FirstCloser side) {
        QStringList parts;
        for (int i = 1; i < kCloseReasonCount; ++i) {
            const CloseReasonInfo &info = closeReasonInfo(static_cast<CloseReason>(i));
            const std::uint64_t n = snapshot.pool.closesByReason[static_cast<std::size_t>(i)];
            if (info.closer == side && n > 0) {
                parts << QStringLiteral("%1 %2")
                             .arg(closeReasonText(static_cast<CloseReason>(i)))
                             .arg(n);
            }
        }
        return parts.isEmpty() ? tr("none") : parts.join(QStringLiteral(", "));
    };
    const QString text = tr("Who closed first in this run (whose side holds the TIME_WAIT):\n"
                            "the client: %1 (%2)\nthe server: %3 (%4)")
                             .arg(split[static_cast<std::size_t>(FirstCloser::Client)])
                             .arg(reasons(FirstCloser::Client))
                             .arg(split[static_cast<std::size_t>(FirstCloser::Server)])
                             .arg(reasons(FirstCloser::Server));
    if (text == m_closedFirstText) {
        return;
    }
    m_closedFirstText = text;
    for (const char *key : { "timeWait", "serverTimeWait" }) {
        if (QAbstractButton *b = legend(Chart::Kernel)->entry(QString::fromLatin1(key))) {
            b->setToolTip(text);
        }
    }
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
    m_reasonSeen = {};
    m_kernelNote.clear();
    m_viewEnd = kWindowSeconds;
    m_dirty = true;
    resetPlotEdges();
    refresh();
}

void ChartsPanel::resetPlotEdges()
{
    m_plotLeft = 0;
    m_plotRight = 1e9;
    m_alignedKeys = {};
    m_alignDirty = true;
}

void ChartsPanel::setPaused(bool paused)
{
    if (paused == m_paused) {
        return;
    }
    m_paused = paused;
    if (paused) {
        m_viewEnd = m_windowEnd;
    }
    {
        const QSignalBlocker block(m_pause);
        m_pause->setChecked(paused);
    }
    m_pause->setText(paused ? tr("Resume live") : tr("Pause charts"));
    m_dirty = true;
    refresh();
    Q_EMIT pausedChanged(paused);
}

void ChartsPanel::scrollTo(double seconds)
{
    if (!m_paused) {
        setPaused(true);
    }
    m_viewEnd = std::max(seconds, m_windowEnd - m_windowStart);
    m_dirty = true;
    refresh();
}

void ChartsPanel::setSpan(Span span)
{
    if (m_spanBox->currentIndex() != static_cast<int>(span)) {
        const QSignalBlocker block(m_spanBox);
        m_spanBox->setCurrentIndex(static_cast<int>(span));
    }
    if (span == m_span) {
        return;
    }
    m_span = span;
    m_scales = {};
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
        m_rescaleBudget = 1;
        refresh();
        m_rescaleBudget = -1;
        m_refreshNs = t.nsecsElapsed();
        m_refreshCpuNs = threadCpuNs() - cpu0;
        m_frameOpen = true;
    }
}

void ChartsPanel::refresh()
{
    m_dirty = false;
    rebuildCharts();
    if (m_alignDirty) {
        alignPlotAreas();
    }
    updateBar();
    for (const Part &p : m_parts) {
        p.canvas->update();
    }
}

void ChartsPanel::prepareFrame()
{
    if (!m_layoutDirty) {
        return;
    }
    // New sizes: fresh scales for the new heights, points for the new widths.
    m_layoutDirty = false;
    m_scales = {};
    resetPlotEdges();
    rebuildCharts();
    alignPlotAreas();
}

void ChartsPanel::rebuildCharts()
{
    const bool haveData = !m_history.empty();
    const double latest = haveData ? m_history.latest().t : 0.0;
    // The history's start, or 0 while it still holds the whole run.
    const double oldest = haveData && m_history.dropped() > 0 ? m_history.at(0).t : 0.0;
    double start = 0;
    double end = kWindowSeconds;
    if (m_span == Span::WholeRun) {
        end = m_paused ? m_viewEnd : std::max(latest, oldest + kWindowSeconds);
        start = oldest;
    } else {
        const double span = m_span == Span::OneMinute ? kWindowSeconds
            : m_span == Span::FiveMinutes             ? 300.0
                                                      : 900.0;
        end = m_paused ? std::max(m_viewEnd, span) : std::max(latest, span);
        start = end - span;
    }
    m_windowStart = start;
    m_windowEnd = end;
    m_resolution = resolutionFor(end - start, canvas(Chart::Connections)->plotWidth());
    const std::vector<ChartPoint> points = chartPoints(m_history, start, end, m_resolution);
    for (const Part &p : m_parts) {
        p.canvas->setWindow(start, end, m_resolution.bucket);
    }
    fillConnections(points);
    fillDialsCloses(points);
    fillKernel(points);
    fillLatency(points);
    updateMarkers();

    QString note;
    if (!haveData) {
        note = tr("Kernel socket counts appear here once a run starts.");
    } else if (!m_history.latest().kernelAvailable) {
        note = m_kernelNote;
    }
    canvas(Chart::Kernel)->setNote(note);
}

} // namespace poolscope

namespace poolscope {

void ChartsPanel::fillConnections(const std::vector<ChartPoint> &points)
{
    ChartCanvas *cv = canvas(Chart::Connections);
    const auto get = [cv](const char *key) -> Trace & {
        return cv->trace(cv->traceIndex(QString::fromLatin1(key)));
    };
    Trace &idleCap = get("idleCap");
    Trace &connCap = get("connCap");
    fillTrace(get("open"), points, [](const ChartPoint &p) { return p.open; });
    fillTrace(get("active"), points, [](const ChartPoint &p) { return p.active; });
    fillTrace(get("idle"), points, [](const ChartPoint &p) { return p.idle; });
    fillTrace(get("dialing"), points, [](const ChartPoint &p) { return p.dialing; });
    fillTrace(get("waiting"), points, [](const ChartPoint &p) { return p.waiting; });
    fillStreams(points);
    fillTrace(idleCap, points, [](const ChartPoint &p) { return double(p.idleCap); });
    fillTrace(
        connCap, points, [](const ChartPoint &p) { return double(p.connCap); },
        [](const ChartPoint &p) { return p.connCap > 0; });
    if (points.empty()) {
        // Before a run, show the limits that will apply.
        idleCap.points = { QPointF(m_windowStart, m_idleCap), QPointF(m_windowEnd, m_idleCap) };
        if (m_connCap > 0) {
            connCap.points = { QPointF(m_windowStart, m_connCap), QPointF(m_windowEnd, m_connCap) };
        }
    }
    connCap.shown = !connCap.points.isEmpty();
    // Go's h2 pool ignores MaxIdleConnsPerHost (one connection carries many streams): a run
    // whose connections are all HTTP/2 has no idle cap to draw.
    const bool allH2 = !m_history.empty() && m_history.latest().h2 && !m_history.latest().http1;
    idleCap.shown = !allH2;
    const int idleNow = points.empty() ? m_idleCap : points.back().idleCap;
    const int connNow = points.empty() ? m_connCap : points.back().connCap;
    ChartLegend *legend = m_parts[idx(Chart::Connections)].legend;
    for (const auto &[key, text] :
        { std::pair { QStringLiteral("idleCap"), tr("idle cap %1").arg(idleNow) },
            std::pair { QStringLiteral("connCap"), tr("MaxConnsPerHost %1").arg(connNow) } }) {
        legend->setEntryText(key, text);
        m_series.value(key)->setName(text);
    }
    legend->setEntryShown(QStringLiteral("connCap"), connCap.shown);
    legend->setEntryShown(QStringLiteral("idleCap"), idleCap.shown);

    double data = 0;
    for (int i = 0; i < cv->traceCount(); ++i) {
        Trace &tr = cv->trace(i);
        if (QLineSeries *s = m_series.value(tr.key)) {
            s->replace(tr.points);
            s->setVisible(tr.on && tr.shown);
        }
        if (!tr.onTop) {
            data = std::max(data, visibleMax(tr));
        }
    }
    // A limit far above the connections would flatten them onto the axis: it is
    // drawn only while it is at most twice the data, and labelled otherwise.
    double top = std::max(data, 4.0);
    QList<ChartCanvas::Note> notes;
    for (const Trace *cap : { &idleCap, &connCap }) {
        const double v = visibleMax(*cap);
        if (v <= 0) {
            continue;
        }
        if (v <= 2 * std::max(data, 2.5)) {
            top = std::max(top, v);
        } else {
            const QString name = cap == &idleCap ? QStringLiteral("MaxIdleConnsPerHost")
                                                 : QStringLiteral("MaxConnsPerHost");
            notes.append({ tr("%1 %2 ↑ above the scale").arg(name).arg(v), cap->color });
        }
    }
    cv->setTopNotes(notes);
    setScale(Chart::Connections, false, top * 1.1, true);
}

// The stream series are shown for runs that had an h2 connection, never for HTTP/1.1 ones.
void ChartsPanel::fillStreams(const std::vector<ChartPoint> &points)
{
    ChartCanvas *cv = canvas(Chart::Connections);
    const auto get = [cv](const char *key) -> Trace & {
        return cv->trace(cv->traceIndex(QString::fromLatin1(key)));
    };
    fillTrace(get("h2Streams"), points, [](const ChartPoint &p) { return p.h2Streams; });
    fillTrace(get("h2MaxPerConn"), points, [](const ChartPoint &p) { return p.h2MaxPerConn; });
    fillTrace(get("h2MeanPerConn"), points, [](const ChartPoint &p) { return p.h2MeanPerConn; });
    fillTrace(get("h2Waiting"), points, [](const ChartPoint &p) { return p.h2Waiting; });
    const bool h2 = !m_history.empty() && m_history.latest().h2;
    for (const char *key : kStreamKeys) {
        get(key).shown = h2;
        m_parts[idx(Chart::Connections)].legend->setEntryShown(QString::fromLatin1(key), h2);
    }
}

void ChartsPanel::fillDialsCloses(const std::vector<ChartPoint> &points)
{
    ChartCanvas *cv = canvas(Chart::DialsCloses);
    ChartLegend *legend = m_parts[idx(Chart::DialsCloses)].legend;
    const auto n = static_cast<qsizetype>(points.size());
    QList<QPointF> base(n);
    for (qsizetype j = 0; j < n; ++j) {
        base[j] = QPointF(points[static_cast<std::size_t>(j)].t, 0);
    }
    double top = 0;
    // Stack the reasons that happened in this run, in the table's order.
    for (std::size_t r = 1; r < m_closeTraces.size(); ++r) {
        Trace &tr = cv->trace(m_closeTraces[r]);
        tr.shown = m_reasonSeen[r];
        legend->setEntryShown(tr.key, tr.shown);
        QAreaSeries *area = m_closeAreas[r];
        area->setVisible(tr.shown && tr.on);
        if (!area->isVisible()) {
            tr.points.clear();
            tr.lower.clear();
            continue;
        }
        tr.lower = base;
        for (qsizetype j = 0; j < n; ++j) {
            base[j].ry() += points[static_cast<std::size_t>(j)].closesPerSec[r];
            top = std::max(top, base[j].y());
        }
        tr.points = base;
        area->lowerSeries()->replace(tr.lower);
        area->upperSeries()->replace(tr.points);
    }
    Trace &dials = cv->trace(cv->traceIndex(QStringLiteral("dials")));
    fillTrace(dials, points, [](const ChartPoint &p) { return p.dialsPerSec; });
    m_series.value(dials.key)->replace(dials.points);
    m_series.value(dials.key)->setVisible(dials.on);
    setScale(Chart::DialsCloses, false, std::max({ top, visibleMax(dials), 4.0 }) * 1.1, true);
}

void ChartsPanel::fillKernel(const std::vector<ChartPoint> &points)
{
    ChartCanvas *cv = canvas(Chart::Kernel);
    const auto has = [](const ChartPoint &p) {
        return p.kernelAvailable;
    };
    using Get = double (*)(const ChartPoint &);
    const std::pair<const char *, Get> fields[] = {
        { "established",
            [](const ChartPoint &p) {
                return p.established;
            } },
        { "timeWait",
            [](const ChartPoint &p) {
                return p.timeWait;
            } },
        { "closeWait",
            [](const ChartPoint &p) {
                return p.closeWait;
            } },
        { "serverTimeWait",
            [](const ChartPoint &p) {
                return p.serverTimeWait;
            } },
        { "serverCloseWait",
            [](const ChartPoint &p) {
                return p.serverCloseWait;
            } },
    };
    const auto hasServer = [](const ChartPoint &p) {
        return p.kernelAvailable && p.serverSide;
    };
    const bool server = !m_history.empty() && m_history.latest().serverSide;
    double top = 4;
    for (const auto &[key, get] : fields) {
        Trace &tr = cv->trace(cv->traceIndex(QString::fromLatin1(key)));
        const bool serverTrace = QByteArrayView(key).startsWith("server");
        if (serverTrace) {
            fillTrace(tr, points, get, hasServer);
            tr.shown = server;
            legend(Chart::Kernel)->setEntryShown(tr.key, server);
        } else {
            fillTrace(tr, points, get, has);
        }
        m_series.value(tr.key)->replace(tr.points);
        m_series.value(tr.key)->setVisible(tr.on && tr.shown);
        top = std::max(top, visibleMax(tr));
    }
    setScale(Chart::Kernel, false, top * 1.1, true);
}

void ChartsPanel::fillLatency(const std::vector<ChartPoint> &points)
{
    ChartCanvas *cv = canvas(Chart::Latency);
    // Stale percentiles are not drawn: a point only where responses completed.
    const auto has = [](const ChartPoint &p) {
        return p.haveLatency;
    };
    Trace &p50 = cv->trace(cv->traceIndex(QStringLiteral("p50")));
    Trace &p99 = cv->trace(cv->traceIndex(QStringLiteral("p99")));
    Trace &rps = cv->trace(cv->traceIndex(QStringLiteral("rps")));
    Trace &attempts = cv->trace(cv->traceIndex(QStringLiteral("attempts")));
    fillTrace(
        p50, points, [](const ChartPoint &p) { return p.p50Ms; }, has);
    fillTrace(
        p99, points, [](const ChartPoint &p) { return p.p99Ms; }, has);
    fillTrace(rps, points, [](const ChartPoint &p) { return p.requestsPerSec; });
    fillTrace(attempts, points, [](const ChartPoint &p) { return p.attemptsPerSec; });
    for (Trace *tr : { &p50, &p99, &rps, &attempts }) {
        m_series.value(tr->key)->replace(tr->points);
        m_series.value(tr->key)->setVisible(tr->on);
    }
    cv->setNote(!points.empty() && p50.points.isEmpty()
            ? tr("No response completed in this window: no latency to show.")
            : QString());
    setScale(
        Chart::Latency, false, std::max({ visibleMax(p50), visibleMax(p99), 0.9 }) * 1.1, false);
    setScale(
        Chart::Latency, true, std::max({ visibleMax(rps), visibleMax(attempts), 9.0 }) * 1.1, true);
}

void ChartsPanel::setScale(Chart c, bool right, double value, bool integers)
{
    ChartCanvas *cv = canvas(c);
    const int maxIntervals = cv->maxIntervals();
    Scale &cur = m_scales[idx(c)][right ? 1 : 0];
    // Keep the scale while the data moves between 55% and 100% of it: an axis
    // that jumps with every spike is harder to read, and relabels every frame.
    if (cur.top > 0 && value <= cur.top && value >= 0.55 * cur.top
        && cur.intervals <= maxIntervals) {
        return;
    }
    // A new scale lays the chart out and renders its frame again: a 10 Hz frame
    // does that for one chart, the others follow in the next frames.
    if (m_rescaleBudget == 0) {
        m_dirty = true;
        return;
    }
    if (m_rescaleBudget > 0) {
        --m_rescaleBudget;
    }
    // Growing data gets room to grow into, so a climbing line is not rescaled
    // every few frames.
    const bool growing = cur.top > 0 && value > cur.top;
    const NiceScale s = niceScale(growing ? value * 1.25 : value, maxIntervals, integers);
    cur = { s.top, s.intervals, s.decimals };
    if (cv->setScale(right, s.top, s.intervals, s.decimals)) {
        m_alignDirty = true;
    }
}

void ChartsPanel::updateMarkers()
{
    std::vector<ChartCanvas::Marker> inWindow;
    for (std::size_t i = 0; i < m_markers.size(); ++i) {
        const Marker &m = m_markers[i];
        if (m.t >= m_windowStart && m.t <= m_windowEnd) {
            inWindow.push_back({ m.t, m.label });
        }
    }
    std::stable_sort(inWindow.begin(), inWindow.end(),
        [](const ChartCanvas::Marker &a, const ChartCanvas::Marker &b) { return a.t < b.t; });
    for (const Part &p : m_parts) {
        p.canvas->setMarkers(inWindow);
    }
}

void ChartsPanel::alignPlotAreas()
{
    // Each chart lays itself out (its value labels differ in width, only the
    // latency chart has a right axis); then all get the innermost edges. That
    // is two layouts per chart: skipped while no size or label width changed.
    bool changed = false;
    for (std::size_t c = 0; c < m_parts.size(); ++c) {
        changed = changed || m_parts[c].canvas->layoutKey() != m_alignedKeys[c];
    }
    if (!changed) {
        m_alignDirty = false;
        return;
    }
    // The edges only move inwards during a run: when one chart's labels get
    // narrower again the others keep their plots (a label width that comes and
    // goes would otherwise re-render all four charts each time).
    std::array<QRectF, kChartCount> natural;
    double left = m_plotLeft;
    double right = m_plotRight;
    for (std::size_t c = 0; c < m_parts.size(); ++c) {
        natural[c] = m_parts[c].canvas->naturalPlotArea();
        if (natural[c].width() <= 0) {
            return; // not laid out yet
        }
        left = std::max(left, natural[c].left());
        right = std::min(right, natural[c].right());
    }
    for (std::size_t c = 0; c < m_parts.size(); ++c) {
        m_parts[c].canvas->fixPlotArea(
            QRectF(left, natural[c].top(), right - left, natural[c].height()));
        m_alignedKeys[c] = m_parts[c].canvas->layoutKey();
    }
    m_plotLeft = left;
    m_plotRight = right;
    m_alignDirty = false;
}

void ChartsPanel::updateBar()
{
    m_updatingScroll = true;
    const double span = m_windowEnd - m_windowStart;
    const double latest = m_history.empty() ? span : std::max(m_history.latest().t, span);
    const double oldest = m_history.empty() ? 0 : m_history.at(0).t;
    m_scroll->setEnabled(m_span != Span::WholeRun);
    m_scroll->setRange(static_cast<int>(oldest * 10), static_cast<int>((latest - span) * 10));
    m_scroll->setPageStep(static_cast<int>(span * 10));
    m_scroll->setSingleStep(10);
    m_scroll->setValue(static_cast<int>(m_windowStart * 10));
    m_updatingScroll = false;
    QString range = tr("%1 %2–%3 s")
                        .arg(m_paused ? tr("paused at") : tr("live:"))
                        .arg(m_windowStart, 0, 'f', 0)
                        .arg(m_windowEnd, 0, 'f', 0);
    if (m_history.dropped() > 0) {
        // The ring keeps the newest kHistoryCapacity samples: say what scrolled out for good.
        range += tr(" (history from %1 s: %2 older samples dropped)")
                     .arg(m_history.at(0).t, 0, 'f', 0)
                     .arg(m_history.dropped());
    }
    if (m_rangeLabel->text() != range) {
        m_rangeLabel->setText(range);
    }
}

} // namespace poolscope
