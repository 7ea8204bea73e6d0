#include "run_queues.h"

#include <utility>

namespace poolscope {

void RunQueues::reset(int lanes)
{
    const std::scoped_lock l(m_mutex);
    m_lanes.assign(static_cast<std::size_t>(std::max(lanes, 0)), Lane {});
}

int RunQueues::lanes() const
{
    const std::scoped_lock l(m_mutex);
    return static_cast<int>(m_lanes.size());
}

void RunQueues::put(int lane, int key)
{
    const std::scoped_lock l(m_mutex);
    if (lane < 0 || static_cast<std::size_t>(lane) >= m_lanes.size()) {
        return;
    }
    Lane &q = m_lanes[static_cast<std::size_t>(lane)];
    if (q.runnext >= 0) {
        q.queue.push_back(q.runnext); // runqput: the old runnext kicked out to the tail
    }
    q.runnext = key;
}

int RunQueues::pop(int lane)
{
    const std::scoped_lock l(m_mutex);
    if (lane < 0 || static_cast<std::size_t>(lane) >= m_lanes.size()) {
        return -1;
    }
    Lane &q = m_lanes[static_cast<std::size_t>(lane)];
    if (q.runnext >= 0) {
        return std::exchange(q.runnext, -1);
    }
    if (q.queue.empty()) {
        return -1;
    }
    const int key = q.queue.front();
    q.queue.pop_front();
    return key;
}

int RunQueues::steal(int thief)
{
    const std::scoped_lock l(m_mutex);
    const int n = static_cast<int>(m_lanes.size());
    if (thief < 0 || thief >= n) {
        return 0;
    }
    Lane &mine = m_lanes[static_cast<std::size_t>(thief)];
    for (int i = 1; i < n; ++i) {
        Lane &victim = m_lanes[static_cast<std::size_t>((thief + i) % n)];
        const std::size_t queued = victim.queue.size();
        const std::size_t take = queued - queued / 2;
        if (take == 0) {
            continue;
        }
        mine.queue.insert(mine.queue.end(), victim.queue.begin(),
            victim.queue.begin() + static_cast<std::ptrdiff_t>(take));
        victim.queue.erase(
            victim.queue.begin(), victim.queue.begin() + static_cast<std::ptrdiff_t>(take));
        return static_cast<int>(take);
    }
    return 0;
}

std::size_t RunQueues::stealable(int lane) const
{
    const std::scoped_lock l(m_mutex);
    if (lane < 0 || static_cast<std::size_t>(lane) >= m_lanes.size()) {
        return 0;
    }
    return m_lanes[static_cast<std::size_t>(lane)].queue.size();
}

void RunQueues::clear()
{
    const std::scoped_lock l(m_mutex);
    for (Lane &q : m_lanes) {
        q = Lane {};
    }
}

} // namespace poolscope
