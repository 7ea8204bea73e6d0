// WakeQueue: think-time and rate-pacing wake-ups, Go's runtime timer model vs precise.
#include "timing/elapsed_clock.h"
#include "timing/wake_queue.h"

#include <QElapsedTimer>
#include <QTest>
#include <vector>

using namespace poolscope;
using namespace std::chrono_literals;

namespace {

struct Wake
{
    int key;
    TimePoint at;
};

} // namespace

class TestWakeQueue : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void goModelWaitsLikeNetpoll_data();
    void goModelWaitsLikeNetpoll();
    void preciseModelWaitsExactly();
    void wakesInDeadlineOrderNeverEarly();
    void goModelNeverWakesBeforeOneMillisecond();
    void replaceAndCancel();
    void handlerMayScheduleAgain();
    void staleEntriesStayBounded();
};

void TestWakeQueue::goModelWaitsLikeNetpoll_data()
{
    QTest::addColumn<qint64>("delayNs");
    QTest::addColumn<qint64>("waitNs");
    // runtime/netpoll_epoll.go: waitms = 1 below 1 ms, else delay / 1e6 truncated.
    QTest::newRow("300us waits 1ms") << qint64(300'000) << qint64(1'000'000);
    QTest::newRow("999us waits 1ms") << qint64(999'999) << qint64(1'000'000);
    QTest::newRow("1ms waits 1ms") << qint64(1'000'000) << qint64(1'000'000);
    QTest::newRow("1.9ms waits 1ms, then again") << qint64(1'900'000) << qint64(1'000'000);
    QTest::newRow("2.5ms waits 2ms") << qint64(2'500'000) << qint64(2'000'000);
    QTest::newRow("overdue runs on the next turn") << qint64(-5) << qint64(1);
    QTest::newRow("due now runs on the next turn") << qint64(0) << qint64(1);
}

void TestWakeQueue::goModelWaitsLikeNetpoll()
{
    QFETCH(qint64, delayNs);
    QFETCH(qint64, waitNs);
    // epoll_wait's timeout gets the timer slack on top of Go's whole milliseconds; a
    // due or overdue timer runs without waiting at all.
    const qint64 slack = waitNs > 1 ? WakeQueue::timerSlack().count() : 0;
    QCOMPARE(WakeQueue::waitFor(TimerModel::Go, Duration(delayNs)).count(), waitNs + slack);
}

void TestWakeQueue::preciseModelWaitsExactly()
{
    QVERIFY(WakeQueue::timerSlack() > Duration(0)); // Linux: 50 us unless changed by prctl
    QCOMPARE(WakeQueue::waitFor(TimerModel::Precise, 300us), Duration(300us));
    QCOMPARE(WakeQueue::waitFor(TimerModel::Precise, 1900us), Duration(1900us));
    QCOMPARE(WakeQueue::waitFor(TimerModel::Precise, Duration(0)), Duration(1));
}

void TestWakeQueue::wakesInDeadlineOrderNeverEarly()
{
    for (TimerModel model : { TimerModel::Go, TimerModel::Precise }) {
        ElapsedClock clock { ElapsedClock::StartNow::Yes };
        std::vector<Wake> wakes;
        WakeQueue q(clock, [&](int key) { wakes.push_back({ key, clock.now() }); });
        q.setModel(model);
        const TimePoint t0 = clock.now();
        const std::vector<Duration> due { 3ms, 500us, 2200us, 1ms, 100us };
        for (std::size_t i = 0; i < due.size(); ++i) {
            q.schedule(int(i), t0 + due[i]);
        }
        QCOMPARE(q.pending(), due.size());
        QTRY_COMPARE_WITH_TIMEOUT(wakes.size(), due.size(), 5000);
        const std::vector<int> order { 4, 1, 3, 2, 0 };
        for (std::size_t i = 0; i < order.size(); ++i) {
            QCOMPARE(wakes[i].key, order[i]);
            QVERIFY2(wakes[i].at >= t0 + due[std::size_t(order[i])], "woke before its deadline");
        }
        QCOMPARE(q.pending(), std::size_t(0));
    }
}

void TestWakeQueue::goModelNeverWakesBeforeOneMillisecond()
{
    // A Go program's time.Sleep(200us) on an idle runtime sleeps at least 1 ms: the
    // same sleep in the precise model may end sooner (not asserted: timing), in the Go
    // model it cannot, because the timerfd never fires early.
    ElapsedClock clock { ElapsedClock::StartNow::Yes };
    std::vector<Wake> wakes;
    WakeQueue q(clock, [&](int key) { wakes.push_back({ key, clock.now() }); });
    q.setModel(TimerModel::Go);
    const TimePoint t0 = clock.now();
    q.schedule(7, t0 + 200us);
    QTRY_COMPARE_WITH_TIMEOUT(wakes.size(), std::size_t(1), 5000);
    QCOMPARE(wakes[0].key, 7);
    QVERIFY2(wakes[0].at - t0 >= 1ms,
        qPrintable(QStringLiteral("woke after %1 us").arg((wakes[0].at - t0).count() / 1000)));
}

void TestWakeQueue::replaceAndCancel()
{
    ElapsedClock clock { ElapsedClock::StartNow::Yes };
    std::vector<Wake> wakes;
    WakeQueue q(clock, [&](int key) { wakes.push_back({ key, clock.now() }); });
    q.setModel(TimerModel::Precise);
    const TimePoint t0 = clock.now();
    q.schedule(1, t0 + 1ms);
    q.schedule(2, t0 + 2ms);
    q.schedule(3, t0 + 3ms);
    q.schedule(1, t0 + 4ms); // replaces key 1's earlier wake-up
    q.cancel(2);
    QVERIFY(!q.isScheduled(2));
    QVERIFY(q.isScheduled(1));
    QCOMPARE(q.pending(), std::size_t(2));
    QTRY_COMPARE_WITH_TIMEOUT(wakes.size(), std::size_t(2), 5000);
    QCOMPARE(wakes[0].key, 3);
    QCOMPARE(wakes[1].key, 1);
    QVERIFY(wakes[1].at >= t0 + 4ms);
    // Nothing else arrives: the cancelled and the replaced entries are gone.
    q.schedule(9, clock.now() + 2ms);
    QTRY_COMPARE_WITH_TIMEOUT(wakes.size(), std::size_t(3), 5000);
    QCOMPARE(wakes[2].key, 9);
    q.schedule(5, clock.now() + 1ms);
    q.clear();
    QCOMPARE(q.pending(), std::size_t(0));
    q.schedule(6, clock.now() + 3ms);
    QTRY_COMPARE_WITH_TIMEOUT(wakes.size(), std::size_t(4), 5000);
    QCOMPARE(wakes[3].key, 6); // 5 was cleared
}

void TestWakeQueue::handlerMayScheduleAgain()
{
    // A worker's next think is scheduled from inside its wake-up, as the engine does.
    ElapsedClock clock { ElapsedClock::StartNow::Yes };
    int rounds = 0;
    WakeQueue *queue = nullptr;
    WakeQueue q(clock, [&](int key) {
        if (++rounds < 5) {
            queue->schedule(key, clock.now() + 300us);
        }
    });
    queue = &q;
    q.setModel(TimerModel::Go);
    const TimePoint t0 = clock.now();
    q.schedule(0, t0);
    QTRY_COMPARE_WITH_TIMEOUT(rounds, 5, 5000);
    QCOMPARE(q.pending(), std::size_t(0));
    // Four sleeps of 300 us, each at least Go's 1 ms poll.
    QVERIFY(clock.now() - t0 >= 4ms);
}

void TestWakeQueue::staleEntriesStayBounded()
{
    ElapsedClock clock { ElapsedClock::StartNow::Yes };
    WakeQueue q(clock, [](int) {});
    q.setModel(TimerModel::Precise);
    // A million replacements of 10 keys far in the future: the lazily pruned heap is
    // compacted, so pending() stays 10 and nothing fires.
    for (int i = 0; i < 1'000'000; ++i) {
        q.schedule(i % 10, clock.now() + std::chrono::hours(1) + Duration(i));
    }
    QCOMPARE(q.pending(), std::size_t(10));
    QVERIFY(q.heapSize() <= 4 * 10 + 64 + 1);
}

QTEST_GUILESS_MAIN(TestWakeQueue)
#include "tst_timing_wake_queue.moc"
