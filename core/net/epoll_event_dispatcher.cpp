#include "epoll_event_dispatcher.h"

#include <QCoreApplication>
#include <QSocketNotifier>
#include <QTimerEvent>
#include <QtDebug>
#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace poolscope {

namespace {

// epoll data for the wake-up eventfd; socket registrations carry (epoch << 32) | fd, and
// an fd never reaches 2^32 - 1.
constexpr std::uint64_t kWakeTag = ~std::uint64_t { 0 };
constexpr int kMaxEvents = 256; // level-triggered: whatever does not fit comes next turn
constexpr qint64 kNsPerMs = 1'000'000;
// Longer intervals (decades) are clamped so that deadlines in nanoseconds cannot overflow.
constexpr qint64 kMaxIntervalMs = qint64(1) << 40;

qint64 monotonicNs()
{
    timespec ts {};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return qint64(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

constexpr std::uint32_t kTypeEvents[3] = { EPOLLIN, EPOLLOUT, EPOLLPRI };
// Which readiness activates which notifier type. Errors and hang-ups wake both readers and
// writers, as poll() reports them to whoever asked, so the socket code sees the failure.
constexpr std::uint32_t kTypeTriggers[3] = {
    EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR,
    EPOLLOUT | EPOLLHUP | EPOLLERR,
    EPOLLPRI,
};

} // namespace

EpollEventDispatcher::EpollEventDispatcher(QObject *parent) : QAbstractEventDispatcher(parent)
{
    m_epollFd = epoll_create1(EPOLL_CLOEXEC);
    m_wakeFd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (m_epollFd < 0 || m_wakeFd < 0) {
        // Without these the thread has no event loop at all; there is nothing to fall back to.
        qFatal("EpollEventDispatcher: cannot create epoll/eventfd: %s", std::strerror(errno));
    }
    epoll_event ev {};
    ev.events = EPOLLIN;
    ev.data.u64 = kWakeTag;
    if (epoll_ctl(m_epollFd, EPOLL_CTL_ADD, m_wakeFd, &ev) != 0) {
        qFatal("EpollEventDispatcher: cannot watch the eventfd: %s", std::strerror(errno));
    }
}

EpollEventDispatcher::~EpollEventDispatcher()
{
    ::close(m_wakeFd);
    ::close(m_epollFd);
}

std::uint32_t EpollEventDispatcher::wantedEvents(const FdEntry &entry)
{
    std::uint32_t mask = 0;
    for (int type = 0; type < 3; ++type) {
        if (entry.notifiers[type] != nullptr) {
            mask |= kTypeEvents[type];
        }
    }
    return mask;
}

void EpollEventDispatcher::markDirty(int fd)
{
    FdEntry &entry = m_fds[std::size_t(fd)];
    if (!entry.dirty) {
        entry.dirty = true;
        m_dirtyFds.push_back(fd);
    }
}

void EpollEventDispatcher::registerSocketNotifier(QSocketNotifier *notifier)
{
    const qintptr fd = notifier->socket();
    const int type = int(notifier->type());
    if (fd < 0 || fd >= qintptr(0x7fffffff) || type < 0 || type > 2) {
        qWarning("EpollEventDispatcher: cannot watch socket %lld", qlonglong(fd));
        return;
    }
    if (std::size_t(fd) >= m_fds.size()) {
        m_fds.resize(std::size_t(fd) + 1);
    }
    FdEntry &entry = m_fds[std::size_t(fd)];
    if (entry.notifiers[type] != nullptr && entry.notifiers[type] != notifier) {
        qWarning("EpollEventDispatcher: a second notifier of the same type for socket %lld "
                 "replaces the first",
            qlonglong(fd));
    }
    if (wantedEvents(entry) == 0) {
        // Possibly a new socket that reuses the number: events already read for the old one
        // carry the old epoch and are dropped.
        ++entry.epoch;
    }
    entry.notifiers[type] = notifier;
    markDirty(int(fd));
}

void EpollEventDispatcher::unregisterSocketNotifier(QSocketNotifier *notifier)
{
    const qintptr fd = notifier->socket();
    const int type = int(notifier->type());
    if (fd < 0 || std::size_t(fd) >= m_fds.size() || type < 0 || type > 2) {
        return;
    }
    FdEntry &entry = m_fds[std::size_t(fd)];
    if (entry.notifiers[type] != notifier) {
        return;
    }
    entry.notifiers[type] = nullptr;
    markDirty(int(fd));
}

void EpollEventDispatcher::applyChanges()
{
    for (const int fd : m_dirtyFds) {
        FdEntry &entry = m_fds[std::size_t(fd)];
        entry.dirty = false;
        const std::uint32_t want = wantedEvents(entry);
        if (entry.alwaysReady) {
            if (want == 0) {
                entry.alwaysReady = false;
                m_alwaysReadyFds.erase(
                    std::find(m_alwaysReadyFds.begin(), m_alwaysReadyFds.end(), fd));
            }
            continue;
        }
        if (want == 0) {
            if (entry.kernelMask != 0) {
                // Fails harmlessly when the socket was closed first: the kernel dropped it.
                epoll_ctl(m_epollFd, EPOLL_CTL_DEL, fd, nullptr);
                entry.kernelMask = 0;
            }
            continue;
        }
        if (want == entry.kernelMask && entry.epoch == entry.kernelEpoch) {
            continue; // enabled and disabled again within one turn
        }
        epoll_event ev {};
        ev.events = want;
        ev.data.u64 = (std::uint64_t(entry.epoch) << 32) | std::uint32_t(fd);
        int op = entry.kernelMask == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
        int rc = epoll_ctl(m_epollFd, op, fd, &ev);
        if (rc != 0 && op == EPOLL_CTL_MOD && errno == ENOENT) {
            // The old socket with this number was closed (and dropped by the kernel).
            op = EPOLL_CTL_ADD;
            rc = epoll_ctl(m_epollFd, op, fd, &ev);
        } else if (rc != 0 && op == EPOLL_CTL_ADD && errno == EEXIST) {
            op = EPOLL_CTL_MOD;
            rc = epoll_ctl(m_epollFd, op, fd, &ev);
        }
        if (rc == 0) {
            entry.kernelMask = want;
            entry.kernelEpoch = entry.epoch;
        } else if (errno == EPERM) {
            // Regular files cannot be in an epoll set; poll() calls them always ready.
            entry.kernelMask = 0;
            entry.alwaysReady = true;
            m_alwaysReadyFds.push_back(fd);
        } else {
            entry.kernelMask = 0;
            qWarning("EpollEventDispatcher: cannot watch socket %d: %s", fd, std::strerror(errno));
        }
    }
    m_dirtyFds.clear();
}

int EpollEventDispatcher::activateNotifier(int fd, std::uint32_t epoch, int type)
{
    // Re-read everything: the previous activation may have unregistered or deleted this
    // notifier, or closed the socket and let another one take its number.
    if (std::size_t(fd) >= m_fds.size()) {
        return 0;
    }
    const FdEntry &entry = m_fds[std::size_t(fd)];
    QSocketNotifier *notifier = entry.notifiers[type];
    if (entry.epoch != epoch || notifier == nullptr) {
        return 0;
    }
    QEvent event(QEvent::SockAct);
    QCoreApplication::sendEvent(notifier, &event);
    return 1;
}

int EpollEventDispatcher::dispatchReady(const void *eventsPtr, int count, bool includeSockets)
{
    const auto *events = static_cast<const epoll_event *>(eventsPtr);
    int processed = 0;
    for (int i = 0; i < count; ++i) {
        const std::uint64_t data = events[i].data.u64;
        if (data == kWakeTag) {
            std::uint64_t value = 0;
            while (::read(m_wakeFd, &value, sizeof value) < 0 && errno == EINTR) { }
            // Cleared after the read: a wakeUp() racing with us may be skipped, but its
            // posted event is sent at the start of the next processEvents() anyway.
            m_wakeUpPending.storeRelease(0);
            ++processed;
            continue;
        }
        if (!includeSockets) {
            continue;
        }
        const int fd = int(data & 0xffffffffu);
        const auto epoch = std::uint32_t(data >> 32);
        const std::uint32_t happened = events[i].events;
        for (int type = 0; type < 3; ++type) {
            if ((happened & kTypeTriggers[type]) != 0) {
                processed += activateNotifier(fd, epoch, type);
            }
        }
        if (m_interrupted.loadAcquire() != 0) {
            break; // level-triggered: the rest is reported again next time
        }
    }
    if (includeSockets && !m_alwaysReadyFds.empty() && m_interrupted.loadAcquire() == 0) {
        const std::vector<int> ready = m_alwaysReadyFds; // activations may change the list
        for (const int fd : ready) {
            const std::uint32_t epoch = m_fds[std::size_t(fd)].epoch;
            processed += activateNotifier(fd, epoch, 0);
            processed += activateNotifier(fd, epoch, 1);
        }
    }
    return processed;
}

bool EpollEventDispatcher::processEvents(QEventLoop::ProcessEventsFlags flags)
{
    m_interrupted.storeRelease(0);
    QCoreApplication::sendPostedEvents();

    const bool includeSockets = !flags.testFlag(QEventLoop::ExcludeSocketNotifiers);
    const bool includeTimers = !flags.testFlag(QEventLoop::X11ExcludeTimers);
    applyChanges();

    qint64 timeoutNs = 0;
    if (flags.testFlag(QEventLoop::WaitForMoreEvents) && m_interrupted.loadAcquire() == 0
        && !(includeSockets && !m_alwaysReadyFds.empty())) {
        timeoutNs = includeTimers ? nsUntilNextTimer() : -1;
    }
    const bool blocks = timeoutNs != 0;
    if (blocks) {
        Q_EMIT aboutToBlock();
    }
    timespec ts {};
    if (timeoutNs > 0) {
        ts.tv_sec = time_t(timeoutNs / 1'000'000'000);
        ts.tv_nsec = long(timeoutNs % 1'000'000'000);
    }
    const timespec *timeout = timeoutNs < 0 ? nullptr : &ts;

    std::array<epoll_event, kMaxEvents> events;
    int count = 0;
    if (includeSockets) {
        count = epoll_pwait2(m_epollFd, events.data(), kMaxEvents, timeout, nullptr);
    } else {
        // Sockets excluded: wait for a wake-up or the next timer only.
        pollfd pfd { m_wakeFd, POLLIN, 0 };
        count = ppoll(&pfd, 1, timeout, nullptr);
        if (count > 0) {
            events[0].events = EPOLLIN;
            events[0].data.u64 = kWakeTag;
            count = 1;
        }
    }
    if (count < 0) {
        if (errno != EINTR) {
            qWarning("EpollEventDispatcher: wait failed: %s", std::strerror(errno));
        }
        count = 0;
    }
    if (blocks) {
        Q_EMIT awake();
    }

    int processed = dispatchReady(events.data(), count, includeSockets);
    if (includeTimers && m_interrupted.loadAcquire() == 0) {
        processed += activateTimers();
    }
    return processed > 0;
}

void EpollEventDispatcher::wakeUp()
{
    // One write per loop turn at most: posting from the engine thread itself is frequent.
    if (m_wakeUpPending.testAndSetAcquire(0, 1)) {
        const std::uint64_t one = 1;
        while (::write(m_wakeFd, &one, sizeof one) < 0 && errno == EINTR) { }
    }
}

void EpollEventDispatcher::interrupt()
{
    m_interrupted.storeRelease(1);
    wakeUp();
}

// ---- timers ----

bool EpollEventDispatcher::heapLess(std::size_t a, std::size_t b) const
{
    const Timer *x = m_heap[a];
    const Timer *y = m_heap[b];
    return x->deadlineNs < y->deadlineNs
        || (x->deadlineNs == y->deadlineNs && x->sequence < y->sequence);
}

void EpollEventDispatcher::heapSwap(std::size_t a, std::size_t b)
{
    std::swap(m_heap[a], m_heap[b]);
    m_heap[a]->heapIndex = a;
    m_heap[b]->heapIndex = b;
}

void EpollEventDispatcher::heapUp(std::size_t i)
{
    while (i > 0) {
        const std::size_t parent = (i - 1) / 2;
        if (!heapLess(i, parent)) {
            return;
        }
        heapSwap(i, parent);
        i = parent;
    }
}

void EpollEventDispatcher::heapDown(std::size_t i)
{
    const std::size_t n = m_heap.size();
    for (;;) {
        const std::size_t left = 2 * i + 1;
        if (left >= n) {
            return;
        }
        std::size_t child = left;
        if (left + 1 < n && heapLess(left + 1, left)) {
            child = left + 1;
        }
        if (!heapLess(child, i)) {
            return;
        }
        heapSwap(i, child);
        i = child;
    }
}

void EpollEventDispatcher::heapPush(Timer *t)
{
    t->heapIndex = m_heap.size();
    m_heap.push_back(t);
    heapUp(t->heapIndex);
}

void EpollEventDispatcher::heapRemove(Timer *t)
{
    const std::size_t i = t->heapIndex;
    const std::size_t last = m_heap.size() - 1;
    if (i != last) {
        heapSwap(i, last);
    }
    m_heap.pop_back();
    if (i < m_heap.size()) {
        heapFix(m_heap[i]);
    }
}

void EpollEventDispatcher::heapFix(Timer *t)
{
    heapUp(t->heapIndex);
    heapDown(t->heapIndex);
}

void EpollEventDispatcher::registerTimer(
    int timerId, qint64 interval, Qt::TimerType timerType, QObject *object)
{
    if (timerId < 1 || interval < 0 || object == nullptr) {
        qWarning("EpollEventDispatcher: invalid timer (id %d, interval %lld)", timerId,
            qlonglong(interval));
        return;
    }
    if (m_timers.count(timerId) != 0) {
        unregisterTimer(timerId);
    }
    Timer &t = m_timers[timerId];
    t.id = timerId;
    t.intervalMs = std::min(interval, kMaxIntervalMs);
    t.type = timerType;
    t.object = object;
    t.deadlineNs = monotonicNs() + t.intervalMs * kNsPerMs;
    t.sequence = ++m_timerSequence;
    heapPush(&t);
}

bool EpollEventDispatcher::unregisterTimer(int timerId)
{
    const auto it = m_timers.find(timerId);
    if (it == m_timers.end()) {
        return false;
    }
    heapRemove(&it->second);
    m_timers.erase(it);
    return true;
}

bool EpollEventDispatcher::unregisterTimers(QObject *object)
{
    bool any = false;
    for (auto it = m_timers.begin(); it != m_timers.end();) {
        if (it->second.object == object) {
            heapRemove(&it->second);
            it = m_timers.erase(it);
            any = true;
        } else {
            ++it;
        }
    }
    return any;
}

QList<QAbstractEventDispatcher::TimerInfo> EpollEventDispatcher::registeredTimers(
    QObject *object) const
{
    QList<TimerInfo> out;
    for (const auto &[id, t] : m_timers) {
        if (t.object == object) {
            out.append(TimerInfo(id, int(std::min<qint64>(t.intervalMs, 0x7fffffff)), t.type));
        }
    }
    return out;
}

int EpollEventDispatcher::remainingTime(int timerId)
{
    const auto it = m_timers.find(timerId);
    if (it == m_timers.end()) {
        return -1;
    }
    const qint64 left = it->second.deadlineNs - monotonicNs();
    if (left <= 0) {
        return 0;
    }
    return int(std::min<qint64>((left + kNsPerMs - 1) / kNsPerMs, 0x7fffffff));
}

qint64 EpollEventDispatcher::nsUntilNextTimer() const
{
    if (m_heap.empty()) {
        return -1;
    }
    return std::max<qint64>(m_heap.front()->deadlineNs - monotonicNs(), 0);
}

int EpollEventDispatcher::activateTimers()
{
    if (m_heap.empty()) {
        return 0;
    }
    const qint64 now = monotonicNs();
    int fired = 0;
    // Every due timer is moved past `now` before its event is sent, so the loop ends and
    // each timer fires at most once here, zero-interval ones included.
    while (!m_heap.empty() && m_heap.front()->deadlineNs <= now) {
        Timer *t = m_heap.front();
        const qint64 intervalNs = t->intervalMs * kNsPerMs;
        qint64 next = t->deadlineNs + intervalNs;
        if (next <= now) {
            next = now + std::max<qint64>(intervalNs, 1); // missed periods are not replayed
        }
        t->deadlineNs = next;
        t->sequence = ++m_timerSequence;
        heapDown(0);
        if (t->delivering) {
            continue; // a nested loop inside this timer's own handler
        }
        const int id = t->id;
        t->delivering = true;
        QTimerEvent event(id);
        QCoreApplication::sendEvent(t->object, &event);
        ++fired;
        // The handler may have stopped this timer, deleted its object or registered others.
        const auto it = m_timers.find(id);
        if (it != m_timers.end()) {
            it->second.delivering = false;
        }
        if (m_interrupted.loadAcquire() != 0) {
            break;
        }
    }
    return fired;
}

} // namespace poolscope
