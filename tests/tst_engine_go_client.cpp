// The caller's side of Go's net/http, end to end against real servers on 127.0.0.1 port 0:
// bodiless responses (readLoop's hasBody), http.Client's redirects, Client.Timeout during
// the body read, and request headers (Idempotency-Key makes a POST replayable). Every
// expected count is what Go 1.19 gives on the same server (tests/goref, and the rows of
// tests/conformance/scenarios.json that run both sides).
#include "load/engine_controller.h"
#include "server/embedded_server.h"

#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

using namespace poolscope;
using namespace std::chrono_literals;

Q_DECLARE_METATYPE(poolscope::EngineSnapshot)
Q_DECLARE_METATYPE(poolscope::BodyPolicy)

namespace {

// Runs one bounded load and returns the final snapshot.
EngineSnapshot runLoad(const LoadConfig &load, const TransportConfig &transport)
{
    EngineController engine;
    engine.setKernelView(false);
    EngineSnapshot result;
    bool done = false;
    QObject::connect(&engine, &EngineController::runFinished, [&](const EngineSnapshot &s) {
        result = s;
        done = true;
    });
    QObject::connect(&engine, &EngineController::runFailed, [&](const QString &m) {
        qWarning("run failed: %s", qPrintable(m));
        done = true;
    });
    engine.start(load, transport);
    if (!QTest::qWaitFor([&] { return done; }, 60000)) {
        QTest::qFail("the run did not finish in time", __FILE__, __LINE__);
    }
    return result;
}

LoadConfig loadFor(const QString &url, int workers, int requests)
{
    LoadConfig l;
    l.url = url;
    l.workers = workers;
    l.requestsPerWorker = requests;
    l.duration = 60s; // safety bound; requests end the run first
    return l;
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

} // namespace

class TestEngineGoClient : public QObject
{
    Q_OBJECT

    std::unique_ptr<EmbeddedServer> m_srv;

    // A fresh embedded server per test, so its counters are this test's alone.
    QString startServer(const ServerConfig &cfg)
    {
        m_srv = std::make_unique<EmbeddedServer>();
        QString error;
        if (!m_srv->start(cfg, &error)) {
            qWarning("embedded server: %s", qPrintable(error));
            return {};
        }
        return m_srv->url();
    }

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
};

QTEST_GUILESS_MAIN(TestEngineGoClient)

#include "tst_engine_go_client.moc"
