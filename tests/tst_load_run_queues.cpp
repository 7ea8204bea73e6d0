// The GOMAXPROCS engine threads' run queues (core/load/run_queues.h) and the wake source
// that splits a think-time burst over the threads (core/load/stealing_wake_source.h): the
// order of Go's runqput(next=true) / runqget, runqgrab's half from the head, and a burst
// of callers woken on thread 0 run half there and half on thread 1.
#include "load/engine_threads.h"
#include "load/run_queues.h"
#include "load/stealing_wake_source.h"
#include "timing/elapsed_clock.h"

#include <QTest>
#include <QThread>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <vector>

using namespace poolscope;
using namespace std::chrono_literals;

namespace {

std::vector<int> drain(RunQueues &q, int lane)
{
    std::vector<int> keys;
    for (int k = q.pop(lane); k >= 0; k = q.pop(lane)) {
        keys.push_back(k);
    }
    return keys;
}

// Never used: the source is attached in these tests.
class NoWake final : public WakeSource
{
public:
    void setHandler(Handler) override { }
    void schedule(int, TimePoint) override { ++scheduled; }
    void clear() override { }
    int scheduled = 0;
};

// Which thread ran each woken key, in the order they ran.
struct Runs
{
    std::mutex mutex;
    std::condition_variable changed;
    std::vector<std::pair<int, int>> runs; // (key, thread index)

    void add(int key, int thread)
    {
        const std::scoped_lock l(mutex);
        runs.emplace_back(key, thread);
        changed.notify_all();
    }
    std::vector<int> keysOf(int thread)
    {
        const std::scoped_lock l(mutex);
        std::vector<int> keys;
        for (const auto &[key, t] : runs) {
            if (t == thread) {
                keys.push_back(key);
            }
        }
        return keys;
    }
    std::size_t size()
    {
        const std::scoped_lock l(mutex);
        return runs.size();
    }
};

} // namespace

class TestRunQueues : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void runnextRunsFirstThenTheQueueInOrder()
    {
        RunQueues q(2);
        for (int k = 1; k <= 4; ++k) {
            q.put(0, k); // each into runnext, the one before kicked to the tail
        }
        QCOMPARE(q.stealable(0), std::size_t(3));
        QCOMPARE(drain(q, 0), (std::vector<int> { 4, 1, 2, 3 }));
        QCOMPARE(q.pop(0), -1);
    }

    void aThiefTakesHalfFromTheHeadNeverRunnext()
    {
        RunQueues q(2);
        for (int k = 0; k < 8; ++k) {
            q.put(0, k); // queue 0..6, runnext 7
        }
        QCOMPARE(q.steal(1), 4); // n - n/2 of 7
        QCOMPARE(drain(q, 1), (std::vector<int> { 0, 1, 2, 3 }));
        QCOMPARE(drain(q, 0), (std::vector<int> { 7, 4, 5, 6 }));

        q.put(0, 9); // runnext only: the thread that readied it runs it
        QCOMPARE(q.steal(1), 0);
        q.put(0, 10); // queue [9], runnext 10: one to take (1 - 1/2)
        QCOMPARE(q.steal(1), 1);
        QCOMPARE(drain(q, 1), (std::vector<int> { 9 }));
        QCOMPARE(drain(q, 0), (std::vector<int> { 10 }));
    }

    void aThiefTriesTheOtherLanesInTurn()
    {
        RunQueues q(3);
        q.put(2, 20);
        q.put(2, 21);
        q.put(2, 22); // lane 2: queue 20, 21; runnext 22
        QCOMPARE(q.steal(0), 1); // lane 1 has nothing, lane 2 gives 2 - 1
        QCOMPARE(drain(q, 0), (std::vector<int> { 20 }));
        q.clear();
        QCOMPARE(q.pop(2), -1);
        QCOMPARE(q.steal(0), 0);
        QCOMPARE(q.steal(7), 0); // not a lane
    }

    // Eight callers due at once on thread 0's queue: thread 0 runs runnext (the last
    // woken) and, while it does, thread 1 takes half of the seven queued from the head.
    void aBurstSplitsOverTwoThreads()
    {
        ElapsedClock clock(ElapsedClock::StartNow::Yes);
        PoolLock lock; // not shared: the handlers below need no lock of the engine's
        NoWake inner;
        EngineThreads threads(2);
        StealingWakeSource source(inner, clock, lock);
        Runs runs;
        std::atomic<bool> heldBack { false };
        source.setHandler([&](int key) {
            const int here = threads.current();
            runs.add(key, here);
            if (here == 0 && !heldBack.exchange(true)) {
                // The first caller thread 0 runs keeps it busy until thread 1 stole (at
                // most 10 s: a machine that slow fails the split below).
                std::unique_lock l(runs.mutex);
                runs.changed.wait_for(l, 10s, [&] {
                    return std::any_of(runs.runs.begin(), runs.runs.end(),
                        [](const auto &r) { return r.second == 1; });
                });
            }
        });
        source.attach(&threads, TimerModel::Precise);
        const TimePoint due = clock.now();
        for (int k = 0; k < 8; ++k) {
            source.schedule(k, due); // all due: one firing wakes them all
        }
        QTRY_COMPARE_WITH_TIMEOUT(runs.size(), std::size_t(8), 20000);
        QCOMPARE(runs.keysOf(0), (std::vector<int> { 7, 4, 5, 6 }));
        QCOMPARE(runs.keysOf(1), (std::vector<int> { 0, 1, 2, 3 }));
        QCOMPARE(inner.scheduled, 0);
        source.detach();
    }

    // A caller that pauses on thread 1 sleeps on thread 1's queue and wakes there; a
    // cleared wake-up never comes; detached, everything goes to the inner source.
    void aCallerWakesOnTheThreadItPausedOn()
    {
        ElapsedClock clock(ElapsedClock::StartNow::Yes);
        PoolLock lock;
        NoWake inner;
        EngineThreads threads(2);
        StealingWakeSource source(inner, clock, lock);
        Runs runs;
        source.setHandler([&](int key) { runs.add(key, threads.current()); });
        source.attach(&threads, TimerModel::Go);
        threads.runBlocking(1, [&] {
            source.schedule(1, clock.now());
            source.clear(); // dropped before it fires
            source.schedule(2, clock.now() + 2ms);
        });
        QTRY_COMPARE_WITH_TIMEOUT(runs.size(), std::size_t(1), 10000);
        QCOMPARE(runs.keysOf(1), (std::vector<int> { 2 }));
        // Moved: the wake-up left on thread 1's queue is stale, the one on thread 0 counts.
        threads.runBlocking(1, [&] { source.schedule(3, clock.now() + 1ms); });
        source.schedule(3, clock.now());
        source.schedule(4, clock.now() + 3ms);
        QTRY_COMPARE_WITH_TIMEOUT(runs.size(), std::size_t(3), 10000);
        QCOMPARE(runs.keysOf(0), (std::vector<int> { 3, 4 }));
        QCOMPARE(runs.keysOf(1), (std::vector<int> { 2 }));
        source.detach();
        source.schedule(5, clock.now());
        QCOMPARE(inner.scheduled, 1);
    }
};

QTEST_GUILESS_MAIN(TestRunQueues)
#include "tst_load_run_queues.moc"
