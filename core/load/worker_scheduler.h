#pragma once

#include "load/wake_source.h"

#include <limits>
#include <vector>

namespace poolscope {

// What the scheduler follows: the callers' part of LoadConfig.
struct WorkerPlan
{
    int workers = 1; // closed-loop callers
    int requestsPerWorker = 0; // 0 = no bound
    Duration think { 0 }; // pause between a response and the caller's next request
    double rate = 0.0; // open-loop requests/s over all workers; 0 = closed loop
    // No request starts at or after it (the run's duration bound).
    TimePoint deadline { std::numeric_limits<TimePoint::rep>::max() };
};

// The run's closed-loop callers: goroutines that each send a request, wait for its
// answer, pause for the think time or the next rate slot, and go again until their bound.
// Each request goes out through Host::issueRequest and comes back as requestFinished().
// Time comes from an injected Clock and pauses end through WakeSources, so every rule is
// testable on a fake clock (tests/tst_load_worker_scheduler.cpp).
class WorkerScheduler final
{
public:
    class Host
    {
    public:
        virtual ~Host() = default;
        // Worker `worker` sends a request now; answer with requestFinished(worker), which
        // may come before this returns.
        virtual void issueRequest(int worker) = 0;
        // Every worker reached its bound (not called for workers stopped by stop()).
        virtual void onWorkersDone() = 0;
    };

    enum class State : std::uint8_t {
        Idle, // not started (or between requests, for the length of a call)
        Pausing, // think time or waiting for its rate slot
        Busy, // its request is out
        Done, // bound reached, run stopped, or beyond the worker count
    };

    // `think` wakes think-time pauses (Go's timer model, LoadConfig::timers); `pace` wakes
    // rate slots (exact: a slot stands for work arriving from outside, not a sleeper).
    WorkerScheduler(const Clock &clock, WakeSource &think, WakeSource &pace, Host &host);
    WorkerScheduler(const WorkerScheduler &) = delete;
    WorkerScheduler &operator=(const WorkerScheduler &) = delete;

    // Starts a run: every worker from scratch, the first requests at once.
    void start(const WorkerPlan &plan);
    // Mid-run change. New workers and finished ones start again (their counts carry on),
    // busy and pausing ones go on; workers beyond the new count stop after their request.
    void replan(const WorkerPlan &plan);
    // The request of `worker` is over (success or error): count it, pause or go again.
    void requestFinished(int worker);
    // No request starts from now on; pending pauses are dropped. Busy workers finish
    // their request (then Done); pausing ones stay as they are.
    void stop();

    [[nodiscard]] bool stopped() const { return m_stopped; }
    [[nodiscard]] const WorkerPlan &plan() const { return m_plan; }
    // Workers not Done.
    [[nodiscard]] int running() const;
    [[nodiscard]] State state(int worker) const;
    // Requests `worker` finished so far.
    [[nodiscard]] int completed(int worker) const;

private:
    struct Worker
    {
        State state = State::Idle;
        int done = 0;
        // Pausing: when the pause ends (think time or rate slot; TimePoint::max() = never)
        // and which source wakes it. The wake-up itself is armed for the earlier of this
        // and the deadline, so a deadline ends a pause (issue 16 #10).
        TimePoint due { 0 };
        bool paced = false;
    };

    void startWorker(int index);
    void scheduleNext(int index);
    void pause(int index, TimePoint due, bool paced);
    void armWake(int index);
    void wake(int index);
    void issue(int index);
    void finish(int index);
    [[nodiscard]] Worker &at(int index) { return m_workers[static_cast<std::size_t>(index)]; }

    const Clock &m_clock;
    WakeSource &m_think;
    WakeSource &m_pace;
    Host &m_host;
    WorkerPlan m_plan;
    std::vector<Worker> m_workers;
    TimePoint m_nextSlot { 0 }; // open-loop rate pacing: the next free slot
    bool m_stopped = true;
};

} // namespace poolscope
