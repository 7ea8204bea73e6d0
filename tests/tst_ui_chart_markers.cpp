// Configuration markers: labels that never overprint, the full text on hover,
// and nothing left on screen once the run they belong to is gone.
#include "chart_canvas.h"
#include "chart_palette.h"
#include "charts_panel.h"
#include "support/save_shot.h"

#include <QChart>
#include <QTest>

using namespace poolscope;
using testsupport::saveShot;

namespace {

constexpr ChartsPanel::Chart kCharts[] = { ChartsPanel::Chart::Connections,
    ChartsPanel::Chart::DialsCloses, ChartsPanel::Chart::Kernel, ChartsPanel::Chart::Latency };

void feed(ChartsPanel &panel, double fromSeconds, double toSeconds)
{
    for (int i = static_cast<int>(fromSeconds * 10) + 1; i <= static_cast<int>(toSeconds * 10);
         ++i) {
        EngineSnapshot s;
        s.time = std::chrono::duration_cast<TimePoint>(std::chrono::duration<double>(i * 0.1));
        s.running = true;
        s.pool.now.active = 3;
        s.pool.now.idle = 2;
        s.pool.dials = static_cast<std::uint64_t>(i) * 5;
        s.requestsDone = static_cast<std::uint64_t>(i) * 100;
        s.successes = s.requestsDone;
        s.latencyWindow = { 1.0, 1.5, 3.0, 4, 100 };
        s.kernel.available = true;
        s.kernel.counts.byState[static_cast<std::size_t>(TcpState::Established)] = 5;
        panel.addSnapshot(s);
    }
}

// Pixels in the marker's colours (line and label text), antialiasing allowed for.
int markerPixels(const QImage &image)
{
    const QImage img = image.convertToFormat(QImage::Format_RGB32);
    int n = 0;
    for (int y = 0; y < img.height(); ++y) {
        const auto *row = reinterpret_cast<const QRgb *>(img.constScanLine(y));
        for (int x = 0; x < img.width(); ++x) {
            for (QRgb c : { chart_palette::kMarker, chart_palette::kMarkerText }) {
                if (std::abs(qRed(row[x]) - qRed(c)) < 30
                    && std::abs(qGreen(row[x]) - qGreen(c)) < 30
                    && std::abs(qBlue(row[x]) - qBlue(c)) < 30) {
                    ++n;
                    break;
                }
            }
        }
    }
    return n;
}

int markerPixels(ChartsPanel &panel)
{
    int n = 0;
    for (ChartsPanel::Chart c : kCharts) {
        n += markerPixels(panel.canvas(c)->grab().toImage());
    }
    return n;
}

QPointF onMarker(const ChartCanvas *canvas, double t)
{
    const QRectF plot = canvas->chart()->plotArea();
    const double x = plot.left()
        + (t - canvas->windowStart()) / (canvas->windowEnd() - canvas->windowStart())
            * plot.width();
    return { x, plot.center().y() };
}

} // namespace

class TestUiChartMarkers : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void nearMarkersNeverOverprint()
    {
        ChartsPanel panel;
        panel.resize(1000, 800);
        feed(panel, 0, 59);
        const QStringList texts = {
            QStringLiteral("MaxIdleConnsPerHost 0 (=2) -> 10"),
            QStringLiteral("IdleConnTimeout 90 s -> 5 s"),
            QStringLiteral("workers 10 -> 50"),
            QStringLiteral("think time 5 ms -> 1 ms"),
            QStringLiteral("server latency 0 ms -> 200 ms"),
            QStringLiteral("MaxConnsPerHost 0 -> 4"),
            QStringLiteral("DisableKeepAlives off -> on"),
        };
        const double times[] = { 10.0, 10.3, 10.6, 11.0, 11.5, 12.0, 58.5 };
        for (int i = 0; i < texts.size(); ++i) {
            panel.addMarkerAt(times[i], texts[i]);
        }
        panel.addMarkerAt(30,
            QStringLiteral("a marker whose text is far too long to fit into "
                           "any reasonable space on a narrow chart at all"));
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        panel.refresh();
        panel.grab();
        saveShot(&panel, "chart_markers");
        for (ChartsPanel::Chart c : kCharts) {
            const ChartCanvas *canvas = panel.canvas(c);
            const QRectF plot = canvas->chart()->plotArea();
            const auto labels = canvas->markerLabels();
            QStringList members;
            for (int i = 0; i < labels.size(); ++i) {
                QVERIFY2(plot.contains(labels[i].rect),
                    qPrintable(QStringLiteral("\"%1\" leaves the plot").arg(labels[i].text)));
                for (int j = i + 1; j < labels.size(); ++j) {
                    QVERIFY2(!labels[i].rect.intersects(labels[j].rect),
                        qPrintable(QStringLiteral("\"%1\" overprints \"%2\"")
                                       .arg(labels[i].text, labels[j].text)));
                }
                members << labels[i].members;
                // A label standing for several says how many more.
                if (labels[i].members.size() > 1) {
                    QVERIFY(labels[i].text.endsWith(
                        QStringLiteral(" +%1").arg(labels[i].members.size() - 1)));
                }
            }
            // Every marker is accounted for, staggered or merged.
            QCOMPARE(members.size(), texts.size() + 1);
            // Staggered into rows before anything is merged.
            QVERIFY(labels.size() >= 3);
            // The marker near the right edge is labelled to the left of its line.
            const auto last = std::find_if(
                labels.cbegin(), labels.cend(), [&](const ChartCanvas::MarkerLabel &l) {
                    return l.members.contains(texts.last());
                });
            QVERIFY(last != labels.cend());
            QVERIFY(last->leftOfLine);
            QCOMPARE(last->text, texts.last());
        }
    }

    void hoverReadsOutTheMarkerInFull()
    {
        ChartsPanel panel;
        panel.resize(600, 800); // narrow: the long label is cut short on the chart
        feed(panel, 0, 50);
        const QString text = QStringLiteral("a marker whose text is far too long to fit into "
                                            "any reasonable space on a narrow chart at all");
        panel.addMarkerAt(20, text);
        panel.addMarkerAt(20.2, QStringLiteral("workers 10 -> 50"));
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        panel.refresh();
        panel.grab();
        ChartCanvas *canvas = panel.canvas(ChartsPanel::Chart::Kernel);
        QVERIFY(canvas->markerLabels().first().text != text);
        const QStringList readout = canvas->readoutAt(onMarker(canvas, 20));
        QVERIFY2(readout.join(u'\n').contains(text), qPrintable(readout.join(u'\n')));
        QVERIFY2(readout.join(u'\n').contains(QStringLiteral("workers 10 -> 50")),
            qPrintable(readout.join(u'\n')));
        // Away from the markers, the readout does not mention them.
        const QStringList away = canvas->readoutAt(onMarker(canvas, 40));
        QVERIFY(!away.join(u'\n').contains(text));

        // The mouse there draws the readout, and a crosshair on the other charts.
        const QImage before = panel.canvas(ChartsPanel::Chart::Connections)->grab().toImage();
        const QImage hoveredBefore = canvas->grab().toImage();
        QTest::mouseMove(canvas, onMarker(canvas, 20).toPoint());
        QTRY_VERIFY(canvas->grab().toImage() != hoveredBefore);
        QVERIFY(panel.canvas(ChartsPanel::Chart::Connections)->grab().toImage() != before);
        saveShot(canvas, "chart_marker_hover");
    }

    void markersAreNeverLeftBehind()
    {
        ChartsPanel panel;
        panel.resize(1000, 800);
        feed(panel, 0, 30);
        panel.addMarkerAt(10, QStringLiteral("MaxIdleConnsPerHost 0 (=2) -> 10"));
        panel.addMarkerAt(25, QStringLiteral("workers 10 -> 50"));
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        panel.refresh();
        QVERIFY(markerPixels(panel) > 400); // four charts, two lines and labels each

        // A new run: the engine's clock starts again, and the old markers go.
        feed(panel, 0, 5);
        panel.refresh();
        QCOMPARE(panel.markerCount(), std::size_t(0));
        QCOMPARE(markerPixels(panel), 0);

        panel.addMarkerAt(3, QStringLiteral("think time 5 ms -> 1 ms"));
        panel.refresh();
        QVERIFY(markerPixels(panel) > 100);
        panel.clear(); // Stop + Reset, or a new preset
        QCOMPARE(markerPixels(panel), 0);
        for (ChartsPanel::Chart c : kCharts) {
            QVERIFY(panel.canvas(c)->markers().empty());
            QVERIFY(panel.canvas(c)->markerLabels().isEmpty());
        }
    }
};

QTEST_MAIN(TestUiChartMarkers)
#include "tst_ui_chart_markers.moc"
