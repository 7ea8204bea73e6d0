#include "worker_scheduler.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>

namespace poolscope {

WorkerScheduler::WorkerScheduler(
    const Clock &clock, WakeSource &think, WakeSource &pace, Host &host)
    : m_clock(clock), m_think(think), m_pace(pace), m_host(host)
{
    m_think.setHandler([this](int worker) { wake(worker); });
    m_pace.setHandler([this](int worker) { wake(worker); });
    if (const char *path = std::getenv("POOLSCOPE_TRACE_THINK")) {
        m_tracePath = path;
    }
}

WorkerScheduler::~WorkerScheduler()
{
    if (m_tracePath.empty()) {
        return;
    }
    std::ofstream out(m_tracePath);
    for (const ThinkRecord &r : m_trace) {
        out << "{\"w\":" << r.worker + 1 << ",\"start_ns\":" << r.start.count()
            << ",\"due_ns\":" << r.due.count() << ",\"woke_ns\":" << r.woke.count() << "}\n";
    }
}

void WorkerScheduler::traceWake(int index, TimePoint now)
{
    if (!m_tracePath.empty() && m_trace.size() < 1'000'000) {
        m_trace.push_back(ThinkRecord { index, at(index).pausedAt, at(index).due, now });
    }
}

void WorkerScheduler::start(const WorkerPlan &plan)
{
    m_think.clear();
    m_pace.clear();
    m_plan = plan;
    m_workers.assign(static_cast<std::size_t>(std::max(plan.workers, 0)), Worker {});
    m_nextSlot = m_clock.now();
    m_rng.seed(plan.seed);
    m_stopped = false;
    for (int i = 0; i < plan.workers; ++i) {
        startWorker(i);
    }
}

void WorkerScheduler::replan(const WorkerPlan &plan)
{
    m_plan = plan;
    if (m_stopped) {
        return;
    }
    m_nextSlot = std::max(m_nextSlot, m_clock.now());
    if (static_cast<std::size_t>(plan.workers) > m_workers.size()) {
        m_workers.resize(static_cast<std::size_t>(plan.workers));
    }
    // Mark every restarting worker first: one that finishes at once must not find all
    // the others Done before they had their turn.
    std::vector<int> restart;
    for (int i = 0; i < plan.workers; ++i) {
        if (at(i).state == State::Idle || at(i).state == State::Done) {
            at(i).state = State::Idle;
            restart.push_back(i);
        } else if (at(i).state == State::Pausing) {
            armWake(i); // the deadline may have moved either way
        }
        // A worker that was closed-loop or behind does not catch up on slots from before.
        at(i).nextSlot = std::max(at(i).nextSlot, m_clock.now());
    }
    for (int i : restart) {
        startWorker(i);
    }
}

void WorkerScheduler::stop()
{
    m_stopped = true;
    m_think.clear();
    m_pace.clear();
}

int WorkerScheduler::running() const
{
    return static_cast<int>(std::count_if(m_workers.begin(), m_workers.end(),
        [](const Worker &w) { return w.state != State::Done; }));
}

WorkerScheduler::State WorkerScheduler::state(int worker) const
{
    return m_workers.at(static_cast<std::size_t>(worker)).state;
}

int WorkerScheduler::completed(int worker) const
{
    return m_workers.at(static_cast<std::size_t>(worker)).done;
}

void WorkerScheduler::startWorker(int index)
{
    at(index).state = State::Idle; // `done` carries on when a worker restarts mid-run
    at(index).nextSlot = m_clock.now(); // a Go worker's first slot: when it starts
    scheduleNext(index);
}

void WorkerScheduler::requestFinished(int worker)
{
    if (worker < 0 || static_cast<std::size_t>(worker) >= m_workers.size()) {
        return;
    }
    Worker &w = at(worker);
    ++w.done;
    w.state = State::Idle;
    scheduleNext(worker);
}

void WorkerScheduler::scheduleNext(int index)
{
    Worker &w = at(index);
    const TimePoint now = m_clock.now();
    const bool boundReached = (m_plan.requestsPerWorker > 0 && w.done >= m_plan.requestsPerWorker)
        || now >= m_plan.deadline;
    if (m_stopped || index >= m_plan.workers || boundReached) {
        finish(index);
        return;
    }
    TimePoint due = saturatingAdd(now, w.done > 0 ? m_plan.think : Duration::zero());
    const bool paced = m_plan.rate > 0; // false for NaN too
    if (paced) {
        due = arrival(index, due);
    }
    const bool precise = paced && m_plan.arrivals != ArrivalModel::Go;
    if (due > now) {
        pause(index, due, precise);
        return;
    }
    // No pause: the worker goes straight on, like a goroutine that keeps its P after
    // reading the body (its connection is already back in the pool: Go's eofc). One
    // engine thread is one P, so fewer connections sit idle at once than with Go's
    // GOMAXPROCS=2; tests/conformance/report.md shows the effect on zero-think churn.
    issue(index);
}

bool WorkerScheduler::isMixedWorker(int worker, double share)
{
    if (!(share > 0) || worker < 0) {
        return false;
    }
    if (share >= 1) {
        return true;
    }
    return std::floor((worker + 1) * share) > std::floor(worker * share);
}

TimePoint WorkerScheduler::arrival(int index, TimePoint ready)
{
    if (m_plan.arrivals == ArrivalModel::Go) {
        // for { time.Sleep(time.Until(next)); do(); next = next.Add(interval) }, with
        // interval = workers / rate: each worker its own slots, all starting together.
        // 1e9 * workers / rate beyond int64 (a tiny rate): a slot that never comes, not a
        // cast that wraps into a negative period (issue 16 #6).
        Worker &w = at(index);
        const TimePoint slot = w.nextSlot;
        const double workers = std::max(m_plan.workers, 1);
        w.nextSlot = saturatingAdd(slot, saturatingDuration(1e9 * workers / m_plan.rate));
        return std::max(ready, slot);
    }
    // One arrival stream over all workers; the next free worker takes the next arrival.
    if (m_plan.arrivals == ArrivalModel::Poisson) {
        // Traffic from outside does not wait for the callers: an arrival no worker was free
        // for queues and is taken as soon as one is (the backlog drains at once), and the
        // stream keeps its own times.
        const TimePoint slot = m_nextSlot;
        m_nextSlot = saturatingAdd(slot, exponentialGap());
        return std::max(ready, slot);
    }
    // Exact slots: one that comes late pushes the stream back (no burst to catch up).
    const TimePoint due = std::max(ready, m_nextSlot);
    m_nextSlot = saturatingAdd(due, saturatingDuration(1e9 / m_plan.rate));
    return due;
}

Duration WorkerScheduler::exponentialGap()
{
    // Inverse CDF on 53 random bits: -ln(1 - u) / rate with u in [0, 1), so the logarithm's
    // argument is in (0, 1]. mt19937_64 is specified to the bit: the same seed gives the
    // same gaps on every platform (std::exponential_distribution is not).
    const double u = static_cast<double>(m_rng() >> 11) * 0x1.0p-53;
    return saturatingDuration(-std::log1p(-u) * 1e9 / m_plan.rate);
}

void WorkerScheduler::pause(int index, TimePoint due, bool paced)
{
    Worker &w = at(index);
    w.state = State::Pausing;
    w.pausedAt = m_clock.now();
    w.due = due;
    w.paced = paced;
    armWake(index);
}

void WorkerScheduler::armWake(int index)
{
    const Worker &w = at(index);
    // Think time and Go-paced slots are a caller's time.Sleep (Go's timer model unless
    // --timers precise); Poisson and exact arrivals stand for work arriving from outside,
    // which no Go timer bunches. The deadline wakes the worker to end it, not to send.
    (w.paced ? m_pace : m_think).schedule(index, std::min(w.due, m_plan.deadline));
}

void WorkerScheduler::wake(int index)
{
    if (index < 0 || static_cast<std::size_t>(index) >= m_workers.size()
        || at(index).state != State::Pausing) {
        return;
    }
    const TimePoint now = m_clock.now();
    if (m_stopped || index >= m_plan.workers || now >= m_plan.deadline) {
        finish(index);
        return;
    }
    if (now < at(index).due) {
        armWake(index); // woken for a deadline that has since moved later: sleep on
        return;
    }
    traceWake(index, now);
    issue(index);
}

void WorkerScheduler::issue(int index)
{
    at(index).state = State::Busy;
    m_host.issueRequest(index);
}

void WorkerScheduler::finish(int index)
{
    at(index).state = State::Done;
    if (m_stopped) {
        return;
    }
    if (std::all_of(m_workers.begin(), m_workers.end(),
            [](const Worker &w) { return w.state == State::Done; })) {
        m_host.onWorkersDone();
    }
}

} // namespace poolscope
