#include "chart_canvas.h"
#include "chart_points.h"
#include "charts_panel.h"
#include "support/save_shot.h"

#include <QAreaSeries>
#include <QChart>
#include <QLabel>
#include <QLineSeries>
#include <QTest>
#include <QValueAxis>

using namespace poolscope;
using testsupport::saveShot;
using namespace std::chrono_literals;

namespace {

// A synthetic snapshot at t seconds; counters derived from i so every value is known.
EngineSnapshot snapshotAt(double t, int open, int idle)
{
    EngineSnapshot s;
    s.time = std::chrono::duration_cast<TimePoint>(std::chrono::duration<double>(t));
    s.running = true;
    s.pool.now.active = open - idle;
    s.pool.now.idle = idle;
    s.pool.now.dialing = 1;
    s.pool.now.waiting = 3;
    return s;
}

QList<double> ys(const QXYSeries *s)
{
    QList<double> out;
    for (const QPointF &p : s->points()) {
        out << p.y();
    }
    return out;
}

} // namespace

class TestUiCharts : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void seriesAreOneSecondMeansOfTheSamples()
    {
        ChartsPanel panel;
        // A churning pool at 10 Hz: open jumps between 2 and 9 every sample.
        for (int i = 1; i <= 50; ++i) {
            panel.addSnapshot(snapshotAt(i * 0.1, i % 2 == 0 ? 9 : 2, i % 2 == 0 ? 2 : 0));
        }
        panel.refresh();
        const auto pts = panel.series(QStringLiteral("open"))->points();
        // A point per 0.2 s (the newest sample of each), and the newest sample ...
        QCOMPARE(pts.size(), 26);
        QCOMPARE(pts.first().x(), 0.1);
        QCOMPARE(pts[1].x(), 0.3);
        QCOMPARE(pts.last().x(), 5.0);
        // ... each the mean of the second up to it: at first of what there is so far.
        QCOMPARE(pts[0].y(), 2.0);
        QCOMPARE(pts[1].y(), 13.0 / 3);
        // Once a whole second is in, the line is flat at the mean: 5.5, not 2..9.
        for (qsizetype i = 5; i < pts.size(); ++i) {
            QVERIFY2(std::abs(pts[i].y() - 5.5) < 1e-9,
                qPrintable(QStringLiteral("%1 at %2 s").arg(pts[i].y()).arg(pts[i].x())));
        }
        QCOMPARE(ys(panel.series(QStringLiteral("waiting"))), QList<double>(26, 3.0));
        QCOMPARE(panel.windowStart(), 0.0);
        QCOMPARE(panel.windowEnd(), 60.0);
    }

    void pointsAreBucketedAtAboutOnePerPixel()
    {
        SnapshotHistory h(10000);
        for (int i = 1; i <= 6000; ++i) { // 10 minutes
            h.add(snapshotAt(i * 0.1, i % 10, 0), 2, 0);
        }
        // Never finer than 0.2 s: five points per second of one-second means.
        const ChartResolution fine = resolutionFor(60, 1000);
        QCOMPARE(fine.bucket, 0.2);
        QCOMPARE(fine.smoothing, 1.0);
        const ChartResolution coarse = resolutionFor(600, 500);
        QCOMPARE(coarse.bucket, 2.0);
        QCOMPARE(coarse.smoothing, 2.0);
        const std::vector<ChartPoint> pts = chartPoints(h, 0, 600, coarse);
        QVERIFY2(pts.size() >= 300 && pts.size() <= 302, qPrintable(QString::number(pts.size())));
        // A bucket's point is the mean of its samples: 0..9 twice = 4.5.
        QCOMPARE(pts[pts.size() / 2].open, 4.5);
        QCOMPARE(pts.back().t, 600.0);
    }

    void ratesComeFromCumulativeCounters()
    {
        ChartsPanel panel;
        EngineSnapshot s = snapshotAt(1.0, 2, 2);
        s.pool.dials = 10;
        s.pool.closesByReason[static_cast<std::size_t>(CloseReason::TooManyIdleHost)] = 8;
        s.requestsDone = 50;
        s.successes = 50;
        panel.addSnapshot(s);
        s.time = 2s;
        s.pool.dials = 30; // +20 in 1 s
        s.pool.closesByReason[static_cast<std::size_t>(CloseReason::TooManyIdleHost)] = 20; // +12
        s.pool.closesByReason[static_cast<std::size_t>(CloseReason::IdleTimeout)] = 3; // +3
        s.requestsDone = 150; // +100 finished ...
        s.successes = 120; // ... of which 70 succeeded: throughput is those only
        s.errors = 30;
        panel.addSnapshot(s);
        panel.refresh();
        // One second apart: each point's one-second mean is that sample alone.
        QCOMPARE(ys(panel.series(QStringLiteral("dials"))), QList<double>({ 10.0, 20.0 }));
        QCOMPARE(ys(panel.series(QStringLiteral("rps"))), QList<double>({ 50.0, 70.0 }));
        QCOMPARE(ys(panel.series(QStringLiteral("attempts"))), QList<double>({ 50.0, 100.0 }));
        QAreaSeries *cap = panel.closeArea(CloseReason::TooManyIdleHost);
        QAreaSeries *timeout = panel.closeArea(CloseReason::IdleTimeout);
        QVERIFY(cap->isVisible());
        QVERIFY(timeout->isVisible());
        QVERIFY(!panel.closeArea(CloseReason::BodyNotRead)->isVisible());
        QCOMPARE(ys(cap->upperSeries()), QList<double>({ 8.0, 12.0 }));
        // Idle timeouts stack on top of the per-host cap closes.
        QCOMPARE(ys(timeout->lowerSeries()), QList<double>({ 8.0, 12.0 }));
        QCOMPARE(ys(timeout->upperSeries()), QList<double>({ 8.0, 15.0 }));
        // The legend names the Go error.
        QVERIFY2(
            cap->name().contains(QStringLiteral("errTooManyIdleHost")), qPrintable(cap->name()));
    }

    void windowSlidesAndStaysBoundedAt60Seconds()
    {
        ChartsPanel panel;
        for (int i = 1; i <= 1500; ++i) { // 150 s at 10 Hz
            panel.addSnapshot(snapshotAt(i * 0.1, i % 10, 0));
        }
        panel.refresh();
        QCOMPARE(panel.windowEnd(), 150.0);
        QCOMPARE(panel.windowStart(), 90.0);
        const auto pts = panel.series(QStringLiteral("open"))->points();
        // One per 0.2 s in (90, 150] plus the one before 90 that reaches the left edge.
        QVERIFY2(pts.size() <= 303 && pts.size() >= 300, qPrintable(QString::number(pts.size())));
        QVERIFY(pts.first().x() >= 89.6 && pts.first().x() < 90.0);
        QCOMPARE(pts.last().x(), 150.0);
        // Every chart shares the same time range.
        for (int c = 0; c < ChartsPanel::kChartCount; ++c) {
            const ChartCanvas *canvas = panel.canvas(static_cast<ChartsPanel::Chart>(c));
            QCOMPARE(canvas->windowStart(), 90.0);
            QCOMPARE(canvas->windowEnd(), 150.0);
        }
    }

    void historyIsABoundedRing()
    {
        SnapshotHistory h(100);
        for (int i = 1; i <= 1000; ++i) {
            h.add(snapshotAt(i * 0.1, 1, 0), 2, 0);
        }
        QCOMPARE(h.size(), std::size_t(100));
        QCOMPARE(h.dropped(), std::uint64_t(900));
        QCOMPARE(h.at(0).t, 90.1);
        QCOMPARE(h.latest().t, 100.0);
        ChartsPanel panel;
        for (std::size_t i = 1; i <= ChartsPanel::kHistoryCapacity + 500; ++i) {
            panel.addSnapshot(snapshotAt(double(i) * 0.1, 1, 0));
        }
        QCOMPARE(panel.history().size(), ChartsPanel::kHistoryCapacity);
        QCOMPARE(panel.history().dropped(), std::uint64_t(500));
        // The user is told that the start of the run is gone.
        panel.refresh();
        QStringList labels;
        for (const QLabel *l : panel.findChildren<QLabel *>()) {
            labels << l->text();
        }
        QVERIFY2(labels.join(u'|').contains(
                     QStringLiteral("(history from 50 s: 500 older samples dropped)")),
            qPrintable(labels.join(u'|')));
        for (std::size_t i = 0; i < ChartsPanel::kMaxMarkers + 50; ++i) {
            panel.addMarker(QStringLiteral("m%1").arg(i));
        }
        QCOMPARE(panel.markerCount(), ChartsPanel::kMaxMarkers);
        // The oldest markers went: the newest is drawn.
        panel.refresh();
        QCOMPARE(panel.visibleMarkerLabels(ChartsPanel::Chart::Connections).constLast(),
            QStringLiteral("m%1").arg(ChartsPanel::kMaxMarkers + 49));
    }

    void pauseAndScrollBack()
    {
        ChartsPanel panel;
        for (int i = 1; i <= 1200; ++i) {
            panel.addSnapshot(snapshotAt(i * 0.1, i < 600 ? 1 : 9, 0));
        }
        panel.refresh();
        QCOMPARE(panel.windowEnd(), 120.0);
        panel.setPaused(true);
        for (int i = 1201; i <= 1300; ++i) {
            panel.addSnapshot(snapshotAt(i * 0.1, 5, 0));
        }
        panel.refresh();
        QCOMPARE(panel.windowEnd(), 120.0); // the view stays put while paused
        panel.scrollTo(60.0);
        QCOMPARE(panel.windowStart(), 0.0);
        // The window ends at the sample at 60.0 s, the first 9: its mean with the 1s before.
        QCOMPARE(panel.series(QStringLiteral("open"))->points().last().x(), 60.0);
        const double last = ys(panel.series(QStringLiteral("open"))).last();
        QVERIFY2(last > 1.0 && last < 2.0, qPrintable(QString::number(last)));
        QCOMPARE(ys(panel.series(QStringLiteral("open"))).first(), 1.0);
        panel.setPaused(false);
        panel.refresh();
        QCOMPARE(panel.windowEnd(), 130.0);
    }

    void limitLineAtEffectiveCap()
    {
        ChartsPanel panel;
        TransportConfig cfg = TransportConfig::goDefault(); // MaxIdleConnsPerHost 0 -> 2
        panel.setLimits(cfg.effectiveMaxIdleConnsPerHost(), cfg.maxConnsPerHost);
        panel.refresh();
        // Before a run the cap is already shown across the window.
        QCOMPARE(ys(panel.series(QStringLiteral("idleCap"))), QList<double>({ 2.0, 2.0 }));
        QVERIFY(!panel.series(QStringLiteral("connCap"))->isVisible());
        for (int i = 1; i <= 10; ++i) {
            panel.addSnapshot(snapshotAt(i * 0.1, 10, 2));
        }
        cfg.maxIdleConnsPerHost = 10;
        cfg.maxConnsPerHost = 4;
        panel.setLimits(cfg.effectiveMaxIdleConnsPerHost(), cfg.maxConnsPerHost);
        for (int i = 11; i <= 20; ++i) {
            panel.addSnapshot(snapshotAt(i * 0.1, 4, 4));
        }
        panel.refresh();
        // Not averaged: the cap in force at each point, a step at the change (1.1 s).
        QList<double> expected;
        QList<double> connExpected;
        for (const QPointF &p : panel.series(QStringLiteral("idleCap"))->points()) {
            expected << (p.x() < 1.05 ? 2.0 : 10.0);
            if (p.x() > 1.05) {
                connExpected << 4.0;
            }
        }
        QCOMPARE(expected.size(), 11);
        QCOMPARE(ys(panel.series(QStringLiteral("idleCap"))), expected);
        QVERIFY(panel.series(QStringLiteral("idleCap"))->name().contains(QStringLiteral("10")));
        QVERIFY(panel.series(QStringLiteral("connCap"))->isVisible());
        QCOMPARE(ys(panel.series(QStringLiteral("connCap"))), connExpected);
        // The y axis leaves room above the cap so the line is visible.
        auto *y = qobject_cast<QValueAxis *>(
            panel.chart(ChartsPanel::Chart::Connections)->axes(Qt::Vertical).first());
        QVERIFY(y->max() > 10.0);
    }

    void markerAppearsWithItsLabelOnEveryChart()
    {
        ChartsPanel panel;
        panel.resize(1000, 900);
        for (int i = 1; i <= 100; ++i) {
            panel.addSnapshot(snapshotAt(i * 0.1, 10, 2));
        }
        panel.addMarker(QStringLiteral("MaxIdleConnsPerHost 2 -> 10"));
        for (int i = 101; i <= 150; ++i) {
            panel.addSnapshot(snapshotAt(i * 0.1, 10, 10));
        }
        panel.refresh();
        for (int c = 0; c < ChartsPanel::kChartCount; ++c) {
            QCOMPARE(panel.visibleMarkerLabels(static_cast<ChartsPanel::Chart>(c)),
                QStringList({ QStringLiteral("MaxIdleConnsPerHost 2 -> 10") }));
        }
        // The marker sits at the time of the change (10.0 s), with its label.
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        panel.grab();
        for (int c = 0; c < ChartsPanel::kChartCount; ++c) {
            const ChartCanvas *canvas = panel.canvas(static_cast<ChartsPanel::Chart>(c));
            QCOMPARE(canvas->markers().size(), std::size_t(1));
            QCOMPARE(canvas->markers().front().t, 10.0);
            const auto labels = canvas->markerLabels();
            QCOMPARE(labels.size(), 1);
            QCOMPARE(labels.first().text, QStringLiteral("MaxIdleConnsPerHost 2 -> 10"));
        }
        // A marker that scrolled out of the window is not drawn.
        for (int i = 151; i <= 800; ++i) {
            panel.addSnapshot(snapshotAt(i * 0.1, 10, 10));
        }
        panel.refresh();
        QVERIFY(panel.visibleMarkerLabels(ChartsPanel::Chart::Kernel).isEmpty());
    }

    void kernelChartSaysWhyItIsEmpty()
    {
        ChartsPanel panel;
        panel.refresh();
        QVERIFY(panel.kernelNote().contains(QStringLiteral("once a run starts")));
        EngineSnapshot s = snapshotAt(0.1, 1, 0);
        panel.addSnapshot(s);
        panel.refresh();
        QVERIFY2(panel.kernelNote().contains(QStringLiteral("Waiting for the kernel view")),
            qPrintable(panel.kernelNote()));
        s.time = 200ms;
        s.kernel.unavailableReason = QStringLiteral("netlink: permission denied");
        panel.addSnapshot(s);
        panel.refresh();
        QCOMPARE(panel.kernelNote(),
            QStringLiteral("Kernel view unavailable: netlink: permission denied"));
        s.time = 300ms;
        s.kernel.available = true;
        s.kernel.counts.byState[static_cast<std::size_t>(TcpState::TimeWait)] = 42;
        panel.addSnapshot(s);
        panel.refresh();
        QVERIFY(panel.kernelNote().isEmpty());
        // Drawn only from the samples that had a kernel view.
        QCOMPARE(ys(panel.series(QStringLiteral("timeWait"))), QList<double>({ 42.0 }));
    }

    void newRunClearsHistory()
    {
        ChartsPanel panel;
        for (int i = 1; i <= 30; ++i) {
            panel.addSnapshot(snapshotAt(i * 0.1, 3, 1));
        }
        panel.addMarker(QStringLiteral("old"));
        panel.addSnapshot(snapshotAt(0.1, 7, 1)); // clock went back: a new run
        panel.refresh();
        QCOMPARE(panel.history().size(), std::size_t(1));
        QCOMPARE(ys(panel.series(QStringLiteral("open"))), QList<double>({ 7.0 }));
        QCOMPARE(panel.markerCount(), std::size_t(0));
        for (int c = 0; c < ChartsPanel::kChartCount; ++c) {
            QVERIFY(panel.canvas(static_cast<ChartsPanel::Chart>(c))->markers().empty());
        }
    }

    void screenshot()
    {
        ChartsPanel panel;
        panel.resize(1100, 900);
        panel.setLimits(2, 0);
        std::uint64_t dials = 0;
        std::uint64_t closes = 0;
        std::uint64_t reqs = 0;
        for (int i = 1; i <= 450; ++i) {
            const bool fixed = i > 300;
            EngineSnapshot s = snapshotAt(i * 0.1, fixed ? 10 : 2 + i % 9, fixed ? 3 + i % 7 : 2);
            dials += fixed ? 0 : 8;
            closes += fixed ? 0 : 8;
            reqs += 90;
            s.pool.dials = dials;
            s.pool.closesByReason[static_cast<std::size_t>(CloseReason::TooManyIdleHost)] = closes;
            s.requestsDone = reqs;
            s.successes = reqs;
            s.latencyWindow = { 1.2, 1.6, 2.5 + (i % 5) * 0.2, 4, 90 };
            s.kernel.available = true;
            s.kernel.counts.byState[static_cast<std::size_t>(TcpState::TimeWait)]
                = static_cast<int>(std::min<std::uint64_t>(closes, 3000));
            s.kernel.counts.byState[static_cast<std::size_t>(TcpState::Established)]
                = fixed ? 10 : 4;
            if (i == 301) {
                panel.setLimits(10, 0);
                panel.addMarker(QStringLiteral("MaxIdleConnsPerHost 2 -> 10"));
            }
            panel.addSnapshot(s);
        }
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        panel.refresh();
        // One time, one x position: the plot areas line up across the charts.
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                QCoreApplication::processEvents();
                panel.refresh();
                const QRectF first = panel.chart(ChartsPanel::Chart::Connections)->plotArea();
                for (int c = 1; c < ChartsPanel::kChartCount; ++c) {
                    const QRectF r = panel.chart(static_cast<ChartsPanel::Chart>(c))->plotArea();
                    if (std::abs(r.left() - first.left()) > 1
                        || std::abs(r.right() - first.right()) > 1) {
                        return false;
                    }
                }
                return true;
            }(),
            5000);
        saveShot(&panel, "charts");
    }
};

QTEST_MAIN(TestUiCharts)
#include "tst_ui_charts.moc"
