// ThreadSanitizer stress test of what the GOMAXPROCS engine shares between its threads
// without Qt in between: the one Pool, used by every thread under PoolLock (the engine's
// lock, core/pool/pool_lock.h), exactly as Transport on several threads uses it (caller
// side: getConn / cancelWant; connection side: dialSucceeded / releaseConn / closeConn;
// thread 0: advance and the snapshot's reads). Built with -fsanitize=thread on its own
// (tests/tsan/CMakeLists.txt, tests/sanitizers/README.md); a race is a TSan report, which
// fails the test (halt_on_error), and the books must balance at the end.
#include "pool/pool.h"
#include "pool/pool_lock.h"

#include <QTest>
#include <atomic>
#include <random>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

using namespace poolscope;

namespace {

// A clock every thread reads and thread 0 moves: the engine's ElapsedClock is read-only
// after the run starts; this one moves so that idle timeouts expire during the test.
class SharedClock final : public Clock
{
public:
    [[nodiscard]] TimePoint now() const override { return TimePoint(m_ns.load()); }
    void advance(Duration d) { m_ns.fetch_add(d.count()); }

private:
    std::atomic<TimePoint::rep> m_ns { 0 };
};

// The Pool's driver state (the Transport's maps), shared under the same lock.
struct World
{
    explicit World(const Clock &clock, const TransportConfig &config) : pool(clock, config) { }
    Pool pool;
    std::vector<ConnId> dialing;
    std::unordered_map<ConnId, ReqId> active;
    std::unordered_set<ReqId> waiting;
    std::uint64_t events = 0;
};

class CountingSink final : public PoolEventSink
{
public:
    explicit CountingSink(World &w) : m_world(w) { }
    void onPoolEvent(const PoolEvent &) override { ++m_world.events; } // under the lock

private:
    World &m_world;
};

void applyActions(World &w)
{
    std::vector<PoolAction> actions;
    for (w.pool.takeActions(actions); !actions.empty(); w.pool.takeActions(actions)) {
        for (const PoolAction &a : actions) {
            switch (a.type) {
            case ActionType::StartDial:
                w.dialing.push_back(a.conn);
                break;
            case ActionType::Deliver:
                w.active[a.conn] = a.req;
                w.waiting.erase(a.req);
                break;
            case ActionType::Close:
                w.active.erase(a.conn);
                std::erase(w.dialing, a.conn);
                break;
            case ActionType::FailRequest:
                w.waiting.erase(a.req);
                break;
            }
        }
    }
}

template<typename C>
auto pick(C &c, std::mt19937 &rng)
{
    auto it = c.begin();
    std::advance(it, static_cast<long>(rng() % c.size()));
    return it;
}

// One step of thread `me`: what a caller, a dial goroutine or a readLoop does.
void step(World &w, std::mt19937 &rng, int me)
{
    switch (rng() % 6) {
    case 0:
    case 1:
        if (w.waiting.size() < 64) {
            w.waiting.insert(w.pool.getConn(HostId(rng() % 2), std::uint32_t(me)));
        }
        break;
    case 2:
        if (!w.dialing.empty()) {
            const auto it = pick(w.dialing, rng);
            const ConnId c = *it;
            w.dialing.erase(it);
            if (rng() % 10 == 0) {
                w.pool.dialFailed(c, CloseReason::DialFailed);
            } else {
                w.pool.dialSucceeded(c);
            }
        }
        break;
    case 3:
        if (!w.active.empty()) {
            const ConnId c = pick(w.active, rng)->first;
            w.active.erase(c);
            const bool reusable = rng() % 5 != 0;
            w.pool.releaseConn(
                c, reusable, reusable ? CloseReason::None : CloseReason::ConnectionCloseResponse);
        }
        break;
    case 4:
        if (!w.waiting.empty() && rng() % 4 == 0) {
            const auto it = pick(w.waiting, rng);
            const ReqId r = *it;
            w.waiting.erase(it);
            w.pool.cancelWant(r);
        }
        break;
    default:
        if (!w.active.empty() && rng() % 8 == 0) {
            const ConnId c = pick(w.active, rng)->first;
            w.active.erase(c);
            w.pool.closeConn(c, CloseReason::ReadError);
        }
        break;
    }
    applyActions(w);
}

} // namespace

class TstTsanSharedPool final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void poolSharedUnderItsLock();
};

void TstTsanSharedPool::poolSharedUnderItsLock()
{
    SharedClock clock;
    TransportConfig config = TransportConfig::goDefault();
    config.maxIdleConnsPerHost = 2;
    config.maxIdleConns = 3;
    config.idleConnTimeout = std::chrono::milliseconds(5);
    World w(clock, config);
    CountingSink sink(w);
    w.pool.setEventSink(&sink);
    (void)w.pool.hostId("http://a");
    (void)w.pool.hostId("http://b");

    PoolLock lock;
    lock.setShared(true);
    constexpr int kThreads = 4;
    constexpr int kSteps = 20000;
    std::atomic<int> running { kThreads };
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            std::mt19937 rng(static_cast<unsigned>(t + 1));
            for (int i = 0; i < kSteps; ++i) {
                const PoolLock::Guard g = lock.guard();
                const PoolLock::Guard again = lock.guard(); // recursive, as callbacks nest
                step(w, rng, t);
            }
            running.fetch_sub(1);
        });
    }
    // Thread 0's part: idle timers and the snapshot reading the pool while others write.
    std::uint64_t seen = 0;
    while (running.load() > 0) {
        const PoolLock::Guard g = lock.guard();
        clock.advance(std::chrono::microseconds(200));
        w.pool.advance();
        applyActions(w);
        w.pool.forEachConn([&](const Pool::ConnView &v) { seen += v.requests; });
        seen += w.pool.counters().dials;
    }
    for (std::thread &t : threads) {
        t.join();
    }
    lock.setShared(false);
    QCOMPARE(QString::fromStdString(w.pool.checkConsistency()), QString());
    const PoolCounters &c = w.pool.counters();
    const auto open = std::uint64_t(c.now.dialing + c.now.active + c.now.idle);
    QCOMPARE(c.dials, c.closed + open);
    QVERIFY(c.dials > 100); // the threads did churn the pool
    QVERIFY(c.closes(CloseReason::TooManyIdleHost) + c.closes(CloseReason::TooManyIdle) > 0);
    QVERIFY(w.events > c.dials);
    QVERIFY(seen > 0);
}

QTEST_APPLESS_MAIN(TstTsanSharedPool)
#include "tst_tsan_shared_pool.moc"
