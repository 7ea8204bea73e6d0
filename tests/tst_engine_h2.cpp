// HTTP/2 as Go's Transport does it, against nginx (`listen ... ssl http2` with the test
// certificate) through `poolscope run --json`: what a user reads off the result.
#include "support/nginx.h"
#include "support/run_cli.h"

#include <QJsonObject>
#include <QTest>

using namespace poolscope::testsupport;

namespace {

constexpr int kWorkers = 10;
constexpr int kRequests = 50; // per worker
constexpr int kMaxStreams = 4; // nginx http2_max_concurrent_streams of the limited site
constexpr int kGoAwayAfter = 100; // nginx keepalive_requests of the GOAWAY site
constexpr int kPlenty = 100000; // keepalive_requests no run reaches

enum Site { H2, H1Tls, H2Limited, H2GoAway };

qint64 num(const QJsonObject &o, const QString &path)
{
    return poolscope::testsupport::jsonNumber(o, path);
}

} // namespace

class TestEngineH2 : public QObject
{
    Q_OBJECT

private:
    NginxProcess m_nginx;
    QString m_bin;

    QJsonObject run(
        Site site, const QStringList &extra, int workers = kWorkers, int requests = kRequests)
    {
        QStringList args { QStringLiteral("run"), QStringLiteral("--json"), QStringLiteral("--url"),
            m_nginx.url(site), QStringLiteral("--insecure"), QStringLiteral("--workers"),
            QString::number(workers), QStringLiteral("--requests"), QString::number(requests) };
        const CliResult r = runCli(m_bin, args + extra, 120000);
        [&] {
            QCOMPARE(r.code, 0);
        }();
        return r.json;
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_bin = qEnvironmentVariable("POOLSCOPE_BIN");
        if (m_bin.isEmpty()) {
            QSKIP("POOLSCOPE_BIN not set");
        }
        NginxProcess::Site h2 { kPlenty, QStringLiteral("75s"), QStringLiteral("h2") };
        NginxProcess::Site h1 { kPlenty, QStringLiteral("75s"), QStringLiteral("h1") };
        NginxProcess::Site limited = h2;
        limited.maxConcurrentStreams = kMaxStreams;
        NginxProcess::Site goAway = h2;
        goAway.keepaliveRequests = kGoAwayAfter;
        QString why;
        if (!m_nginx.start(
                qEnvironmentVariable("POOLSCOPE_NGINX"), { h2, h1, limited, goAway }, &why)) {
            QSKIP(qPrintable(why));
        }
    }

    // DefaultTransport against an h2 server: every worker dials at start (no connection is
    // known yet), the first connection is registered, the others are closed unused
    // (upgradeFn), and everything else rides on that one connection.
    void http2NeedsOneConnection()
    {
        const QJsonObject o = run(H2, {});
        QCOMPARE(num(o, QStringLiteral("errors")), 0);
        QCOMPARE(num(o, QStringLiteral("protocols|HTTP/2.0")), qint64 { kWorkers * kRequests });
        QCOMPARE(num(o, QStringLiteral("open_at_end")), 1);
        const qint64 dials = num(o, QStringLiteral("dials"));
        QVERIFY2(dials >= 1 && dials <= kWorkers, qPrintable(QString::number(dials)));
        QCOMPARE(num(o, QStringLiteral("close_reasons|h2_spare_unused")), dials - 1);
        QCOMPARE(num(o, QStringLiteral("closed")), dials - 1);
    }

    // TLSNextProto = {} turns HTTP/2 off: the same load is HTTP/1.1, one request per
    // connection at a time, and with MaxIdleConnsPerHost 2 the connections churn, each new
    // one with its own TLS handshake.
    void http2OffBringsTheStormBack()
    {
        const QJsonObject h2 = run(H2, { QStringLiteral("--think"), QStringLiteral("1ms") });
        const QJsonObject off = run(H2,
            { QStringLiteral("--disable-http2"), QStringLiteral("--think"),
                QStringLiteral("1ms") });
        QCOMPARE(num(off, QStringLiteral("errors")), 0);
        QCOMPARE(num(off, QStringLiteral("protocols|HTTP/1.1")), qint64 { kWorkers * kRequests });
        QCOMPARE(num(off, QStringLiteral("protocols|HTTP/2.0")), 0);
        QVERIFY2(num(off, QStringLiteral("dials")) > kWorkers,
            qPrintable(QString::number(num(off, QStringLiteral("dials")))));
        QVERIFY(num(off, QStringLiteral("close_reasons|too_many_idle_host")) > 0);
        QVERIFY(num(off, QStringLiteral("dials")) > num(h2, QStringLiteral("dials")));
        QCOMPARE(num(h2, QStringLiteral("close_reasons|too_many_idle_host")), 0);
    }

    // ALPN offers h2 and http/1.1; a server that only speaks HTTP/1.1 gets HTTP/1.1.
    void h1OnlyServerNegotiatesHttp11()
    {
        const QJsonObject o = run(H1Tls, {});
        QCOMPARE(num(o, QStringLiteral("errors")), 0);
        QCOMPARE(num(o, QStringLiteral("protocols|HTTP/1.1")), qint64 { kWorkers * kRequests });
        QCOMPARE(num(o, QStringLiteral("close_reasons|h2_spare_unused")), 0);
    }

    // A zero Transport with a dialer of its own does not attempt HTTP/2 (Go's
    // onceSetNextProtoDefaults) unless ForceAttemptHTTP2.
    void customDialerWithoutForceAttemptIsHttp11()
    {
        const QStringList noForce { QStringLiteral("--force-attempt-http2=false"),
            QStringLiteral("--dial-timeout"), QStringLiteral("5s") };
        const QJsonObject o = run(H2, noForce, 2, 5);
        QCOMPARE(num(o, QStringLiteral("protocols|HTTP/1.1")), 10);
    }

    // SETTINGS_MAX_CONCURRENT_STREAMS below the concurrency: with Strict off (Go's default)
    // requests that find every connection full dial another one.
    void streamLimitDialsMoreConnections()
    {
        const QJsonObject o = run(H2Limited, {});
        QCOMPARE(num(o, QStringLiteral("errors")), 0);
        QCOMPARE(num(o, QStringLiteral("protocols|HTTP/2.0")), qint64 { kWorkers * kRequests });
        const int needed = (kWorkers + kMaxStreams - 1) / kMaxStreams;
        QVERIFY2(num(o, QStringLiteral("open_at_end")) >= needed,
            qPrintable(QString::number(num(o, QStringLiteral("open_at_end")))));
    }

    // StrictMaxConcurrentStreams: they wait for a stream on the one connection instead.
    void strictStreamLimitWaits()
    {
        const QJsonObject o = run(H2Limited, { QStringLiteral("--strict-max-concurrent-streams") });
        QCOMPARE(num(o, QStringLiteral("errors")), 0);
        QCOMPARE(num(o, QStringLiteral("protocols|HTTP/2.0")), qint64 { kWorkers * kRequests });
        QCOMPARE(num(o, QStringLiteral("open_at_end")), 1);
        QCOMPARE(num(o, QStringLiteral("close_reasons|h2_spare_unused")),
            num(o, QStringLiteral("dials")) - 1);
    }

    // nginx's keepalive_requests ends an h2 connection with GOAWAY: it drains, closes, and
    // the next requests go to a new connection. One worker: one dial per GOAWAY.
    void goAwayMovesRequestsToANewConnection()
    {
        constexpr int requests = 2 * kGoAwayAfter + kGoAwayAfter / 2;
        const QJsonObject o = run(H2GoAway, {}, 1, requests);
        QCOMPARE(num(o, QStringLiteral("errors")), 0);
        QCOMPARE(num(o, QStringLiteral("protocols|HTTP/2.0")), qint64 { requests });
        const int connections = (requests + kGoAwayAfter - 1) / kGoAwayAfter;
        QCOMPARE(num(o, QStringLiteral("dials")), qint64 { connections });
        QCOMPARE(num(o, QStringLiteral("close_reasons|h2_goaway")), qint64 { connections - 1 });
        QCOMPARE(num(o, QStringLiteral("open_at_end")), 1);
    }
};

QTEST_GUILESS_MAIN(TestEngineH2)
#include "tst_engine_h2.moc"
