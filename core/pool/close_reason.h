#pragma once

#include <array>
#include <cstdint>
#include <string_view>

// Marks the labels for lupdate (the window translates them in the "CloseReason" context,
// ui/close_reason_text.h); core/pool stays free of Qt, so the marker is defined here when
// Qt's is not.
#ifndef QT_TRANSLATE_NOOP
#define QT_TRANSLATE_NOOP(scope, x) x // Qt's own definition, token for token
#endif

namespace poolscope {

// Why a connection was closed. One value per reason Go has; every fact about a
// reason (key, label, Go name, who closes first, chart colour) is its row in
// kCloseReasonTable below, and nowhere else.
enum class CloseReason : std::uint8_t {
    None,
    TooManyIdleHost, // idle pool for the host already full
    TooManyIdle, // MaxIdleConns exceeded, globally oldest idle evicted
    IdleTimeout, // IdleConnTimeout expired
    ServerClosedIdle, // EOF or reset while idle
    ConnectionCloseResponse, // response said "Connection: close" or was HTTP/1.0 without keep-alive
    ConnectionCloseRequest, // our request asked for close
    KeepAlivesDisabled, // DisableKeepAlives or negative MaxIdleConnsPerHost
    BodyNotRead, // body closed before EOF
    ReadError, // read error or EOF during a request
    WriteError, // write failed
    DialFailed, // connect refused, unreachable, exhausted ports or descriptors
    DialTimeout, // Dialer.Timeout
    TlsHandshakeTimeout, // TLSHandshakeTimeout
    TlsError, // handshake failure
    ResponseHeaderTimeout, // ResponseHeaderTimeout
    ClientTimeout, // Client.Timeout
    Canceled, // request canceled (load stopped)
    ProtocolError, // malformed response
    TransportClosed, // CloseIdleConnections / engine shutdown
    KeepAliveTimeout, // kernel gave up after keep-alive probes (ETIMEDOUT)
    DialCanceled, // a dial aborted because its request's context ended (Go 1.19)
    H2GoAway, // HTTP/2: the server sent GOAWAY; closed once its last stream ended
    H2IdleTimeout, // HTTP/2: no stream for IdleConnTimeout (ClientConn idle timer)
    H2SpareUnused, // HTTP/2: a start-up dial that negotiated h2 after another conn was pooled
    Count_
};

inline constexpr int kCloseReasonCount = static_cast<int>(CloseReason::Count_);

// Which end sends the first FIN and so holds the TIME_WAIT socket for 2*MSL.
// None: no connection was established, or it ended without a FIN exchange.
enum class FirstCloser : std::uint8_t { None, Client, Server };

struct CloseReasonInfo
{
    CloseReason reason;
    const char *key; // stable snake_case for JSON, recordings and scenario files
    const char *label; // short text for charts and legends
    const char *goName; // the Go error value or code path ("" for None)
    FirstCloser closer; // who closes first = whose side holds TIME_WAIT
    std::uint32_t rgb; // chart colour, 0xRRGGBB
};

// Row i describes CloseReason(i); static_asserts below keep it that way.
// The closer column is the usual case on a healthy network; comments say when
// it can differ.
inline constexpr std::array<CloseReasonInfo, kCloseReasonCount> kCloseReasonTable { {
    { CloseReason::None, "none", QT_TRANSLATE_NOOP("CloseReason", "none"), "", FirstCloser::None,
        0x966161 },
    // The storm's reason: red.
    { CloseReason::TooManyIdleHost, "too_many_idle_host",
        QT_TRANSLATE_NOOP("CloseReason", "idle pool full (per host)"), "errTooManyIdleHost",
        FirstCloser::Client, 0xd62728 },
    { CloseReason::TooManyIdle, "too_many_idle",
        QT_TRANSLATE_NOOP("CloseReason", "idle pool full (global LRU)"), "errTooManyIdle",
        FirstCloser::Client, 0xff7f0e },
    { CloseReason::IdleTimeout, "idle_timeout", QT_TRANSLATE_NOOP("CloseReason", "idle timeout"),
        "errIdleConnTimeout", FirstCloser::Client, 0x9467bd },
    { CloseReason::ServerClosedIdle, "server_closed_idle",
        QT_TRANSLATE_NOOP("CloseReason", "server closed idle"), "errServerClosedIdle",
        FirstCloser::Server, 0x8c564b },
    // The server hangs up right after writing; the client closes once it has read.
    { CloseReason::ConnectionCloseResponse, "connection_close_response",
        QT_TRANSLATE_NOOP("CloseReason", "Connection: close (server)"),
        "resp.Close (errReadLoopExiting)", FirstCloser::Server, 0x17becf },
    // A server honouring the request's Connection: close hangs up after its response.
    { CloseReason::ConnectionCloseRequest, "connection_close_request",
        QT_TRANSLATE_NOOP("CloseReason", "Connection: close (client)"),
        "req.Close (errReadLoopExiting)", FirstCloser::Server, 0x1f77b4 },
    // DisableKeepAlives sends Connection: close, so the server closes first (bench/README.md,
    // churn row). A negative MaxIdleConnsPerHost alone sends no such header: then the pool
    // closes first and the client holds TIME_WAIT.
    { CloseReason::KeepAlivesDisabled, "keep_alives_disabled",
        QT_TRANSLATE_NOOP("CloseReason", "keep-alives disabled"), "errKeepAlivesDisabled",
        FirstCloser::Server, 0xe377c2 },
    { CloseReason::BodyNotRead, "body_not_read",
        QT_TRANSLATE_NOOP("CloseReason", "body not read to EOF"),
        "body closed early (errReadLoopExiting)", FirstCloser::Client, 0xbcbd22 },
    // EOF in the middle of a response: the server hung up.
    { CloseReason::ReadError, "read_error", QT_TRANSLATE_NOOP("CloseReason", "read error"),
        "transportReadFromServerError", FirstCloser::Server, 0x939661 },
    // Writes fail after the server hung up; if it answered with a reset, neither side
    // keeps TIME_WAIT.
    { CloseReason::WriteError, "write_error", QT_TRANSLATE_NOOP("CloseReason", "write error"),
        "nothingWrittenError / write error", FirstCloser::Server, 0x6a9661 },
    { CloseReason::DialFailed, "dial_failed", QT_TRANSLATE_NOOP("CloseReason", "dial failed"),
        "net.OpError (dial)", FirstCloser::None, 0x619682 },
    { CloseReason::DialTimeout, "dial_timeout", QT_TRANSLATE_NOOP("CloseReason", "dial timeout"),
        "net.OpError i/o timeout (Dialer.Timeout)", FirstCloser::None, 0x618196 },
    { CloseReason::TlsHandshakeTimeout, "tls_handshake_timeout",
        QT_TRANSLATE_NOOP("CloseReason", "TLS handshake timeout"), "tlsHandshakeTimeoutError",
        FirstCloser::Client, 0x6b6196 },
    // Usually the client rejecting the certificate; a server's fatal alert makes it the server.
    { CloseReason::TlsError, "tls_error", QT_TRANSLATE_NOOP("CloseReason", "TLS error"),
        "tls handshake error", FirstCloser::Client, 0x946196 },
    { CloseReason::ResponseHeaderTimeout, "response_header_timeout",
        QT_TRANSLATE_NOOP("CloseReason", "response header timeout"),
        "timeout awaiting response headers", FirstCloser::Client, 0x96616e },
    { CloseReason::ClientTimeout, "client_timeout",
        QT_TRANSLATE_NOOP("CloseReason", "client timeout"), "Client.Timeout exceeded",
        FirstCloser::Client, 0x967d61 },
    { CloseReason::Canceled, "canceled", QT_TRANSLATE_NOOP("CloseReason", "canceled"),
        "context.Canceled (errRequestCanceled)", FirstCloser::Client, 0x859661 },
    { CloseReason::ProtocolError, "protocol_error",
        QT_TRANSLATE_NOOP("CloseReason", "protocol error"), "malformed HTTP response",
        FirstCloser::Client, 0x619666 },
    // errCloseIdleConns for connections idle at CloseIdleConnections, errCloseIdle for those
    // returned after it (Pool::tryPutIdleConn), and the engine's shutdown.
    { CloseReason::TransportClosed, "transport_closed",
        QT_TRANSLATE_NOOP("CloseReason", "transport closed"), "errCloseIdleConns / errCloseIdle",
        FirstCloser::Client, 0x619690 },
    // The kernel drops the socket after unanswered probes: no FIN exchange, no TIME_WAIT.
    { CloseReason::KeepAliveTimeout, "keep_alive_timeout",
        QT_TRANSLATE_NOOP("CloseReason", "keep-alive probes unanswered"),
        "ETIMEDOUT (TCP keep-alive)", FirstCloser::None, 0x617396 },
    // Go 1.19 dials under the request's context (dialConnFor: t.dialConn(w.ctx, ...)); when
    // the request was served by another connection and its context ends (Client.Timeout's
    // cancel once the body is read or closed), the dial is aborted: a TLS handshake in
    // flight closes its TCP connection (the client's FIN), a connect in flight sends none.
    { CloseReason::DialCanceled, "dial_canceled",
        QT_TRANSLATE_NOOP("CloseReason", "dial aborted (request done)"),
        "context.Canceled (dialConn under the request's ctx)", FirstCloser::Client, 0xc49c94 },
    // nginx sends GOAWAY (keepalive_requests, keepalive_timeout) and closes after the last
    // stream: the server usually closes first.
    { CloseReason::H2GoAway, "h2_goaway", QT_TRANSLATE_NOOP("CloseReason", "HTTP/2 GOAWAY"),
        "http2 GOAWAY (ClientConn.goAway)", FirstCloser::Server, 0x2ca02c },
    { CloseReason::H2IdleTimeout, "h2_idle_timeout",
        QT_TRANSLATE_NOOP("CloseReason", "HTTP/2 idle timeout"),
        "http2 ClientConn.closeIfIdle (IdleConnTimeout)", FirstCloser::Client, 0xaec7e8 },
    // upgradeFn: addConnIfNeeded found a pooled h2 connection that can take the request
    // (used == false), so the new TLS connection is closed without a stream.
    { CloseReason::H2SpareUnused, "h2_spare_unused",
        QT_TRANSLATE_NOOP("CloseReason", "HTTP/2 spare dial closed unused"),
        "upgradeFn (addConnIfNeeded: used == false)", FirstCloser::Client, 0x98df8a },
} };

namespace detail {
constexpr bool closeReasonRowsInOrder()
{
    for (std::size_t i = 0; i < kCloseReasonTable.size(); ++i) {
        if (static_cast<std::size_t>(kCloseReasonTable[i].reason) != i) {
            return false;
        }
    }
    return true;
}
} // namespace detail
static_assert(detail::closeReasonRowsInOrder(), "kCloseReasonTable: row i must be CloseReason(i)");

// The row of `r`; an out-of-range value gets a row keyed "unknown".
[[nodiscard]] const CloseReasonInfo &closeReasonInfo(CloseReason r);

// Short label for charts and legends.
[[nodiscard]] std::string_view closeReasonLabel(CloseReason r);
// Stable snake_case key for JSON and scenario files, e.g. "too_many_idle_host".
[[nodiscard]] std::string_view closeReasonKey(CloseReason r);
// The Go error or code path this reason corresponds to, e.g. "errTooManyIdleHost".
[[nodiscard]] std::string_view closeReasonGoName(CloseReason r);
// "client", "server" or "none".
[[nodiscard]] std::string_view firstCloserName(FirstCloser c);

} // namespace poolscope
