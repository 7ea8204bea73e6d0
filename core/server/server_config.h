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
};

} // namespace poolscope
