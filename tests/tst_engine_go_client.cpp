// The caller's side of Go's net/http, end to end against real servers on 127.0.0.1 port 0:
// bodiless responses (readLoop's hasBody), http.Client's redirects, Client.Timeout during
// the body read, and request headers (Idempotency-Key makes a POST replayable). Every
// expected count is what Go 1.19 gives on the same server (tests/goref, and the rows of
// tests/conformance/scenarios.json that run both sides).
#include "http/request_writer.h"
#include "load/engine_controller.h"
#include "server/embedded_server.h"
#include "support/engine_run.h"
#include "support/fresh_server.h"

#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

using namespace poolscope;
using namespace poolscope::testsupport;
using namespace std::chrono_literals;

Q_DECLARE_METATYPE(poolscope::EngineSnapshot)
Q_DECLARE_METATYPE(poolscope::BodyPolicy)

namespace {

std::uint64_t failures(const EngineSnapshot &s, RequestFailure f)
{
    return s.failuresByKind[static_cast<std::size_t>(f)];
}

// Sends raw request bytes to `port` and returns everything the server wrote until the
// response `complete` says it has all it needs (or 5 s passed).
QByteArray exchange(quint16 port, const QByteArray &request,
    const std::function<bool(const QByteArray &)> &complete)
{
    QTcpSocket s;
    s.connectToHost(QHostAddress::LocalHost, port);
    if (!s.waitForConnected(5000)) {
        return {};
    }
    s.write(request);
    QByteArray got;
    [[maybe_unused]] const bool done = QTest::qWaitFor(
        [&] {
            got += s.readAll();
            return complete(got);
        },
        5000);
    return got;
}

bool headComplete(const QByteArray &b)
{
    return b.contains("\r\n\r\n");
}

// Answers the first request of each connection and closes the connection, unanswered, on
// the second: the reused connection the server gave up on (goref --serve-stale).
class StaleServer : public QObject
{
public:
    StaleServer()
    {
        m_server.listen(QHostAddress::LocalHost, 0);
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *s = m_server.nextPendingConnection()) {
                auto served = std::make_shared<int>(0);
                auto buffer = std::make_shared<QByteArray>();
                connect(s, &QTcpSocket::readyRead, s, [this, s, served, buffer] {
                    *buffer += s->readAll();
                    const qsizetype end = buffer->indexOf("\r\n\r\n");
                    if (end < 0) {
                        return;
                    }
                    heads << buffer->left(end + 4);
                    buffer->clear(); // the body (if any) came with the head
                    if (++*served == 1) {
                        s->write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
                    } else {
                        s->close();
                    }
                });
                connect(s, &QTcpSocket::disconnected, s, &QObject::deleteLater);
            }
        });
    }
    [[nodiscard]] QString url() const
    {
        return QStringLiteral("http://127.0.0.1:%1/").arg(m_server.serverPort());
    }
    QList<QByteArray> heads; // of every request received

private:
    QTcpServer m_server;
};

// A keep-alive server that answers "/" with `status` and "Location: <location>" (body
// "moved", 5 bytes) and any other path with 200 "ok". Keeps every request it got.
class RedirectServer : public QObject
{
public:
    struct Request
    {
        QByteArray head;
        QByteArray body;
    };

    RedirectServer(int status, QByteArray location) : m_status(status), m_location(location)
    {
        m_server.listen(QHostAddress::LocalHost, 0);
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *s = m_server.nextPendingConnection()) {
                ++accepted;
                auto buffer = std::make_shared<QByteArray>();
                connect(s, &QTcpSocket::readyRead, s, [this, s, buffer] {
                    *buffer += s->readAll();
                    while (serveOne(s, *buffer)) { }
                });
                connect(s, &QTcpSocket::disconnected, s, &QObject::deleteLater);
            }
        });
    }
    [[nodiscard]] quint16 port() const { return m_server.serverPort(); }
    [[nodiscard]] QString url() const { return QStringLiteral("http://127.0.0.1:%1/").arg(port()); }

    int accepted = 0;
    QList<Request> requests;

private:
    bool serveOne(QTcpSocket *s, QByteArray &buffer)
    {
        const qsizetype end = buffer.indexOf("\r\n\r\n");
        if (end < 0) {
            return false;
        }
        const QByteArray head = buffer.left(end + 4);
        qsizetype length = 0;
        for (const QByteArray &line : head.split('\n')) {
            if (line.toLower().startsWith("content-length:")) {
                length = line.mid(15).trimmed().toLongLong();
            }
        }
        if (buffer.size() < end + 4 + length) {
            return false;
        }
        requests.push_back({ head, buffer.mid(end + 4, length) });
        buffer.remove(0, end + 4 + length);
        if (head.startsWith("GET / ") || head.startsWith("POST / ")) {
            s->write("HTTP/1.1 " + QByteArray::number(m_status)
                + " Redirect\r\nLocation: " + m_location + "\r\nContent-Length: 5\r\n\r\nmoved");
        } else {
            s->write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        }
        return true;
    }

    int m_status;
    QByteArray m_location;
    QTcpServer m_server;
};

QByteArray headerValue(const QByteArray &head, const QByteArray &name)
{
    for (const QByteArray &line : head.split('\n')) {
        if (line.toLower().startsWith(name.toLower() + ':')) {
            return line.mid(name.size() + 1).trimmed();
        }
    }
    return {};
}

} // namespace

class TestEngineGoClient : public QObject
{
    Q_OBJECT

    FreshServer m_srv;
    QString startServer(const ServerConfig &cfg) { return m_srv.start(cfg); }

private Q_SLOTS:
    void initTestCase() { qRegisterMetaType<EngineSnapshot>(); }
    void cleanup() { m_srv.reset(); }

    // ServerConfig::status on the wire: 204 and 304 go out without body and without
    // Content-Length, as Go's server sends them; other codes keep the body. With redirects
    // N, / goes to /redirect/1, /redirect/k to /redirect/k+1, /redirect/N is answered.
    void serverStatusAndRedirectsOnTheWire()
    {
        ServerConfig sc;
        sc.status = 204;
        QVERIFY(!startServer(sc).isEmpty());
        const QByteArray noContent
            = exchange(m_srv->port(), "GET / HTTP/1.1\r\nHost: x\r\n\r\n", headComplete);
        QVERIFY2(noContent.startsWith("HTTP/1.1 204 No Content\r\n"), noContent.constData());
        QVERIFY(!noContent.contains("Content-Length"));
        QVERIFY(noContent.endsWith("\r\n\r\n"));

        sc.status = 503;
        sc.bodySize = 5;
        m_srv->setConfig(sc);
        const QByteArray unavailable = exchange(m_srv->port(), "GET / HTTP/1.1\r\nHost: x\r\n\r\n",
            [](const QByteArray &b) { return b.endsWith("\r\n\r\npools"); });
        QVERIFY2(unavailable.startsWith("HTTP/1.1 503 Service Unavailable\r\n"),
            unavailable.constData());
        QVERIFY(unavailable.contains("Content-Length: 5\r\n"));

        sc.status = 200;
        sc.redirects = 2;
        sc.redirectStatus = 307;
        m_srv->setConfig(sc);
        const auto wholeBody = [](const QByteArray &b) {
            return b.endsWith("\r\n\r\npools");
        };
        const QByteArray first
            = exchange(m_srv->port(), "GET /x?y HTTP/1.1\r\nHost: x\r\n\r\n", wholeBody);
        QVERIFY2(first.startsWith("HTTP/1.1 307 Temporary Redirect\r\nLocation: /redirect/1\r\n"),
            first.constData());
        QVERIFY(first.contains("Content-Length: 5\r\n"));
        const QByteArray second
            = exchange(m_srv->port(), "POST /redirect/1?q HTTP/1.1\r\nHost: x\r\n\r\n", wholeBody);
        QVERIFY2(second.startsWith("HTTP/1.1 307 Temporary Redirect\r\nLocation: /redirect/2\r\n"),
            second.constData());
        const QByteArray last
            = exchange(m_srv->port(), "GET /redirect/2 HTTP/1.1\r\nHost: x\r\n\r\n", wholeBody);
        QVERIFY2(last.startsWith("HTTP/1.1 200 OK\r\n"), last.constData());
        QVERIFY(!last.contains("Location"));
        const QByteArray beyond
            = exchange(m_srv->port(), "HEAD /redirect/7 HTTP/1.1\r\nHost: x\r\n\r\n", headComplete);
        QVERIFY2(beyond.startsWith("HTTP/1.1 200 OK\r\n"), beyond.constData());
    }

    // Go 1.19, 1 worker x 20 GETs whose body is never closed: 1 dial, 19 reused, the
    // connection idle at the end, for every response that cannot have a body (readLoop's
    // hasBody is false: HEAD, 204, 304, Content-Length: 0). A body that merely happens to
    // be empty (chunked, "0\r\n\r\n") is a body: leaked, it pins its connection (20 dials);
    // closed early, it closes it (20 closes, body not read).
    void bodilessResponsesGoBackBeforeDoReturns_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<int>("bodySize");
        QTest::addColumn<bool>("chunked");
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<BodyPolicy>("policy");
        QTest::addColumn<int>("dials");
        QTest::addColumn<int>("closedBodyNotRead");
        QTest::newRow("204 leaked")
            << 204 << 64 << false << QByteArray("GET") << BodyPolicy::Leak << 1 << 0;
        QTest::newRow("304 leaked")
            << 304 << 64 << false << QByteArray("GET") << BodyPolicy::Leak << 1 << 0;
        QTest::newRow("Content-Length 0 leaked")
            << 200 << 0 << false << QByteArray("GET") << BodyPolicy::Leak << 1 << 0;
        QTest::newRow("HEAD leaked")
            << 200 << 64 << false << QByteArray("HEAD") << BodyPolicy::Leak << 1 << 0;
        QTest::newRow("204 closed early")
            << 204 << 64 << false << QByteArray("GET") << BodyPolicy::CloseEarly << 1 << 0;
        QTest::newRow("empty chunked body leaked")
            << 200 << 0 << true << QByteArray("GET") << BodyPolicy::Leak << 20 << 0;
        QTest::newRow("empty chunked body closed early")
            << 200 << 0 << true << QByteArray("GET") << BodyPolicy::CloseEarly << 20 << 20;
    }
    void bodilessResponsesGoBackBeforeDoReturns()
    {
        QFETCH(int, status);
        QFETCH(int, bodySize);
        QFETCH(bool, chunked);
        QFETCH(QByteArray, method);
        QFETCH(BodyPolicy, policy);
        QFETCH(int, dials);
        QFETCH(int, closedBodyNotRead);
        ServerConfig sc;
        sc.status = status;
        sc.bodySize = bodySize;
        sc.chunked = chunked;
        const QString url = startServer(sc);
        QVERIFY(!url.isEmpty());
        LoadConfig l = loadFor(url, 1, 20);
        l.method = method;
        l.bodyPolicy = policy;
        const auto s = runLoad(l, TransportConfig::goDefault());
        QCOMPARE(s.requestsDone, 20u);
        QCOMPARE(s.errors, 0u);
        QCOMPARE(s.pool.dials, std::uint64_t(dials));
        QCOMPARE(s.pool.reused, std::uint64_t(20 - dials));
        QCOMPARE(s.pool.closes(CloseReason::BodyNotRead), std::uint64_t(closedBodyNotRead));
        const bool pinned = dials == 20 && closedBodyNotRead == 0;
        QCOMPARE(s.pool.now.open(), pinned ? 20 : (closedBodyNotRead > 0 ? 0 : 1));
        QCOMPARE(s.pool.now.idle, dials == 1 ? 1 : 0);
        QCOMPARE(m_srv->stats().accepted, std::uint64_t(dials));
    }

    // Go 1.19, 1 worker x 6 POSTs (10-byte body) against the stale server: a POST is not
    // replayable, so each one that meets a reused connection fails (3 errors, 3 dials)
    // unless it carries Idempotency-Key or X-Idempotency-Key (isReplayable): then it is
    // retried on a new connection (0 errors, 6 dials, 5 retries). Header names are
    // canonicalized as by Header.Add.
    void idempotencyKeyMakesAPostReplayable_data()
    {
        QTest::addColumn<QStringList>("headers");
        QTest::addColumn<bool>("replayable");
        QTest::newRow("no header") << QStringList {} << false;
        QTest::newRow("Idempotency-Key")
            << QStringList { QStringLiteral("Idempotency-Key: abc") } << true;
        QTest::newRow("x-idempotency-key")
            << QStringList { QStringLiteral("x-idempotency-key:1") } << true;
        QTest::newRow("another header")
            << QStringList { QStringLiteral("X-Request-Id: 7") } << false;
    }
    void idempotencyKeyMakesAPostReplayable()
    {
        QFETCH(QStringList, headers);
        QFETCH(bool, replayable);
        StaleServer stale;
        LoadConfig l = loadFor(stale.url(), 1, 6);
        l.method = "POST";
        l.requestBodySize = 10;
        l.headers = headers;
        const auto s = runLoad(l, TransportConfig::goDefault());
        QCOMPARE(s.requestsDone, 6u);
        QCOMPARE(s.errors, replayable ? 0u : 3u);
        QCOMPARE(s.pool.dials, replayable ? 6u : 3u);
        QCOMPARE(s.pool.retries, replayable ? 5u : 0u);
        QCOMPARE(s.pool.closes(CloseReason::ReadError), replayable ? 5u : 3u);
        for (const QString &h : headers) {
            const QByteArray name = h.section(u':', 0, 0).toLatin1();
            const QByteArray line = canonicalHeaderKey(name) + ": "
                + h.section(u':', 1).trimmed().toLatin1() + "\r\n";
            QVERIFY2(stale.heads.value(0).contains(line), stale.heads.value(0).constData());
        }
    }

    // Go 1.19, Client.Timeout 100ms, headers after 10ms, body after 800ms: Do succeeds and
    // the body read fails with cancelTimerBody's words; the connection is closed. 3
    // requests: 3 responses, 3 errors of that kind, 3 dials, 3 closes (client timeout).
    void clientTimeoutWhileReadingTheBody()
    {
        ServerConfig sc;
        sc.headerDelay = 10ms;
        sc.latency = 800ms;
        const QString url = startServer(sc);
        auto t = TransportConfig::goDefault();
        t.clientTimeout = 100ms;
        const auto s = runLoad(loadFor(url, 1, 3), t);
        QCOMPARE(s.requestsDone, 3u);
        QCOMPARE(s.responses, 3u);
        QCOMPARE(s.errors, 3u);
        QCOMPARE(failures(s, RequestFailure::ClientTimeoutReadingBody), 3u);
        QCOMPARE(failures(s, RequestFailure::ClientTimeout), 0u);
        QCOMPARE(s.pool.dials, 3u);
        QCOMPARE(s.pool.closes(CloseReason::ClientTimeout), 3u);
        QCOMPARE(s.lastError,
            QStringLiteral("context deadline exceeded (Client.Timeout or context cancellation "
                           "while reading body)"));
    }

    // Before the headers Do itself fails, as a url.Error: "Get \"URL\": context deadline
    // exceeded (Client.Timeout exceeded while awaiting headers)", and no response came.
    void clientTimeoutBeforeTheHeaders()
    {
        ServerConfig sc;
        sc.latency = 800ms;
        const QString url = startServer(sc);
        auto t = TransportConfig::goDefault();
        t.clientTimeout = 100ms;
        const auto s = runLoad(loadFor(url, 1, 2), t);
        QCOMPARE(s.errors, 2u);
        QCOMPARE(s.responses, 0u);
        QCOMPARE(failures(s, RequestFailure::ClientTimeout), 2u);
        QCOMPARE(s.lastError,
            QStringLiteral("Get \"%1\": context deadline exceeded (Client.Timeout exceeded "
                           "while awaiting headers)")
                .arg(url));
    }

    // Go 1.19: Client.Timeout's context outlives a leaked body, and when it ends the readLoop
    // closes the connection; nobody gets an error. 3 leaked bodies, Client.Timeout 200ms,
    // 500ms of linger: 3 dials, 3 closes (client timeout), 0 open, 0 errors.
    void leakedBodyClosedAtClientTimeout()
    {
        const QString url = startServer(ServerConfig {});
        LoadConfig l = loadFor(url, 1, 3);
        l.bodyPolicy = BodyPolicy::Leak;
        l.linger = 500ms;
        auto t = TransportConfig::goDefault();
        t.clientTimeout = 200ms;
        const auto s = runLoad(l, t);
        QCOMPARE(s.requestsDone, 3u);
        QCOMPARE(s.errors, 0u);
        QCOMPARE(s.pool.dials, 3u);
        QCOMPARE(s.pool.closes(CloseReason::ClientTimeout), 3u);
        QCOMPARE(s.pool.now.open(), 0);
    }

    // Go 1.19's http.Client against `poolscope serve --redirects N`: every hop is a pool
    // request of its own on the same keep-alive connection. N = 1, 10 GETs: 10 redirects,
    // 1 dial, 19 reuses, the server sees 20 requests. Its default CheckRedirect refuses a
    // hop once a Do has made 10 requests: N = 9 works (18 redirects for 2 GETs), N = 10
    // fails every Do with "Get \"/redirect/10\": stopped after 10 redirects" after 9.
    void redirectsAreFollowedHopByHop_data()
    {
        QTest::addColumn<int>("redirects");
        QTest::addColumn<int>("requests");
        QTest::addColumn<int>("followed");
        QTest::addColumn<int>("errors");
        QTest::newRow("1 hop") << 1 << 10 << 10 << 0;
        QTest::newRow("9 hops") << 9 << 2 << 18 << 0;
        QTest::newRow("10 hops: too many") << 10 << 2 << 18 << 2;
    }
    void redirectsAreFollowedHopByHop()
    {
        QFETCH(int, redirects);
        QFETCH(int, requests);
        QFETCH(int, followed);
        QFETCH(int, errors);
        ServerConfig sc;
        sc.redirects = redirects;
        const QString url = startServer(sc);
        const auto s = runLoad(loadFor(url, 1, requests), TransportConfig::goDefault());
        QCOMPARE(s.requestsDone, std::uint64_t(requests));
        QCOMPARE(s.redirects, std::uint64_t(followed));
        QCOMPARE(s.errors, std::uint64_t(errors));
        QCOMPARE(failures(s, RequestFailure::TooManyRedirects), std::uint64_t(errors));
        QCOMPARE(s.pool.dials, 1u);
        QCOMPARE(s.pool.reused, std::uint64_t(requests + followed - 1));
        QCOMPARE(m_srv->stats().requests, std::uint64_t(requests + followed));
        if (errors > 0) {
            QCOMPARE(
                s.lastError, QStringLiteral("Get \"/redirect/10\": stopped after 10 redirects"));
        }
    }

    // Client.do reads at most 2 KiB of a redirect's body before closing it: Go 1.19, 3 GETs
    // through 2 redirects each, redirect bodies of 2048 bytes keep the connection (1 dial),
    // of 2049 close it (7 dials, 6 closes, body not read), chunked or not; a Content-Length
    // over 2 KiB is not read at all.
    void redirectBodiesAreReadUpTo2KiB_data()
    {
        QTest::addColumn<int>("bodySize");
        QTest::addColumn<bool>("chunked");
        QTest::addColumn<int>("dials");
        QTest::newRow("2048") << 2048 << false << 1;
        QTest::newRow("2049") << 2049 << false << 7;
        QTest::newRow("2048 chunked") << 2048 << true << 1;
        QTest::newRow("2049 chunked") << 2049 << true << 7;
        QTest::newRow("1 MiB") << (1 << 20) << false << 7;
    }
    void redirectBodiesAreReadUpTo2KiB()
    {
        QFETCH(int, bodySize);
        QFETCH(bool, chunked);
        QFETCH(int, dials);
        ServerConfig sc;
        sc.redirects = 2;
        sc.bodySize = bodySize;
        sc.chunked = chunked;
        const QString url = startServer(sc);
        const auto s = runLoad(loadFor(url, 1, 3), TransportConfig::goDefault());
        QCOMPARE(s.errors, 0u);
        QCOMPARE(s.redirects, 6u);
        QCOMPARE(s.pool.dials, std::uint64_t(dials));
        QCOMPARE(s.pool.closes(CloseReason::BodyNotRead), std::uint64_t(dials - 1));
    }

    // redirectBehavior: 301, 302 and 303 turn a POST into a GET without body, 307 and 308
    // send the same method and body again. Every hop copies the caller's headers and says
    // where it came from (Referer).
    void redirectMethodAndBody_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<bool>("body");
        QTest::newRow("301") << 301 << QByteArray("GET") << false;
        QTest::newRow("302") << 302 << QByteArray("GET") << false;
        QTest::newRow("303") << 303 << QByteArray("GET") << false;
        QTest::newRow("307") << 307 << QByteArray("POST") << true;
        QTest::newRow("308") << 308 << QByteArray("POST") << true;
    }
    void redirectMethodAndBody()
    {
        QFETCH(int, status);
        QFETCH(QByteArray, method);
        QFETCH(bool, body);
        RedirectServer server(status, "/next?x=1");
        LoadConfig l = loadFor(server.url(), 1, 2);
        l.method = "POST";
        l.requestBodySize = 10;
        l.headers = QStringList { QStringLiteral("X-Trace: t1") };
        const auto s = runLoad(l, TransportConfig::goDefault());
        QCOMPARE(s.errors, 0u);
        QCOMPARE(s.redirects, 2u);
        QCOMPARE(server.requests.size(), 4);
        QCOMPARE(server.accepted, 1);
        const RedirectServer::Request &hop = server.requests.at(1);
        QVERIFY2(hop.head.startsWith(method + " /next?x=1 HTTP/1.1\r\n"), hop.head.constData());
        QCOMPARE(hop.body, body ? QByteArray(10, 'x') : QByteArray());
        QCOMPARE(headerValue(hop.head, "Content-Length"), body ? QByteArray("10") : QByteArray());
        QCOMPARE(headerValue(hop.head, "X-Trace"), QByteArray("t1"));
        QCOMPARE(headerValue(hop.head, "Referer"), server.url().toUtf8());
    }

    // Go 1.19: a redirect to another host:port is a request to another pool key, with its
    // own connection (2 dials for 5 GETs, 4 reuses on each). Authorization goes only to
    // the same host:port or a subdomain of it (shouldCopyHeaderOnRedirect).
    void redirectToAnotherPoolKey()
    {
        RedirectServer second(302, "/unused");
        RedirectServer first(302, second.url().toUtf8() + "landing");
        LoadConfig l = loadFor(first.url(), 1, 5);
        l.headers = QStringList { QStringLiteral("Authorization: Bearer x"),
            QStringLiteral("X-Trace: t1") };
        const auto s = runLoad(l, TransportConfig::goDefault());
        QCOMPARE(s.errors, 0u);
        QCOMPARE(s.redirects, 5u);
        QCOMPARE(s.pool.dials, 2u);
        QCOMPARE(s.pool.reused, 8u);
        QCOMPARE(first.accepted, 1);
        QCOMPARE(second.accepted, 1);
        QCOMPARE(second.requests.size(), 5);
        const QByteArray hop = second.requests.at(0).head;
        QVERIFY2(hop.startsWith("GET /landing HTTP/1.1\r\n"), hop.constData());
        QCOMPARE(headerValue(hop, "Authorization"), QByteArray());
        QCOMPARE(headerValue(hop, "X-Trace"), QByteArray("t1"));
        QCOMPARE(headerValue(first.requests.at(0).head, "Authorization"), QByteArray("Bearer x"));
    }

    // Client.Timeout covers every hop of a Do (one deadline): 3 redirects of 60 ms each
    // under a 100 ms timeout fail in the second hop, named in the url.Error.
    void clientTimeoutCoversEveryHop()
    {
        ServerConfig sc;
        sc.redirects = 3;
        sc.latency = 60ms;
        const QString url = startServer(sc);
        auto t = TransportConfig::goDefault();
        t.clientTimeout = 100ms;
        const auto s = runLoad(loadFor(url, 1, 2), t);
        QCOMPARE(s.errors, 2u);
        QCOMPARE(failures(s, RequestFailure::ClientTimeout), 2u);
        QCOMPARE(s.redirects, 2u);
        QCOMPARE(s.lastError,
            QStringLiteral("Get \"%1redirect/1\": context deadline exceeded (Client.Timeout "
                           "exceeded while awaiting headers)")
                .arg(url));
    }
};

QTEST_GUILESS_MAIN(TestEngineGoClient)

#include "tst_engine_go_client.moc"
