// WorkerScheduler on a fake clock: think time, rate slots, bounds, stop, live changes.
// Requests "take" as long as the test says: it calls requestFinished() itself.
#include "load/worker_scheduler.h"

#include <QTest>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <vector>

using namespace poolscope;
using namespace std::chrono_literals;

namespace {

// Wake-ups held until the test moves time past them.
class FakeWake final : public WakeSource
{
public:
    void setHandler(Handler handler) override { m_handler = std::move(handler); }
    void schedule(int key, TimePoint due) override
    {
        if (!fireLater) {
            m_due[key] = due;
        }
    }
    void clear() override { m_due.clear(); }

    [[nodiscard]] std::optional<TimePoint> dueOf(int key) const
    {
        const auto it = m_due.find(key);
        return it == m_due.end() ? std::nullopt : std::optional<TimePoint>(it->second);
    }
    [[nodiscard]] std::size_t pending() const { return m_due.size(); }
    // The earliest wake-up: (due, key).
    [[nodiscard]] std::optional<std::pair<TimePoint, int>> next() const
    {
        std::optional<std::pair<TimePoint, int>> best;
        for (const auto &[key, due] : m_due) {
            if (!best || due < best->first) {
                best = std::make_pair(due, key);
            }
        }
        return best;
    }
    bool fireLater = false; // drop schedule() calls: an old wake-up still comes
    void fire(int key)
    {
        m_due.erase(key);
        m_handler(key);
    }

private:
    Handler m_handler;
    std::map<int, TimePoint> m_due;
};

struct Issue
{
    int worker;
    TimePoint at;
    bool operator==(const Issue &) const = default;
};

class Recorder final : public WorkerScheduler::Host
{
public:
    explicit Recorder(const Clock &clock) : m_clock(clock) { }
    void issueRequest(int worker) override
    {
        issued.push_back({ worker, m_clock.now() });
        if (finishAtOnce) {
            finishAtOnce(worker);
        }
    }
    void onWorkersDone() override { ++doneCalls; }

    std::vector<Issue> issued;
    int doneCalls = 0;
    std::function<void(int)> finishAtOnce; // a response that comes back before issue returns

private:
    const Clock &m_clock;
};

// Everything a test needs: clock, both wake sources, the scheduler and its host.
struct Rig
{
    FakeClock clock;
    FakeWake think;
    FakeWake pace;
    Recorder host { clock };
    WorkerScheduler scheduler { clock, think, pace, host };

    // Moves time to `t`, firing every wake-up on the way at its due time.
    void advanceTo(TimePoint t)
    {
        for (;;) {
            const auto a = think.next();
            const auto b = pace.next();
            FakeWake *src = nullptr;
            std::pair<TimePoint, int> n;
            if (a && (!b || a->first <= b->first)) {
                src = &think, n = *a;
            } else if (b) {
                src = &pace, n = *b;
            }
            if (src == nullptr || n.first > t) {
                break;
            }
            clock.set(std::max(clock.now(), n.first));
            src->fire(n.second);
        }
        clock.set(t);
    }
    void finishAt(TimePoint t, int worker)
    {
        advanceTo(t);
        scheduler.requestFinished(worker);
    }
};

// The tests from before issue 13 pin the exact model (the shared slots they check); the
// arrival-model tests below name theirs.
WorkerPlan plan(int workers, int requests, Duration think = Duration::zero(), double rate = 0,
    ArrivalModel arrivals = ArrivalModel::Exact)
{
    WorkerPlan p;
    p.workers = workers;
    p.requestsPerWorker = requests;
    p.think = think;
    p.rate = rate;
    p.arrivals = arrivals;
    return p;
}

// A paced run of `workers` callers whose responses come back at once, `length` long: the
// times every request went out (which model, rate and seed say; nothing else).
std::vector<Issue> pacedRun(
    ArrivalModel arrivals, int workers, double rate, Duration length, std::uint64_t seed = 1)
{
    Rig r;
    r.host.finishAtOnce = [&](int w) {
        r.scheduler.requestFinished(w);
    };
    WorkerPlan p = plan(workers, 0, Duration::zero(), rate, arrivals);
    p.seed = seed;
    p.deadline = length;
    r.scheduler.start(p);
    r.advanceTo(length);
    return r.host.issued;
}

struct GapStats
{
    double mean = 0; // seconds between consecutive requests (all workers)
    double cv = 0; // standard deviation / mean: 0 evenly spaced, 1 exponential
    // Variance / mean of the request counts in windows of `window`: 0 evenly spaced,
    // 1 Poisson, far above 1 when requests come in bursts.
    double dispersion = 0;
};

GapStats gapStats(const std::vector<Issue> &issued, Duration length, Duration window)
{
    GapStats g;
    std::vector<double> gaps;
    for (std::size_t i = 1; i < issued.size(); ++i) {
        gaps.push_back(std::chrono::duration<double>(issued[i].at - issued[i - 1].at).count());
    }
    double sum = 0;
    for (double x : gaps) {
        sum += x;
    }
    g.mean = gaps.empty() ? 0 : sum / static_cast<double>(gaps.size());
    double sq = 0;
    for (double x : gaps) {
        sq += (x - g.mean) * (x - g.mean);
    }
    g.cv = gaps.empty() || g.mean == 0 ? 0
                                       : std::sqrt(sq / static_cast<double>(gaps.size())) / g.mean;
    std::vector<double> counts(static_cast<std::size_t>(length / window), 0.0);
    for (const Issue &i : issued) {
        const auto k = static_cast<std::size_t>(i.at / window);
        if (k < counts.size()) {
            counts[k] += 1;
        }
    }
    double m = 0;
    for (double c : counts) {
        m += c;
    }
    m /= static_cast<double>(counts.size());
    double v = 0;
    for (double c : counts) {
        v += (c - m) * (c - m);
    }
    v /= static_cast<double>(counts.size());
    g.dispersion = m == 0 ? 0 : v / m;
    return g;
}

} // namespace

class TestWorkerScheduler : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void thinkTimeSpacesAWorkersRequests()
    {
        Rig r;
        r.scheduler.start(plan(1, 3, 10ms));
        QCOMPARE(r.host.issued, (std::vector<Issue> { { 0, 0ms } })); // no think before the first
        r.finishAt(2ms, 0); // a 2 ms response, then 10 ms of think time
        QCOMPARE(r.think.dueOf(0), std::optional<TimePoint>(12ms));
        QCOMPARE(r.pace.pending(), 0u);
        r.advanceTo(TimePoint(12ms) - 1ns);
        QCOMPARE(r.host.issued.size(), 1u); // never early
        r.advanceTo(12ms);
        r.finishAt(14ms, 0);
        r.advanceTo(30ms);
        r.finishAt(30ms, 0);
        const std::vector<Issue> expected { { 0, 0ms }, { 0, 12ms }, { 0, 24ms } };
        QCOMPARE(r.host.issued, expected);
        QCOMPARE(r.scheduler.completed(0), 3);
        QCOMPARE(r.scheduler.state(0), WorkerScheduler::State::Done);
        QCOMPARE(r.host.doneCalls, 1);
        QCOMPARE(r.think.pending(), 0u);
    }

    void rateSlotsPaceAllWorkersTogether()
    {
        Rig r;
        // 100 requests/s over 3 workers: one slot every 10 ms, whoever is free takes it.
        r.scheduler.start(plan(3, 2, Duration::zero(), 100.0));
        QCOMPARE(r.host.issued.size(), 1u); // slot 0 at once; workers 1 and 2 wait for 10, 20
        QCOMPARE(r.pace.dueOf(1), std::optional<TimePoint>(10ms));
        QCOMPARE(r.pace.dueOf(2), std::optional<TimePoint>(20ms));
        QCOMPARE(r.think.pending(), 0u); // rate slots never go through the think timer model
        r.host.finishAtOnce = [&](int w) {
            r.scheduler.requestFinished(w);
        };
        r.scheduler.requestFinished(0); // answered at t=0: next free slot is 30 ms
        r.advanceTo(100ms);
        std::vector<TimePoint> times;
        for (const Issue &i : r.host.issued) {
            times.push_back(i.at);
        }
        const std::vector<TimePoint> slots { 0ms, 10ms, 20ms, 30ms, 40ms, 50ms };
        QCOMPARE(times, slots);
        QCOMPARE(r.scheduler.running(), 0);
        QCOMPARE(r.host.doneCalls, 1);
    }

    void thinkTimeAndRateTakeTheLaterOfTheTwo()
    {
        Rig r;
        r.scheduler.start(plan(1, 3, 25ms, 100.0));
        r.finishAt(1ms, 0); // think until 26 ms, later than the 10 ms slot
        QCOMPARE(r.pace.dueOf(0), std::optional<TimePoint>(26ms));
        r.advanceTo(26ms);
        r.finishAt(27ms, 0); // next slot: 36 ms, but think lasts until 52 ms
        QCOMPARE(r.pace.dueOf(0), std::optional<TimePoint>(52ms));
    }

    void requestsPerWorkerBoundsEveryWorker()
    {
        Rig r;
        r.host.finishAtOnce = [&](int w) {
            r.scheduler.requestFinished(w);
        };
        r.scheduler.start(plan(4, 5));
        QCOMPARE(r.host.issued.size(), 20u);
        for (int w = 0; w < 4; ++w) {
            QCOMPARE(r.scheduler.completed(w), 5);
            QCOMPARE(r.scheduler.state(w), WorkerScheduler::State::Done);
        }
        QCOMPARE(r.scheduler.running(), 0);
        QCOMPARE(r.host.doneCalls, 1); // once, when the last worker is done
    }

    void noRequestStartsAtOrAfterTheDeadline()
    {
        Rig r;
        WorkerPlan p = plan(1, 0, 10ms);
        p.deadline = 20ms;
        r.scheduler.start(p);
        r.finishAt(2ms, 0); // wakes at 12 ms: before the deadline
        r.advanceTo(12ms);
        r.finishAt(14ms, 0); // would wake at 24 ms: past it
        r.advanceTo(30ms);
        QCOMPARE(r.host.issued.size(), 2u);
        QCOMPARE(r.scheduler.state(0), WorkerScheduler::State::Done);
        QCOMPARE(r.host.doneCalls, 1);
    }

    void stopDropsPausesAndEndsBusyWorkers()
    {
        Rig r;
        r.scheduler.start(plan(2, 0, 10ms));
        QCOMPARE(r.host.issued.size(), 2u);
        r.finishAt(1ms, 0); // worker 0 thinks until 11 ms, worker 1 is still busy
        r.scheduler.stop();
        QCOMPARE(r.think.pending(), 0u);
        r.advanceTo(50ms);
        QCOMPARE(r.host.issued.size(), 2u); // nothing starts after stop
        r.scheduler.requestFinished(1); // its answer still counts, then it is done
        QCOMPARE(r.scheduler.completed(1), 1);
        QCOMPARE(r.scheduler.state(1), WorkerScheduler::State::Done);
        QCOMPARE(r.scheduler.state(0), WorkerScheduler::State::Pausing);
        QCOMPARE(r.host.doneCalls, 0); // a stopped run is not "done by its bounds"
    }

    void replanAddsWorkersAndRetiresExtraOnes()
    {
        Rig r;
        r.scheduler.start(plan(1, 0, 10ms));
        r.scheduler.replan(plan(3, 0, 10ms)); // two more callers start at once
        QCOMPARE(r.host.issued.size(), 3u);
        QCOMPARE(r.host.issued[2].worker, 2);
        r.scheduler.replan(plan(1, 0, 10ms)); // back to one: 1 and 2 stop after their request
        r.finishAt(1ms, 1);
        r.finishAt(1ms, 2);
        r.finishAt(1ms, 0);
        r.advanceTo(100ms);
        QCOMPARE(r.scheduler.state(1), WorkerScheduler::State::Done);
        QCOMPARE(r.scheduler.state(2), WorkerScheduler::State::Done);
        QCOMPARE(r.scheduler.state(0), WorkerScheduler::State::Busy);
        QCOMPARE(r.scheduler.running(), 1);
        QCOMPARE(r.host.issued.size(), 4u); // only worker 0 went again (at 11 ms)
        QCOMPARE(r.host.issued[3], (Issue { 0, 11ms }));
    }

    void finishedWorkersRestartWhenTheBoundIsRaised()
    {
        Rig r;
        r.host.finishAtOnce = [&](int w) {
            r.scheduler.requestFinished(w);
        };
        r.scheduler.start(plan(2, 1));
        QCOMPARE(r.host.doneCalls, 1);
        r.scheduler.replan(plan(2, 3)); // counts carry on: two more requests each
        QCOMPARE(r.host.issued.size(), 6u);
        QCOMPARE(r.scheduler.completed(0), 3);
        QCOMPARE(r.host.doneCalls, 2);
    }

    // Issue 16 #6: 1e9 / 1e-10 ns does not fit in an int64; the cast made the pacing period
    // negative and the run went full speed. A slot that far away is never: one request.
    void tinyRateSendsOneRequestNotAFullSpeedLoad()
    {
        Rig r;
        WorkerPlan p = plan(1, 0, Duration::zero(), 1e-10);
        p.deadline = 2s;
        r.scheduler.start(p);
        for (int i = 1; i <= 100 && r.scheduler.state(0) == WorkerScheduler::State::Busy; ++i) {
            r.finishAt(TimePoint(i * 1ms), 0);
        }
        QCOMPARE(r.host.issued.size(), 1u);
        QCOMPARE(r.scheduler.state(0), WorkerScheduler::State::Pausing);
        r.advanceTo(2s);
        QCOMPARE(r.host.issued.size(), 1u);
        QCOMPARE(r.scheduler.state(0), WorkerScheduler::State::Done);
        QCOMPARE(r.host.doneCalls, 1);
    }

    // Rates whose period is below a nanosecond, or not a number, never pace backwards.
    void hugeAndNanRatesKeepPacingSane()
    {
        Rig r;
        r.scheduler.start(plan(2, 3, Duration::zero(), 1e300));
        r.host.finishAtOnce = [&](int w) {
            r.scheduler.requestFinished(w);
        };
        r.scheduler.requestFinished(0);
        r.scheduler.requestFinished(1);
        r.advanceTo(1ms);
        QCOMPARE(r.host.issued.size(), 6u);
        QCOMPARE(r.host.doneCalls, 1);
        Rig n;
        n.scheduler.start(plan(1, 2, 5ms, std::numeric_limits<double>::quiet_NaN()));
        n.finishAt(1ms, 0); // NaN is no rate: closed loop with its think time
        QCOMPARE(n.think.dueOf(0), std::optional<TimePoint>(6ms));
    }

    // Issue 16 #10: a worker thinking past the run's deadline wakes at the deadline, so the
    // run ends on time (--think 30s --duration 2s ended at 12 s, at the hard stop).
    void thinkPastTheDeadlineEndsTheRunAtTheDeadline()
    {
        Rig r;
        WorkerPlan p = plan(2, 0, 30s);
        p.deadline = 2s;
        r.scheduler.start(p);
        r.finishAt(100ms, 0);
        r.finishAt(200ms, 1);
        QCOMPARE(r.think.dueOf(0), std::optional<TimePoint>(2s));
        QCOMPARE(r.think.dueOf(1), std::optional<TimePoint>(2s));
        r.advanceTo(2s);
        QCOMPARE(r.scheduler.running(), 0);
        QCOMPARE(r.host.doneCalls, 1);
        QCOMPARE(r.host.issued.size(), 2u);
    }

    // The same for a rate slot beyond the deadline.
    void rateSlotPastTheDeadlineEndsTheRunAtTheDeadline()
    {
        Rig r;
        WorkerPlan p = plan(1, 0, Duration::zero(), 0.1); // one slot every 10 s
        p.deadline = 2s;
        r.scheduler.start(p);
        r.finishAt(1ms, 0);
        QCOMPARE(r.pace.dueOf(0), std::optional<TimePoint>(2s));
        r.advanceTo(2s);
        QCOMPARE(r.host.doneCalls, 1);
        QCOMPARE(r.host.issued.size(), 1u);
    }

    // A live change of the deadline moves the wake-ups of pausing workers both ways.
    void replanMovesPausesToTheNewDeadline()
    {
        Rig r;
        WorkerPlan p = plan(1, 0, 5s);
        p.deadline = 60s;
        r.scheduler.start(p);
        r.finishAt(1s, 0);
        QCOMPARE(r.think.dueOf(0), std::optional<TimePoint>(6s));
        p.deadline = 3s; // shortened: wake at 3 s and end there
        r.scheduler.replan(p);
        QCOMPARE(r.think.dueOf(0), std::optional<TimePoint>(3s));
        p.deadline = 60s; // lengthened again before 3 s: back to the think time
        r.scheduler.replan(p);
        QCOMPARE(r.think.dueOf(0), std::optional<TimePoint>(6s));
        p.deadline = 2s;
        r.scheduler.replan(p);
        r.advanceTo(2s);
        QCOMPARE(r.host.doneCalls, 1);
        QCOMPARE(r.host.issued.size(), 1u);
    }

    // A deadline lengthened after the worker was woken for the old one: it sleeps on.
    void wokenForAnOldDeadlineSleepsOnToItsThinkTime()
    {
        Rig r;
        WorkerPlan p = plan(1, 0, 5s);
        p.deadline = 2s;
        r.scheduler.start(p);
        r.finishAt(1s, 0);
        QCOMPARE(r.think.dueOf(0), std::optional<TimePoint>(2s));
        // The replan reaches the scheduler but the fake source still fires the old due.
        r.think.fireLater = true;
        p.deadline = 60s;
        r.scheduler.replan(p);
        r.think.fireLater = false;
        r.clock.set(2s);
        r.think.fire(0);
        QCOMPARE(r.host.issued.size(), 1u);
        QCOMPARE(r.think.dueOf(0), std::optional<TimePoint>(6s));
        r.advanceTo(6s);
        QCOMPARE(r.host.issued.size(), 2u);
        QCOMPARE(r.host.issued[1], (Issue { 0, 6s }));
    }

    // --arrivals go: each worker sleeps until its own slots, every workers / rate from its
    // start (Go: next = next.Add(interval); time.Sleep(time.Until(next))). Ten workers at
    // 1000/s: each sends every 10 ms, and all ten send at the same instants.
    void goArrivalsGiveEachWorkerItsOwnSlots()
    {
        const auto issued = pacedRun(ArrivalModel::Go, 10, 1000.0, 1s);
        QCOMPARE(issued.size(), 1000u); // mean rate: the rate
        std::map<int, std::vector<TimePoint>> perWorker;
        std::map<TimePoint, int> atOnce;
        for (const Issue &i : issued) {
            perWorker[i.worker].push_back(i.at);
            ++atOnce[i.at];
        }
        QCOMPARE(perWorker.size(), 10u);
        for (const auto &[worker, times] : perWorker) {
            QCOMPARE(times.size(), 100u);
            for (std::size_t k = 0; k < times.size(); ++k) {
                QCOMPARE(times[k], TimePoint(static_cast<int>(k) * 10ms));
            }
        }
        QCOMPARE(atOnce.size(), 100u); // 100 instants, all ten workers at each
        for (const auto &[t, n] : atOnce) {
            QCOMPARE(n, 10);
        }
        // Bursts: counts in 1 ms windows are 10 or 0, far from Poisson's 1.
        QVERIFY(gapStats(issued, 1s, 1ms).dispersion > 8.0);
    }

    // Go-paced slots are a time.Sleep: they go through the think source (Go's timer model),
    // Poisson and exact arrivals through the precise pace source.
    void goArrivalsWakeThroughTheThinkTimerModel()
    {
        Rig r;
        r.scheduler.start(plan(2, 0, Duration::zero(), 100.0, ArrivalModel::Go));
        r.finishAt(1ms, 0);
        QCOMPARE(r.think.dueOf(0), std::optional<TimePoint>(20ms)); // 2 workers / 100/s
        QCOMPARE(r.pace.pending(), 0u);
        Rig e;
        e.scheduler.start(plan(2, 0, Duration::zero(), 100.0, ArrivalModel::Poisson));
        QVERIFY(e.pace.pending() > 0 || e.host.issued.size() == 2);
        QCOMPARE(e.think.pending(), 0u);
    }

    // A Go worker that falls behind its slots catches up (time.Until is negative: no sleep),
    // then keeps to its slots again.
    void goArrivalsCatchUpWhenAResponseIsLate()
    {
        Rig r;
        r.scheduler.start(plan(1, 0, Duration::zero(), 100.0, ArrivalModel::Go));
        r.finishAt(25ms, 0); // slot 10 ms already passed: at once
        QCOMPARE(r.host.issued.back(), (Issue { 0, 25ms }));
        r.finishAt(26ms, 0); // slot 20 ms passed too
        QCOMPARE(r.host.issued.back(), (Issue { 0, 26ms }));
        r.finishAt(27ms, 0); // slot 30 ms: sleep until then
        QCOMPARE(r.think.dueOf(0), std::optional<TimePoint>(30ms));
    }

    // --arrivals exact: one slot every 1 / rate over all workers, no two at once.
    void exactArrivalsAreEvenlySpaced()
    {
        const auto issued = pacedRun(ArrivalModel::Exact, 10, 1000.0, 1s);
        QCOMPARE(issued.size(), 1000u);
        const GapStats g = gapStats(issued, 1s, 10ms);
        QCOMPARE(g.mean, 0.001);
        QVERIFY2(g.cv < 1e-6, qPrintable(QString::number(g.cv)));
        QVERIFY2(g.dispersion < 1e-6, qPrintable(QString::number(g.dispersion)));
        std::map<int, int> perWorker;
        for (const Issue &i : issued) {
            ++perWorker[i.worker];
        }
        QCOMPARE(perWorker.size(), 10u);
        for (const auto &[w, n] : perWorker) {
            // With instant answers the workers take turns (worker 0, answered at once at
            // start, books the second slot before the others book theirs).
            QVERIFY2(n >= 99 && n <= 101, qPrintable(QString::number(n)));
        }
    }

    // --arrivals poisson: exponential gaps at the rate (mean 1 / rate, coefficient of
    // variation 1, counts per window with variance = mean), reproducible from the seed.
    // 20 000 gaps: the mean's standard error is 0.7 %, the bounds are over 5 of them.
    void poissonArrivalsHaveExponentialGaps()
    {
        const auto issued = pacedRun(ArrivalModel::Poisson, 10, 1000.0, 20s, 7);
        const double n = static_cast<double>(issued.size());
        QVERIFY2(std::abs(n - 20000.0) < 5 * std::sqrt(20000.0), qPrintable(QString::number(n)));
        const GapStats g = gapStats(issued, 20s, 10ms);
        QVERIFY2(std::abs(g.mean - 0.001) < 0.001 * 0.04, qPrintable(QString::number(g.mean)));
        QVERIFY2(std::abs(g.cv - 1.0) < 0.05, qPrintable(QString::number(g.cv)));
        QVERIFY2(std::abs(g.dispersion - 1.0) < 0.15, qPrintable(QString::number(g.dispersion)));
        std::map<int, int> perWorker;
        for (const Issue &i : issued) {
            ++perWorker[i.worker];
        }
        QCOMPARE(perWorker.size(), 10u); // every worker takes arrivals
        QCOMPARE(pacedRun(ArrivalModel::Poisson, 10, 1000.0, 1s, 7),
            pacedRun(ArrivalModel::Poisson, 10, 1000.0, 1s, 7));
        QVERIFY(pacedRun(ArrivalModel::Poisson, 10, 1000.0, 1s, 7)
            != pacedRun(ArrivalModel::Poisson, 10, 1000.0, 1s, 8));
    }

    // Poisson arrivals are outside traffic: those that came while the only worker was busy
    // queue and go out as soon as it is free, one after the other, and the stream keeps
    // its times (exact slots move back instead: rateSlotsPaceAllWorkersTogether).
    void poissonArrivalsQueueWhileEveryWorkerIsBusy()
    {
        Rig r;
        WorkerPlan p = plan(1, 0, Duration::zero(), 1000.0, ArrivalModel::Poisson);
        p.deadline = 10s;
        r.scheduler.start(p);
        r.finishAt(500ms, 0); // about 500 arrivals came meanwhile
        QCOMPARE(r.host.issued.back().at, TimePoint(500ms)); // the backlog: at once
        r.host.finishAtOnce = [&](int w) {
            r.scheduler.requestFinished(w);
        };
        r.scheduler.requestFinished(0);
        std::size_t backlog = 0;
        for (const Issue &i : r.host.issued) {
            backlog += i.at == TimePoint(500ms);
        }
        QVERIFY2(backlog > 400 && backlog < 600, qPrintable(QString::number(backlog)));
        r.advanceTo(10s);
        const double n = static_cast<double>(r.host.issued.size());
        QVERIFY2(std::abs(n - 10000.0) < 5 * std::sqrt(10000.0), qPrintable(QString::number(n)));
    }

    // Mixed callers: floor(n * share) of n workers, spread over the indices.
    void mixedWorkersAreTheShareSpreadEvenly()
    {
        const auto mixed = [](int n, double share) {
            QList<int> out;
            for (int i = 0; i < n; ++i) {
                if (WorkerScheduler::isMixedWorker(i, share)) {
                    out << i;
                }
            }
            return out;
        };
        QCOMPARE(mixed(10, 0.3), (QList<int> { 3, 6, 9 }));
        QCOMPARE(mixed(10, 0.5), (QList<int> { 1, 3, 5, 7, 9 }));
        QCOMPARE(mixed(4, 0.0), QList<int> {});
        QCOMPARE(mixed(4, 1.0), (QList<int> { 0, 1, 2, 3 }));
        QCOMPARE(mixed(7, 0.25).size(), 1);
        QCOMPARE(mixed(100, 0.1).size(), 10);
        QVERIFY(!WorkerScheduler::isMixedWorker(0, std::numeric_limits<double>::quiet_NaN()));
    }
};

QTEST_GUILESS_MAIN(TestWorkerScheduler)
#include "tst_load_worker_scheduler.moc"
