#pragma once

// The set-up of a pool test: a Pool on a fake clock, a recorder of its httptrace-like
// events and a driver that plays the socket layer. Header-only, for tst_pool_* (links
// poolscope_pool and Qt Test only).
#include "pool/pool.h"

#include <QTest>
#include <algorithm>
#include <map>
#include <vector>

namespace poolscope::testsupport {

struct Recorder final : PoolEventSink
{
    std::vector<PoolEvent> events;
    void onPoolEvent(const PoolEvent &e) override { events.push_back(e); }
};

// Plays the socket layer: remembers what the pool asked for.
struct Driver
{
    explicit Driver(Pool &p) : pool(p) { }
    Pool &pool;
    std::vector<ConnId> pendingDials;
    std::map<ReqId, ConnId> got; // request -> connection it was given
    std::map<ReqId, PoolAction> delivered;
    std::vector<PoolAction> closes;
    std::vector<PoolAction> failed;
    std::vector<PoolAction> scratch;
    int maxOpenSeen = 0;

    void drain()
    {
        pool.takeActions(scratch);
        for (const PoolAction &a : scratch) {
            switch (a.type) {
            case ActionType::StartDial:
                pendingDials.push_back(a.conn);
                break;
            case ActionType::Deliver:
                got[a.req] = a.conn;
                delivered[a.req] = a;
                break;
            case ActionType::Close:
                closes.push_back(a);
                break;
            case ActionType::FailRequest:
                failed.push_back(a);
                break;
            }
        }
        const auto &n = pool.counters().now;
        maxOpenSeen = std::max(maxOpenSeen, n.dialing + n.active + n.idle);
        // Every counter agrees with a recount of the connections, lists and queues after
        // every step of every test.
        const std::string drift = pool.checkConsistency();
        QVERIFY2(drift.empty(), drift.c_str());
    }
    ReqId get(HostId h)
    {
        ReqId r = pool.getConn(h);
        drain();
        return r;
    }
    void completeDials()
    {
        auto dials = pendingDials;
        pendingDials.clear();
        for (ConnId c : dials) {
            pool.dialSucceeded(c);
            drain();
        }
    }
    void release(ReqId r, bool reusable = true, CloseReason why = CloseReason::None)
    {
        pool.releaseConn(got.at(r), reusable, why);
        drain();
    }
    int closesWith(CloseReason r) const
    {
        return static_cast<int>(std::count_if(
            closes.begin(), closes.end(), [r](const PoolAction &a) { return a.reason == r; }));
    }
};

// A pool with its clock, recorder (already the pool's event sink) and driver, built in the
// order they depend on each other. A test names the parts with a structured binding, so its
// body reads as if it had declared them itself:
//
//     PoolRig rig(cfg);
//     auto &[clock, rec, pool, d] = rig;
//     const HostId h = pool.hostId("http://x:1");
struct PoolRig
{
    explicit PoolRig(const TransportConfig &config = TransportConfig::goDefault())
        : pool(clock, config), d(pool)
    {
        pool.setEventSink(&rec);
    }

    FakeClock clock;
    Recorder rec; // before pool: it must outlive the pool that reports to it
    Pool pool;
    Driver d;
};

// The (type, reason) pairs of the events about one connection, in order.
inline std::vector<std::pair<EventType, CloseReason>> eventsOf(const Recorder &rec, ConnId conn)
{
    std::vector<std::pair<EventType, CloseReason>> out;
    for (const PoolEvent &e : rec.events) {
        if (e.conn == conn) {
            out.emplace_back(e.type, e.reason);
        }
    }
    return out;
}

} // namespace poolscope::testsupport
