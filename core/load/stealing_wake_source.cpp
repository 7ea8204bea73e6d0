#include "stealing_wake_source.h"

#include "load/engine_threads.h"
#include "timing/wake_queue.h"

namespace poolscope {

StealingWakeSource::StealingWakeSource(WakeSource &inner, const Clock &clock, PoolLock &lock)
    : m_inner(inner), m_clock(clock), m_lock(lock)
{
}

StealingWakeSource::~StealingWakeSource()
{
    detach();
}

void StealingWakeSource::setHandler(Handler handler)
{
    m_handler = handler;
    m_inner.setHandler(std::move(handler)); // which runs it under the lock itself
}

void StealingWakeSource::attach(EngineThreads *threads, TimerModel model)
{
    m_threads = threads;
    m_model = model;
    m_queues.assign(static_cast<std::size_t>(threads->count()), nullptr);
    m_owner.clear();
    m_runq.reset(threads->count());
    m_live.store(true);
}

void StealingWakeSource::detach()
{
    if (m_threads == nullptr) {
        return;
    }
    {
        // From here every pending wake-up is stale and nothing is left to steal.
        const PoolLock::Guard g = m_lock.guard();
        m_live.store(false);
        std::fill(m_owner.begin(), m_owner.end(), -1);
        m_runq.clear();
    }
    for (int i = 0; i < m_threads->count(); ++i) {
        WakeQueue *q = m_queues[static_cast<std::size_t>(i)];
        m_threads->runBlocking(i, [q] { delete q; }); // its notifier is thread i's
    }
    const PoolLock::Guard g = m_lock.guard();
    m_queues.clear();
    m_owner.clear();
    m_threads = nullptr;
}

void StealingWakeSource::schedule(int key, TimePoint due)
{
    if (m_threads == nullptr) {
        m_inner.schedule(key, due);
        return;
    }
    if (key < 0) {
        return;
    }
    const int here = m_threads->current();
    if (m_oneQueue && here != 0) {
        m_threads->post(0, [this, key, due] {
            const PoolLock::Guard g = m_lock.guard();
            if (m_threads != nullptr) {
                scheduleHere(0, key, due);
            }
        });
        return;
    }
    if (here >= 0) {
        scheduleHere(here, key, due);
        return;
    }
    // Not an engine thread (none calls the scheduler from elsewhere): thread 0's queue.
    m_threads->post(0, [this, key, due] {
        const PoolLock::Guard g = m_lock.guard();
        if (m_threads != nullptr) {
            scheduleHere(0, key, due);
        }
    });
}

void StealingWakeSource::scheduleHere(int lane, int key, TimePoint due)
{
    const auto k = static_cast<std::size_t>(key);
    if (k >= m_owner.size()) {
        m_owner.resize(k + 1, -1);
    }
    // An earlier wake-up on another thread's queue stays there and is ignored when it
    // fires (onDue): that queue is its thread's to touch.
    m_owner[k] = lane;
    WakeQueue *&q = m_queues[static_cast<std::size_t>(lane)];
    if (q == nullptr) {
        q = new WakeQueue(m_clock, [this, lane](int woken) { onDue(lane, woken); });
        q->setBurstDone([this, lane] { burstDone(lane); });
    }
    q->setModel(m_model);
    q->schedule(key, due);
}

void StealingWakeSource::clear()
{
    if (m_threads == nullptr) {
        m_inner.clear();
        return;
    }
    // Pending wake-ups in every thread's queue become stale at once (onDue drops them);
    // callers woken and not run yet are dropped too, as a cleared queue drops them.
    std::fill(m_owner.begin(), m_owner.end(), -1);
    m_runq.clear();
}

void StealingWakeSource::onDue(int lane, int key)
{
    // Inside WakeQueue::fire() in thread `lane`: goroutineReady -> ready(gp, next=true).
    const PoolLock::Guard g = m_lock.guard();
    const auto k = static_cast<std::size_t>(key);
    if (k >= m_owner.size() || m_owner[k] != lane) {
        return; // rescheduled on another thread since, or cleared
    }
    m_owner[k] = -1;
    m_runq.put(lane, key);
}

void StealingWakeSource::burstDone(int lane)
{
    // ready's wakep: with an idle P another M starts spinning and steals. Here every other
    // engine thread is asked; one that is busy steals when its event loop gets to it.
    if (m_runq.stealable(lane) > 0) {
        for (int i = 0; i < m_threads->count(); ++i) {
            if (i != lane) {
                m_threads->post(i, [this, i] { steal(i); });
            }
        }
    }
    runLane(lane);
}

void StealingWakeSource::runLane(int lane)
{
    // schedule() -> runqget, one caller at a time, the pool unlocked in between: another
    // thread may return connections (or steal) while this one runs the rest.
    for (int key = m_runq.pop(lane); key >= 0; key = m_runq.pop(lane)) {
        const PoolLock::Guard g = m_lock.guard();
        if (m_handler) {
            m_handler(key);
        }
    }
}

void StealingWakeSource::steal(int thief)
{
    // Posted: may come after detach() (then nothing is queued) or in a later run.
    if (!m_live.load() || m_runq.steal(thief) == 0) {
        return;
    }
    runLane(thief);
}

} // namespace poolscope
