// The embedded server speaking HTTP/2, driven by Go 1.19's own client (tests/goref/h2probe:
// resp.Proto, connections, dials as Go sees them) and, for h2c prior knowledge (which Go 1.19's
// standard library cannot speak), by a small nghttp2 client here. Every assertion compares
// what the client saw with the server's own counters.
#include "server/embedded_server.h"
#include "support/go_build.h"
#include "support/server_client.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTcpSocket>
#include <QTest>
#include <QThread>
#include <cstring>
#include <functional>
#include <nghttp2/nghttp2.h>

using namespace poolscope;
using namespace std::chrono_literals;

using poolscope::testsupport::kTimeoutMs;
using poolscope::testsupport::localServerConfig;

namespace {

struct ProbeResult
{
    QJsonObject json;
    QString output; // for failure messages
    [[nodiscard]] int protos(const char *proto) const
    {
        return json.value(QStringLiteral("protos")).toObject().value(QLatin1String(proto)).toInt();
    }
    [[nodiscard]] int value(const char *key) const
    {
        return json.value(QLatin1String(key)).toInt();
    }
};

// A minimal h2c client on nghttp2's client API: prior knowledge, `count` GETs, sequentially
// on one connection. Returns the statuses seen (empty on a protocol failure).
struct H2cClient
{
    nghttp2_session *session = nullptr;
    QTcpSocket socket;
    // Called once, right after the first request went out (before its response).
    std::function<void()> afterFirstSend;
    QList<int> statuses;
    int open = 0;
    int status = 0;

    static int onHeader(nghttp2_session *, const nghttp2_frame *, const uint8_t *name, size_t nl,
        const uint8_t *value, size_t vl, uint8_t, void *user)
    {
        if (QByteArrayView(name, qsizetype(nl)) == ":status")
            static_cast<H2cClient *>(user)->status
                = QByteArrayView(value, qsizetype(vl)).toByteArray().toInt();
        return 0;
    }
    static int onClose(nghttp2_session *, int32_t, uint32_t, void *user)
    {
        auto *self = static_cast<H2cClient *>(user);
        self->statuses << self->status;
        --self->open;
        return 0;
    }

    bool pump()
    {
        const uint8_t *data = nullptr;
        ssize_t n = 0;
        while ((n = nghttp2_session_mem_send(session, &data)) > 0)
            socket.write(reinterpret_cast<const char *>(data), n);
        if (n < 0)
            return false;
        while (socket.bytesToWrite() > 0) {
            if (!socket.waitForBytesWritten(kTimeoutMs))
                return false;
        }
        if (afterFirstSend && open > 0)
            std::exchange(afterFirstSend, nullptr)();
        if (open == 0)
            return true;
        if (!socket.waitForReadyRead(kTimeoutMs))
            return false;
        const QByteArray in = socket.readAll();
        return nghttp2_session_mem_recv(
                   session, reinterpret_cast<const uint8_t *>(in.constData()), size_t(in.size()))
            == in.size();
    }

    QList<int> get(quint16 port, int count)
    {
        socket.connectToHost(QHostAddress::LocalHost, port);
        if (!socket.waitForConnected(kTimeoutMs))
            return {};
        nghttp2_session_callbacks *cbs = nullptr;
        nghttp2_session_callbacks_new(&cbs);
        nghttp2_session_callbacks_set_on_header_callback(cbs, onHeader);
        nghttp2_session_callbacks_set_on_stream_close_callback(cbs, onClose);
        nghttp2_session_client_new(&session, cbs, this);
        nghttp2_session_callbacks_del(cbs);
        nghttp2_submit_settings(session, NGHTTP2_FLAG_NONE, nullptr, 0);
        const QByteArray authority = "127.0.0.1:" + QByteArray::number(port);
        const auto nv = [](const char *n, const QByteArray &v) {
            return nghttp2_nv { reinterpret_cast<uint8_t *>(const_cast<char *>(n)),
                reinterpret_cast<uint8_t *>(const_cast<char *>(v.constData())), strlen(n),
                size_t(v.size()), NGHTTP2_NV_FLAG_NONE };
        };
        const QByteArray get("GET"), http("http"), path("/");
        for (int i = 0; i < count; ++i) {
            const nghttp2_nv headers[] = { nv(":method", get), nv(":scheme", http),
                nv(":authority", authority), nv(":path", path) };
            if (nghttp2_submit_request(session, nullptr, headers, 4, nullptr, nullptr) < 0)
                return {};
            ++open;
            QElapsedTimer deadline;
            deadline.start();
            while (open > 0 && deadline.elapsed() < kTimeoutMs) {
                if (!pump())
                    return {};
            }
        }
        return statuses;
    }
    ~H2cClient()
    {
        if (session)
            nghttp2_session_del(session);
    }
};

} // namespace

class TestServerH2 final : public QObject
{
    Q_OBJECT
    QString m_probe;
    QString m_skip;

    ServerConfig tlsConfig(bool http2) const
    {
        ServerConfig config = localServerConfig();
        config.tls = true;
        config.http2 = http2;
        return config;
    }

    // Runs h2probe against the server; the server runs in its own thread meanwhile.
    ProbeResult probe(const EmbeddedServer &server, const QStringList &args)
    {
        QProcess p;
        p.start(m_probe, QStringList { QStringLiteral("-url"), server.url() } + args);
        ProbeResult r;
        if (!p.waitForFinished(60000)) {
            p.kill();
            p.waitForFinished();
            r.output = QStringLiteral("h2probe did not finish in 60 s");
            return r;
        }
        const QByteArray out = p.readAllStandardOutput();
        r.output = QString::fromUtf8(out + p.readAllStandardError());
        r.json = QJsonDocument::fromJson(out.trimmed()).object();
        return r;
    }

private Q_SLOTS:
    void initTestCase()
    {
        const QString go = qEnvironmentVariable("POOLSCOPE_GO");
        if (go.isEmpty() || !QFileInfo(go).isExecutable()) {
            m_skip = QStringLiteral("POOLSCOPE_GO is not set to a Go toolchain");
            return;
        }
        const QString dir = QStringLiteral(POOLSCOPE_BINARY_DIR "/h2probe");
        QDir().mkpath(dir);
        m_probe = dir + QStringLiteral("/h2probe");
        const testsupport::GoBuild b = testsupport::goBuild(
            go, QStringLiteral(POOLSCOPE_SOURCE_DIR "/tests/goref/h2probe"), dir, m_probe);
        QVERIFY2(b.ok, qPrintable(QStringLiteral("go build of h2probe failed: ") + b.output));
    }

    void init()
    {
        // The h2c tests use nghttp2's client, not Go.
        const QByteArray name(QTest::currentTestFunction());
        if (!m_skip.isEmpty() && name != "h2cPriorKnowledge"
            && name != "idleTimeoutClosesAnIdleH2Connection")
            QSKIP(qPrintable(m_skip));
    }

    void alpnNegotiatesH2OnlyWhenOn_data()
    {
        QTest::addColumn<bool>("http2");
        QTest::addColumn<bool>("clientH1");
        QTest::addColumn<QString>("proto");
        QTest::newRow("h2 on") << true << false << QStringLiteral("HTTP/2.0");
        QTest::newRow("h2 off") << false << false << QStringLiteral("HTTP/1.1");
        QTest::newRow("h2 on, Go's HTTP/2 off") << true << true << QStringLiteral("HTTP/1.1");
    }
    void alpnNegotiatesH2OnlyWhenOn()
    {
        QFETCH(bool, http2);
        QFETCH(bool, clientH1);
        QFETCH(QString, proto);
        EmbeddedServer server;
        QString error;
        QVERIFY2(server.start(tlsConfig(http2), &error), qPrintable(error));
        QStringList args { QStringLiteral("-n"), QStringLiteral("3") };
        if (clientH1)
            args << QStringLiteral("-h1");
        const ProbeResult r = probe(server, args);
        QVERIFY2(r.protos(qPrintable(proto)) == 3, qPrintable(r.output));
        QCOMPARE(r.value("errors"), 0);
        // Sequential requests reuse one connection either way; the server counted each one.
        QCOMPARE(r.value("connections"), 1);
        QTRY_COMPARE_WITH_TIMEOUT(server.stats().requests, 3u, kTimeoutMs);
        QCOMPARE(server.stats().accepted, 1u);
    }

    // After a warm-up request, 20 requests from 10 goroutines are streams on the one
    // connection: no dial, no second TLS handshake.
    void concurrentRequestsShareOneConnection()
    {
        ServerConfig config = tlsConfig(true);
        config.latency = 50ms; // keeps streams in flight together
        EmbeddedServer server;
        QString error;
        QVERIFY2(server.start(config, &error), qPrintable(error));
        const ProbeResult r = probe(server,
            { QStringLiteral("-warmup"), QStringLiteral("-n"), QStringLiteral("20"),
                QStringLiteral("-c"), QStringLiteral("10") });
        QVERIFY2(r.protos("HTTP/2.0") == 21, qPrintable(r.output));
        QCOMPARE(r.value("connections"), 1);
        QCOMPARE(r.value("dials"), 1);
        QCOMPARE(r.value("reused"), 20);
        QTRY_COMPARE_WITH_TIMEOUT(server.stats().requests, 21u, kTimeoutMs);
        QCOMPARE(server.stats().accepted, 1u);
        QCOMPARE(server.stats().errors, 0u);
        QTRY_COMPARE_WITH_TIMEOUT(server.stats().streams, 0, kTimeoutMs);
    }

    // SETTINGS_MAX_CONCURRENT_STREAMS 1: Go 1.19's default (StrictMaxConcurrentStreams false)
    // does not queue behind the busy connection, it dials more; every request still succeeds
    // over h2. With the default 250 the same load stays on one connection (above).
    void maxConcurrentStreamsOneMakesGoDialMore()
    {
        ServerConfig config = tlsConfig(true);
        config.latency = 200ms;
        config.h2MaxConcurrentStreams = 1;
        EmbeddedServer server;
        QString error;
        QVERIFY2(server.start(config, &error), qPrintable(error));
        const ProbeResult r = probe(server,
            { QStringLiteral("-warmup"), QStringLiteral("-n"), QStringLiteral("4"),
                QStringLiteral("-c"), QStringLiteral("4") });
        QVERIFY2(r.protos("HTTP/2.0") == 5, qPrintable(r.output));
        QVERIFY2(r.value("connections") > 1, qPrintable(r.output));
        QVERIFY2(r.value("connections") <= 4, qPrintable(r.output));
        QTRY_COMPARE_WITH_TIMEOUT(server.stats().requests, 5u, kTimeoutMs);
        QCOMPARE(server.stats().accepted, std::uint64_t(r.value("dials")));
        // Streams the server refused or answered are all closed.
        QTRY_COMPARE_WITH_TIMEOUT(server.stats().streams, 0, kTimeoutMs);
        qInfo("max streams 1, 4 concurrent: Go used %d connections, %d dials",
            r.value("connections"), r.value("dials"));
    }

    // The figures tst_cli_h2_streams expects of PoolScope, from Go itself: SETTINGS 4, ten
    // goroutines whose requests are all in flight together (40 ms each). Go dials instead of
    // waiting and keeps a new connection only while every pooled one is full: more than one
    // connection, at most ceil(10 / 4) = 3. Before the server's SETTINGS Go allows 100
    // streams, so the first connection takes all ten for a moment (maxInFlightPerConn 10).
    void maxConcurrentStreamsFourTenGoroutines()
    {
        ServerConfig config = tlsConfig(true);
        config.latency = 40ms;
        config.h2MaxConcurrentStreams = 4;
        EmbeddedServer server;
        QString error;
        QVERIFY2(server.start(config, &error), qPrintable(error));
        const ProbeResult r = probe(server,
            { QStringLiteral("-n"), QStringLiteral("200"), QStringLiteral("-c"),
                QStringLiteral("10") });
        QVERIFY2(r.protos("HTTP/2.0") == 200, qPrintable(r.output));
        QVERIFY2(r.value("connections") >= 2, qPrintable(r.output));
        QVERIFY2(r.value("connections") <= 3, qPrintable(r.output));
        QVERIFY2(r.value("maxInFlightPerConn") >= 4, qPrintable(r.output));
        QVERIFY2(r.value("maxInFlightPerConn") <= 10, qPrintable(r.output));
        qInfo("max streams 4, 10 goroutines: Go used %d connections, %d dials, at most %d "
              "requests in flight on one",
            r.value("connections"), r.value("dials"), r.value("maxInFlightPerConn"));
    }

    // GOAWAY after N streams: each connection answers N requests, then Go opens a new one.
    void goAwayAfterStreamsMakesGoReconnect_data()
    {
        QTest::addColumn<int>("after");
        QTest::addColumn<int>("requests");
        QTest::newRow("3 of 10") << 3 << 10;
        QTest::newRow("1 of 4") << 1 << 4;
        QTest::newRow("5 of 5") << 5 << 5;
    }
    void goAwayAfterStreamsMakesGoReconnect()
    {
        QFETCH(int, after);
        QFETCH(int, requests);
        ServerConfig config = tlsConfig(true);
        config.h2GoAwayAfterStreams = after;
        EmbeddedServer server;
        QString error;
        QVERIFY2(server.start(config, &error), qPrintable(error));
        const ProbeResult r = probe(server, { QStringLiteral("-n"), QString::number(requests) });
        QVERIFY2(r.protos("HTTP/2.0") == requests, qPrintable(r.output));
        const int expected = (requests + after - 1) / after;
        QCOMPARE(r.value("connections"), expected);
        QTRY_COMPARE_WITH_TIMEOUT(server.stats().requests, std::uint64_t(requests), kTimeoutMs);
        QCOMPARE(server.stats().accepted, std::uint64_t(expected));
        // Every connection the server sent GOAWAY on is closed by the server once done.
        QTRY_COMPARE_WITH_TIMEOUT(
            server.stats().closedByServer, std::uint64_t(requests / after), kTimeoutMs);
    }

    // Redirect chains per stream: Go follows /redirect/1, /redirect/2 on the same connection.
    void redirectsPerStream()
    {
        ServerConfig config = tlsConfig(true);
        config.redirects = 2;
        EmbeddedServer server;
        QString error;
        QVERIFY2(server.start(config, &error), qPrintable(error));
        const ProbeResult r = probe(server, { QStringLiteral("-n"), QStringLiteral("2") });
        QVERIFY2(r.protos("HTTP/2.0") == 2, qPrintable(r.output));
        QCOMPARE(r.value("connections"), 1);
        // Each request: the first answer and 2 hops.
        QTRY_COMPARE_WITH_TIMEOUT(server.stats().requests, 2u * 3u, kTimeoutMs);
        QCOMPARE(server.stats().accepted, 1u);
    }

    // The client's first request waits for the server's SETTINGS.
    void settingsDelayHoldsTheFirstResponse()
    {
        ServerConfig config = tlsConfig(true);
        config.h2SettingsDelay = 300ms;
        EmbeddedServer server;
        QString error;
        QVERIFY2(server.start(config, &error), qPrintable(error));
        const ProbeResult r = probe(
            server, { QStringLiteral("-warmup"), QStringLiteral("-n"), QStringLiteral("0") });
        QVERIFY2(r.protos("HTTP/2.0") == 1, qPrintable(r.output));
        const double ms = r.json.value(QStringLiteral("firstMillis")).toDouble();
        QVERIFY2(ms >= 300.0, qPrintable(r.output));
        QVERIFY2(ms < 5000.0, qPrintable(r.output));
    }

    // Per-stream latency: 5 concurrent streams with 300 ms latency each are answered
    // together, in about one latency; one after another they would take 1.5 s.
    void latencyAppliesPerStream()
    {
        ServerConfig config = tlsConfig(true);
        config.latency = 300ms;
        config.bodySize = 100000; // several DATA frames per stream
        EmbeddedServer server;
        QString error;
        QVERIFY2(server.start(config, &error), qPrintable(error));
        const ProbeResult r = probe(server,
            { QStringLiteral("-warmup"), QStringLiteral("-n"), QStringLiteral("5"),
                QStringLiteral("-c"), QStringLiteral("5") });
        QVERIFY2(r.protos("HTTP/2.0") == 6, qPrintable(r.output));
        QCOMPARE(r.value("connections"), 1);
        const double warm = r.json.value(QStringLiteral("firstMillis")).toDouble();
        const double batch = r.json.value(QStringLiteral("batchMillis")).toDouble();
        QVERIFY2(warm >= 300.0, qPrintable(r.output));
        QVERIFY2(batch >= 300.0, qPrintable(r.output));
        QVERIFY2(batch < 5 * 300.0, qPrintable(r.output));
    }

    // h2c prior knowledge, which Go 1.19's standard library has no client for: nghttp2's
    // client. A cleartext HTTP/1.1 client on the same server still gets HTTP/1.1.
    void h2cPriorKnowledge()
    {
        ServerConfig config = localServerConfig();
        config.h2c = true;
        config.h2GoAwayAfterStreams = 0;
        EmbeddedServer server;
        QString error;
        QVERIFY2(server.start(config, &error), qPrintable(error));
        {
            H2cClient client;
            const QList<int> statuses = client.get(server.port(), 3);
            QCOMPARE(statuses, QList<int>({ 200, 200, 200 }));
        }
        QTRY_COMPARE_WITH_TIMEOUT(server.stats().requests, 3u, kTimeoutMs);
        QCOMPARE(server.stats().accepted, 1u);
        testsupport::Client h1;
        QVERIFY(h1.connectTo(server.port()));
        const auto response = h1.roundTrip();
        QVERIFY(response);
        QCOMPARE(response->statusLine, QByteArray("HTTP/1.1 200 OK"));
        QTRY_COMPARE_WITH_TIMEOUT(server.stats().requests, 4u, kTimeoutMs);

        // With h2c off the preface is an HTTP/2 request line HTTP/1.1 rejects.
        config.h2c = false;
        server.setConfig(config);
        H2cClient refused;
        QVERIFY(refused.get(server.port(), 1).isEmpty());
        QCOMPARE(server.stats().requests, 4u);
    }

    // closeAllConnections() with a stream in flight: GOAWAY first, the stream is still
    // answered, then the server closes the connection.
    void closeAllAnswersStreamsInFlight()
    {
        ServerConfig config = localServerConfig();
        config.h2c = true;
        config.latency = 300ms;
        EmbeddedServer server;
        QString error;
        QVERIFY2(server.start(config, &error), qPrintable(error));
        H2cClient client;
        bool streamSeen = false;
        client.afterFirstSend = [&server, &streamSeen] {
            // Within the 300 ms latency: the server has read the request and holds its stream.
            QElapsedTimer wait;
            wait.start();
            while (server.stats().streams != 1 && wait.elapsed() < kTimeoutMs)
                QThread::yieldCurrentThread();
            streamSeen = server.stats().streams == 1;
            server.closeAllConnections();
        };
        QCOMPARE(client.get(server.port(), 1), QList<int>({ 200 }));
        QVERIFY(streamSeen);
        QCOMPARE(server.stats().requests, 1u);
        QTRY_COMPARE_WITH_TIMEOUT(server.stats().closedByServer, 1u, kTimeoutMs);
        QCOMPARE(server.stats().closedByClient, 0u);
        QCOMPARE(server.stats().errors, 0u);
    }

    // An h2 connection without streams is idle: the server's idle timeout closes it (GOAWAY,
    // then FIN), and it counts as an idle timeout on the server's side.
    void idleTimeoutClosesAnIdleH2Connection()
    {
        ServerConfig config = localServerConfig();
        config.h2c = true;
        config.idleTimeout = 200ms;
        EmbeddedServer server;
        QString error;
        QVERIFY2(server.start(config, &error), qPrintable(error));
        H2cClient client;
        QCOMPARE(client.get(server.port(), 2), QList<int>({ 200, 200 }));
        QCOMPARE(server.stats().open, 1);
        QTRY_COMPARE_WITH_TIMEOUT(server.stats().idleTimeouts, 1u, kTimeoutMs);
        QCOMPARE(server.stats().closedByServer, 1u);
        // The client sees the server's FIN.
        if (client.socket.state() != QAbstractSocket::UnconnectedState)
            QVERIFY(client.socket.waitForDisconnected(kTimeoutMs));
        QTRY_COMPARE_WITH_TIMEOUT(server.stats().open, 0, kTimeoutMs);
    }
};

QTEST_GUILESS_MAIN(TestServerH2)
#include "tst_server_h2.moc"
