// The connections chart counts HTTP/2 streams as well as connections, and only for a run
// that had an h2 connection: the window's own presets against its embedded server, a real
// run each (a few seconds), read off the chart's series and legend as a user sees them.
// The idle cap (MaxIdleConnsPerHost) line goes with HTTP/1.1: not drawn when every
// connection of the run is an h2 one.
#include "chart_legend.h"
#include "charts_panel.h"
#include "main_window.h"

#include <QAbstractButton>
#include <QLineSeries>
#include <QTest>

using namespace poolscope;
using namespace std::chrono_literals;

namespace {

const QStringList kStreamSeries { QStringLiteral("h2Streams"), QStringLiteral("h2MaxPerConn"),
    QStringLiteral("h2MeanPerConn"), QStringLiteral("h2Waiting") };

constexpr std::uint64_t kMinResponses = 50;

double maxY(const QXYSeries *s)
{
    double m = 0;
    for (int i = 0; i < s->count(); ++i) {
        m = std::max(m, s->at(i).y());
    }
    return m;
}

// Loads `preset`, runs it until the engine's clock passes `seconds` and some responses came
// back, stops it and redraws.
bool runPreset(MainWindow &w, const QString &preset, std::chrono::seconds seconds)
{
    if (!w.loadPreset(preset)) {
        return false;
    }
    w.startRun();
    // The previous run's snapshots (its engine lingers after the stop) come until this run's
    // first one arrives: wait for this run's clock to start, then to pass `seconds` with
    // responses to show (on a loaded machine the first TLS handshakes can take seconds).
    const bool started = QTest::qWaitFor([&] { return w.lastSnapshot().time < 1s; }, 30000);
    const auto enough = [&] {
        return w.lastSnapshot().time >= seconds && w.lastSnapshot().responses >= kMinResponses;
    };
    if (!started || !QTest::qWaitFor(enough, 60000)) {
        return false;
    }
    w.stopRun();
    w.charts()->refresh();
    return true;
}

bool legendShows(ChartsPanel *charts, const QString &key)
{
    const ChartLegend *legend = charts->legend(ChartsPanel::Chart::Connections);
    const QAbstractButton *b = legend->entry(key);
    return b != nullptr && b->isVisibleTo(legend);
}

// The texts of the connections chart's legend entries a user sees.
QStringList legendTexts(ChartsPanel *charts)
{
    const ChartLegend *legend = charts->legend(ChartsPanel::Chart::Connections);
    QStringList texts;
    for (const QAbstractButton *b : legend->findChildren<QAbstractButton *>()) {
        if (b->isVisibleTo(legend)) {
            texts << b->text();
        }
    }
    return texts;
}

} // namespace

class TestUiH2Streams : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // Ten workers over HTTP/2 to the embedded server: one connection carries every request,
    // so streams are what moves. The stream series are drawn and have points above zero;
    // streams per connection never exceed the streams in all.
    void h2RunDrawsTheStreamSeries()
    {
        MainWindow w;
        QVERIFY(runPreset(w, QStringLiteral("https-http2"), 3s));
        QVERIFY2(w.lastSnapshot().h2.connsEver > 0, "the run had no h2 connection");
        ChartsPanel *charts = w.charts();
        for (const QString &key : kStreamSeries) {
            const QXYSeries *s = charts->series(key);
            QVERIFY2(s != nullptr, qPrintable(key));
            QVERIFY2(s->isVisible(), qPrintable(key));
            QVERIFY2(s->count() > 0, qPrintable(key));
            QVERIFY2(legendShows(charts, key), qPrintable(key));
        }
        const double streams = maxY(charts->series(QStringLiteral("h2Streams")));
        QVERIFY2(streams > 0, qPrintable(QString::number(streams)));
        QVERIFY(maxY(charts->series(QStringLiteral("h2MaxPerConn"))) > 0);
        QVERIFY(maxY(charts->series(QStringLiteral("h2MaxPerConn"))) <= streams + 1e-9);
        // Ten workers: at most ten requests, so at most ten streams, are in flight.
        QVERIFY2(streams <= 10.0 + 1e-9, qPrintable(QString::number(streams)));
        QVERIFY(w.lastSnapshot().h2.peakStreams <= 10);
        // Every response came over h2: Go's h2 pool ignores MaxIdleConnsPerHost, so the
        // chart draws no idle cap line and its legend has no entry for it.
        QCOMPARE(
            w.lastSnapshot().responsesByProto[std::size_t(HttpProto::Http11)], std::uint64_t { 0 });
        QVERIFY(!charts->series(QStringLiteral("idleCap"))->isVisible());
        QVERIFY(!legendShows(charts, QStringLiteral("idleCap")));
        QVERIFY(!legendTexts(charts).join(u'|').contains(QStringLiteral("idle cap")));
    }

    // The same load with HTTP/2 off: HTTP/1.1 only, and no stream series or legend entry.
    void http11RunHasNoStreamSeries()
    {
        MainWindow w;
        QVERIFY(runPreset(w, QStringLiteral("https-http2-off"), 2s));
        QCOMPARE(w.lastSnapshot().h2.connsEver, std::uint64_t { 0 });
        QVERIFY(w.lastSnapshot().responses > 0);
        ChartsPanel *charts = w.charts();
        for (const QString &key : kStreamSeries) {
            const QXYSeries *s = charts->series(key);
            QVERIFY2(s != nullptr, qPrintable(key));
            QVERIFY2(!s->isVisible(), qPrintable(key));
            QVERIFY2(!legendShows(charts, key), qPrintable(key));
        }
        QVERIFY(charts->series(QStringLiteral("open"))->isVisible());
        // HTTP/1.1: the idle cap is the pool's limit, drawn and named in the legend.
        QVERIFY(charts->series(QStringLiteral("idleCap"))->isVisible());
        QVERIFY(legendShows(charts, QStringLiteral("idleCap")));
        QVERIFY2(legendTexts(charts).join(u'|').contains(QStringLiteral("idle cap ")),
            qPrintable(legendTexts(charts).join(u'|')));
    }

    // An h2 run and then an HTTP/1.1 one in the same window: the new run takes the stream
    // series away again.
    void streamSeriesLeaveWithTheH2Run()
    {
        MainWindow w;
        QVERIFY(runPreset(w, QStringLiteral("https-http2"), 2s));
        QVERIFY(w.charts()->series(QStringLiteral("h2Streams"))->isVisible());
        QVERIFY(runPreset(w, QStringLiteral("https-http2-off"), 2s));
        QCOMPARE(w.lastSnapshot().h2.connsEver, std::uint64_t { 0 }); // this run's figures
        QVERIFY(!w.charts()->series(QStringLiteral("h2Streams"))->isVisible());
        QVERIFY(!legendShows(w.charts(), QStringLiteral("h2Streams")));
        QVERIFY(w.charts()->series(QStringLiteral("idleCap"))->isVisible()); // back with HTTP/1.1
        QVERIFY(legendShows(w.charts(), QStringLiteral("idleCap")));
    }
};

QTEST_MAIN(TestUiH2Streams)
#include "tst_ui_h2_streams.moc"
