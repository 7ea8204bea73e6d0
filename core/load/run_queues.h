#pragma once

#include <algorithm>
#include <cstddef>
#include <deque>
#include <mutex>
#include <vector>

namespace poolscope {

// The run queues of the GOMAXPROCS engine threads (Go 1.19 runtime/proc.go, one per P):
// the callers a thread's think-time wake-ups made runnable and not yet run, by worker
// index. Plain data under a mutex of its own (Go's runq is lock-free and apart from the
// Transport's idleMu), so another thread can steal without taking PoolLock. No Qt.
class RunQueues final
{
public:
    explicit RunQueues(int lanes = 0) { reset(lanes); }

    // `lanes` empty queues (a run's threads); drops everything queued.
    void reset(int lanes);
    [[nodiscard]] int lanes() const;
    // runqput(p, gp, next=true), as goroutineReady -> ready does: `key` goes into the
    // lane's runnext, the caller it displaces to the tail of the lane's queue.
    void put(int lane, int key);
    // runqget: runnext first, then the head of the queue; -1 when the lane is empty.
    [[nodiscard]] int pop(int lane);
    // runqsteal from every other lane in turn (from thief + 1 on) until one gives: takes
    // n - n/2 of its n queued callers from the head (runqgrab), runnext never (a thread
    // that just readied a caller runs it next: the case runqgrab backs off for), and
    // queues them on `thief`'s lane in their order. Returns how many it took.
    int steal(int thief);
    // Queued on `lane` outside runnext: what another thread could steal now.
    [[nodiscard]] std::size_t stealable(int lane) const;
    // Everything queued, every lane (the run stopped).
    void clear();

private:
    struct Lane
    {
        int runnext = -1;
        std::deque<int> queue;
    };
    mutable std::mutex m_mutex;
    std::vector<Lane> m_lanes;
};

} // namespace poolscope
