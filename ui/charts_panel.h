#pragma once

#include "chart_canvas.h"
#include "chart_points.h"
#include "load/engine_snapshot.h"
#include "metrics/latency_histogram.h"
#include "metrics/ring_buffer.h"
#include "snapshot_history.h"

#include <QHash>
#include <QWidget>
#include <array>
#include <vector>

class QAreaSeries;
class QChart;
class QComboBox;
class QLabel;
class QLineSeries;
class QScrollArea;
class QScrollBar;
class QTimer;
class QToolButton;
class QValueAxis;
class QXYSeries;

namespace poolscope {

class ChartLegend;

// The four live charts on one shared time axis: connections with the pool's
// limit lines, dials and closes by reason, the kernel's socket states, and
// latency with throughput. Fed with EngineSnapshot values (addSnapshot), it
// stores samples in a bounded ring and redraws at a fixed rate, never once per
// sample. Each point drawn is a one-second mean (chart_points.h) at about one
// point per pixel; each chart has a header whose entries toggle its series,
// and hovering a chart reads out every series at that time.
class ChartsPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ChartsPanel)

public:
    enum class Chart { Connections, DialsCloses, Kernel, Latency };
    static constexpr int kChartCount = 4;
    // How much time the charts show: a trailing window, or everything the history holds.
    enum class Span { OneMinute, FiveMinutes, FifteenMinutes, WholeRun };

    static constexpr double kWindowSeconds = 60; // the default span
    // One hour of snapshots at the engine's 10 Hz: about 8 MB of samples.
    static constexpr std::size_t kHistoryCapacity = 36000;
    static constexpr std::size_t kMaxMarkers = 512;
    static constexpr int kRefreshIntervalMs = 100;

    explicit ChartsPanel(QWidget *parent = nullptr);
    ~ChartsPanel() override;

    // Stores one snapshot; drawn at the next refresh tick. A snapshot whose
    // time is earlier than the last one starts a new run (history and markers cleared).
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
    void setSpan(Span span);
    [[nodiscard]] Span span() const { return m_span; }

    // Redraws now; the 10 Hz timer calls this when there is something new.
    void refresh();

    [[nodiscard]] const SnapshotHistory &history() const { return m_history; }
    [[nodiscard]] QChart *chart(Chart c) const;
    [[nodiscard]] ChartCanvas *canvas(Chart c) const;
    [[nodiscard]] ChartLegend *legend(Chart c) const;
    // Frame times of the 10 Hz redraw: series update plus the paints it caused
    // (bounded: a fixed-size histogram).
    [[nodiscard]] const LatencyHistogram &frameTimes() const { return m_frameTimes; }
    // The same frames in CPU time of the UI thread (wall time minus waiting for a core).
    [[nodiscard]] const LatencyHistogram &frameCpuTimes() const { return m_frameCpuTimes; }
    // The points drawn, by series name: "open", "active", "idle", "dialing", "waiting",
    // "h2Streams", "h2MaxPerConn", "h2MeanPerConn", "h2Waiting" (HTTP/2 runs only),
    // "idleCap", "connCap", "dials", "established", "timeWait", "closeWait", "p50", "p99",
    // "rps". A series hidden from its legend is not visible.
    [[nodiscard]] QXYSeries *series(const QString &name) const;
    // The band drawn for one close reason (stacked in enum order); visible once
    // the reason has happened in this run.
    [[nodiscard]] QAreaSeries *closeArea(CloseReason reason) const;
    // Text of every marker drawn on the chart (a label may stand for several).
    [[nodiscard]] QStringList visibleMarkerLabels(Chart c) const;
    [[nodiscard]] double windowStart() const { return m_windowStart; }
    [[nodiscard]] double windowEnd() const { return m_windowEnd; }
    [[nodiscard]] QString kernelNote() const;
    [[nodiscard]] std::size_t markerCount() const { return m_markers.size(); }
    // Limits above the connections chart's scale, as labelled at its top edge.
    [[nodiscard]] QStringList offScaleNotes() const;

Q_SIGNALS:
    void pausedChanged(bool paused);

private:
    struct Marker
    {
        double t = 0;
        QString label;
    };
    struct Part
    {
        ChartLegend *legend = nullptr;
        ChartCanvas *canvas = nullptr;
    };
    // One value axis' current scale, kept while the data moves within it.
    struct Scale
    {
        double top = 0;
        int intervals = 0;
        int decimals = 0;
    };

    Part makePart(QWidget *parent, const QStringList &titles, const QString &toolTip);
    int addSeries(Chart c, const ChartCanvas::Trace &trace, const QString &legendText,
        const QString &toolTip);
    void buildConnectionsChart(QWidget *parent);
    void addStreamSeries();
    void buildDialsChart(QWidget *parent);
    void buildKernelChart(QWidget *parent);
    void buildLatencyChart(QWidget *parent);
    QWidget *buildBar();
    void onLegendToggled(Chart c, const QString &key, bool on);

    // Rebuilds every chart's points, scales, markers and notes without painting.
    void rebuildCharts();
    void fillConnections(const std::vector<ChartPoint> &points);
    void fillStreams(const std::vector<ChartPoint> &points);
    void fillDialsCloses(const std::vector<ChartPoint> &points);
    void fillKernel(const std::vector<ChartPoint> &points);
    void updateClosedFirst(const EngineSnapshot &snapshot);
    void fillLatency(const std::vector<ChartPoint> &points);
    void setScale(Chart c, bool right, double value, bool integers);
    void updateMarkers();
    void updateBar();
    // Runs before any chart paints: after a resize, re-fit and align the charts.
    void prepareFrame();
    void alignPlotAreas();
    void resetPlotEdges();
    void onTick();

    SnapshotHistory m_history;
    RingBuffer<Marker> m_markers { kMaxMarkers }; // oldest dropped first
    std::array<Part, kChartCount> m_parts;
    std::array<std::array<Scale, 2>, kChartCount> m_scales {};
    std::array<ChartCanvas::LayoutKey, kChartCount> m_alignedKeys {}; // at the last alignment
    double m_plotLeft = 0; // the shared plot edges since the last resize or clear()
    double m_plotRight = 1e9;
    QHash<QString, QLineSeries *> m_series; // what each line draws, for series()
    std::array<QAreaSeries *, kCloseReasonCount> m_closeAreas {};
    std::array<int, kCloseReasonCount> m_closeTraces {}; // trace index per reason
    std::array<bool, kCloseReasonCount> m_reasonSeen {}; // in this run
    QString m_kernelNote;
    QString m_closedFirstText; // the TIME_WAIT entries' "who closed first" tooltip
    QStringList m_offScale;
    QScrollArea *m_scrollArea = nullptr;
    QTimer *m_timer = nullptr;
    QScrollBar *m_scroll = nullptr;
    QToolButton *m_pause = nullptr;
    QComboBox *m_spanBox = nullptr;
    QLabel *m_rangeLabel = nullptr;
    int m_idleCap = kDefaultMaxIdleConnsPerHost;
    int m_connCap = 0;
    Span m_span = Span::OneMinute;
    bool m_paused = false;
    bool m_dirty = true;
    bool m_layoutDirty = true; // a chart was resized: re-fit scales and realign
    bool m_alignDirty = true; // an axis changed: realign the plot areas
    bool m_updatingScroll = false;
    // Axes that may change scale in this refresh (-1: all; the 10 Hz frame: one).
    int m_rescaleBudget = -1;
    double m_viewEnd = kWindowSeconds; // when paused
    double m_windowStart = 0;
    double m_windowEnd = kWindowSeconds;
    ChartResolution m_resolution;
    LatencyHistogram m_frameTimes;
    LatencyHistogram m_frameCpuTimes;
    qint64 m_paintNs = 0;
    qint64 m_paintCpuNs = 0;
    qint64 m_refreshNs = 0;
    qint64 m_refreshCpuNs = 0;
    bool m_frameOpen = false;
};

} // namespace poolscope
