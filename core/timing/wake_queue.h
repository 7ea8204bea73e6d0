#pragma once

#include "pool/clock.h"
#include "timing/timer_model.h"

#include <QObject>
#include <functional>
#include <queue>
#include <vector>

class QSocketNotifier;
class QTimer;

namespace poolscope {

// One-shot wake-ups, one per key (a worker index), all served by a single Linux
// timerfd: think time and rate pacing. The model decides how long it waits:
// like Go's runtime (whole milliseconds, see TimerModel::Go) or exactly. Which
// one matters: with 10 free-running workers and MaxIdleConnsPerHost 2, exact
// wake-ups let workers spread out and find each other's idle connections far
// more often than Go's callers do, and a plain QTimer keeps them in lockstep and
// finds them less often. Falls back to a millisecond QTimer without timerfd.
class WakeQueue final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WakeQueue)

public:
    using Handler = std::function<void(int key)>;

    WakeQueue(const Clock &clock, Handler handler, QObject *parent = nullptr);
    ~WakeQueue() override;

    // Wakes `key` at `due` (now or earlier: on the next event-loop turn).
    // Replaces the key's earlier wake-up, if any.
    void schedule(int key, TimePoint due);
    void cancel(int key);
    void clear();

    // Go: wait like Go's netpoll, in whole milliseconds (truncated, at least 1 ms),
    // then wake everything due. Precise: wait exactly until the earliest deadline.
    void setModel(TimerModel model);
    [[nodiscard]] TimerModel model() const { return m_model; }

    // How long the queue waits for a deadline `delay` ahead (never 0: an overdue
    // deadline waits 1 ns, i.e. the next event-loop turn).
    [[nodiscard]] static Duration waitFor(TimerModel model, Duration delay);
    // The kernel's timer slack for this process (prctl PR_GET_TIMERSLACK, 50 us by
    // default): what epoll_wait adds to Go's millisecond timeouts.
    [[nodiscard]] static Duration timerSlack();

    [[nodiscard]] bool isScheduled(int key) const;
    [[nodiscard]] std::size_t pending() const { return m_live; }
    // Entries held, stale ones included (bounded by compaction).
    [[nodiscard]] std::size_t heapSize() const { return m_heap.size(); }
    [[nodiscard]] bool usesTimerfd() const { return m_fd >= 0; }

private:
    struct Entry
    {
        TimePoint due;
        int key;
        std::uint64_t generation;
        bool operator>(const Entry &o) const
        {
            return due != o.due ? due > o.due : generation > o.generation;
        }
    };

    void fire();
    void rearm();
    void compact();

    const Clock &m_clock;
    Handler m_handler;
    int m_fd = -1;
    QSocketNotifier *m_notifier = nullptr;
    QTimer *m_fallback = nullptr;
    // A lazily pruned heap: replaced or cancelled entries stay until they reach
    // the top or a compaction, bounded by compact() to a few times the keys.
    std::priority_queue<Entry, std::vector<Entry>, std::greater<>> m_heap;
    std::vector<std::uint64_t> m_current; // per key: live generation, 0 = none
    std::uint64_t m_nextGeneration = 1;
    std::size_t m_live = 0;
    TimerModel m_model = TimerModel::Go;
    TimePoint m_armedFor { -1 };
    bool m_firing = false;
};

} // namespace poolscope
