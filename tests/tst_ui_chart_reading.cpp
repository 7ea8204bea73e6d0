// Charts that read at a glance: one-second means with the limits on top, a
// scale that fits the data, distinct colours, a readout for every series,
// legend entries that toggle, the whole run on demand, and no latency drawn
// where nothing completed.
#include "chart_canvas.h"
#include "chart_legend.h"
#include "chart_palette.h"
#include "charts_panel.h"
#include "support/save_shot.h"

#include <QAbstractButton>
#include <QAreaSeries>
#include <QChart>
#include <QLineSeries>
#include <QTest>
#include <QValueAxis>

using namespace poolscope;
using testsupport::saveShot;

namespace {

constexpr ChartsPanel::Chart kCharts[] = { ChartsPanel::Chart::Connections,
    ChartsPanel::Chart::DialsCloses, ChartsPanel::Chart::Kernel, ChartsPanel::Chart::Latency };

struct Feed
{
    int open = 5;
    int idle = 2;
    bool churn = false; // open jumps 2..11 from one 10 Hz sample to the next
    bool responses = true;
};

void feed(ChartsPanel &panel, double from, double to, const Feed &f = {})
{
    for (int i = static_cast<int>(from * 10) + 1; i <= static_cast<int>(to * 10); ++i) {
        EngineSnapshot s;
        s.time = std::chrono::duration_cast<TimePoint>(std::chrono::duration<double>(i * 0.1));
        s.running = true;
        const int open = f.churn ? 2 + (i * 3) % 10 : f.open;
        s.pool.now.idle = std::min(open, f.idle);
        s.pool.now.active = open - s.pool.now.idle;
        const auto counter = static_cast<std::uint64_t>(i) * 80; // 800/s
        s.pool.dials = counter;
        s.pool.closesByReason[static_cast<std::size_t>(CloseReason::TooManyIdleHost)] = counter;
        s.pool.closesByReason[static_cast<std::size_t>(CloseReason::IdleTimeout)] = counter / 4;
        s.requestsDone = counter * 2;
        s.successes = s.requestsDone;
        if (f.responses) {
            s.latencyWindow = { 1.0, 1.5, 3.0, 4, 100 };
        }
        s.kernel.available = true;
        s.kernel.counts.byState[static_cast<std::size_t>(TcpState::Established)] = open;
        s.kernel.counts.byState[static_cast<std::size_t>(TcpState::TimeWait)] = i;
        panel.addSnapshot(s);
    }
}

bool near(QRgb a, QRgb b, int tolerance = 40)
{
    return std::abs(qRed(a) - qRed(b)) < tolerance && std::abs(qGreen(a) - qGreen(b)) < tolerance
        && std::abs(qBlue(a) - qBlue(b)) < tolerance;
}

// Pixels of a colour inside rect of the canvas as drawn now.
int pixelsOf(ChartCanvas *canvas, QRgb color, const QRectF &rect)
{
    const QImage img = canvas->grab().toImage().convertToFormat(QImage::Format_RGB32);
    const QRect r = rect.toAlignedRect().intersected(img.rect());
    int n = 0;
    for (int y = r.top(); y <= r.bottom(); ++y) {
        const auto *row = reinterpret_cast<const QRgb *>(img.constScanLine(y));
        for (int x = r.left(); x <= r.right(); ++x) {
            n += near(row[x], color) ? 1 : 0;
        }
    }
    return n;
}

double xOf(const ChartCanvas *c, double t)
{
    const QRectF plot = c->chart()->plotArea();
    return plot.left()
        + (t - c->windowStart()) / (c->windowEnd() - c->windowStart()) * plot.width();
}

double yOf(const ChartCanvas *c, double v)
{
    const QRectF plot = c->chart()->plotArea();
    return plot.bottom() - v / c->yAxis()->max() * plot.height();
}

void show(ChartsPanel &panel)
{
    panel.resize(1000, 900);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    panel.refresh();
    panel.grab();
}

} // namespace

class TestUiChartReading : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void connectionsAreOneSecondMeansUnderTheCap()
    {
        ChartsPanel panel;
        panel.setLimits(2, 0);
        feed(panel, 0, 30, { 5, 2, true, true });
        show(panel);
        saveShot(&panel, "chart_reading_storm");
        // Raw samples jump 2..11; the drawn line of their one-second means barely moves.
        const auto open = panel.series(QStringLiteral("open"))->points();
        double lo = 1e9;
        double hi = 0;
        for (const QPointF &p : open) {
            if (p.x() > 2) {
                lo = std::min(lo, p.y());
                hi = std::max(hi, p.y());
            }
        }
        QVERIFY2(
            hi - lo < 1.5, qPrintable(QStringLiteral("drawn open spans %1..%2").arg(lo).arg(hi)));
        // idle sits at the cap of 2 the whole time: the dashed cap line is drawn
        // over it, so its red shows along that row instead of the idle line's orange.
        ChartCanvas *canvas = panel.canvas(ChartsPanel::Chart::Connections);
        const double y = yOf(canvas, 2.0);
        const QRectF row(xOf(canvas, 5), y - 1, xOf(canvas, 25) - xOf(canvas, 5), 3);
        const int red = pixelsOf(canvas, chart_palette::kRed, row);
        QVERIFY2(red > row.width() / 3, qPrintable(QStringLiteral("%1 red pixels").arg(red)));
    }

    void theScaleFitsTheDataNotAFarLimit()
    {
        ChartsPanel panel;
        panel.setLimits(100, 0);
        feed(panel, 0, 20, { 10, 3, false, true });
        show(panel);
        const QValueAxis *y = panel.canvas(ChartsPanel::Chart::Connections)->yAxis();
        // Ten connections fill the chart; the cap of 100 is named at the top instead.
        QVERIFY2(y->max() >= 10 && y->max() <= 15, qPrintable(QString::number(y->max())));
        QCOMPARE(panel.offScaleNotes(),
            QStringList({ QStringLiteral("MaxIdleConnsPerHost 100 ↑ above the scale") }));
        saveShot(&panel, "chart_reading_off_scale");
        // The entry naming the new cap has the room for its longer text at once.
        QAbstractButton *cap
            = panel.legend(ChartsPanel::Chart::Connections)->entry(QStringLiteral("idleCap"));
        QCOMPARE(cap->text(), QStringLiteral("idle cap 100"));
        QVERIFY(cap->width() >= cap->sizeHint().width());

        ChartsPanel near;
        near.setLimits(12, 0);
        feed(near, 0, 20, { 10, 3, false, true });
        show(near);
        QVERIFY(near.canvas(ChartsPanel::Chart::Connections)->yAxis()->max() >= 12);
        QVERIFY(near.offScaleNotes().isEmpty());
    }

    void coloursAreDistinctAndCloseReasonsComeFromTheTable()
    {
        ChartsPanel panel;
        for (ChartsPanel::Chart c : kCharts) {
            const ChartCanvas *canvas = panel.canvas(c);
            for (int i = 0; i < canvas->traceCount(); ++i) {
                for (int j = i + 1; j < canvas->traceCount(); ++j) {
                    const ChartCanvas::Trace &a = canvas->trace(i);
                    const ChartCanvas::Trace &b = canvas->trace(j);
                    if (a.area && b.area) {
                        continue; // close reasons: the table's colours, checked below
                    }
                    QVERIFY2(!near(a.color.rgb(), b.color.rgb(), 60) || a.style != b.style,
                        qPrintable(QStringLiteral("%1 and %2 look alike").arg(a.key, b.key)));
                }
            }
        }
        const ChartCanvas *dc = panel.canvas(ChartsPanel::Chart::DialsCloses);
        for (int r = 1; r < kCloseReasonCount; ++r) {
            const CloseReasonInfo &info = closeReasonInfo(static_cast<CloseReason>(r));
            const int i
                = dc->traceIndex(QStringLiteral("close:%1").arg(QString::fromUtf8(info.key)));
            QVERIFY(i >= 0);
            QCOMPARE(dc->trace(i).color.rgb() & 0xffffff, info.rgb);
        }
    }

    void everySeriesHasAReadout()
    {
        ChartsPanel panel;
        panel.setLimits(2, 4);
        feed(panel, 0, 30);
        show(panel);
        for (ChartsPanel::Chart c : kCharts) {
            const ChartCanvas *canvas = panel.canvas(c);
            const QRectF plot = canvas->chart()->plotArea();
            const QStringList readout
                = canvas->readoutAt(QPointF(xOf(canvas, 15), plot.center().y()));
            QVERIFY2(readout.value(0).startsWith(QStringLiteral("at 15.")),
                qPrintable(readout.join(u'|')));
            for (int i = 0; i < canvas->traceCount(); ++i) {
                const ChartCanvas::Trace &tr = canvas->trace(i);
                if (!tr.shown) {
                    continue;
                }
                const QString prefix = tr.name + QStringLiteral(": ");
                const auto row = std::find_if(readout.cbegin(), readout.cend(),
                    [&](const QString &s) { return s.startsWith(prefix); });
                QVERIFY2(row != readout.cend() && !row->endsWith(QStringLiteral("–")),
                    qPrintable(
                        QStringLiteral("no value for %1 in %2").arg(tr.name, readout.join(u'|'))));
            }
        }
        // Values as drawn: 5 open, the close reasons' own rates (not their stacked tops).
        const QStringList conn
            = panel.canvas(ChartsPanel::Chart::Connections)
                  ->readoutAt(QPointF(xOf(panel.canvas(ChartsPanel::Chart::Connections), 15), 50));
        QVERIFY2(conn.contains(QStringLiteral("open: 5")), qPrintable(conn.join(u'|')));
        QVERIFY2(conn.contains(QStringLiteral("MaxConnsPerHost: 4")), qPrintable(conn.join(u'|')));
        const ChartCanvas *dc = panel.canvas(ChartsPanel::Chart::DialsCloses);
        const QStringList closes = dc->readoutAt(QPointF(xOf(dc, 15), 50));
        QVERIFY2(closes.contains(QStringLiteral("idle pool full (per host): 800.0/s")),
            qPrintable(closes.join(u'|')));
        QVERIFY2(closes.contains(QStringLiteral("idle timeout: 200.0/s")),
            qPrintable(closes.join(u'|')));
    }

    void legendEntriesToggleSeriesAndTakeLittleWidth()
    {
        ChartsPanel panel;
        panel.setLimits(10, 0);
        feed(panel, 0, 30, { 8, 4, false, true });
        show(panel);
        ChartCanvas *canvas = panel.canvas(ChartsPanel::Chart::Connections);
        const QRectF plot = canvas->chart()->plotArea();
        // The legend sits in the header: the plot keeps the chart's width.
        QVERIFY2(plot.width() > canvas->width() * 0.85, qPrintable(QString::number(plot.width())));
        QVERIFY(pixelsOf(canvas, chart_palette::kOrange, plot) > 100);

        QAbstractButton *idle
            = panel.legend(ChartsPanel::Chart::Connections)->entry(QStringLiteral("idle"));
        QVERIFY(idle && idle->isChecked());
        QTest::mouseClick(idle, Qt::LeftButton);
        QVERIFY(!idle->isChecked());
        QVERIFY(!panel.series(QStringLiteral("idle"))->isVisible());
        QCOMPARE(pixelsOf(canvas, chart_palette::kOrange, plot), 0);
        const QStringList readout = canvas->readoutAt(plot.center());
        QVERIFY(std::none_of(readout.cbegin(), readout.cend(),
            [](const QString &s) { return s.startsWith(QStringLiteral("idle:")); }));
        saveShot(&panel, "chart_reading_idle_hidden");

        QTest::mouseClick(idle, Qt::LeftButton);
        QVERIFY(panel.series(QStringLiteral("idle"))->isVisible());
        QVERIFY(pixelsOf(canvas, chart_palette::kOrange, plot) > 100);

        // A close reason's entry hides its band, and the others restack.
        QAbstractButton *timeout = panel.legend(ChartsPanel::Chart::DialsCloses)
                                       ->entry(QStringLiteral("close:idle_timeout"));
        QVERIFY(timeout && !timeout->isHidden());
        QVERIFY(!panel.legend(ChartsPanel::Chart::DialsCloses)
                     ->entry(QStringLiteral("close:body_not_read"))
                     ->isVisibleTo(&panel)); // never happened: no entry
        QTest::mouseClick(timeout, Qt::LeftButton);
        QVERIFY(!panel.closeArea(CloseReason::IdleTimeout)->isVisible());
        QVERIFY(panel.closeArea(CloseReason::TooManyIdleHost)->isVisible());
    }

    void zoomsOutToTheWholeRun()
    {
        ChartsPanel panel;
        feed(panel, 0, 600); // ten minutes
        panel.addMarkerAt(30, QStringLiteral("MaxIdleConnsPerHost 0 (=2) -> 10"));
        show(panel);
        QCOMPARE(panel.windowStart(), 540.0);
        QVERIFY(panel.visibleMarkerLabels(ChartsPanel::Chart::Kernel).isEmpty());
        panel.setSpan(ChartsPanel::Span::WholeRun);
        panel.grab();
        QCOMPARE(panel.windowStart(), 0.0);
        QCOMPARE(panel.windowEnd(), 600.0);
        QCOMPARE(panel.visibleMarkerLabels(ChartsPanel::Chart::Kernel).size(), 1);
        const ChartCanvas *canvas = panel.canvas(ChartsPanel::Chart::Kernel);
        const auto tw = panel.series(QStringLiteral("timeWait"))->points();
        QVERIFY2(tw.size() <= canvas->chart()->plotArea().width() + 2,
            qPrintable(QString::number(tw.size())));
        QVERIFY(tw.first().x() <= 1.0);
        QCOMPARE(tw.last().x(), 600.0);
        saveShot(&panel, "chart_reading_whole_run");
        panel.setSpan(ChartsPanel::Span::FiveMinutes);
        QCOMPARE(panel.windowStart(), 300.0);

        // The history is a bounded ring: the whole run is what it still holds.
        ChartsPanel longRun;
        feed(longRun, 0, 3700);
        longRun.setSpan(ChartsPanel::Span::WholeRun);
        show(longRun);
        QCOMPARE(longRun.history().size(), ChartsPanel::kHistoryCapacity);
        QCOMPARE(longRun.windowStart(), longRun.history().at(0).t);
        QCOMPARE(longRun.windowEnd(), 3700.0);
        QVERIFY(longRun.series(QStringLiteral("open"))->count()
            <= longRun.canvas(ChartsPanel::Chart::Connections)->chart()->plotArea().width() + 2);
    }

    void latencyIsNotDrawnWhereNothingCompleted()
    {
        ChartsPanel panel;
        feed(panel, 0, 10);
        feed(panel, 10, 20, { 5, 2, false, false }); // every request fails
        feed(panel, 20, 25);
        show(panel);
        saveShot(&panel, "chart_reading_latency_gap");
        for (const char *name : { "p50", "p99" }) {
            const auto pts = panel.series(QString::fromLatin1(name))->points();
            for (const QPointF &p : pts) {
                QVERIFY2(p.x() <= 11.0 || p.x() > 20.0,
                    qPrintable(
                        QStringLiteral("%1 drawn at %2 s").arg(QLatin1String(name)).arg(p.x())));
            }
            QVERIFY(pts.last().x() == 25.0);
        }
        ChartCanvas *canvas = panel.canvas(ChartsPanel::Chart::Latency);
        const QRectF plot = canvas->chart()->plotArea();
        const QRectF gap(
            xOf(canvas, 12), plot.top(), xOf(canvas, 19) - xOf(canvas, 12), plot.height());
        QCOMPARE(pixelsOf(canvas, chart_palette::kGreen, gap), 0); // p50
        QVERIFY(pixelsOf(canvas, chart_palette::kBlue, gap) > 0); // requests still finish
        const QStringList readout = canvas->readoutAt(QPointF(xOf(canvas, 15), plot.center().y()));
        QVERIFY2(readout.contains(QStringLiteral("p50: –")), qPrintable(readout.join(u'|')));
        QVERIFY(canvas->note().isEmpty());

        // Nothing completes at all (a refused port): the chart says so.
        ChartsPanel failing;
        feed(failing, 0, 10, { 0, 0, false, false });
        show(failing);
        QVERIFY(failing.series(QStringLiteral("p99"))->points().isEmpty());
        QVERIFY2(failing.canvas(ChartsPanel::Chart::Latency)
                     ->note()
                     .contains(QStringLiteral("No response")),
            qPrintable(failing.canvas(ChartsPanel::Chart::Latency)->note()));
    }
};

QTEST_MAIN(TestUiChartReading)
#include "tst_ui_chart_reading.moc"
