#pragma once

#include "pool/pool_types.h"

#include <string_view>

namespace poolscope {

// Why a request failed, as its caller sees it: the error Client.Do returns (or, for the
// few kinds marked afterResponse, the error reading the body of the response Do returned),
// one value per kind Go has. Kept apart from CloseReason, which says why a *connection*
// closed (Envoy's ConnectionPool::PoolFailureReason vs its close reasons): a retried request
// fails on one connection and succeeds on the next, a client timeout fails a request that
// never had a connection, and the JSON's errors_by_kind counts requests, close_reasons
// connections.
//
// One row per kind, the only place these facts are written:
//   X(Name, key, goError, closeReason, beforeConnection, afterResponse)
// key: errors_by_kind key in the JSON (for the kinds that already existed when the JSON
// counted close reasons, the same string as that CloseReason's key, so old readers keep
// working); goError: the Go error value or text; closeReason: what the connection it failed
// on is closed with (None: the failure closes none); beforeConnection: the request never
// got a connection (a pool failure in Envoy's terms); afterResponse: Do had returned the
// response, the caller's body read failed.
#define POOLSCOPE_REQUEST_FAILURES(X)                                                              \
    X(None, "none", "", None, false, false)                                                        \
    X(DialFailed, "dial_failed", "net.OpError (dial)", DialFailed, true, false)                    \
    X(DialTimeout, "dial_timeout", "net.OpError i/o timeout (Dialer.Timeout)", DialTimeout, true,  \
        false)                                                                                     \
    X(TlsHandshakeTimeout, "tls_handshake_timeout", "tlsHandshakeTimeoutError",                    \
        TlsHandshakeTimeout, true, false)                                                          \
    X(TlsError, "tls_error", "tls handshake error", TlsError, true, false)                         \
    X(WriteError, "write_error", "write error (nothingWrittenError when no byte went out)",        \
        WriteError, false, false)                                                                  \
    X(ReadError, "read_error", "transportReadFromServerError / EOF", ReadError, false, false)      \
    X(ServerClosedIdle, "server_closed_idle", "errServerClosedIdle", ServerClosedIdle, false,      \
        false)                                                                                     \
    X(ResponseHeaderTimeout, "response_header_timeout", "timeout awaiting response headers",       \
        ResponseHeaderTimeout, false, false)                                                       \
    X(ProtocolError, "protocol_error", "malformed HTTP response", ProtocolError, false, false)     \
    X(KeepAliveTimeout, "keep_alive_timeout", "ETIMEDOUT (TCP keep-alive)", KeepAliveTimeout,      \
        false, false)                                                                              \
    X(ClientTimeout, "client_timeout",                                                             \
        "context deadline exceeded (Client.Timeout exceeded while awaiting headers)",              \
        ClientTimeout, false, false)                                                               \
    X(ClientTimeoutReadingBody, "client_timeout_reading_body",                                     \
        "context deadline exceeded (Client.Timeout or context cancellation while reading body)",   \
        ClientTimeout, false, true)                                                                \
    X(TooManyRedirects, "too_many_redirects", "stopped after 10 redirects (CheckRedirect)", None,  \
        false, false)                                                                              \
    X(BadRedirect, "redirect_error",                                                               \
        "failed to parse Location header / unsupported protocol scheme", None, false, false)       \
    X(Canceled, "canceled", "context.Canceled (errRequestCanceled)", Canceled, false, false)       \
    X(TransportClosed, "transport_closed", "errCloseIdleConns", TransportClosed, true, false)    \
    X(H2StreamReset, "h2_stream_reset", "http2 stream error (RST_STREAM from the server)", None,   \
        false, false)

enum class RequestFailure : std::uint8_t {
#define POOLSCOPE_X(name, key, go, close, before, after) name,
    POOLSCOPE_REQUEST_FAILURES(POOLSCOPE_X)
#undef POOLSCOPE_X
        Count_
};

inline constexpr int kRequestFailureCount = static_cast<int>(RequestFailure::Count_);

// Stable snake_case key, e.g. "read_error" (JSON errors_by_kind).
[[nodiscard]] std::string_view requestFailureKey(RequestFailure f);
// The Go error this failure corresponds to, e.g. "errServerClosedIdle".
[[nodiscard]] std::string_view requestFailureGoName(RequestFailure f);
// The reason the connection the request failed on is closed with (Canceled and
// TransportClosed close none of their own).
[[nodiscard]] CloseReason requestFailureCloseReason(RequestFailure f);
// The request never got a connection (its dial failed, the transport closed).
[[nodiscard]] bool requestFailureBeforeConnection(RequestFailure f);
// Do had returned a response; reading its body failed (Client.Timeout during the read).
[[nodiscard]] bool requestFailureAfterResponse(RequestFailure f);
// The request failure a connection failure with `reason` gives its request: the first row
// whose closeReason is `reason`; ReadError for a reason no request fails with.
[[nodiscard]] RequestFailure requestFailureFor(CloseReason reason);

} // namespace poolscope
