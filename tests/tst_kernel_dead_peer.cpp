// The dead-peer lab, as root: a server inside a network namespace vanishes without a FIN,
// and the kernel's keep-alive probes (seen by the watcher) kill our connection.
//
// The test binary doubles as the server: run with --poolscope-listen ADDR it listens on
// ADDR:0 inside the namespace, prints the port and echoes bytes. With --poolscope-lab-hold
// it sets up a lab with signal cleanup and waits to be killed.
#include "kernel/dead_peer_lab.h"
#include "kernel/kernel_watcher.h"
#include "support/kernel_sockets.h"
#include "support/lab_requirements.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QProcess>
#include <QScopeGuard>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>
#include <csignal>
#include <cstdio>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace poolscope;
using poolscope::testsupport::sampleSocket;

namespace {

int runListener(const QString &address)
{
    QTcpServer server;
    if (!server.listen(QHostAddress(address), 0)) {
        std::fprintf(
            stderr, "listen %s: %s\n", qPrintable(address), qPrintable(server.errorString()));
        return 1;
    }
    QObject::connect(&server, &QTcpServer::newConnection, [&server] {
        while (QTcpSocket *s = server.nextPendingConnection()) {
            QObject::connect(s, &QTcpSocket::readyRead, s, [s] { s->write(s->readAll()); });
            QObject::connect(s, &QTcpSocket::disconnected, s, &QObject::deleteLater);
        }
    });
    std::printf("%u\n", server.serverPort());
    std::fflush(stdout);
    return QCoreApplication::exec();
}

int runLabHold()
{
    DeadPeerLab::installSignalCleanup();
    DeadPeerLab lab;
    QString error;
    if (!lab.setUp(&error)) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return 1;
    }
    QProcess *listener = lab.startInNamespace(QCoreApplication::applicationFilePath(),
        { QStringLiteral("--poolscope-listen"), lab.peerAddress().toString() }, &error);
    if (!listener || !listener->waitForReadyRead(10000)) {
        std::fprintf(stderr, "listener: %s\n", qPrintable(error));
        return 1;
    }
    std::printf("%s %s %lld\n", qPrintable(lab.namespaceName()), qPrintable(lab.hostInterface()),
        static_cast<long long>(listener->processId()));
    std::fflush(stdout);
    return QCoreApplication::exec(); // until SIGTERM
}

QStringList ipLines(const QStringList &args)
{
    QProcess p;
    p.start(DeadPeerLab::ipProgram(), args);
    p.waitForFinished(10000);
    return QString::fromLocal8Bit(p.readAllStandardOutput())
        .split(QLatin1Char('\n'), Qt::SkipEmptyParts);
}

bool namespaceExists(const QString &name)
{
    const QStringList lines = ipLines({ QStringLiteral("netns"), QStringLiteral("list") });
    for (const QString &l : lines) {
        if (l.section(QLatin1Char(' '), 0, 0) == name) {
            return true;
        }
    }
    return false;
}

bool linkExists(const QString &name)
{
    QProcess p;
    p.start(DeadPeerLab::ipProgram(), { QStringLiteral("link"), QStringLiteral("show"), name });
    p.waitForFinished(10000);
    return p.exitCode() == 0;
}

// Namespaces of this test process (other labs on the machine are not ours to judge).
int ourNamespaces()
{
    const QString prefix = QStringLiteral("poolscope-%1-").arg(getpid());
    int n = 0;
    for (const QString &l : ipLines({ QStringLiteral("netns"), QStringLiteral("list") })) {
        if (l.startsWith(prefix)) {
            ++n;
        }
    }
    return n;
}

bool setKeepAlive(qintptr descriptor, int idle, int interval, int count)
{
    const int fd = static_cast<int>(descriptor);
    const int one = 1;
    return setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle) == 0
        && setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval) == 0
        && setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof count) == 0
        && setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one) == 0;
}

} // namespace

class TstKernelDeadPeer final : public QObject
{
    Q_OBJECT

private:
    // Starts this executable inside the lab's namespace as an echo listener on the peer
    // address; *port is the port it printed.
    void startListener(DeadPeerLab &lab, quint16 *port)
    {
        QString error;
        QProcess *listener = lab.startInNamespace(QCoreApplication::applicationFilePath(),
            { QStringLiteral("--poolscope-listen"), lab.peerAddress().toString() }, &error);
        QVERIFY2(listener, qPrintable(error));
        QVERIFY2(listener->waitForReadyRead(10000), listener->readAllStandardError().constData());
        bool ok = false;
        *port = static_cast<quint16>(listener->readLine().trimmed().toUInt(&ok));
        QVERIFY(ok && *port != 0);
    }

    // How a connection to a vanished peer ended.
    struct Death
    {
        qint64 afterMs = -1; // since the peer vanished
        QAbstractSocket::SocketError error = QAbstractSocket::UnknownSocketError;
        int maxProbes = 0; // the most unanswered keep-alive probes the watcher saw
    };

    // Waits until the kernel kills client, at most 30 s after sinceVanish started,
    // sampling the watcher every 100 ms while the kernel probes.
    void watchUntilKilled(
        QTcpSocket &client, KernelWatcher &watcher, const QElapsedTimer &sinceVanish, Death *death)
    {
        const QMetaObject::Connection died = connect(&client, &QAbstractSocket::errorOccurred, this,
            [death, &sinceVanish](QAbstractSocket::SocketError e) {
                if (death->afterMs < 0) {
                    death->error = e;
                    death->afterMs = sinceVanish.elapsed();
                }
            });
        const auto disconnect = qScopeGuard([died] { QObject::disconnect(died); });
        const quint16 localPort = client.localPort();
        const auto sampleProbes = [&watcher, localPort, death] {
            const KernelSocket k = sampleSocket(watcher, localPort);
            if (k.timer == TcpTimer::KeepAlive) {
                death->maxProbes = std::max(death->maxProbes, k.keepAliveProbes);
            }
        };
        sampleProbes();
        QTimer sampler;
        connect(&sampler, &QTimer::timeout, this, sampleProbes);
        sampler.start(100);
        const int remainingMs
            = static_cast<int>(std::max<qint64>(0, 30000 - sinceVanish.elapsed()));
        QTRY_VERIFY2_WITH_TIMEOUT(
            death->afterMs >= 0, "the kernel did not kill the connection within 30 s", remainingMs);
    }

    // Starts this executable as a child that sets up a lab and holds it; *fields is
    // its first line: namespace, host interface, listener pid.
    void startHolder(QProcess &holder, QStringList *fields)
    {
        holder.start(
            QCoreApplication::applicationFilePath(), { QStringLiteral("--poolscope-lab-hold") });
        QVERIFY(holder.waitForStarted(5000));
        QVERIFY2(holder.waitForReadyRead(20000), holder.readAllStandardError().constData());
        *fields = QString::fromLocal8Bit(holder.readLine()).trimmed().split(QLatin1Char(' '));
        QCOMPARE(fields->size(), 3);
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (const QString why = poolscope::testsupport::labSkipReason(false); !why.isEmpty()) {
            QSKIP(qPrintable(why));
        }
    }

    void keepAliveKillsVanishedPeer()
    {
        DeadPeerLab lab;
        QString error;
        QVERIFY2(lab.setUp(&error), qPrintable(error));
        QVERIFY(namespaceExists(lab.namespaceName()));
        QVERIFY(lab.peerAddress().toString().startsWith(QStringLiteral("10.200.")));
        quint16 port = 0;
        startListener(lab, &port);
        if (QTest::currentTestFailed()) {
            return;
        }

        QTcpSocket client;
        client.connectToHost(lab.peerAddress(), port);
        QVERIFY2(client.waitForConnected(5000), qPrintable(client.errorString()));
        client.write("x", 1);
        QVERIFY(client.waitForReadyRead(5000));
        QCOMPARE(client.readAll(), QByteArray("x"));
        QVERIFY(setKeepAlive(client.socketDescriptor(), 1, 1, 3));

        KernelWatcher watcher;
        watcher.setTarget(lab.peerAddress(), port);
        QTRY_COMPARE_WITH_TIMEOUT(
            sampleSocket(watcher, client.localPort()).timer, TcpTimer::KeepAlive, 5000);

        QElapsedTimer sinceVanish;
        sinceVanish.start();
        QVERIFY2(lab.vanish(&error), qPrintable(error));
        QVERIFY(lab.isVanished());
        Death death;
        watchUntilKilled(client, watcher, sinceVanish, &death);
        if (QTest::currentTestFailed()) {
            return;
        }
        qInfo("connection died %lld ms after vanish (%s), watcher saw %d probe(s)",
            static_cast<long long>(death.afterMs), qPrintable(client.errorString()),
            death.maxProbes);
        // Idle 1 s + 3 probes 1 s apart: the kernel cannot give up before three intervals.
        QVERIFY2(death.afterMs >= 3000, qPrintable(QString::number(death.afterMs)));
        QVERIFY2(death.error == QAbstractSocket::SocketTimeoutError
                || death.error == QAbstractSocket::RemoteHostClosedError
                || death.error == QAbstractSocket::NetworkError,
            qPrintable(client.errorString()));
        QVERIFY2(death.maxProbes > 0, "the watcher saw no keep-alive probe");
        QTRY_COMPARE_WITH_TIMEOUT(watcher.sample().counts.total(), 0, 5000);

        // restore() brings the peer back: a new connection works again.
        QVERIFY2(lab.restore(&error), qPrintable(error));
        QTcpSocket again;
        again.connectToHost(lab.peerAddress(), port);
        QVERIFY2(again.waitForConnected(5000), qPrintable(again.errorString()));

        const QString ns = lab.namespaceName();
        const QString hostIf = lab.hostInterface();
        lab.tearDown();
        QVERIFY(!namespaceExists(ns));
        QVERIFY(!linkExists(hostIf));
        QCOMPARE(ourNamespaces(), 0);
    }

    void twoLabsGetDistinctSubnets()
    {
        DeadPeerLab a;
        DeadPeerLab b;
        QString error;
        QVERIFY2(a.setUp(&error), qPrintable(error));
        QVERIFY2(b.setUp(&error), qPrintable(error));
        QVERIFY(a.namespaceName() != b.namespaceName());
        QVERIFY(a.peerAddress() != b.peerAddress());
        QVERIFY(!a.peerAddress().isInSubnet(b.hostAddress(), 30));
        QCOMPARE(ourNamespaces(), 2);
        // Misuse gets an error, not a crash.
        DeadPeerLab idle;
        QVERIFY(!idle.vanish(&error));
        QVERIFY(error.contains(QStringLiteral("not set up")));
        QVERIFY(!idle.startInNamespace(QStringLiteral("/bin/true"), {}, &error));
    }

    void destructorCleansUp()
    {
        QString ns;
        QString hostIf;
        {
            DeadPeerLab lab;
            QString error;
            QVERIFY2(lab.setUp(&error), qPrintable(error));
            ns = lab.namespaceName();
            hostIf = lab.hostInterface();
            QVERIFY(linkExists(hostIf));
        }
        QVERIFY(!namespaceExists(ns));
        QVERIFY(!linkExists(hostIf));
        QCOMPARE(ourNamespaces(), 0);
    }

    void signalCleanupRemovesLab()
    {
        QProcess holder;
        QStringList fields;
        startHolder(holder, &fields);
        if (QTest::currentTestFailed()) {
            return;
        }
        const QString ns = fields[0];
        const QString hostIf = fields[1];
        const qint64 listenerPid = fields[2].toLongLong();
        QVERIFY(namespaceExists(ns));
        QVERIFY(linkExists(hostIf));
        QVERIFY(kill(static_cast<pid_t>(listenerPid), 0) == 0);

        holder.terminate(); // SIGTERM
        QVERIFY(holder.waitForFinished(10000));
        QCOMPARE(holder.exitStatus(), QProcess::CrashExit); // died by the signal, after cleanup
        QVERIFY(!namespaceExists(ns));
        QVERIFY(!linkExists(hostIf));
        // The listener inside the namespace was killed too.
        QTRY_VERIFY_WITH_TIMEOUT(kill(static_cast<pid_t>(listenerPid), 0) != 0, 5000);
    }

    void staleLabsAreRemoved()
    {
        // A lab left by a crashed process: SIGKILL gives no chance to clean up.
        QProcess holder;
        QStringList fields;
        startHolder(holder, &fields);
        if (QTest::currentTestFailed()) {
            return;
        }
        holder.kill();
        QVERIFY(holder.waitForFinished(10000));
        QVERIFY(namespaceExists(fields[0]));
        QVERIFY(linkExists(fields[1]));

        QStringList report;
        QVERIFY(DeadPeerLab::cleanupStale(&report) >= 1);
        QVERIFY2(report.join(QLatin1Char('\n')).contains(fields[0]),
            qPrintable(report.join(QLatin1Char('\n'))));
        QVERIFY(!namespaceExists(fields[0]));
        QVERIFY(!linkExists(fields[1]));
        QTRY_VERIFY_WITH_TIMEOUT(kill(static_cast<pid_t>(fields[2].toLongLong()), 0) != 0, 5000);
    }

    void cleanupTestCase()
    {
        if (DeadPeerLab::unavailableReason().isEmpty()) {
            QCOMPARE(ourNamespaces(), 0);
        }
    }
};

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() >= 3 && args[1] == QLatin1String("--poolscope-listen")) {
        return runListener(args[2]);
    }
    if (args.size() >= 2 && args[1] == QLatin1String("--poolscope-lab-hold")) {
        return runLabHold();
    }
    TstKernelDeadPeer test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_kernel_dead_peer.moc"
