#pragma once

#include "load/wake_source.h"

#include <limits>
#include <random>
#include <string>
#include <vector>

namespace poolscope {

// What the scheduler follows: the callers' part of LoadConfig.
struct WorkerPlan
{
    int workers = 1; // closed-loop callers
    int requestsPerWorker = 0; // 0 = no bound
    Duration think { 0 }; // pause between a response and the caller's next request
    double rate = 0.0; // open-loop requests/s over all workers; 0 = closed loop
    ArrivalModel arrivals = ArrivalModel::Go; // how paced requests arrive
    std::uint64_t seed = 1; // Poisson arrivals: the generator's seed (per start())
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

    // `think` wakes think-time pauses and Go-paced slots (Go's timer model unless
    // LoadConfig::timers says precise); `pace` wakes Poisson and exact arrivals (precise:
    // they stand for work arriving from outside, not for a sleeping goroutine).
    WorkerScheduler(const Clock &clock, WakeSource &think, WakeSource &pace, Host &host);
    ~WorkerScheduler();
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

    // Mixed callers: whether worker `worker` of a run belongs to the share `share` (0..1)
    // of its workers. The share is spread evenly over the indices (Bresenham: worker i is
    // in when floor((i + 1) * share) > floor(i * share)), so of n workers floor(n * share)
    // are in, and they do not all load the same target of several.
    [[nodiscard]] static bool isMixedWorker(int worker, double share);

private:
    struct Worker
    {
        State state = State::Idle;
        int done = 0;
        // Pausing: when the pause ends (think time or rate slot; TimePoint::max() = never)
        // and which source wakes it. The wake-up itself is armed for the earlier of this
        // and the deadline, so a deadline ends a pause (issue 16 #10).
        TimePoint due { 0 };
        bool paced = false; // woken by `pace` (Poisson, exact), else by `think`
        // Go-paced arrivals: this worker's next slot (its start, then every workers / rate).
        TimePoint nextSlot { 0 };
        TimePoint pausedAt { 0 }; // tracing: when the current pause began
    };

    void startWorker(int index);
    void scheduleNext(int index);
    // The paced due time of a worker ready to send at `ready`; advances the model's slots.
    [[nodiscard]] TimePoint arrival(int index, TimePoint ready);
    // Poisson: the next exponential gap at the plan's rate.
    [[nodiscard]] Duration exponentialGap();
    void pause(int index, TimePoint due, bool paced);
    void armWake(int index);
    void wake(int index);
    void issue(int index);
    void finish(int index);
    [[nodiscard]] Worker &at(int index) { return m_workers[static_cast<std::size_t>(index)]; }

    // Debug tracing (env POOLSCOPE_TRACE_THINK=FILE): each think pause as NDJSON, written
    // when the scheduler goes away (tests/conformance/intermediate_caps.md).
    struct ThinkRecord
    {
        int worker;
        TimePoint start; // the pause began (the request finished)
        TimePoint due; // the think time ended
        TimePoint woke; // the worker ran again
    };
    void traceWake(int index, TimePoint now);

    const Clock &m_clock;
    WakeSource &m_think;
    WakeSource &m_pace;
    Host &m_host;
    WorkerPlan m_plan;
    std::vector<Worker> m_workers;
    TimePoint m_nextSlot { 0 }; // Poisson and exact pacing: the next arrival, all workers
    std::mt19937_64 m_rng; // Poisson gaps; seeded from the plan at start()
    bool m_stopped = true;
    std::string m_tracePath; // empty: no tracing
    std::vector<ThinkRecord> m_trace;
};

} // namespace poolscope
