// ThreadSanitizer stress of the GOMAXPROCS engine threads' run queues (core/load/
// run_queues.h): each thread readies callers on its own lane, runs its lane and steals
// from the others at once, as the engine's threads do. A race is a TSan report (which
// fails the test); every caller readied is run exactly once.
#include "load/run_queues.h"

#include <QTest>
#include <atomic>
#include <thread>
#include <vector>

using namespace poolscope;

class TestTsanRunQueues : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void everyCallerRunsOnceUnderStealing()
    {
        constexpr int kThreads = 3;
        constexpr int kPerThread = 20000;
        RunQueues q(kThreads);
        std::vector<std::atomic<int>> ran(kThreads * kPerThread);
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t) {
            threads.emplace_back([&, t] {
                for (int i = 0; i < kPerThread; ++i) {
                    q.put(t, t * kPerThread + i);
                    if (i % 3 == 0) {
                        q.steal(t);
                    }
                    if (i % 2 == 0) {
                        if (const int k = q.pop(t); k >= 0) {
                            ran[static_cast<std::size_t>(k)].fetch_add(1);
                        }
                    }
                }
                for (int k = q.pop(t); k >= 0; k = q.pop(t)) {
                    ran[static_cast<std::size_t>(k)].fetch_add(1);
                }
            });
        }
        for (std::thread &t : threads) {
            t.join();
        }
        for (int t = 0; t < kThreads; ++t) { // what was stolen after a thread finished
            for (int k = q.pop(t); k >= 0; k = q.pop(t)) {
                ran[static_cast<std::size_t>(k)].fetch_add(1);
            }
        }
        int wrong = 0;
        for (const std::atomic<int> &r : ran) {
            wrong += r.load() == 1 ? 0 : 1;
        }
        QCOMPARE(wrong, 0);
    }
};

QTEST_GUILESS_MAIN(TestTsanRunQueues)
#include "tst_tsan_run_queues.moc"
