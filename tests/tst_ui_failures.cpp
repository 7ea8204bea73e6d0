// Failures never pass for throughput: what the window shows when most requests fail (a
// refused port, a certificate nobody trusts), and that Stop, Reset and a preset clear it.
#include "charts_panel.h"
#include "main_window.h"
#include "scenario/presets.h"
#include "support/refused_port.h"

#include <QLabel>
#include <QLineSeries>
#include <QStatusBar>
#include <QTcpServer>
#include <QTest>

using namespace poolscope;
using namespace std::chrono_literals;

using poolscope::testsupport::refusedPort;

namespace {

double maxY(const QXYSeries *s)
{
    double m = 0;
    for (int i = 0; i < s->count(); ++i) {
        m = std::max(m, s->at(i).y());
    }
    return m;
}

// Every knob as the window would take it, for a run against `url` that stops on its own.
Preset failingScenario()
{
    Preset p = *findPreset(u"time-wait-storm");
    p.id = QStringLiteral("failing");
    p.load.duration = 60s;
    p.load.stopWhenFailing = Duration::zero(); // the banner, not the stop, is under test
    return p;
}

} // namespace

class TestUiFailures : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // The status bar's req/s is over the last second, as the chart's line: one worker
    // against a 100 ms server finishes about 10 requests a second, so every 100 ms snapshot
    // window holds 0, 1 or 2 of them (0, 10 or 20 req/s when the bar showed the last one).
    void statusThroughputIsOverTheLastSecond()
    {
        Preset p = failingScenario();
        p.load.workers = 1;
        p.load.think = Duration::zero();
        p.server.latency = 100ms;
        MainWindow w;
        w.setConfirmHandler([](const QString &, const QStringList &) { return true; });
        w.resize(1280, 720);
        w.show();
        w.loadScenario(p);
        w.startRun();
        QTRY_VERIFY_WITH_TIMEOUT(w.lastSnapshot().time >= 1500ms, 15000);
        const QLabel *rps = w.findChild<QLabel *>(QStringLiteral("status_rps"));
        QVERIFY(rps != nullptr);
        QStringList seen;
        const auto until = std::chrono::steady_clock::now() + 1200ms;
        Duration last = w.lastSnapshot().time;
        while (std::chrono::steady_clock::now() < until) {
            QTRY_VERIFY_WITH_TIMEOUT(w.lastSnapshot().time > last, 5000);
            last = w.lastSnapshot().time;
            const QString text = rps->text();
            seen << text;
            const double value = text.section(u' ', 0, 0).toDouble();
            // 10 a second on a quiet machine; a busy one answers late, never twice as fast.
            QVERIFY2(value >= 4 && value <= 12, qPrintable(seen.join(QStringLiteral(" | "))));
        }
        QVERIFY(seen.size() >= 5);
        w.stopRun();
    }

    void aRefusedPortShowsABannerAndNoThroughput()
    {
        const quint16 port = refusedPort();
        QVERIFY(port != 0);
        MainWindow w;
        w.setConfirmHandler([](const QString &, const QStringList &) { return true; });
        w.resize(1280, 720);
        w.show();
        w.loadScenario(failingScenario());
        w.setTargetUrl(QStringLiteral("http://127.0.0.1:%1/").arg(port));
        w.startRun();
        QTRY_VERIFY_WITH_TIMEOUT(!w.failureBannerText().isEmpty(), 15000);
        const QString banner = w.failureBannerText();
        QVERIFY2(banner.contains(QStringLiteral("Most requests fail")), qPrintable(banner));
        // Go's words for the dial, then what to do about it.
        QVERIFY2(banner.contains(QStringLiteral("dial tcp 127.0.0.1:%1: connect: connection "
                                                "refused")
                                     .arg(port)),
            qPrintable(banner));
        QVERIFY2(
            banner.contains(QStringLiteral("Nothing listens on that port")), qPrintable(banner));
        // A second of failing on the charts: attempts are high, throughput stays at 0.
        QTRY_VERIFY_WITH_TIMEOUT(w.lastSnapshot().time >= 2s, 15000);
        w.charts()->refresh();
        const QXYSeries *rps = w.charts()->series(QStringLiteral("rps"));
        const QXYSeries *attempts = w.charts()->series(QStringLiteral("attempts"));
        QVERIFY(rps && attempts);
        QVERIFY(rps->count() > 0);
        QCOMPARE(maxY(rps), 0.0);
        QVERIFY2(maxY(attempts) >= 10.0, qPrintable(QString::number(maxY(attempts))));
        QVERIFY2(w.statusText().contains(QStringLiteral("0 req/s (")), qPrintable(w.statusText()));
        QVERIFY(w.lastSnapshot().successes == 0 && w.lastSnapshot().errors > 0);

        // Stop clears the banner, the error line and the status bar's message.
        w.stopRun();
        QVERIFY(w.failureBannerText().isEmpty());
        QVERIFY(w.errorText().isEmpty());
        QVERIFY(w.statusBar()->currentMessage().isEmpty());
    }

    void aBannerGoesWithResetAndAPreset()
    {
        const quint16 port = refusedPort();
        MainWindow w;
        w.setConfirmHandler([](const QString &, const QStringList &) { return true; });
        w.loadScenario(failingScenario());
        w.setTargetUrl(QStringLiteral("http://127.0.0.1:%1/").arg(port));
        w.startRun();
        QTRY_VERIFY_WITH_TIMEOUT(!w.failureBannerText().isEmpty(), 15000);
        w.resetRun();
        QVERIFY(w.failureBannerText().isEmpty());
        QVERIFY(w.statusBar()->currentMessage().isEmpty()
            || !w.statusBar()->currentMessage().contains(QStringLiteral("refused")));

        w.loadScenario(failingScenario());
        w.setTargetUrl(QStringLiteral("http://127.0.0.1:%1/").arg(port));
        w.startRun();
        QTRY_VERIFY_WITH_TIMEOUT(!w.failureBannerText().isEmpty(), 15000);
        QVERIFY(w.loadPreset(u"time-wait-storm-fixed"));
        QVERIFY(w.failureBannerText().isEmpty());
        QVERIFY(!w.statusBar()->currentMessage().contains(QStringLiteral("refused")));
        w.stopRun();
    }

    // HTTPS with the test certificate and InsecureSkipVerify off: crypto/x509's words,
    // and the two ways out.
    void anUntrustedCertificateNamesInsecureSkipVerify()
    {
        MainWindow w;
        w.setConfirmHandler([](const QString &, const QStringList &) { return true; });
        Preset p = failingScenario();
        p.server.tls = true;
        p.transport.insecureSkipVerify = false;
        w.loadScenario(p);
        w.startRun();
        QTRY_VERIFY_WITH_TIMEOUT(!w.failureBannerText().isEmpty(), 15000);
        const QString banner = w.failureBannerText();
        QVERIFY2(banner.contains(QStringLiteral("x509: certificate signed by unknown authority")),
            qPrintable(banner));
        QVERIFY2(banner.contains(QStringLiteral("InsecureSkipVerify")), qPrintable(banner));
        QVERIFY2(banner.contains(QStringLiteral("SSL_CERT_FILE")), qPrintable(banner));
        w.stopRun();
    }

    // A healthy run shows no banner, and its throughput is its attempts.
    void aHealthyRunHasNoBanner()
    {
        MainWindow w;
        Preset p = failingScenario();
        w.loadScenario(p);
        w.startRun();
        QTRY_VERIFY_WITH_TIMEOUT(w.lastSnapshot().time >= 2s, 15000);
        QVERIFY(w.failureBannerText().isEmpty());
        QVERIFY(w.lastSnapshot().successes > 0);
        w.charts()->refresh();
        const double rps = maxY(w.charts()->series(QStringLiteral("rps")));
        const double attempts = maxY(w.charts()->series(QStringLiteral("attempts")));
        QVERIFY(rps > 0);
        QVERIFY2(std::abs(rps - attempts) <= 0.05 * attempts,
            qPrintable(QStringLiteral("%1 vs %2").arg(rps).arg(attempts)));
        w.stopRun();
    }
};

QTEST_MAIN(TestUiFailures)
#include "tst_ui_failures.moc"
