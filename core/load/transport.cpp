#include "transport.h"

#include <algorithm>

namespace poolscope {

Transport::Transport(const Clock &clock, const TransportConfig &config, RoundTripHandler &handler,
    PoolEventSink *events, QObject *parent)
    : QObject(parent)
    , m_clock(clock)
    , m_config(config)
    , m_handler(handler)
    , m_events(events)
    , m_pool(clock, config)
    , m_h2Pool(clock)
{
    m_h2Pool.setConfig(config.strictMaxConcurrentStreams, config.idleConnTimeout);
    m_h2Timer.setParent(this);
    m_h2Timer.setSingleShot(true);
    m_h2Timer.setTimerType(Qt::PreciseTimer);
    connect(&m_h2Timer, &QTimer::timeout, this, [this] { h2CloseDue(); });
    m_pool.setEventSink(events);
    m_idleTimer.setParent(this); // moves along with the Transport
    m_idleTimer.setSingleShot(true);
    m_idleTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_idleTimer, &QTimer::timeout, this, [this] {
        const PoolLock::Guard g = guard();
        m_armedDeadline.reset();
        m_pool.advance();
        processActions();
    });
    m_leakTimer.setParent(this);
    m_leakTimer.setSingleShot(true);
    m_leakTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_leakTimer, &QTimer::timeout, this, [this] {
        const PoolLock::Guard g = guard();
        closeExpiredLeaks();
    });
}

Transport::~Transport()
{
    m_h2.clear(); // neither do H2Session's
    m_h2Graveyard.clear();
    shutDownThreads();
    m_conns.clear(); // Connection's destructor closes quietly: no callbacks reach us
    m_graveyard.clear();
}

HostId Transport::addHost(const QString &poolKey, const Endpoint &endpoint)
{
    const HostId host = m_pool.hostId(poolKey.toStdString());
    if (host >= m_endpoints.size()) {
        m_endpoints.resize(host + 1, endpoint);
    }
    return host;
}

void Transport::setConfig(const TransportConfig &config)
{
    m_config = config;
    m_pool.setConfig(config);
    m_h2Pool.setConfig(config.strictMaxConcurrentStreams, config.idleConnTimeout);
    processActions();
}

DialSpec Transport::dialSpec(HostId host) const
{
    const Endpoint &e = m_endpoints[host];
    DialSpec s;
    s.address = e.address;
    s.port = e.port;
    s.tls = e.tls;
    s.tlsServerName = e.serverName;
    s.insecureSkipVerify = m_config.insecureSkipVerify;
    s.keepAlive = m_config.effectiveKeepAlive();
    s.dialTimeout = m_config.dialTimeout;
    s.tlsHandshakeTimeout = m_config.tlsHandshakeTimeout;
    s.offerH2 = e.tls && m_config.attemptsHttp2();
    return s;
}

RoundTripId Transport::roundTrip(RoundTripRequest request)
{
    const RoundTripId id = m_nextId++;
    Trip &t = m_trips[id];
    t.request = std::move(request);
    t.start = m_clock.now();
    startAttempt(id);
    return m_trips.count(id) ? id : 0;
}

void Transport::startAttempt(RoundTripId id)
{
    Trip &t = m_trips.at(id);
    if (t.req != 0) {
        t.earlierReqs.push_back(t.req); // a retry: same request, same context
    }
    t.conn = 0;
    t.reused = false;
    t.gotHeaders = false;
    t.head = {};
    t.readLimit = -1;
    t.h2Conn = 0;
    t.h2Stream = 0;
    m_h2Overflow.erase(id);
    if (h2TryCached(id)) {
        return;
    }
    queueForConn(id);
}

void Transport::queueForConn(RoundTripId id)
{
    Trip &t = m_trips.at(id);
    t.req = m_pool.getConn(t.request.host);
    m_waiting.emplace(t.req, id);
    processActions();
}

void Transport::cancel(RoundTripId id, RequestFailure why, const QString &message)
{
    const auto it = m_trips.find(id);
    if (it == m_trips.end() || it->second.resuming) {
        return; // over, or its response is complete: nothing to cancel
    }
    if (h2Cancel(id, why, message)) {
        return;
    }
    const Trip &t = it->second;
    if (m_waiting.erase(t.req) > 0) {
        m_pool.cancelWant(t.req); // its dial: complete() ends the request's context
    } else if (detach(t.conn) == id) {
        m_pool.closeConn(t.conn, requestFailureCloseReason(why));
    } else {
        return;
    }
    processActions();
    complete(id, why, message);
}

bool Transport::readingBody(RoundTripId id) const
{
    const auto it = m_trips.find(id);
    return it != m_trips.end() && it->second.gotHeaders && !it->second.resuming;
}

void Transport::abandonAll()
{
    deliverDeferred(); // round trips that ended before the stop, their callers not run yet
    std::vector<RoundTripId> ids;
    ids.reserve(m_trips.size());
    for (const auto &[id, t] : m_trips) {
        ids.push_back(id);
    }
    std::sort(ids.begin(), ids.end());
    m_waiting.clear();
    m_h2Overflow.clear();
    m_onConn.clear(); // their connections stay as they are until closeAll()
    for (RoundTripId id : ids) {
        h2Release(id, false); // streams stay open until closeAll()
    }
    for (RoundTripId id : ids) {
        const auto it = m_trips.find(id);
        if (it != m_trips.end()) {
            complete(id, it->second.resuming ? RequestFailure::None : RequestFailure::Canceled, {});
        }
    }
    deliverDeferred();
}

void Transport::cancelDials()
{
    m_pool.cancelDials();
    processActions();
}

void Transport::closeAll()
{
    m_closed = true;
    m_pool.closeAll(CloseReason::TransportClosed);
    processActions();
    m_idleTimer.stop();
    m_armedDeadline.reset();
    m_h2Timer.stop();
    m_leakTimer.stop();
    m_leakDeadlines.clear();
}

void Transport::processActions()
{
    if (m_processing) {
        return; // the outer loop picks the new actions up
    }
    m_processing = true;
    std::vector<PoolAction> batch;
    batch.swap(m_actions);
    for (;;) {
        m_pool.takeActions(batch);
        if (batch.empty()) {
            break;
        }
        for (const PoolAction &a : batch) {
            handleAction(a);
        }
    }
    batch.swap(m_actions);
    m_processing = false;
    if (!m_closed) {
        rearmIdleTimer();
    }
    if (!m_graveyard.empty() && !m_gcPosted) {
        m_gcPosted = true; // one deferred delete pass per event-loop turn
        QMetaObject::invokeMethod(
            this, [this] { collectGarbage(); }, Qt::QueuedConnection);
    }
}

void Transport::collectGarbage()
{
    const PoolLock::Guard g = guard();
    m_gcPosted = false;
    m_graveyard.clear();
}

void Transport::handleAction(const PoolAction &a)
{
    switch (a.type) {
    case ActionType::StartDial:
        startDial(a);
        return;
    case ActionType::Deliver:
        deliver(a);
        return;
    case ActionType::Close:
        closeConnection(a.conn);
        return;
    case ActionType::FailRequest:
        failWaiting(a);
        return;
    }
}

void Transport::startDial(const PoolAction &a)
{
    ConnectionOwner &owner = *this; // a private base: convertible here only
    auto conn = std::make_unique<Connection>(a.conn, owner, dialSpec(a.host));
    Connection *c = conn.get();
    Conn &entry = m_conns.emplace(a.conn, Conn { std::move(conn), a.host }).first->second;
    if (dialElsewhere(a.conn, entry)) {
        return;
    }
    c->dial();
}

void Transport::deliver(const PoolAction &a)
{
    const auto cit = m_conns.find(a.conn);
    const auto wit = m_waiting.find(a.req);
    if (cit == m_conns.end() || wit == m_waiting.end()) {
        // The request is gone (canceled, the run stopped): give the connection back.
        if (cit != m_conns.end()) {
            m_pool.releaseConn(a.conn, true);
        }
        return;
    }
    const RoundTripId id = wit->second;
    m_waiting.erase(wit);
    m_h2Overflow.erase(id);
    Trip &t = m_trips.at(id);
    t.conn = a.conn;
    t.reused = a.reused;
    m_onConn[a.conn] = id;
    Connection &c = *cit->second.conn;
    const std::shared_ptr<const RequestTemplate> request = t.request.source->current; // t may go
    if (sendElsewhere(a, cit->second, request)) {
        return;
    }
    c.sendRequest(*request, m_config.responseHeaderTimeout, m_config.expectContinueTimeout,
        m_config.effectiveMaxResponseHeaderBytes());
    if (c.phase() != Connection::Phase::Closed) {
        emitEvent(EventType::WroteRequest, a.conn, a.req, a.host);
    }
}

void Transport::closeConnection(ConnId id)
{
    h2CloseSession(id);
    const auto it = m_conns.find(id);
    if (it == m_conns.end()) {
        return;
    }
    if (retire(it->second)) {
        m_conns.erase(it);
        return;
    }
    it->second.conn->close();
    m_graveyard.push_back(std::move(it->second.conn));
    m_conns.erase(it);
}

void Transport::failWaiting(const PoolAction &a)
{
    const auto it = m_waiting.find(a.req);
    if (it == m_waiting.end()) {
        return;
    }
    const RoundTripId id = it->second;
    m_waiting.erase(it);
    complete(id, requestFailureFor(a.reason), m_lastDialError);
}

void Transport::rearmIdleTimer()
{
    if (rearmElsewhere()) {
        return;
    }
    const auto next = m_pool.nextDeadline();
    if (next == m_armedDeadline) {
        return;
    }
    m_armedDeadline = next;
    if (!next) {
        m_idleTimer.stop();
        return;
    }
    // Clamped to one QTimer interval: an early wake-up finds nothing due and re-arms.
    m_idleTimer.start(timerInterval(saturatingSub(*next, m_clock.now())));
}

void Transport::closeLeakedAt(ConnId conn, TimePoint deadline)
{
    m_leakDeadlines.emplace(deadline, conn);
    if (rearmElsewhere()) {
        return;
    }
    if (m_leakDeadlines.begin()->first == deadline) {
        const Duration wait = std::max(Duration::zero(), deadline - m_clock.now());
        m_leakTimer.start(std::chrono::ceil<std::chrono::milliseconds>(wait));
    }
}

void Transport::closeExpiredLeaks()
{
    const TimePoint now = m_clock.now();
    while (!m_leakDeadlines.empty() && m_leakDeadlines.begin()->first <= now) {
        const ConnId conn = m_leakDeadlines.begin()->second;
        m_leakDeadlines.erase(m_leakDeadlines.begin());
        // Still open and not serving anyone: a leaked connection is never handed out again.
        if (m_conns.count(conn) > 0 && m_onConn.count(conn) == 0
            && m_pool.connState(conn) == ConnState::Active) {
            m_pool.closeConn(conn, CloseReason::ClientTimeout);
        }
    }
    processActions();
    if (!m_leakDeadlines.empty()) {
        const Duration wait = std::max(Duration::zero(), m_leakDeadlines.begin()->first - now);
        m_leakTimer.start(std::chrono::ceil<std::chrono::milliseconds>(wait));
    }
}

void Transport::onConnectionReady(Connection &c)
{
    const Entry e = enter(c);
    if (!e.live) {
        return;
    }
    if (c.negotiatedH2()) {
        h2Upgrade(c);
        return;
    }
    noteConnected(c);
    m_pool.dialSucceeded(c.id());
    processActions();
}

void Transport::onConnectionDialFailed(Connection &c, CloseReason reason, const QString &message)
{
    const Entry e = enter(c);
    if (!e.live) {
        return;
    }
    m_lastDialError = message;
    m_handler.onDialError(message);
    m_pool.dialFailed(c.id(), reason);
    processActions();
}

void Transport::onFirstResponseByte(Connection &c)
{
    const Entry e = enter(c);
    if (!e.live) {
        return;
    }
    const auto it = m_onConn.find(c.id());
    const Trip *t = it != m_onConn.end() ? &m_trips.at(it->second) : nullptr;
    const auto conn = m_conns.find(c.id());
    emitEvent(EventType::GotFirstResponseByte, c.id(), t ? t->req : 0,
        conn != m_conns.end() ? conn->second.host : 0);
}

void Transport::onResponseHeaders(Connection &c)
{
    const Entry e = enter(c);
    if (!e.live) {
        return;
    }
    const auto it = m_onConn.find(c.id());
    if (it == m_onConn.end()) {
        return;
    }
    const RoundTripId id = it->second;
    Trip &t = m_trips.at(id);
    t.gotHeaders = true;
    const ResponseParser &p = c.parser();
    t.head.status = p.statusCode();
    t.head.location = p.location();
    t.head.proto = p.httpMajor() == 1 && p.httpMinor() == 0 ? HttpProto::Http10 : HttpProto::Http11;
    t.head.contentLength = t.head.status == 204 || t.head.status == 304
        ? 0
        : (p.uncompressed() ? -1 : p.contentLength());
    if (p.bodiless()) {
        // Go's readLoop, !hasBody: the connection goes back to the pool before Do returns
        // (onResponseComplete follows at once: such a response is complete with its head)
        // and the caller gets http.NoBody, so neither closing nor leaking it matters (but a
        // caller that never closes it keeps the request's context: Client.Timeout's cancel
        // comes at the deadline).
        t.bodyLeaked = t.request.bodyPolicy == BodyPolicy::Leak;
        return;
    }
    const BodyHandling handling = m_handler.onResponseHead(t.request, t.head);
    switch (handling.policy) {
    case BodyPolicy::ReadToEof:
        t.readLimit = handling.readLimit;
        if (overReadLimit(t, p)) {
            closeBodyEarly(c, id);
        }
        return;
    case BodyPolicy::CloseEarly:
        closeBodyEarly(c, id);
        return;
    case BodyPolicy::Leak:
        // The caller never closes the body: the connection stays Active until the request's
        // deadline, if it has one (Go's readLoop gives up on the body when its context ends).
        m_onConn.erase(it);
        t.bodyLeaked = true;
        c.drainSilently();
        if (t.request.deadline) {
            closeLeakedAt(c.id(), *t.request.deadline);
        }
        complete(id, RequestFailure::None, {});
        return;
    }
}

void Transport::onResponseBodyBytes(Connection &c)
{
    const Entry e = enter(c);
    if (!e.live) {
        return;
    }
    const auto it = m_onConn.find(c.id());
    if (it != m_onConn.end() && overReadLimit(m_trips.at(it->second), c.parser())) {
        closeBodyEarly(c, it->second);
    }
}

bool Transport::overReadLimit(const Trip &t, const ResponseParser &p)
{
    if (t.readLimit < 0) {
        return false;
    }
    // Go reads a body of known length only when it fits (then to EOF), and one of unknown
    // length up to the limit: reaching it without seeing EOF leaves the body unread. A
    // chunked reader reports EOF with the last bytes when the final chunk is already
    // buffered, so a body of exactly the limit that is complete counts as read.
    if (t.head.contentLength >= 0) {
        return t.head.contentLength > t.readLimit;
    }
    return p.bodyBytes() > t.readLimit
        || (p.bodyBytes() == t.readLimit && p.state() != ResponseParser::Result::Complete);
}

void Transport::closeBodyEarly(Connection &c, RoundTripId id)
{
    m_onConn.erase(c.id());
    m_pool.releaseConn(c.id(), false, CloseReason::BodyNotRead);
    processActions();
    completeLater(id);
}

void Transport::onResponseComplete(Connection &c, bool reusable)
{
    const Entry e = enter(c);
    if (!e.live) {
        return;
    }
    m_bytesRead += static_cast<std::uint64_t>(c.parser().bodyBytes());
    const RoundTripId id = detach(c.id());
    if (id == 0) {
        return;
    }
    CloseReason why = CloseReason::None;
    if (m_config.disableKeepAlives) {
        reusable = false;
        why = CloseReason::KeepAlivesDisabled;
    } else if (!reusable) {
        // Stray bytes: Go closes it from readLoopPeekFailLocked, a protocol matter, not a
        // "Connection: close" (issue 16 #11).
        why = c.hadStrayBytes() ? CloseReason::ProtocolError : CloseReason::ConnectionCloseResponse;
    }
    c.setIdle();
    const bool kept = m_pool.releaseConn(c.id(), reusable, why);
    if (kept) {
        peekReturned(c);
    }
    processActions();
    if (!kept) {
        completeLater(id);
        return;
    }
    // Kept: Go's readLoop wakes the caller through eofc and parks on its next read,
    // so the caller runs at once and asks again before anything else is handled.
    complete(id, RequestFailure::None, {});
}

void Transport::peekReturned(Connection &c)
{
    if (c.peekPeer() == PeerState::Open) {
        return;
    }
    // Go: readLoopPeekFailLocked closes it before the woken caller runs. Handed to a
    // waiting request instead, the connection stays Active: that request's send fails
    // with nothing written (Connection::sendRequest), as Go's roundTrip finds pc closed.
    if (m_pool.connState(c.id()) == ConnState::Idle) {
        m_pool.closeConn(c.id(), CloseReason::ServerClosedIdle);
    }
}

void Transport::completeLater(RoundTripId id)
{
    // Go: when the connection is closed instead of kept (errTooManyIdleHost,
    // Connection: close, DisableKeepAlives, body closed early), the readLoop that woke
    // the caller goes on to pc.close(), whose close(pc.closech) wakes the writeLoop
    // into the P's runnext slot; the caller is pushed to the back of the run queue and
    // resumes after every goroutine that was already runnable, i.e. after the other
    // responses already read. Here: after the rest of this event-loop pass. With idle
    // cap 2 one rejected connection so delays its caller while further returns are
    // rejected too, and those callers then dial: the bursts of errTooManyIdleHost
    // closes Go shows (tests/conformance: no-think-16-workers-idle-cap-2).
    m_trips.at(id).resuming = true;
    postHere([this, id] {
        const PoolLock::Guard g = guard();
        const auto it = m_trips.find(id);
        if (it != m_trips.end() && it->second.resuming) {
            complete(id, RequestFailure::None, {});
        }
    });
}

void Transport::onConnectionFailed(Connection &c, const ConnectionFailure &failure)
{
    const Entry e = enter(c);
    if (!e.live) {
        return;
    }
    const ConnId conn = c.id();
    const RoundTripId id = detach(conn);
    m_pool.closeConn(conn, failure.reason);
    processActions();
    const auto it = m_trips.find(id);
    if (it == m_trips.end()) {
        return;
    }
    if (!m_closed && shouldRetry(it->second, failure)) {
        m_pool.noteRetry(it->second.req, conn);
        startAttempt(id);
        return;
    }
    complete(id, requestFailureFor(failure.reason), failure.message);
}

bool Transport::shouldRetry(const Trip &t, const ConnectionFailure &f) const
{
    const RequestTemplate &request = *t.request.source->current;
    RetryQuery q;
    q.connWasReused = t.reused;
    // Go's mapRoundTripError: errServerClosedIdle goes back undecorated, anything else
    // that failed before pc.nwrite moved becomes nothingWrittenError.
    q.nothingWritten = f.nothingWritten && f.reason != CloseReason::ServerClosedIdle;
    q.hasBody = request.hasBody();
    q.bodyRewindable = true; // an in-memory body: Go's GetBody is set
    q.replayable = request.replayable();
    q.error = f.reason;
    return shouldRetryRequest(q);
}

void Transport::onIdleConnectionLost(Connection &c, CloseReason reason)
{
    const Entry e = enter(c);
    if (!e.live) {
        return;
    }
    if (lostBeforeSend(c, reason)) {
        return;
    }
    m_pool.closeConn(c.id(), reason);
    processActions();
}

RoundTripId Transport::detach(ConnId conn)
{
    const auto it = m_onConn.find(conn);
    if (it == m_onConn.end()) {
        return 0;
    }
    const RoundTripId id = it->second;
    m_onConn.erase(it);
    return id;
}

void Transport::complete(RoundTripId id, RequestFailure failure, const QString &message)
{
    const auto it = m_trips.find(id);
    if (it == m_trips.end()) {
        return;
    }
    const Trip &t = it->second;
    if (const auto w = m_waiting.find(t.req); w != m_waiting.end() && w->second == id) {
        m_waiting.erase(w);
    }
    m_h2Overflow.erase(id);
    // Go's Client.Timeout cancels the request's context once the caller is done: body read
    // to EOF or closed, or the request failed (client.go setRequestCancel, cancelTimerBody).
    // A body never closed keeps it until the deadline; a stopped run's dials (Canceled) are
    // cancelDials'.
    if (t.request.deadline && failure != RequestFailure::Canceled && !t.bodyLeaked) {
        endContext(t);
    }
    if (const auto c = m_onConn.find(t.conn); c != m_onConn.end() && c->second == id) {
        m_onConn.erase(c);
    }
    RoundTripResult r;
    r.id = id;
    r.tag = t.request.tag;
    r.host = t.request.host;
    r.failure = failure;
    r.message = message;
    r.req = t.req;
    r.conn = t.conn;
    r.latency = m_clock.now() - t.start;
    r.head = t.head;
    if (t.head.status != 0
        && (failure == RequestFailure::None || requestFailureAfterResponse(failure))) {
        ++m_responsesByProto[static_cast<std::size_t>(t.head.proto)];
    }
    m_trips.erase(it);
    if (deferResult(r)) {
        return;
    }
    m_handler.onRoundTripDone(r);
}

void Transport::endContext(const Trip &t)
{
    bool aborted = false;
    for (const ReqId req : t.earlierReqs) {
        aborted = m_pool.requestContextDone(req) || aborted;
    }
    aborted = m_pool.requestContextDone(t.req) || aborted;
    if (aborted) {
        processActions();
    }
}

void Transport::emitEvent(EventType type, ConnId conn, ReqId req, HostId host)
{
    if (m_events == nullptr) {
        return;
    }
    PoolEvent e;
    e.time = m_clock.now();
    e.type = type;
    e.conn = conn;
    e.req = req;
    e.host = host;
    m_events->onPoolEvent(e);
}

} // namespace poolscope
