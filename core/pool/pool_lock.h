#pragma once

#include <atomic>
#include <mutex>

namespace poolscope {

// The lock an engine on several threads (GOMAXPROCS > 1) takes around the Pool and
// everything that is shared with it (the Transport's maps, the run's statistics and event
// log): Go guards its idle lists with Transport.idleMu and its per-host counts with
// connsPerHostMu, and a caller, a readLoop and a dial goroutine take them in turn. One
// lock for both here: the Pool's actions combine them.
//
// Not shared (GOMAXPROCS = 1, the single event loop): guard() locks nothing, so that path
// is exactly the one-thread engine. Recursive, because a caller's continuation can start
// the next round trip inside a callback that already holds it (as the single loop does).
// setShared() only while no other thread can take it (before the engine threads start,
// after they stopped).
class PoolLock final
{
public:
    using Guard = std::unique_lock<std::recursive_mutex>;

    void setShared(bool on) { m_shared = on; }
    [[nodiscard]] bool shared() const { return m_shared; }
    // Held until the Guard goes; a no-op Guard when not shared.
    [[nodiscard]] Guard guard()
    {
        if (!m_shared) {
            return Guard(m_mutex, std::defer_lock);
        }
        m_waiting.fetch_add(1, std::memory_order_relaxed);
        Guard g(m_mutex);
        m_waiting.fetch_sub(1, std::memory_order_relaxed);
        return g;
    }
    // Threads blocked in guard() right now (shared only).
    [[nodiscard]] bool contended() const { return m_waiting.load(std::memory_order_relaxed) > 0; }

private:
    std::recursive_mutex m_mutex;
    std::atomic<int> m_waiting { 0 };
    bool m_shared = false;
};

} // namespace poolscope
