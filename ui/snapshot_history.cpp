#include "snapshot_history.h"

#include <algorithm>
#include <limits>

namespace poolscope {

SnapshotHistory::SnapshotHistory(std::size_t capacity) : m_samples(capacity) { }

void SnapshotHistory::clear()
{
    m_samples.clear();
    m_havePrevious = false;
    m_prevT = 0;
    m_prevDials = 0;
    m_prevSuccesses = 0;
    m_prevAttempts = 0;
    m_prevCloses = {};
}

std::size_t SnapshotHistory::lowerBound(double seconds) const
{
    std::size_t lo = 0;
    std::size_t hi = size();
    while (lo < hi) {
        const std::size_t mid = lo + (hi - lo) / 2;
        if (at(mid).t < seconds) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

bool SnapshotHistory::add(const EngineSnapshot &s, int idleCap, int connCap)
{
    const double t = std::chrono::duration<double>(s.time).count();
    const bool newRun = !empty() && t < latest().t; // a new run restarted the clock
    if (newRun) {
        clear();
    }

    ChartSample c;
    c.t = t;
    const HostCounters &now = s.pool.now;
    c.open = now.open();
    c.active = now.active;
    c.idle = now.idle;
    c.dialing = now.dialing;
    c.waiting = now.waiting;
    c.h2 = s.h2.connsEver > 0;
    c.http1 = s.responsesByProto[static_cast<std::size_t>(HttpProto::Http10)] > 0
        || s.responsesByProto[static_cast<std::size_t>(HttpProto::Http11)] > 0;
    c.h2Streams = s.h2.streams;
    c.h2MaxPerConn = s.h2.maxPerConn;
    c.h2MeanPerConn
        = s.h2.conns > 0 ? static_cast<float>(s.h2.streams) / static_cast<float>(s.h2.conns) : 0;
    c.h2Waiting = s.h2.waiting;
    c.idleCap = idleCap;
    c.connCap = connCap;
    c.dials = s.pool.dials;
    c.gets = s.pool.gets;

    // Rates over the interval since the previous snapshot; the first one
    // counts from the run's start.
    const double dt = t - (m_havePrevious ? m_prevT : 0.0);
    const auto rate = [dt](std::uint64_t now, std::uint64_t before) -> float {
        if (dt <= 0 || now < before) {
            return 0.0f;
        }
        return static_cast<float>(static_cast<double>(now - before) / dt);
    };
    c.dialsPerSec = rate(s.pool.dials, m_prevDials);
    c.requestsPerSec = rate(s.successes, m_prevSuccesses);
    c.attemptsPerSec = rate(s.requestsDone - s.canceled, m_prevAttempts);
    for (int r = 0; r < kCloseReasonCount; ++r) {
        const auto i = static_cast<std::size_t>(r);
        c.closesPerSec[i] = rate(s.pool.closesByReason[i], m_prevCloses[i]);
    }

    c.kernelAvailable = s.kernel.available;
    c.established = s.kernel.counts.count(TcpState::Established);
    c.timeWait = s.kernel.counts.count(TcpState::TimeWait);
    c.closeWait = s.kernel.counts.count(TcpState::CloseWait);
    c.serverSide = s.kernel.available && s.kernel.serverSide;
    c.serverTimeWait = s.kernel.serverCounts.count(TcpState::TimeWait);
    c.serverCloseWait = s.kernel.serverCounts.count(TcpState::CloseWait);

    // An interval without a completed response has no latency: it is recorded as
    // such (count 0), never as the last value carried forward.
    c.latencyCount = static_cast<std::uint32_t>(
        std::min<std::uint64_t>(s.latencyWindow.count, std::numeric_limits<std::uint32_t>::max()));
    if (c.latencyCount > 0) {
        c.p50Ms = static_cast<float>(s.latencyWindow.p50Ms);
        c.p99Ms = static_cast<float>(s.latencyWindow.p99Ms);
    }

    if (dt > 0 || !m_havePrevious) {
        m_havePrevious = true;
        m_prevT = t;
        m_prevDials = s.pool.dials;
        m_prevSuccesses = s.successes;
        m_prevAttempts = s.requestsDone - s.canceled;
        m_prevCloses = s.pool.closesByReason;
    }

    m_samples.push(c);
    return newRun;
}

} // namespace poolscope
