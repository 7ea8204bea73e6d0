// `poolscope run` when requests fail, and whose side of a local target holds the TIME_WAIT:
// throughput counts successes only, attempts are their own key, a known error comes with a
// hint, --stop-when-failing ends a run that cannot succeed, SSL_CERT_FILE is honoured as Go
// honours it, and kernel.server_side counts the target's end of the connections.
#include "support/refused_port.h"
#include "support/run_cli.h"

#include <QJsonObject>
#include <QTcpServer>
#include <QTest>

using poolscope::testsupport::CliResult;
using poolscope::testsupport::runCli;

using poolscope::testsupport::refusedPort;

namespace {

double num(const QJsonObject &o, const char *path)
{
    QJsonValue v = o;
    for (const QString &part : QString::fromLatin1(path).split(u'.')) {
        v = v.toObject().value(part);
    }
    return v.toDouble(-1);
}

} // namespace

class TestCliFailures : public QObject
{
    Q_OBJECT

private:
    QString m_bin;

    CliResult run(const QStringList &args) { return runCli(m_bin, args, 60000); }

private Q_SLOTS:
    void initTestCase()
    {
        m_bin = qEnvironmentVariable("POOLSCOPE_BIN");
        if (m_bin.isEmpty()) {
            QSKIP("POOLSCOPE_BIN not set: needs the poolscope binary");
        }
    }

    void aRefusedPortIsNoThroughputAndStopsTheRun()
    {
        const quint16 port = refusedPort();
        QVERIFY(port != 0);
        const CliResult r = run({ "run", "--url", QStringLiteral("http://127.0.0.1:%1/").arg(port),
            "--workers", "2", "--duration", "60s", "--stop-when-failing", "1s", "--json" });
        QCOMPARE(r.code, 1);
        const QJsonObject &o = r.json;
        QVERIFY2(num(o, "attempts") > 10, qPrintable(r.out));
        QCOMPARE(num(o, "successes"), 0.0);
        QCOMPARE(num(o, "rps"), 0.0);
        QVERIFY(num(o, "attempts_per_s") > 0);
        QVERIFY(o.value(QStringLiteral("stopped_failing")).toBool());
        // Stopped after about a second of failing, long before its 60 s.
        QVERIFY2(num(o, "duration_s") < 15, qPrintable(r.out));
        QVERIFY(o.value(QStringLiteral("last_error"))
                    .toString()
                    .contains(QStringLiteral("connect: connection refused")));
        QVERIFY2(o.value(QStringLiteral("hint"))
                     .toString()
                     .contains(QStringLiteral("Nothing listens on that port")),
            qPrintable(r.out));
        QVERIFY2(r.err.contains(QStringLiteral("stopped: every request failed for 1s")),
            qPrintable(r.err));
        QVERIFY2(r.err.contains(QStringLiteral("hint: Nothing listens")), qPrintable(r.err));
    }

    void anUntrustedCertificateHasAHintAndSslCertFileTrustsIt()
    {
        const QStringList args { "run", "--server-tls", "--workers", "2", "--duration", "1s",
            "--json" };
        const CliResult refused = run(args);
        QCOMPARE(refused.code, 1);
        QVERIFY2(refused.json.value(QStringLiteral("last_error"))
                     .toString()
                     .contains(QStringLiteral("x509: certificate signed by unknown authority")),
            qPrintable(refused.out));
        QVERIFY(refused.json.value(QStringLiteral("hint"))
                    .toString()
                    .contains(QStringLiteral("InsecureSkipVerify")));
        QCOMPARE(num(refused.json, "rps"), 0.0);

        // Go reads its roots from SSL_CERT_FILE: the test certificate becomes trusted.
        qputenv("SSL_CERT_FILE", POOLSCOPE_SOURCE_DIR "/resources/tls/poolscope-test.crt");
        const CliResult trusted = run(args);
        qunsetenv("SSL_CERT_FILE");
        QVERIFY2(trusted.code == 0, qPrintable(trusted.err + trusted.out));
        QCOMPARE(num(trusted.json, "errors"), 0.0);
        QVERIFY(num(trusted.json, "rps") > 0);
        QCOMPARE(num(trusted.json, "successes"), num(trusted.json, "attempts"));
    }

    // Whoever sends the first FIN holds the TIME_WAIT: with DisableKeepAlives the server
    // (the request says Connection: close), in the storm the client (its pool closes).
    void theServerSideHoldsTheTimeWaitWithoutKeepAlives()
    {
        const CliResult noKa
            = run({ "run", "--preset", "disable-keep-alives", "--duration", "2s", "--json" });
        QVERIFY2(noKa.code == 0, qPrintable(noKa.err));
        if (!noKa.json.value(QStringLiteral("kernel"))
                 .toObject()
                 .value(QStringLiteral("available"))
                 .toBool()) {
            QSKIP("kernel view unavailable here");
        }
        QVERIFY(noKa.json.value(QStringLiteral("kernel"))
                    .toObject()
                    .value(QStringLiteral("server_side"))
                    .toObject()
                    .value(QStringLiteral("available"))
                    .toBool());
        const double serverTw = num(noKa.json, "kernel.server_side.time_wait_peak");
        const double clientTw = num(noKa.json, "kernel.time_wait_peak");
        // Each close leaves a server TIME_WAIT for 60 s: about one per connection.
        const double closed = num(noKa.json, "closed");
        QVERIFY2(
            closed > 10 && serverTw > 2 * clientTw && serverTw * 2 >= closed, qPrintable(noKa.out));
        QVERIFY(num(noKa.json, "kernel.server_side.states_at_end.TIME_WAIT") > 0);
        QVERIFY(num(noKa.json, "kernel.closed_first_by.server.keep_alives_disabled") > 0);
        QCOMPARE(num(noKa.json, "kernel.closed_first_by.client.total"), 0.0);

        const CliResult storm
            = run({ "run", "--preset", "time-wait-storm", "--duration", "2s", "--json" });
        QVERIFY2(storm.code == 0, qPrintable(storm.err));
        const double stormClient = num(storm.json, "kernel.time_wait_peak");
        const double stormServer = num(storm.json, "kernel.server_side.time_wait_peak");
        const double poolCloses = num(storm.json, "kernel.closed_first_by.client.total");
        QVERIFY2(poolCloses > 10 && stormClient > 2 * stormServer && stormClient * 2 >= poolCloses,
            qPrintable(storm.out));
        QVERIFY(num(storm.json, "kernel.closed_first_by.client.too_many_idle_host") > 0);
    }
};

QTEST_GUILESS_MAIN(TestCliFailures)
#include "tst_cli_failures.moc"
