// Go http.Transport pool rules on the sans-IO pool, driven with a fake clock.
#include "pool/pool.h"
#include "support/pool_rig.h"

#include <QTest>
#include <algorithm>

using namespace poolscope;

using poolscope::testsupport::eventsOf;
using poolscope::testsupport::PoolRig;

class TestPoolTransport : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void factoryValuesMatchGo()
    {
        const auto d = TransportConfig::goDefault();
        QCOMPARE(d.maxIdleConns, 100);
        QCOMPARE(d.maxIdleConnsPerHost, 0);
        QCOMPARE(d.effectiveMaxIdleConnsPerHost(), 2);
        QCOMPARE(d.idleConnTimeout, Duration(90s));
        QCOMPARE(d.tlsHandshakeTimeout, Duration(10s));
        QCOMPARE(d.expectContinueTimeout, Duration(1s));
        QCOMPARE(d.dialTimeout, Duration(30s));
        QCOMPARE(d.keepAlive, Duration(30s));
        const auto z = TransportConfig::zero();
        QCOMPARE(z.maxIdleConns, 0);
        QCOMPARE(z.idleConnTimeout, Duration(0));
        QCOMPARE(z.effectiveMaxIdleConnsPerHost(), 2);
        TransportConfig neg;
        neg.maxIdleConnsPerHost = -1;
        QCOMPARE(neg.effectiveMaxIdleConnsPerHost(), 0);
    }

    void keepAliveResolution_data()
    {
        QTest::addColumn<int>("goVersion");
        QTest::addColumn<qint64>("keepAliveMs");
        QTest::addColumn<bool>("cfgEnable");
        QTest::addColumn<qint64>("idleMs");
        QTest::addColumn<qint64>("intervalMs");
        QTest::addColumn<int>("count");
        QTest::addColumn<bool>("enable");
        QTest::addColumn<int>("idleS");
        QTest::addColumn<int>("intervalS");
        QTest::addColumn<int>("countOut");
        const int go23 = int(GoVersion::Go1_23);
        const int go19 = int(GoVersion::Go1_19);
        // Go 1.23, DefaultTransport's dialer: KeepAlive 30 s -> Idle 30, Interval 15, Count 9.
        QTest::newRow("1.23 default-30s")
            << go23 << 30000LL << false << 0LL << 0LL << 0 << true << 30 << 15 << 9;
        QTest::newRow("1.23 zero-dialer")
            << go23 << 0LL << false << 0LL << 0LL << 0 << true << 15 << 15 << 9;
        QTest::newRow("1.23 negative-off")
            << go23 << -1LL << false << 0LL << 0LL << 0 << false << -1 << -1 << -1;
        QTest::newRow("1.23 config-wins")
            << go23 << -1LL << true << 1000LL << 1000LL << 3 << true << 1 << 1 << 3;
        QTest::newRow("1.23 config-negative-leaves")
            << go23 << 30000LL << true << -1LL << 5000LL << -1 << true << -1 << 5 << -1;
        QTest::newRow("1.23 round-up")
            << go23 << 1500LL << false << 0LL << 0LL << 0 << true << 2 << 15 << 9;
        // Go 1.19's setKeepAlivePeriod: idle and interval both the period, count the kernel's.
        QTest::newRow("1.19 default-30s")
            << go19 << 30000LL << false << 0LL << 0LL << 0 << true << 30 << 30 << -1;
        QTest::newRow("1.19 zero-dialer")
            << go19 << 0LL << false << 0LL << 0LL << 0 << true << 15 << 15 << -1;
        QTest::newRow("1.19 negative-off")
            << go19 << -1LL << false << 0LL << 0LL << 0 << false << -1 << -1 << -1;
        QTest::newRow("1.19 round-up")
            << go19 << 1500LL << false << 0LL << 0LL << 0 << true << 2 << 2 << -1;
        // KeepAliveConfig exists from Go 1.23 on: enabled, it is resolved as 1.23 does.
        QTest::newRow("1.19 config-wins")
            << go19 << -1LL << true << 1000LL << 1000LL << 3 << true << 1 << 1 << 3;
    }
    void keepAliveResolution()
    {
        QFETCH(int, goVersion);
        QFETCH(qint64, keepAliveMs);
        QFETCH(bool, cfgEnable);
        QFETCH(qint64, idleMs);
        QFETCH(qint64, intervalMs);
        QFETCH(int, count);
        TransportConfig c;
        c.goVersion = static_cast<GoVersion>(goVersion);
        c.keepAlive = std::chrono::milliseconds(keepAliveMs);
        c.keepAliveConfig = KeepAliveConfig { cfgEnable, std::chrono::milliseconds(idleMs),
            std::chrono::milliseconds(intervalMs), count };
        const auto ka = c.effectiveKeepAlive();
        QTEST(ka.enable, "enable");
        QTEST(ka.idleSeconds, "idleS");
        QTEST(ka.intervalSeconds, "intervalS");
        QTEST(ka.count, "countOut");
    }

    void sequentialRequestsReuseOneConnection()
    {
        PoolRig rig;
        auto &[clock, rec, pool, d] = rig;
        const HostId h = pool.hostId("http://127.0.0.1:8080");
        for (int i = 0; i < 100; ++i) {
            ReqId r = d.get(h);
            d.completeDials();
            QVERIFY(d.got.count(r));
            clock.advance(1ms);
            d.release(r);
        }
        QCOMPARE(pool.counters().dials, 1u);
        QCOMPARE(pool.counters().reused, 99u);
        QCOMPARE(pool.counters().fresh, 1u);
        QCOMPARE(pool.counters().closed, 0u);
        QCOMPARE(pool.hostCounters(h).idle, 1);
    }

    void perHostIdleCapClosesSurplus_data()
    {
        QTest::addColumn<int>("maxIdlePerHost");
        QTest::addColumn<int>("idle");
        QTest::addColumn<int>("closed");
        QTest::newRow("default 2") << 0 << 2 << 8;
        QTest::newRow("raised to 10") << 10 << 10 << 0;
    }
    void perHostIdleCapClosesSurplus()
    {
        QFETCH(int, maxIdlePerHost);
        auto cfg = TransportConfig::goDefault();
        cfg.maxIdleConnsPerHost = maxIdlePerHost;
        PoolRig rig(cfg);
        auto &[clock, rec, pool, d] = rig;
        const HostId h = pool.hostId("http://127.0.0.1:8080");
        std::vector<ReqId> reqs;
        for (int i = 0; i < 10; ++i) {
            reqs.push_back(d.get(h));
        }
        QCOMPARE(pool.hostCounters(h).waiting, 10);
        QCOMPARE(pool.hostCounters(h).dialing, 10);
        d.completeDials();
        QCOMPARE(pool.hostCounters(h).active, 10);
        for (ReqId r : reqs) {
            d.release(r);
        }
        QTEST(pool.hostCounters(h).idle, "idle");
        QTEST(d.closesWith(CloseReason::TooManyIdleHost), "closed");
        QTEST(static_cast<int>(pool.counters().closes(CloseReason::TooManyIdleHost)), "closed");
    }

    // releaseConn says whether the returned connection was kept (idle or handed to a
    // waiter) or closed: the engine resumes a caller whose connection was closed only after
    // the other responses of its event-loop pass, as Go's caller waits behind the
    // readLoop's pc.close() (tests/conformance, no-think rows).
    void releaseSaysKeptOrClosed()
    {
        PoolRig rig(TransportConfig::goDefault()); // MaxIdleConnsPerHost 0 -> 2
        auto &[clock, rec, pool, d] = rig;
        const HostId h = pool.hostId("http://127.0.0.1:8080");
        std::vector<ReqId> reqs;
        for (int i = 0; i < 5; ++i) {
            reqs.push_back(d.get(h));
        }
        d.completeDials();
        std::vector<bool> kept;
        for (ReqId r : reqs) {
            kept.push_back(pool.releaseConn(d.got.at(r), true));
            d.drain();
        }
        // Two fit under the cap; the third, fourth and fifth get errTooManyIdleHost.
        QCOMPARE(kept, (std::vector<bool> { true, true, false, false, false }));
        QCOMPARE(d.closesWith(CloseReason::TooManyIdleHost), 3);

        // Connection: close from the server: closed, whatever the idle list holds.
        const ReqId a = d.get(h); // takes an idle one
        QVERIFY(!pool.releaseConn(d.got.at(a), false, CloseReason::ConnectionCloseResponse));
        d.drain();
        QCOMPARE(d.closesWith(CloseReason::ConnectionCloseResponse), 1);

        // Handed to a waiting request: kept, even with the idle list full.
        const ReqId b = d.get(h); // the last idle one
        const ReqId c = d.get(h); // dials
        d.completeDials();
        QCOMPARE(pool.hostCounters(h).idle, 0);
        const ReqId waiter = d.get(h); // idle list empty: waits and dials
        QCOMPARE(d.pendingDials.size(), std::size_t(1));
        QVERIFY(pool.releaseConn(d.got.at(b), true));
        d.drain();
        QCOMPARE(d.got.at(waiter), d.got.at(b));
        QVERIFY(pool.releaseConn(d.got.at(c), true)); // idle 1 of 2
        d.drain();

        // Unknown or already released connections: nothing kept.
        QVERIFY(!pool.releaseConn(d.got.at(c), true));
        QVERIFY(!pool.releaseConn(ConnId(99999), true));
    }

    void globalIdleLimitEvictsOldestAcrossHosts()
    {
        auto cfg = TransportConfig::goDefault();
        cfg.maxIdleConns = 5;
        cfg.maxIdleConnsPerHost = 10;
        PoolRig rig(cfg);
        auto &[clock, rec, pool, d] = rig;
        const HostId hosts[3]
            = { pool.hostId("http://a:1"), pool.hostId("http://b:2"), pool.hostId("http://c:3") };
        // Two connections per host, all in flight, then returned one by one.
        std::vector<ReqId> reqs;
        for (HostId h : hosts) {
            reqs.push_back(d.get(h));
            reqs.push_back(d.get(h));
        }
        d.completeDials();
        std::vector<ConnId> order;
        for (ReqId r : reqs) {
            order.push_back(d.got.at(r));
            clock.advance(1s);
            d.release(r);
        }
        // 6 returned, limit 5: the first one returned (host a) is evicted.
        QCOMPARE(pool.counters().now.idle, 5);
        QCOMPARE(d.closesWith(CloseReason::TooManyIdle), 1);
        QCOMPARE(d.closes.front().conn, order.front());
        QCOMPARE(pool.hostCounters(hosts[0]).idle, 1);
        QCOMPARE(pool.hostCounters(hosts[1]).idle, 2);
        QCOMPARE(pool.hostCounters(hosts[2]).idle, 2);
    }

    void maxConnsPerHostQueuesInOrder()
    {
        auto cfg = TransportConfig::goDefault();
        cfg.maxConnsPerHost = 2;
        PoolRig rig(cfg);
        auto &[clock, rec, pool, d] = rig;
        const HostId h = pool.hostId("http://127.0.0.1:8080");
        std::vector<ReqId> reqs;
        for (int i = 0; i < 10; ++i) {
            reqs.push_back(d.get(h));
        }
        QCOMPARE(pool.counters().dials, 2u);
        QCOMPARE(pool.hostCounters(h).queuedForDial, 8);
        QCOMPARE(pool.hostCounters(h).waiting, 10);
        d.completeDials();
        std::vector<ReqId> served;
        // Finish requests in the order they were served; each returned connection
        // goes to the oldest waiter.
        for (std::size_t i = 0; i < reqs.size(); ++i) {
            ReqId r = reqs[i];
            QVERIFY2(d.got.count(r), "waiters must be served in arrival order");
            served.push_back(r);
            d.release(r);
            QVERIFY(pool.counters().now.dialing + pool.counters().now.open() <= 2);
        }
        QCOMPARE(served, reqs);
        QCOMPARE(pool.counters().dials, 2u);
        QCOMPARE(d.maxOpenSeen, 2);
        QCOMPARE(pool.counters().idleHandoffs, 8u);
        QCOMPARE(pool.hostCounters(h).waiting, 0);
        QCOMPARE(pool.hostCounters(h).queuedForDial, 0);
    }

    void closedConnectionFreesSlotForQueuedDial()
    {
        auto cfg = TransportConfig::goDefault();
        cfg.maxConnsPerHost = 1;
        PoolRig rig(cfg);
        auto &[clock, rec, pool, d] = rig;
        const HostId h = pool.hostId("http://x:1");
        ReqId a = d.get(h);
        ReqId b = d.get(h);
        QCOMPARE(pool.counters().dials, 1u);
        d.completeDials();
        // A's response says Connection: close: the slot goes to B's dial.
        d.release(a, false, CloseReason::ConnectionCloseResponse);
        QCOMPARE(pool.counters().dials, 2u);
        QCOMPARE(pool.hostCounters(h).queuedForDial, 0);
        d.completeDials();
        QVERIFY(d.got.count(b));
        QVERIFY(!d.delivered.at(b).reused);
    }

    // dialConnFor: a failed dial gives its slot back (decConnsPerHost) to the oldest request
    // queued for one, while its own request gets the error.
    void failedDialFreesSlotForQueuedDial()
    {
        auto cfg = TransportConfig::goDefault();
        cfg.maxConnsPerHost = 1;
        PoolRig rig(cfg);
        auto &[clock, rec, pool, d] = rig;
        const HostId h = pool.hostId("http://x:1");
        const ReqId a = d.get(h);
        const ReqId b = d.get(h);
        QCOMPARE(pool.hostCounters(h).queuedForDial, 1);
        const ConnId failing = d.pendingDials.front();
        d.pendingDials.clear();
        pool.dialFailed(failing, CloseReason::DialFailed);
        d.drain();
        QCOMPARE(d.failed.size(), std::size_t(1));
        QCOMPARE(d.failed.front().req, a);
        QCOMPARE(pool.counters().dials, 2u);
        QCOMPARE(pool.hostCounters(h).queuedForDial, 0);
        d.completeDials();
        QVERIFY(d.got.count(b));
    }

    void raisingMaxConnsPerHostStartsQueuedDials()
    {
        auto cfg = TransportConfig::goDefault();
        cfg.maxConnsPerHost = 1;
        PoolRig rig(cfg);
        auto &[clock, rec, pool, d] = rig;
        const HostId h = pool.hostId("http://x:1");
        for (int i = 0; i < 4; ++i) {
            d.get(h);
        }
        QCOMPARE(pool.counters().dials, 1u);
        cfg.maxConnsPerHost = 3;
        pool.setConfig(cfg);
        d.drain();
        QCOMPARE(pool.counters().dials, 3u);
        QCOMPARE(pool.hostCounters(h).queuedForDial, 1);
    }

    // Live reconfiguration (PoolScope's, Go has none): MaxConnsPerHost 0 means unlimited, so
    // every request queued for a slot dials at once, without waiting for a close.
    void raisingMaxConnsPerHostToUnlimitedDialsEveryQueuedRequest()
    {
        auto cfg = TransportConfig::goDefault();
        cfg.maxConnsPerHost = 1;
        PoolRig rig(cfg);
        auto &[clock, rec, pool, d] = rig;
        const HostId h = pool.hostId("http://x:1");
        std::vector<ReqId> reqs;
        for (int i = 0; i < 4; ++i) {
            reqs.push_back(d.get(h));
        }
        QCOMPARE(pool.hostCounters(h).queuedForDial, 3);
        cfg.maxConnsPerHost = 0;
        pool.setConfig(cfg);
        d.drain();
        QCOMPARE(pool.counters().dials, 4u);
        QCOMPARE(pool.hostCounters(h).queuedForDial, 0);
        QCOMPARE(pool.hostCounters(h).dialing, 4);
        d.completeDials();
        for (ReqId r : reqs) {
            QVERIFY(d.got.count(r));
            QVERIFY(!d.delivered.at(r).reused);
        }
        QCOMPARE(pool.hostCounters(h).active, 4);
        QCOMPARE(pool.hostCounters(h).waiting, 0);
    }

    void idleTimeoutClosesAtExactly90s()
    {
        PoolRig rig; // DefaultTransport: IdleConnTimeout 90 s
        auto &[clock, rec, pool, d] = rig;
        const HostId h = pool.hostId("http://x:1");
        ReqId r = d.get(h);
        d.completeDials();
        d.release(r);
        QCOMPARE(pool.nextDeadline().value(), TimePoint(90s));
        clock.advance(90s - 1ns);
        pool.advance();
        d.drain();
        QCOMPARE(pool.hostCounters(h).idle, 1);
        QCOMPARE(d.closesWith(CloseReason::IdleTimeout), 0);
        clock.advance(1ns);
        pool.advance();
        d.drain();
        QCOMPARE(pool.hostCounters(h).idle, 0);
        QCOMPARE(d.closesWith(CloseReason::IdleTimeout), 1);
        QVERIFY(!pool.nextDeadline().has_value());
    }

    void expiredIdleIsNotHandedOut()
    {
        // Go's queueForIdleConn drops a connection older than IdleConnTimeout even
        // when its timer has not fired yet.
        PoolRig rig;
        auto &[clock, rec, pool, d] = rig;
        const HostId h = pool.hostId("http://x:1");
        ReqId r = d.get(h);
        d.completeDials();
        d.release(r);
        clock.advance(91s);
        ReqId r2 = d.get(h);
        QCOMPARE(d.closesWith(CloseReason::IdleTimeout), 1);
        QCOMPARE(pool.counters().dials, 2u);
        QVERIFY(!d.got.count(r2));
    }

    void waiterTakesReturnedConnectionBeforeItsDial_data()
    {
        QTest::addColumn<int>("maxIdlePerHost");
        QTest::addColumn<int>("idleAfter");
        QTest::addColumn<int>("tooManyIdle");
        QTest::newRow("late dial kept idle") << 0 << 2 << 0;
        QTest::newRow("late dial closed at cap 1") << 1 << 1 << 1;
    }
    void waiterTakesReturnedConnectionBeforeItsDial()
    {
        QFETCH(int, maxIdlePerHost);
        auto cfg = TransportConfig::goDefault();
        cfg.maxIdleConnsPerHost = maxIdlePerHost;
        PoolRig rig(cfg);
        auto &[clock, rec, pool, d] = rig;
        const HostId h = pool.hostId("http://x:1");
        ReqId a = d.get(h);
        d.completeDials();
        const ConnId first = d.got.at(a);
        ReqId b = d.get(h); // no idle: waits and dials
        QCOMPARE(d.pendingDials.size(), std::size_t(1));
        const ConnId lateDial = d.pendingDials.front();
        d.release(a); // A's connection comes back first and goes to B
        QCOMPARE(d.got.at(b), first);
        QVERIFY(d.delivered.at(b).reused);
        QVERIFY(!d.delivered.at(b).wasIdle);
        QCOMPARE(pool.counters().idleHandoffs, 1u);
        d.completeDials(); // the late dial is offered to the pool
        QCOMPARE(pool.counters().dials, 2u);
        d.release(b);
        QTEST(pool.hostCounters(h).idle, "idleAfter");
        QTEST(d.closesWith(CloseReason::TooManyIdleHost), "tooManyIdle");
        if (maxIdlePerHost == 0) {
            QCOMPARE(pool.connState(lateDial), std::optional<ConnState>(ConnState::Idle));
        }
    }

    void idleReuseIsLifo()
    {
        PoolRig rig;
        auto &[clock, rec, pool, d] = rig;
        const HostId h = pool.hostId("http://x:1");
        ReqId a = d.get(h);
        ReqId b = d.get(h);
        d.completeDials();
        d.release(a);
        clock.advance(1s);
        d.release(b);
        ReqId c = d.get(h);
        QCOMPARE(d.got.at(c), d.got.at(b));
        QVERIFY(d.delivered.at(c).wasIdle);
        QCOMPARE(d.delivered.at(c).idleTime, TimePoint(0));
    }

    void disableKeepAlivesUsesEachConnectionOnce()
    {
        auto cfg = TransportConfig::goDefault();
        cfg.disableKeepAlives = true;
        PoolRig rig(cfg);
        auto &[clock, rec, pool, d] = rig;
        const HostId h = pool.hostId("http://x:1");
        for (int i = 0; i < 20; ++i) {
            ReqId r = d.get(h);
            d.completeDials();
            d.release(r);
        }
        QCOMPARE(pool.counters().dials, 20u);
        QCOMPARE(pool.counters().reused, 0u);
        QCOMPARE(d.closesWith(CloseReason::KeepAlivesDisabled), 20);
        QCOMPARE(pool.hostCounters(h).idle, 0);
    }

    void negativeMaxIdlePerHostNeverKeepsOrHandsOff()
    {
        auto cfg = TransportConfig::goDefault();
        cfg.maxIdleConnsPerHost = -1;
        PoolRig rig(cfg);
        auto &[clock, rec, pool, d] = rig;
        const HostId h = pool.hostId("http://x:1");
        ReqId a = d.get(h);
        d.completeDials();
        ReqId b = d.get(h); // waits with its own dial
        d.release(a);
        QVERIFY2(!d.got.count(b), "errKeepAlivesDisabled comes before the hand-off");
        QCOMPARE(d.closesWith(CloseReason::KeepAlivesDisabled), 1);
        d.completeDials();
        QVERIFY(d.got.count(b));
        d.release(b);
        QCOMPARE(pool.hostCounters(h).idle, 0);
        QCOMPARE(pool.counters().dials, 2u);
    }

    void loweringPerHostCapAppliesOnNextPut()
    {
        auto cfg = TransportConfig::goDefault();
        cfg.maxIdleConnsPerHost = 10;
        PoolRig rig(cfg);
        auto &[clock, rec, pool, d] = rig;
        const HostId h = pool.hostId("http://x:1");
        std::vector<ReqId> reqs;
        for (int i = 0; i < 6; ++i) {
            reqs.push_back(d.get(h));
        }
        d.completeDials();
        for (int i = 0; i < 5; ++i) {
            d.release(reqs[i]);
        }
        QCOMPARE(pool.hostCounters(h).idle, 5);
        cfg.maxIdleConnsPerHost = 2;
        pool.setConfig(cfg);
        d.drain();
        QCOMPARE(pool.hostCounters(h).idle, 5); // Go leaves existing idle connections alone
        d.release(reqs[5]);
        QCOMPARE(d.closesWith(CloseReason::TooManyIdleHost), 1);
        QCOMPARE(pool.hostCounters(h).idle, 5);
    }

    // httptrace: PutIdleConn(err) fires for every failed put except errKeepAlivesDisabled
    // (Go's readLoop tryPutIdleConn), whichever knob disabled them.
    void putIdleConnNotTracedWhenKeepAlivesDisabled_data()
    {
        QTest::addColumn<bool>("disableKeepAlives");
        QTest::addColumn<int>("maxIdlePerHost");
        QTest::newRow("DisableKeepAlives") << true << 0;
        QTest::newRow("MaxIdleConnsPerHost -1") << false << -1;
    }
    void putIdleConnNotTracedWhenKeepAlivesDisabled()
    {
        QFETCH(bool, disableKeepAlives);
        QFETCH(int, maxIdlePerHost);
        auto cfg = TransportConfig::goDefault();
        cfg.disableKeepAlives = disableKeepAlives;
        cfg.maxIdleConnsPerHost = maxIdlePerHost;
        PoolRig rig(cfg);
        auto &[clock, rec, pool, d] = rig;
        const HostId h = pool.hostId("http://x:1");
        const ReqId r = d.get(h);
        d.completeDials();
        rec.events.clear();
        QVERIFY(!pool.releaseConn(d.got.at(r), true));
        d.drain();
        const std::vector<std::pair<EventType, CloseReason>> expected { { EventType::ConnClosed,
            CloseReason::KeepAlivesDisabled } };
        QCOMPARE(eventsOf(rec, d.got.at(r)), expected);
        QCOMPARE(rec.events.size(), std::size_t(1));
    }

    void serverClosedIdleIsRemoved()
    {
        PoolRig rig;
        auto &[clock, rec, pool, d] = rig;
        const HostId h = pool.hostId("http://x:1");
        ReqId a = d.get(h);
        d.completeDials();
        const ConnId c = d.got.at(a);
        d.release(a);
        pool.closeConn(c, CloseReason::ServerClosedIdle);
        d.drain();
        QCOMPARE(pool.hostCounters(h).idle, 0);
        QCOMPARE(pool.counters().closes(CloseReason::ServerClosedIdle), 1u);
        QVERIFY(!pool.nextDeadline().has_value());
        d.get(h);
        QCOMPARE(pool.counters().dials, 2u);
    }

    void dialFailureFailsTheWaitingRequest()
    {
        PoolRig rig;
        auto &[clock, rec, pool, d] = rig;
        const HostId h = pool.hostId("http://x:1");
        ReqId a = d.get(h);
        const ConnId c = d.pendingDials.front();
        pool.dialFailed(c, CloseReason::DialFailed);
        d.drain();
        // httptrace ConnectDone(err), then the close with the same reason.
        const std::vector<std::pair<EventType, CloseReason>> expected { { EventType::ConnectStart,
                                                                            CloseReason::None },
            { EventType::ConnectDone, CloseReason::DialFailed },
            { EventType::ConnClosed, CloseReason::DialFailed } };
        QCOMPARE(eventsOf(rec, c), expected);
        QCOMPARE(d.failed.size(), std::size_t(1));
        QCOMPARE(d.failed.front().req, a);
        QCOMPARE(d.failed.front().reason, CloseReason::DialFailed);
        QCOMPARE(pool.counters().dialFailures, 1u);
        QCOMPARE(pool.hostCounters(h).waiting, 0);
        QCOMPARE(pool.hostCounters(h).dialing, 0);
    }

    void canceledWaiterLeavesDialToPool()
    {
        PoolRig rig;
        auto &[clock, rec, pool, d] = rig;
        const HostId h = pool.hostId("http://x:1");
        ReqId a = d.get(h);
        pool.cancelWant(a);
        QCOMPARE(pool.hostCounters(h).waiting, 0);
        d.completeDials();
        QVERIFY(!d.got.count(a));
        QCOMPARE(pool.hostCounters(h).idle, 1);
    }

    // Go 1.19: a dial runs under its request's context (dialConnFor: t.dialConn(w.ctx, ...)).
    // The request is served by a returned connection first; when its caller is done,
    // Client.Timeout's cancel ends the context and the dial still in flight is aborted.
    // Go 1.23's rule (golang/go#59017) lets it complete into the pool.
    void dialAbortedWhenItsRequestIsDone_data()
    {
        QTest::addColumn<int>("goVersion");
        QTest::addColumn<bool>("aborted");
        QTest::newRow("go1.19") << int(GoVersion::Go1_19) << true;
        QTest::newRow("go1.23") << int(GoVersion::Go1_23) << false;
    }
    void dialAbortedWhenItsRequestIsDone()
    {
        QFETCH(int, goVersion);
        QFETCH(bool, aborted);
        auto cfg = TransportConfig::goDefault();
        cfg.goVersion = static_cast<GoVersion>(goVersion);
        PoolRig rig(cfg);
        auto &[clock, rec, pool, d] = rig;
        const HostId h = pool.hostId("https://x:1");
        const ReqId first = d.get(h);
        d.completeDials();
        const ReqId second = d.get(h); // no idle connection: waits and dials
        QCOMPARE(pool.hostCounters(h).dialing, 1);
        const ConnId secondDial = d.pendingDials.back();
        clock.advance(1ms);
        d.release(first); // handed to `second` while its dial is still in the handshake
        QCOMPARE(d.got.at(second), d.got.at(first));
        clock.advance(1ms);
        d.release(second);
        QCOMPARE(pool.requestContextDone(second), aborted);
        d.drain();
        QCOMPARE(pool.hostCounters(h).dialing, aborted ? 0 : 1);
        QCOMPARE(int(pool.counters().closes(CloseReason::DialCanceled)), aborted ? 1 : 0);
        QCOMPARE(pool.counters().dialFailures, 0u); // nobody sees an error
        if (aborted) {
            using P = std::pair<EventType, CloseReason>;
            const std::vector<P> want { P { EventType::ConnectStart, CloseReason::None },
                P { EventType::ConnectDone, CloseReason::DialCanceled },
                P { EventType::ConnClosed, CloseReason::DialCanceled } };
            QCOMPARE(eventsOf(rec, secondDial), want);
            QVERIFY(!pool.connState(secondDial));
        }
        d.completeDials(); // the handshake finishing now changes nothing once aborted
        QCOMPARE(pool.hostCounters(h).idle, aborted ? 1 : 2);
        QCOMPARE(pool.counters().dials, 2u);
    }

    // An aborted dial frees its MaxConnsPerHost slot like any close (decConnsPerHost): the
    // request queued for one dials at once. Here b's deadline passes while it waits.
    void abortedDialFreesSlotForQueuedDial()
    {
        auto cfg = TransportConfig::goDefault();
        cfg.maxConnsPerHost = 2;
        PoolRig rig(cfg);
        auto &[clock, rec, pool, d] = rig;
        const HostId h = pool.hostId("https://x:1");
        d.get(h);
        const ReqId b = d.get(h);
        const ReqId c = d.get(h);
        QCOMPARE(pool.hostCounters(h).queuedForDial, 1);
        QVERIFY(pool.requestContextDone(b));
        d.drain();
        QCOMPARE(pool.hostCounters(h).queuedForDial, 0);
        QCOMPARE(pool.hostCounters(h).dialing, 2); // a's, and c's in b's slot
        QCOMPARE(pool.counters().dials, 3u);
        d.completeDials();
        QVERIFY(d.got.count(c));
        QVERIFY(!d.got.count(b));
    }

    // A request served by its own dial has nothing to abort; one whose context ends while it
    // still waits (the deadline) stops waiting and, under Go 1.19, loses its dial too.
    void requestContextDoneOnlyAbortsDialsInFlight()
    {
        PoolRig rig;
        auto &[clock, rec, pool, d] = rig;
        const HostId h = pool.hostId("https://x:1");
        const ReqId served = d.get(h);
        d.completeDials();
        QVERIFY(!pool.requestContextDone(served));
        d.drain();
        QCOMPARE(pool.hostCounters(h).active, 1);
        const ReqId waiting = d.get(h);
        QCOMPARE(pool.hostCounters(h).waiting, 1);
        QVERIFY(pool.requestContextDone(waiting));
        d.drain();
        QCOMPARE(pool.hostCounters(h).waiting, 0);
        QCOMPARE(pool.hostCounters(h).dialing, 0);
        QVERIFY(d.failed.empty()); // the caller already has its error (the timeout)
        QVERIFY(!pool.requestContextDone(waiting)); // once only
    }

    void retryRules_data()
    {
        QTest::addColumn<bool>("reused");
        QTest::addColumn<bool>("nothingWritten");
        QTest::addColumn<bool>("hasBody");
        QTest::addColumn<bool>("replayable");
        QTest::addColumn<int>("error");
        QTest::addColumn<bool>("retry");
        const int readErr = int(CloseReason::ReadError);
        const int closedIdle = int(CloseReason::ServerClosedIdle);
        QTest::newRow("GET stale reused") << true << false << false << true << readErr << true;
        QTest::newRow("GET server closed idle")
            << true << false << false << true << closedIdle << true;
        QTest::newRow("POST stale reused") << true << false << true << false << readErr << false;
        QTest::newRow("GET fresh conn") << false << false << false << true << readErr << false;
        QTest::newRow("POST nothing written, no body")
            << true << true << false << false << readErr << true;
        QTest::newRow("POST nothing written, body")
            << true << true << true << false << readErr << false;
        QTest::newRow("GET timeout")
            << true << false << false << true << int(CloseReason::ResponseHeaderTimeout) << false;
    }
    void retryRules()
    {
        QFETCH(bool, reused);
        QFETCH(bool, nothingWritten);
        QFETCH(bool, hasBody);
        QFETCH(bool, replayable);
        QFETCH(int, error);
        RetryQuery q;
        q.connWasReused = reused;
        q.nothingWritten = nothingWritten;
        q.hasBody = hasBody;
        q.replayable = replayable;
        q.error = static_cast<CloseReason>(error);
        QTEST(shouldRetryRequest(q), "retry");
    }

    void eventsMirrorHttptrace()
    {
        PoolRig rig;
        auto &[clock, rec, pool, d] = rig;
        const HostId h = pool.hostId("http://x:1");
        ReqId a = d.get(h);
        clock.advance(1ms);
        d.completeDials();
        clock.advance(1ms);
        d.release(a);
        clock.advance(5ms);
        ReqId b = d.get(h);
        std::vector<EventType> types;
        for (const auto &e : rec.events) {
            types.push_back(e.type);
        }
        const std::vector<EventType> expected { EventType::GetConn, EventType::ConnectStart,
            EventType::ConnectDone, EventType::GotConn, EventType::PutIdleConn, EventType::GetConn,
            EventType::GotConn };
        QCOMPARE(types, expected);
        QVERIFY(!rec.events[3].reused);
        QCOMPARE(rec.events[3].req, a);
        QVERIFY(rec.events[6].reused);
        QVERIFY(rec.events[6].wasIdle);
        QCOMPARE(rec.events[6].idleTime, TimePoint(5ms));
        QCOMPARE(rec.events[6].req, b);
        QCOMPARE(rec.events[6].time, TimePoint(7ms));
    }

    void putIdleConnReportsTooManyIdleHost()
    {
        PoolRig rig;
        auto &[clock, rec, pool, d] = rig;
        const HostId h = pool.hostId("http://x:1");
        std::vector<ReqId> r { d.get(h), d.get(h), d.get(h) };
        d.completeDials();
        rec.events.clear();
        for (ReqId x : r) {
            d.release(x);
        }
        std::vector<std::pair<EventType, CloseReason>> seen;
        for (const auto &e : rec.events) {
            seen.emplace_back(e.type, e.reason);
        }
        const std::vector<std::pair<EventType, CloseReason>> expected { { EventType::PutIdleConn,
                                                                            CloseReason::None },
            { EventType::PutIdleConn, CloseReason::None },
            { EventType::PutIdleConn, CloseReason::TooManyIdleHost },
            { EventType::ConnClosed, CloseReason::TooManyIdleHost } };
        QCOMPARE(seen, expected);
    }

    // Go's CloseIdleConnections closes the idle connections and sets closeIdle: until the
    // next getConn looks for an idle connection, tryPutIdleConn step 3 closes returned ones
    // (errCloseIdle), after a waiting request has had its chance (step 2).
    void closeIdleConnectionsAlsoClosesLaterReturns()
    {
        auto cfg = TransportConfig::goDefault();
        cfg.maxIdleConnsPerHost = 10;
        PoolRig rig(cfg);
        auto &[clock, rec, pool, d] = rig;
        const HostId h = pool.hostId("http://x:1");
        const ReqId r1 = d.get(h);
        const ReqId r2 = d.get(h);
        d.completeDials();
        d.release(r1);
        QCOMPARE(pool.hostCounters(h).idle, 1);

        pool.closeIdleConnections();
        d.drain();
        QCOMPARE(pool.hostCounters(h).idle, 0);
        QCOMPARE(d.closesWith(CloseReason::TransportClosed), 1); // errCloseIdleConns
        rec.events.clear();
        QVERIFY(!pool.releaseConn(d.got.at(r2), true)); // errCloseIdle
        d.drain();
        QCOMPARE(d.closesWith(CloseReason::TransportClosed), 2);
        QCOMPARE(rec.events.at(0).type, EventType::PutIdleConn);
        QCOMPARE(rec.events.at(0).reason, CloseReason::TransportClosed);

        // A getConn clears it; a waiter still takes a returned connection while it is set,
        // and a dial that finishes after its request was served is closed, not kept.
        const ReqId r3 = d.get(h);
        d.completeDials();
        const ReqId waiter = d.get(h);
        QCOMPARE(d.pendingDials.size(), std::size_t(1));
        pool.closeIdleConnections();
        QVERIFY(pool.releaseConn(d.got.at(r3), true));
        d.drain();
        QCOMPARE(d.got.at(waiter), d.got.at(r3));
        d.completeDials();
        QCOMPARE(d.closesWith(CloseReason::TransportClosed), 3);
        QCOMPARE(pool.hostCounters(h).idle, 0);

        const ReqId later = d.get(h); // wants an idle connection: closing stops
        d.completeDials();
        QVERIFY(pool.releaseConn(d.got.at(waiter), true));
        QVERIFY(pool.releaseConn(d.got.at(later), true));
        d.drain();
        QCOMPARE(pool.hostCounters(h).idle, 2);
        QCOMPARE(pool.counters().closes(CloseReason::TransportClosed), 3u);
    }

    void closeAllEmptiesThePool()
    {
        auto cfg = TransportConfig::goDefault();
        cfg.maxConnsPerHost = 2;
        PoolRig rig(cfg);
        auto &[clock, rec, pool, d] = rig;
        const HostId h = pool.hostId("http://x:1");
        d.get(h);
        d.get(h);
        d.get(h); // queued for a slot
        d.completeDials();
        pool.closeAll(CloseReason::Canceled);
        d.drain();
        const auto &n = pool.counters().now;
        QCOMPARE(n.dialing + n.active + n.idle + n.waiting + n.queuedForDial, 0);
        QCOMPARE(d.failed.size(), std::size_t(1));
        QCOMPARE(pool.counters().dials, 2u);
    }

    // Shutdown aborts dials in flight: each ends with httptrace ConnectDone(err) and counts
    // as a failed dial, and its request fails with the same reason.
    void closeAllEndsDialsInFlightWithConnectDoneError()
    {
        PoolRig rig;
        auto &[clock, rec, pool, d] = rig;
        const HostId h = pool.hostId("http://x:1");
        const ReqId active = d.get(h);
        d.completeDials();
        const ReqId dialing = d.get(h);
        QCOMPARE(d.pendingDials.size(), std::size_t(1));
        const ConnId inFlight = d.pendingDials.front();
        pool.closeAll(CloseReason::TransportClosed);
        d.drain();
        const std::vector<std::pair<EventType, CloseReason>> expected { { EventType::ConnectStart,
                                                                            CloseReason::None },
            { EventType::ConnectDone, CloseReason::TransportClosed },
            { EventType::ConnClosed, CloseReason::TransportClosed } };
        QCOMPARE(eventsOf(rec, inFlight), expected);
        QCOMPARE(pool.counters().dialFailures, 1u);
        QCOMPARE(d.failed.size(), std::size_t(1));
        QCOMPARE(d.failed.front().req, dialing);
        QCOMPARE(d.failed.front().reason, CloseReason::TransportClosed);
        QCOMPARE(d.closesWith(CloseReason::TransportClosed), 2); // and the active one
        QVERIFY(!pool.connState(d.got.at(active)).has_value());
    }

    // The run stopped (issue 16 #9): dials in flight close with Canceled before the final
    // picture, no waiter starts a new dial, active and idle connections stay open, and the
    // books balance: dials == closed + open.
    void cancelDialsClosesOnlyDialsInFlight()
    {
        auto cfg = TransportConfig::goDefault();
        cfg.maxConnsPerHost = 4;
        PoolRig rig(cfg);
        auto &[clock, rec, pool, d] = rig;
        const HostId h = pool.hostId("http://x:1");
        const ReqId first = d.get(h);
        const ReqId second = d.get(h);
        d.completeDials();
        d.release(second); // idle
        d.get(h); // takes the idle one
        d.get(h);
        d.get(h); // two dials in flight (4 connections with the active ones)...
        d.get(h); // ...and one request queued for a slot
        QCOMPARE(d.pendingDials.size(), std::size_t(2));
        const ConnId inFlight = d.pendingDials.front();
        pool.cancelDials();
        d.drain();
        const auto &c = pool.counters();
        QCOMPARE(c.now.dialing, 0);
        QCOMPARE(c.now.waiting, 0);
        QCOMPARE(c.now.queuedForDial, 0);
        QCOMPARE(c.now.active, 2);
        QCOMPARE(c.dials, 4u); // the queued request started none when the slots freed
        QCOMPARE(c.closes(CloseReason::Canceled), 2u);
        QCOMPARE(c.dials, c.closed + static_cast<std::uint64_t>(c.now.open()));
        QCOMPARE(c.dialFailures, 0u); // the stop ended them, not the network
        QVERIFY(d.failed.empty()); // their callers are gone already
        QCOMPARE(d.closesWith(CloseReason::Canceled), 2);
        const std::vector<std::pair<EventType, CloseReason>> expected { { EventType::ConnectStart,
                                                                            CloseReason::None },
            { EventType::ConnectDone, CloseReason::Canceled },
            { EventType::ConnClosed, CloseReason::Canceled } };
        QCOMPARE(eventsOf(rec, inFlight), expected);
        QVERIFY(pool.connState(d.got.at(first)).has_value());
    }

    // Go's wantConnQueue keeps served and cancelled requests until cleanFront (on every
    // push) or a pop drops them. Over a long run the two queues of a host hold no more
    // than the requests waiting now plus one: they do not grow with requests served.
    void waitQueuesStayBounded_data()
    {
        QTest::addColumn<bool>("connectionClose");
        QTest::addColumn<int>("maxConnsPerHost");
        // Each request is served by its own dial and the connection is closed after it:
        // nothing is ever put back, so only cleanFront empties the idle-wait queue.
        QTest::newRow("Connection: close, served by own dials") << true << 0;
        // One slot: each request queues for a dial and is served by a hand-over instead,
        // leaving its dial-queue entry behind.
        QTest::newRow("MaxConnsPerHost 1, hand-overs") << false << 1;
    }
    void waitQueuesStayBounded()
    {
        QFETCH(bool, connectionClose);
        QFETCH(int, maxConnsPerHost);
        auto cfg = TransportConfig::goDefault();
        cfg.maxConnsPerHost = maxConnsPerHost;
        PoolRig rig(cfg);
        auto &[clock, rec, pool, d] = rig;
        const HostId h = pool.hostId("http://x:1");
        ReqId holder = d.get(h);
        d.completeDials();
        std::size_t most = 0;
        for (int i = 0; i < 1000; ++i) {
            const ReqId next = d.get(h); // waits: the holder has the only connection
            clock.advance(1ms);
            d.release(holder, !connectionClose, CloseReason::ConnectionCloseResponse);
            d.completeDials();
            QVERIFY(d.got.count(next));
            holder = next;
            most = std::max(most, pool.waitQueueEntries(h));
        }
        QCOMPARE(pool.hostCounters(h).waiting, 0);
        QVERIFY2(most <= 2, qPrintable(QString::number(most)));
        QCOMPARE(pool.counters().gets, 1001u);
    }

    void actionsCarryTheCallersTag()
    {
        FakeClock clock;
        Pool pool(clock);
        const HostId h = pool.hostId("http://x:1");
        std::vector<PoolAction> out;
        const ReqId a = pool.getConn(h, 7);
        pool.takeActions(out);
        const ConnId dial = out.at(0).conn;
        pool.dialSucceeded(dial);
        pool.takeActions(out);
        QCOMPARE(out.at(0).type, ActionType::Deliver);
        QCOMPARE(out.at(0).req, a);
        QCOMPARE(out.at(0).tag, 7u); // delivered by its own dial
        const ReqId b = pool.getConn(h, 9); // waits
        pool.takeActions(out);
        pool.releaseConn(dial, true); // handed off to b
        pool.takeActions(out);
        QCOMPARE(out.at(0).type, ActionType::Deliver);
        QCOMPARE(out.at(0).req, b);
        QCOMPARE(out.at(0).tag, 9u);
        pool.releaseConn(dial, true);
        pool.takeActions(out); // kept idle: nothing to do
        QVERIFY(out.empty());
        const ReqId c = pool.getConn(h, 11); // from the idle list
        pool.takeActions(out);
        QCOMPARE(out.at(0).req, c);
        QCOMPARE(out.at(0).tag, 11u);
        const ReqId d = pool.getConn(h, 13);
        pool.takeActions(out);
        ConnId failing = 0;
        for (const PoolAction &x : out) {
            if (x.type == ActionType::StartDial) {
                failing = x.conn;
            }
        }
        pool.dialFailed(failing, CloseReason::DialFailed);
        pool.takeActions(out);
        const auto fail = std::find_if(out.begin(), out.end(),
            [](const PoolAction &x) { return x.type == ActionType::FailRequest; });
        QVERIFY(fail != out.end());
        QCOMPARE(fail->req, d);
        QCOMPARE(fail->tag, 13u);
    }

    // Envoy's shape: one state machine, and Pool::transition refuses every other edge.
    void connStateMachineEdges()
    {
        using S = ConnState;
        const std::optional<S> none;
        const std::vector<std::pair<std::optional<S>, S>> legal { { none, S::Dialing },
            { S::Dialing, S::Active }, { S::Dialing, S::Closed }, { S::Active, S::Idle },
            { S::Active, S::Closed }, { S::Idle, S::Active }, { S::Idle, S::Closed } };
        int allowed = 0;
        for (const std::optional<S> from :
            { none, std::optional<S>(S::Dialing), std::optional<S>(S::Active),
                std::optional<S>(S::Idle), std::optional<S>(S::Closed) }) {
            for (const S to : { S::Dialing, S::Active, S::Idle, S::Closed }) {
                const bool expected
                    = std::find(legal.begin(), legal.end(), std::pair { from, to }) != legal.end();
                QCOMPARE(isLegalConnTransition(from, to), expected);
                allowed += expected;
            }
        }
        QCOMPARE(allowed, 7);
    }

    void stateCountersAlwaysMatchConnections()
    {
        // Random-ish workload; after every step the live counters equal a recount.
        auto cfg = TransportConfig::goDefault();
        cfg.maxConnsPerHost = 3;
        cfg.idleConnTimeout = 2s;
        PoolRig rig(cfg);
        auto &[clock, rec, pool, d] = rig;
        const HostId hosts[2] = { pool.hostId("http://a:1"), pool.hostId("http://b:1") };
        std::vector<ReqId> inflight;
        unsigned seed = 12345;
        auto rnd = [&seed](unsigned n) {
            seed = seed * 1103515245u + 12345u;
            return (seed >> 16) % n;
        };
        for (int step = 0; step < 3000; ++step) {
            switch (rnd(5)) {
            case 0:
            case 1:
                d.get(hosts[rnd(2)]);
                break;
            case 2:
                d.completeDials();
                break;
            case 3:
                for (auto it = d.got.begin(); it != d.got.end();) {
                    if (pool.connState(it->second) == ConnState::Active && rnd(2) == 0) {
                        pool.releaseConn(
                            it->second, rnd(4) != 0, CloseReason::ConnectionCloseResponse);
                        d.drain();
                        it = d.got.erase(it);
                    } else {
                        ++it;
                    }
                }
                break;
            case 4:
                clock.advance(std::chrono::milliseconds(rnd(1500)));
                pool.advance();
                d.drain();
                break;
            }
            HostCounters recount;
            pool.forEachConn([&](const Pool::ConnView &v) {
                recount.dialing += v.state == ConnState::Dialing;
                recount.active += v.state == ConnState::Active;
                recount.idle += v.state == ConnState::Idle;
            });
            const auto &n = pool.counters().now;
            QCOMPARE(n.dialing, recount.dialing);
            QCOMPARE(n.active, recount.active);
            QCOMPARE(n.idle, recount.idle);
            QVERIFY(pool.hostCounters(hosts[0]).dialing + pool.hostCounters(hosts[0]).open() <= 3);
            QVERIFY(pool.hostCounters(hosts[1]).dialing + pool.hostCounters(hosts[1]).open() <= 3);
        }
        QVERIFY(pool.counters().gets > 100);
    }
};

QTEST_GUILESS_MAIN(TestPoolTransport)
#include "tst_pool_transport.moc"
