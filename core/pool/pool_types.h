#pragma once

#include "close_reason.h"
#include "transport_config.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace poolscope {

// Nanoseconds since the run started; every event and snapshot uses it.
using TimePoint = std::chrono::nanoseconds;

using ConnId = std::uint64_t; // 1, 2, 3 ... in dial order; 0 = none
using ReqId = std::uint64_t; // 1, 2, 3 ... per getConn call; 0 = none
using HostId = std::uint32_t; // index of a pool key (scheme://host:port)

enum class ConnState : std::uint8_t { Dialing, Active, Idle, Closed };

std::string_view connStateName(ConnState s);

// The edges of the connection state machine. An empty `from` is a connection being
// created, which enters Dialing. Dialing -> Active | Closed, Active -> Idle | Closed,
// Idle -> Active | Closed; Closed is final. Pool::transition refuses anything else.
[[nodiscard]] bool isLegalConnTransition(std::optional<ConnState> from, ConnState to);

// Kinds of pool events. The first group mirrors httptrace.ClientTrace; the rest
// are the pool's own transitions that httptrace does not show.
enum class EventType : std::uint8_t {
    GetConn, // httptrace GetConn: a request wants a connection
    GotConn, // httptrace GotConn{Reused, WasIdle, IdleTime}
    PutIdleConn, // httptrace PutIdleConn(err); reason None = kept idle
    ConnectStart, // httptrace ConnectStart
    ConnectDone, // httptrace ConnectDone(err); reason None = success
    TlsHandshakeStart,
    TlsHandshakeDone,
    WroteRequest, // httptrace WroteRequest
    GotFirstResponseByte, // httptrace GotFirstResponseByte
    ConnClosed, // a connection closed, with its reason
    WaitQueued, // request queued for a dial slot (MaxConnsPerHost)
    Retry, // request retried on another connection
    RequestDone, // request finished (reason None = success)
    IdleHandoff, // returned connection handed straight to a waiting request
    Count_
};

std::string_view eventTypeName(EventType t);

// One pool event. Plain, trivially copyable, 48 bytes: cheap to ring-buffer.
struct PoolEvent
{
    TimePoint time { 0 };
    ConnId conn = 0;
    ReqId req = 0;
    TimePoint idleTime { 0 }; // GotConn: how long the connection sat idle
    HostId host = 0;
    EventType type = EventType::GetConn;
    CloseReason reason = CloseReason::None;
    bool reused = false; // GotConn.Reused
    bool wasIdle = false; // GotConn.WasIdle
};

// Live and cumulative counts of one pool key (or all of them).
struct HostCounters
{
    int dialing = 0;
    int active = 0;
    int idle = 0;
    int waiting = 0; // requests waiting for a connection
    int queuedForDial = 0; // of those, waiting for a MaxConnsPerHost slot

    [[nodiscard]] int open() const { return active + idle; }
    bool operator==(const HostCounters &) const = default;
};

struct PoolCounters
{
    HostCounters now; // over all hosts
    std::uint64_t dials = 0; // dials started
    std::uint64_t dialFailures = 0;
    std::uint64_t gets = 0; // connections handed to requests
    std::uint64_t reused = 0; // of those, GotConn.Reused
    std::uint64_t fresh = 0; // of those, a new dial
    std::uint64_t idleHandoffs = 0; // returned connection handed straight to a waiter
    std::uint64_t putIdle = 0; // connections kept idle
    std::uint64_t retries = 0;
    std::uint64_t closed = 0; // connections closed, all reasons
    std::array<std::uint64_t, kCloseReasonCount> closesByReason {};

    [[nodiscard]] std::uint64_t closes(CloseReason r) const
    {
        return closesByReason[static_cast<std::size_t>(r)];
    }
};

} // namespace poolscope
