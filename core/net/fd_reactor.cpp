#include "fd_reactor.h"

#include <QObject>
#include <QSocketNotifier>
#include <QThread>
#include <QTimer>
#include <array>
#include <cerrno>
#include <sys/epoll.h>
#include <unistd.h>

namespace poolscope {

namespace {
thread_local FdReactor *t_reactor = nullptr;
} // namespace

FdReactor *FdReactor::acquire()
{
    if (t_reactor == nullptr) {
        t_reactor = new FdReactor;
    }
    ++t_reactor->m_users;
    return t_reactor;
}

void FdReactor::release()
{
    if (--m_users == 0 && m_threadDone) {
        delete this;
    }
}

FdReactor::FdReactor() : m_timer(std::make_unique<QTimer>())
{
    m_timer->setSingleShot(true);
    m_timer->setTimerType(Qt::PreciseTimer);
    QObject::connect(m_timer.get(), &QTimer::timeout, m_timer.get(), [this] { onTimer(); });
    // A QThread's objects go when it finishes (the engine is deleteLater'd then): the
    // reactor stays until the last connection released it.
    if (QThread *t = QThread::currentThread(); t != nullptr) {
        QObject::connect(
            t, &QThread::finished, m_timer.get(), [this] { threadFinished(); },
            Qt::DirectConnection);
    }
}

FdReactor::~FdReactor()
{
    m_notifier.reset();
    if (m_epollFd >= 0) {
        ::close(m_epollFd);
    }
}

void FdReactor::threadFinished()
{
    if (t_reactor == this) {
        t_reactor = nullptr;
    }
    m_threadDone = true;
    if (m_users == 0) {
        delete this;
    }
}

bool FdReactor::ensureEpoll()
{
    if (m_epollFd >= 0) {
        return true;
    }
    // Made on the first dial rather than per thread at start: a failure (EMFILE) is that
    // dial's error, and the next dial tries again.
    m_epollFd = ::epoll_create1(EPOLL_CLOEXEC);
    if (m_epollFd < 0) {
        return false;
    }
    m_notifier = std::make_unique<QSocketNotifier>(m_epollFd, QSocketNotifier::Read);
    QObject::connect(m_notifier.get(), &QSocketNotifier::activated, m_notifier.get(),
        [this] { onEpollReadable(); });
    return true;
}

int FdReactor::watch(int fd, std::uint32_t events, ReactorClient &client)
{
    if (!ensureEpoll()) {
        return -errno;
    }
    std::uint32_t index = 0;
    if (!m_freeSlots.empty()) {
        index = m_freeSlots.back();
        m_freeSlots.pop_back();
    } else {
        index = static_cast<std::uint32_t>(m_slots.size());
        m_slots.emplace_back();
    }
    Slot &s = m_slots[index];
    epoll_event e {};
    e.events = events;
    e.data.u64 = (std::uint64_t { s.generation } << 32) | index;
    if (::epoll_ctl(m_epollFd, EPOLL_CTL_ADD, fd, &e) != 0) {
        const int err = errno;
        m_freeSlots.push_back(index);
        return -err;
    }
    s.client = &client;
    return static_cast<int>(index);
}

void FdReactor::forget(int handle)
{
    Slot &s = m_slots[static_cast<std::size_t>(handle)];
    s.client = nullptr;
    ++s.generation; // events of this batch for the old descriptor no longer match
    m_freeSlots.push_back(static_cast<std::uint32_t>(handle));
}

void FdReactor::onEpollReadable()
{
    // What a bounded batch leaves keeps the epoll descriptor readable: the next turn.
    std::array<epoll_event, 128> events;
    const int n = ::epoll_wait(m_epollFd, events.data(), static_cast<int>(events.size()), 0);
    for (int i = 0; i < n; ++i) {
        const std::uint64_t data = events[static_cast<std::size_t>(i)].data.u64;
        const auto index = static_cast<std::uint32_t>(data);
        const auto generation = static_cast<std::uint32_t>(data >> 32);
        if (index >= m_slots.size()) {
            continue;
        }
        const Slot &s = m_slots[index];
        if (s.client != nullptr && s.generation == generation) {
            s.client->onFdReady(events[static_cast<std::size_t>(i)].events);
        }
    }
}

void FdReactor::arm(Deadline &d, TimePoint when)
{
    disarm(d);
    d.m_it = m_deadlines.emplace(when, &d);
    d.m_armed = true;
    if (when < m_timerAt) {
        startTimer(std::chrono::steady_clock::now());
    }
}

void FdReactor::disarm(Deadline &d)
{
    if (d.m_armed) {
        m_deadlines.erase(d.m_it);
        d.m_armed = false;
    }
    // The timer stays armed for an earlier deadline that went: it finds nothing due and
    // re-arms for the next one (cheaper than re-arming on every disarm).
}

void FdReactor::startTimer(TimePoint now)
{
    if (m_deadlines.empty()) {
        m_timer->stop();
        m_timerAt = TimePoint::max();
        return;
    }
    m_timerAt = m_deadlines.begin()->first;
    const auto wait = std::chrono::ceil<std::chrono::milliseconds>(
        std::max(TimePoint::duration::zero(), m_timerAt - now));
    // Qt 6.4 takes int milliseconds: a later deadline is re-armed when this one fires.
    m_timer->start(std::min(wait, std::chrono::milliseconds(24L * 3600 * 1000)));
}

void FdReactor::onTimer()
{
    m_timerAt = TimePoint::max();
    const TimePoint now = std::chrono::steady_clock::now();
    // One at a time from the front: a callback may disarm or destroy any other client.
    while (!m_deadlines.empty() && m_deadlines.begin()->first <= now) {
        Deadline *d = m_deadlines.begin()->second;
        m_deadlines.erase(m_deadlines.begin());
        d->m_armed = false;
        d->m_client->onDeadline();
    }
    if (m_timerAt == TimePoint::max()) { // a callback may have armed one already
        startTimer(now);
    }
}

} // namespace poolscope
