#include "h2_conn_pool.h"

#include <algorithm>

namespace poolscope {

void H2ConnPool::setConfig(bool strictMaxConcurrentStreams, Duration idleConnTimeout)
{
    m_strict = strictMaxConcurrentStreams;
    m_idleTimeout = idleConnTimeout;
}

H2ConnPool::Conn *H2ConnPool::find(ConnId id)
{
    const auto it = m_conns.find(id);
    return it == m_conns.end() ? nullptr : &it->second;
}

const H2ConnPool::Conn *H2ConnPool::find(ConnId id) const
{
    const auto it = m_conns.find(id);
    return it == m_conns.end() ? nullptr : &it->second;
}

// tooIdleLocked: idle (no stream) for longer than IdleConnTimeout.
bool H2ConnPool::tooIdle(const Conn &c) const
{
    return m_idleTimeout > Duration::zero() && c.lastIdle
        && m_clock.now() - *c.lastIdle > m_idleTimeout;
}

// idleStateLocked's canTakeNewRequest (Go 1.19).
bool H2ConnPool::canTake(const Conn &c) const
{
    const bool maxConcurrentOkay = m_strict
        || static_cast<std::int64_t>(c.streams) + c.reserved + 1
            <= static_cast<std::int64_t>(c.maxConcurrent);
    return !c.goAway && maxConcurrentOkay && !tooIdle(c);
}

bool H2ConnPool::canTakeNewRequest(ConnId conn) const
{
    const Conn *c = find(conn);
    return c != nullptr && canTake(*c);
}

void H2ConnPool::integrate()
{
    const TimePoint now = m_clock.now();
    const double dt = std::chrono::duration<double>(now - m_lastChange).count();
    if (dt > 0) {
        m_peaks.streamSeconds += dt * m_streams;
        m_peaks.connSeconds += dt * static_cast<double>(m_conns.size());
    }
    m_lastChange = now;
}

H2ConnPool::Peaks H2ConnPool::peaks() const
{
    Peaks p = m_peaks;
    const double dt = std::chrono::duration<double>(m_clock.now() - m_lastChange).count();
    if (dt > 0) {
        p.streamSeconds += dt * m_streams;
        p.connSeconds += dt * static_cast<double>(m_conns.size());
    }
    return p;
}

bool H2ConnPool::addConnIfNeeded(HostId host, ConnId conn)
{
    for (const auto &[id, c] : m_conns) {
        if (c.host == host && canTake(c)) {
            return false;
        }
    }
    integrate();
    Conn &c = m_conns[conn];
    c.host = host;
    c.order = m_nextOrder++;
    c.lastIdle = m_clock.now(); // a new ClientConn: no stream yet
    ++m_peaks.connsEver;
    m_peaks.conns = std::max(m_peaks.conns, static_cast<int>(m_conns.size()));
    return true;
}

ConnId H2ConnPool::reserve(HostId host)
{
    Conn *best = nullptr;
    ConnId bestId = 0;
    for (auto &[id, c] : m_conns) {
        if (c.host == host && canTake(c) && (best == nullptr || c.order < best->order)) {
            best = &c;
            bestId = id;
        }
    }
    if (best != nullptr) {
        ++best->reserved;
        best->lastIdle.reset();
    }
    return bestId;
}

void H2ConnPool::unreserve(ConnId conn)
{
    Conn *c = find(conn);
    if (c == nullptr || c->reserved == 0) {
        return;
    }
    --c->reserved;
    if (c->streams == 0 && c->reserved == 0) {
        c->lastIdle = m_clock.now();
    }
}

bool H2ConnPool::slotOpen(ConnId conn) const
{
    const Conn *c = find(conn);
    return c != nullptr && !c->goAway && static_cast<std::uint32_t>(c->streams) < c->maxConcurrent;
}

void H2ConnPool::streamOpened(ConnId conn)
{
    Conn *c = find(conn);
    if (c == nullptr) {
        return;
    }
    integrate();
    c->reserved = std::max(0, c->reserved - 1);
    ++c->streams;
    ++m_streams;
    c->lastIdle.reset();
    m_peaks.streams = std::max(m_peaks.streams, m_streams);
    m_peaks.perConn = std::max(m_peaks.perConn, c->streams);
    if (c->seenSettings) {
        m_peaks.perConnAfterSettings = std::max(m_peaks.perConnAfterSettings, c->streams);
    }
}

void H2ConnPool::streamClosed(ConnId conn)
{
    Conn *c = find(conn);
    if (c == nullptr || c->streams == 0) {
        return;
    }
    integrate();
    --c->streams;
    --m_streams;
    if (c->streams == 0 && c->reserved == 0) {
        c->lastIdle = m_clock.now();
    }
}

void H2ConnPool::settingsReceived(ConnId conn, std::optional<std::uint32_t> maxConcurrentStreams)
{
    Conn *c = find(conn);
    if (c == nullptr) {
        return;
    }
    if (maxConcurrentStreams) {
        c->maxConcurrent = *maxConcurrentStreams;
        m_peaks.serverMaxStreams = std::max(m_peaks.serverMaxStreams, *maxConcurrentStreams);
    } else if (!c->seenSettings) {
        c->maxConcurrent = kDefaultMaxConcurrentStreams; // the first SETTINGS lacked it
    }
    c->seenSettings = true;
}

void H2ConnPool::goAwayReceived(ConnId conn)
{
    if (Conn *c = find(conn)) {
        c->goAway = true;
    }
}

void H2ConnPool::remove(ConnId conn)
{
    if (const Conn *c = find(conn)) {
        integrate();
        m_streams -= c->streams;
        m_conns.erase(conn);
    }
}

std::vector<std::pair<ConnId, CloseReason>> H2ConnPool::takeDueCloses()
{
    std::vector<std::pair<ConnId, CloseReason>> out;
    for (auto it = m_conns.begin(); it != m_conns.end();) {
        const Conn &c = it->second;
        const bool empty = c.streams == 0 && c.reserved == 0;
        // forgetStreamID: closeOnIdle after GOAWAY; onIdleTimeout -> closeIfIdle.
        const bool idleDue = empty && m_idleTimeout > Duration::zero() && c.lastIdle
            && m_clock.now() - *c.lastIdle >= m_idleTimeout;
        if (empty && (c.goAway || idleDue)) { // empty: no streams to subtract
            integrate();
            out.emplace_back(
                it->first, c.goAway ? CloseReason::H2GoAway : CloseReason::H2IdleTimeout);
            it = m_conns.erase(it);
        } else {
            ++it;
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::optional<TimePoint> H2ConnPool::nextDeadline() const
{
    std::optional<TimePoint> next;
    if (m_idleTimeout <= Duration::zero()) {
        return next;
    }
    for (const auto &[id, c] : m_conns) {
        if (c.streams == 0 && c.reserved == 0 && c.lastIdle) {
            const TimePoint due = *c.lastIdle + m_idleTimeout;
            if (!next || due < *next) {
                next = due;
            }
        }
    }
    return next;
}

int H2ConnPool::streams(ConnId conn) const
{
    const Conn *c = find(conn);
    return c ? c->streams : 0;
}

std::uint32_t H2ConnPool::maxConcurrentStreams(ConnId conn) const
{
    const Conn *c = find(conn);
    return c ? c->maxConcurrent : 0;
}

bool H2ConnPool::goingAway(ConnId conn) const
{
    const Conn *c = find(conn);
    return c != nullptr && c->goAway;
}

int H2ConnPool::activeStreams() const
{
    return m_streams;
}

int H2ConnPool::maxStreamsPerConn() const
{
    int n = 0;
    for (const auto &[id, c] : m_conns) {
        n = std::max(n, c.streams);
    }
    return n;
}

bool H2ConnPool::hasConnAtStreamLimit(HostId host) const
{
    for (const auto &[id, c] : m_conns) {
        if (c.host == host && !c.goAway && !tooIdle(c)
            && static_cast<std::int64_t>(c.streams) + c.reserved + 1
                > static_cast<std::int64_t>(c.maxConcurrent)) {
            return true;
        }
    }
    return false;
}

int H2ConnPool::reservedStreams() const
{
    int n = 0;
    for (const auto &[id, c] : m_conns) {
        n += c.reserved;
    }
    return n;
}

} // namespace poolscope
