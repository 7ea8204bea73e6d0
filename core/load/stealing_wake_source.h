#pragma once

#include "load/run_queues.h"
#include "load/wake_source.h"
#include "pool/pool_lock.h"

#include <atomic>
#include <vector>

namespace poolscope {

class EngineThreads;
class WakeQueue;

// The think-time and Go-paced wake-ups of the callers. Detached (GOMAXPROCS = 1, the
// default) every call goes straight to `inner`, the engine thread's WakeQueueSource.
// Attached to the engine threads (GOMAXPROCS > 1) it does what Go 1.19's runtime does
// with a sleeping goroutine:
//  - a caller that pauses on engine thread j sleeps on thread j's own WakeQueue (time.go:
//    addtimer puts the timer on the heap of the P the goroutine runs on);
//  - the callers one firing of that queue wakes go on thread j's run queue as the
//    timer's goroutineReady -> ready puts them (runqput with next=true, RunQueues::put),
//    and thread j runs them one after the other, runnext first, before it goes back to
//    its event loop (a P runs its run queue before it polls the network: findrunnable);
//  - when some are left for another thread to take, the other engine threads are woken
//    (ready's wakep); each, when its event loop gets to it, takes half of what is still
//    queued (runqsteal / runqgrab), runs those, and goes back to its own event loop, i.e.
//    reads the responses of its connections while thread j still runs callers.
// Sockets and timers stay in their threads: a WakeQueue is made, armed and deleted in its
// own thread only. The handler runs under PoolLock; the run queues have a lock of their own.
class StealingWakeSource final : public WakeSource
{
public:
    StealingWakeSource(WakeSource &inner, const Clock &clock, PoolLock &lock);
    ~StealingWakeSource() override;
    StealingWakeSource(const StealingWakeSource &) = delete;
    StealingWakeSource &operator=(const StealingWakeSource &) = delete;

    // From now on wake-ups go to the threads' own queues (before the run's first schedule,
    // in thread 0, nothing running on the others yet).
    void attach(EngineThreads *threads, TimerModel model);
    // Back to `inner`: each thread's queue is deleted in its thread. Never under the lock
    // (it waits for each thread); before the threads go.
    void detach();
    [[nodiscard]] bool attached() const { return m_threads != nullptr; }
    // The timer model of the threads' queues (the scheduler's caller holds the lock).
    void setModel(TimerModel model) { m_model = model; }
    void setOneQueue(bool on) { m_oneQueue = on; } // EXPERIMENT

    void setHandler(Handler handler) override;
    void schedule(int key, TimePoint due) override;
    void clear() override;

private:
    void scheduleHere(int lane, int key, TimePoint due);
    void onDue(int lane, int key);
    void burstDone(int lane);
    void runLane(int lane);
    void steal(int thief);

    WakeSource &m_inner;
    const Clock &m_clock;
    PoolLock &m_lock;
    Handler m_handler;
    EngineThreads *m_threads = nullptr;
    TimerModel m_model = TimerModel::Go;
    bool m_oneQueue = false;
    std::vector<WakeQueue *> m_queues; // per thread, made there on first use (lock held)
    std::vector<int> m_owner; // per key: the thread whose queue holds its wake-up, -1 none
    RunQueues m_runq;
    std::atomic<bool> m_live { false }; // attached; read by posted steals
};

} // namespace poolscope
