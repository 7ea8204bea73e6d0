#pragma once

#include <QAbstractEventDispatcher>
#include <QAtomicInt>
#include <cstdint>
#include <unordered_map>
#include <vector>

class QSocketNotifier;

namespace poolscope {

// An event dispatcher for the engine thread built on one level-triggered epoll set.
//
// Why: Qt's UNIX dispatcher rebuilds a pollfd array and ppoll()s every socket on each
// wake-up, which costs about a quarter of the engine thread with 64 busy connections (see
// bench/README.md, "Profile of the engine"). Here the kernel keeps the interest list and a
// wake-up only reports the sockets that are ready.
//
// Socket notifiers: the Read, Write and Exception notifiers of one fd share a single epoll
// registration. Changes are recorded and applied in one batch just before the next wait, so
// a write notifier enabled and disabled again within one loop turn (a QAbstractSocket write
// that got flushed) costs no system call. Every activation re-checks that the notifier is
// still registered, because a slot may unregister or delete any notifier (and a new socket
// may reuse the fd) while the ready list of the current turn is being delivered.
//
// Timers: a binary min-heap keyed by (deadline in CLOCK_MONOTONIC nanoseconds, sequence),
// with each timer knowing its heap slot so that stopping one is O(log n) and leaves nothing
// behind. A timer is rescheduled before its QTimerEvent is sent, fires at most once per
// processEvents() and is not re-entered while its own event is being delivered. All timer
// types are treated as Qt::PreciseTimer.
//
// Posted events: sent at the start of every processEvents(); QCoreApplication::postEvent()
// calls wakeUp(), which writes to an eventfd that is part of the epoll set, at most once
// until the loop has noticed it.
//
// Only used for the engine thread, and only when POOLSCOPE_EPOLL=1 (EngineController).
class EpollEventDispatcher final : public QAbstractEventDispatcher
{
public:
    explicit EpollEventDispatcher(QObject *parent = nullptr);
    ~EpollEventDispatcher() override;
    Q_DISABLE_COPY_MOVE(EpollEventDispatcher)

    bool processEvents(QEventLoop::ProcessEventsFlags flags) override;

    void registerSocketNotifier(QSocketNotifier *notifier) override;
    void unregisterSocketNotifier(QSocketNotifier *notifier) override;

    void registerTimer(
        int timerId, qint64 interval, Qt::TimerType timerType, QObject *object) override;
    bool unregisterTimer(int timerId) override;
    bool unregisterTimers(QObject *object) override;
    QList<TimerInfo> registeredTimers(QObject *object) const override;
    int remainingTime(int timerId) override;

    void wakeUp() override;
    void interrupt() override;

private:
    // One per file descriptor that has (or recently had) a notifier; indexed by fd.
    struct FdEntry
    {
        QSocketNotifier *notifiers[3] = { nullptr, nullptr, nullptr }; // Read, Write, Exception
        std::uint32_t epoch = 0; // bumped when the fd gets notifiers again after having none
        std::uint32_t kernelEpoch = 0; // epoch carried by the kernel's registration
        std::uint32_t kernelMask = 0; // events registered in the kernel, 0 = not registered
        bool dirty = false; // queued in m_dirtyFds
        bool alwaysReady = false; // epoll refused the fd (regular file): poll says "ready"
    };

    struct Timer
    {
        int id = 0;
        qint64 intervalMs = 0;
        Qt::TimerType type = Qt::PreciseTimer;
        QObject *object = nullptr;
        qint64 deadlineNs = 0;
        quint64 sequence = 0; // breaks deadline ties in registration order
        std::size_t heapIndex = 0;
        bool delivering = false; // its QTimerEvent is on the stack right now
    };

    [[nodiscard]] static std::uint32_t wantedEvents(const FdEntry &entry);
    void markDirty(int fd);
    void applyChanges();
    int dispatchReady(const void *events, int count, bool includeSockets);
    int activateNotifier(int fd, std::uint32_t epoch, int type);
    int activateTimers();
    [[nodiscard]] qint64 nsUntilNextTimer() const;

    [[nodiscard]] bool heapLess(std::size_t a, std::size_t b) const;
    void heapSwap(std::size_t a, std::size_t b);
    void heapUp(std::size_t i);
    void heapDown(std::size_t i);
    void heapPush(Timer *t);
    void heapRemove(Timer *t);
    void heapFix(Timer *t);

    int m_epollFd = -1;
    int m_wakeFd = -1;
    QAtomicInt m_wakeUpPending = 0;
    QAtomicInt m_interrupted = 0;

    std::vector<FdEntry> m_fds;
    std::vector<int> m_dirtyFds;
    std::vector<int> m_alwaysReadyFds;

    std::unordered_map<int, Timer> m_timers; // node-based: Timer addresses are stable
    std::vector<Timer *> m_heap;
    quint64 m_timerSequence = 0;
};

} // namespace poolscope
