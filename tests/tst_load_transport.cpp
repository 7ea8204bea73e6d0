// The Transport on its own, against scripted servers on 127.0.0.1 port 0 in the same
// thread: whatever a server does inside its callback (answer, then reset or close) is in
// the client's kernel before the client reads, so each test pins one interleaving of
// Go's readLoop, writeLoop and caller. Every expected count was checked against Go 1.19
// with the same server (see the comment above each test).
#include "http/request_writer.h"
#include "load/transport.h"
#include "timing/elapsed_clock.h"

#include <QDir>
#include <QElapsedTimer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <algorithm>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

using namespace poolscope;
using namespace std::chrono_literals;

namespace {

quint16 portOf(const sockaddr_storage &a)
{
    return a.ss_family == AF_INET ? ntohs(reinterpret_cast<const sockaddr_in *>(&a)->sin_port) : 0;
}

// Our client socket from local port `local` to `remote`, found through /proc/self/fd.
int clientSocket(quint16 local, quint16 remote)
{
    const QStringList fds
        = QDir(QStringLiteral("/proc/self/fd")).entryList(QDir::Files | QDir::System);
    for (const QString &name : fds) {
        bool ok = false;
        const int fd = name.toInt(&ok);
        sockaddr_storage self {}, peer {};
        socklen_t selfLen = sizeof self, peerLen = sizeof peer;
        if (ok && ::getsockname(fd, reinterpret_cast<sockaddr *>(&self), &selfLen) == 0
            && ::getpeername(fd, reinterpret_cast<sockaddr *>(&peer), &peerLen) == 0
            && portOf(self) == local && portOf(peer) == remote) {
            return fd;
        }
    }
    return -1;
}

// Blocks (without running the event loop, so the client cannot look) until the client
// end `fd` of a connection the server just reset or closed has seen it.
bool clientSawClose(int fd)
{
    pollfd p { fd, POLLRDHUP, 0 };
    return fd >= 0 && ::poll(&p, 1, 5000) == 1 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR));
}

// HTTP/1.1 keep-alive server. `after` says what it does to a connection once it has
// answered that connection's first request.
class ScriptedServer : public QObject
{
public:
    enum class After {
        KeepOpen, // answer every request
        Reset, // SO_LINGER 0 close right after the first response: RST
        Fin, // close right after the first response: FIN
        DropSecond, // read the second request, close without answering
    };

    explicit ScriptedServer(After after) : m_after(after)
    {
        m_server.listen(QHostAddress::LocalHost, 0);
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *s = m_server.nextPendingConnection()) {
                ++accepted;
                m_sockets.push_back(s);
                connect(s, &QTcpSocket::readyRead, s, [this, s] { onRequest(s); });
            }
        });
    }
    [[nodiscard]] quint16 port() const { return m_server.serverPort(); }
    [[nodiscard]] QString url() const { return QStringLiteral("http://127.0.0.1:%1/").arg(port()); }
    // Resets every open connection now and waits until the client ends have seen it.
    bool resetAll()
    {
        bool seen = true;
        for (QTcpSocket *s : std::exchange(m_sockets, {})) {
            if (s->state() == QAbstractSocket::ConnectedState) {
                seen = reset(s) && seen;
            }
        }
        return seen;
    }

    int accepted = 0;
    int requests = 0; // complete requests received
    QList<QByteArray> heads; // request line and headers of each
    bool clientSawIt = true; // every reset/close reached the client before it could look

private:
    void onRequest(QTcpSocket *s)
    {
        QByteArray &buf = m_buffers[s];
        buf += s->readAll();
        while (buf.contains("\r\n\r\n")) {
            const qsizetype end = buf.indexOf("\r\n\r\n") + 4;
            heads.push_back(buf.left(end));
            buf.remove(0, end); // a body is read with the next request's head
            const int n = ++m_served[s];
            ++requests;
            if (n == 2 && m_after == After::DropSecond) {
                s->close();
                return;
            }
            s->write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            s->flush();
            if (n == 1 && m_after == After::Reset) {
                clientSawIt = reset(s) && clientSawIt;
                return;
            }
            if (n == 1 && m_after == After::Fin) {
                const int client = clientSocket(s->peerPort(), port());
                s->disconnectFromHost();
                clientSawIt = clientSawClose(client) && clientSawIt;
                return;
            }
        }
    }
    bool reset(QTcpSocket *s)
    {
        // Found before the reset: a reset socket has no peer name any more.
        const int client = clientSocket(s->peerPort(), port());
        const linger hard { 1, 0 };
        ::setsockopt(
            static_cast<int>(s->socketDescriptor()), SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
        s->abort();
        return clientSawClose(client);
    }

    After m_after;
    QTcpServer m_server;
    std::vector<QTcpSocket *> m_sockets;
    std::map<QTcpSocket *, QByteArray> m_buffers;
    std::map<QTcpSocket *, int> m_served;
};

// The caller: collects results, can send the next request as soon as one is done (a
// worker with no think time), and sees every GotConn.
class Caller final : public RoundTripHandler, public PoolEventSink
{
public:
    void onRoundTripDone(const RoundTripResult &r) override
    {
        results.push_back(r);
        if (next) {
            next();
        }
    }
    void onDialError(const QString &) override { }
    void onPoolEvent(const PoolEvent &e) override
    {
        if (e.type == EventType::GotConn) {
            gotConnReused.push_back(e.reused);
        }
    }

    std::vector<RoundTripResult> results;
    std::vector<bool> gotConnReused;
    std::function<void()> next;
};

// One Transport towards one server.
struct Client
{
    explicit Client(
        const ScriptedServer &server, TransportConfig config = TransportConfig::goDefault())
        : transport(clock, config, caller, &caller)
    {
        url = server.url();
        target = *parseTarget(url);
        host = transport.addHost(target.poolKey,
            Endpoint { QHostAddress::LocalHost, server.port(), false, target.host });
    }
    RoundTripRequest request(const QByteArray &method, int bodySize = 0) const
    {
        RequestSpec spec;
        spec.method = method;
        spec.bodySize = bodySize;
        RoundTripRequest r;
        r.tag = ++m_tags; // in the order the requests are made
        r.host = host;
        r.source = std::make_shared<const RequestSource>(RequestSource {
            std::make_shared<const RequestTemplate>(*RequestTemplate::build(target, spec)) });
        return r;
    }
    // Sends `count` requests one after the other, each as soon as the previous is done.
    void sequence(const QByteArray &method, int count, int bodySize = 0)
    {
        caller.next = [this, method, count, bodySize] {
            if (static_cast<int>(caller.results.size()) < count) {
                transport.roundTrip(request(method, bodySize));
            }
        };
        transport.roundTrip(request(method, bodySize));
    }
    // requestFailureKey() of each result ("none" for a success), in the order the requests
    // were made (a request handed a dead connection fails before the one it came from
    // has its answer reported).
    [[nodiscard]] QStringList failures() const
    {
        std::vector<RoundTripResult> byTag = caller.results;
        std::sort(byTag.begin(), byTag.end(),
            [](const RoundTripResult &a, const RoundTripResult &b) { return a.tag < b.tag; });
        QStringList out;
        for (const RoundTripResult &r : byTag) {
            out << QString::fromLatin1(requestFailureKey(r.failure).data());
        }
        return out;
    }

    ElapsedClock clock { ElapsedClock::StartNow::Yes };
    Caller caller;
    Transport transport;
    QString url;
    Target target;
    HostId host = 0;
    mutable std::uint64_t m_tags = 0;
};

using Failures = QStringList;
const QString kOk = QStringLiteral("none");

} // namespace

class TestTransport : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // The server answers, then resets the connection before the next request comes; the
    // next request (a POST with no body) is sent the moment the first is done. Go 1.19
    // (300 runs, GOMAXPROCS 1 and 2): the readLoop's peek sees the reset before the
    // caller asks again, the broken connection is dropped from the idle list, the POST
    // dials: 2 dials, no retry, no error. (Go does not retry here: nothing was retried.)
    void resetBeforeTheNextRequestDialsAgainWithoutRetry()
    {
        ScriptedServer server(ScriptedServer::After::Reset);
        Client c(server);
        c.sequence("POST", 2);
        QTRY_COMPARE(c.caller.results.size(), 2u);
        QVERIFY(server.clientSawIt);
        QCOMPARE(c.failures(), (Failures { kOk, kOk }));
        QCOMPARE(c.transport.counters().dials, 2u);
        QCOMPARE(c.transport.counters().retries, 0u);
        // Each connection is dropped the same way once its one response is read.
        QCOMPARE(c.transport.counters().closes(CloseReason::ServerClosedIdle), 2u);
        QCOMPARE(c.caller.gotConnReused, (std::vector<bool> { false, false }));
        QCOMPARE(server.requests, 2);
    }

    // The same server, but the second POST is already waiting for the connection
    // (MaxConnsPerHost 1), so the first one's response hands it over before the peek
    // finds the reset. Go 1.19: roundTrip finds the connection closed with nothing of
    // the POST written -> nothingWrittenError -> retried on a new dial. GotConn
    // reused false, true, false; 2 dials; 1 retry; both succeed (300 of 300 runs with
    // GOMAXPROCS 1, 294 of 300 with 2; the other 6 lost the race to the server's reset).
    void resetAfterHandoffRetriesThePostNothingWritten()
    {
        ScriptedServer server(ScriptedServer::After::Reset);
        TransportConfig config = TransportConfig::goDefault();
        config.maxConnsPerHost = 1;
        Client c(server, config);
        c.transport.roundTrip(c.request("POST"));
        c.transport.roundTrip(c.request("POST"));
        QTRY_COMPARE(c.caller.results.size(), 2u);
        QVERIFY(server.clientSawIt);
        QCOMPARE(c.failures(), (Failures { kOk, kOk }));
        QCOMPARE(c.transport.counters().dials, 2u);
        QCOMPARE(c.transport.counters().retries, 1u);
        QCOMPARE(c.caller.gotConnReused, (std::vector<bool> { false, true, false }));
        QCOMPARE(server.requests, 2); // the failed attempt never reached the server
        QCOMPARE(c.transport.counters().closes(CloseReason::ReadError), 1u);
        QCOMPARE(c.transport.counters().closes(CloseReason::ServerClosedIdle), 1u); // the retry's
    }

    // As above with a FIN instead of a reset. Go 1.19: the peek reads EOF, the connection
    // closes with errServerClosedIdle, which roundTrip returns undecorated: a GET is
    // replayable and retried, a POST fails with "http: server closed idle connection"
    // (GOMAXPROCS 1: 300 of 300 runs).
    void finAfterHandoffRetriesGetFailsPost_data()
    {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<Failures>("failures");
        QTest::addColumn<quint64>("dials");
        QTest::addColumn<quint64>("retries");
        QTest::addColumn<quint64>("closedIdle"); // the retry's connection is closed too
        QTest::newRow("GET") << QByteArray("GET") << Failures { kOk, kOk } << 2ull << 1ull << 2ull;
        QTest::newRow("POST") << QByteArray("POST")
                              << Failures { kOk, QStringLiteral("server_closed_idle") } << 1ull
                              << 0ull << 1ull;
    }
    void finAfterHandoffRetriesGetFailsPost()
    {
        QFETCH(QByteArray, method);
        ScriptedServer server(ScriptedServer::After::Fin);
        TransportConfig config = TransportConfig::goDefault();
        config.maxConnsPerHost = 1;
        Client c(server, config);
        c.transport.roundTrip(c.request(method));
        c.transport.roundTrip(c.request(method));
        QTRY_COMPARE(c.caller.results.size(), 2u);
        QVERIFY(server.clientSawIt);
        QTEST(c.failures(), "failures");
        QTEST(quint64(c.transport.counters().dials), "dials");
        QTEST(quint64(c.transport.counters().retries), "retries");
        if (method == "POST") {
            const auto failed = std::find_if(c.caller.results.begin(), c.caller.results.end(),
                [](const RoundTripResult &r) { return r.failure != RequestFailure::None; });
            QCOMPARE(failed->message, QStringLiteral("http: server closed idle connection"));
        }
        QTEST(quint64(c.transport.counters().closes(CloseReason::ServerClosedIdle)), "closedIdle");
    }

    // The server resets an idle connection and the caller takes it before the client has
    // looked at the socket (Go: the caller wins the race with the readLoop). The write
    // fails before any byte went out: nothingWrittenError, and a POST is retried too.
    void writeFailingBeforeAnyByteRetriesThePost()
    {
        ScriptedServer server(ScriptedServer::After::KeepOpen);
        Client c(server);
        c.transport.roundTrip(c.request("POST"));
        QTRY_COMPARE(c.caller.results.size(), 1u);
        QCOMPARE(c.transport.pool().idleConns(c.host).size(), 1u);
        QVERIFY(server.resetAll());
        QVERIFY(c.transport.roundTrip(c.request("POST")) != 0); // still going: it redials
        QTRY_COMPARE(c.caller.results.size(), 2u);
        QCOMPARE(c.failures(), (Failures { kOk, kOk }));
        QCOMPARE(c.transport.counters().dials, 2u);
        QCOMPARE(c.transport.counters().retries, 1u);
        QCOMPARE(c.transport.counters().closes(CloseReason::WriteError), 1u);
        QCOMPARE(c.caller.gotConnReused, (std::vector<bool> { false, true, false }));
        QCOMPARE(server.requests, 2);
    }

    // The stale keep-alive race made deterministic: the server reads the second request
    // on a connection and closes without answering. The Transport's own retry decision:
    // a GET (replayable) goes again on a new dial; a POST with a body fails with the EOF.
    // Go 1.19: tests/conformance stale-connection-get-retried / -post-fails.
    void staleReusedConnectionRetriesGetNotPost()
    {
        {
            ScriptedServer server(ScriptedServer::After::DropSecond);
            Client c(server);
            c.sequence("GET", 3);
            QTRY_COMPARE(c.caller.results.size(), 3u);
            QCOMPARE(c.failures(), (Failures { kOk, kOk, kOk }));
            QCOMPARE(c.transport.counters().retries, 2u); // requests 2 and 3 met a dropped one
            QCOMPARE(c.transport.counters().dials, 3u);
            QCOMPARE(c.transport.counters().closes(CloseReason::ReadError), 2u);
        }
        ScriptedServer server(ScriptedServer::After::DropSecond);
        Client c(server);
        c.sequence("POST", 3, 10);
        QTRY_COMPARE(c.caller.results.size(), 3u);
        QCOMPARE(c.failures(), (Failures { kOk, QStringLiteral("read_error"), kOk }));
        QCOMPARE(c.caller.results[1].message, QStringLiteral("EOF"));
        QCOMPARE(c.transport.counters().retries, 0u);
        QCOMPARE(c.transport.counters().dials, 2u);
    }

    // A request is written as its source says when it gets its connection, not when it
    // was made: Go's persistConn.roundTrip reads DisableKeepAlives at that point.
    void requestIsWrittenAsConfiguredWhenItGetsItsConnection()
    {
        ScriptedServer server(ScriptedServer::After::KeepOpen);
        Client c(server);
        RoundTripRequest a = c.request("GET");
        auto source = std::make_shared<RequestSource>(*a.source);
        a.source = source;
        RoundTripRequest b = a;
        b.tag = 2;
        QVERIFY(c.transport.roundTrip(a) != 0); // both wait for dials
        QVERIFY(c.transport.roundTrip(b) != 0);
        RequestSpec closing;
        closing.disableKeepAlives = true;
        source->current
            = std::make_shared<const RequestTemplate>(*RequestTemplate::build(c.target, closing));
        QTRY_COMPARE(c.caller.results.size(), 2u);
        QCOMPARE(server.heads.size(), 2);
        for (const QByteArray &head : server.heads) {
            QVERIFY2(head.contains("\r\nConnection: close\r\n"), head.constData());
        }
    }

    // Canceling a request that waits for its dial ends it at once, with the caller's
    // failure and no connection; nothing stays in flight.
    void cancelWaitingRequestEndsItAtOnce()
    {
        ScriptedServer server(ScriptedServer::After::KeepOpen);
        Client c(server);
        const RoundTripId waiting = c.transport.roundTrip(c.request("GET"));
        QVERIFY(waiting != 0);
        c.transport.cancel(waiting, RequestFailure::ClientTimeout, QStringLiteral("timeout"));
        QCOMPARE(c.failures(), (Failures { QStringLiteral("client_timeout") }));
        QCOMPARE(c.caller.results[0].conn, ConnId { 0 });
        QCOMPARE(c.caller.results[0].message, QStringLiteral("timeout"));
        QCOMPARE(c.transport.inFlight(), 0u);
        c.transport.cancel(waiting, RequestFailure::ClientTimeout, QString()); // once only
        QCOMPARE(c.caller.results.size(), 1u);
    }
};

QTEST_GUILESS_MAIN(TestTransport)
#include "tst_load_transport.moc"
