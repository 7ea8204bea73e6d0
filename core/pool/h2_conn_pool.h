#pragma once

#include "clock.h"
#include "pool_types.h"

#include <optional>
#include <unordered_map>
#include <vector>

namespace poolscope {

// Go 1.19's HTTP/2 connection pool (h2_bundle.go: http2clientConnPool behind
// http2noDialClientConnPool, with the ClientConn state its rules read), sans-IO: no
// sockets, no timers, time from an injected Clock. The driver (Transport) dials through
// the HTTP/1 Pool as Go's Transport.getConn does, registers what negotiated h2 here
// (upgradeFn -> addConnIfNeeded) and opens streams on what reserve() hands out.
//
// Go rules, each in one function:
//   - connections per authority (HostId), taken in the order they were registered;
//   - canTakeNewRequest (idleStateLocked): not going away, not closed, not idle past
//     IdleConnTimeout (tooIdleLocked), and, unless StrictMaxConcurrentStreams,
//     streams + reserved + 1 <= the server's SETTINGS_MAX_CONCURRENT_STREAMS (100 until
//     the server's SETTINGS arrive, 1000 when they do not carry the setting);
//   - addConnIfNeeded: a new h2 connection is used only when no registered connection of
//     the authority can take a new request; otherwise the caller closes it unused;
//   - a connection that got GOAWAY closes once its last stream ends;
//   - an idle connection (no streams) closes after IdleConnTimeout.
class H2ConnPool final
{
public:
    // Go's http2initialMaxConcurrentStreams and http2defaultMaxConcurrentStreams.
    static constexpr std::uint32_t kInitialMaxConcurrentStreams = 100;
    static constexpr std::uint32_t kDefaultMaxConcurrentStreams = 1000;

    explicit H2ConnPool(const Clock &clock) : m_clock(clock) { }

    // StrictMaxConcurrentStreams and IdleConnTimeout (0 = never idle out).
    void setConfig(bool strictMaxConcurrentStreams, Duration idleConnTimeout);

    // upgradeFn -> addConnIfNeeded: true = `conn` is registered (used), false = a
    // registered connection of `host` can take a new request, so `conn` is not needed.
    bool addConnIfNeeded(HostId host, ConnId conn);
    // getClientConn(dialOnMiss = false): the first connection of `host` that can take a
    // new request, with one stream reserved on it (ReserveNewRequest); 0 = none
    // (http2ErrNoCachedConn: the caller goes to Transport.getConn, i.e. dials).
    ConnId reserve(HostId host);
    // The reserving request gives up its reservation without opening a stream.
    void unreserve(ConnId conn);
    // awaitOpenSlotForStreamLocked for a reserved request: true = a stream can open now.
    // False with Strict: wait for a stream to end. False without Strict: the connection
    // cannot take it any more (errClientConnUnusable; the request goes back to getConn).
    [[nodiscard]] bool slotOpen(ConnId conn) const;
    // The reserved request opened its stream (reservation -> stream).
    void streamOpened(ConnId conn);
    // A stream ended (response complete, reset or canceled).
    void streamClosed(ConnId conn);
    // The server's SETTINGS: its SETTINGS_MAX_CONCURRENT_STREAMS, none = not in the frame.
    void settingsReceived(ConnId conn, std::optional<std::uint32_t> maxConcurrentStreams);
    void goAwayReceived(ConnId conn);
    // The connection is gone (closed by anyone): forgotten.
    void remove(ConnId conn);

    // Connections that should close now: going away with no stream left (H2GoAway) or idle
    // past IdleConnTimeout (H2IdleTimeout). They are forgotten; the caller closes them.
    std::vector<std::pair<ConnId, CloseReason>> takeDueCloses();
    // The earliest idle expiry, for the driver's timer.
    [[nodiscard]] std::optional<TimePoint> nextDeadline() const;

    // ---- queries ----
    [[nodiscard]] bool contains(ConnId conn) const { return m_conns.count(conn) > 0; }
    [[nodiscard]] bool canTakeNewRequest(ConnId conn) const;
    [[nodiscard]] int streams(ConnId conn) const;
    [[nodiscard]] std::uint32_t maxConcurrentStreams(ConnId conn) const;
    [[nodiscard]] bool goingAway(ConnId conn) const;
    // Over all connections: open streams, and reservations not yet a stream.
    [[nodiscard]] int activeStreams() const;
    [[nodiscard]] int reservedStreams() const;
    [[nodiscard]] std::size_t connCount() const { return m_conns.size(); }
    // Streams on the busiest connection now.
    [[nodiscard]] int maxStreamsPerConn() const;
    // A connection of `host` that is usable but at its stream limit (canTakeNewRequest
    // false only because streams + reserved + 1 > SETTINGS_MAX_CONCURRENT_STREAMS).
    [[nodiscard]] bool hasConnAtStreamLimit(HostId host) const;

    // Peaks since construction or resetPeaks(), updated on every change.
    struct Peaks
    {
        std::uint64_t connsEver = 0; // registered by addConnIfNeeded
        int conns = 0;
        int streams = 0; // all connections together
        int perConn = 0; // on one connection
        // On one connection that had the server's SETTINGS: before them Go allows 100
        // (http2initialMaxConcurrentStreams), so the first connection of a run takes every
        // waiting request and the server refuses those over its limit.
        int perConnAfterSettings = 0;
        std::uint32_t serverMaxStreams = 0; // largest SETTINGS_MAX_CONCURRENT_STREAMS seen
        // Integrals over time of the streams open and of the connections registered: their
        // ratio is the time-weighted mean of streams per open connection.
        double streamSeconds = 0;
        double connSeconds = 0;
    };
    // Up to now (the integrals include the time since the last change).
    [[nodiscard]] Peaks peaks() const;
    void resetPeaks() { m_peaks = {}; }

private:
    struct Conn
    {
        HostId host = 0;
        std::uint64_t order = 0; // registration order (p.conns[addr] is a slice)
        int streams = 0; // len(cc.streams)
        int reserved = 0; // cc.streamsReserved
        std::uint32_t maxConcurrent = kInitialMaxConcurrentStreams;
        bool goAway = false;
        bool seenSettings = false;
        std::optional<TimePoint> lastIdle; // cc.lastIdle: no stream since then
    };

    [[nodiscard]] bool canTake(const Conn &c) const;
    // Adds the time since the last change to the integrals; call before any change of
    // m_streams or of m_conns.size().
    void integrate();
    [[nodiscard]] bool tooIdle(const Conn &c) const;
    Conn *find(ConnId id);
    [[nodiscard]] const Conn *find(ConnId id) const;

    const Clock &m_clock;
    bool m_strict = false;
    Duration m_idleTimeout { 0 };
    std::unordered_map<ConnId, Conn> m_conns;
    std::uint64_t m_nextOrder = 1;
    int m_streams = 0; // sum of Conn::streams
    TimePoint m_lastChange { 0 };
    Peaks m_peaks;
};

} // namespace poolscope
