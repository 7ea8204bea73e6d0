#pragma once

#include "clock.h"
#include "pool_types.h"

#include <deque>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace poolscope {

// What the pool asks its driver (the socket layer, or a test) to do.
enum class ActionType : std::uint8_t {
    StartDial, // dial `conn` to `host`; answer with dialSucceeded/dialFailed
    Deliver, // hand `conn` to request `req` (GotConn); the driver sends the request on it
    Close, // close `conn`'s socket; the pool already counts it closed with `reason`
    FailRequest, // request `req` gets no connection: its dial failed with `reason`
};

// httptrace.GotConnInfo without the net.Conn.
struct GotConnInfo
{
    bool reused = false; // the connection served a request before (Go's pconn.isReused)
    bool wasIdle = false; // it came off the idle list
    TimePoint idleTime { 0 }; // how long it sat there (wasIdle only)
};

// One action. Build it with the named factories below, never field by field.
struct PoolAction
{
    ActionType type = ActionType::StartDial;
    ConnId conn = 0;
    ReqId req = 0; // Deliver / FailRequest: the request; StartDial: the one it dials for
    HostId host = 0;
    CloseReason reason = CloseReason::None; // Close / FailRequest
    bool reused = false; // Deliver: GotConn.Reused
    bool wasIdle = false; // Deliver: GotConn.WasIdle
    TimePoint idleTime { 0 }; // Deliver: GotConn.IdleTime
    std::uint32_t tag = 0; // Deliver / FailRequest: the caller's tag given to getConn

    // Dial `conn` to `host` on behalf of request `forReq`.
    [[nodiscard]] static PoolAction dial(ConnId conn, HostId host, ReqId forReq);
    // Request `req` (caller's `tag`) gets `conn`.
    [[nodiscard]] static PoolAction deliver(
        ConnId conn, HostId host, ReqId req, std::uint32_t tag, GotConnInfo got);
    // Close `conn`'s socket; `servingReq` is the request it was serving, if any.
    [[nodiscard]] static PoolAction close(
        ConnId conn, CloseReason reason, HostId host, ReqId servingReq);
    // Request `req` (caller's `tag`) gets no connection.
    [[nodiscard]] static PoolAction failRequest(
        ReqId req, CloseReason reason, HostId host, std::uint32_t tag);
};

// Receives every PoolEvent as it happens. Set none when nobody records: the
// pool then builds no events at all.
class PoolEventSink
{
public:
    virtual ~PoolEventSink() = default;
    virtual void onPoolEvent(const PoolEvent &event) = 0;
};

// What a caller knows about a failed request when deciding on a retry, the
// inputs of Go's persistConn.shouldRetryRequest.
struct RetryQuery
{
    bool connWasReused = false; // the connection had served a request before (pconn.isReused)
    bool nothingWritten = false; // the failure came before any byte of the request was written
    bool hasBody = false; // the request has a body
    bool bodyRewindable = false; // its body can be sent again (Request.GetBody != nil)
    bool replayable = false; // Request.isReplayable(): GET/HEAD/OPTIONS/TRACE without body, or
                             // an Idempotency-Key header
    CloseReason error
        = CloseReason::ReadError; // ServerClosedIdle, ReadError (read from server), ...
};

// Go's retry rule: only requests on reused connections, and only when nothing
// was written (and the body can be resent) or the request is replayable and
// the failure came from reading the server's answer.
[[nodiscard]] bool shouldRetryRequest(const RetryQuery &q);

// The sans-IO connection pool of Go's http.Transport (HTTP/1 only). No
// sockets, no timers: it is driven by calls and answers with actions, and it
// reads time from an injected Clock. core/pool/README.md lists every Go rule it
// implements, the function that does, and the test that proves it.
//
// The shape is Envoy's conn_pool_base: every ConnState change goes through
// transition(), which checks the edge, keeps the per-state counters and the idle
// lists in step, and records every close with its reason.
class Pool final
{
public:
    explicit Pool(const Clock &clock, TransportConfig config = TransportConfig::goDefault());

    // ---- configuration ----
    // Replace the knobs. Like Go, limits apply at the next put or dial; raising
    // MaxConnsPerHost (or setting it to 0) starts dials for requests queued for a slot
    // (Go has no live reconfiguration; this is PoolScope's, for the sliders).
    void setConfig(const TransportConfig &config);
    [[nodiscard]] const TransportConfig &config() const { return m_config; }
    void setEventSink(PoolEventSink *sink) { m_sink = sink; }

    // Pool key ("http://127.0.0.1:8080") -> HostId, created on first use.
    HostId hostId(std::string_view key);
    [[nodiscard]] const std::string &hostKey(HostId host) const { return m_hosts[host].key; }
    [[nodiscard]] std::size_t hostCount() const { return m_hosts.size(); }

    // ---- driving calls ----
    // A request wants a connection (Transport.getConn). Returns its id; the
    // answer comes as Deliver (maybe at once) or FailRequest.
    // `tag` is the caller's own (e.g. a worker index) and comes back in the action.
    ReqId getConn(HostId host, std::uint32_t tag = 0);
    // The request stops waiting (cancel). The pool does not abort a dial it started: the
    // connection is offered to the pool when it completes. When the request's context ends,
    // the driver also calls requestContextDone.
    void cancelWant(ReqId req);
    // Request `req`'s context ended: its caller is done with the response (Client.Timeout's
    // cancel on body EOF or Close), its deadline passed, or it was cancelled. Under Go 1.19's
    // rule (TransportConfig::dialsUnderRequestContext) a dial it started and still in flight
    // is aborted: ConnectDone(err) and a close with DialCanceled, its slot freed as any
    // close frees one (dialConnFor: t.dialConn(w.ctx, ...) fails, decConnsPerHost). Under
    // the later rule, and for a request without a dial in flight, nothing happens. A request
    // still waiting also stops waiting (cancelWant). Returns whether a dial was aborted.
    bool requestContextDone(ReqId req);
    void dialSucceeded(ConnId conn);
    // HTTP/2 (ALPN negotiated h2): the dial succeeded but the connection leaves Go's
    // HTTP/1 rules (its persistConn.alt is set). It becomes Active, shared by streams, never
    // idle here, until closeConn; no request is handed it (the driver has already taken the
    // waiting requests out with cancelWant and serves them on streams itself).
    void dialSucceededMultiplexed(ConnId conn);
    // A stream on a multiplexed connection for a new pool request (GetConn + GotConn, Reused
    // when the connection carried a stream before). Returns the request's id.
    ReqId noteStream(ConnId conn);
    // `reason` (here and in closeConn) is never None: every close has a reason, and
    // transition() stops the process on one without.
    void dialFailed(ConnId conn, CloseReason reason);
    // The request on `conn` finished. reusable = the response was read to EOF and
    // neither side asked for close; otherwise `reason` says why not.
    // Returns true if the connection was kept (idle, or handed to a waiting request) and
    // false if it was closed (not reusable, errTooManyIdleHost, keep-alives off, ...).
    bool releaseConn(ConnId conn, bool reusable, CloseReason reason = CloseReason::None);
    // Close a connection in any state (error, server closed idle, kernel timeout ...).
    void closeConn(ConnId conn, CloseReason reason);
    // Count a retry of `req` (the driver then calls getConn again for it).
    void noteRetry(ReqId req, ConnId failedConn);
    // Time advanced: close idle connections whose IdleConnTimeout expired.
    void advance();
    // Transport.CloseIdleConnections: closes the idle connections, and connections returned
    // afterwards too (errCloseIdle) until the next getConn wants one.
    void closeIdleConnections();
    // Shut down: close everything, fail waiting requests.
    void closeAll(CloseReason reason = CloseReason::TransportClosed);
    // The callers are gone (the run stopped): waiting requests are dropped without an
    // action and dials still in flight close with Canceled (not dial failures), so the
    // books balance (dials == closed + open) while active and idle connections stay.
    void cancelDials();

    // Actions produced since the last call; swaps into `out` (cleared first).
    void takeActions(std::vector<PoolAction> &out);
    [[nodiscard]] const std::vector<PoolAction> &pendingActions() const { return m_actions; }

    // ---- queries ----
    // The earliest idle-connection expiry; the driver wakes advance() then.
    [[nodiscard]] std::optional<TimePoint> nextDeadline() const;
    [[nodiscard]] const PoolCounters &counters() const { return m_counters; }
    [[nodiscard]] const HostCounters &hostCounters(HostId host) const
    {
        return m_hosts[host].counters;
    }
    [[nodiscard]] std::optional<ConnState> connState(ConnId conn) const;
    [[nodiscard]] std::uint32_t connRequests(ConnId conn) const;
    [[nodiscard]] bool connReused(ConnId conn) const;
    // Idle connections of a host, oldest first.
    [[nodiscard]] std::vector<ConnId> idleConns(HostId host) const;
    // Entries in the host's two wait queues (Go's idleConnWait and connsPerHostWait),
    // including requests already served that were not popped yet. Bounded by cleanFront.
    [[nodiscard]] std::size_t waitQueueEntries(HostId host) const;
    // Recounts every counter from the connections, lists and queues; returns what
    // disagrees, or an empty string. O(connections): for tests.
    [[nodiscard]] std::string checkConsistency() const;

    struct ConnView
    {
        ConnId id;
        HostId host;
        ConnState state;
        std::uint32_t requests;
        TimePoint opened;
        TimePoint since;
    };
    template<typename F>
    void forEachConn(F &&f) const
    {
        for (const auto &[id, c] : m_conns) {
            f(ConnView { id, c.host, *c.state, c.requests, c.opened, c.since });
        }
    }

private:
    struct Conn
    {
        ConnId id = 0;
        HostId host = 0;
        std::optional<ConnState> state; // empty until transition() enters Dialing
        ReqId dialFor = 0; // the wantConn whose dial created this connection
        ReqId serving = 0; // request using it while Active
        bool reused = false; // Go's pconn.isReused: it was put back at least once
        std::uint32_t requests = 0;
        TimePoint opened { 0 };
        TimePoint since { 0 };
        TimePoint idleAt { 0 };
        TimePoint idleDeadline { 0 }; // 0 = no idle timer
        Conn *lruPrev = nullptr; // global idle LRU, oldest at m_lruHead
        Conn *lruNext = nullptr;
    };
    struct Want
    {
        HostId host = 0;
        std::uint32_t tag = 0;
        TimePoint since { 0 };
        bool queuedForDial = false;
    };
    struct Host
    {
        std::string key;
        std::vector<Conn *> idle; // its Idle connections, newest last (LIFO reuse)
        std::deque<ReqId> idleWait; // Go's idleConnWait (may hold served ids; skipped lazily)
        std::deque<ReqId> dialWait; // Go's connsPerHostWait
        HostCounters counters; // dialing/active/idle written by transition() only
        // Go's connsPerHost: dialing + active + idle, derived so it cannot drift.
        [[nodiscard]] int conns() const
        {
            return counters.dialing + counters.active + counters.idle;
        }
    };
    using WantIt = std::unordered_map<ReqId, Want>::iterator;

    void transition(Conn &c, ConnState to, CloseReason reason = CloseReason::None);
    void countState(HostId host, ConnState s, int delta);
    void listIdle(Conn &c);
    void unlistIdle(Conn &c);
    void record(EventType type, const Conn &c, ReqId req, CloseReason reason = CloseReason::None);
    void recordGotConn(const Conn &c, ReqId req, const GotConnInfo &got);
    void recordRequest(EventType type, HostId host, ReqId req);
    void startDial(HostId host, ReqId forReq);
    void queueForDial(ReqId req, Want &w);
    bool dialNextQueued(HostId host);
    void handOut(Conn &c, ReqId req, std::uint32_t tag, bool wasIdle, TimePoint idleTime);
    Want &addWant(ReqId req, HostId host, std::uint32_t tag);
    void setQueuedForDial(Want &w, bool queued);
    // Removes a waiting request with its waiting / queued-for-dial counts; returns it.
    Want takeWant(WantIt it);
    // Go's tryPutIdleConn: CloseReason::None when kept idle or handed off.
    CloseReason tryPutIdleConn(Conn &c, ReqId tracedReq);
    void putOrCloseIdleConn(Conn &c);
    void close(Conn &c, CloseReason reason);
    void decConnsPerHost(HostId host);
    void cleanFront(std::deque<ReqId> &queue) const;
    bool popLiveWaiter(std::deque<ReqId> &queue, ReqId *out);
    void lruAppend(Conn &c);
    void lruRemove(Conn &c);
    Conn *find(ConnId id);
    const Conn *find(ConnId id) const;

    const Clock &m_clock;
    TransportConfig m_config;
    PoolEventSink *m_sink = nullptr;
    std::vector<Host> m_hosts;
    std::unordered_map<ConnId, Conn> m_conns; // node-based: Conn addresses are stable
    std::unordered_map<ReqId, Want> m_wants; // requests waiting for a connection
    // Dials in flight by the request that started them (Conn::dialFor); transition() keeps
    // it: a connection is listed while Dialing and only then.
    std::unordered_map<ReqId, ConnId> m_dialsByReq;
    std::set<std::pair<TimePoint, ConnId>> m_idleDeadlines;
    Conn *m_lruHead = nullptr; // oldest idle
    Conn *m_lruTail = nullptr; // newest idle
    // Go's closeIdle: set by closeIdleConnections, cleared by the next getConn that looks
    // for an idle connection; while set, returned connections close with errCloseIdle.
    bool m_closeIdle = false;
    std::vector<PoolAction> m_actions;
    PoolCounters m_counters;
    ConnId m_nextConn = 1;
    ReqId m_nextReq = 1;
};

} // namespace poolscope
