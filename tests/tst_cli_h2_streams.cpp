// HTTP/2 streams as `poolscope run --json` reports them (the `h2` object), against the
// embedded server speaking h2 with SETTINGS_MAX_CONCURRENT_STREAMS 4 and ten workers. The
// expected figures come from Go 1.19's rules in h2_bundle.go, not from this code:
//   - idleStateLocked: without StrictMaxConcurrentStreams a connection takes a new request
//     while streams + reserved + 1 <= the server's limit; otherwise ErrNoCachedConn and
//     Transport.getConn dials. upgradeFn -> addConnIfNeeded keeps the new connection only
//     when no pooled one can take a request. So with W requests always in flight (a server
//     latency far above a loopback dial), k connections are kept while 4k < W: ceil(W / 4).
//     That is an upper bound; a dial that completes in a moment when a pooled connection has
//     a free slot is closed unused instead (Go 1.19's own client, tests/goref/h2probe against
//     this server: 3 connections in most runs, 2 in some), so at least 2, at most 3.
//   - with StrictMaxConcurrentStreams every request takes the one connection and waits in
//     awaitOpenSlotForStreamLocked while 4 streams are open: W - 4 wait.
//   - until the server's SETTINGS arrive a connection allows 100 streams
//     (http2initialMaxConcurrentStreams): the first connection of a run is handed to every
//     waiting request at once (tryPutIdleConn's HTTP/2 branch), so it can carry up to W
//     streams for a moment; the server refuses those over its limit (REFUSED_STREAM) and Go
//     retries them. Go's own client does the same (h2probe: 10 requests in flight on one
//     connection without a warm-up). After SETTINGS, at most 4 per connection.
#include "support/run_cli.h"

#include <QTest>

using namespace poolscope::testsupport;

namespace {

constexpr int kWorkers = 10;
constexpr int kMaxStreams = 4;
constexpr int kRequests = 20; // per worker
// Each response takes this long: every worker's request is in flight together.
const QString kLatency = QStringLiteral("40ms");

qint64 num(const QJsonObject &o, const QString &path)
{
    return poolscope::testsupport::jsonNumber(o, path);
}

} // namespace

#define EXPECT(cond) QVERIFY2((cond), qPrintable(QStringLiteral(#cond "\n") + m_last))

class TestCliH2Streams : public QObject
{
    Q_OBJECT

private:
    QString m_bin;
    QString m_last; // the last run's JSON, for failure messages

    QJsonObject run(const QStringList &extra)
    {
        const QStringList args { QStringLiteral("run"), QStringLiteral("--json"),
            QStringLiteral("--quiet"), QStringLiteral("--server-tls"),
            QStringLiteral("--server-http2"), QStringLiteral("--server-h2-max-streams"),
            QString::number(kMaxStreams), QStringLiteral("--server-latency"), kLatency,
            QStringLiteral("--insecure"), QStringLiteral("--workers"), QString::number(kWorkers),
            QStringLiteral("--requests"), QString::number(kRequests) };
        const CliResult r = runCli(m_bin, args + extra, 120000);
        m_last = r.out + r.err;
        [&] {
            QVERIFY2(r.code == 0, qPrintable(m_last));
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
    }

    // Go's default (Strict off): a connection holds at most 4 streams once the server's
    // SETTINGS are in, and Go dials more connections instead of waiting: ceil(10 / 4) = 3 at
    // most, more than one. Requests that found every connection full waited for such a dial.
    void streamLimitOpensMoreConnections()
    {
        const QJsonObject o = run({});
        EXPECT(num(o, QStringLiteral("errors")) == 0);
        EXPECT(num(o, QStringLiteral("protocols|HTTP/2.0")) == kWorkers * kRequests);
        EXPECT(num(o, QStringLiteral("h2|server_max_concurrent_streams")) == kMaxStreams);
        EXPECT(num(o, QStringLiteral("h2|max_streams_per_conn_after_settings")) == kMaxStreams);
        const qint64 perConn = num(o, QStringLiteral("h2|max_streams_per_conn"));
        EXPECT(perConn >= kMaxStreams && perConn <= kWorkers);
        const int needed = (kWorkers + kMaxStreams - 1) / kMaxStreams;
        const qint64 conns = num(o, QStringLiteral("h2|max_open_connections"));
        EXPECT(conns >= 2 && conns <= needed);
        // Nothing closes a used h2 connection here (no GOAWAY, IdleConnTimeout 90 s).
        EXPECT(num(o, QStringLiteral("h2|connections")) == conns);
        EXPECT(num(o, QStringLiteral("h2|open_at_end")) == conns);
        EXPECT(num(o, QStringLiteral("open_at_end")) == conns);
        EXPECT(num(o, QStringLiteral("close_reasons|h2_spare_unused"))
            == num(o, QStringLiteral("dials")) - conns);
        EXPECT(num(o, QStringLiteral("h2|max_active_streams")) == kWorkers);
        EXPECT(num(o, QStringLiteral("h2|max_waiting_for_stream")) > 0);
        const double mean = o.value(u"h2").toObject().value(u"mean_streams_per_conn").toDouble();
        EXPECT(mean > 0 && mean <= kMaxStreams);
    }

    // StrictMaxConcurrentStreams: one connection, 4 streams on it, and the other 6
    // requests wait for a slot.
    void strictWaitsOnOneConnection()
    {
        const QJsonObject o = run({ QStringLiteral("--strict-max-concurrent-streams") });
        EXPECT(num(o, QStringLiteral("errors")) == 0);
        EXPECT(num(o, QStringLiteral("protocols|HTTP/2.0")) == kWorkers * kRequests);
        EXPECT(num(o, QStringLiteral("h2|connections")) == 1);
        EXPECT(num(o, QStringLiteral("h2|max_open_connections")) == 1);
        EXPECT(num(o, QStringLiteral("open_at_end")) == 1);
        EXPECT(num(o, QStringLiteral("h2|max_streams_per_conn_after_settings")) == kMaxStreams);
        const qint64 streams = num(o, QStringLiteral("h2|max_active_streams"));
        EXPECT(streams >= kMaxStreams && streams <= kWorkers); // before SETTINGS: up to 10
        EXPECT(num(o, QStringLiteral("h2|max_waiting_for_stream")) == kWorkers - kMaxStreams);
    }

    // HTTP/1.1 (the same server with HTTP/2 off on the client): no h2 object at all.
    void http11RunHasNoH2Object()
    {
        const QJsonObject o = run({ QStringLiteral("--disable-http2") });
        EXPECT(num(o, QStringLiteral("protocols|HTTP/1.1")) == kWorkers * kRequests);
        EXPECT(!o.contains(u"h2"));
    }
};

QTEST_MAIN(TestCliH2Streams)
#include "tst_cli_h2_streams.moc"
