// The kernel watcher against the truth: sockets this test opens itself on loopback,
// counted independently by ss(8).
#include "kernel/kernel_watcher.h"
#include "support/kernel_sockets.h"

#include <QProcess>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <memory>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <set>
#include <sys/socket.h>
#include <vector>

using namespace poolscope;
using poolscope::testsupport::sampleSocket;

namespace {

QString ssProgram()
{
    const QString env = qEnvironmentVariable("POOLSCOPE_SS");
    return env.isEmpty() ? QStandardPaths::findExecutable(QStringLiteral("ss")) : env;
}

// Number of sockets ss lists for `ss -tan state STATE '( dport = :PORT )'`, -1 on failure.
int ssCount(const QString &state, quint16 port)
{
    QProcess p;
    p.start(ssProgram(),
        { QStringLiteral("-tan"), QStringLiteral("state"), state,
            QStringLiteral("( dport = :%1 )").arg(port) });
    if (!p.waitForFinished(10000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        return -1;
    }
    int n = 0;
    const QList<QByteArray> lines = p.readAllStandardOutput().split('\n');
    for (const QByteArray &line : lines) {
        const QByteArray t = line.trimmed();
        if (t.isEmpty() || t.startsWith("Recv-Q") || t.startsWith("State")
            || t.startsWith("Netid")) {
            continue;
        }
        ++n;
    }
    return n;
}

// A loopback server that answers every byte with a byte and closes when the client does.
class EchoServer final
{
public:
    bool listen(const QHostAddress &addr = QHostAddress::LocalHost)
    {
        QObject::connect(&m_server, &QTcpServer::newConnection, [this] {
            while (QTcpSocket *s = m_server.nextPendingConnection()) {
                ++m_accepted;
                QObject::connect(s, &QTcpSocket::readyRead, s, [s] { s->write(s->readAll()); });
                QObject::connect(s, &QTcpSocket::disconnected, s, [this, s] {
                    ++m_closed;
                    s->deleteLater();
                });
            }
        });
        // A port chosen by the kernel may still have TIME_WAIT sockets toward it from an
        // earlier run (a listener does not conflict with them): keep looking until no socket
        // on the machine has this port as its destination, so every count below is ours.
        std::vector<std::unique_ptr<QTcpServer>> rejected;
        for (int attempt = 0; attempt < 50; ++attempt) {
            if (!m_server.listen(addr, 0)) {
                return false;
            }
            if (ssCount(QStringLiteral("all"), m_server.serverPort()) == 0) {
                return true;
            }
            // Hold the used port so the next listen() gets another one.
            auto hold = std::make_unique<QTcpServer>();
            const quint16 port = m_server.serverPort();
            m_server.close();
            hold->listen(addr, port);
            rejected.push_back(std::move(hold));
        }
        return false;
    }
    quint16 port() const { return m_server.serverPort(); }
    int accepted() const { return m_accepted; }
    int closed() const { return m_closed; }

private:
    QTcpServer m_server;
    int m_accepted = 0;
    int m_closed = 0;
};

using Clients = std::vector<std::unique_ptr<QTcpSocket>>;

// Connects n clients that each exchange one byte with the server (which runs on this
// thread's event loop, hence qWaitFor rather than blocking waits).
bool openClients(Clients &clients, int n, const QHostAddress &addr, quint16 port)
{
    const std::size_t first = clients.size();
    for (int i = 0; i < n; ++i) {
        auto s = std::make_unique<QTcpSocket>();
        QTcpSocket *raw = s.get();
        QObject::connect(raw, &QTcpSocket::connected, raw, [raw] { raw->write("x", 1); });
        s->connectToHost(addr, port);
        clients.push_back(std::move(s));
    }
    return QTest::qWaitFor(
        [&] {
            for (std::size_t i = first; i < clients.size(); ++i) {
                if (clients[i]->bytesAvailable() < 1) {
                    return false;
                }
            }
            return true;
        },
        10000);
}

std::set<quint16> localPorts(const KernelSample &s, TcpState state)
{
    std::set<quint16> ports;
    for (const KernelSocket &k : s.sockets) {
        if (k.state == state) {
            ports.insert(k.localPort);
        }
    }
    return ports;
}

int g_kernelWarnings = 0;
QtMessageHandler g_previousHandler = nullptr;

void countingHandler(QtMsgType type, const QMessageLogContext &ctx, const QString &msg)
{
    if (ctx.category && qstrcmp(ctx.category, "poolscope.kernel") == 0 && type == QtWarningMsg) {
        ++g_kernelWarnings;
    }
    g_previousHandler(type, ctx, msg);
}

} // namespace

class TstKernelWatcher final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        if (ssProgram().isEmpty()) {
            QSKIP("ss (iproute2) not found: set POOLSCOPE_SS or install iproute2");
        }
        KernelWatcher probe;
        probe.setTarget(QHostAddress::LocalHost, 1);
        const KernelSample s = probe.sample();
        QVERIFY2(s.available, qPrintable(s.unavailableReason));
        QCOMPARE(s.source, QStringLiteral("netlink")); // root on Linux: netlink must work
    }

    void establishedAndTimeWaitMatchSs_data()
    {
        QTest::addColumn<bool>("procOnly");
        QTest::newRow("netlink") << false;
        QTest::newRow("proc") << true;
    }

    void establishedAndTimeWaitMatchSs()
    {
        QFETCH(bool, procOnly);
        constexpr int kClients = 40;
        EchoServer server;
        QVERIFY(server.listen());
        KernelWatcher watcher;
        watcher.setTarget(QHostAddress::LocalHost, server.port());
        if (procOnly) {
            watcher.setMode(KernelWatcher::Mode::ProcOnly);
        }

        Clients clients;
        QVERIFY(openClients(clients, kClients, QHostAddress::LocalHost, server.port()));
        QTRY_COMPARE_WITH_TIMEOUT(server.accepted(), kClients, 5000);

        KernelSample s = watcher.sample();
        QVERIFY2(s.available, qPrintable(s.unavailableReason));
        QCOMPARE(s.source, procOnly ? QStringLiteral("/proc/net/tcp") : QStringLiteral("netlink"));
        QCOMPARE(s.counts.count(TcpState::Established), kClients);
        QCOMPARE(s.counts.total(), kClients);
        QCOMPARE(s.counts.count(TcpState::Established),
            ssCount(QStringLiteral("established"), server.port()));
        std::set<quint16> expected;
        for (auto &c : clients) {
            expected.insert(c->localPort());
        }
        QCOMPARE(localPorts(s, TcpState::Established), expected);
        for (const KernelSocket &k : s.sockets) {
            QCOMPARE(k.remotePort, server.port());
            if (!procOnly) {
                QVERIFY2(k.rttUs > 0, "tcp_info rtt after a round trip");
            }
        }

        // Client closes first, so the client side holds TIME_WAIT.
        for (auto &c : clients) {
            c->disconnectFromHost();
        }
        QTRY_COMPARE_WITH_TIMEOUT(server.closed(), kClients, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(
            ssCount(QStringLiteral("time-wait"), server.port()), kClients, 5000);

        s = watcher.sample();
        QVERIFY(s.available);
        const int ss = ssCount(QStringLiteral("time-wait"), server.port());
        QCOMPARE(s.counts.count(TcpState::TimeWait), ss);
        QCOMPARE(s.counts.count(TcpState::Established), 0);
        QCOMPARE(localPorts(s, TcpState::TimeWait), expected);
        for (const KernelSocket &k : s.sockets) {
            QCOMPARE(k.timer, TcpTimer::TimeWait);
            QVERIFY(k.timerExpires <= std::chrono::seconds(60));
        }
    }

    void netlinkAndProcAgree()
    {
        EchoServer server;
        QVERIFY(server.listen());
        Clients clients;
        QVERIFY(openClients(clients, 10, QHostAddress::LocalHost, server.port()));
        for (int i = 0; i < 4; ++i) {
            clients[static_cast<std::size_t>(i)]->disconnectFromHost();
        }
        QTRY_COMPARE_WITH_TIMEOUT(server.closed(), 4, 5000);
        KernelWatcher netlink;
        KernelWatcher proc;
        netlink.setTarget(QHostAddress::LocalHost, server.port());
        proc.setTarget(QHostAddress::LocalHost, server.port());
        proc.setMode(KernelWatcher::Mode::ProcOnly);
        QTRY_COMPARE_WITH_TIMEOUT(netlink.sample().counts.count(TcpState::TimeWait), 4, 5000);
        const KernelSample a = netlink.sample();
        const KernelSample b = proc.sample();
        QCOMPARE(a.counts.count(TcpState::Established), 6);
        QCOMPARE(b.counts, a.counts);
        QCOMPARE(localPorts(b, TcpState::TimeWait), localPorts(a, TcpState::TimeWait));
        QCOMPARE(localPorts(b, TcpState::Established), localPorts(a, TcpState::Established));
    }

    void keepAliveTimer_data()
    {
        QTest::addColumn<bool>("procOnly");
        QTest::newRow("netlink") << false;
        QTest::newRow("proc") << true;
    }

    void keepAliveTimer()
    {
        QFETCH(bool, procOnly);
        EchoServer server;
        QVERIFY(server.listen());
        Clients clients;
        QVERIFY(openClients(clients, 1, QHostAddress::LocalHost, server.port()));
        const int fd = static_cast<int>(clients[0]->socketDescriptor());
        const int one = 1;
        const int three = 3;
        QCOMPARE(setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &one, sizeof one), 0);
        QCOMPARE(setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &one, sizeof one), 0);
        QCOMPARE(setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &three, sizeof three), 0);
        QCOMPARE(setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one), 0);

        KernelWatcher watcher;
        watcher.setTarget(QHostAddress::LocalHost, server.port());
        if (procOnly) {
            watcher.setMode(KernelWatcher::Mode::ProcOnly);
        }
        const quint16 port = clients[0]->localPort();
        QTRY_COMPARE_WITH_TIMEOUT(sampleSocket(watcher, port).timer, TcpTimer::KeepAlive, 3000);
        const KernelSocket k = sampleSocket(watcher, port);
        QCOMPARE(k.state, TcpState::Established);
        QVERIFY2(k.timerExpires <= std::chrono::milliseconds(1000),
            qPrintable(QString::number(k.timerExpires.count())));
        // Loopback answers every probe, so none is outstanding.
        QCOMPARE(k.keepAliveProbes, 0);
    }

    void unknownPortHasZeroCounts()
    {
        EchoServer server;
        QVERIFY(server.listen());
        KernelWatcher watcher;
        // The listener itself is excluded (LISTEN), and nobody connected.
        watcher.setTarget(QHostAddress::LocalHost, server.port());
        KernelSample s = watcher.sample();
        QVERIFY(s.available);
        QCOMPARE(s.counts.total(), 0);
        QVERIFY(s.sockets.empty());

        Clients clients;
        QVERIFY(openClients(clients, 3, QHostAddress::LocalHost, server.port()));
        // Same port, other address: nothing matches.
        watcher.setTarget(QHostAddress(QStringLiteral("127.0.0.2")), server.port());
        s = watcher.sample();
        QVERIFY(s.available);
        QCOMPARE(s.counts.total(), 0);
        // Any address, that port: our three clients.
        watcher.setTarget(QHostAddress(), server.port());
        QCOMPARE(watcher.sample().counts.count(TcpState::Established), 3);
        // No target at all.
        watcher.setTarget(QHostAddress::LocalHost, 0);
        s = watcher.sample();
        QVERIFY(!s.available);
        QCOMPARE(s.counts.total(), 0);
    }

    void socketListIsCapped_data()
    {
        QTest::addColumn<bool>("procOnly");
        QTest::newRow("netlink") << false;
        QTest::newRow("proc") << true;
    }

    void socketListIsCapped()
    {
        QFETCH(bool, procOnly);
        EchoServer server;
        QVERIFY(server.listen());
        Clients clients;
        QVERIFY(openClients(clients, 25, QHostAddress::LocalHost, server.port()));
        KernelWatcher watcher;
        watcher.setTarget(QHostAddress::LocalHost, server.port());
        watcher.setMaxSockets(5);
        if (procOnly) {
            watcher.setMode(KernelWatcher::Mode::ProcOnly);
        }
        const KernelSample s = watcher.sample();
        QCOMPARE(s.counts.count(TcpState::Established), 25);
        QCOMPARE(s.sockets.size(), std::size_t(5));
        watcher.setMaxSockets(1'000'000);
        QCOMPARE(watcher.maxSockets(), KernelWatcher::kMaxSockets);
    }

    void ipv6AndServerSide()
    {
        EchoServer v6;
        if (!v6.listen(QHostAddress::LocalHostIPv6)) {
            QSKIP("no IPv6 loopback");
        }
        Clients clients;
        QVERIFY(openClients(clients, 4, QHostAddress::LocalHostIPv6, v6.port()));
        KernelWatcher watcher;
        watcher.setTarget(QHostAddress::LocalHostIPv6, v6.port());
        QCOMPARE(watcher.sample().counts.count(TcpState::Established), 4);
        watcher.setMode(KernelWatcher::Mode::ProcOnly);
        QCOMPARE(watcher.sample().counts.count(TcpState::Established), 4);

        // A dual-stack listener accepts IPv4 clients as v4-mapped IPv6 sockets: the server
        // side (local port = target) of 127.0.0.1 must still find them.
        EchoServer dual;
        QVERIFY(dual.listen(QHostAddress::Any));
        Clients v4clients;
        QVERIFY(openClients(v4clients, 3, QHostAddress::LocalHost, dual.port()));
        QTRY_COMPARE_WITH_TIMEOUT(dual.accepted(), 3, 5000);
        KernelWatcher server;
        server.setTarget(QHostAddress::LocalHost, dual.port(), KernelWatcher::MatchSide::Local);
        KernelSample s = server.sample();
        QCOMPARE(s.counts.count(TcpState::Established), 3);
        for (const KernelSocket &k : s.sockets) {
            QCOMPARE(k.localPort, dual.port());
        }
        server.setMode(KernelWatcher::Mode::ProcOnly);
        s = server.sample();
        QCOMPARE(s.counts.count(TcpState::Established), 3);
    }

    void unavailableIsReportedOnce()
    {
        KernelWatcher watcher;
        watcher.setMode(KernelWatcher::Mode::ProcOnly);
        watcher.setProcNetDir(QStringLiteral("/nonexistent-poolscope"));
        watcher.setTarget(QHostAddress::LocalHost, 80);
        g_kernelWarnings = 0;
        g_previousHandler = qInstallMessageHandler(countingHandler);
        KernelSample s;
        for (int i = 0; i < 5; ++i) {
            s = watcher.sample();
        }
        qInstallMessageHandler(g_previousHandler);
        QVERIFY(!s.available);
        QVERIFY2(s.unavailableReason.contains(QStringLiteral("/nonexistent-poolscope/tcp")),
            qPrintable(s.unavailableReason));
        QCOMPARE(g_kernelWarnings, 1);
        QCOMPARE(s.counts.total(), 0);
    }
};

QTEST_GUILESS_MAIN(TstKernelWatcher)
#include "tst_kernel_watcher.moc"
