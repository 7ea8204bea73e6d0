#pragma once

#include "load/wake_source.h"
#include "pool/pool_lock.h"

#include <QObject>
#include <functional>
#include <memory>
#include <vector>

class QThread;

namespace poolscope {

// The engine's threads for GOMAXPROCS = N: index 0 is the thread that made it (the engine
// thread, with the callers), 1..N-1 are threads of their own, each with an event loop.
// Work reaches a thread as a queued call to its anchor, so sockets and timers made there
// belong to it (Qt's thread affinity). The destructor runs what was posted, then joins.
class EngineThreads final
{
public:
    explicit EngineThreads(int count);
    ~EngineThreads();
    EngineThreads(const EngineThreads &) = delete;
    EngineThreads &operator=(const EngineThreads &) = delete;

    [[nodiscard]] int count() const { return static_cast<int>(m_anchors.size()); }
    // The index of the calling thread, -1 for a thread that is not one of them.
    [[nodiscard]] int current() const;
    // An object living in thread `index`: a receiver for queued calls and a parent-less
    // home for objects moved there.
    [[nodiscard]] QObject *anchor(int index) const { return m_anchors[index].get(); }
    [[nodiscard]] QThread *thread(int index) const;
    // Runs `f` in thread `index` on a later turn of its loop (FIFO per thread).
    void post(int index, std::function<void()> f) const;
    // Runs `f` in thread `index` and waits for it; at once when it is the calling thread.
    // Never while holding a lock that thread may wait for.
    void runBlocking(int index, const std::function<void()> &f) const;

private:
    std::vector<std::unique_ptr<QThread>> m_threads; // [0] unused: the creating thread
    std::vector<std::unique_ptr<QObject>> m_anchors;
};

// A WakeSource whose wake-ups stay in one thread (its timerfd's) while callers on any
// engine thread pause: with posting on (GOMAXPROCS > 1) schedule() and clear() are queued
// to `home`'s thread in the order they are made (all under PoolLock), and the wake-up
// handler runs under the lock. Off (one thread): every call goes straight through.
class PostedWakeSource final : public WakeSource
{
public:
    PostedWakeSource(WakeSource &inner, QObject &home, PoolLock &lock);

    void setPosting(bool on) { m_posting = on; }
    void setHandler(Handler handler) override;
    void schedule(int key, TimePoint due) override;
    void clear() override;

private:
    WakeSource &m_inner;
    QObject &m_home;
    PoolLock &m_lock;
    bool m_posting = false;
};

} // namespace poolscope
