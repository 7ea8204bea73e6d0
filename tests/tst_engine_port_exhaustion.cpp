// Port exhaustion, for real (issue 16 #8): the whole test process moves into a private
// network namespace of its own before any thread starts (unshare(CLONE_NEWNET), as root),
// narrows net.ipv4.ip_local_port_range there to 10 ports and loads the embedded server with
// more workers than ports. The namespace has no name and no veth: it goes away with the
// process, so nothing is left behind even after a crash. Without root the test skips.
#include "load/engine_controller.h"
#include "server/embedded_server.h"

#include <QFile>
#include <QTest>
#include <cerrno>
#include <cstring>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace poolscope;
using namespace std::chrono_literals;

Q_DECLARE_METATYPE(poolscope::EngineSnapshot)

namespace {

constexpr int kPorts = 10; // 40000-40009; the server's listener takes one of them

// Enters a fresh network namespace with loopback up and a narrow ephemeral port range.
// Empty on success, else why not (then the test skips).
QString enterPrivateNamespace()
{
    if (::geteuid() != 0) {
        return QStringLiteral("needs root to create a network namespace");
    }
    if (::unshare(CLONE_NEWNET) != 0) {
        return QStringLiteral("unshare(CLONE_NEWNET): %1")
            .arg(QString::fromLocal8Bit(std::strerror(errno)));
    }
    const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    ifreq ifr {};
    std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
    const bool up = fd >= 0 && ::ioctl(fd, SIOCGIFFLAGS, &ifr) == 0
        && (ifr.ifr_flags |= IFF_UP, ::ioctl(fd, SIOCSIFFLAGS, &ifr) == 0);
    if (fd >= 0) {
        ::close(fd);
    }
    if (!up) {
        return QStringLiteral("cannot bring lo up in the namespace");
    }
    // /proc/sys/net is the opening task's namespace's: this one.
    QFile range(QStringLiteral("/proc/sys/net/ipv4/ip_local_port_range"));
    if (!range.open(QIODevice::WriteOnly)
        || range.write(QByteArray::number(40000) + ' ' + QByteArray::number(40000 + kPorts - 1))
            < 0) {
        return QStringLiteral("cannot narrow ip_local_port_range");
    }
    return {};
}

} // namespace

class TestEnginePortExhaustion : public QObject
{
    Q_OBJECT

public:
    explicit TestEnginePortExhaustion(QString unavailable) : m_unavailable(std::move(unavailable))
    {
    }

private Q_SLOTS:
    void initTestCase()
    {
        qRegisterMetaType<EngineSnapshot>();
        if (!m_unavailable.isEmpty()) {
            QSKIP(qPrintable(m_unavailable));
        }
    }

    // Go: Get "http://127.0.0.1:P/": dial tcp 127.0.0.1:P: connect: cannot assign requested
    // address. We said "dial tcp 127.0.0.1:P: EOF" (Qt reports EADDRNOTAVAIL as
    // UnknownSocketError) and the hint about ephemeral ports never appeared.
    void exhaustedPortsAreReportedInGosWords()
    {
        EmbeddedServer server;
        ServerConfig sc;
        sc.latency = 1500ms; // every connection stays busy while the others dial
        QString error;
        QVERIFY2(server.start(sc, &error), qPrintable(error));
        EngineController engine;
        engine.setKernelView(false);
        std::optional<EngineSnapshot> final;
        QObject::connect(
            &engine, &EngineController::runFinished, [&](const EngineSnapshot &s) { final = s; });
        LoadConfig l;
        l.url = server.url();
        l.workers = 2 * kPorts;
        l.requestsPerWorker = 1;
        l.duration = 30s;
        engine.start(l, TransportConfig::goDefault());
        QTRY_VERIFY_WITH_TIMEOUT(final.has_value(), 30000);
        const std::uint64_t failedDials
            = final->errorsByKind[static_cast<std::size_t>(CloseReason::DialFailed)];
        // kPorts - 1 connections got a port; the rest could not.
        QVERIFY2(failedDials >= kPorts, qPrintable(QString::number(failedDials)));
        QCOMPARE(final->requestsDone, static_cast<std::uint64_t>(2 * kPorts));
        const QString expected = QStringLiteral("dial tcp 127.0.0.1:%1: connect: cannot assign "
                                                "requested address")
                                     .arg(server.port());
        QVERIFY2(final->lastError.contains(expected), qPrintable(final->lastError));
        QVERIFY2(final->lastError.contains(QLatin1String("ip_local_port_range")),
            qPrintable(final->lastError));
    }

private:
    QString m_unavailable;
};

int main(int argc, char **argv)
{
    // Before QCoreApplication: no thread may exist yet, so every thread lives in it.
    const QString unavailable = enterPrivateNamespace();
    QCoreApplication app(argc, argv);
    TestEnginePortExhaustion test(unavailable);
    return QTest::qExec(&test, argc, argv);
}

#include "tst_engine_port_exhaustion.moc"
