#pragma once

#include "http/http_proto.h"
#include "load/engine_snapshot.h"
#include "load/load_config.h"
#include "load/request_failure.h"
#include "net/connection.h"
#include "net/h2_session.h"
#include "pool/h2_conn_pool.h"
#include "pool/pool.h"
#include "pool/pool_lock.h"

#include <QObject>
#include <QTimer>
#include <array>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace poolscope {

class EngineThreads;

// A round trip's id, unique for the Transport's life (retries keep it); 0 = none.
using RoundTripId = std::uint64_t;

// Where one pool key's connections go. The rest of each dial (keep-alive, timeouts,
// certificate checks) comes from the TransportConfig in force when the dial starts.
struct Endpoint
{
    QHostAddress address;
    quint16 port = 0;
    bool tls = false;
    QString serverName; // SNI and certificate host
};

// The request a caller sends to one target, replaced when the configuration changes
// mid-run. A round trip reads it when it is written (and when a retry is decided), so one
// still waiting for a connection goes out as configured then: Go's persistConn.roundTrip
// reads Transport.DisableKeepAlives when it writes the request.
struct RequestSource
{
    std::shared_ptr<const RequestTemplate> current;
};

// One request for Transport::roundTrip.
struct RoundTripRequest
{
    HostId host = 0; // from Transport::addHost
    std::shared_ptr<const RequestSource> source; // what to send

    // What the caller does with the response body (decides whether the connection is kept).
    BodyPolicy bodyPolicy = BodyPolicy::ReadToEof;
    // The request context's deadline (Client.Timeout, from the start of the caller's Do);
    // none = no deadline. Go's readLoop watches the context while the caller holds the body,
    // so a body the caller leaks has its connection closed at the deadline (ClientTimeout),
    // with no error for anyone. A round trip still in flight then is the caller's to cancel.
    std::optional<TimePoint> deadline;
    std::uint64_t tag = 0; // the caller's own, handed back in the result
};

// A response's head as the caller sees it when Do returns.
struct ResponseHead
{
    int status = 0; // 0 = no response
    QByteArray location; // a 3xx's first Location header, trimmed; empty when none
    // Go's resp.ContentLength: the Content-Length, 0 for 204 and 304, -1 when unknown
    // (chunked, delimited by EOF, or a gzip body Go decodes).
    qint64 contentLength = -1;
    HttpProto proto = HttpProto::Http11; // Go's resp.Proto
};

// What the caller does with a response's body, decided when its head arrives.
struct BodyHandling
{
    BodyPolicy policy = BodyPolicy::ReadToEof;
    // ReadToEof only: read at most this many bytes, then close the body, and do not read a
    // body whose Content-Length is over it at all (Go's Client.do with a redirect response:
    // io.CopyN(io.Discard, body, 2 KiB), then Close). A body not over by then closes its
    // connection as CloseEarly does. Negative = read to EOF.
    qint64 readLimit = -1;
};

// How a round trip ended.
struct RoundTripResult
{
    RoundTripId id = 0;
    std::uint64_t tag = 0;
    HostId host = 0;
    RequestFailure failure = RequestFailure::None; // None = a response (body as the policy says)
    QString message; // Go's error text when failed
    ReqId req = 0; // the pool request of the last attempt
    ConnId conn = 0; // the connection of the last attempt, 0 when it never got one
    Duration latency { 0 }; // from roundTrip() to now, retries included
    ResponseHead head; // of the last attempt's response (status 0 when none came)
};

// Receives what a Transport has to tell its caller.
class RoundTripHandler
{
public:
    virtual ~RoundTripHandler() = default;
    // A round trip is over. May start new round trips, cancel others or close the Transport.
    virtual void onRoundTripDone(const RoundTripResult &result) = 0;
    // A dial failed, whether or not a request still waited for it.
    virtual void onDialError(const QString &message) = 0;
    // A round trip's response headers arrived (Go: RoundTrip returns the response): what
    // the caller does with its body. Not asked for bodiless responses (ResponseParser::
    // bodiless), whose connection goes back at once. Must not start, cancel or close
    // anything.
    virtual BodyHandling onResponseHead(const RoundTripRequest &request, const ResponseHead &)
    {
        return { request.bodyPolicy };
    }
};

// Go's http.Transport with its persistConns (Envoy: ConnPoolImplBase and its
// ActiveClients): owns the Pool and the connections, sends each round trip's request on
// the connection the pool gives it, decides what the response leaves behind (body policy,
// keep-alive, Go's readLoop peek) and whether a failed request is retried
// (shouldRetryRequest). It knows nothing about who calls it: a request goes in, a
// RoundTripResult comes back through the handler, possibly before roundTrip() returns.
// Lives in one thread (its sockets' and timers'), or with spreadOver() on GOMAXPROCS
// engine threads (transport_threads.cpp; HTTP/1 only, see load/README.md).
//
// HTTP/2 (transport_h2.cpp): over TLS, when TransportConfig::attemptsHttp2(), ALPN offers
// h2; a dial that negotiates it goes through Go's upgradeFn (H2ConnPool::addConnIfNeeded)
// and requests take streams on it (H2ConnPool::reserve) before they ever ask the Pool.
class Transport final : public QObject, private ConnectionOwner, private H2SessionOwner
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Transport)

public:
    // `events` (may be null) receives the pool's events and the Transport's own
    // (WroteRequest, GotFirstResponseByte).
    Transport(const Clock &clock, const TransportConfig &config, RoundTripHandler &handler,
        PoolEventSink *events, QObject *parent = nullptr);
    ~Transport() override;

    // Pool key ("http://127.0.0.1:8080") -> HostId. The first endpoint given for a key is
    // the one its connections dial.
    HostId addHost(const QString &poolKey, const Endpoint &endpoint);
    // Replace the knobs; they apply from the next dial, put or request on.
    void setConfig(const TransportConfig &config);
    [[nodiscard]] const TransportConfig &config() const { return m_config; }
    // GOMAXPROCS > 1: each connection lives on one of `threads` (its socket's: round robin
    // by ConnId), its callbacks run there under `lock`, a request handed to it is sent from
    // there (Go's caller sending to the persistConn's writeLoop), and the handler is called
    // in the thread where the round trip ended (Go's readLoop wakes the caller onto its own
    // P), under `lock`. Every other call into the Transport must hold `lock`. Before the
    // first roundTrip(); both outlive the Transport, and `lock` is shared.
    void spreadOver(EngineThreads *threads, PoolLock *lock);

    // Starts a round trip. Returns its id, or 0 when it is already over (the handler was
    // called before this returned, e.g. the write failed at once), like Envoy's newStream.
    RoundTripId roundTrip(RoundTripRequest request);
    // The caller gives up on a round trip (Go: its context is done): a waiting request
    // leaves the queue, a request in flight closes its connection with the failure's close
    // reason; the handler gets `why`. Ignored once the response is complete.
    void cancel(RoundTripId id, RequestFailure why, const QString &message);
    // The round trip's response headers arrived: in Go, Do has returned and the caller is
    // reading the body (for the wording of a Client.Timeout that fires now). False once over.
    [[nodiscard]] bool readingBody(RoundTripId id) const;
    // Ends every round trip at once without touching a connection: those whose response is
    // complete succeed, the others are Canceled (the run stopped). For the final picture
    // before closeAll().
    void abandonAll();
    // After abandonAll(): dials still in flight are closed (Pool::cancelDials), so the
    // final picture has every dial closed or open.
    void cancelDials();
    // Transport shutdown: every connection closed (TransportClosed), no more retries.
    void closeAll();

    [[nodiscard]] const PoolCounters &counters() const { return m_pool.counters(); }
    [[nodiscard]] const Pool &pool() const { return m_pool; }
    // Body bytes of every complete response so far.
    [[nodiscard]] std::uint64_t bytesRead() const { return m_bytesRead; }
    [[nodiscard]] std::size_t inFlight() const { return m_trips.size(); }
    // Responses by protocol (Go's resp.Proto), indexed by HttpProto.
    [[nodiscard]] const std::array<std::uint64_t, kHttpProtoCount> &responsesByProto() const
    {
        return m_responsesByProto;
    }
    // HTTP/2 streams and requests waiting for a stream slot, now and the run's peaks.
    [[nodiscard]] H2StreamStats h2StreamStats() const;
    // f(const Pool::ConnView &, quint16 localPort) for every connection the pool knows.
    template<typename F>
    void forEachConn(F &&f) const
    {
        m_pool.forEachConn([&](const Pool::ConnView &v) {
            const auto it = m_conns.find(v.id);
            f(v, it != m_conns.end() ? localPort(it->second) : quint16 { 0 });
        });
    }

private:
    struct Trip
    {
        RoundTripRequest request;
        TimePoint start { 0 };
        ReqId req = 0; // current pool request
        ConnId conn = 0; // connection of the current attempt
        bool reused = false; // GotConn.Reused of the current attempt (pconn.isReused)
        bool gotHeaders = false; // the current attempt's response headers arrived
        ResponseHead head; // the current attempt's response
        qint64 readLimit = -1; // BodyHandling::readLimit of the current response
        bool resuming = false; // response read, connection closed: result follows this pass
        bool bodyLeaked = false; // the caller never closes the body: its context lives on
        std::vector<ReqId> earlierReqs; // pool requests of attempts before a retry
        ConnId h2Conn = 0; // HTTP/2: the connection it holds a reservation or stream on
        std::int32_t h2Stream = 0; // its stream; 0 = waiting for a slot (Strict)
    };
    struct Conn
    {
        std::unique_ptr<Connection> conn;
        HostId host = 0;
        int thread = 0; // spreadOver(): the engine thread it lives on
        quint16 localPort = 0; // spreadOver(): copied under the lock once connected
    };
    // What a connection callback may do (transport_threads.cpp). Not spread: no lock, live.
    // Spread: the outermost one of a thread runs, as it ends, the callers whose round trips
    // ended meanwhile, each in a critical section of its own.
    struct Entry
    {
        PoolLock::Guard guard;
        bool live = true; // false: closed from another thread, its close not run yet
        Transport *owner = nullptr; // spread only
        ~Entry();
    };

    // ConnectionOwner
    void onConnectionReady(Connection &c) override;
    void onConnectionDialFailed(Connection &c, CloseReason reason, const QString &message) override;
    void onFirstResponseByte(Connection &c) override;
    void onResponseHeaders(Connection &c) override;
    void onResponseBodyBytes(Connection &c) override;
    void onResponseComplete(Connection &c, bool reusable) override;
    void onConnectionFailed(Connection &c, const ConnectionFailure &failure) override;
    void onIdleConnectionLost(Connection &c, CloseReason reason) override;

    // ---- HTTP/2 (transport_h2.cpp) ----
    // H2SessionOwner
    void onH2Settings(H2Session &s, std::optional<std::uint32_t> maxConcurrentStreams) override;
    void onH2Headers(H2Session &s, std::int32_t stream, int status, qint64 contentLength) override;
    void onH2StreamClosed(
        H2Session &s, std::int32_t stream, std::uint32_t errorCode, qint64 bodyBytes) override;
    void onH2GoAway(H2Session &s, std::int32_t lastStreamId, std::uint32_t errorCode) override;
    void onH2SessionFailed(H2Session &s, CloseReason reason, const QString &message) override;
    [[nodiscard]] bool h2Attempted(HostId host) const;
    // http2noDialH2RoundTripper: a stream on a pooled h2 connection if one can take it.
    bool h2TryCached(RoundTripId id);
    // upgradeFn for a dial that negotiated h2; the host's waiting requests move to it.
    void h2Upgrade(Connection &c);
    // The reserved request `id` opens its stream on `conn`, waits for a slot, or goes back
    // to getConn (errClientConnUnusable).
    void h2Send(RoundTripId id, ConnId conn);
    void h2OpenStream(RoundTripId id, ConnId conn);
    void h2StartSlotWaiters(ConnId conn);
    // A round trip lets go of its h2 stream or reservation (done, canceled, abandoned).
    void h2Release(RoundTripId id, bool resetStream);
    bool h2Cancel(RoundTripId id, RequestFailure why, const QString &message);
    void h2CloseSession(ConnId conn);
    void h2CloseDue();
    void h2RearmTimer();
    RoundTripId h2TripOf(ConnId conn, std::int32_t stream) const;
    // Requests waiting for a stream slot now (H2StreamStats::waiting); h2NoteWaiting
    // records the peak after each request that starts to wait.
    [[nodiscard]] int h2WaitingForStream() const;
    void h2NoteWaiting();

    void startAttempt(RoundTripId id);
    // Transport.getConn for the attempt: a pool request, answered by Deliver or FailRequest.
    void queueForConn(RoundTripId id);
    void processActions();
    void handleAction(const PoolAction &a);
    void startDial(const PoolAction &a);
    void deliver(const PoolAction &a);
    void closeConnection(ConnId id);
    void failWaiting(const PoolAction &a);
    // resp.Body.Close() before EOF: Go closes the connection instead of draining it.
    void closeBodyEarly(Connection &c, RoundTripId id);
    // BodyHandling::readLimit: the body read so far (or announced) is over the limit.
    [[nodiscard]] static bool overReadLimit(const Trip &t, const ResponseParser &p);
    void rearmIdleTimer();
    // A leaked body's connection is closed at its request's deadline (RoundTripRequest).
    void closeLeakedAt(ConnId conn, TimePoint deadline);
    void closeExpiredLeaks();
    void collectGarbage();
    // Go's readLoop after tryPutIdleConn: a kept connection whose peer is already gone is
    // closed if idle; if it went to a waiting request, that request's send fails unwritten.
    void peekReturned(Connection &c);
    [[nodiscard]] bool shouldRetry(const Trip &t, const ConnectionFailure &f) const;
    // Removes the round trip in flight on `conn` from the connection's map; 0 = none.
    RoundTripId detach(ConnId conn);
    // The result is delivered after the rest of this event-loop pass (see the .cpp).
    void completeLater(RoundTripId id);
    void complete(RoundTripId id, RequestFailure failure, const QString &message);
    // The round trip's context ends (Client.Timeout's cancel): Pool::requestContextDone for
    // each of its attempts, aborting a dial still in flight under Go 1.19's rule.
    void endContext(const Trip &t);
    void emitEvent(EventType type, ConnId conn, ReqId req, HostId host);
    [[nodiscard]] DialSpec dialSpec(HostId host) const;

    // ---- GOMAXPROCS > 1 (transport_threads.cpp); each hook returns false when not spread ----
    [[nodiscard]] bool threaded() const { return m_threads != nullptr; }
    [[nodiscard]] bool onThread(int thread) const;
    [[nodiscard]] quint16 localPort(const Conn &c) const;
    [[nodiscard]] Entry enter(const Connection &c);
    [[nodiscard]] PoolLock::Guard guard();
    void post(int thread, std::function<void()> f);
    bool dialElsewhere(ConnId id, Conn &conn);
    bool sendElsewhere(
        const PoolAction &a, Conn &conn, const std::shared_ptr<const RequestTemplate> &request);
    void send(Connection &c, const PoolAction &a, const RequestTemplate &request);
    bool retire(Conn &conn);
    // Queued to this thread's loop: the Transport's own with one thread, the calling
    // engine thread's with several (a goroutine made runnable on its own P).
    void postHere(std::function<void()> f);
    bool deferResult(const RoundTripResult &r);
    void deliverDeferred(); // every thread's; without threads, nothing
    void deliverDeferredOf(int thread);
    void leave(Entry &e);
    bool rearmElsewhere();
    void noteConnected(Connection &c);
    bool lostBeforeSend(Connection &c, CloseReason reason);
    void shutDownThreads();

    const Clock &m_clock;
    TransportConfig m_config;
    RoundTripHandler &m_handler;
    PoolEventSink *m_events;
    Pool m_pool;
    std::vector<Endpoint> m_endpoints; // by HostId
    std::unordered_map<ConnId, Conn> m_conns;
    std::vector<std::unique_ptr<Connection>> m_graveyard; // deleted after the current callback
    std::unordered_map<RoundTripId, Trip> m_trips;
    std::unordered_map<ReqId, RoundTripId> m_waiting; // pool request -> round trip
    std::unordered_map<ConnId, RoundTripId> m_onConn; // connection -> round trip in flight
    std::vector<PoolAction> m_actions;
    RoundTripId m_nextId = 1;
    std::uint64_t m_bytesRead = 0;
    QString m_lastDialError; // what a request whose dial failed reports
    bool m_processing = false;
    bool m_gcPosted = false;
    bool m_closed = false;
    QTimer m_idleTimer; // IdleConnTimeout: armed for the pool's next deadline
    std::optional<TimePoint> m_armedDeadline;
    // Leaked bodies' connections by their request's deadline; at most one entry per open
    // connection (a leaked connection is never reused).
    std::multimap<TimePoint, ConnId> m_leakDeadlines;
    QTimer m_leakTimer;
    std::array<std::uint64_t, kHttpProtoCount> m_responsesByProto {};
    // HTTP/2: sessions by connection, Go's h2 pool rules, streams -> round trips, requests
    // waiting for a stream slot per connection (Strict), the idle timer.
    std::unordered_map<ConnId, std::unique_ptr<H2Session>> m_h2;
    std::vector<std::unique_ptr<H2Session>> m_h2Graveyard;
    H2ConnPool m_h2Pool;
    std::map<std::pair<ConnId, std::int32_t>, RoundTripId> m_h2Streams;
    std::unordered_map<ConnId, std::deque<RoundTripId>> m_h2SlotWait;
    // Without Strict: round trips sent to getConn because every h2 connection of their
    // host was at its stream limit, until they get a connection, retry or end.
    std::unordered_set<RoundTripId> m_h2Overflow;
    int m_h2PeakWaiting = 0;
    QTimer m_h2Timer;

    EngineThreads *m_threads = nullptr; // spreadOver(); null = the single event loop
    PoolLock *m_lock = nullptr;
    std::vector<QObject *> m_contexts; // per engine thread, receives our calls ([0] = this)
    bool m_rearmPosted = false;
    bool m_closing = false; // the destructor has begun: callbacks are ignored
    // Round trips ended on each engine thread whose caller has not run yet, and whether a
    // call to run them is queued there.
    std::vector<std::vector<RoundTripResult>> m_deferred;
    std::vector<bool> m_deferredPosted;
};

} // namespace poolscope
