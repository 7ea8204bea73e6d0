// The engine against real servers on loopback: the embedded server, a scripted
// raw server, and nginx when it is installed. Asserts what Go does on the same setup.
#include "load/engine_controller.h"
#include "net/socket_options.h"
#include "server/embedded_server.h"
#include "support/engine_run.h"
#include "support/fresh_server.h"
#include "support/gate_proxy.h"
#include "support/nginx.h"

#include <QDir>
#include <QElapsedTimer>
#include <QProcess>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace poolscope;
using namespace poolscope::testsupport;
using namespace std::chrono_literals;

Q_DECLARE_METATYPE(poolscope::EngineSnapshot)
Q_DECLARE_METATYPE(poolscope::TransportConfig)

namespace {

// "reason=N ..." for every reason that closed something, for failure messages.
QString closesByReason(const EngineSnapshot &s)
{
    QStringList parts;
    for (int i = 0; i < kCloseReasonCount; ++i) {
        const auto r = static_cast<CloseReason>(i);
        if (const auto n = s.pool.closes(r); n > 0) {
            parts << QStringLiteral("%1=%2").arg(QLatin1StringView(closeReasonKey(r))).arg(n);
        }
    }
    return parts.join(u' ');
}

std::uint64_t closes(const EngineSnapshot &s, CloseReason r)
{
    return s.pool.closes(r);
}

// A server that answers the first request on each connection and, on the
// second, closes without answering: a connection the server dropped just as
// the client reused it (the stale keep-alive race), made deterministic.
class StaleServer : public QObject
{
public:
    StaleServer()
    {
        m_server.listen(QHostAddress::LocalHost, 0);
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *s = m_server.nextPendingConnection()) {
                ++accepted;
                auto *count = new int(0);
                connect(s, &QTcpSocket::readyRead, s, [s, count, this] {
                    const QByteArray data = s->readAll();
                    if (!data.contains("\r\n\r\n")) {
                        return;
                    }
                    ++*count;
                    ++requests;
                    heads << data.left(data.indexOf("\r\n\r\n"));
                    if (*count == 1) {
                        s->write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
                    } else {
                        s->close();
                    }
                });
                connect(s, &QTcpSocket::disconnected, s, [s, count] {
                    delete count;
                    s->deleteLater();
                });
            }
        });
    }
    QString url() const
    {
        return QStringLiteral("http://127.0.0.1:%1/").arg(m_server.serverPort());
    }
    int accepted = 0;
    int requests = 0;
    QByteArrayList heads; // each request's head, without the blank line

private:
    QTcpServer m_server;
};

// A server that never says "100 Continue": it either waits for the body
// (Go then sends it after ExpectContinueTimeout) or answers at once without it.
class NoContinueServer : public QObject
{
public:
    explicit NoContinueServer(bool answerBeforeBody)
    {
        m_server.listen(QHostAddress::LocalHost, 0);
        connect(&m_server, &QTcpServer::newConnection, this, [this, answerBeforeBody] {
            while (QTcpSocket *s = m_server.nextPendingConnection()) {
                ++accepted;
                auto *buffer = new QByteArray;
                connect(s, &QTcpSocket::readyRead, s, [s, buffer, answerBeforeBody, this] {
                    buffer->append(s->readAll());
                    for (;;) {
                        const qsizetype end = buffer->indexOf("\r\n\r\n");
                        if (end < 0) {
                            return;
                        }
                        const qsizetype need = answerBeforeBody ? 0 : 10; // the test's --body-size
                        if (buffer->size() < end + 4 + need) {
                            return;
                        }
                        bodyBytesSeen += buffer->size() - (end + 4);
                        buffer->remove(0, end + 4 + need);
                        ++requests;
                        s->write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
                    }
                });
                connect(s, &QTcpSocket::disconnected, s, [s, buffer] {
                    delete buffer;
                    s->deleteLater();
                });
            }
        });
    }
    QString url() const
    {
        return QStringLiteral("http://127.0.0.1:%1/").arg(m_server.serverPort());
    }
    int accepted = 0;
    int requests = 0;
    qsizetype bodyBytesSeen = 0;

private:
    QTcpServer m_server;
};

// nginx with its own config in a temp dir on a free port.

// Our TCP sockets connected to `port` in this process, found through /proc/self/fd.
QList<int> socketsTo(quint16 port)
{
    QList<int> out;
    const QStringList fds
        = QDir(QStringLiteral("/proc/self/fd")).entryList(QDir::Files | QDir::System);
    for (const QString &name : fds) {
        bool ok = false;
        const int fd = name.toInt(&ok);
        if (!ok) {
            continue;
        }
        sockaddr_storage peer {};
        socklen_t len = sizeof peer;
        if (::getpeername(fd, reinterpret_cast<sockaddr *>(&peer), &len) != 0
            || peer.ss_family != AF_INET) {
            continue;
        }
        if (ntohs(reinterpret_cast<sockaddr_in *>(&peer)->sin_port) == port) {
            out << fd;
        }
    }
    return out;
}

// A listener that never accepts, with a backlog of 0: the kernel completes the first
// handshake or two, then drops SYNs, so later dials stay in flight (SYN_SENT).
class NeverAccepting
{
public:
    NeverAccepting()
    {
        m_fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a {};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof a;
        if (::bind(m_fd, reinterpret_cast<sockaddr *>(&a), len) == 0 && ::listen(m_fd, 0) == 0
            && ::getsockname(m_fd, reinterpret_cast<sockaddr *>(&a), &len) == 0) {
            m_port = ntohs(a.sin_port);
        }
    }
    ~NeverAccepting() { ::close(m_fd); }
    NeverAccepting(const NeverAccepting &) = delete;
    NeverAccepting &operator=(const NeverAccepting &) = delete;
    [[nodiscard]] QString url() const { return QStringLiteral("http://127.0.0.1:%1/").arg(m_port); }
    [[nodiscard]] quint16 port() const { return m_port; }

private:
    int m_fd = -1;
    quint16 m_port = 0;
};

} // namespace

class TestEngineIntegration : public QObject
{
    Q_OBJECT

    FreshServer m_srv;
    EmbeddedServer &server() { return *m_srv; }
    QString startServer(const ServerConfig &cfg) { return m_srv.start(cfg); }

private Q_SLOTS:
    void initTestCase() { qRegisterMetaType<EngineSnapshot>(); }
    void cleanup() { m_srv.reset(); }

    void sequentialGetsReuseOneConnection()
    {
        const QString url = startServer(ServerConfig {});
        QVERIFY(!url.isEmpty());
        const auto s = runLoad(loadFor(url, 1, 100), TransportConfig::goDefault());
        QCOMPARE(s.requestsDone, 100u);
        QCOMPARE(s.errors, 0u);
        QCOMPARE(s.pool.dials, 1u);
        QCOMPARE(s.pool.reused, 99u);
        // Both ends agree.
        QCOMPARE(server().stats().accepted, 1u);
        QCOMPARE(server().stats().requests, 100u);
    }

    void perHostIdleCapChurnsAndTheFixStopsIt()
    {
        const QString url = startServer(ServerConfig {});
        LoadConfig l = loadFor(url, 10, 100);
        l.think = 1ms;
        const auto storm = runLoad(l, TransportConfig::goDefault());
        QCOMPARE(storm.requestsDone, 1000u);
        QVERIFY2(storm.pool.dials > 50, qPrintable(QString::number(storm.pool.dials)));
        QVERIFY(closes(storm, CloseReason::TooManyIdleHost) > 40);
        QCOMPARE(storm.pool.now.idle, 2);
        QCOMPARE(server().stats().accepted, storm.pool.dials);

        auto fixed = TransportConfig::goDefault();
        fixed.maxIdleConnsPerHost = 10;
        const auto calm = runLoad(l, fixed);
        QCOMPARE(calm.requestsDone, 1000u);
        QVERIFY2(calm.pool.dials <= 10, qPrintable(QString::number(calm.pool.dials)));
        QCOMPARE(closes(calm, CloseReason::TooManyIdleHost), 0u);
    }

    void raisingTheCapMidRunStopsTheChurn()
    {
        const QString url = startServer(ServerConfig {});
        EngineController engine;
        engine.setKernelView(false);
        LoadConfig l = loadFor(url, 10, 0);
        l.duration = 30s;
        l.think = 1ms;
        bool finished = false;
        QObject::connect(&engine, &EngineController::runFinished, [&] { finished = true; });
        engine.start(l, TransportConfig::goDefault());
        QTRY_VERIFY_WITH_TIMEOUT(
            engine.snapshot().pool.closes(CloseReason::TooManyIdleHost) > 20, 20000);
        auto cfg = TransportConfig::goDefault();
        cfg.maxIdleConnsPerHost = 10;
        engine.setTransportConfig(cfg);
        // Let the new cap settle (the config is applied within the next requests), then
        // no more dials happen: every worker finds one of the 10 kept connections.
        const auto applied = engine.snapshot();
        QTRY_VERIFY_WITH_TIMEOUT(
            engine.snapshot().requestsDone > applied.requestsDone + 300, 20000);
        const auto before = engine.snapshot();
        QVERIFY(before.pool.now.open() <= 11);
        QTRY_VERIFY_WITH_TIMEOUT(engine.snapshot().requestsDone > before.requestsDone + 500, 20000);
        const auto after = engine.snapshot();
        QVERIFY2(after.pool.dials <= before.pool.dials + 1,
            qPrintable(QStringLiteral("%1 -> %2").arg(before.pool.dials).arg(after.pool.dials)));
        engine.stop();
        QTRY_VERIFY_WITH_TIMEOUT(finished, 10000);
    }

    void destroyedMidRunPublishesNothingAfterShutdown()
    {
        // Closing the window mid-run destroys the controller: the engine shuts down, then
        // its thread quits. A snapshot timer left running fired in between and read the
        // released Transport (a segfault in SnapshotBuilder::build, seen once in three
        // runs of tst_ui_lab_panel). A 1 ms snapshot period makes that window wide.
        const QString url = startServer(ServerConfig {});
        for (int round = 0; round < 20; ++round) {
            auto engine = std::make_unique<EngineController>();
            engine->setKernelView(false);
            engine->setSnapshotInterval(1ms);
            LoadConfig l = loadFor(url, 4, 0);
            l.duration = 30s;
            l.think = 1ms;
            engine->start(l, TransportConfig::goDefault());
            QTRY_VERIFY_WITH_TIMEOUT(engine->snapshot().requestsDone > 20, 20000);
            QVERIFY(engine->isRunning());
            engine.reset(); // must neither crash nor hang
        }
    }

    void closeEarlyDialsEveryTime()
    {
        const QString url = startServer(ServerConfig {});
        LoadConfig l = loadFor(url, 1, 50);
        l.bodyPolicy = BodyPolicy::CloseEarly;
        const auto s = runLoad(l, TransportConfig::goDefault());
        QCOMPARE(s.requestsDone, 50u);
        QCOMPARE(s.errors, 0u);
        QCOMPARE(s.pool.dials, 50u);
        QCOMPARE(closes(s, CloseReason::BodyNotRead), 50u);
    }

    void leakedBodiesKeepConnectionsActive()
    {
        const QString url = startServer(ServerConfig {});
        LoadConfig l = loadFor(url, 1, 5);
        l.bodyPolicy = BodyPolicy::Leak;
        const auto s = runLoad(l, TransportConfig::goDefault());
        QCOMPARE(s.requestsDone, 5u);
        QCOMPARE(s.pool.dials, 5u);
        QCOMPARE(s.pool.now.active, 5);
        QCOMPARE(s.pool.closed, 0u);
    }

    // Mixed callers: half of the workers (1 and 3 of 4) leak every body, the others read
    // theirs. Only the leakers' connections stay pinned: one per request of theirs.
    void mixedCallersLeakOnlyFromTheirShare()
    {
        const QString url = startServer(ServerConfig {});
        LoadConfig l = loadFor(url, 4, 5);
        l.mixShare = 0.5;
        l.mixBodyPolicy = BodyPolicy::Leak;
        auto cfg = TransportConfig::goDefault();
        cfg.maxIdleConnsPerHost = 10; // no idle-cap closes: every close would be a surprise
        const auto s = runLoad(l, cfg);
        QCOMPARE(s.requestsDone, 20u);
        QCOMPARE(s.errors, 0u);
        QCOMPARE(s.pool.now.active, 10); // 2 leaking workers x 5 requests
        // The only close allowed: a spare of Go's dial race still dialing when the last
        // request finished, canceled as the run ends (timing decides whether there is one).
        QVERIFY2(s.pool.closed == closes(s, CloseReason::Canceled), qPrintable(closesByReason(s)));
        // The readers' requests went over a few reused connections (2 workers; Go's dial
        // race may add a spare), not one each.
        QVERIFY2(s.pool.dials <= 10u + 4u, qPrintable(QString::number(s.pool.dials)));
        QVERIFY2(s.pool.reused >= 6u, qPrintable(QString::number(s.pool.reused)));
        QCOMPARE(server().stats().accepted, s.pool.dials);

        l.mixShare = 0; // nobody mixed: the body policy alone, nothing leaks
        const auto none = runLoad(l, cfg);
        QCOMPARE(none.requestsDone, 20u);
        QCOMPARE(none.pool.now.active, 0);
    }

    void maxConnsPerHostCapsDials()
    {
        const QString url = startServer(ServerConfig {});
        auto t = TransportConfig::goDefault();
        t.maxConnsPerHost = 4;
        const auto s = runLoad(loadFor(url, 16, 20), t);
        QCOMPARE(s.requestsDone, 320u);
        QCOMPARE(s.errors, 0u);
        QCOMPARE(s.pool.dials, 4u);
        QCOMPARE(server().stats().accepted, 4u);
    }

    void disableKeepAlivesDialsPerRequest()
    {
        const QString url = startServer(ServerConfig {});
        auto t = TransportConfig::goDefault();
        t.disableKeepAlives = true;
        const auto s = runLoad(loadFor(url, 1, 20), t);
        QCOMPARE(s.pool.dials, 20u);
        QCOMPARE(closes(s, CloseReason::KeepAlivesDisabled), 20u);
        QCOMPARE(server().stats().accepted, 20u);
    }

    void http10ServerClosesEveryConnection()
    {
        ServerConfig sc;
        sc.http10 = true;
        const QString url = startServer(sc);
        const auto s = runLoad(loadFor(url, 1, 10), TransportConfig::goDefault());
        QCOMPARE(s.errors, 0u);
        QCOMPARE(s.pool.dials, 10u);
        QCOMPARE(closes(s, CloseReason::ConnectionCloseResponse), 10u);
    }

    void serverKeepaliveRequestsLimit()
    {
        ServerConfig sc;
        sc.maxRequestsPerConn = 6;
        const QString url = startServer(sc);
        const auto s = runLoad(loadFor(url, 1, 60), TransportConfig::goDefault());
        QCOMPARE(s.errors, 0u);
        QCOMPARE(s.pool.dials, 10u);
        QCOMPARE(closes(s, CloseReason::ConnectionCloseResponse), 10u);
    }

    void nginxKeepaliveRequestsLimit()
    {
        NginxProcess nginx;
        QString why;
        if (!nginx.start(qEnvironmentVariable("POOLSCOPE_NGINX"), { { 6 } }, &why)) {
            QSKIP(qPrintable(why));
        }
        const auto s = runLoad(loadFor(nginx.url(), 1, 60), TransportConfig::goDefault());
        QCOMPARE(s.requestsDone, 60u);
        QCOMPARE(s.errors, 0u);
        QCOMPARE(s.pool.dials, 10u);
        const auto seq = runLoad(loadFor(nginx.url(), 1, 100), [] {
            auto t = TransportConfig::goDefault();
            return t;
        }());
        QCOMPARE(seq.pool.dials, 17u); // ceil(100 / 6)
    }

    void serverIdleTimeoutShorterThanThinkTime()
    {
        ServerConfig sc;
        sc.idleTimeout = 150ms;
        const QString url = startServer(sc);
        LoadConfig l = loadFor(url, 1, 5);
        l.think = 400ms;
        const auto s = runLoad(l, TransportConfig::goDefault());
        QCOMPARE(s.requestsDone, 5u);
        QCOMPARE(s.errors, 0u);
        QCOMPARE(s.pool.dials, 5u);
        // The client saw each FIN while the connection sat idle.
        QCOMPARE(closes(s, CloseReason::ServerClosedIdle), 4u);
        QCOMPARE(server().stats().idleTimeouts, 4u);
    }

    void staleReusedConnectionRetriesGetNotPost()
    {
        StaleServer stale;
        const auto get = runLoad(loadFor(stale.url(), 1, 3), TransportConfig::goDefault());
        QCOMPARE(get.requestsDone, 3u);
        QCOMPARE(get.errors, 0u);
        QCOMPARE(get.pool.retries, 2u); // requests 2 and 3 met a dropped connection
        QCOMPARE(get.pool.dials, 3u);
        QCOMPARE(closes(get, CloseReason::ReadError), 2u);

        StaleServer stale2;
        LoadConfig post = loadFor(stale2.url(), 1, 3);
        post.method = "POST";
        post.requestBodySize = 10;
        const auto p = runLoad(post, TransportConfig::goDefault());
        QCOMPARE(p.requestsDone, 3u);
        QCOMPARE(p.pool.retries, 0u);
        QCOMPARE(p.errors, 1u); // request 2 fails with EOF; request 3 gets a fresh connection
        QCOMPARE(errorsOf(p, CloseReason::ReadError), 1u);
        QCOMPARE(p.lastError, QStringLiteral("EOF"));
    }

    // Mixed callers with a method of their own, each share on its own stale server (worker
    // i loads URL i mod 2): the POST run's GET share is retried on a new connection every
    // time its reused one fails, the POSTs fail with the EOF. The GETs carry no body.
    void staleMixedMethodShareRetriedPostShareFails()
    {
        StaleServer posts; // worker 0
        StaleServer gets; // worker 1, the mixed share
        LoadConfig l = loadFor(posts.url(), 2, 6);
        l.setTargets({ posts.url(), gets.url() });
        l.method = "POST";
        l.requestBodySize = 10;
        l.mixShare = 0.5;
        l.mixMethod = "GET";
        l.mixBodyPolicy = BodyPolicy::ReadToEof; // the share differs by its method alone
        const auto s = runLoad(l, TransportConfig::goDefault());
        QCOMPARE(s.requestsDone, 12u);
        // The POST share: requests 2, 4 and 6 meet a dropped connection and fail; the others
        // dial. The GET share: requests 2-6 are retried, each on a new connection.
        QCOMPARE(s.errors, 3u);
        QCOMPARE(errorsOf(s, CloseReason::ReadError), 3u);
        QCOMPARE(s.lastError, QStringLiteral("EOF"));
        QCOMPARE(s.pool.retries, 5u);
        QCOMPARE(s.pool.dials, 9u);
        QCOMPARE(closes(s, CloseReason::ReadError), 8u);
        QCOMPARE(posts.accepted, 3);
        QCOMPARE(gets.accepted, 6);
        QCOMPARE(gets.requests, 11); // 6 answered, 5 dropped and sent again
        for (const QByteArray &head : std::as_const(gets.heads)) {
            QVERIFY2(head.startsWith("GET / HTTP/1.1\r\n"), head.constData());
            QVERIFY2(!head.contains("Content-Length"), head.constData());
        }
        for (const QByteArray &head : std::as_const(posts.heads)) {
            QVERIFY2(head.startsWith("POST / HTTP/1.1\r\n"), head.constData());
            QVERIFY2(head.contains("Content-Length: 10\r\n"), head.constData());
        }

        // No share: both workers POST, both fail every other request.
        StaleServer posts2;
        StaleServer posts3;
        l.setTargets({ posts2.url(), posts3.url() });
        l.mixShare = 0;
        const auto none = runLoad(l, TransportConfig::goDefault());
        QCOMPARE(none.requestsDone, 12u);
        QCOMPARE(none.errors, 6u);
        QCOMPARE(none.pool.retries, 0u);
        QCOMPARE(none.pool.dials, 6u);
    }

    void responseHeaderTimeout()
    {
        ServerConfig sc;
        sc.headerDelay = 800ms;
        const QString url = startServer(sc);
        auto t = TransportConfig::goDefault();
        t.responseHeaderTimeout = 100ms;
        const auto s = runLoad(loadFor(url, 1, 2), t);
        QCOMPARE(s.errors, 2u);
        QCOMPARE(errorsOf(s, CloseReason::ResponseHeaderTimeout), 2u);
        QCOMPARE(closes(s, CloseReason::ResponseHeaderTimeout), 2u);
        QVERIFY(s.lastError.contains(QStringLiteral("timeout awaiting response headers")));
    }

    void clientTimeout()
    {
        ServerConfig sc;
        sc.latency = 800ms;
        const QString url = startServer(sc);
        auto t = TransportConfig::goDefault();
        t.clientTimeout = 100ms;
        const auto s = runLoad(loadFor(url, 1, 2), t);
        QCOMPARE(s.errors, 2u);
        QCOMPARE(errorsOf(s, CloseReason::ClientTimeout), 2u);
        QCOMPARE(s.pool.dials, 2u);
    }

    void malformedResponsesAreProtocolErrors()
    {
        ServerConfig sc;
        sc.malformed = true;
        const QString url = startServer(sc);
        const auto s = runLoad(loadFor(url, 1, 3), TransportConfig::goDefault());
        QCOMPARE(s.requestsDone, 3u);
        QCOMPARE(errorsOf(s, CloseReason::ProtocolError), 3u);
        QVERIFY(!s.lastError.isEmpty());
    }

    void refusedConnectionsAreCountedNotFatal()
    {
        QTcpServer probe;
        probe.listen(QHostAddress::LocalHost, 0);
        const quint16 port = probe.serverPort();
        probe.close(); // nothing listens there now
        const auto s = runLoad(loadFor(QStringLiteral("http://127.0.0.1:%1/").arg(port), 2, 3),
            TransportConfig::goDefault());
        QCOMPARE(s.requestsDone, 6u);
        QCOMPARE(s.errors, 6u);
        QCOMPARE(errorsOf(s, CloseReason::DialFailed), 6u);
        // Go's words: dial tcp 127.0.0.1:P: connect: connection refused
        QVERIFY2(
            s.lastError.contains(
                QStringLiteral("dial tcp 127.0.0.1:%1: connect: connection refused").arg(port)),
            qPrintable(s.lastError));
    }

    void badUrlFailsTheRunWithAClearMessage()
    {
        QString failure;
        runLoad(
            loadFor(QStringLiteral("ftp://example"), 1, 1), TransportConfig::goDefault(), &failure);
        QVERIFY2(failure.contains(QStringLiteral("unsupported scheme")), qPrintable(failure));
    }

    void keepAliveOptionsReachTheSockets()
    {
        const QString url = startServer(ServerConfig {});
        auto t = TransportConfig::goDefault();
        t.keepAliveConfig = KeepAliveConfig { true, 7s, 3s, 4 };
        EngineController engine;
        engine.setKernelView(false);
        LoadConfig l = loadFor(url, 2, 1);
        l.linger = 30s; // keep the pooled connections open while we look
        engine.start(l, t);
        QTRY_VERIFY_WITH_TIMEOUT(
            engine.snapshot().requestsDone == 2 && engine.snapshot().pool.now.idle == 2, 10000);
        const QList<int> fds = socketsTo(server().port());
        QCOMPARE(fds.size(), 2);
        for (int fd : fds) {
            SocketKeepAlive ka;
            QString error;
            QVERIFY2(readSocketKeepAlive(fd, &ka, &error), qPrintable(error));
            QVERIFY(ka.enabled);
            QCOMPARE(ka.idleSeconds, 7);
            QCOMPARE(ka.intervalSeconds, 3);
            QCOMPARE(ka.count, 4);
            QVERIFY(ka.noDelay);
        }
        engine.stop();
    }

    // Linux refuses TCP_KEEPIDLE/TCP_KEEPINTVL above 32767 s and TCP_KEEPCNT above 127.
    // Go's Dialer ignores the error (KeepAlive: 10h gives 200 OK in Go 1.19): the dial
    // succeeds, the options from the refused one on keep the kernel's values.
    void keepAliveBeyondTheKernelsRangeStillDials_data()
    {
        QTest::addColumn<TransportConfig>("transport");
        QTest::addColumn<int>("idle"); // -1: the kernel's sysctl
        QTest::addColumn<int>("interval");
        QTest::addColumn<int>("count");
        auto longPeriod = TransportConfig::goDefault();
        longPeriod.keepAlive = 10h;
        QTest::newRow("Dialer.KeepAlive 10h") << longPeriod << -1 << -1 << -1;
        auto manyProbes = TransportConfig::goDefault();
        manyProbes.keepAliveConfig = KeepAliveConfig { true, 7s, 3s, 200 };
        QTest::newRow("KeepAliveConfig.Count 200") << manyProbes << 7 << 3 << -1;
    }
    void keepAliveBeyondTheKernelsRangeStillDials()
    {
        QFETCH(TransportConfig, transport);
        QFETCH(int, idle);
        QFETCH(int, interval);
        QFETCH(int, count);
        const auto sysctl = [](const char *name) {
            QFile f(QStringLiteral("/proc/sys/net/ipv4/%1").arg(QLatin1String(name)));
            return f.open(QIODevice::ReadOnly) ? f.readAll().trimmed().toInt() : -1;
        };
        idle = idle < 0 ? sysctl("tcp_keepalive_time") : idle;
        interval = interval < 0 ? sysctl("tcp_keepalive_intvl") : interval;
        count = count < 0 ? sysctl("tcp_keepalive_probes") : count;
        const QString url = startServer(ServerConfig {});
        EngineController engine;
        engine.setKernelView(false);
        LoadConfig l = loadFor(url, 1, 2);
        l.linger = 30s;
        engine.start(l, transport);
        QTRY_VERIFY_WITH_TIMEOUT(
            engine.snapshot().requestsDone == 2 && engine.snapshot().pool.now.idle == 1, 10000);
        QCOMPARE(engine.snapshot().errors, 0u);
        const QList<int> fds = socketsTo(server().port());
        QCOMPARE(fds.size(), 1);
        SocketKeepAlive ka;
        QVERIFY(readSocketKeepAlive(fds.first(), &ka));
        QVERIFY(ka.enabled);
        QCOMPARE(ka.idleSeconds, idle);
        QCOMPARE(ka.intervalSeconds, interval);
        QCOMPARE(ka.count, count);
        engine.stop();
    }

    void keepAliveOffLeavesSocketsAlone()
    {
        const QString url = startServer(ServerConfig {});
        auto t = TransportConfig::goDefault();
        t.keepAlive = -1s;
        EngineController engine;
        engine.setKernelView(false);
        LoadConfig l = loadFor(url, 1, 1);
        l.linger = 30s;
        engine.start(l, t);
        QTRY_VERIFY_WITH_TIMEOUT(engine.snapshot().pool.now.idle == 1, 10000);
        const QList<int> fds = socketsTo(server().port());
        QCOMPARE(fds.size(), 1);
        SocketKeepAlive ka;
        QVERIFY(readSocketKeepAlive(fds.first(), &ka));
        QVERIFY(!ka.enabled);
        engine.stop();
    }

    void expectContinueTimeoutSendsTheBodyAnyway()
    {
        NoContinueServer server(false);
        LoadConfig l = loadFor(server.url(), 1, 2);
        l.method = "POST";
        l.requestBodySize = 10;
        l.expectContinue = true;
        auto t = TransportConfig::goDefault();
        t.expectContinueTimeout = 300ms;
        const auto s = runLoad(l, t);
        QCOMPARE(s.errors, 0u);
        QCOMPARE(server.requests, 2);
        QCOMPARE(s.pool.dials, 1u);
        // Each body waited for the timeout before it was sent.
        QVERIFY2(s.latencyTotal.p50Ms >= 250, qPrintable(QString::number(s.latencyTotal.p50Ms)));
    }

    void finalAnswerBeforeContinueWithholdsBodyAndDropsConnection()
    {
        NoContinueServer server(true);
        LoadConfig l = loadFor(server.url(), 1, 2);
        l.method = "POST";
        l.requestBodySize = 10;
        l.expectContinue = true;
        auto t = TransportConfig::goDefault();
        t.expectContinueTimeout = 5s;
        const auto s = runLoad(l, t);
        QCOMPARE(s.errors, 0u);
        QCOMPARE(s.pool.dials, 2u); // not reused: the unsent body would be read as a request
        QCOMPARE(server.bodyBytesSeen, qsizetype(0));
    }

    void globalIdleLimitEvictsAcrossHosts()
    {
        // Three servers are three pool keys; 6 workers (2 per host) finish one request
        // each, 6 connections come back, MaxIdleConns 3 keeps the newest 3.
        EmbeddedServer a;
        EmbeddedServer b;
        EmbeddedServer c;
        QVERIFY(a.start(ServerConfig {}) && b.start(ServerConfig {}) && c.start(ServerConfig {}));
        LoadConfig l = loadFor(a.url(), 6, 1);
        l.urls = QStringList { a.url(), b.url(), c.url() };
        auto t = TransportConfig::goDefault();
        t.maxIdleConns = 3;
        t.maxIdleConnsPerHost = 5;
        l.linger = 1ms;
        const auto s = runLoad(l, t);
        QCOMPARE(s.requestsDone, 6u);
        QCOMPARE(s.pool.dials, 6u);
        QCOMPARE(closes(s, CloseReason::TooManyIdle), 3u);
        QCOMPARE(s.pool.now.idle, 3);
        QCOMPARE(a.stats().accepted + b.stats().accepted + c.stats().accepted, 6u);
        QCOMPARE(a.stats().requests, 2u);
        QVERIFY(s.target.endsWith(QStringLiteral("(+2 more)")));
    }

    void httpsWithTheTestCertificate()
    {
        ServerConfig sc;
        sc.tls = true;
        const QString url = startServer(sc);
        QVERIFY(url.startsWith(QStringLiteral("https://")));
        auto t = TransportConfig::goDefault();
        t.insecureSkipVerify = true;
        // One caller: one handshake, then the TLS connection is reused.
        const auto ok = runLoad(loadFor(url, 1, 10), t);
        QCOMPARE(ok.errors, 0u);
        QCOMPARE(ok.pool.dials, 1u);
        QCOMPARE(ok.pool.reused, 9u);
        // Two callers: two handshakes. If one caller's whole first request finishes before
        // the other's handshake does, its connection goes to the waiting caller and it dials
        // again (Go's dial race, an idle handoff), so a third dial is allowed only with one.
        const auto two = runLoad(loadFor(url, 2, 10), t);
        QCOMPARE(two.errors, 0u);
        QCOMPARE(two.requestsDone, 20u);
        QVERIFY2(two.pool.dials == 2u || (two.pool.dials == 3u && two.pool.idleHandoffs >= 1u),
            qPrintable(QStringLiteral("dials %1, idle handoffs %2")
                           .arg(two.pool.dials)
                           .arg(two.pool.idleHandoffs)));
        QCOMPARE(two.pool.reused, 20u - two.pool.fresh);
        // Without InsecureSkipVerify the self-signed test certificate is refused.
        const auto refused = runLoad(loadFor(url, 1, 2), TransportConfig::goDefault());
        QCOMPARE(refused.errors, 2u);
        QCOMPARE(errorsOf(refused, CloseReason::TlsError), 2u);
    }

    // Go 1.19 dials under the request's context (transport.go dialConnFor: t.dialConn(w.ctx,
    // ...)). The relay lets the first TLS connection through and holds every later one in
    // its handshake, so each request after the first is served by the one open connection
    // (an idle handoff) while its own dial is in flight. With Client.Timeout, the caller's
    // cancel once it has read the body aborts that dial: every dial but the first ends
    // "dial aborted", and the server side sees the client give up. Without Client.Timeout
    // (context.Background), or with Go 1.23's rule, the dials stay in flight until the run
    // ends.
    void clientTimeoutAbortsTheTlsDialOfAServedRequest_data()
    {
        QTest::addColumn<qint64>("timeoutMs");
        QTest::addColumn<int>("goVersion");
        QTest::addColumn<bool>("aborts");
        QTest::newRow("go1.19, Client.Timeout 5s") << 5000LL << int(GoVersion::Go1_19) << true;
        QTest::newRow("go1.19, no Client.Timeout") << 0LL << int(GoVersion::Go1_19) << false;
        QTest::newRow("go1.23, Client.Timeout 5s") << 5000LL << int(GoVersion::Go1_23) << false;
    }
    void clientTimeoutAbortsTheTlsDialOfAServedRequest()
    {
        QFETCH(qint64, timeoutMs);
        QFETCH(int, goVersion);
        QFETCH(bool, aborts);
        ServerConfig sc;
        sc.tls = true;
        QVERIFY(!startServer(sc).isEmpty());
        GateProxy gate(server().port(), 1);
        auto t = TransportConfig::goDefault();
        t.insecureSkipVerify = true;
        t.maxIdleConnsPerHost = 10;
        t.clientTimeout = std::chrono::milliseconds(timeoutMs);
        t.goVersion = static_cast<GoVersion>(goVersion);
        const auto s
            = runLoad(loadFor(QStringLiteral("https://127.0.0.1:%1/").arg(gate.port()), 2, 3), t);
        QCOMPARE(s.errors, 0u);
        QCOMPARE(s.requestsDone, 6u);
        QCOMPARE(s.pool.fresh, 1u); // one handshake ever completes
        QVERIFY2(s.pool.dials >= 3u, qPrintable(QString::number(s.pool.dials)));
        QCOMPARE(s.pool.dialFailures, 0u); // an aborted dial is nobody's error
        const std::uint64_t held = s.pool.dials - 1;
        QCOMPARE(s.pool.closes(CloseReason::DialCanceled), aborts ? held : 0u);
        QCOMPARE(s.pool.closes(CloseReason::Canceled), aborts ? 0u : held); // at the run's end
        QTRY_COMPARE_WITH_TIMEOUT(gate.closedByClientWhileHeld, int(held), 5000);
    }

    void tlsHandshakeTimeout()
    {
        // Accepts TCP but never answers the ClientHello.
        QTcpServer silent;
        QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
        QList<QTcpSocket *> held;
        connect(&silent, &QTcpServer::newConnection, &silent, [&] {
            while (QTcpSocket *s = silent.nextPendingConnection()) {
                held << s;
            }
        });
        auto t = TransportConfig::goDefault();
        t.tlsHandshakeTimeout = 200ms;
        t.insecureSkipVerify = true;
        const auto s = runLoad(
            loadFor(QStringLiteral("https://127.0.0.1:%1/").arg(silent.serverPort()), 1, 2), t);
        QCOMPARE(s.errors, 2u);
        QCOMPARE(errorsOf(s, CloseReason::TlsHandshakeTimeout), 2u);
        QCOMPARE(s.pool.dialFailures, 2u);
        QVERIFY2(
            s.lastError.contains(QStringLiteral("TLS handshake timeout")), qPrintable(s.lastError));
    }

    // Issue 16 #10: a worker thinking past --duration is woken by the deadline; the run
    // ended at the 10 s hard stop before (--think 30s --duration 2s took 12 s).
    void thinkLongerThanTheDurationEndsOnTime()
    {
        const QString url = startServer(ServerConfig {});
        LoadConfig l = loadFor(url, 4, 0);
        l.think = 30s;
        l.duration = 2s;
        QElapsedTimer wall;
        wall.start();
        const auto s = runLoad(l, TransportConfig::goDefault());
        const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(s.time);
        QCOMPARE(s.requestsDone, 4u);
        QCOMPARE(s.errors, 0u); // no "run stopped at its time bound" either
        QVERIFY2(s.time >= 2s && s.time < 2300ms, qPrintable(QString::number(took.count())));
        QVERIFY2(wall.elapsed() < 3000, qPrintable(QString::number(wall.elapsed())));
    }

    // Issue 16 #5: 2^32 ms + 1 s is a valid Go duration; Qt 6.4's QTimer::start(ms) took
    // it modulo 2^32 and every request failed with Client.Timeout after 1 s.
    void clientTimeoutBeyondQtTimerRangeNeverFires()
    {
        ServerConfig sc;
        sc.latency = 1300ms;
        const QString url = startServer(sc);
        auto t = TransportConfig::goDefault();
        t.clientTimeout = std::chrono::milliseconds(4294968296LL); // 1193h2m48.296s
        const auto s = runLoad(loadFor(url, 2, 1), t);
        QCOMPARE(s.requestsDone, 2u);
        QCOMPARE(errorsOf(s, CloseReason::ClientTimeout), 0u);
        QCOMPARE(s.errors, 0u);
    }

    // Issue 16 #9: stopping with dials in flight balances the books in the final snapshot:
    // every dial is closed or open at the end (the in-flight ones were closed after it).
    void stopWithDialsInFlightBalancesTheBooks()
    {
        NeverAccepting target;
        QVERIFY(target.port() != 0);
        EngineController engine;
        engine.setKernelView(false);
        engine.setSnapshotInterval(20ms);
        std::optional<EngineSnapshot> final;
        QObject::connect(
            &engine, &EngineController::runFinished, [&](const EngineSnapshot &s) { final = s; });
        LoadConfig l = loadFor(target.url(), 8, 0);
        auto t = TransportConfig::goDefault();
        t.dialTimeout = 0s; // the stop ends them, nothing else
        engine.start(l, t);
        QTRY_VERIFY_WITH_TIMEOUT(engine.snapshot().pool.now.dialing >= 4, 10000);
        engine.stop();
        QTRY_VERIFY_WITH_TIMEOUT(final.has_value(), 10000);
        const PoolCounters &p = final->pool;
        QVERIFY2(p.dials >= 4, qPrintable(QString::number(p.dials)));
        QCOMPARE(p.now.dialing, 0);
        QCOMPARE(p.dials, p.closed + static_cast<std::uint64_t>(p.now.open()));
        QCOMPARE(final->errors, 0u); // the stop canceled them: not errors
    }

    void openLoopRateIsAnUpperBound()
    {
        const QString url = startServer(ServerConfig {});
        LoadConfig l = loadFor(url, 4, 0);
        l.duration = 1s;
        l.rate = 50;
        const auto s = runLoad(l, TransportConfig::goDefault());
        // Paced at 50/s for 1 s: never more than 50, plus the first slots at t=0 (Go-paced
        // workers, the default: each worker's own first slot, so up to one per worker).
        QVERIFY2(s.requestsDone <= 50u + 4u, qPrintable(QString::number(s.requestsDone)));
        QVERIFY2(s.requestsDone >= 10, qPrintable(QString::number(s.requestsDone)));
        QCOMPARE(s.errors, 0u);
    }

    void openLoopRateDoesNotBunchIntoChurn()
    {
        // 5000 slots/s spread over 10 workers are 200 us apart: each request is done about
        // as the next slot comes, so a few connections carry the load. Pacing slots that
        // bunched into whole milliseconds (Go's timer model, which think time uses) would
        // start 5 requests together every millisecond; with idle cap 2, three of them dial.
        // Exact slots (--arrivals exact); Go-paced workers (the default) do bunch, on purpose.
#ifdef POOLSCOPE_SANITIZED
        // Instrumented requests take longer than the 200 us between slots, so they overlap
        // and dial whatever the pacing (46 % measured under ASan+UBSan): a timing check.
        QSKIP("the dial ratio measures timing, which a sanitized build does not have");
#endif
        LoadConfig l = loadFor(QString(), 10, 0);
        l.duration = 1s;
        l.rate = 5000;
        l.arrivals = ArrivalModel::Exact;
        // Measured: 1-3 % of requests dial on a quiet machine, 10-16 % with both cores busy
        // elsewhere. Bunched slots dial for about two thirds of the requests in every run.
        // A run that fell behind its slots (a machine so loaded that fewer than 90 % of them
        // went out in the second) says nothing about pacing: the late slots rightly go out
        // together and dial. Up to three runs; each one that kept up must stay under the
        // bound, and at least one must keep up.
        constexpr int kRuns = 3;
        const auto slots = static_cast<std::uint64_t>(
            l.rate * std::chrono::duration<double>(l.duration).count());
        QStringList seen;
        for (int run = 0; run < kRuns; ++run) {
            l.url = startServer(ServerConfig {}); // a fresh server: its counts are this run's
            QVERIFY(!l.url.isEmpty());
            const auto s = runLoad(l, TransportConfig::goDefault());
            QCOMPARE(s.errors, 0u);
            QVERIFY2(s.requestsDone >= 1000, qPrintable(QString::number(s.requestsDone)));
            // The pool's own accounting agrees with the server's: every dial reached it.
            QCOMPARE(server().stats().accepted, s.pool.dials);
            const QString figures
                = QStringLiteral("%1 dials for %2 requests").arg(s.pool.dials).arg(s.requestsDone);
            if (s.requestsDone * 10 < slots * 9) {
                seen << figures + QStringLiteral(" (behind its slots)");
                continue;
            }
            QVERIFY2(s.pool.dials * 4 < s.requestsDone, qPrintable(figures));
            return;
        }
        QSKIP(qPrintable(
            QStringLiteral("the machine was too loaded to send %1 requests/s: ").arg(slots)
            + seen.join(QStringLiteral("; "))));
    }

    void exhaustedFileDescriptorsAreDialErrorsNotCrashes()
    {
        const QString bin = qEnvironmentVariable("POOLSCOPE_BIN");
        if (bin.isEmpty() || !QFile::exists(bin)) {
            QSKIP("POOLSCOPE_BIN not set (the server must live in another process)");
        }
        QProcess server;
        server.start(bin, { QStringLiteral("serve") });
        QVERIFY(server.waitForStarted(5000));
        QVERIFY(QTest::qWaitFor([&] { return server.canReadLine(); }, 10000));
        const QString url
            = QString::fromUtf8(server.readLine()).trimmed().section(QLatin1Char(' '), 2);
        QVERIFY2(url.startsWith(QStringLiteral("http://")), qPrintable(url));

        EngineController engine; // its thread and sockets exist before the limit drops
        engine.setKernelView(false);
        rlimit old {};
        QCOMPARE(::getrlimit(RLIMIT_NOFILE, &old), 0);
        const int open = static_cast<int>(
            QDir(QStringLiteral("/proc/self/fd")).entryList(QDir::Files | QDir::System).size());
        rlimit tight = old;
        tight.rlim_cur = static_cast<rlim_t>(open + 6);
        QCOMPARE(::setrlimit(RLIMIT_NOFILE, &tight), 0);
        LoadConfig l = loadFor(url, 20, 2);
        auto t = TransportConfig::goDefault();
        t.maxIdleConnsPerHost = 20;
        EngineSnapshot final;
        bool done = false;
        QObject::connect(&engine, &EngineController::runFinished, [&](const EngineSnapshot &s) {
            final = s;
            done = true;
        });
        engine.start(l, t);
        const bool finished = QTest::qWaitFor([&] { return done; }, 30000);
        ::setrlimit(RLIMIT_NOFILE, &old);
        server.terminate();
        server.waitForFinished(5000);
        QVERIFY(finished);
        QCOMPARE(final.requestsDone, 40u);
        QVERIFY2(final.errors > 0, "some dials must fail with so few descriptors");
        QVERIFY(final.errors < 40u); // and the few connections that exist keep working
        QCOMPARE(
            final.errors, final.errorsByKind[static_cast<std::size_t>(CloseReason::DialFailed)]);
        qInfo("%llu of 40 requests failed; last error: %s",
            static_cast<unsigned long long>(final.errors), qPrintable(final.lastError));
        QVERIFY(!final.lastError.isEmpty());
    }

    void workersCanBeAddedMidRun()
    {
        const QString url = startServer(ServerConfig {});
        EngineController engine;
        engine.setKernelView(false);
        LoadConfig l = loadFor(url, 1, 0);
        l.duration = 20s;
        l.think = 2ms;
        auto t = TransportConfig::goDefault();
        t.maxIdleConnsPerHost = 10;
        engine.start(l, t);
        QTRY_VERIFY_WITH_TIMEOUT(engine.snapshot().requestsDone > 20, 10000);
        QCOMPARE(engine.snapshot().pool.now.open(), 1);
        l.workers = 6;
        engine.setLoadConfig(l);
        QTRY_VERIFY_WITH_TIMEOUT(engine.snapshot().workers == 6, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(engine.snapshot().pool.now.open() >= 5, 10000);
        engine.stop();
    }
};

QTEST_GUILESS_MAIN(TestEngineIntegration)
#include "tst_engine_integration.moc"
