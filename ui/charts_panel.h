#pragma once

#include "load/engine_snapshot.h"
#include "metrics/latency_histogram.h"
#include "metrics/ring_buffer.h"
#include "snapshot_history.h"

#include <QWidget>
#include <vector>

class QAreaSeries;
class QChart;
class QChartView;
class QGraphicsSimpleTextItem;
class QLabel;
class QLineSeries;
class QScatterSeries;
class QScrollBar;
class QTimer;
class QToolButton;
class QValueAxis;
class QXYSeries;

namespace poolscope {

// The four live charts on one shared time axis: connections with the pool's
// limit lines, dials and closes by reason, the kernel's socket states, and
// latency with throughput. Fed with EngineSnapshot values (addSnapshot), it
// stores derived samples in a bounded ring and redraws at a fixed rate with
// QXYSeries::replace over the visible window, never once per sample.
class ChartsPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ChartsPanel)

public:
    enum class Chart { Connections, DialsCloses, Kernel, Latency };
    static constexpr int kChartCount = 4;

    static constexpr double kWindowSeconds = 60;
    // One hour of snapshots at the engine's 10 Hz: about 6 MB of samples.
    static constexpr std::size_t kHistoryCapacity = 36000;
    static constexpr std::size_t kMaxMarkers = 512;
    // Markers drawn at once per chart (the newest ones in the window).
    static constexpr int kMarkerSlots = 12;
    static constexpr int kRefreshIntervalMs = 100;
    // Points per series per redraw; denser data is decimated.
    static constexpr int kMaxPointsPerSeries = 1200;

    explicit ChartsPanel(QWidget *parent = nullptr);
    ~ChartsPanel() override;

    // Stores one snapshot; drawn at the next refresh tick. A snapshot whose
    // time is earlier than the last one starts a new run (history cleared).
    void addSnapshot(const EngineSnapshot &snapshot);
    // The limits in force from now on: effective MaxIdleConnsPerHost and
    // MaxConnsPerHost (0 = unlimited). Recorded with each sample.
    void setLimits(int effectiveIdleCap, int maxConnsPerHost);
    // A labelled vertical line on every chart at the latest sample's time.
    void addMarker(const QString &label);
    void addMarkerAt(double seconds, const QString &label);
    // Drops samples and markers (a new run).
    void clear();

    // Paused: new samples are still stored but the view stays put and can be
    // scrolled back through the history.
    void setPaused(bool paused);
    [[nodiscard]] bool isPaused() const { return m_paused; }
    // Shows the window ending at `seconds` (pauses).
    void scrollTo(double seconds);

    // Redraws now; the 10 Hz timer calls this when there is something new.
    void refresh();

    [[nodiscard]] const SnapshotHistory &history() const { return m_history; }
    [[nodiscard]] QChart *chart(Chart c) const;
    [[nodiscard]] QChartView *chartView(Chart c) const;
    // Frame times of the 10 Hz redraw: series update plus the paints it caused
    // (bounded: a fixed-size histogram).
    [[nodiscard]] const LatencyHistogram &frameTimes() const { return m_frameTimes; }
    // The same frames in CPU time of the UI thread (wall time minus waiting for a core).
    [[nodiscard]] const LatencyHistogram &frameCpuTimes() const { return m_frameCpuTimes; }
    // Series by object name: "open", "active", "idle", "dialing", "waiting", "idleCap",
    // "connCap", "dials", "established", "timeWait", "closeWait", "p50", "p99", "rps".
    [[nodiscard]] QXYSeries *series(const QString &name) const;
    // Upper edge of the stacked area for one close reason.
    [[nodiscard]] QAreaSeries *closeArea(CloseReason reason) const;
    [[nodiscard]] QStringList visibleMarkerLabels(Chart c) const;
    [[nodiscard]] double windowStart() const { return m_windowStart; }
    [[nodiscard]] double windowEnd() const { return m_windowStart + kWindowSeconds; }
    [[nodiscard]] QString kernelNote() const;
    [[nodiscard]] std::size_t markerCount() const { return m_markers.size(); }

Q_SIGNALS:
    void pausedChanged(bool paused);

private:
    struct Marker
    {
        double t = 0;
        QString label;
    };
    struct MarkerSlot
    {
        QLineSeries *line = nullptr;
        QScatterSeries *label = nullptr;
    };
    struct ChartParts
    {
        QChartView *view = nullptr;
        QChart *chart = nullptr;
        QValueAxis *x = nullptr;
        QValueAxis *y = nullptr;
        QValueAxis *y2 = nullptr; // latency chart: req/s
        std::vector<MarkerSlot> markers;
    };

    ChartParts makeChart(const QString &title, const QString &yTitle);
    QLineSeries *addLine(ChartParts &parts, const QString &objectName, const QString &legend,
        const QColor &color, Qt::PenStyle style = Qt::SolidLine, qreal width = 2.0,
        QValueAxis *yAxis = nullptr);
    void drawMarkers(ChartParts &parts);
    void updateScrollBar();
    // Gives every chart the same plot-area left and right edges, so one time
    // means one x position on all four charts despite different legends and axes.
    void alignPlotAreas();
    bool eventFilter(QObject *watched, QEvent *event) override;
    void onTick();

    SnapshotHistory m_history;
    RingBuffer<Marker> m_markers { kMaxMarkers }; // oldest dropped first
    std::array<ChartParts, kChartCount> m_charts;
    std::vector<QLineSeries *> m_lines; // all line series, for lookup by name
    std::array<QAreaSeries *, kCloseReasonCount> m_closeAreas {};
    std::array<QLineSeries *, kCloseReasonCount> m_closeUpper {};
    std::array<QLineSeries *, kCloseReasonCount> m_closeLower {};
    QGraphicsSimpleTextItem *m_kernelNote = nullptr;
    QTimer *m_timer = nullptr;
    QScrollBar *m_scroll = nullptr;
    QToolButton *m_pause = nullptr;
    QLabel *m_rangeLabel = nullptr;
    int m_idleCap = kDefaultMaxIdleConnsPerHost;
    int m_connCap = 0;
    bool m_paused = false;
    bool m_dirty = true;
    bool m_updatingScroll = false;
    double m_viewEnd = kWindowSeconds; // when paused
    double m_windowStart = 0;
    LatencyHistogram m_frameTimes;
    LatencyHistogram m_frameCpuTimes;
    qint64 m_paintNs = 0;
    qint64 m_paintCpuNs = 0;
    qint64 m_refreshNs = 0;
    qint64 m_refreshCpuNs = 0;
    bool m_frameOpen = false;
};

} // namespace poolscope
