// core/pool/clock.h: the saturating time arithmetic every `now + d` and every QTimer
// interval goes through (issue 16 #5, #6).
#include "pool/clock.h"

#include <QTest>
#include <limits>

using namespace poolscope;
using namespace std::chrono_literals;

class TestPoolClock : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void addStopsAtTheLimits()
    {
        QCOMPARE(saturatingAdd(TimePoint(5s), Duration(2s)), TimePoint(7s));
        QCOMPARE(saturatingAdd(TimePoint(1s), Duration::max()), Duration::max());
        QCOMPARE(saturatingAdd(Duration::max() - 1s, Duration(10s)), Duration::max());
        QCOMPARE(saturatingAdd(TimePoint(-1s), Duration::min()), Duration::min());
        QCOMPARE(saturatingSub(TimePoint(1s), Duration::max()), TimePoint(1s) - Duration::max());
        QCOMPARE(saturatingSub(TimePoint(-2s), Duration::max()), Duration::min());
        QCOMPARE(saturatingSub(TimePoint(2s), Duration::min()), Duration::max());
        using Steady = std::chrono::steady_clock;
        const Steady::time_point t = Steady::now();
        QCOMPARE(saturatingAdd(t, Steady::duration::max()), Steady::time_point::max());
    }

    void doubleNanosecondsSaturate()
    {
        QCOMPARE(saturatingDuration(1e9 / 100.0), Duration(10ms));
        QCOMPARE(saturatingDuration(1e9 / 1e-10), Duration::max()); // --rate 1e-10
        QCOMPARE(saturatingDuration(9223372036854775808.0), Duration::max());
        QCOMPARE(saturatingDuration(-1e30), Duration::min());
        QCOMPARE(saturatingDuration(std::numeric_limits<double>::quiet_NaN()), Duration::zero());
        QCOMPARE(saturatingDuration(std::numeric_limits<double>::infinity()), Duration::max());
        QCOMPARE(
            saturatingDuration(1e9 / std::numeric_limits<double>::infinity()), Duration::zero());
    }

    void timerIntervalsFitQtsInt()
    {
        QCOMPARE(timerInterval(Duration(-5s)), 0ms);
        QCOMPARE(timerInterval(Duration::zero()), 0ms);
        QCOMPARE(timerInterval(Duration(1)), 1ms); // rounded up: never early
        QCOMPARE(timerInterval(Duration(1500us)), 2ms);
        QCOMPARE(
            timerInterval(Duration(24h * 20) + 1ns), std::chrono::milliseconds(24h * 20) + 1ms);
        QCOMPARE(timerInterval(Duration(24h * 25)), kMaxTimerInterval);
        // 2^32 ms + 1 s: Qt 6.4 took it as 1 s.
        QCOMPARE(timerInterval(std::chrono::milliseconds(4294968296LL)), kMaxTimerInterval);
        QCOMPARE(timerInterval(Duration::max()), kMaxTimerInterval);
        // Below INT_MAX, with room for a coarse timer's rounding to whole seconds.
        QVERIFY(kMaxTimerInterval.count() + 1000 < std::numeric_limits<int>::max());
    }
};

QTEST_GUILESS_MAIN(TestPoolClock)
#include "tst_pool_clock.moc"
