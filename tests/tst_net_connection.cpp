// Connection's plain-TCP path on its own descriptor (socket/connect/read/send, readiness from
// the thread's FdReactor): what a user reads when a dial or an exchange fails, in Go's words,
// and that requests and responses of any size get through whole.
#include "http/request_writer.h"
#include "http/target.h"
#include "net/connection.h"
#include "support/refused_port.h"

#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <cerrno>
#include <netinet/in.h>
#include <optional>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace poolscope;
using namespace std::chrono_literals;

namespace {

constexpr int kTimeoutMs = 10000;

// Records what the connection reports, as the Transport would see it.
struct Recorder final : ConnectionOwner
{
    int ready = 0;
    int headers = 0;
    int complete = 0;
    bool reusable = false;
    std::optional<CloseReason> dialFailed;
    std::optional<ConnectionFailure> failed;
    std::optional<CloseReason> lost; // while idle
    QString dialMessage;
    bool inDial = false; // a callback while dial() runs would reach a Transport mid-startDial
    bool calledDuringDial = false;

    void onConnectionReady(Connection &) override
    {
        note();
        ++ready;
    }
    void onConnectionDialFailed(Connection &, CloseReason r, const QString &m) override
    {
        note();
        dialFailed = r;
        dialMessage = m;
    }
    void onFirstResponseByte(Connection &) override { }
    void onResponseHeaders(Connection &) override { ++headers; }
    void onResponseComplete(Connection &, bool r) override
    {
        ++complete;
        reusable = r;
    }
    void onConnectionFailed(Connection &, const ConnectionFailure &f) override { failed = f; }
    void onIdleConnectionLost(Connection &, CloseReason reason) override { lost = reason; }
    void note() { calledDuringDial = calledDuringDial || inDial; }
};

DialSpec plainSpec(quint16 port, Duration dialTimeout = 30s)
{
    DialSpec s;
    s.address = QHostAddress(QHostAddress::LocalHost);
    s.port = port;
    s.keepAlive = EffectiveKeepAlive { true, 15, 15, -1 };
    s.dialTimeout = dialTimeout;
    return s;
}

RequestTemplate requestFor(quint16 port, qint64 bodySize = 0)
{
    const auto target = parseTarget(QStringLiteral("http://127.0.0.1:%1/").arg(port));
    RequestSpec spec;
    spec.method = bodySize > 0 ? QByteArrayLiteral("POST") : QByteArrayLiteral("GET");
    spec.bodySize = bodySize;
    return *RequestTemplate::build(*target, spec);
}

void dialNow(Connection &c, Recorder &r)
{
    r.inDial = true;
    c.dial();
    r.inDial = false;
}

} // namespace

class TestNetConnection : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void refusedDialReadsAsGo()
    {
        const quint16 port = poolscope::testsupport::refusedPort();
        QVERIFY(port != 0);
        Recorder r;
        Connection c(1, r, plainSpec(port));
        dialNow(c, r);
        QTRY_VERIFY_WITH_TIMEOUT(r.dialFailed.has_value(), kTimeoutMs);
        QVERIFY2(!r.calledDuringDial, "reported from the event loop, not inside dial()");
        QCOMPARE(*r.dialFailed, CloseReason::DialFailed);
        QCOMPARE(r.dialMessage,
            QStringLiteral("dial tcp 127.0.0.1:%1: connect: connection refused").arg(port));
        QCOMPARE(c.phase(), Connection::Phase::Closed);
        QCOMPARE(c.socketDescriptor(), qintptr(-1));
    }

    // SYNs to a listener whose accept queue is full are dropped: only Dialer.Timeout ends
    // the wait, as with a black-holed address.
    void dialTimeoutReadsAsGo()
    {
        const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        QVERIFY(listener >= 0);
        sockaddr_in a {};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof a;
        QCOMPARE(::bind(listener, reinterpret_cast<sockaddr *>(&a), sizeof a), 0);
        QCOMPARE(::listen(listener, 0), 0);
        QCOMPARE(::getsockname(listener, reinterpret_cast<sockaddr *>(&a), &len), 0);
        const quint16 port = ntohs(a.sin_port);
        std::vector<std::unique_ptr<QTcpSocket>> fill; // never accepted
        for (int i = 0; i < 2; ++i) { // the first fills the queue of backlog 0
            fill.push_back(std::make_unique<QTcpSocket>());
            fill.back()->connectToHost(QHostAddress::LocalHost, port);
            fill.back()->waitForConnected(200);
        }
        Recorder r;
        Connection c(1, r, plainSpec(port, 300ms));
        QElapsedTimer t;
        t.start();
        dialNow(c, r);
        QTRY_VERIFY_WITH_TIMEOUT(r.dialFailed.has_value(), kTimeoutMs);
        ::close(listener);
        QCOMPARE(*r.dialFailed, CloseReason::DialTimeout);
        QCOMPARE(r.dialMessage, QStringLiteral("dial tcp 127.0.0.1:%1: i/o timeout").arg(port));
        QVERIFY2(t.elapsed() >= 290, qPrintable(QString::number(t.elapsed())));
        QCOMPARE(r.ready, 0);
    }

    void outOfDescriptorsReadsAsGo()
    {
#ifdef POOLSCOPE_SANITIZED
        QSKIP("the sanitizers need descriptors of their own at EMFILE (tests/sanitizers)");
#endif
        const quint16 port
            = poolscope::testsupport::refusedPort(); // the dial fails before it connects anywhere
        Recorder r;
        Connection c(1, r, plainSpec(port));
        rlimit old {};
        QCOMPARE(::getrlimit(RLIMIT_NOFILE, &old), 0);
        const int probe = ::dup(0); // the lowest free descriptor: everything below is open
        QVERIFY(probe >= 0);
        ::close(probe);
        rlimit tight = old;
        tight.rlim_cur = static_cast<rlim_t>(probe);
        QCOMPARE(::setrlimit(RLIMIT_NOFILE, &tight), 0);
        dialNow(c, r);
        ::setrlimit(RLIMIT_NOFILE, &old);
        QTRY_VERIFY_WITH_TIMEOUT(r.dialFailed.has_value(), kTimeoutMs);
        QCOMPARE(*r.dialFailed, CloseReason::DialFailed);
        QCOMPARE(r.dialMessage,
            QStringLiteral("dial tcp 127.0.0.1:%1: socket: too many open files (see ulimit -n)")
                .arg(port));
    }

    // The server resets the connection after the headers and part of the body.
    void resetMidBodyReadsAsGo()
    {
        QTcpServer server;
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        Recorder r;
        Connection c(1, r, plainSpec(server.serverPort()));
        dialNow(c, r);
        QTRY_COMPARE_WITH_TIMEOUT(r.ready, 1, kTimeoutMs);
        QVERIFY(!r.calledDuringDial);
        QTRY_VERIFY_WITH_TIMEOUT(server.hasPendingConnections(), kTimeoutMs);
        QTcpSocket *peer = server.nextPendingConnection();
        const quint16 local = c.localPort();
        QCOMPARE(local, peer->peerPort()); // the kernel view finds it by this port
        c.sendRequest(requestFor(server.serverPort()), 0s, 1s);
        QTRY_VERIFY_WITH_TIMEOUT(peer->bytesAvailable() > 0, kTimeoutMs);
        peer->write("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n0123456789");
        QVERIFY(peer->waitForBytesWritten(kTimeoutMs));
        QTRY_COMPARE_WITH_TIMEOUT(r.headers, 1, kTimeoutMs);
        const linger hard { 1, 0 };
        QCOMPARE(::setsockopt(static_cast<int>(peer->socketDescriptor()), SOL_SOCKET, SO_LINGER,
                     &hard, sizeof hard),
            0);
        peer->abort(); // RST
        QTRY_VERIFY_WITH_TIMEOUT(r.failed.has_value(), kTimeoutMs);
        QCOMPARE(r.failed->reason, CloseReason::ReadError);
        QCOMPARE(r.failed->message,
            QStringLiteral("read tcp 127.0.0.1:%1->127.0.0.1:%2: read: connection reset by peer")
                .arg(local)
                .arg(server.serverPort()));
        QVERIFY(!r.failed->nothingWritten);
        QCOMPARE(r.complete, 0);
    }

    // A body far bigger than the socket buffers: what the kernel does not take at once goes
    // out as the server reads, in order, and the response completes.
    void bigBodyIsWrittenWhole()
    {
        QTcpServer server;
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        const RequestTemplate request = requestFor(server.serverPort(), 16 << 20);
        Recorder r;
        Connection c(1, r, plainSpec(server.serverPort()));
        dialNow(c, r);
        QTRY_COMPARE_WITH_TIMEOUT(r.ready, 1, kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(server.hasPendingConnections(), kTimeoutMs);
        QTcpSocket *peer = server.nextPendingConnection();
        peer->setReadBufferSize(64 << 10); // a slow reader: the client meets a full socket
        QByteArray received;
        QObject::connect(peer, &QIODevice::readyRead, peer, [&] {
            received += peer->readAll();
            if (received.size() == request.bytes().size()) {
                peer->write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            }
        });
        c.sendRequest(request, 0s, 1s);
        QVERIFY2(c.phase() != Connection::Phase::Closed, "a full socket is not an error");
        QTRY_COMPARE_WITH_TIMEOUT(r.complete, 1, 30000);
        QVERIFY(r.reusable);
        QVERIFY(!r.failed.has_value());
        QCOMPARE(received.size(), request.bytes().size());
        QVERIFY(received == request.bytes());
    }

    // The server closes an idle connection: the EOF is noticed without a request.
    void serverCloseWhileIdleIsSeen()
    {
        QTcpServer server;
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        Recorder r;
        Connection c(1, r, plainSpec(server.serverPort()));
        dialNow(c, r);
        QTRY_COMPARE_WITH_TIMEOUT(r.ready, 1, kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(server.hasPendingConnections(), kTimeoutMs);
        QTcpSocket *peer = server.nextPendingConnection();
        c.sendRequest(requestFor(server.serverPort()), 0s, 1s);
        QTRY_VERIFY_WITH_TIMEOUT(peer->bytesAvailable() > 0, kTimeoutMs);
        // Response and FIN in one go: the response completes, then the EOF is the idle loss.
        peer->write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        peer->disconnectFromHost();
        QTRY_COMPARE_WITH_TIMEOUT(r.complete, 1, kTimeoutMs);
        QVERIFY(r.reusable);
        QTRY_VERIFY_WITH_TIMEOUT(r.lost.has_value(), kTimeoutMs);
        QCOMPARE(*r.lost, CloseReason::ServerClosedIdle);
        QCOMPARE(c.phase(), Connection::Phase::Closed);
    }
};

QTEST_GUILESS_MAIN(TestNetConnection)
#include "tst_net_connection.moc"
