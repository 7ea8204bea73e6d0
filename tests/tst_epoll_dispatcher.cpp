// EpollEventDispatcher driving a real QThread: TCP echo traffic through QTcpServer and
// QTcpSocket, timers (order, repetition, stop from another timer's slot), queued calls,
// sockets deleted from their own readyRead, notifiers deleted while a ready list is being
// delivered, Read and Write notifiers sharing one fd, and 500 concurrent sockets.
#include "net/epoll_event_dispatcher.h"

#include <QEventLoop>
#include <QMutex>
#include <QPointer>
#include <QSocketNotifier>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QThread>
#include <QTimer>
#include <atomic>
#include <functional>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace poolscope;

namespace {

// A thread whose loop runs on the epoll dispatcher, plus a context object living in it.
class EpollThread final
{
public:
    EpollThread()
    {
        m_thread.setEventDispatcher(new EpollEventDispatcher);
        m_context.moveToThread(&m_thread);
        m_thread.start();
    }
    ~EpollThread()
    {
        run([this] { m_ownedByThread.clear(); });
        m_thread.quit();
        m_thread.wait();
    }
    Q_DISABLE_COPY_MOVE(EpollThread)

    // Runs fn in the thread and waits for it to return.
    void run(const std::function<void()> &fn)
    {
        QMetaObject::invokeMethod(&m_context, fn, Qt::BlockingQueuedConnection);
    }
    QObject *context() { return &m_context; }
    QThread *thread() { return &m_thread; }
    // Objects created in the thread and deleted there before it stops.
    void own(QObject *o) { m_ownedByThread.emplace_back(o); }

private:
    QThread m_thread;
    QObject m_context;
    std::vector<std::unique_ptr<QObject>> m_ownedByThread;
};

// Echoes every byte it receives, on every accepted connection.
QTcpServer *startEchoServer(QObject *parent)
{
    auto *server = new QTcpServer(parent);
    QObject::connect(server, &QTcpServer::newConnection, server, [server] {
        while (QTcpSocket *s = server->nextPendingConnection()) {
            QObject::connect(s, &QTcpSocket::readyRead, s, [s] { s->write(s->readAll()); });
            QObject::connect(s, &QTcpSocket::disconnected, s, &QObject::deleteLater);
        }
    });
    if (!server->listen(QHostAddress::LocalHost, 0)) {
        qWarning("listen failed: %s", qPrintable(server->errorString()));
    }
    return server;
}

} // namespace

class TestEpollDispatcher : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        // 500 client sockets plus their 500 accepted peers.
        rlimit lim {};
        getrlimit(RLIMIT_NOFILE, &lim);
        if (lim.rlim_cur < 4096 && lim.rlim_max > lim.rlim_cur) {
            lim.rlim_cur = std::min<rlim_t>(lim.rlim_max, 4096);
            setrlimit(RLIMIT_NOFILE, &lim);
        }
    }

    void installsOnThread()
    {
        EpollThread t;
        QAbstractEventDispatcher *d = nullptr;
        t.run([&d] { d = QAbstractEventDispatcher::instance(); });
        QVERIFY(dynamic_cast<EpollEventDispatcher *>(d) != nullptr);
    }

    void echoManyMessages()
    {
        constexpr int kMessages = 3000;
        EpollThread t;
        std::atomic<int> echoed { 0 };
        std::atomic<bool> mismatch { false };
        t.run([&] {
            auto *holder = new QObject;
            t.own(holder);
            QTcpServer *server = startEchoServer(holder);
            auto *client = new QTcpSocket(holder);
            auto buffer = std::make_shared<QByteArray>();
            auto expected = std::make_shared<QByteArray>();
            auto sendNext = [client, expected, &echoed] {
                *expected = QByteArray("message-") + QByteArray::number(echoed.load()) + '\n';
                client->write(*expected);
            };
            QObject::connect(client, &QTcpSocket::connected, client, sendNext);
            QObject::connect(client, &QTcpSocket::readyRead, client,
                [client, buffer, expected, sendNext, &echoed, &mismatch] {
                    buffer->append(client->readAll());
                    if (buffer->size() < expected->size()) {
                        return;
                    }
                    if (*buffer != *expected) {
                        mismatch = true;
                        return;
                    }
                    buffer->clear();
                    if (++echoed < kMessages) {
                        sendNext();
                    }
                });
            client->connectToHost(QHostAddress::LocalHost, server->serverPort());
        });
        QTRY_VERIFY_WITH_TIMEOUT(echoed.load() == kMessages || mismatch.load(), 30000);
        QVERIFY(!mismatch.load());
        QCOMPARE(echoed.load(), kMessages);
    }

    void largeTransferUsesWriteNotifier()
    {
        // 8 MiB through loopback cannot be written at once: the buffered socket waits for
        // its write notifier, which shares the fd with the read notifier.
        constexpr qint64 kBytes = 8 * 1024 * 1024;
        EpollThread t;
        std::atomic<qint64> received { 0 };
        t.run([&] {
            auto *holder = new QObject;
            t.own(holder);
            QTcpServer *server = startEchoServer(holder);
            auto *client = new QTcpSocket(holder);
            QObject::connect(client, &QTcpSocket::connected, client,
                [client] { client->write(QByteArray(kBytes, 'z')); });
            QObject::connect(client, &QTcpSocket::readyRead, client,
                [client, &received] { received += client->readAll().size(); });
            client->connectToHost(QHostAddress::LocalHost, server->serverPort());
        });
        QTRY_COMPARE_WITH_TIMEOUT(received.load(), kBytes, 30000);
    }

    void timersFireInDeadlineOrder()
    {
        EpollThread t;
        QMutex mutex;
        QStringList order;
        std::atomic<bool> done { false };
        t.run([&] {
            auto note = [&](const QString &what) {
                QMutexLocker lock(&mutex);
                order << what;
            };
            QTimer::singleShot(60, t.context(), [&, note] {
                note(QStringLiteral("60ms"));
                done = true;
            });
            QTimer::singleShot(20, t.context(), [note] { note(QStringLiteral("20ms")); });
            QTimer::singleShot(0, t.context(), [note] { note(QStringLiteral("0ms")); });
            QTimer::singleShot(
                40, Qt::CoarseTimer, t.context(), [note] { note(QStringLiteral("40ms coarse")); });
        });
        QTRY_VERIFY_WITH_TIMEOUT(done.load(), 10000);
        QMutexLocker lock(&mutex);
        QCOMPARE(order,
            QStringList({ QStringLiteral("0ms"), QStringLiteral("20ms"),
                QStringLiteral("40ms coarse"), QStringLiteral("60ms") }));
    }

    void repeatingTimerAndStopFromAnotherSlot()
    {
        EpollThread t;
        std::atomic<int> ticks { 0 };
        std::atomic<int> victimFired { 0 };
        std::atomic<bool> sentinel { false };
        std::atomic<int> remainingSeen { -2 };
        std::atomic<int> registeredSeen { -1 };
        t.run([&] {
            auto *repeating = new QTimer;
            t.own(repeating);
            repeating->setTimerType(Qt::PreciseTimer);
            repeating->setInterval(5);
            QObject::connect(repeating, &QTimer::timeout, repeating, [repeating, &ticks] {
                if (++ticks == 10) {
                    repeating->stop();
                }
            });
            repeating->start();

            // Same interval, started later: the killer's deadline comes first, and it stops
            // the victim, whose deadline is due in the same turn more often than not.
            auto *killer = new QTimer;
            auto *victim = new QTimer;
            t.own(killer);
            t.own(victim);
            killer->setSingleShot(true);
            victim->setSingleShot(true);
            QObject::connect(killer, &QTimer::timeout, killer, [victim] { victim->stop(); });
            QObject::connect(victim, &QTimer::timeout, victim, [&victimFired] { ++victimFired; });
            killer->start(30);
            victim->start(30);

            auto *longTimer = new QTimer;
            t.own(longTimer);
            longTimer->start(100000);
            remainingSeen = longTimer->remainingTime();
            registeredSeen
                = int(QAbstractEventDispatcher::instance()->registeredTimers(longTimer).size());

            QTimer::singleShot(150, t.context(), [&sentinel] { sentinel = true; });
        });
        QTRY_VERIFY_WITH_TIMEOUT(sentinel.load(), 10000);
        QCOMPARE(ticks.load(), 10);
        QCOMPARE(victimFired.load(), 0);
        QVERIFY(remainingSeen.load() > 99000 && remainingSeen.load() <= 100000);
        QCOMPARE(registeredSeen.load(), 1);
    }

    void queuedCallsFromOtherThreadAndSelf()
    {
        constexpr int kCalls = 5000;
        EpollThread t;
        std::atomic<int> inOrder { 0 };
        std::atomic<bool> outOfOrder { false };
        for (int i = 0; i < kCalls; ++i) {
            QMetaObject::invokeMethod(
                t.context(),
                [i, &inOrder, &outOfOrder] {
                    if (inOrder.load() != i) {
                        outOfOrder = true;
                    }
                    ++inOrder;
                },
                Qt::QueuedConnection);
        }
        QTRY_COMPARE_WITH_TIMEOUT(inOrder.load(), kCalls, 10000);
        QVERIFY(!outOfOrder.load());

        // A chain in which each call posts the next one from the loop's own thread.
        std::atomic<int> chained { 0 };
        std::function<void()> step;
        step = [&] {
            if (++chained < kCalls) {
                QMetaObject::invokeMethod(t.context(), step, Qt::QueuedConnection);
            }
        };
        QMetaObject::invokeMethod(t.context(), step, Qt::QueuedConnection);
        QTRY_COMPARE_WITH_TIMEOUT(chained.load(), kCalls, 10000);
    }

    void socketDeletedInOwnReadyRead()
    {
        constexpr int kRounds = 50;
        EpollThread t;
        std::atomic<int> destroyed { 0 };
        std::atomic<int> replies { 0 };
        quint16 port = 0;
        t.run([&] {
            auto *holder = new QObject;
            t.own(holder);
            port = startEchoServer(holder)->serverPort();
        });
        // One after another, each socket deletes itself when its echo arrives.
        for (int round = 0; round < kRounds; ++round) {
            t.run([&] {
                auto *s = new QTcpSocket;
                QObject::connect(s, &QObject::destroyed, [&destroyed] { ++destroyed; });
                QObject::connect(s, &QTcpSocket::connected, s, [s] { s->write("bye\n"); });
                QObject::connect(s, &QTcpSocket::readyRead, s, [s, &replies] {
                    if (s->readAll() == "bye\n") {
                        ++replies;
                    }
                    s->deleteLater();
                });
                s->connectToHost(QHostAddress::LocalHost, port);
            });
            QTRY_COMPARE_WITH_TIMEOUT(destroyed.load(), round + 1, 10000);
        }
        QCOMPARE(replies.load(), kRounds);
    }

    void notifierDeletedWhileReadyListIsDelivered()
    {
        // Two readable sockets ready in the same turn; whichever fires first deletes the
        // other's notifier. The second must never be activated.
        EpollThread t;
        int fds[4] = { -1, -1, -1, -1 };
        QVERIFY(socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0);
        QVERIFY(socketpair(AF_UNIX, SOCK_STREAM, 0, fds + 2) == 0);
        std::atomic<int> activations { 0 };
        std::atomic<bool> sentinel { false };
        std::atomic<bool> written { false };
        t.run([&] {
            // Children of the holder: whichever is deleted leaves the holder's list.
            auto *holder = new QObject;
            t.own(holder);
            auto *a = new QSocketNotifier(fds[0], QSocketNotifier::Read, holder);
            auto *b = new QSocketNotifier(fds[2], QSocketNotifier::Read, holder);
            QPointer<QSocketNotifier> pa(a);
            QPointer<QSocketNotifier> pb(b);
            QObject::connect(a, &QSocketNotifier::activated, a, [a, pb, &activations] {
                ++activations;
                delete pb.data();
                a->setEnabled(false);
            });
            QObject::connect(b, &QSocketNotifier::activated, b, [b, pa, &activations] {
                ++activations;
                delete pa.data();
                b->setEnabled(false);
            });
            // Both become readable before the loop's next wait.
            written = ::write(fds[1], "x", 1) == 1 && ::write(fds[3], "y", 1) == 1;
            QTimer::singleShot(100, t.context(), [&sentinel] { sentinel = true; });
        });
        QVERIFY(written.load());
        QTRY_VERIFY_WITH_TIMEOUT(sentinel.load(), 10000);
        QCOMPARE(activations.load(), 1);
        t.run([] {});
        for (int fd : fds) {
            ::close(fd);
        }
    }

    void readAndWriteNotifiersShareOneFd()
    {
        // Ping-pong over a socketpair: side A toggles its Write notifier on and off while
        // its Read notifier stays registered on the same fd.
        constexpr int kRounds = 200;
        EpollThread t;
        int fds[2] = { -1, -1 };
        QVERIFY(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds) == 0);
        std::atomic<int> rounds { 0 };
        std::atomic<bool> badByte { false };
        t.run([&] {
            auto *aRead = new QSocketNotifier(fds[0], QSocketNotifier::Read);
            auto *aWrite = new QSocketNotifier(fds[0], QSocketNotifier::Write);
            auto *bRead = new QSocketNotifier(fds[1], QSocketNotifier::Read);
            t.own(aRead);
            t.own(aWrite);
            t.own(bRead);
            const int a = fds[0];
            const int b = fds[1];
            QObject::connect(aWrite, &QSocketNotifier::activated, aWrite, [a, aWrite] {
                aWrite->setEnabled(false);
                (void)::write(a, "p", 1);
            });
            QObject::connect(bRead, &QSocketNotifier::activated, bRead, [b, &badByte] {
                char c = 0;
                if (::read(b, &c, 1) == 1) {
                    badByte = badByte || c != 'p';
                    (void)::write(b, "q", 1);
                }
            });
            QObject::connect(
                aRead, &QSocketNotifier::activated, aRead, [a, aWrite, &rounds, &badByte] {
                    char c = 0;
                    if (::read(a, &c, 1) == 1) {
                        badByte = badByte || c != 'q';
                        if (++rounds < kRounds) {
                            aWrite->setEnabled(true);
                        }
                    }
                });
        });
        QTRY_COMPARE_WITH_TIMEOUT(rounds.load(), kRounds, 10000);
        QVERIFY(!badByte.load());
        t.run([] {});
        ::close(fds[0]);
        ::close(fds[1]);
    }

    void fiveHundredSockets()
    {
        constexpr int kSockets = 500;
        EpollThread t;
        std::atomic<int> answered { 0 };
        std::atomic<int> wrong { 0 };
        t.run([&] {
            auto *holder = new QObject;
            t.own(holder);
            QTcpServer *server = startEchoServer(holder);
            server->setMaxPendingConnections(kSockets);
            for (int i = 0; i < kSockets; ++i) {
                auto *s = new QTcpSocket(holder);
                const QByteArray msg = "socket " + QByteArray::number(i) + '\n';
                auto got = std::make_shared<QByteArray>();
                QObject::connect(s, &QTcpSocket::connected, s, [s, msg] { s->write(msg); });
                QObject::connect(s, &QTcpSocket::readyRead, s, [s, msg, got, &answered, &wrong] {
                    got->append(s->readAll());
                    if (got->size() >= msg.size()) {
                        if (*got == msg) {
                            ++answered;
                        } else {
                            ++wrong;
                        }
                        s->close();
                    }
                });
                s->connectToHost(QHostAddress::LocalHost, server->serverPort());
            }
        });
        QTRY_COMPARE_WITH_TIMEOUT(answered.load() + wrong.load(), kSockets, 30000);
        QCOMPARE(wrong.load(), 0);
    }

    void nestedLoopQuitsAndThreadStops()
    {
        EpollThread t;
        std::atomic<int> nestedReturned { 0 };
        QMetaObject::invokeMethod(
            t.context(),
            [&nestedReturned] {
                QEventLoop loop;
                QTimer::singleShot(20, &loop, &QEventLoop::quit);
                loop.exec();
                ++nestedReturned;
            },
            Qt::QueuedConnection);
        QTRY_COMPARE_WITH_TIMEOUT(nestedReturned.load(), 1, 10000);
        // ~EpollThread quits the loop from this thread: interrupt() must end the wait.
    }
};

QTEST_GUILESS_MAIN(TestEpollDispatcher)
#include "tst_epoll_dispatcher.moc"
