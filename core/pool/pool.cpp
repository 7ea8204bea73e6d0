#include "pool.h"

#include <algorithm>
#include <cassert>

namespace poolscope {

bool shouldRetryRequest(const RetryQuery &q)
{
    // Go: a fresh connection's failure is the server's answer, never retried.
    if (!q.connWasReused) {
        return false;
    }
    // nothingWrittenError: safe to resend if there is no body or it can be rewound.
    if (q.nothingWritten) {
        return !q.hasBody || q.bodyRewindable;
    }
    if (!q.replayable) {
        return false;
    }
    // transportReadFromServerError or errServerClosedIdle.
    return q.error == CloseReason::ReadError || q.error == CloseReason::ServerClosedIdle;
}

PoolAction PoolAction::dial(ConnId conn, HostId host, ReqId forReq)
{
    return PoolAction { .type = ActionType::StartDial, .conn = conn, .req = forReq, .host = host };
}

PoolAction PoolAction::deliver(
    ConnId conn, HostId host, ReqId req, std::uint32_t tag, GotConnInfo got)
{
    return PoolAction { .type = ActionType::Deliver,
        .conn = conn,
        .req = req,
        .host = host,
        .reused = got.reused,
        .wasIdle = got.wasIdle,
        .idleTime = got.idleTime,
        .tag = tag };
}

PoolAction PoolAction::close(ConnId conn, CloseReason reason, HostId host, ReqId servingReq)
{
    return PoolAction {
        .type = ActionType::Close, .conn = conn, .req = servingReq, .host = host, .reason = reason
    };
}

PoolAction PoolAction::failRequest(ReqId req, CloseReason reason, HostId host, std::uint32_t tag)
{
    return PoolAction {
        .type = ActionType::FailRequest, .req = req, .host = host, .reason = reason, .tag = tag
    };
}

Pool::Pool(const Clock &clock, TransportConfig config) : m_clock(clock), m_config(config)
{
    m_actions.reserve(64);
}

void Pool::setConfig(const TransportConfig &config)
{
    const int oldMax = m_config.maxConnsPerHost;
    m_config = config;
    const int newMax = m_config.maxConnsPerHost;
    const bool raised = (oldMax > 0) && (newMax <= 0 || newMax > oldMax);
    if (!raised) {
        return;
    }
    // Go reads MaxConnsPerHost at each dial; a request queued for a slot under the
    // old limit would be allowed to dial under the new one, so let it.
    for (HostId h = 0; h < m_hosts.size(); ++h) {
        Host &host = m_hosts[h];
        while (newMax <= 0 || host.conns < newMax) {
            ReqId req = 0;
            if (!popLiveWaiter(host.dialWait, &req)) {
                break;
            }
            Want &w = m_wants[req];
            w.queuedForDial = false;
            --host.counters.queuedForDial;
            --m_counters.now.queuedForDial;
            startDial(h, req);
        }
    }
}

HostId Pool::hostId(std::string_view key)
{
    for (HostId h = 0; h < m_hosts.size(); ++h) {
        if (m_hosts[h].key == key) {
            return h;
        }
    }
    m_hosts.push_back(Host {});
    m_hosts.back().key = std::string(key);
    return static_cast<HostId>(m_hosts.size() - 1);
}

Pool::Conn *Pool::find(ConnId id)
{
    auto it = m_conns.find(id);
    return it == m_conns.end() ? nullptr : &it->second;
}

const Pool::Conn *Pool::find(ConnId id) const
{
    auto it = m_conns.find(id);
    return it == m_conns.end() ? nullptr : &it->second;
}

void Pool::emit(EventType type, const Conn *c, ReqId req, CloseReason reason, bool reused,
    bool wasIdle, TimePoint idleTime)
{
    if (m_sink == nullptr) {
        return;
    }
    PoolEvent e;
    e.time = m_clock.now();
    e.type = type;
    e.conn = c ? c->id : 0;
    e.host = c ? c->host : 0;
    e.req = req;
    e.reason = reason;
    e.reused = reused;
    e.wasIdle = wasIdle;
    e.idleTime = idleTime;
    m_sink->onPoolEvent(e);
}

void Pool::emitRequest(EventType type, HostId host, ReqId req)
{
    if (m_sink == nullptr) {
        return;
    }
    PoolEvent e;
    e.time = m_clock.now();
    e.type = type;
    e.host = host;
    e.req = req;
    m_sink->onPoolEvent(e);
}

// The only place a connection changes state. Keeps per-host and total live
// counters in step and records closes with their reason.
void Pool::transition(Conn &c, ConnState to, CloseReason reason)
{
    HostCounters &hc = m_hosts[c.host].counters;
    auto adjust = [&](ConnState s, int delta) {
        switch (s) {
        case ConnState::Dialing:
            hc.dialing += delta;
            m_counters.now.dialing += delta;
            break;
        case ConnState::Active:
            hc.active += delta;
            m_counters.now.active += delta;
            break;
        case ConnState::Idle:
            hc.idle += delta;
            m_counters.now.idle += delta;
            break;
        case ConnState::Closed:
            break;
        }
    };
    assert(c.state != ConnState::Closed);
    adjust(c.state, -1);
    adjust(to, +1);
    c.state = to;
    c.since = m_clock.now();
    if (to == ConnState::Closed) {
        ++m_counters.closed;
        ++m_counters.closesByReason[static_cast<std::size_t>(reason)];
        emit(EventType::ConnClosed, &c, c.serving, reason);
    }
}

ReqId Pool::getConn(HostId host, std::uint32_t tag)
{
    const ReqId req = m_nextReq++;
    Host &h = m_hosts[host];
    emitRequest(EventType::GetConn, host, req);

    // queueForIdleConn: newest idle first, dropping ones past IdleConnTimeout.
    if (!m_config.disableKeepAlives) {
        const TimePoint now = m_clock.now();
        while (!h.idle.empty()) {
            Conn *c = h.idle.back();
            const bool tooOld = m_config.idleConnTimeout > Duration::zero()
                && c->idleAt < now - m_config.idleConnTimeout;
            if (tooOld) {
                close(*c, CloseReason::IdleTimeout);
                continue;
            }
            const TimePoint idleTime = now - c->idleAt;
            removeIdle(*c);
            ++m_counters.reused;
            ++m_counters.gets;
            c->serving = req;
            ++c->requests;
            transition(*c, ConnState::Active);
            emit(EventType::GotConn, c, req, CloseReason::None, true, true, idleTime);
            m_actions.push_back(PoolAction::deliver(
                c->id, host, req, tag, { .reused = true, .wasIdle = true, .idleTime = idleTime }));
            return req;
        }
    }

    // Register as a waiter for the next returned connection AND start (or queue) a dial.
    Want &w = m_wants[req];
    w.host = host;
    w.tag = tag;
    w.since = m_clock.now();
    ++h.counters.waiting;
    ++m_counters.now.waiting;
    if (!m_config.disableKeepAlives) {
        while (!h.idleWait.empty() && m_wants.find(h.idleWait.front()) == m_wants.end()) {
            h.idleWait.pop_front(); // Go's cleanFront
        }
        h.idleWait.push_back(req);
    }
    queueForDial(req, w);
    return req;
}

void Pool::queueForDial(ReqId req, Want &w)
{
    Host &h = m_hosts[w.host];
    if (m_config.maxConnsPerHost <= 0 || h.conns < m_config.maxConnsPerHost) {
        startDial(w.host, req);
        return;
    }
    while (!h.dialWait.empty() && m_wants.find(h.dialWait.front()) == m_wants.end()) {
        h.dialWait.pop_front();
    }
    h.dialWait.push_back(req);
    w.queuedForDial = true;
    ++h.counters.queuedForDial;
    ++m_counters.now.queuedForDial;
    emitRequest(EventType::WaitQueued, w.host, req);
}

Pool::Conn &Pool::startDial(HostId host, ReqId forReq)
{
    const ConnId id = m_nextConn++;
    Conn &c = m_conns[id];
    c.id = id;
    c.host = host;
    c.state = ConnState::Dialing;
    c.dialFor = forReq;
    c.opened = c.since = m_clock.now();
    Host &h = m_hosts[host];
    ++h.conns;
    ++h.counters.dialing;
    ++m_counters.now.dialing;
    ++m_counters.dials;
    emit(EventType::ConnectStart, &c, forReq);
    m_actions.push_back(PoolAction::dial(id, host, forReq));
    return c;
}

void Pool::cancelWant(ReqId req)
{
    auto it = m_wants.find(req);
    if (it != m_wants.end()) {
        takeWant(it);
    }
}

Pool::Want Pool::takeWant(std::unordered_map<ReqId, Want>::iterator it)
{
    const Want w = it->second;
    Host &h = m_hosts[w.host];
    --h.counters.waiting;
    --m_counters.now.waiting;
    if (w.queuedForDial) {
        --h.counters.queuedForDial;
        --m_counters.now.queuedForDial;
    }
    m_wants.erase(it);
    return w;
}

void Pool::deliver(Conn &c, ReqId req, bool wasIdle)
{
    auto it = m_wants.find(req);
    assert(it != m_wants.end());
    const std::uint32_t tag = takeWant(it).tag;

    const bool reused = c.reused;
    ++m_counters.gets;
    if (reused) {
        ++m_counters.reused;
    } else {
        ++m_counters.fresh;
    }
    c.serving = req;
    ++c.requests;
    if (c.state != ConnState::Active) {
        transition(c, ConnState::Active);
    }
    emit(EventType::GotConn, &c, req, CloseReason::None, reused, wasIdle);
    m_actions.push_back(
        PoolAction::deliver(c.id, c.host, req, tag, { .reused = reused, .wasIdle = wasIdle }));
}

void Pool::dialSucceeded(ConnId id)
{
    Conn *c = find(id);
    if (c == nullptr || c->state != ConnState::Dialing) {
        return;
    }
    emit(EventType::ConnectDone, c, c->dialFor);
    // w.tryDeliver: the request that started this dial takes it if still waiting.
    if (m_wants.find(c->dialFor) != m_wants.end()) {
        deliver(*c, c->dialFor, false);
        return;
    }
    // Its request was served by a returned connection first (or gave up): offer
    // the late connection to the pool like a returned one.
    c->serving = 0;
    transition(*c, ConnState::Active);
    putOrCloseIdleConn(*c);
}

void Pool::dialFailed(ConnId id, CloseReason reason)
{
    Conn *c = find(id);
    if (c == nullptr || c->state != ConnState::Dialing) {
        return;
    }
    ++m_counters.dialFailures;
    emit(EventType::ConnectDone, c, c->dialFor, reason);
    const ReqId req = c->dialFor;
    const HostId host = c->host;
    close(*c, reason);
    // The waiting request gets the dial error (Go does not retry dial errors).
    auto it = m_wants.find(req);
    if (it != m_wants.end()) {
        const std::uint32_t tag = takeWant(it).tag;
        m_actions.push_back(PoolAction::failRequest(req, reason, host, tag));
    }
}

bool Pool::releaseConn(ConnId id, bool reusable, CloseReason reason)
{
    Conn *c = find(id);
    if (c == nullptr || c->state != ConnState::Active) {
        return false;
    }
    const ReqId req = c->serving;
    if (!reusable) {
        close(*c, reason == CloseReason::None ? CloseReason::ConnectionCloseResponse : reason);
        return false;
    }
    const CloseReason err = tryPutIdleConn(*c, req);
    if (err != CloseReason::None) {
        // httptrace fires PutIdleConn(err) except for errKeepAlivesDisabled.
        if (err != CloseReason::KeepAlivesDisabled) {
            emit(EventType::PutIdleConn, c, req, err);
        }
        close(*c, err);
        return false;
    }
    return true;
}

CloseReason Pool::tryPutIdleConn(Conn &c, ReqId tracedReq)
{
    if (m_config.disableKeepAlives || m_config.maxIdleConnsPerHost < 0) {
        return CloseReason::KeepAlivesDisabled;
    }
    c.reused = true; // pconn.markReused
    Host &h = m_hosts[c.host];
    // Hand it to the oldest request still waiting for this host.
    ReqId waiter = 0;
    if (popLiveWaiter(h.idleWait, &waiter)) {
        if (tracedReq != 0) {
            emit(EventType::PutIdleConn, &c, tracedReq);
        }
        ++m_counters.idleHandoffs;
        emit(EventType::IdleHandoff, &c, waiter);
        deliver(c, waiter, false);
        return CloseReason::None;
    }
    if (static_cast<int>(h.idle.size()) >= m_config.effectiveMaxIdleConnsPerHost()) {
        return CloseReason::TooManyIdleHost;
    }
    const TimePoint now = m_clock.now();
    c.serving = 0;
    c.idleAt = now;
    transition(c, ConnState::Idle);
    h.idle.push_back(&c);
    lruAppend(c);
    ++m_counters.putIdle;
    if (tracedReq != 0) {
        emit(EventType::PutIdleConn, &c, tracedReq);
    }
    if (m_config.maxIdleConns != 0 && m_idleTotal > m_config.maxIdleConns) {
        Conn *oldest = m_lruHead;
        close(*oldest, CloseReason::TooManyIdle);
    }
    if (c.state == ConnState::Idle && m_config.idleConnTimeout > Duration::zero()) {
        c.idleDeadline = now + m_config.idleConnTimeout;
        m_idleDeadlines.emplace(c.idleDeadline, c.id);
    }
    return CloseReason::None;
}

void Pool::putOrCloseIdleConn(Conn &c)
{
    const CloseReason err = tryPutIdleConn(c, 0);
    if (err != CloseReason::None) {
        close(c, err);
    }
}

bool Pool::popLiveWaiter(std::deque<ReqId> &queue, ReqId *out)
{
    while (!queue.empty()) {
        const ReqId r = queue.front();
        queue.pop_front();
        if (m_wants.find(r) != m_wants.end()) {
            *out = r;
            return true;
        }
    }
    return false;
}

void Pool::removeIdle(Conn &c)
{
    Host &h = m_hosts[c.host];
    auto it = std::find(h.idle.rbegin(), h.idle.rend(), &c);
    if (it != h.idle.rend()) {
        h.idle.erase(std::next(it).base());
    }
    lruRemove(c);
    if (c.idleDeadline != TimePoint { 0 }) {
        m_idleDeadlines.erase({ c.idleDeadline, c.id });
        c.idleDeadline = TimePoint { 0 };
    }
}

void Pool::lruAppend(Conn &c)
{
    c.lruPrev = m_lruTail;
    c.lruNext = nullptr;
    if (m_lruTail) {
        m_lruTail->lruNext = &c;
    } else {
        m_lruHead = &c;
    }
    m_lruTail = &c;
    ++m_idleTotal;
}

void Pool::lruRemove(Conn &c)
{
    if (c.lruPrev) {
        c.lruPrev->lruNext = c.lruNext;
    } else if (m_lruHead == &c) {
        m_lruHead = c.lruNext;
    } else {
        return; // not in the list
    }
    if (c.lruNext) {
        c.lruNext->lruPrev = c.lruPrev;
    } else {
        m_lruTail = c.lruPrev;
    }
    c.lruPrev = c.lruNext = nullptr;
    --m_idleTotal;
}

void Pool::close(Conn &c, CloseReason reason)
{
    if (c.state == ConnState::Idle) {
        removeIdle(c);
    }
    const ConnId id = c.id;
    const HostId host = c.host;
    transition(c, ConnState::Closed, reason);
    m_actions.push_back(PoolAction::close(id, reason, host, c.serving));
    eraseConn(id);
    decConnsPerHost(host);
}

void Pool::closeConn(ConnId id, CloseReason reason)
{
    Conn *c = find(id);
    if (c == nullptr) {
        return;
    }
    if (c->state == ConnState::Dialing) {
        dialFailed(id, reason);
        return;
    }
    close(*c, reason);
}

void Pool::decConnsPerHost(HostId host)
{
    Host &h = m_hosts[host];
    // Hand the freed slot to a request still waiting to dial (Go's decConnsPerHost).
    if (m_config.maxConnsPerHost > 0 || !h.dialWait.empty()) {
        ReqId req = 0;
        if (popLiveWaiter(h.dialWait, &req)) {
            Want &w = m_wants[req];
            w.queuedForDial = false;
            --h.counters.queuedForDial;
            --m_counters.now.queuedForDial;
            --h.conns; // startDial counts it again
            startDial(host, req);
            return;
        }
    }
    --h.conns;
}

void Pool::eraseConn(ConnId id)
{
    m_conns.erase(id);
}

void Pool::noteRetry(ReqId req, ConnId failedConn)
{
    ++m_counters.retries;
    if (m_sink) {
        PoolEvent e;
        e.time = m_clock.now();
        e.type = EventType::Retry;
        e.req = req;
        e.conn = failedConn;
        m_sink->onPoolEvent(e);
    }
}

void Pool::advance()
{
    const TimePoint now = m_clock.now();
    while (!m_idleDeadlines.empty() && m_idleDeadlines.begin()->first <= now) {
        const ConnId id = m_idleDeadlines.begin()->second;
        Conn *c = find(id);
        if (c == nullptr || c->state != ConnState::Idle) {
            m_idleDeadlines.erase(m_idleDeadlines.begin());
            continue;
        }
        close(*c, CloseReason::IdleTimeout); // closeConnIfStillIdle
    }
}

std::optional<TimePoint> Pool::nextDeadline() const
{
    if (m_idleDeadlines.empty()) {
        return std::nullopt;
    }
    return m_idleDeadlines.begin()->first;
}

void Pool::closeIdleConnections()
{
    while (m_lruHead != nullptr) {
        close(*m_lruHead, CloseReason::TransportClosed);
    }
}

void Pool::closeAll(CloseReason reason)
{
    closeIdleConnections();
    // Fail every waiter first so freed slots do not start new dials.
    std::vector<std::pair<ReqId, Want>> waiting(m_wants.begin(), m_wants.end());
    std::sort(waiting.begin(), waiting.end(),
        [](const auto &a, const auto &b) { return a.first < b.first; });
    for (const auto &[req, w] : waiting) {
        cancelWant(req);
        m_actions.push_back(PoolAction::failRequest(req, reason, w.host, w.tag));
    }
    for (Host &h : m_hosts) {
        h.idleWait.clear();
        h.dialWait.clear();
    }
    std::vector<ConnId> ids;
    ids.reserve(m_conns.size());
    for (const auto &[id, c] : m_conns) {
        ids.push_back(id);
    }
    std::sort(ids.begin(), ids.end());
    for (ConnId id : ids) {
        if (Conn *c = find(id)) {
            if (c->state == ConnState::Dialing) {
                ++m_counters.dialFailures;
                emit(EventType::ConnectDone, c, c->dialFor, reason);
            }
            close(*c, reason);
        }
    }
}

void Pool::takeActions(std::vector<PoolAction> &out)
{
    out.clear();
    out.swap(m_actions);
}

std::optional<ConnState> Pool::connState(ConnId id) const
{
    const Conn *c = find(id);
    if (c == nullptr) {
        return std::nullopt;
    }
    return c->state;
}

std::uint32_t Pool::connRequests(ConnId id) const
{
    const Conn *c = find(id);
    return c ? c->requests : 0;
}

bool Pool::connReused(ConnId id) const
{
    const Conn *c = find(id);
    return c ? c->reused : false;
}

std::vector<ConnId> Pool::idleConns(HostId host) const
{
    std::vector<ConnId> out;
    for (const Conn *c : m_hosts[host].idle) {
        out.push_back(c->id);
    }
    return out;
}

} // namespace poolscope
