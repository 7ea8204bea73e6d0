#pragma once

#include <QHash>
#include <QList>
#include <QPixmap>
#include <QPointF>
#include <QStaticText>
#include <QWidget>
#include <cmath>
#include <functional>
#include <memory>
#include <vector>

class QChart;
class QGraphicsScene;
class QValueAxis;

namespace poolscope {

// One chart of the panel. A QChart (in a scene of its own, never in a view)
// lays out and draws the frame: background, value axes, their labels and
// grid. The frame is rendered into a pixmap only when an axis or the size
// changes; every repaint blits it and paints the time axis, the series,
// limit lines, markers and the hover readout on top with QPainter. The whole
// widget is painted each time, so nothing from an earlier size or an earlier
// run can survive on screen, and a frame costs one blit plus a few polylines.
class ChartCanvas final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ChartCanvas)

public:
    struct Trace
    {
        QString key; // the legend entry's key and the panel's series name
        QString name; // in the hover readout
        QColor color;
        qreal width = 2.0;
        Qt::PenStyle style = Qt::SolidLine;
        bool area = false; // filled between lower and points (a stacked band)
        bool rightAxis = false;
        bool onTop = false; // limits: drawn over every data series
        bool on = true; // the user's legend toggle
        bool shown = true; // has something to show (a close reason that happened)
        int decimals = 0; // in the readout
        QString unit; // in the readout, e.g. " ms"
        QList<QPointF> points; // the upper edge for areas
        QList<QPointF> lower; // areas only, same x as points
        std::vector<qsizetype> breaks; // indices that start a new segment (a gap before)
    };
    struct Marker
    {
        double t = 0;
        QString text;
    };
    // A marker label as drawn: near markers share one label ("... +2"); members
    // lists every marker text the label stands for.
    struct MarkerLabel
    {
        QRectF rect;
        QString text;
        QStringList members;
        bool leftOfLine = false; // no room on the right: the label ends at its line
    };
    struct Note
    {
        QString text;
        QColor color;
    };

    ChartCanvas(qint64 *paintNs, qint64 *paintCpuNs, QWidget *parent = nullptr);
    ~ChartCanvas() override;

    [[nodiscard]] QChart *chart() const { return m_chart; }
    [[nodiscard]] QValueAxis *yAxis() const { return m_y; }
    [[nodiscard]] QValueAxis *rightAxis() const { return m_y2; }
    void addRightAxis();

    int addTrace(const Trace &trace);
    [[nodiscard]] Trace &trace(int i) { return m_traces[static_cast<std::size_t>(i)]; }
    [[nodiscard]] const Trace &trace(int i) const { return m_traces[static_cast<std::size_t>(i)]; }
    [[nodiscard]] int traceCount() const { return static_cast<int>(m_traces.size()); }
    [[nodiscard]] int traceIndex(const QString &key) const;

    // The time range shown and the spacing of the points (0 = every 10 Hz sample).
    void setWindow(double start, double end, double bucket);
    [[nodiscard]] double windowStart() const { return m_start; }
    [[nodiscard]] double windowEnd() const { return m_end; }
    // A value axis from 0 to top in `intervals` steps; returns true if it changed.
    bool setScale(bool right, double top, int intervals, int decimals);
    // How many y intervals fit the current height with room between the labels.
    [[nodiscard]] int maxIntervals() const;
    // Width of the plot area in pixels (0 while the chart is not shown).
    [[nodiscard]] double plotWidth() const;

    void setMarkers(std::vector<Marker> markers);
    [[nodiscard]] const std::vector<Marker> &markers() const { return m_markers; }
    // Where the marker labels go at the current size: staggered in rows, near
    // ones merged, never over each other.
    [[nodiscard]] QList<MarkerLabel> markerLabels() const;

    // Centred in the plot when the chart has nothing to show and why.
    void setNote(const QString &note);
    [[nodiscard]] QString note() const { return m_note; }
    // Right-aligned at the top of the plot: limits above the scale.
    void setTopNotes(const QList<Note> &notes);
    [[nodiscard]] QStringList topNotes() const;

    // The crosshair time shared by all charts (NaN: none).
    void setHoverTime(double t);
    // What the readout says for the mouse at pos (empty outside the plot).
    [[nodiscard]] QStringList readoutAt(const QPointF &pos) const;
    // The time-axis labels as drawn at the current size.
    [[nodiscard]] QList<QPair<QString, QRectF>> timeLabels() const;

    // The plot area the chart's own layout gives it (axis labels, margins), and
    // a fixed one: stacked charts share their plot's left and right edges so
    // one time is one x position on all of them.
    [[nodiscard]] QRectF naturalPlotArea();
    void fixPlotArea(const QRectF &rect);
    // What the chart's own layout of its plot depends on: its size and the
    // widths of its widest value labels. While it is unchanged, so is the
    // natural plot area, and the charts need no new alignment.
    struct LayoutKey
    {
        QSize size;
        double labels = 0;
        double rightLabels = 0;
        bool operator==(const LayoutKey &) const = default;
    };
    [[nodiscard]] LayoutKey layoutKey() const { return { size(), m_yLabels, m_y2Labels }; }
    // The chart's plot area as laid out now (in widget coordinates).
    [[nodiscard]] QRectF plotArea() const;

    // Called at the start of every paint, before anything is drawn: the panel
    // aligns the charts there, after every resize of the layout pass.
    void setBeforePaint(std::function<void()> hook) { m_beforePaint = std::move(hook); }

    [[nodiscard]] QSize sizeHint() const override;
    [[nodiscard]] QSize minimumSizeHint() const override;

Q_SIGNALS:
    void hoverTimeChanged(double t); // NaN when the mouse leaves the plot
    void resized();

protected:
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void changeEvent(QEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void leaveEvent(QEvent *event) override;

private:
    void updateFonts();
    void measureValueLabels(bool right);
    void applyMargins();
    void renderFrame();
    void drawTimeAxis(QPainter &p);
    void drawTraces(QPainter &p, bool onTop) const;
    // Widget coordinates of chart values, computed once per paint.
    struct Mapper
    {
        double x0;
        double sx;
        double y0;
        double sy;
        [[nodiscard]] QPointF map(const QPointF &v) const
        {
            return { x0 + v.x() * sx, y0 - v.y() * sy };
        }
    };
    // Appends points [a, b) (backwards when reversed) mapped to pixels, without
    // the ones that would not change the line drawn.
    static void appendSimplified(QPolygonF &out, const QList<QPointF> &points, qsizetype a,
        qsizetype b, const Mapper &m, bool reversed);
    void drawMarkers(QPainter &p) const;
    void drawNotes(QPainter &p) const;
    void drawHover(QPainter &p) const;
    struct ReadoutRow
    {
        QString text;
        QColor color; // swatch; invalid for the time and marker rows
    };
    [[nodiscard]] std::vector<ReadoutRow> readoutRows(const QPointF &pos) const;
    [[nodiscard]] QList<QPair<QString, QRectF>> layoutTimeLabels(QList<double> *tickXs) const;
    [[nodiscard]] double xAt(double t) const;
    [[nodiscard]] double yAt(double v, bool right) const;
    [[nodiscard]] double timeAt(double x) const;
    [[nodiscard]] int labelStripHeight() const;
    [[nodiscard]] QString timeText(double t, double step) const;
    struct TimeTicks
    {
        double first = 0;
        double step = 1;
    };
    [[nodiscard]] TimeTicks timeTicks() const;

    std::unique_ptr<QGraphicsScene> m_scene;
    QChart *m_chart = nullptr;
    QValueAxis *m_y = nullptr;
    QValueAxis *m_y2 = nullptr;
    std::vector<Trace> m_traces;
    std::vector<Marker> m_markers;
    QString m_note;
    QList<Note> m_topNotes;
    double m_start = 0;
    double m_end = 60;
    double m_bucket = 0;
    double m_yTop = 5;
    double m_y2Top = 10;
    double m_yLabels = 0; // width of the widest value label, left and right axis
    double m_y2Labels = 0;
    QRectF m_natural; // the chart's own plot area for m_naturalKey
    LayoutKey m_naturalKey;
    bool m_naturalValid = false;
    QRectF m_fixed; // the plot area set by fixPlotArea (null: the chart's own)
    double m_hoverTime = std::nan("");
    QPointF m_mouse { -1, -1 }; // inside the plot while hovering this chart
    QPixmap m_frame;
    bool m_frameDirty = true;
    QFont m_labelFont;
    QFont m_markerFont;
    // Laid-out texts by string (time labels, marker labels): a frame draws and
    // measures them without shaping text again. Bounded: cleared when large.
    struct TextCache
    {
        QFont font;
        QHash<QString, QStaticText> texts;
    };
    const QStaticText &cachedText(TextCache &cache, const QString &text) const;
    double textWidth(TextCache &cache, const QString &text) const;
    mutable TextCache m_labelTexts;
    mutable TextCache m_markerTexts;
    std::function<void()> m_beforePaint;
    qint64 *m_paintNs;
    qint64 *m_paintCpuNs;
};

} // namespace poolscope
