#pragma once

#include <chrono>
#include <cstdint>

namespace poolscope {

using Duration = std::chrono::nanoseconds;
using namespace std::chrono_literals;

// Mirrors Go 1.23's net.KeepAliveConfig. Applied to every dialed socket.
struct KeepAliveConfig
{
    // Enable: Go KeepAliveConfig.Enable. When false, Dialer.KeepAlive decides.
    bool enable = false;
    // Idle: Go KeepAliveConfig.Idle (TCP_KEEPIDLE). 0 = 15 s default, negative = leave the
    // socket option alone (the kernel's net.ipv4.tcp_keepalive_time applies).
    Duration idle { 0 };
    // Interval: Go KeepAliveConfig.Interval (TCP_KEEPINTVL). 0 = 15 s, negative = leave alone.
    Duration interval { 0 };
    // Count: Go KeepAliveConfig.Count (TCP_KEEPCNT). 0 = 9, negative = leave alone.
    int count = 0;

    bool operator==(const KeepAliveConfig &) const = default;
};

// The Go release whose rules PoolScope models where releases differ (README, "Which Go").
// Go1_19: the referee (Debian bookworm's golang-go); a dial runs under its request's
// context, so the end of that context aborts a dial still in flight (transport.go
// queueForDial -> dialConnFor -> t.dialConn(w.ctx, ...)). Go1_23: the later rule of
// golang/go#59017, where getConn detaches the dial from the request's cancellation
// (context.WithoutCancel) and the dial completes into the pool.
enum class GoVersion : std::uint8_t { Go1_19, Go1_23 };

// What Go would actually do to a freshly dialed socket, after resolving every
// zero and negative value. -1 in a field means "do not touch that option".
struct EffectiveKeepAlive
{
    bool enable = false;
    int idleSeconds = -1;
    int intervalSeconds = -1;
    int count = -1;

    bool operator==(const EffectiveKeepAlive &) const = default;
};

// The knobs of Go's http.Transport, its net.Dialer and its http.Client, with
// Go's names, units and zero/negative meanings. Plain value: the UI sends a
// whole TransportConfig to the engine whenever a slider moves.
struct TransportConfig
{
    // ---- http.Transport ----
    // MaxIdleConns: idle connections kept across all hosts. 0 = no limit.
    // Overflow closes the globally oldest idle connection (errTooManyIdle).
    int maxIdleConns = 0;
    // MaxIdleConnsPerHost: idle connections kept per host. 0 = DefaultMaxIdleConnsPerHost (2);
    // negative = never keep a connection idle (errKeepAlivesDisabled on every put).
    int maxIdleConnsPerHost = 0;
    // MaxConnsPerHost: dialing + active + idle connections per host. 0 = unlimited; requests
    // beyond it queue for a dial slot.
    int maxConnsPerHost = 0;
    // IdleConnTimeout: how long an idle connection stays pooled. 0 = forever.
    Duration idleConnTimeout { 0 };
    // DisableKeepAlives: send "Connection: close" and use each connection once.
    bool disableKeepAlives = false;
    // ResponseHeaderTimeout: from request fully written to response headers read. 0 = none.
    Duration responseHeaderTimeout { 0 };
    // TLSHandshakeTimeout: 0 = none.
    Duration tlsHandshakeTimeout { 0 };
    // ExpectContinueTimeout: wait for "100 Continue" before sending a body when the request
    // has "Expect: 100-continue". 0 = send the body at once.
    Duration expectContinueTimeout { 0 };

    // MaxResponseHeaderBytes: limit on the response head (status line, headers and the blank
    // line, as sent), in bytes; a head of exactly this size passes. 0 = Go's client default,
    // 10 MiB (persistConn.maxHeaderResponseSize; http.DefaultMaxHeaderBytes, 1 MiB, is the
    // server's). A bigger head fails the request, unretried, with Go's "net/http: server
    // response headers exceeded N bytes; aborted" (CloseReason::ProtocolError). Negative: Go
    // would fail every response (its read limit starts exhausted); we treat it as 0 and the
    // knob table does not offer it.
    std::int64_t maxResponseHeaderBytes = 0;
    // DisableCompression: false = send "Accept-Encoding: gzip" when the request has no
    // Accept-Encoding and no Range and is not HEAD, and decode a gzip body transparently as
    // Go does (the bytes read are the decoded ones; a body that does not decode fails the
    // request with Go's gzip/flate error); true = ask for nothing, decode nothing.
    bool disableCompression = false;

    // ---- net.Dialer ----
    // Dialer.Timeout: connect timeout. 0 = none (the OS's own limit applies).
    Duration dialTimeout { 0 };
    // Dialer.KeepAlive: TCP keep-alive period. 0 = 15 s default, negative = keep-alive off
    // (unless keepAliveConfig.enable).
    Duration keepAlive { 0 };
    // Dialer.KeepAliveConfig (Go 1.23+).
    KeepAliveConfig keepAliveConfig;

    // ---- http.Client ----
    // Client.Timeout: whole exchange, dial to last body byte. 0 = none.
    Duration clientTimeout { 0 };

    // ---- which Go ----
    GoVersion goVersion = GoVersion::Go1_19;

    // ---- tls.Config ----
    // InsecureSkipVerify: accept any server certificate (test targets only).
    bool insecureSkipVerify = false;

    // ---- HTTP/2 (Go's bundled h2 client, h2_bundle.go) ----
    // ForceAttemptHTTP2: offer h2 by ALPN even with a TLSClientConfig or a custom dialer
    // (onceSetNextProtoDefaults). DefaultTransport: true; a zero Transport: false.
    bool forceAttemptHttp2 = false;
    // TLSNextProto set to an empty map: Go's documented way to turn HTTP/2 off.
    bool disableHttp2 = false;
    // http2.Transport.StrictMaxConcurrentStreams (golang.org/x/net/http2.ConfigureTransports
    // in Go 1.19): at the server's SETTINGS_MAX_CONCURRENT_STREAMS a request waits for a
    // stream slot instead of dialing another connection.
    bool strictMaxConcurrentStreams = false;

    // Go's http.DefaultTransport with its net.Dialer{Timeout: 30s, KeepAlive: 30s}.
    static TransportConfig goDefault();
    // A zero http.Transport{} with a zero net.Dialer and zero http.Client.
    static TransportConfig zero();

    // The per-host idle cap Go enforces: 2 when the field is 0, the field otherwise
    // (negative values mean "keep none").
    [[nodiscard]] int effectiveMaxIdleConnsPerHost() const;
    // Resolves Dialer.KeepAlive and KeepAliveConfig as Go 1.23's newTCPConn does.
    [[nodiscard]] EffectiveKeepAlive effectiveKeepAlive() const;
    // Go 1.19's rule: the end of a request's context (Client.Timeout's cancel when the
    // caller is done with the response, or the deadline) aborts the dial it started.
    [[nodiscard]] bool dialsUnderRequestContext() const { return goVersion == GoVersion::Go1_19; }
    // Go 1.19's onceSetNextProtoDefaults: whether HTTPS requests offer h2 by ALPN. Off when
    // TLSNextProto is set (disableHttp2); otherwise on with ForceAttemptHTTP2, and off when a
    // TLSClientConfig (InsecureSkipVerify) or a custom DialContext (any Dialer field away
    // from zero: the Go snippet must then set DialContext) is set.
    [[nodiscard]] bool attemptsHttp2() const;
    // The header limit Go enforces: 10 MiB when the field is 0 (or negative, see above).
    [[nodiscard]] std::int64_t effectiveMaxResponseHeaderBytes() const;

    bool operator==(const TransportConfig &) const = default;
};

// Go's DefaultMaxIdleConnsPerHost.
inline constexpr int kDefaultMaxIdleConnsPerHost = 2;
// Go's defaults for a zero keep-alive field (net.defaultTCPKeepAliveIdle/Interval/Count).
inline constexpr Duration kDefaultKeepAliveIdle = 15s;
inline constexpr Duration kDefaultKeepAliveInterval = 15s;
inline constexpr int kDefaultKeepAliveCount = 9;
// The limit a zero MaxResponseHeaderBytes means on Go's client: 10 << 20, "conservative
// default; same as http2" (persistConn.maxHeaderResponseSize). Go 1.19 prints "server
// response headers exceeded 10485760 bytes" for a head one byte longer.
inline constexpr std::int64_t kDefaultMaxResponseHeaderBytes = std::int64_t(10) << 20;

} // namespace poolscope
