#include "wake_queue.h"

#include <QSocketNotifier>
#include <QTimer>
#include <cerrno>
#include <cstdint>
#include <sys/prctl.h>
#include <sys/timerfd.h>
#include <unistd.h>

namespace poolscope {

WakeQueue::WakeQueue(const Clock &clock, Handler handler, QObject *parent)
    : QObject(parent), m_clock(clock), m_handler(std::move(handler))
{
    m_fd = ::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (m_fd >= 0) {
        m_notifier = new QSocketNotifier(m_fd, QSocketNotifier::Read, this);
        connect(m_notifier, &QSocketNotifier::activated, this, [this] {
            std::uint64_t expirations = 0;
            while (::read(m_fd, &expirations, sizeof expirations) < 0 && errno == EINTR) { }
            m_armedFor = TimePoint { -1 };
            fire();
        });
    } else {
        m_fallback = new QTimer(this);
        m_fallback->setSingleShot(true);
        m_fallback->setTimerType(Qt::PreciseTimer);
        connect(m_fallback, &QTimer::timeout, this, [this] {
            m_armedFor = TimePoint { -1 };
            fire();
        });
    }
}

WakeQueue::~WakeQueue()
{
    delete m_notifier;
    m_notifier = nullptr;
    if (m_fd >= 0) {
        ::close(m_fd);
    }
}

void WakeQueue::schedule(int key, TimePoint due)
{
    if (key < 0) {
        return;
    }
    const auto k = static_cast<std::size_t>(key);
    if (k >= m_current.size()) {
        m_current.resize(k + 1, 0);
    }
    if (m_current[k] == 0) {
        ++m_live;
    }
    const std::uint64_t generation = m_nextGeneration++;
    m_current[k] = generation;
    m_heap.push(Entry { due, key, generation });
    compact();
    if (!m_firing) {
        rearm();
    }
}

void WakeQueue::cancel(int key)
{
    const auto k = static_cast<std::size_t>(key);
    if (key < 0 || k >= m_current.size() || m_current[k] == 0) {
        return;
    }
    m_current[k] = 0;
    --m_live;
    compact();
    if (!m_firing) {
        rearm();
    }
}

void WakeQueue::clear()
{
    m_heap = {};
    m_current.clear();
    m_live = 0;
    if (!m_firing) {
        rearm();
    }
}

Duration WakeQueue::timerSlack()
{
    static const Duration slack = [] {
        const int ns = ::prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
        return Duration(ns > 0 ? ns : 50'000);
    }();
    return slack;
}

Duration WakeQueue::waitFor(TimerModel model, Duration delay)
{
    constexpr Duration kMs = std::chrono::milliseconds(1);
    if (delay <= Duration::zero()) {
        return Duration(1); // overdue: Go runs due timers before it polls; 0 would disarm
    }
    if (model == TimerModel::Precise) {
        return delay;
    }
    // runtime.netpoll: waitms = 1 below 1 ms, else delay / 1e6 truncated. A wake-up
    // before the deadline finds nothing due and waits again, as Go's scheduler does.
    // epoll_wait's timeout also gets the thread's timer slack (50 us by default),
    // which a timerfd does not: an idle Go runtime's time.Sleep(1ms) takes ~1.08 ms.
    return saturatingAdd(delay < kMs ? kMs : (delay / kMs) * kMs, timerSlack());
}

void WakeQueue::setModel(TimerModel model)
{
    if (model == m_model) {
        return;
    }
    m_model = model;
    m_armedFor = TimePoint { -1 };
    if (!m_firing) {
        rearm();
    }
}

bool WakeQueue::isScheduled(int key) const
{
    const auto k = static_cast<std::size_t>(key);
    return key >= 0 && k < m_current.size() && m_current[k] != 0;
}

void WakeQueue::fire()
{
    // Everything due now wakes in deadline order; a handler may schedule again
    // (a worker's next think), which lands in the heap and is armed afterwards.
    m_firing = true;
    const TimePoint now = m_clock.now();
    while (!m_heap.empty()) {
        const Entry top = m_heap.top();
        const auto k = static_cast<std::size_t>(top.key);
        if (k >= m_current.size() || m_current[k] != top.generation) {
            m_heap.pop(); // replaced or cancelled
            continue;
        }
        if (top.due > now) {
            break;
        }
        m_heap.pop();
        m_current[k] = 0;
        --m_live;
        m_handler(top.key);
    }
    m_firing = false;
    rearm();
}

void WakeQueue::rearm()
{
    while (!m_heap.empty()) {
        const Entry &top = m_heap.top();
        const auto k = static_cast<std::size_t>(top.key);
        if (k < m_current.size() && m_current[k] == top.generation) {
            break;
        }
        m_heap.pop();
    }
    if (m_heap.empty()) {
        if (m_armedFor != TimePoint { -1 }) {
            m_armedFor = TimePoint { -1 };
            if (m_fd >= 0) {
                const itimerspec off {};
                ::timerfd_settime(m_fd, 0, &off, nullptr);
            } else {
                m_fallback->stop();
            }
        }
        return;
    }
    const TimePoint due = m_heap.top().due;
    if (due == m_armedFor) {
        return;
    }
    m_armedFor = due;
    // Relative arming: the engine's clock counts from run start, not from boot.
    const Duration waitTime = waitFor(m_model, saturatingSub(due, m_clock.now()));
    const std::int64_t wait = waitTime.count();
    if (m_fd >= 0) {
        itimerspec spec {};
        spec.it_value.tv_sec = static_cast<time_t>(wait / 1'000'000'000);
        spec.it_value.tv_nsec = static_cast<long>(wait % 1'000'000'000);
        ::timerfd_settime(m_fd, 0, &spec, nullptr);
    } else {
        m_fallback->start(timerInterval(waitTime)); // early for > 24.8 days: fire() re-arms
    }
}

void WakeQueue::compact()
{
    if (m_heap.size() <= 4 * m_live + 64) {
        return;
    }
    std::vector<Entry> keep;
    keep.reserve(m_live);
    while (!m_heap.empty()) {
        const Entry e = m_heap.top();
        m_heap.pop();
        const auto k = static_cast<std::size_t>(e.key);
        if (k < m_current.size() && m_current[k] == e.generation) {
            keep.push_back(e);
        }
    }
    m_heap = decltype(m_heap)(std::greater<>(), std::move(keep));
}

} // namespace poolscope
