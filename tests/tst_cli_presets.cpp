// Every preset keeps the promise its explanation makes: `poolscope run --preset
// NAME` runs it headless against the embedded server (the real binary, a few
// seconds each) and the run's JSON must show the numbers the text states:
// dials, requests per connection, closes by reason, the client's TIME_WAIT
// where it means something, and the fix the text suggests. Only the run length
// is shortened, and the worker count only where the promise does not depend on
// it. A preset added without a promise checked here fails.
#include "scenario/presets.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSet>
#include <QTest>

using namespace poolscope;

// QVERIFY2 with the run's command line and JSON, so a broken promise shows
// what the run did.
#define EXPECT(cond) QVERIFY2((cond), qPrintable(QStringLiteral(#cond "\n") + m_last))

namespace {

// The presets a test below runs; everyPresetIsChecked() compares it with the list.
const QStringList kChecked { QStringLiteral("time-wait-storm"),
    QStringLiteral("time-wait-storm-fixed"), QStringLiteral("go-default"),
    QStringLiteral("zero-transport"), QStringLiteral("max-conns-per-host"),
    QStringLiteral("server-idle-shorter"), QStringLiteral("body-not-read"),
    QStringLiteral("keepalive-requests-limit"), QStringLiteral("disable-keep-alives"),
    QStringLiteral("https-http2"), QStringLiteral("https-http2-off") };

qint64 responsesAs(const QJsonObject &o, const char *proto)
{
    return static_cast<qint64>(
        o.value(u"protocols").toObject().value(QLatin1String(proto)).toDouble());
}

// Long enough for hundreds of requests in the busy presets and for two rounds
// of server-idle-shorter's 1.5 s pause, short enough to run all in under a minute.
const QString kDuration = QStringLiteral("2s");

qint64 num(const QJsonObject &o, const char *key)
{
    return static_cast<qint64>(o.value(QLatin1String(key)).toDouble());
}

qint64 closes(const QJsonObject &o, const char *reason)
{
    return static_cast<qint64>(
        o.value(u"close_reasons").toObject().value(QLatin1String(reason)).toDouble());
}

// Every close of the run had `reason` (none at all counts too).
bool onlyCloses(const QJsonObject &o, const char *reason)
{
    const QJsonObject reasons = o.value(u"close_reasons").toObject();
    return closes(o, reason) == num(o, "closed")
        && (reasons.isEmpty() || (reasons.size() == 1 && reasons.contains(QLatin1String(reason))));
}

bool kernelSeen(const QJsonObject &o)
{
    return o.value(u"kernel").toObject().value(u"available").toBool();
}

// The client's TIME_WAIT sockets toward the target at their peak (what the kernel
// chart's solid line and `kernel.time_wait_peak` show; the server's are kernel.server_side).
qint64 clientTimeWaitPeak(const QJsonObject &o)
{
    return static_cast<qint64>(o.value(u"kernel").toObject().value(u"time_wait_peak").toDouble());
}

// The same peak on the target's end of the connections (kernel.server_side), counted when
// the target runs on this machine; -1 when it was not counted.
qint64 serverTimeWaitPeak(const QJsonObject &o)
{
    const QJsonObject side = o.value(u"kernel").toObject().value(u"server_side").toObject();
    return side.value(u"available").toBool()
        ? static_cast<qint64>(side.value(u"time_wait_peak").toDouble())
        : -1;
}

qint64 server(const QJsonObject &o, const char *key)
{
    return static_cast<qint64>(o.value(u"server").toObject().value(QLatin1String(key)).toDouble());
}

double p50(const QJsonObject &o)
{
    return o.value(u"latency_ms").toObject().value(u"p50").toDouble();
}

} // namespace

class TestCliPresets final : public QObject
{
    Q_OBJECT

    QString m_bin;
    QString m_last; // the last run's command line and JSON, for failure messages

    // `poolscope run --preset ID --duration 2s --json EXTRA...`; an empty object
    // when the run failed (m_last says why).
    QJsonObject run(const QString &id, const QStringList &extra = {})
    {
        QStringList args { QStringLiteral("run"), QStringLiteral("--preset"), id,
            QStringLiteral("--duration"), kDuration, QStringLiteral("--json") };
        args += extra;
        QProcess p;
        p.start(m_bin, args);
        const bool finished = p.waitForFinished(60000);
        if (!finished) {
            p.kill();
            p.waitForFinished();
        }
        const QByteArray out = p.readAllStandardOutput();
        m_last = QStringLiteral("poolscope %1\n%2%3")
                     .arg(args.join(u' '), QString::fromUtf8(out),
                         QString::fromUtf8(p.readAllStandardError()));
        if (!finished || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
            return {};
        }
        return QJsonDocument::fromJson(out).object();
    }

    // The preset's explanation states the promise a test checks.
    static bool says(const char *id, const char *words)
    {
        const Preset *p = findPreset(QString::fromLatin1(id));
        return p && p->explanation.contains(QLatin1String(words));
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_bin = qEnvironmentVariable("POOLSCOPE_BIN");
        if (m_bin.isEmpty()) {
            QSKIP("POOLSCOPE_BIN not set: needs the poolscope binary");
        }
    }

    void everyPresetIsChecked()
    {
        QStringList ids;
        for (const Preset &p : builtinPresets()) {
            ids << p.id;
        }
        QCOMPARE(ids, kChecked);
        for (const Preset &p : builtinPresets()) {
            QVERIFY2(p.explanation.contains(QStringLiteral("What you will see")),
                qPrintable(p.id + QStringLiteral(": the explanation states no promise")));
        }
    }

    void httpsHttp2()
    {
        QVERIFY(says("https-http2", "exactly 10 dials"));
        QVERIFY(says("https-http2", "9 of them closed unused"));
        QVERIFY(says("https-http2", "1 connection left open"));
        const QJsonObject o = run(QStringLiteral("https-http2"));
        EXPECT(num(o, "requests") > 500);
        EXPECT(num(o, "errors") == 0);
        EXPECT(num(o, "dials") == 10);
        EXPECT(closes(o, "h2_spare_unused") == 9);
        EXPECT(onlyCloses(o, "h2_spare_unused"));
        EXPECT(num(o, "open_at_end") == 1);
        QVERIFY(says("https-http2", "every response HTTP/2.0"));
        EXPECT(responsesAs(o, "HTTP/2.0") == num(o, "responses"));
        QVERIFY(says("https-http2", "no TIME_WAIT beyond those 9 spares"));
        if (kernelSeen(o)) {
            EXPECT(clientTimeWaitPeak(o) <= 9);
        }

        QVERIFY(says("https-http2-off", "every response HTTP/1.1"));
        QVERIFY(says("https-http2-off", "requests per connection below 3"));
        QVERIFY(
            says("https-http2-off", "far fewer requests go through than with HTTP/2 (under half)"));
        const QJsonObject off = run(QStringLiteral("https-http2-off"));
        QVERIFY2(num(off, "errors") == 0, qPrintable(m_last));
        QVERIFY2(responsesAs(off, "HTTP/1.1") == num(off, "responses"), qPrintable(m_last));
        QVERIFY2(off.value(u"req_per_conn").toDouble() < 3.0, qPrintable(m_last));
        QVERIFY(
            says("https-http2-off", "but the few handshakes still in flight when the run stops"));
        QVERIFY2(closes(off, "too_many_idle_host") + closes(off, "canceled") == num(off, "closed"),
            qPrintable(m_last));
        QVERIFY2(closes(off, "canceled") <= 10, qPrintable(m_last)); // at most one per worker
        QVERIFY2(num(off, "requests") * 2 < num(o, "requests"), qPrintable(m_last));
        if (kernelSeen(off)) {
            QVERIFY2(clientTimeWaitPeak(off) * 2 >= num(off, "closed"), qPrintable(m_last));
        }
    }

    void timeWaitStorm()
    {
        QVERIFY(says("time-wait-storm", "requests per connection below 3"));
        const QJsonObject o = run(QStringLiteral("time-wait-storm"));
        EXPECT(num(o, "requests") > 500);
        EXPECT(num(o, "errors") == 0);
        // About every second request dials; never fewer than one in three.
        EXPECT(o.value(u"req_per_conn").toDouble() < 3.0);
        EXPECT(num(o, "dials") * 3 >= num(o, "requests"));
        EXPECT(num(o, "closed") > 0);
        EXPECT(onlyCloses(o, "too_many_idle_host"));
        EXPECT(num(o, "idle_at_end") == 2);
        // Hundreds of closes a second, and the client closes first: each leaves a
        // TIME_WAIT socket on the client (tcp_tw_reuse may recycle a few).
        EXPECT(num(o, "closed") >= 200 * 2);
        if (kernelSeen(o)) {
            EXPECT(clientTimeWaitPeak(o) * 2 >= num(o, "closed"));
        }
    }

    void timeWaitStormFixed()
    {
        QVERIFY(says("time-wait-storm-fixed", "exactly 10 dials"));
        const QJsonObject o = run(QStringLiteral("time-wait-storm-fixed"));
        EXPECT(num(o, "requests") > 500);
        EXPECT(num(o, "dials") == 10);
        EXPECT(num(o, "closed") == 0);
        EXPECT(num(o, "idle_at_end") == 10);
        EXPECT(o.value(u"req_per_conn").toDouble() >= 50);
        if (kernelSeen(o)) {
            EXPECT(clientTimeWaitPeak(o) == 0);
        }
    }

    void goDefault()
    {
        QVERIFY(says("go-default", "dials climbing past the 4"));
        const QJsonObject o = run(QStringLiteral("go-default"));
        EXPECT(num(o, "requests") > 100);
        EXPECT(num(o, "dials") > 4);
        EXPECT(num(o, "closed") > 0);
        EXPECT(onlyCloses(o, "too_many_idle_host"));
        EXPECT(num(o, "idle_at_end") == 2);

        QVERIFY(says("go-default", "Set MaxIdleConnsPerHost to 4 and the run dials exactly 4"));
        const QJsonObject fix
            = run(QStringLiteral("go-default"), { QStringLiteral("--max-idle-conns-per-host=4") });
        QVERIFY2(num(fix, "dials") == 4, qPrintable(m_last));
        QVERIFY2(num(fix, "closed") == 0, qPrintable(m_last));
    }

    void zeroTransport()
    {
        QVERIFY(says("zero-transport", "not one \"idle timeout\" close"));
        const QJsonObject o = run(QStringLiteral("zero-transport"));
        EXPECT(num(o, "requests") > 100);
        EXPECT(num(o, "dials") > 4);
        EXPECT(num(o, "closed") > 0);
        EXPECT(onlyCloses(o, "too_many_idle_host"));
        EXPECT(closes(o, "idle_timeout") == 0);
        EXPECT(num(o, "idle_at_end") == 2);
    }

    void maxConnsPerHost()
    {
        QVERIFY(says("max-conns-per-host", "exactly 4 dials"));
        QVERIFY(says("max-conns-per-host", "p50 near 40 ms"));
        const QJsonObject o = run(QStringLiteral("max-conns-per-host"));
        EXPECT(num(o, "requests") > 200);
        EXPECT(num(o, "errors") == 0);
        EXPECT(num(o, "dials") == 4);
        EXPECT(num(o, "closed") == 0);
        // 16 requests over 4 connections of 10 ms each: every request waits for 3.
        EXPECT(p50(o) >= 30.0 && p50(o) <= 80.0);
    }

    void serverIdleShorter()
    {
        QVERIFY(says("server-idle-shorter", "one dial per request (requests per connection 1.0)"));
        const QJsonObject o = run(QStringLiteral("server-idle-shorter"));
        // 4 workers, two rounds in 2 s (each 1.5 s apart, the server closing at 1 s).
        EXPECT(num(o, "requests") >= 8);
        EXPECT(num(o, "errors") == 0);
        EXPECT(num(o, "retries") == 0);
        EXPECT(num(o, "dials") == num(o, "requests"));
        EXPECT(num(o, "reused") == 0);
        EXPECT(num(o, "closed") >= num(o, "requests") - 4);
        EXPECT(onlyCloses(o, "server_closed_idle"));
        EXPECT(server(o, "closed_by_server") >= num(o, "closed"));
        if (kernelSeen(o)) {
            EXPECT(clientTimeWaitPeak(o) * 3 <= num(o, "closed"));
        }

        QVERIFY(says("server-idle-shorter", "server idle timeout 2 s) and the run dials 4"));
        const QJsonObject fix = run(
            QStringLiteral("server-idle-shorter"), { QStringLiteral("--server-idle-timeout=2s") });
        QVERIFY2(num(fix, "requests") >= 8, qPrintable(m_last));
        QVERIFY2(num(fix, "dials") == 4, qPrintable(m_last));
        QVERIFY2(num(fix, "closed") == 0, qPrintable(m_last));

        QVERIFY(says("server-idle-shorter", "the TIME_WAIT moves to the client"));
        const QJsonObject notFix = run(
            QStringLiteral("server-idle-shorter"), { QStringLiteral("--idle-conn-timeout=900ms") });
        QVERIFY2(num(notFix, "dials") == num(notFix, "requests"), qPrintable(m_last));
        QVERIFY2(num(notFix, "closed") > 0, qPrintable(m_last));
        QVERIFY2(onlyCloses(notFix, "idle_timeout"), qPrintable(m_last));
        if (kernelSeen(notFix)) {
            QVERIFY2(clientTimeWaitPeak(notFix) * 2 >= num(notFix, "closed"), qPrintable(m_last));
        }
    }

    void bodyNotRead()
    {
        QVERIFY(says("body-not-read", "one dial per request (requests per connection 1.0"));
        const QJsonObject o = run(QStringLiteral("body-not-read"));
        EXPECT(num(o, "requests") > 100);
        EXPECT(num(o, "errors") == 0);
        EXPECT(num(o, "dials") == num(o, "requests"));
        EXPECT(num(o, "reused") == 0);
        EXPECT(num(o, "closed") == num(o, "dials"));
        EXPECT(onlyCloses(o, "body_not_read"));
        if (kernelSeen(o)) {
            EXPECT(clientTimeWaitPeak(o) * 2 >= num(o, "closed"));
        }

        QVERIFY(says("body-not-read", "set the body policy to read and the run dials 4"));
        const QJsonObject fix
            = run(QStringLiteral("body-not-read"), { QStringLiteral("--body-policy=read") });
        QVERIFY2(num(fix, "dials") == 4, qPrintable(m_last));
        QVERIFY2(num(fix, "closed") == 0, qPrintable(m_last));
    }

    void keepaliveRequestsLimit()
    {
        QVERIFY(says("keepalive-requests-limit", "requests per connection is 6.0"));
        const QJsonObject o = run(QStringLiteral("keepalive-requests-limit"));
        EXPECT(num(o, "requests") > 100);
        EXPECT(num(o, "errors") == 0);
        EXPECT(onlyCloses(o, "connection_close_response"));
        // Every closed connection served exactly 6; those still open, fewer.
        const qint64 handedOut = num(o, "reused") + num(o, "fresh");
        EXPECT(num(o, "dials") == num(o, "closed") + num(o, "open_at_end"));
        EXPECT(handedOut >= 6 * num(o, "closed"));
        EXPECT(handedOut <= 6 * num(o, "closed") + 5 * num(o, "open_at_end"));
        // The closed connections served 6 each, those still open at least 1: the mean is
        // close to 6 on a long run, lower on a short one (a loaded machine's), never below
        // what the closed ones alone give.
        EXPECT(o.value(u"req_per_conn").toDouble() * double(num(o, "dials"))
            >= 6.0 * double(num(o, "closed")) - 1e-6);
        EXPECT(server(o, "closed_by_server") >= num(o, "closed"));

        // Requests per connection does not depend on the worker count: with one
        // worker and a multiple of 6 requests it is exactly 6.
        const QJsonObject exact = run(QStringLiteral("keepalive-requests-limit"),
            { QStringLiteral("--workers=1"), QStringLiteral("--requests=60"),
                QStringLiteral("--duration=0s") });
        QVERIFY2(num(exact, "requests") == 60, qPrintable(m_last));
        QVERIFY2(num(exact, "dials") == 10, qPrintable(m_last));
        QVERIFY2(exact.value(u"req_per_conn").toDouble() == 6.0, qPrintable(m_last));
        QVERIFY2(closes(exact, "connection_close_response") == 10, qPrintable(m_last));
    }

    void disableKeepAlives()
    {
        QVERIFY(says("disable-keep-alives", "requests per connection 1.0"));
        QVERIFY(says("disable-keep-alives", "the server hangs up first"));
        const QJsonObject o = run(QStringLiteral("disable-keep-alives"));
        EXPECT(num(o, "requests") > 500);
        EXPECT(num(o, "errors") == 0);
        EXPECT(num(o, "dials") == num(o, "requests"));
        EXPECT(num(o, "reused") == 0);
        EXPECT(num(o, "closed") == num(o, "dials"));
        EXPECT(onlyCloses(o, "keep_alives_disabled"));
        // The request said Connection: close, so the server closed every one.
        EXPECT(server(o, "closed_by_server") == num(o, "dials"));
        if (kernelSeen(o)) {
            EXPECT(clientTimeWaitPeak(o) * 3 < num(o, "closed"));
        }
        // ... and the TIME_WAIT is on the server's side: more than twice the client's.
        QVERIFY(says("disable-keep-alives", "\"server TIME_WAIT\" line climbs (more than twice"));
        if (kernelSeen(o)) {
            EXPECT(serverTimeWaitPeak(o) > 2 * clientTimeWaitPeak(o));
        }

        QVERIFY(says("disable-keep-alives", "set MaxIdleConnsPerHost to -1"));
        const QJsonObject client = run(QStringLiteral("disable-keep-alives"),
            { QStringLiteral("--disable-keep-alives=false"),
                QStringLiteral("--max-idle-conns-per-host=-1") });
        QVERIFY2(num(client, "dials") == num(client, "requests"), qPrintable(m_last));
        // No Connection: close is sent: the server never hangs up first.
        QVERIFY2(server(client, "closed_by_server") == 0, qPrintable(m_last));
        if (kernelSeen(client)) {
            QVERIFY2(clientTimeWaitPeak(client) * 2 >= num(client, "closed"), qPrintable(m_last));
        }
    }
};

QTEST_GUILESS_MAIN(TestCliPresets)
#include "tst_cli_presets.moc"
