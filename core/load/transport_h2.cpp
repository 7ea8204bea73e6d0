// Transport's HTTP/2 side: Go 1.19's bundled h2 client as net/http wires it in
// (transport.go onceSetNextProtoDefaults, h2_bundle.go http2configureTransports, upgradeFn,
// http2noDialClientConnPool, ClientConn.RoundTrip). The HTTP/1 rules stay in transport.cpp.
#include "transport.h"

#include <algorithm>

namespace poolscope {

namespace {

constexpr std::uint32_t kRefusedStream = 0x7; // RFC 9113 REFUSED_STREAM
constexpr std::uint32_t kCancel = 0x8;

// Go's http2ErrCode names, for "stream error: stream ID 3; PROTOCOL_ERROR".
QString h2ErrCodeName(std::uint32_t code)
{
    static const char *const names[] = { "NO_ERROR", "PROTOCOL_ERROR", "INTERNAL_ERROR",
        "FLOW_CONTROL_ERROR", "SETTINGS_TIMEOUT", "STREAM_CLOSED", "FRAME_SIZE_ERROR",
        "REFUSED_STREAM", "CANCEL", "COMPRESSION_ERROR", "CONNECT_ERROR", "ENHANCE_YOUR_CALM",
        "INADEQUATE_SECURITY", "HTTP_1_1_REQUIRED" };
    if (code < std::size(names)) {
        return QString::fromLatin1(names[code]);
    }
    return QStringLiteral("unknown error code 0x%1").arg(code, 0, 16);
}

} // namespace

H2StreamStats Transport::h2StreamStats() const
{
    const H2ConnPool::Peaks p = m_h2Pool.peaks();
    H2StreamStats s;
    s.conns = static_cast<int>(m_h2Pool.connCount());
    s.streams = m_h2Pool.activeStreams();
    s.maxPerConn = m_h2Pool.maxStreamsPerConn();
    s.waiting = h2WaitingForStream();
    s.connsEver = p.connsEver;
    s.peakConns = p.conns;
    s.peakStreams = p.streams;
    s.peakPerConn = p.perConn;
    s.peakPerConnAfterSettings = p.perConnAfterSettings;
    s.peakWaiting = m_h2PeakWaiting;
    s.serverMaxStreams = p.serverMaxStreams;
    s.meanPerConn = p.connSeconds > 0 ? p.streamSeconds / p.connSeconds : 0.0;
    return s;
}

int Transport::h2WaitingForStream() const
{
    std::size_t n = m_h2Overflow.size();
    for (const auto &[conn, q] : m_h2SlotWait) {
        n += q.size();
    }
    return static_cast<int>(n);
}

void Transport::h2NoteWaiting()
{
    m_h2PeakWaiting = std::max(m_h2PeakWaiting, h2WaitingForStream());
}

bool Transport::h2Attempted(HostId host) const
{
    return host < m_endpoints.size() && m_endpoints[host].tls && m_config.attemptsHttp2();
}

RoundTripId Transport::h2TripOf(ConnId conn, std::int32_t stream) const
{
    const auto it = m_h2Streams.find({ conn, stream });
    return it == m_h2Streams.end() ? 0 : it->second;
}

// Transport.roundTrip's altProto["https"] (http2noDialH2RoundTripper, OnlyCachedConn): a
// pooled h2 connection that can take the request serves it; none -> ErrSkipAltProtocol.
bool Transport::h2TryCached(RoundTripId id)
{
    const Trip &t = m_trips.at(id);
    if (!h2Attempted(t.request.host)) {
        return false;
    }
    const ConnId conn = m_h2Pool.reserve(t.request.host);
    if (conn == 0) {
        if (m_h2Pool.hasConnAtStreamLimit(t.request.host)) {
            m_h2Overflow.insert(id); // waits for the dial getConn starts
            h2NoteWaiting();
        }
        return false;
    }
    h2Send(id, conn);
    return true;
}

// upgradeFn: TLSNextProto["h2"] for a dial that negotiated h2. addConnIfNeeded registers it
// unless a pooled connection can take a new request; then it is closed unused. Either way
// the dial's persistConn (alt = the h2 transport) goes to every request waiting for the key
// (tryPutIdleConn's HTTP/2 branch), and each of them asks the h2 pool again.
void Transport::h2Upgrade(Connection &c)
{
    const ConnId id = c.id();
    const HostId host = m_conns.at(id).host;
    std::vector<std::pair<ReqId, RoundTripId>> waiters;
    for (const auto &[req, trip] : m_waiting) {
        if (m_trips.at(trip).request.host == host) {
            waiters.emplace_back(req, trip);
        }
    }
    std::sort(waiters.begin(), waiters.end()); // idleConnWait is FIFO
    for (const auto &[req, trip] : waiters) {
        m_waiting.erase(req);
        m_pool.cancelWant(req); // their own dials go on, as in Go
    }
    const bool used = m_h2Pool.addConnIfNeeded(host, id);
    m_pool.dialSucceededMultiplexed(id);
    if (used) {
        H2SessionOwner &owner = *this; // a private base: convertible here only
        auto session = std::make_unique<H2Session>(id, owner, c.takeTlsSocket());
        H2Session *s = session.get();
        m_h2.emplace(id, std::move(session));
        QString why;
        if (!s->start(&why) && !s->closed()) {
            s->close();
            m_h2Pool.remove(id);
            m_pool.closeConn(id, CloseReason::ProtocolError);
        }
    } else {
        m_pool.closeConn(id, CloseReason::H2SpareUnused);
    }
    processActions();
    for (const auto &[req, trip] : waiters) {
        if (m_trips.count(trip) > 0) {
            startAttempt(trip);
        }
    }
    h2RearmTimer();
}

void Transport::h2Send(RoundTripId id, ConnId conn)
{
    Trip &t = m_trips.at(id);
    t.h2Conn = conn;
    t.h2Stream = 0;
    if (m_h2Pool.slotOpen(conn) && m_h2.count(conn) > 0) {
        h2OpenStream(id, conn);
        return;
    }
    if (m_config.strictMaxConcurrentStreams && !m_h2Pool.goingAway(conn) && m_h2.count(conn) > 0) {
        m_h2SlotWait[conn].push_back(id); // awaitOpenSlotForStreamLocked: cc.cond.Wait
        h2NoteWaiting();
        return;
    }
    // errClientConnUnusable -> ErrNoCachedConn: back to Transport.getConn, which dials.
    const bool atLimit = m_h2Pool.contains(conn) && !m_h2Pool.goingAway(conn);
    m_h2Pool.unreserve(conn);
    t.h2Conn = 0;
    if (atLimit) {
        m_h2Overflow.insert(id);
        h2NoteWaiting();
    }
    t.req = m_pool.getConn(t.request.host);
    m_waiting.emplace(t.req, id);
    processActions();
}

void Transport::h2OpenStream(RoundTripId id, ConnId conn)
{
    Trip &t = m_trips.at(id);
    H2Session &s = *m_h2.at(conn);
    m_h2Pool.streamOpened(conn);
    t.conn = conn;
    t.reused = m_pool.connRequests(conn) > 0;
    t.req = m_pool.noteStream(conn);
    const std::shared_ptr<const RequestTemplate> request = t.request.source->current;
    const std::int32_t stream = s.submit(*request);
    if (stream == 0) {
        // Nothing went out: the session failed (it fails its streams itself) or nghttp2
        // refused the request.
        m_h2Pool.streamClosed(conn);
        if (m_trips.count(id) > 0) {
            m_trips.at(id).h2Conn = 0;
            complete(
                id, RequestFailure::WriteError, QStringLiteral("http2: could not open a stream"));
        }
        return;
    }
    t.h2Stream = stream;
    m_h2Streams[{ conn, stream }] = id;
    emitEvent(EventType::WroteRequest, conn, t.req, t.request.host);
}

// A slot opened on `conn` (a stream ended, SETTINGS raised the limit): Strict waiters go.
void Transport::h2StartSlotWaiters(ConnId conn)
{
    const auto it = m_h2SlotWait.find(conn);
    if (it == m_h2SlotWait.end()) {
        return;
    }
    while (!it->second.empty() && m_h2Pool.slotOpen(conn) && m_h2.count(conn) > 0) {
        const RoundTripId id = it->second.front();
        it->second.pop_front();
        if (m_trips.count(id) > 0) {
            h2OpenStream(id, conn);
        }
    }
    if (it->second.empty()) {
        m_h2SlotWait.erase(conn);
    }
}

void Transport::h2Release(RoundTripId id, bool resetStream)
{
    Trip &t = m_trips.at(id);
    const ConnId conn = t.h2Conn;
    if (conn == 0) {
        return;
    }
    if (t.h2Stream == 0) {
        if (const auto w = m_h2SlotWait.find(conn); w != m_h2SlotWait.end()) {
            auto &q = w->second;
            q.erase(std::remove(q.begin(), q.end(), id), q.end());
        }
        m_h2Pool.unreserve(conn);
    } else if (resetStream) {
        // The stream stays counted until its RST_STREAM goes out (onH2StreamClosed).
        if (const auto s = m_h2.find(conn); s != m_h2.end()) {
            s->second->cancelStream(t.h2Stream);
        }
    }
    t.h2Conn = 0;
    t.h2Stream = 0;
}

// Go's h2 cancel: RST_STREAM CANCEL on the stream; the connection stays.
bool Transport::h2Cancel(RoundTripId id, RequestFailure why, const QString &message)
{
    if (m_trips.at(id).h2Conn == 0) {
        return false;
    }
    h2Release(id, true);
    complete(id, why, message);
    h2RearmTimer();
    return true;
}

void Transport::onH2Settings(H2Session &s, std::optional<std::uint32_t> maxConcurrentStreams)
{
    m_h2Pool.settingsReceived(s.id(), maxConcurrentStreams);
    h2StartSlotWaiters(s.id());
}

void Transport::onH2Headers(H2Session &s, std::int32_t stream, int status, qint64 contentLength)
{
    const RoundTripId id = h2TripOf(s.id(), stream);
    const auto it = m_trips.find(id);
    if (it == m_trips.end() || it->second.h2Stream != stream) {
        return;
    }
    Trip &t = it->second;
    emitEvent(EventType::GotFirstResponseByte, s.id(), t.req, t.request.host);
    t.gotHeaders = true;
    t.head.status = status;
    t.head.proto = HttpProto::Http2;
    t.head.contentLength = status == 204 || status == 304 ? 0 : contentLength;
    const RequestTemplate &request = *t.request.source->current;
    if (request.headRequest() || t.head.contentLength == 0) {
        return; // http.NoBody: the stream's END_STREAM completes it
    }
    const BodyHandling handling = m_handler.onResponseHead(t.request, t.head);
    const bool overLimit = handling.policy == BodyPolicy::ReadToEof && handling.readLimit >= 0
        && t.head.contentLength > handling.readLimit;
    if (handling.policy == BodyPolicy::ReadToEof && !overLimit) {
        t.readLimit = handling.readLimit;
        return;
    }
    // CloseEarly (or a body over the read limit): resp.Body.Close before EOF resets the
    // stream with CANCEL. Leak: the stream stays open until the server ends it.
    h2Release(id, handling.policy != BodyPolicy::Leak);
    complete(id, RequestFailure::None, {});
}

void Transport::onH2StreamClosed(
    H2Session &s, std::int32_t stream, std::uint32_t errorCode, qint64 bodyBytes)
{
    const ConnId conn = s.id();
    const auto it = m_h2Streams.find({ conn, stream });
    if (it == m_h2Streams.end()) {
        return;
    }
    const RoundTripId id = it->second;
    m_h2Streams.erase(it);
    m_h2Pool.streamClosed(conn);
    m_bytesRead += static_cast<std::uint64_t>(bodyBytes);
    h2StartSlotWaiters(conn);
    const auto tit = m_trips.find(id);
    if (tit != m_trips.end() && tit->second.h2Conn == conn && tit->second.h2Stream == stream) {
        Trip &t = tit->second;
        t.h2Conn = 0;
        t.h2Stream = 0;
        if (errorCode == 0 && t.gotHeaders) {
            complete(id, RequestFailure::None, {});
        } else if (errorCode == kRefusedStream && !t.gotHeaders && !m_closed) {
            // http2canRetryError: REFUSED_STREAM (also streams a GOAWAY left unprocessed).
            m_pool.noteRetry(t.req, conn);
            startAttempt(id);
        } else {
            complete(id,
                errorCode == kCancel ? RequestFailure::Canceled : RequestFailure::H2StreamReset,
                QStringLiteral("stream error: stream ID %1; %2")
                    .arg(stream)
                    .arg(h2ErrCodeName(errorCode)));
        }
    }
    if (m_config.disableKeepAlives && m_h2Pool.contains(conn) && m_h2Pool.streams(conn) == 0
        && m_h2SlotWait.count(conn) == 0) {
        // forgetStreamID's closeOnIdle with t1.DisableKeepAlives.
        m_h2Pool.remove(conn);
        m_pool.closeConn(conn, CloseReason::KeepAlivesDisabled);
        processActions();
    }
    h2CloseDue();
}

void Transport::onH2GoAway(H2Session &s, std::int32_t, std::uint32_t)
{
    const ConnId conn = s.id();
    m_h2Pool.goAwayReceived(conn);
    // Requests waiting for a slot here: errClientConnUnusable, retried elsewhere.
    std::deque<RoundTripId> waiting;
    if (const auto w = m_h2SlotWait.find(conn); w != m_h2SlotWait.end()) {
        waiting.swap(w->second);
        m_h2SlotWait.erase(w);
    }
    for (RoundTripId id : waiting) {
        if (m_trips.count(id) > 0) {
            m_h2Pool.unreserve(conn);
            m_trips.at(id).h2Conn = 0;
            startAttempt(id);
        }
    }
    h2CloseDue();
}

void Transport::onH2SessionFailed(H2Session &s, CloseReason reason, const QString &message)
{
    const ConnId conn = s.id();
    const bool goAway = m_h2Pool.goingAway(conn);
    std::vector<RoundTripId> trips;
    for (auto it = m_h2Streams.lower_bound({ conn, 0 });
         it != m_h2Streams.end() && it->first.first == conn;) {
        trips.push_back(it->second);
        it = m_h2Streams.erase(it);
    }
    std::vector<RoundTripId> waiting;
    if (const auto w = m_h2SlotWait.find(conn); w != m_h2SlotWait.end()) {
        waiting.assign(w->second.begin(), w->second.end());
        m_h2SlotWait.erase(w);
    }
    const bool hadStreams = !trips.empty() || !waiting.empty();
    m_h2Pool.remove(conn);
    CloseReason why = reason;
    if (goAway) {
        why = CloseReason::H2GoAway;
    } else if (!hadStreams && reason == CloseReason::ReadError) {
        why = CloseReason::ServerClosedIdle;
    }
    m_pool.closeConn(conn, why);
    processActions();
    for (RoundTripId id : waiting) {
        if (m_trips.count(id) > 0 && !m_closed) {
            m_trips.at(id).h2Conn = 0;
            startAttempt(id); // errClientConnUnusable: retried
        }
    }
    for (RoundTripId id : trips) {
        const auto it = m_trips.find(id);
        if (it == m_trips.end() || it->second.h2Conn != conn) {
            continue;
        }
        it->second.h2Conn = 0;
        it->second.h2Stream = 0;
        complete(id, requestFailureFor(reason), message);
    }
    h2RearmTimer();
}

// Called for every connection the Pool closes (ActionType::Close).
void Transport::h2CloseSession(ConnId conn)
{
    const auto it = m_h2.find(conn);
    if (it == m_h2.end()) {
        return;
    }
    m_h2Pool.remove(conn);
    std::vector<RoundTripId> trips;
    for (auto s = m_h2Streams.lower_bound({ conn, 0 });
         s != m_h2Streams.end() && s->first.first == conn;) {
        trips.push_back(s->second);
        s = m_h2Streams.erase(s);
    }
    if (const auto w = m_h2SlotWait.find(conn); w != m_h2SlotWait.end()) {
        trips.insert(trips.end(), w->second.begin(), w->second.end());
        m_h2SlotWait.erase(w);
    }
    it->second->close();
    m_h2Graveyard.push_back(std::move(it->second));
    m_h2.erase(it);
    QMetaObject::invokeMethod(
        this, [this] { m_h2Graveyard.clear(); }, Qt::QueuedConnection);
    for (RoundTripId id : trips) {
        const auto t = m_trips.find(id);
        if (t != m_trips.end() && t->second.h2Conn == conn) {
            t->second.h2Conn = 0;
            t->second.h2Stream = 0;
            complete(id, RequestFailure::TransportClosed,
                QStringLiteral("http2: client connection lost"));
        }
    }
}

void Transport::h2CloseDue()
{
    for (const auto &[conn, reason] : m_h2Pool.takeDueCloses()) {
        m_pool.closeConn(conn, reason);
    }
    processActions();
    h2RearmTimer();
}

void Transport::h2RearmTimer()
{
    const auto next = m_h2Pool.nextDeadline();
    if (!next || m_closed) {
        m_h2Timer.stop();
        return;
    }
    m_h2Timer.start(timerInterval(saturatingSub(*next, m_clock.now())));
}

} // namespace poolscope
