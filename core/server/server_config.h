#pragma once

#include "server/hostile_mode.h"

#include <QHostAddress>
#include <chrono>
#include <cstdint>

namespace poolscope {

// Knobs of the embedded target server. Each one demonstrates a pool behaviour;
// all of them can be changed while the server runs.
struct ServerConfig
{
    // Address and port to listen on; port 0 picks a free one.
    QHostAddress listenAddress = QHostAddress::LocalHost;
    quint16 port = 0;
    // Response latency (time from request parsed to response written) and its uniform jitter
    // (+/- jitter). Millisecond timer resolution; a negative result is clamped to 0.
    std::chrono::nanoseconds latency { 0 };
    std::chrono::nanoseconds jitter { 0 };
    // Delay before the status line and headers are sent (exercises ResponseHeaderTimeout).
    // 0: the head goes out together with the body, after `latency`. > 0: the head is flushed
    // after headerDelay and the body follows at `latency` (or right away if latency is shorter),
    // like a handler that flushes its headers early and then works on the body.
    std::chrono::nanoseconds headerDelay { 0 };
    // Status code of every response, 200 to 599 (Go's ResponseWriter.WriteHeader). 204 and
    // 304 go out without a body and without Content-Length, as Go's server sends them.
    int status = 200;
    // Response body size in bytes.
    int bodySize = 64;
    // Send the body with Transfer-Encoding: chunked instead of Content-Length.
    bool chunked = false;
    // Close a keep-alive connection idle this long (nginx keepalive_timeout). 0 = never.
    std::chrono::nanoseconds idleTimeout { 0 };
    // Close the connection after this many requests, saying "Connection: close" on the last
    // response (nginx keepalive_requests). 0 = unlimited.
    int maxRequestsPerConn = 0;
    // Probability in [0, 1] that a response carries "Connection: close" and the server closes.
    double closeProbability = 0.0;
    // Redirect chains, which a client such as Go's http.Client follows (up to 10 hops).
    // N > 0: a request for /redirect/k with 1 <= k < N is answered with redirectStatus and
    // "Location: /redirect/k+1", /redirect/k with k >= N with the normal response, any other
    // path with "Location: /redirect/1". So each request a client makes for / costs it
    // N + 1 round trips. Redirect responses carry the usual body
    // (bodySize), so Go's 2 KiB slurp of a redirect body can be tried. 0 = off.
    int redirects = 0;
    // Status of the redirect responses: 301, 302 and 303 make Go's client follow with a GET
    // without body, 307 and 308 with the same method and body; other 3xx are not followed.
    int redirectStatus = 302;
    // Answer with HTTP/1.0 and no keep-alive (the connection closes after each response).
    bool http10 = false;
    // Close the connection after writing this many bytes of a response. 0 = off.
    int dropAfterBytes = 0;
    // Answer with a malformed status line (protocol error on the client).
    bool malformed = false;
    // Misbehave on every request in this way (hostile_responses.h); None = behave.
    HostileMode hostile = HostileMode::None;
    // Serve HTTPS with the test certificate from resources/tls.
    bool tls = false;
    // HTTP/2 over TLS: ALPN offers "h2" and "http/1.1" and the connection speaks h2 when the
    // client picks it (Go's client does unless its Transport has HTTP/2 off). Off: ALPN offers
    // "http/1.1" only. Applies to connections accepted after the change.
    bool http2 = false;
    // Cleartext HTTP/2 with prior knowledge (h2c): a plain connection whose first bytes are the
    // HTTP/2 client preface speaks h2, any other stays HTTP/1.1. No effect with tls.
    bool h2c = false;
    // SETTINGS_MAX_CONCURRENT_STREAMS the server announces (Go's server: 250, nginx: 128);
    // streams beyond it are refused. 0 = not announced (no limit).
    int h2MaxConcurrentStreams = 250;
    // GOAWAY after this many streams on one h2 connection (nginx keepalive_requests for h2):
    // streams up to the Nth are answered, the connection then closes. 0 = never.
    int h2GoAwayAfterStreams = 0;
    // Delay before the server's SETTINGS frame (its connection preface); the client's frames
    // wait unread until then. 0 = at once.
    std::chrono::nanoseconds h2SettingsDelay { 0 };
    // Seed of the server's random generator (closeProbability draws, latency jitter): the same
    // seed and request sequence give the same decisions. Read when the server starts.
    quint32 randomSeed = 1;

    bool operator==(const ServerConfig &) const = default;
};

// Counters of the embedded server, so tests can check both ends agree.
struct ServerStats
{
    std::uint64_t accepted = 0; // connections accepted
    std::uint64_t requests = 0; // requests answered with a (possibly delayed or dropped) 200
    std::uint64_t errors = 0; // requests rejected with 400/431/501/505 and a close
    std::uint64_t closedByServer = 0; // connections the server closed (idle timeout, limits, close)
    std::uint64_t closedByClient = 0; // connections the client closed
    std::uint64_t idleTimeouts = 0; // of closedByServer, for idleTimeout
    int open = 0; // connections open now
    int streams = 0; // HTTP/2 streams open now (requests read or being answered)
};

} // namespace poolscope
