#include "pool.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

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

namespace {

// Always on, release builds too: a broken pool invariant would silently corrupt every
// counter the charts show, so stop at the first one.
void poolCheck(bool ok, const char *what)
{
    if (!ok) {
        std::fprintf(stderr, "poolscope: pool invariant broken: %s\n", what);
        std::abort();
    }
}

} // namespace

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
        while ((newMax <= 0 || m_hosts[h].conns() < newMax) && dialNextQueued(h)) { }
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

void Pool::record(EventType type, const Conn &c, ReqId req, CloseReason reason)
{
    if (m_sink == nullptr) {
        return;
    }
    PoolEvent e;
    e.time = m_clock.now();
    e.type = type;
    e.conn = c.id;
    e.host = c.host;
    e.req = req;
    e.reason = reason;
    m_sink->onPoolEvent(e);
}

void Pool::recordGotConn(const Conn &c, ReqId req, const GotConnInfo &got)
{
    if (m_sink == nullptr) {
        return;
    }
    PoolEvent e;
    e.time = m_clock.now();
    e.type = EventType::GotConn;
    e.conn = c.id;
    e.host = c.host;
    e.req = req;
    e.reused = got.reused;
    e.wasIdle = got.wasIdle;
    e.idleTime = got.idleTime;
    m_sink->onPoolEvent(e);
}

void Pool::recordRequest(EventType type, HostId host, ReqId req)
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

// The only place a connection changes state. Checks the edge, moves the per-state
// counters (host and total), lists an idle connection (host list, global LRU, idle
// timer) on entry and unlists it on exit, and records closes with their reason.
void Pool::transition(Conn &c, ConnState to, CloseReason reason)
{
    poolCheck(isLegalConnTransition(c.state, to), "illegal connection state change");
    poolCheck((to == ConnState::Closed) == (reason != CloseReason::None),
        "a close has a reason and nothing else has one");
    if (c.state) {
        countState(c.host, *c.state, -1);
        if (*c.state == ConnState::Idle) {
            unlistIdle(c);
        }
        if (*c.state == ConnState::Dialing) {
            m_dialsByReq.erase(c.dialFor);
        }
    }
    if (to == ConnState::Dialing) {
        m_dialsByReq[c.dialFor] = c.id;
    }
    c.state = to;
    c.since = m_clock.now();
    countState(c.host, to, +1);
    if (to == ConnState::Idle) {
        listIdle(c);
    }
    if (to == ConnState::Closed) {
        ++m_counters.closed;
        ++m_counters.closesByReason[static_cast<std::size_t>(reason)];
        record(EventType::ConnClosed, c, c.serving, reason);
    }
}

void Pool::countState(HostId host, ConnState s, int delta)
{
    HostCounters &hc = m_hosts[host].counters;
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
}

void Pool::listIdle(Conn &c)
{
    const TimePoint now = m_clock.now();
    c.idleAt = now;
    m_hosts[c.host].idle.push_back(&c);
    lruAppend(c);
    if (m_config.idleConnTimeout > Duration::zero()) {
        c.idleDeadline = saturatingAdd(now, m_config.idleConnTimeout);
        m_idleDeadlines.emplace(c.idleDeadline, c.id);
    }
}

void Pool::unlistIdle(Conn &c)
{
    Host &h = m_hosts[c.host];
    auto it = std::find(h.idle.rbegin(), h.idle.rend(), &c);
    poolCheck(it != h.idle.rend(), "an idle connection missing from its host's idle list");
    h.idle.erase(std::next(it).base());
    lruRemove(c);
    if (c.idleDeadline != TimePoint { 0 }) {
        m_idleDeadlines.erase({ c.idleDeadline, c.id });
        c.idleDeadline = TimePoint { 0 };
    }
}

ReqId Pool::getConn(HostId host, std::uint32_t tag)
{
    const ReqId req = m_nextReq++;
    Host &h = m_hosts[host];
    recordRequest(EventType::GetConn, host, req);

    // queueForIdleConn: newest idle first, dropping ones past IdleConnTimeout.
    if (!m_config.disableKeepAlives) {
        m_closeIdle = false; // a request wants one: stop closing returned connections
        const TimePoint now = m_clock.now();
        while (!h.idle.empty()) {
            Conn *c = h.idle.back();
            const bool tooOld = m_config.idleConnTimeout > Duration::zero()
                && c->idleAt < saturatingSub(now, m_config.idleConnTimeout);
            if (tooOld) {
                close(*c, CloseReason::IdleTimeout);
                continue;
            }
            handOut(*c, req, tag, true, now - c->idleAt);
            return req;
        }
    }

    // Register as a waiter for the next returned connection AND start (or queue) a dial.
    Want &w = addWant(req, host, tag);
    if (!m_config.disableKeepAlives) {
        cleanFront(h.idleWait);
        h.idleWait.push_back(req);
    }
    queueForDial(req, w);
    return req;
}

void Pool::queueForDial(ReqId req, Want &w)
{
    Host &h = m_hosts[w.host];
    if (m_config.maxConnsPerHost <= 0 || h.conns() < m_config.maxConnsPerHost) {
        startDial(w.host, req);
        return;
    }
    cleanFront(h.dialWait);
    h.dialWait.push_back(req);
    setQueuedForDial(w, true);
    recordRequest(EventType::WaitQueued, w.host, req);
}

void Pool::startDial(HostId host, ReqId forReq)
{
    const ConnId id = m_nextConn++;
    Conn &c = m_conns[id];
    c.id = id;
    c.host = host;
    c.dialFor = forReq;
    c.opened = m_clock.now();
    transition(c, ConnState::Dialing);
    ++m_counters.dials;
    record(EventType::ConnectStart, c, forReq);
    m_actions.push_back(PoolAction::dial(id, host, forReq));
}

// The oldest live request queued for a dial slot of `host` dials now. False if none is left.
bool Pool::dialNextQueued(HostId host)
{
    ReqId req = 0;
    if (!popLiveWaiter(m_hosts[host].dialWait, &req)) {
        return false;
    }
    setQueuedForDial(m_wants.at(req), false);
    startDial(host, req);
    return true;
}

void Pool::cancelWant(ReqId req)
{
    auto it = m_wants.find(req);
    if (it != m_wants.end()) {
        takeWant(it);
    }
}

bool Pool::requestContextDone(ReqId req)
{
    cancelWant(req);
    if (!m_config.dialsUnderRequestContext()) {
        return false; // the later rule: the dial goes on and joins the pool
    }
    const auto it = m_dialsByReq.find(req);
    if (it == m_dialsByReq.end()) {
        return false;
    }
    Conn &c = m_conns.at(it->second);
    // Not a dial failure anyone sees: the request was answered, Go's tryDeliver drops the
    // error. ConnectDone(err) as Go's trace reports the aborted dial.
    record(EventType::ConnectDone, c, req, CloseReason::DialCanceled);
    close(c, CloseReason::DialCanceled);
    return true;
}

Pool::Want &Pool::addWant(ReqId req, HostId host, std::uint32_t tag)
{
    Want &w = m_wants[req];
    w.host = host;
    w.tag = tag;
    w.since = m_clock.now();
    ++m_hosts[host].counters.waiting;
    ++m_counters.now.waiting;
    return w;
}

void Pool::setQueuedForDial(Want &w, bool queued)
{
    if (w.queuedForDial == queued) {
        return;
    }
    w.queuedForDial = queued;
    const int delta = queued ? 1 : -1;
    m_hosts[w.host].counters.queuedForDial += delta;
    m_counters.now.queuedForDial += delta;
}

Pool::Want Pool::takeWant(WantIt it)
{
    setQueuedForDial(it->second, false);
    const Want w = it->second;
    --m_hosts[w.host].counters.waiting;
    --m_counters.now.waiting;
    m_wants.erase(it);
    return w;
}

// Request `req` gets `c`: off the idle list (wasIdle), handed over on return, or its dial.
void Pool::handOut(Conn &c, ReqId req, std::uint32_t tag, bool wasIdle, TimePoint idleTime)
{
    const GotConnInfo got { .reused = c.reused, .wasIdle = wasIdle, .idleTime = idleTime };
    ++m_counters.gets;
    if (got.reused) {
        ++m_counters.reused;
    } else {
        ++m_counters.fresh;
    }
    c.serving = req;
    ++c.requests;
    if (c.state != ConnState::Active) {
        transition(c, ConnState::Active); // a hand-over keeps it Active
    }
    recordGotConn(c, req, got);
    m_actions.push_back(PoolAction::deliver(c.id, c.host, req, tag, got));
}

void Pool::dialSucceeded(ConnId id)
{
    Conn *c = find(id);
    if (c == nullptr || c->state != ConnState::Dialing) {
        return;
    }
    record(EventType::ConnectDone, *c, c->dialFor);
    // w.tryDeliver: the request that started this dial takes it if still waiting.
    auto it = m_wants.find(c->dialFor);
    if (it != m_wants.end()) {
        handOut(*c, c->dialFor, takeWant(it).tag, false, TimePoint { 0 });
        return;
    }
    // Its request was served by a returned connection first (or gave up): offer
    // the late connection to the pool like a returned one.
    c->serving = 0;
    transition(*c, ConnState::Active);
    putOrCloseIdleConn(*c);
}

void Pool::dialSucceededMultiplexed(ConnId id)
{
    Conn *c = find(id);
    if (c == nullptr || c->state != ConnState::Dialing) {
        return;
    }
    record(EventType::ConnectDone, *c, c->dialFor);
    c->serving = 0;
    transition(*c, ConnState::Active);
}

ReqId Pool::noteStream(ConnId id)
{
    Conn *c = find(id);
    if (c == nullptr || c->state != ConnState::Active) {
        return 0;
    }
    const ReqId req = m_nextReq++;
    recordRequest(EventType::GetConn, c->host, req);
    const GotConnInfo got {
        .reused = c->requests > 0, .wasIdle = false, .idleTime = TimePoint { 0 }
    };
    ++m_counters.gets;
    ++(got.reused ? m_counters.reused : m_counters.fresh);
    ++c->requests;
    recordGotConn(*c, req, got);
    return req;
}

void Pool::dialFailed(ConnId id, CloseReason reason)
{
    Conn *c = find(id);
    if (c == nullptr || c->state != ConnState::Dialing) {
        return;
    }
    ++m_counters.dialFailures;
    record(EventType::ConnectDone, *c, c->dialFor, reason);
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
            record(EventType::PutIdleConn, *c, req, err);
        }
        close(*c, err);
        return false;
    }
    return true;
}

CloseReason Pool::tryPutIdleConn(Conn &c, ReqId tracedReq)
{
    // 1. keep-alives off (Go checks pconn.isBroken next: a broken connection is closed by
    //    the driver with closeConn and never returned here).
    if (m_config.disableKeepAlives || m_config.maxIdleConnsPerHost < 0) {
        return CloseReason::KeepAlivesDisabled;
    }
    c.reused = true; // pconn.markReused
    Host &h = m_hosts[c.host];
    // 2. hand it to the oldest request still waiting for this host.
    ReqId waiter = 0;
    if (popLiveWaiter(h.idleWait, &waiter)) {
        if (tracedReq != 0) {
            record(EventType::PutIdleConn, c, tracedReq);
        }
        ++m_counters.idleHandoffs;
        record(EventType::IdleHandoff, c, waiter);
        handOut(c, waiter, takeWant(m_wants.find(waiter)).tag, false, TimePoint { 0 });
        return CloseReason::None;
    }
    // 3. CloseIdleConnections was called and no getConn has wanted one since.
    if (m_closeIdle) {
        return CloseReason::TransportClosed; // errCloseIdle
    }
    // 4. the host's idle list is full.
    if (static_cast<int>(h.idle.size()) >= m_config.effectiveMaxIdleConnsPerHost()) {
        return CloseReason::TooManyIdleHost;
    }
    // 5. idle, newest last; 6. its idle timer is armed on entering Idle.
    c.serving = 0;
    transition(c, ConnState::Idle);
    ++m_counters.putIdle;
    if (tracedReq != 0) {
        record(EventType::PutIdleConn, c, tracedReq);
    }
    // 5. over MaxIdleConns: the globally oldest idle goes (it is `c` itself only when
    //    MaxIdleConns is negative; Go still reports the put as a success then).
    if (m_config.maxIdleConns != 0 && m_counters.now.idle > m_config.maxIdleConns) {
        close(*m_lruHead, CloseReason::TooManyIdle);
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

// Go's wantConnQueue.cleanFront: drop served or cancelled requests at the head, so a
// queue never grows with requests that were answered some other way.
void Pool::cleanFront(std::deque<ReqId> &queue) const
{
    while (!queue.empty() && m_wants.find(queue.front()) == m_wants.end()) {
        queue.pop_front();
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
}

void Pool::lruRemove(Conn &c)
{
    if (c.lruPrev) {
        c.lruPrev->lruNext = c.lruNext;
    } else {
        poolCheck(m_lruHead == &c, "an idle connection missing from the LRU");
        m_lruHead = c.lruNext;
    }
    if (c.lruNext) {
        c.lruNext->lruPrev = c.lruPrev;
    } else {
        m_lruTail = c.lruPrev;
    }
    c.lruPrev = c.lruNext = nullptr;
}

void Pool::close(Conn &c, CloseReason reason)
{
    const ConnId id = c.id;
    const HostId host = c.host;
    const ReqId serving = c.serving;
    transition(c, ConnState::Closed, reason);
    m_actions.push_back(PoolAction::close(id, reason, host, serving));
    m_conns.erase(id);
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

// A connection of `host` is gone. Go's decConnsPerHost: its slot goes to a request still
// waiting to dial, even if MaxConnsPerHost was lowered meanwhile (the count is handed on).
void Pool::decConnsPerHost(HostId host)
{
    if (m_config.maxConnsPerHost > 0 || !m_hosts[host].dialWait.empty()) {
        dialNextQueued(host);
    }
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
        poolCheck(c != nullptr && c->state == ConnState::Idle, "an idle timer without its idle");
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
    m_closeIdle = true; // close newly idle connections too
    while (m_lruHead != nullptr) {
        close(*m_lruHead, CloseReason::TransportClosed); // errCloseIdleConns
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
        closeConn(id, reason); // a dial in flight ends with ConnectDone(reason)
    }
}

void Pool::cancelDials()
{
    // Waiters first, so no freed slot starts a new dial.
    std::vector<ReqId> waiting;
    waiting.reserve(m_wants.size());
    for (const auto &[req, w] : m_wants) {
        waiting.push_back(req);
    }
    for (ReqId req : waiting) {
        cancelWant(req);
    }
    for (Host &h : m_hosts) {
        h.idleWait.clear();
        h.dialWait.clear();
    }
    std::vector<ConnId> dialing;
    for (const auto &[id, c] : m_conns) {
        if (c.state == ConnState::Dialing) {
            dialing.push_back(id);
        }
    }
    std::sort(dialing.begin(), dialing.end());
    for (ConnId id : dialing) {
        Conn &c = m_conns.at(id);
        record(EventType::ConnectDone, c, c.dialFor, CloseReason::Canceled);
        close(c, CloseReason::Canceled);
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

std::size_t Pool::waitQueueEntries(HostId host) const
{
    return m_hosts[host].idleWait.size() + m_hosts[host].dialWait.size();
}

std::string Pool::checkConsistency() const
{
    std::string err;
    auto expect = [&err](bool ok, const std::string &what) {
        if (!ok && err.empty()) {
            err = what;
        }
    };
    std::vector<HostCounters> recount(m_hosts.size());
    std::size_t withDeadline = 0;
    for (const auto &[id, c] : m_conns) {
        expect(c.id == id && c.state && *c.state != ConnState::Closed && c.host < m_hosts.size(),
            "conn " + std::to_string(id) + " has no live state");
        if (!c.state || c.host >= m_hosts.size()) {
            continue;
        }
        HostCounters &r = recount[c.host];
        r.dialing += *c.state == ConnState::Dialing;
        r.active += *c.state == ConnState::Active;
        r.idle += *c.state == ConnState::Idle;
        withDeadline += c.idleDeadline != TimePoint { 0 };
        expect((c.idleDeadline != TimePoint { 0 }) <= (*c.state == ConnState::Idle),
            "conn " + std::to_string(id) + " has an idle timer but is not idle");
    }
    for (const auto &[req, w] : m_wants) {
        ++recount[w.host].waiting;
        recount[w.host].queuedForDial += w.queuedForDial;
        const auto &q = m_hosts[w.host].dialWait;
        expect(!w.queuedForDial || std::find(q.begin(), q.end(), req) != q.end(),
            "request " + std::to_string(req) + " counted as queued for a dial but not queued");
    }
    HostCounters total;
    for (HostId h = 0; h < m_hosts.size(); ++h) {
        const Host &host = m_hosts[h];
        expect(
            host.counters == recount[h], "host " + host.key + " counters disagree with a recount");
        expect(host.idle.size() == static_cast<std::size_t>(recount[h].idle),
            "host " + host.key + " idle list length disagrees with its idle connections");
        for (const Conn *c : host.idle) {
            expect(c->host == h && c->state == ConnState::Idle,
                "host " + host.key + " idle list holds a non-idle connection");
        }
        total.dialing += recount[h].dialing;
        total.active += recount[h].active;
        total.idle += recount[h].idle;
        total.waiting += recount[h].waiting;
        total.queuedForDial += recount[h].queuedForDial;
    }
    expect(m_counters.now == total, "total counters disagree with the sum over hosts");
    int lru = 0;
    TimePoint last { 0 };
    for (const Conn *c = m_lruHead; c != nullptr; c = c->lruNext) {
        expect(c->state == ConnState::Idle && c->idleAt >= last, "the LRU is out of order");
        last = c->idleAt;
        ++lru;
        expect(c->lruNext != nullptr || c == m_lruTail, "the LRU tail is wrong");
    }
    expect(lru == total.idle, "the LRU length disagrees with the idle count");
    expect(m_idleDeadlines.size() == withDeadline, "idle timers disagree with idle connections");
    expect(m_dialsByReq.size() == static_cast<std::size_t>(total.dialing),
        "dials by request disagree with the dialing connections");
    return err;
}

} // namespace poolscope
