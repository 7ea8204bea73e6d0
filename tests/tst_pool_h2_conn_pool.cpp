// Go 1.19's HTTP/2 connection pool rules (h2_bundle.go), on the fake clock.
#include "pool/clock.h"
#include "pool/h2_conn_pool.h"

#include <QTest>

using namespace poolscope;
using namespace std::chrono_literals;

class TestPoolH2ConnPool : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // upgradeFn -> addConnIfNeeded: the first h2 connection of an authority is used, the
    // ones that finish their handshake while it can take a request are closed unused.
    void startUpRaceKeepsTheFirstConnection()
    {
        FakeClock clock;
        H2ConnPool pool(clock);
        QVERIFY(pool.addConnIfNeeded(0, 1));
        for (ConnId spare = 2; spare <= 10; ++spare) {
            QVERIFY(!pool.addConnIfNeeded(0, spare));
        }
        QCOMPARE(pool.connCount(), std::size_t { 1 });
        // Another authority gets its own.
        QVERIFY(pool.addConnIfNeeded(1, 11));
        QCOMPARE(pool.reserve(0), ConnId { 1 });
        QCOMPARE(pool.reserve(1), ConnId { 11 });
    }

    // CanTakeNewRequest: streams + reserved + 1 <= SETTINGS_MAX_CONCURRENT_STREAMS; with
    // 100 before the server's SETTINGS, 1000 when they do not carry the setting.
    void streamLimitDecidesWhetherARequestTakesTheConnection()
    {
        FakeClock clock;
        H2ConnPool pool(clock);
        pool.addConnIfNeeded(0, 1);
        QCOMPARE(pool.maxConcurrentStreams(1), H2ConnPool::kInitialMaxConcurrentStreams);
        pool.settingsReceived(1, 2);
        QCOMPARE(pool.reserve(0), ConnId { 1 });
        pool.streamOpened(1);
        QCOMPARE(pool.reserve(0), ConnId { 1 });
        QCOMPARE(pool.reservedStreams(), 1);
        QCOMPARE(pool.reserve(0), ConnId { 0 }); // full: the caller dials (Strict false)
        // The full connection lets a second one register.
        QVERIFY(pool.addConnIfNeeded(0, 2));
        QCOMPARE(pool.reserve(0), ConnId { 2 });
        pool.streamOpened(1);
        pool.streamClosed(1);
        QCOMPARE(pool.reserve(0), ConnId { 1 }); // registration order: the first again
        // A later SETTINGS without the field keeps the limit.
        pool.settingsReceived(1, std::nullopt);
        QCOMPARE(pool.maxConcurrentStreams(1), 2u);
        QVERIFY(pool.addConnIfNeeded(2, 3));
        pool.settingsReceived(3, std::nullopt);
        QCOMPARE(pool.maxConcurrentStreams(3), H2ConnPool::kDefaultMaxConcurrentStreams);
    }

    // StrictMaxConcurrentStreams: the connection says it can take the request; the request
    // then waits for a slot instead of a dial.
    void strictWaitsForASlot()
    {
        FakeClock clock;
        H2ConnPool pool(clock);
        pool.setConfig(true, 0s);
        pool.addConnIfNeeded(0, 1);
        pool.settingsReceived(1, 1);
        QCOMPARE(pool.reserve(0), ConnId { 1 });
        QVERIFY(pool.slotOpen(1));
        pool.streamOpened(1);
        QCOMPARE(pool.reserve(0), ConnId { 1 }); // no dial
        QVERIFY(!pool.slotOpen(1)); // waits
        QVERIFY(!pool.addConnIfNeeded(0, 2)); // a spare dial is still not needed
        pool.streamClosed(1);
        QVERIFY(pool.slotOpen(1));
    }

    // What the charts and `run --json` read: streams now and at their peak (total and on one
    // connection), connections registered, the server's limit, whether a request that
    // found no connection did so because one is at its limit, and the time-weighted mean
    // of streams per open connection.
    void peaksAndStreamsPerConnection()
    {
        FakeClock clock;
        H2ConnPool pool(clock);
        QVERIFY(pool.addConnIfNeeded(0, 1));
        pool.settingsReceived(1, 2);
        QVERIFY(!pool.hasConnAtStreamLimit(0));
        for (int i = 0; i < 2; ++i) {
            QCOMPARE(pool.reserve(0), ConnId { 1 });
            pool.streamOpened(1);
        }
        QVERIFY(pool.hasConnAtStreamLimit(0)); // 2 + 0 + 1 > 2
        QCOMPARE(pool.reserve(0), ConnId { 0 });
        QVERIFY(pool.addConnIfNeeded(0, 2));
        QCOMPARE(pool.reserve(0), ConnId { 2 });
        pool.streamOpened(2);
        QCOMPARE(pool.activeStreams(), 3);
        QCOMPARE(pool.maxStreamsPerConn(), 2);
        clock.advance(1s); // 2 connections, 3 streams for 1 s
        pool.streamClosed(1);
        pool.streamClosed(1);
        QCOMPARE(pool.maxStreamsPerConn(), 1);
        clock.advance(1s); // 2 connections, 1 stream for 1 s
        pool.remove(2); // its stream goes with it
        QCOMPARE(pool.activeStreams(), 0);
        const H2ConnPool::Peaks p = pool.peaks();
        QCOMPARE(p.connsEver, std::uint64_t { 2 });
        QCOMPARE(p.conns, 2);
        QCOMPARE(p.streams, 3);
        QCOMPARE(p.perConn, 2);
        QCOMPARE(p.perConnAfterSettings, 2);
        QCOMPARE(p.serverMaxStreams, 2u);
        QCOMPARE(p.streamSeconds / p.connSeconds, (3.0 + 1.0) / (2.0 + 2.0));
        // A connection going away is not "at its limit": nothing a dial would wait behind.
        QVERIFY(pool.addConnIfNeeded(1, 3));
        pool.settingsReceived(3, 1);
        QCOMPARE(pool.reserve(1), ConnId { 3 });
        pool.streamOpened(3);
        QVERIFY(pool.hasConnAtStreamLimit(1));
        pool.goAwayReceived(3);
        QVERIFY(!pool.hasConnAtStreamLimit(1));
        // Before the server's SETTINGS a connection takes up to 100 streams (Go's
        // http2initialMaxConcurrentStreams): counted per connection, not after SETTINGS.
        QVERIFY(pool.addConnIfNeeded(2, 4));
        for (int i = 0; i < 5; ++i) {
            QCOMPARE(pool.reserve(2), ConnId { 4 });
            pool.streamOpened(4);
        }
        QCOMPARE(pool.peaks().perConn, 5);
        QCOMPARE(pool.peaks().perConnAfterSettings, 2);
    }

    // GOAWAY: no new requests; the connection closes when its last stream ends.
    void goAwayDrains()
    {
        FakeClock clock;
        H2ConnPool pool(clock);
        pool.addConnIfNeeded(0, 1);
        pool.reserve(0);
        pool.streamOpened(1);
        pool.goAwayReceived(1);
        QCOMPARE(pool.reserve(0), ConnId { 0 });
        QVERIFY(pool.takeDueCloses().empty()); // a stream is still open
        QVERIFY(pool.addConnIfNeeded(0, 2)); // the next dial is used
        pool.streamClosed(1);
        const auto due = pool.takeDueCloses();
        QCOMPARE(due.size(), std::size_t { 1 });
        QCOMPARE(due.front().first, ConnId { 1 });
        QCOMPARE(due.front().second, CloseReason::H2GoAway);
        QVERIFY(!pool.contains(1));
        QCOMPARE(pool.reserve(0), ConnId { 2 });
    }

    // IdleConnTimeout: a connection without streams closes once it has been idle that long;
    // a stream in between restarts the count.
    void idleTimeoutClosesIdleConnections()
    {
        FakeClock clock;
        H2ConnPool pool(clock);
        pool.setConfig(false, 90s);
        pool.addConnIfNeeded(0, 1);
        QCOMPARE(pool.nextDeadline(), std::optional<TimePoint>(90s));
        clock.advance(60s);
        pool.reserve(0);
        pool.streamOpened(1);
        QVERIFY(!pool.nextDeadline());
        clock.advance(10s);
        pool.streamClosed(1);
        QCOMPARE(pool.nextDeadline(), std::optional<TimePoint>(160s));
        clock.advance(89s);
        QVERIFY(pool.takeDueCloses().empty());
        clock.advance(1s);
        const auto due = pool.takeDueCloses();
        QCOMPARE(due.size(), std::size_t { 1 });
        QCOMPARE(due.front().second, CloseReason::H2IdleTimeout);
        QCOMPARE(pool.connCount(), std::size_t { 0 });
    }

    // Without an IdleConnTimeout an idle h2 connection stays.
    void noIdleTimeoutKeepsConnections()
    {
        FakeClock clock;
        H2ConnPool pool(clock);
        pool.addConnIfNeeded(0, 1);
        QVERIFY(!pool.nextDeadline());
        clock.advance(1h);
        QVERIFY(pool.takeDueCloses().empty());
        QCOMPARE(pool.reserve(0), ConnId { 1 });
    }
};

QTEST_GUILESS_MAIN(TestPoolH2ConnPool)
#include "tst_pool_h2_conn_pool.moc"
