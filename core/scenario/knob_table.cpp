#include "knob_table.h"

#include "http/request_writer.h"
#include "http/target.h"
#include "metrics/go_duration.h"

#include <QHostAddress>
#include <QJsonArray>
#include <QtGlobal>
#include <cmath>
#include <limits>

namespace poolscope {

namespace {

// The accessors of one field, by kind. Captureless lambdas become the table's
// function pointers.
#define PS_INT(field)                                                                              \
    [](const Settings &s) -> KnobValue { return static_cast<qint64>(s.field); },                   \
        [](Settings &s, const KnobValue &v) {                                                      \
            s.field = static_cast<decltype(s.field)>(std::get<qint64>(v));                         \
        }
#define PS_REAL(field)                                                                             \
    [](const Settings &s) -> KnobValue { return static_cast<double>(s.field); },                   \
        [](Settings &s, const KnobValue &v) {                                                      \
            s.field = std::get<double>(v);                                                         \
        }
#define PS_DURATION(field)                                                                         \
    [](const Settings &s) -> KnobValue { return Duration(s.field); },                              \
        [](Settings &s, const KnobValue &v) {                                                      \
            s.field = std::get<Duration>(v);                                                       \
        }
#define PS_BOOL(field)                                                                             \
    [](const Settings &s) -> KnobValue { return static_cast<bool>(s.field); },                     \
        [](Settings &s, const KnobValue &v) {                                                      \
            s.field = std::get<bool>(v);                                                           \
        }

constexpr double kIntMax = std::numeric_limits<int>::max();
// Durations are bounded by what a run can wait for: 24 days stays inside every
// millisecond timer (2^31 ms is 24.8 days) and is far beyond any real timeout.
constexpr double kMaxSeconds = 24.0 * 24 * 3600;
constexpr double kMiB = 1024.0 * 1024.0;

constexpr KnobChoice kTimerChoices[] = {
    { "go", QT_TRANSLATE_NOOP("Knob", "Go runtime") },
    { "precise", QT_TRANSLATE_NOOP("Knob", "precise") },
};
// The Go releases whose rules can be chosen where they differ (README, "Which Go").
constexpr KnobChoice kGoVersionChoices[] = {
    { "1.19", QT_TRANSLATE_NOOP("Knob", "Go 1.19 (the referee)") },
    { "1.23", QT_TRANSLATE_NOOP("Knob", "Go 1.23 rules") },
};
constexpr KnobChoice kArrivalChoices[] = {
    { "go", QT_TRANSLATE_NOOP("Knob", "Go workers (time.Sleep)") },
    { "poisson", QT_TRANSLATE_NOOP("Knob", "Poisson (outside traffic)") },
    { "exact", QT_TRANSLATE_NOOP("Knob", "exact slots") },
};
constexpr KnobChoice kBodyPolicyChoices[] = {
    { "read", QT_TRANSLATE_NOOP("Knob", "read to EOF") },
    { "close-early", QT_TRANSLATE_NOOP("Knob", "close early") },
    { "leak", QT_TRANSLATE_NOOP("Knob", "leak (never close)") },
};
// In hostile_mode.h's order; keys and labels as there (tests/tst_server_hostile.cpp checks).
constexpr KnobChoice kHostileChoices[] = {
    { "none", QT_TRANSLATE_NOOP("Knob", "none (well-behaved)") },
    { "garbage", QT_TRANSLATE_NOOP("Knob", "random bytes") },
    { "truncated-head", QT_TRANSLATE_NOOP("Knob", "truncated headers, then close") },
    { "truncated-body", QT_TRANSLATE_NOOP("Knob", "truncated body, then close") },
    { "length-longer", QT_TRANSLATE_NOOP("Knob", "Content-Length longer than the body") },
    { "length-shorter", QT_TRANSLATE_NOOP("Knob", "Content-Length shorter than the body") },
    { "bad-chunk-size", QT_TRANSLATE_NOOP("Knob", "bad chunk size") },
    { "huge-headers", QT_TRANSLATE_NOOP("Knob", "huge headers (10 MiB + 8 KiB)") },
    { "trickle-head", QT_TRANSLATE_NOOP("Knob", "trickled headers (1 byte / 10 ms)") },
    { "trickle-body", QT_TRANSLATE_NOOP("Knob", "trickled body (1 byte / 10 ms)") },
    { "reset", QT_TRANSLATE_NOOP("Knob", "RST instead of an answer") },
    { "reset-mid-body", QT_TRANSLATE_NOOP("Knob", "RST in the middle of the body") },
    { "never-answer", QT_TRANSLATE_NOOP("Knob", "never answer") },
    { "1xx-storm", QT_TRANSLATE_NOOP("Knob", "1xx storm (ten 103s)") },
    { "length-and-chunked",
        QT_TRANSLATE_NOOP("Knob", "Content-Length and Transfer-Encoding: chunked") },
    { "two-lengths", QT_TRANSLATE_NOOP("Knob", "two different Content-Lengths") },
};
// Suggestions for the method: any HTTP token is valid.
constexpr KnobChoice kMethodChoices[] = {
    { "GET", "GET" },
    { "HEAD", "HEAD" },
    { "POST", "POST" },
};

// The mixed share's method: the first suggestion, empty, is the run's method.
constexpr KnobChoice kMixMethodChoices[] = {
    { "", QT_TRANSLATE_NOOP("Knob", "same as the method") },
    { "GET", "GET" },
    { "HEAD", "HEAD" },
    { "POST", "POST" },
};

QString validateUrl(QStringView text)
{
    if (text.isEmpty()) {
        return {}; // the embedded server
    }
    QString error;
    if (!parseTarget(text.toString(), &error)) {
        return error;
    }
    return {};
}

QString validateMethod(QStringView text)
{
    if (text.isEmpty()) {
        return QStringLiteral("a method cannot be empty");
    }
    for (QChar c : text) {
        const char16_t u = c.unicode();
        const bool tchar = (u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z')
            || (u >= '0' && u <= '9') || QStringView(u"!#$%&'*+-.^_`|~").contains(c);
        if (!tchar) {
            return QStringLiteral("\"%1\" is not a valid HTTP method").arg(text);
        }
    }
    return {};
}

QString validateMixMethod(QStringView text)
{
    return text.isEmpty() ? QString() : validateMethod(text); // empty: the method's
}

QString validateHeaders(QStringView text)
{
    QString error;
    return parseHeaderLines(text, &error) ? QString() : error;
}

QString validateAddress(QStringView text)
{
    QHostAddress a;
    if (!a.setAddress(text.toString())) {
        return QStringLiteral("\"%1\" is not an IPv4 or IPv6 address").arg(text);
    }
    return {};
}

// clang-format off
const Knob kKnobs[] = {
    // ---- http.Transport ----
    { "MaxIdleConns", "http.Transport.MaxIdleConns", KnobGroup::Transport, KnobKind::Int,
        "max-idle-conns", "MaxIdleConns", "MaxIdleConns",
        QT_TRANSLATE_NOOP("Knob", "Idle connections kept across all hosts; beyond it the oldest idle one is closed (errTooManyIdle)."),
        QT_TRANSLATE_NOOP("Knob", "0 = no limit across hosts"), "",
        QT_TRANSLATE_NOOP("KnobUnit", "conns"), 0, kIntMax, 0, 1000, 0, {}, nullptr, false, true,
        PS_INT(transport.maxIdleConns) },
    { "MaxIdleConnsPerHost", "http.Transport.MaxIdleConnsPerHost", KnobGroup::Transport, KnobKind::Int,
        "max-idle-conns-per-host", "MaxIdleConnsPerHost", "MaxIdleConnsPerHost",
        QT_TRANSLATE_NOOP("Knob", "Idle connections kept per host. A connection returned when the host already has this many idle is closed (errTooManyIdleHost): the cause of the TIME_WAIT storm."),
        QT_TRANSLATE_NOOP("Knob", "0 means 2 (DefaultMaxIdleConnsPerHost)"),
        QT_TRANSLATE_NOOP("Knob", "negative: never keep a connection idle"),
        QT_TRANSLATE_NOOP("KnobUnit", "conns"), -kIntMax, kIntMax, -1, 100, 0, {}, nullptr, false, true,
        PS_INT(transport.maxIdleConnsPerHost) },
    { "MaxConnsPerHost", "http.Transport.MaxConnsPerHost", KnobGroup::Transport, KnobKind::Int,
        "max-conns-per-host", "MaxConnsPerHost", "MaxConnsPerHost",
        QT_TRANSLATE_NOOP("Knob", "Dialing + active + idle connections per host. Requests beyond it wait for a connection or a dial slot."),
        QT_TRANSLATE_NOOP("Knob", "0 = unlimited"), "",
        QT_TRANSLATE_NOOP("KnobUnit", "conns"), 0, kIntMax, 0, 200, 0, {}, nullptr, false, true,
        PS_INT(transport.maxConnsPerHost) },
    { "IdleConnTimeout", "http.Transport.IdleConnTimeout", KnobGroup::Transport, KnobKind::Duration,
        "idle-conn-timeout", "IdleConnTimeout", "IdleConnTimeout",
        QT_TRANSLATE_NOOP("Knob", "How long a connection may sit idle in the pool before it is closed."),
        QT_TRANSLATE_NOOP("Knob", "0 = idle connections never time out"), "",
        "s", 0, kMaxSeconds, 0, 600, 1, {}, nullptr, false, true,
        PS_DURATION(transport.idleConnTimeout) },
    { "DisableKeepAlives", "http.Transport.DisableKeepAlives", KnobGroup::Transport, KnobKind::Bool,
        "disable-keep-alives", "DisableKeepAlives", "DisableKeepAlives",
        QT_TRANSLATE_NOOP("Knob", "Send \"Connection: close\" and use every connection for one request."),
        "", "", "", 0, 1, 0, 1, 0, {}, nullptr, false, true,
        PS_BOOL(transport.disableKeepAlives) },
    { "ResponseHeaderTimeout", "http.Transport.ResponseHeaderTimeout", KnobGroup::Transport, KnobKind::Duration,
        "response-header-timeout", "ResponseHeaderTimeout", "ResponseHeaderTimeout",
        QT_TRANSLATE_NOOP("Knob", "Time from the request being written to the response headers."),
        QT_TRANSLATE_NOOP("Knob", "0 = no timeout"), "",
        "ms", 0, kMaxSeconds, 0, 60000, 0, {}, nullptr, false, true,
        PS_DURATION(transport.responseHeaderTimeout) },
    { "TLSHandshakeTimeout", "http.Transport.TLSHandshakeTimeout", KnobGroup::Transport, KnobKind::Duration,
        "tls-handshake-timeout", "TLSHandshakeTimeout", "TLSHandshakeTimeout",
        QT_TRANSLATE_NOOP("Knob", "Limit for the TLS handshake of a new connection."),
        QT_TRANSLATE_NOOP("Knob", "0 = no timeout"), "",
        "s", 0, kMaxSeconds, 0, 60, 1, {}, nullptr, false, true,
        PS_DURATION(transport.tlsHandshakeTimeout) },
    { "ExpectContinueTimeout", "http.Transport.ExpectContinueTimeout", KnobGroup::Transport, KnobKind::Duration,
        "expect-continue-timeout", "ExpectContinueTimeout", "ExpectContinueTimeout",
        QT_TRANSLATE_NOOP("Knob", "With \"Expect: 100-continue\", how long to wait for the server's go-ahead before sending the body."),
        QT_TRANSLATE_NOOP("Knob", "0 = send the body at once"), "",
        "s", 0, kMaxSeconds, 0, 10, 1, {}, nullptr, false, true,
        PS_DURATION(transport.expectContinueTimeout) },
    { "MaxResponseHeaderBytes", "http.Transport.MaxResponseHeaderBytes", KnobGroup::Transport, KnobKind::Int,
        "max-response-header-bytes", "MaxResponseHeaderBytes", "MaxResponseHeaderBytes",
        QT_TRANSLATE_NOOP("Knob", "Limit on the response status line and headers. A bigger head fails the request (\"server response headers exceeded N bytes; aborted\")."),
        QT_TRANSLATE_NOOP("Knob", "0 means 10 MiB (Go's client default)"), "",
        "B", 0, 1024 * kMiB, 0, 4 * kMiB, 0, {}, nullptr, false, true,
        PS_INT(transport.maxResponseHeaderBytes) },
    { "DisableCompression", "http.Transport.DisableCompression", KnobGroup::Transport, KnobKind::Bool,
        "disable-compression", "DisableCompression", "DisableCompression",
        QT_TRANSLATE_NOOP("Knob", "Off: ask for gzip (\"Accept-Encoding: gzip\") and decode gzip bodies transparently, as Go does. On: ask for nothing."),
        "", "", "", 0, 1, 0, 1, 0, {}, nullptr, false, true,
        PS_BOOL(transport.disableCompression) },
    // ---- HTTP/2 (onceSetNextProtoDefaults, h2_bundle.go) ----
    { "ForceAttemptHTTP2", "http.Transport.ForceAttemptHTTP2", KnobGroup::Transport, KnobKind::Bool,
        "force-attempt-http2", "ForceAttemptHTTP2", "ForceAttemptHTTP2",
        QT_TRANSLATE_NOOP("Knob", "Offer HTTP/2 by ALPN to HTTPS targets even with a custom dialer or TLS config, which otherwise turn it off in Go. DefaultTransport sets it; a zero Transport{} does not (but attempts HTTP/2 while it has no dialer or TLS config of its own). Cleartext http:// always speaks HTTP/1.1."),
        "", "", "", 0, 1, 0, 1, 0, {}, nullptr, false, true,
        PS_BOOL(transport.forceAttemptHttp2) },
    { "DisableHTTP2", "http.Transport.TLSNextProto", KnobGroup::Transport, KnobKind::Bool,
        "disable-http2", "TLSNextProto", "HTTP/2 off (TLSNextProto = {})",
        QT_TRANSLATE_NOOP("Knob", "Turn HTTP/2 off the way Go documents it: a non-nil, empty TLSNextProto map. HTTPS targets then speak HTTP/1.1, one request per connection at a time, with a TLS handshake per dial."),
        "", "", "", 0, 1, 0, 1, 0, {}, nullptr, false, true,
        PS_BOOL(transport.disableHttp2) },
    { "StrictMaxConcurrentStreams", "http2.Transport.StrictMaxConcurrentStreams", KnobGroup::Transport, KnobKind::Bool,
        "strict-max-concurrent-streams", "StrictMaxConcurrentStreams", "StrictMaxConcurrentStreams",
        QT_TRANSLATE_NOOP("Knob", "HTTP/2: when a connection has the server's SETTINGS_MAX_CONCURRENT_STREAMS streams open, wait for one to end instead of dialing another connection. In Go 1.19 a field of golang.org/x/net/http2.Transport, reachable only through http2.ConfigureTransports(t) (the Go snippet says so). HTTP/2 health pings (ReadIdleTimeout, PingTimeout) are not modelled."),
        "", "", "", 0, 1, 0, 1, 0, {}, nullptr, false, true,
        PS_BOOL(transport.strictMaxConcurrentStreams) },
    // ---- tls.Config ----
    { "InsecureSkipVerify", "http.Transport.TLSClientConfig.InsecureSkipVerify", KnobGroup::Tls, KnobKind::Bool,
        "insecure", "InsecureSkipVerify", "InsecureSkipVerify",
        QT_TRANSLATE_NOOP("Knob", "Accept any server certificate. Needed for the embedded server's HTTPS test certificate; never in production."),
        "", "", "", 0, 1, 0, 1, 0, {}, nullptr, false, true,
        PS_BOOL(transport.insecureSkipVerify) },
    // ---- net.Dialer ----
    { "Dialer.Timeout", "net.Dialer.Timeout", KnobGroup::Dialer, KnobKind::Duration,
        "dial-timeout", "Timeout", "Dialer.Timeout",
        QT_TRANSLATE_NOOP("Knob", "Limit for establishing a TCP connection."),
        QT_TRANSLATE_NOOP("Knob", "0 = no timeout (the OS limit applies)"), "",
        "s", 0, kMaxSeconds, 0, 120, 1, {}, nullptr, false, true,
        PS_DURATION(transport.dialTimeout) },
    { "Dialer.KeepAlive", "net.Dialer.KeepAlive", KnobGroup::Dialer, KnobKind::Duration,
        "keep-alive", "KeepAlive", "Dialer.KeepAlive",
        QT_TRANSLATE_NOOP("Knob", "TCP keep-alive period of new connections (idle time before the first probe)."),
        QT_TRANSLATE_NOOP("Knob", "0 means 15 s (Go's default)"),
        QT_TRANSLATE_NOOP("Knob", "negative: TCP keep-alive off"),
        "s", -kMaxSeconds, kMaxSeconds, -1, 7200, 0, {}, nullptr, false, true,
        PS_DURATION(transport.keepAlive) },
    // ---- net.KeepAliveConfig (Go 1.23+) ----
    { "KeepAliveConfig.Enable", "net.Dialer.KeepAliveConfig.Enable", KnobGroup::KeepAliveConfig, KnobKind::Bool,
        "keep-alive-enable", "Enable", "KeepAliveConfig.Enable",
        QT_TRANSLATE_NOOP("Knob", "Use Idle, Interval and Count below instead of Dialer.KeepAlive (Go 1.23+)."),
        "", "", "", 0, 1, 0, 1, 0, {}, nullptr, false, true,
        PS_BOOL(transport.keepAliveConfig.enable) },
    { "KeepAliveConfig.Idle", "net.Dialer.KeepAliveConfig.Idle", KnobGroup::KeepAliveConfig, KnobKind::Duration,
        "keep-alive-idle", "Idle", "KeepAliveConfig.Idle",
        QT_TRANSLATE_NOOP("Knob", "Idle time before the first keep-alive probe (TCP_KEEPIDLE)."),
        QT_TRANSLATE_NOOP("Knob", "0 means 15 s"), QT_TRANSLATE_NOOP("Knob", "negative: kernel default"),
        "s", -kMaxSeconds, kMaxSeconds, -1, 7200, 0, {}, nullptr, false, true,
        PS_DURATION(transport.keepAliveConfig.idle) },
    { "KeepAliveConfig.Interval", "net.Dialer.KeepAliveConfig.Interval", KnobGroup::KeepAliveConfig, KnobKind::Duration,
        "keep-alive-interval", "Interval", "KeepAliveConfig.Interval",
        QT_TRANSLATE_NOOP("Knob", "Time between unanswered probes (TCP_KEEPINTVL)."),
        QT_TRANSLATE_NOOP("Knob", "0 means 15 s"), QT_TRANSLATE_NOOP("Knob", "negative: kernel default"),
        "s", -kMaxSeconds, kMaxSeconds, -1, 600, 0, {}, nullptr, false, true,
        PS_DURATION(transport.keepAliveConfig.interval) },
    { "KeepAliveConfig.Count", "net.Dialer.KeepAliveConfig.Count", KnobGroup::KeepAliveConfig, KnobKind::Int,
        "keep-alive-count", "Count", "KeepAliveConfig.Count",
        QT_TRANSLATE_NOOP("Knob", "Unanswered probes before the kernel drops the connection (TCP_KEEPCNT)."),
        QT_TRANSLATE_NOOP("Knob", "0 means 9"), QT_TRANSLATE_NOOP("Knob", "negative: kernel default"),
        QT_TRANSLATE_NOOP("KnobUnit", "probes"), -kIntMax, kIntMax, -1, 30, 0, {}, nullptr, false, true,
        PS_INT(transport.keepAliveConfig.count) },
    // ---- http.Client ----
    { "Client.Timeout", "http.Client.Timeout", KnobGroup::Client, KnobKind::Duration,
        "timeout", "Timeout", "Client.Timeout",
        QT_TRANSLATE_NOOP("Knob", "Limit for a whole exchange: dial, headers and body."),
        QT_TRANSLATE_NOOP("Knob", "0 = no timeout"), "",
        "s", 0, kMaxSeconds, 0, 300, 1, {}, nullptr, false, true,
        PS_DURATION(transport.clientTimeout) },
    // ---- load ----
    { "load.url", "", KnobGroup::Load, KnobKind::TextList,
        "url", "url", QT_TRANSLATE_NOOP("Knob", "URL"),
        QT_TRANSLATE_NOOP("Knob", "Target URL (http:// or https://). Repeat --url for several hosts (several pool keys): worker i loads URL i mod n; a scenario file holds them as an array."),
        QT_TRANSLATE_NOOP("Knob", "empty = the embedded server"), "",
        "", 0, 0, 0, 0, 0, {}, validateUrl, false, false,
        [](const Settings &s) -> KnobValue { return s.load.targets().join(u'\n'); },
        [](Settings &s, const KnobValue &v) {
            s.load.setTargets(std::get<QString>(v).split(u'\n', Qt::SkipEmptyParts));
        } },
    { "load.workers", "", KnobGroup::Load, KnobKind::Int,
        "workers", "workers", QT_TRANSLATE_NOOP("Knob", "workers"),
        QT_TRANSLATE_NOOP("Knob", "Goroutines calling the target in a loop (closed loop)."),
        "", "", QT_TRANSLATE_NOOP("KnobUnit", "workers"), 1, 100000, 1, 200, 0, {}, nullptr, false, true,
        PS_INT(load.workers) },
    { "load.requestsPerWorker", "", KnobGroup::Load, KnobKind::Int,
        "requests", "requestsPerWorker", QT_TRANSLATE_NOOP("Knob", "requests per worker"),
        QT_TRANSLATE_NOOP("Knob", "Each worker stops after this many requests."),
        QT_TRANSLATE_NOOP("Knob", "0 = bounded by the run length only"), "",
        QT_TRANSLATE_NOOP("KnobUnit", "req"), 0, kIntMax, 0, 100000, 0, {}, nullptr, false, false,
        PS_INT(load.requestsPerWorker) },
    { "load.duration", "", KnobGroup::Load, KnobKind::Duration,
        "duration", "duration", QT_TRANSLATE_NOOP("Knob", "run length"),
        QT_TRANSLATE_NOOP("Knob", "The run stops by itself after this long."),
        QT_TRANSLATE_NOOP("Knob", "0 = bounded by requests per worker only"), "",
        "s", 0, kMaxSeconds, 1, 3600, 0, {}, nullptr, false, true,
        PS_DURATION(load.duration), "5m0s" },
    { "load.rate", "", KnobGroup::Load, KnobKind::Real,
        "rate", "rate", QT_TRANSLATE_NOOP("Knob", "rate"),
        QT_TRANSLATE_NOOP("Knob", "Requests per second over all workers."),
        QT_TRANSLATE_NOOP("Knob", "0 = closed loop, no rate limit"), "",
        "req/s", 0, 1e7, 0, 20000, 0, {}, nullptr, false, true,
        PS_REAL(load.rate) },
    { "load.think", "", KnobGroup::Load, KnobKind::Duration,
        "think", "think", QT_TRANSLATE_NOOP("Knob", "think time"),
        // Measured (tests/conformance, no-think rows): back-to-back callers churn in Go only
        // when a second P returns connections while a caller waits; one event loop is one P.
        QT_TRANSLATE_NOOP("Knob", "Each worker pauses this long after a response; its connection sits in the pool meanwhile. With no pause, PoolScope runs every caller on one thread, like a Go program with GOMAXPROCS=1; Go on several cores closes and dials more than that (tests/conformance, the no-think rows)."),
        QT_TRANSLATE_NOOP("Knob", "0 = back to back, no pause: fewer new connections than Go would dial on a machine with several cores"), "",
        "ms", 0, kMaxSeconds, 0, 5000, 1, {}, nullptr, false, true,
        PS_DURATION(load.think) },
    { "load.timers", "", KnobGroup::Load, KnobKind::Choice,
        "timers", "timers", QT_TRANSLATE_NOOP("Knob", "timers"),
        QT_TRANSLATE_NOOP("Knob", "How think time wakes a worker. Go runtime: like time.Sleep in a Go program, in whole milliseconds (a 1 ms think sleeps about 1-2 ms). Precise: to the nanosecond. Go-paced rate slots (arrivals go) wake the same way."),
        "", "", "", 0, 0, 0, 0, 0, kTimerChoices, nullptr, false, true,
        [](const Settings &s) -> KnobValue { return QString::fromLatin1(timerModelName(s.load.timers)); },
        [](Settings &s, const KnobValue &v) { parseTimerModel(std::get<QString>(v), &s.load.timers); } },
    { "load.goVersion", "", KnobGroup::Load, KnobKind::Choice,
        "go-version", "goVersion", QT_TRANSLATE_NOOP("Knob", "Go version"),
        QT_TRANSLATE_NOOP("Knob", "Which Go's net/http rules to model where releases differ (README, Which Go). 1.19, the referee: a dial runs under its request's context, so when another connection serves the request first and Client.Timeout's cancel ends that context, the dial in flight is aborted (closed as dial aborted, a TLS handshake dies). Dialer.KeepAlive sets both the idle time and the probe interval, the probe count is the kernel's. 1.23: the dial is detached from the request's cancellation (golang/go#59017) and completes into the pool; Dialer.KeepAlive sets the idle time only (interval 15 s, 9 probes, net.KeepAliveConfig)."),
        "", "", "", 0, 0, 0, 0, 0, kGoVersionChoices, nullptr, false, true,
        [](const Settings &s) -> KnobValue {
            return QString::fromLatin1(s.transport.goVersion == GoVersion::Go1_23 ? "1.23" : "1.19");
        },
        [](Settings &s, const KnobValue &v) {
            s.transport.goVersion
                = std::get<QString>(v) == u"1.23" ? GoVersion::Go1_23 : GoVersion::Go1_19;
        } },
    { "load.arrivals", "", KnobGroup::Load, KnobKind::Choice,
        "arrivals", "arrivals", QT_TRANSLATE_NOOP("Knob", "arrivals"),
        QT_TRANSLATE_NOOP("Knob", "How paced requests arrive when a rate is set (the rate is the mean in every model). go: like a Go program where each worker sleeps (time.Sleep) until its own next slot, one every workers/rate seconds from the start; the workers' slots coincide, so they wake and send together, and Go's millisecond timers bunch them further. poisson: traffic from outside, random gaps between requests (exponential, from the seed), the next free worker takes the next request. exact: evenly spaced slots over all workers, to the nanosecond, the least bursty arrival there is and the one that dials least at a high rate."),
        "", "", "", 0, 0, 0, 0, 0, kArrivalChoices, nullptr, false, true,
        [](const Settings &s) -> KnobValue { return QString::fromLatin1(arrivalModelName(s.load.arrivals)); },
        [](Settings &s, const KnobValue &v) { parseArrivalModel(std::get<QString>(v), &s.load.arrivals); } },
    { "load.seed", "", KnobGroup::Load, KnobKind::Int,
        "seed", "seed", QT_TRANSLATE_NOOP("Knob", "load seed"),
        QT_TRANSLATE_NOOP("Knob", "Seed of the load's random draws (the gaps of Poisson arrivals): the same seed and rate give the same arrival times."),
        "", "", "", 0, 4294967295.0, 0, 4294967295.0, 0, {}, nullptr, true, false,
        PS_INT(load.seed) },
    { "load.gomaxprocs", "", KnobGroup::Load, KnobKind::Int,
        "gomaxprocs", "gomaxprocs", QT_TRANSLATE_NOOP("Knob", "GOMAXPROCS"),
        QT_TRANSLATE_NOOP("Knob", "Engine threads, like Go's GOMAXPROCS: callers and connections spread over them, one pool shared under a lock. 1 is one event loop, like a Go program with GOMAXPROCS=1; Go's default is the number of CPUs. Experimental above 1: measured against Go in tests/conformance/gomaxprocs.md, it does not yet reproduce Go's churn with no think time. Applies at the next start. HTTPS targets with HTTP/2 attempted run on one loop (the HTTP/2 code is single-threaded)."),
        "", "", QT_TRANSLATE_NOOP("KnobUnit", "threads"), 1, 256, 1, 16, 0, {}, nullptr, true, true,
        PS_INT(load.gomaxprocs) },
    { "load.method", "", KnobGroup::Load, KnobKind::Text,
        "method", "method", QT_TRANSLATE_NOOP("Knob", "method"),
        QT_TRANSLATE_NOOP("Knob", "HTTP method. GET and HEAD are retried on a stale connection; POST is not."),
        "", "", "", 0, 0, 0, 0, 0, kMethodChoices, validateMethod, false, true,
        [](const Settings &s) -> KnobValue { return QString::fromLatin1(s.load.method); },
        [](Settings &s, const KnobValue &v) { s.load.method = std::get<QString>(v).toLatin1(); } },
    { "load.requestBodySize", "", KnobGroup::Load, KnobKind::Int,
        "body-size", "requestBodySize", QT_TRANSLATE_NOOP("Knob", "request body size"),
        QT_TRANSLATE_NOOP("Knob", "Bytes in each request body."),
        QT_TRANSLATE_NOOP("Knob", "0 = no body"), "",
        "B", 0, 64 * kMiB, 0, 64 * kMiB, 0, {}, nullptr, false, true,
        PS_INT(load.requestBodySize) },
    { "load.expectContinue", "", KnobGroup::Load, KnobKind::Bool,
        "expect-continue", "expectContinue", QT_TRANSLATE_NOOP("Knob", "Expect: 100-continue"),
        QT_TRANSLATE_NOOP("Knob", "Send \"Expect: 100-continue\" with request bodies (ExpectContinueTimeout applies)."),
        "", "", "", 0, 1, 0, 1, 0, {}, nullptr, false, true,
        PS_BOOL(load.expectContinue) },
    { "load.headers", "", KnobGroup::Load, KnobKind::TextList,
        "header", "headers", QT_TRANSLATE_NOOP("Knob", "headers"),
        QT_TRANSLATE_NOOP("Knob", "Header fields sent with every request, \"Name: value\" (repeat --header for more; one per line in a scenario file). An Idempotency-Key or X-Idempotency-Key makes a POST replayable: Go retries it when a reused connection fails."),
        QT_TRANSLATE_NOOP("Knob", "empty = none"), "",
        "", 0, 0, 0, 0, 0, {}, validateHeaders, false, false,
        [](const Settings &s) -> KnobValue { return s.load.headers.join(u'\n'); },
        [](Settings &s, const KnobValue &v) {
            s.load.headers = std::get<QString>(v).split(u'\n', Qt::SkipEmptyParts);
        } },
    { "load.bodyPolicy", "", KnobGroup::Load, KnobKind::Choice,
        "body-policy", "bodyPolicy", QT_TRANSLATE_NOOP("Knob", "body policy"),
        QT_TRANSLATE_NOOP("Knob", "read: io.ReadAll then Close (reusable). close-early: Close without reading, Go closes the connection. leak: never Close, the connection stays busy for good."),
        "", "", "", 0, 0, 0, 0, 0, kBodyPolicyChoices, nullptr, false, true,
        [](const Settings &s) -> KnobValue { return QString::fromLatin1(bodyPolicyName(s.load.bodyPolicy)); },
        [](Settings &s, const KnobValue &v) { parseBodyPolicy(std::get<QString>(v), &s.load.bodyPolicy); } },
    { "load.mixShare", "", KnobGroup::Load, KnobKind::Real,
        "mix-share", "mixShare", QT_TRANSLATE_NOOP("Knob", "mixed callers"),
        QT_TRANSLATE_NOOP("Knob", "Share of the workers that treat their response bodies by the mixed body policy instead of the body policy, spread evenly over the workers (\"some callers forget to close the body\": 0.1 with mixed body policy leak)."),
        QT_TRANSLATE_NOOP("Knob", "0 = every worker follows the body policy"), "",
        "%", 0, 1, 0, 100, 0, {}, nullptr, false, true,
        PS_REAL(load.mixShare) },
    { "load.mixBodyPolicy", "", KnobGroup::Load, KnobKind::Choice,
        "mix-body-policy", "mixBodyPolicy", QT_TRANSLATE_NOOP("Knob", "mixed body policy"),
        QT_TRANSLATE_NOOP("Knob", "What the mixed share of the workers does with each response body (read, close-early or leak, as the body policy)."),
        "", "", "", 0, 0, 0, 0, 0, kBodyPolicyChoices, nullptr, false, true,
        [](const Settings &s) -> KnobValue { return QString::fromLatin1(bodyPolicyName(s.load.mixBodyPolicy)); },
        [](Settings &s, const KnobValue &v) { parseBodyPolicy(std::get<QString>(v), &s.load.mixBodyPolicy); } },
    { "load.mixMethod", "", KnobGroup::Load, KnobKind::Text,
        "mix-method", "mixMethod", QT_TRANSLATE_NOOP("Knob", "mixed method"),
        QT_TRANSLATE_NOOP("Knob", "HTTP method of the mixed share of the workers, with its own retry rule: GET and HEAD are retried when a reused connection fails, POST only with an Idempotency-Key header. A GET or HEAD share in a run of another method sends no request body; any other method sends the request body. A worker of the share also follows the mixed body policy (leak unless set: use read for a share that differs by its method alone)."),
        QT_TRANSLATE_NOOP("Knob", "empty = the same as the method"), "",
        "", 0, 0, 0, 0, 0, kMixMethodChoices, validateMixMethod, false, true,
        [](const Settings &s) -> KnobValue { return QString::fromLatin1(s.load.mixMethod); },
        [](Settings &s, const KnobValue &v) { s.load.mixMethod = std::get<QString>(v).toLatin1(); } },
    { "load.linger", "", KnobGroup::Load, KnobKind::Duration,
        "linger", "linger", QT_TRANSLATE_NOOP("Knob", "linger"),
        QT_TRANSLATE_NOOP("Knob", "Keep the pool alive this long after the load, then take the final snapshot."),
        QT_TRANSLATE_NOOP("Knob", "0 = snapshot at once"), "",
        "s", 0, kMaxSeconds, 0, 600, 0, {}, nullptr, false, false,
        PS_DURATION(load.linger) },
    { "load.stopWhenFailing", "", KnobGroup::Load, KnobKind::Duration,
        "stop-when-failing", "stopWhenFailing", QT_TRANSLATE_NOOP("Knob", "stop when failing"),
        QT_TRANSLATE_NOOP("Knob", "Stop the run when every request has failed for this long (a refused port, a rejected certificate): no request succeeded since the first failure that long ago."),
        QT_TRANSLATE_NOOP("Knob", "0 = never stop for failures"), "",
        "s", 0, kMaxSeconds, 0, 600, 0, {}, nullptr, false, true,
        PS_DURATION(load.stopWhenFailing) },
    // ---- embedded server ----
    { "server.listenAddress", "", KnobGroup::Server, KnobKind::Text,
        "listen", "listenAddress", QT_TRANSLATE_NOOP("Knob", "listen address"),
        QT_TRANSLATE_NOOP("Knob", "Address the embedded server listens on: 127.0.0.1 unless you pass another with --listen (0.0.0.0 or :: opens it to other machines). A scenario file can only name a loopback address."),
        "", "", "", 0, 0, 0, 0, 0, {}, validateAddress, true, false,
        [](const Settings &s) -> KnobValue { return s.server.listenAddress.toString(); },
        [](Settings &s, const KnobValue &v) { s.server.listenAddress.setAddress(std::get<QString>(v)); } },
    { "server.port", "", KnobGroup::Server, KnobKind::Int,
        "server-port", "port", QT_TRANSLATE_NOOP("Knob", "port"),
        QT_TRANSLATE_NOOP("Knob", "Port the embedded server listens on."),
        QT_TRANSLATE_NOOP("Knob", "0 = a free port"), "",
        "", 0, 65535, 0, 65535, 0, {}, nullptr, true, false,
        PS_INT(server.port) },
    { "server.latency", "", KnobGroup::Server, KnobKind::Duration,
        "server-latency", "latency", QT_TRANSLATE_NOOP("Knob", "server latency"),
        QT_TRANSLATE_NOOP("Knob", "Time the server takes to answer each request."),
        "", "", "ms", 0, kMaxSeconds, 0, 2000, 1, {}, nullptr, false, true,
        PS_DURATION(server.latency) },
    { "server.jitter", "", KnobGroup::Server, KnobKind::Duration,
        "server-jitter", "jitter", QT_TRANSLATE_NOOP("Knob", "server jitter"),
        QT_TRANSLATE_NOOP("Knob", "Latency varies uniformly by ± this much."),
        "", "", "ms", 0, kMaxSeconds, 0, 1000, 1, {}, nullptr, false, true,
        PS_DURATION(server.jitter) },
    { "server.headerDelay", "", KnobGroup::Server, KnobKind::Duration,
        "server-header-delay", "headerDelay", QT_TRANSLATE_NOOP("Knob", "header delay"),
        QT_TRANSLATE_NOOP("Knob", "Time before the status line and headers go out (try it with ResponseHeaderTimeout)."),
        QT_TRANSLATE_NOOP("Knob", "0 = the head goes out with the body"), "",
        "ms", 0, kMaxSeconds, 0, 60000, 0, {}, nullptr, false, true,
        PS_DURATION(server.headerDelay) },
    { "server.bodySize", "", KnobGroup::Server, KnobKind::Int,
        "server-body-size", "bodySize", QT_TRANSLATE_NOOP("Knob", "body size"),
        QT_TRANSLATE_NOOP("Knob", "Bytes in each response body."),
        "", "", "B", 0, 10 * kMiB, 0, 10 * kMiB, 0, {}, nullptr, false, true,
        PS_INT(server.bodySize) },
    { "server.status", "", KnobGroup::Server, KnobKind::Int,
        "server-status", "status", QT_TRANSLATE_NOOP("Knob", "status code"),
        QT_TRANSLATE_NOOP("Knob", "Status code of every response. 204 and 304 have no body: Go hands their connection back before Do returns, so even a leaked body costs nothing."),
        "", "", "", 200, 599, 200, 599, 0, {}, nullptr, false, true,
        PS_INT(server.status) },
    { "server.redirects", "", KnobGroup::Server, KnobKind::Int,
        "server-redirects", "redirects", QT_TRANSLATE_NOOP("Knob", "redirects"),
        QT_TRANSLATE_NOOP("Knob", "Redirect every request this many times (Location: /redirect/1, /redirect/2, ...) before answering it. Go's http.Client follows each hop as a new pool request and gives up after 10 (\"stopped after 10 redirects\")."),
        QT_TRANSLATE_NOOP("Knob", "0 = no redirects"), "",
        QT_TRANSLATE_NOOP("KnobUnit", "hops"), 0, 1000, 0, 20, 0, {}, nullptr, false, true,
        PS_INT(server.redirects) },
    { "server.redirectStatus", "", KnobGroup::Server, KnobKind::Int,
        "server-redirect-status", "redirectStatus", QT_TRANSLATE_NOOP("Knob", "redirect status"),
        QT_TRANSLATE_NOOP("Knob", "Status of the redirects. 301, 302 and 303: the client follows with a GET without body; 307 and 308: with the same method and body; other 3xx are not followed."),
        "", "", "", 300, 399, 300, 399, 0, {}, nullptr, false, true,
        PS_INT(server.redirectStatus) },
    { "server.chunked", "", KnobGroup::Server, KnobKind::Bool,
        "server-chunked", "chunked", QT_TRANSLATE_NOOP("Knob", "chunked"),
        QT_TRANSLATE_NOOP("Knob", "Send the body with Transfer-Encoding: chunked instead of Content-Length."),
        "", "", "", 0, 1, 0, 1, 0, {}, nullptr, false, true,
        PS_BOOL(server.chunked) },
    { "server.idleTimeout", "", KnobGroup::Server, KnobKind::Duration,
        "server-idle-timeout", "idleTimeout", QT_TRANSLATE_NOOP("Knob", "server idle timeout"),
        QT_TRANSLATE_NOOP("Knob", "The server closes a connection idle this long (nginx keepalive_timeout). Shorter than the client's IdleConnTimeout means stale pooled connections."),
        QT_TRANSLATE_NOOP("Knob", "0 = the server never closes idle connections"), "",
        "ms", 0, kMaxSeconds, 0, 120000, 0, {}, nullptr, false, true,
        PS_DURATION(server.idleTimeout) },
    { "server.maxRequestsPerConn", "", KnobGroup::Server, KnobKind::Int,
        "server-max-requests-per-conn", "maxRequestsPerConn", QT_TRANSLATE_NOOP("Knob", "max requests per connection"),
        QT_TRANSLATE_NOOP("Knob", "The server closes a connection after this many requests, saying \"Connection: close\" on the last (nginx keepalive_requests)."),
        QT_TRANSLATE_NOOP("Knob", "0 = unlimited"), "",
        QT_TRANSLATE_NOOP("KnobUnit", "req"), 0, kIntMax, 0, 1000, 0, {}, nullptr, false, true,
        PS_INT(server.maxRequestsPerConn) },
    { "server.closeProbability", "", KnobGroup::Server, KnobKind::Real,
        "server-close-probability", "closeProbability", QT_TRANSLATE_NOOP("Knob", "close probability"),
        QT_TRANSLATE_NOOP("Knob", "Share of responses that say \"Connection: close\" and close."),
        "", "", "%", 0, 1, 0, 100, 0, {}, nullptr, false, true,
        PS_REAL(server.closeProbability) },
    { "server.http10", "", KnobGroup::Server, KnobKind::Bool,
        "server-http10", "http10", QT_TRANSLATE_NOOP("Knob", "HTTP/1.0"),
        QT_TRANSLATE_NOOP("Knob", "HTTP/1.0 responses without keep-alive: the client cannot reuse the connection."),
        "", "", "", 0, 1, 0, 1, 0, {}, nullptr, false, true,
        PS_BOOL(server.http10) },
    { "server.dropAfterBytes", "", KnobGroup::Server, KnobKind::Int,
        "server-drop-after-bytes", "dropAfterBytes", QT_TRANSLATE_NOOP("Knob", "drop after bytes"),
        QT_TRANSLATE_NOOP("Knob", "Close the connection after writing this many bytes of a response."),
        QT_TRANSLATE_NOOP("Knob", "0 = off"), "",
        "B", 0, kIntMax, 0, 65536, 0, {}, nullptr, false, true,
        PS_INT(server.dropAfterBytes) },
    { "server.malformed", "", KnobGroup::Server, KnobKind::Bool,
        "server-malformed", "malformed", QT_TRANSLATE_NOOP("Knob", "malformed"),
        QT_TRANSLATE_NOOP("Knob", "Answer with a malformed status line (a protocol error on the client)."),
        "", "", "", 0, 1, 0, 1, 0, {}, nullptr, false, true,
        PS_BOOL(server.malformed) },
    { "server.hostile", "", KnobGroup::Server, KnobKind::Choice,
        "server-hostile", "hostile", QT_TRANSLATE_NOOP("Knob", "hostile response"),
        QT_TRANSLATE_NOOP("Knob", "Misbehave on every request, to watch what the client makes of it: random bytes, truncated headers or body, a Content-Length longer or shorter than the body, a bad chunk size, 10 MiB of headers, trickled headers or body, an RST before the answer or mid-body, no answer at all, a 1xx storm, Content-Length with chunked, two Content-Lengths. Each ends the request with the error Go 1.19 gives (set a Client.Timeout for the modes that hang)."),
        "", "", "", 0, 0, 0, 0, 0, kHostileChoices, nullptr, false, true,
        [](const Settings &s) -> KnobValue { return QString::fromLatin1(hostileModeKey(s.server.hostile)); },
        [](Settings &s, const KnobValue &v) { parseHostileMode(std::get<QString>(v), &s.server.hostile); } },
    { "server.tls", "", KnobGroup::Server, KnobKind::Bool,
        "server-tls", "tls", QT_TRANSLATE_NOOP("Knob", "TLS"),
        QT_TRANSLATE_NOOP("Knob", "Serve HTTPS with the test certificate (applies at the next Start; the client needs InsecureSkipVerify for the test certificate)."),
        "", "", "", 0, 1, 0, 1, 0, {}, nullptr, true, true,
        PS_BOOL(server.tls) },
    { "server.http2", "", KnobGroup::Server, KnobKind::Bool,
        "server-http2", "http2", QT_TRANSLATE_NOOP("Knob", "HTTP/2"),
        QT_TRANSLATE_NOOP("Knob", "With TLS, offer h2 by ALPN: a client that picks it (Go's does unless HTTP/2 is off) multiplexes its requests as streams on one connection. Off: HTTP/1.1 only. Applies to new connections."),
        "", "", "", 0, 1, 0, 1, 0, {}, nullptr, false, true,
        PS_BOOL(server.http2) },
    { "server.h2c", "", KnobGroup::Server, KnobKind::Bool,
        "server-h2c", "h2c", QT_TRANSLATE_NOOP("Knob", "h2c prior knowledge"),
        QT_TRANSLATE_NOOP("Knob", "Without TLS, speak HTTP/2 on a connection that opens with the HTTP/2 preface (h2c with prior knowledge); other connections stay HTTP/1.1. Go's client never does this on its own."),
        "", "", "", 0, 1, 0, 1, 0, {}, nullptr, false, true,
        PS_BOOL(server.h2c) },
    { "server.h2MaxConcurrentStreams", "", KnobGroup::Server, KnobKind::Int,
        "server-h2-max-streams", "h2MaxConcurrentStreams", QT_TRANSLATE_NOOP("Knob", "h2 max concurrent streams"),
        QT_TRANSLATE_NOOP("Knob", "SETTINGS_MAX_CONCURRENT_STREAMS the server announces (Go's server 250, nginx 128). A client at the limit dials another connection (Go's default) or waits (StrictMaxConcurrentStreams)."),
        QT_TRANSLATE_NOOP("Knob", "0 = not announced (no limit)"), "",
        QT_TRANSLATE_NOOP("KnobUnit", "streams"), 0, kIntMax, 0, 500, 0, {}, nullptr, false, true,
        PS_INT(server.h2MaxConcurrentStreams) },
    { "server.h2GoAwayAfterStreams", "", KnobGroup::Server, KnobKind::Int,
        "server-h2-goaway-after", "h2GoAwayAfterStreams", QT_TRANSLATE_NOOP("Knob", "h2 GOAWAY after streams"),
        QT_TRANSLATE_NOOP("Knob", "The server sends GOAWAY after this many streams on one HTTP/2 connection, answers them and closes it (nginx keepalive_requests for h2); the client moves to a new connection."),
        QT_TRANSLATE_NOOP("Knob", "0 = never"), "",
        QT_TRANSLATE_NOOP("KnobUnit", "streams"), 0, kIntMax, 0, 1000, 0, {}, nullptr, false, true,
        PS_INT(server.h2GoAwayAfterStreams) },
    { "server.h2SettingsDelay", "", KnobGroup::Server, KnobKind::Duration,
        "server-h2-settings-delay", "h2SettingsDelay", QT_TRANSLATE_NOOP("Knob", "h2 SETTINGS delay"),
        QT_TRANSLATE_NOOP("Knob", "Time before the server sends its SETTINGS on a new HTTP/2 connection; the client's requests wait unanswered until then."),
        QT_TRANSLATE_NOOP("Knob", "0 = at once"), "",
        "ms", 0, kMaxSeconds, 0, 5000, 0, {}, nullptr, false, true,
        PS_DURATION(server.h2SettingsDelay) },
    { "server.randomSeed", "", KnobGroup::Server, KnobKind::Int,
        "server-seed", "randomSeed", QT_TRANSLATE_NOOP("Knob", "random seed"),
        QT_TRANSLATE_NOOP("Knob", "Seed of the server's random draws (close probability, jitter): the same seed and requests give the same decisions."),
        "", "", "", 0, 4294967295.0, 0, 4294967295.0, 0, {}, nullptr, true, false,
        PS_INT(server.randomSeed) },
};
// clang-format on

#undef PS_INT
#undef PS_REAL
#undef PS_DURATION
#undef PS_BOOL

double seconds(Duration d)
{
    return std::chrono::duration<double>(d).count();
}

QString formatNumber(double v)
{
    return QString::number(v, 'g', 12);
}

QString rangeError(const Knob &k, const QString &value)
{
    return QStringLiteral("%1 is out of range %2").arg(value, knobRangeText(k));
}

int choiceIndex(const Knob &k, QStringView key)
{
    for (std::size_t i = 0; i < k.choices.size(); ++i) {
        if (key == QLatin1String(k.choices[i].key)) {
            return static_cast<int>(i);
        }
    }
    return -1;
}

QString choiceList(const Knob &k)
{
    QStringList keys;
    for (const KnobChoice &c : k.choices) {
        keys << QStringLiteral("\"%1\"").arg(QLatin1String(c.key));
    }
    return keys.join(u", ");
}

} // namespace

double Knob::displayScale() const
{
    if (kind == KnobKind::Duration) {
        return qstrcmp(unit, "ms") == 0 ? 1000.0 : 1.0;
    }
    return qstrcmp(unit, "%") == 0 ? 100.0 : 1.0;
}

std::span<const Knob> knobTable()
{
    return kKnobs;
}

const Knob *findKnob(QAnyStringView key)
{
    for (const Knob &k : kKnobs) {
        if (key == QLatin1String(k.key)) {
            return &k;
        }
    }
    return nullptr;
}

const Knob *findKnobByFlag(QAnyStringView flag)
{
    for (const Knob &k : kKnobs) {
        if (flag == QLatin1String(k.flag)) {
            return &k;
        }
    }
    return nullptr;
}

const char *knobSection(KnobGroup group)
{
    switch (group) {
    case KnobGroup::Transport:
    case KnobGroup::Tls:
        return "transport";
    case KnobGroup::Dialer:
    case KnobGroup::KeepAliveConfig:
        return "dialer";
    case KnobGroup::Client:
        return "client";
    case KnobGroup::Load:
        return "load";
    case KnobGroup::Server:
        return "server";
    }
    return "";
}

QString knobJsonPath(const Knob &knob)
{
    QString path = QLatin1String(knobSection(knob.group)) + u'.';
    if (knob.group == KnobGroup::KeepAliveConfig) {
        path += QStringLiteral("KeepAliveConfig.");
    }
    return path + QLatin1String(knob.jsonKey);
}

QString knobGroupTitle(KnobGroup group)
{
    const auto title = [](const char *text) {
        return QString::fromUtf8(text);
    };
    switch (group) {
    case KnobGroup::Transport:
        return title(QT_TRANSLATE_NOOP("Knob", "Transport (http.Transport)"));
    case KnobGroup::Tls:
        return title(QT_TRANSLATE_NOOP("Knob", "TLS (tls.Config)"));
    case KnobGroup::Dialer:
        return title(QT_TRANSLATE_NOOP("Knob", "Dialer (net.Dialer)"));
    case KnobGroup::KeepAliveConfig:
        return title(QT_TRANSLATE_NOOP("Knob", "Keep-alive (net.KeepAliveConfig, Go 1.23+)"));
    case KnobGroup::Client:
        return title(QT_TRANSLATE_NOOP("Knob", "Client (http.Client)"));
    case KnobGroup::Load:
        return title(QT_TRANSLATE_NOOP("Knob", "Load"));
    case KnobGroup::Server:
        return title(QT_TRANSLATE_NOOP("Knob", "Embedded server"));
    }
    return {};
}

KnobValue knobGoDefault(const Knob &knob)
{
    return knob.get(Settings {});
}

KnobValue knobZeroDefault(const Knob &knob)
{
    Settings zero;
    zero.transport = TransportConfig::zero();
    return knob.get(zero);
}

KnobValue knobPanelDefault(const Knob &knob)
{
    KnobValue v;
    if (knob.panelDefault[0] != '\0'
        && parseKnobText(knob, QString::fromLatin1(knob.panelDefault), &v, nullptr)) {
        return v;
    }
    return knobGoDefault(knob);
}

QString knobZeroAlias(const Knob &knob)
{
    const QLatin1String zero(knob.zeroMeans);
    const QLatin1String prefix("0 means ");
    if (!zero.startsWith(prefix)) {
        return {};
    }
    const QLatin1String rest = zero.sliced(prefix.size());
    const qsizetype paren = rest.indexOf(QLatin1String(" ("));
    return paren < 0 ? QString(rest) : QString(rest.first(paren));
}

QString knobRangeText(const Knob &k)
{
    if (k.kind == KnobKind::Duration) {
        const auto toDur = [](double s) {
            return formatGoDuration(std::chrono::round<Duration>(std::chrono::duration<double>(s)));
        };
        return QStringLiteral("[%1, %2]").arg(toDur(k.min), toDur(k.max));
    }
    return QStringLiteral("[%1, %2]").arg(formatNumber(k.min), formatNumber(k.max));
}

QString checkKnobValue(const Knob &k, const KnobValue &value)
{
    switch (k.kind) {
    case KnobKind::Int: {
        const auto *v = std::get_if<qint64>(&value);
        if (!v) {
            return QStringLiteral("expected an integer");
        }
        if (double(*v) < k.min || double(*v) > k.max) {
            return rangeError(k, QString::number(*v));
        }
        return {};
    }
    case KnobKind::Real: {
        const auto *v = std::get_if<double>(&value);
        if (!v) {
            return QStringLiteral("expected a number");
        }
        if (!std::isfinite(*v)) {
            return QStringLiteral("%1 is not a finite number").arg(*v);
        }
        if (*v < k.min || *v > k.max) {
            return rangeError(k, formatNumber(*v));
        }
        return {};
    }
    case KnobKind::Duration: {
        const auto *v = std::get_if<Duration>(&value);
        if (!v) {
            return QStringLiteral("expected a duration");
        }
        if (seconds(*v) < k.min || seconds(*v) > k.max) {
            if (*v < Duration::zero() && k.min >= 0) {
                return QStringLiteral("%1 is negative; want 0 or more").arg(formatGoDuration(*v));
            }
            return rangeError(k, formatGoDuration(*v));
        }
        return {};
    }
    case KnobKind::Bool:
        return std::holds_alternative<bool>(value) ? QString() : QStringLiteral("expected a bool");
    case KnobKind::Choice: {
        const auto *v = std::get_if<QString>(&value);
        if (!v || choiceIndex(k, *v) < 0) {
            return QStringLiteral("\"%1\" is not one of %2").arg(v ? *v : QString(), choiceList(k));
        }
        return {};
    }
    case KnobKind::Text: {
        const auto *v = std::get_if<QString>(&value);
        if (!v) {
            return QStringLiteral("expected a string");
        }
        return k.validate ? k.validate(*v) : QString();
    }
    case KnobKind::TextList: {
        const auto *v = std::get_if<QString>(&value);
        if (!v) {
            return QStringLiteral("expected a string");
        }
        const QStringList items = v->split(u'\n');
        for (const QString &item : items) {
            const QString why = k.validate ? k.validate(item) : QString();
            if (!why.isEmpty()) {
                return items.size() > 1 ? item + QStringLiteral(": ") + why : why;
            }
        }
        return {};
    }
    }
    return {};
}

bool parseKnobText(const Knob &k, QStringView text, KnobValue *out, QString *why)
{
    KnobValue v;
    QString error;
    switch (k.kind) {
    case KnobKind::Int: {
        bool ok = false;
        const qint64 n = text.toLongLong(&ok);
        if (!ok) {
            error = QStringLiteral("\"%1\" is not an integer").arg(text);
        }
        v = n;
        break;
    }
    case KnobKind::Real: {
        bool ok = false;
        const double n = text.toDouble(&ok);
        if (!ok) {
            error = QStringLiteral("\"%1\" is not a number").arg(text);
        }
        v = n;
        break;
    }
    case KnobKind::Duration: {
        const auto d = parseGoDuration(text, &error);
        v = d.value_or(Duration::zero());
        break;
    }
    case KnobKind::Bool:
        if (text == u"true" || text == u"on" || text == u"1") {
            v = true;
        } else if (text == u"false" || text == u"off" || text == u"0") {
            v = false;
        } else {
            error = QStringLiteral("\"%1\" is not true or false").arg(text);
        }
        break;
    case KnobKind::Choice:
    case KnobKind::Text:
    case KnobKind::TextList:
        v = text.toString();
        break;
    }
    if (error.isEmpty()) {
        error = checkKnobValue(k, v);
    }
    if (!error.isEmpty()) {
        if (why) {
            *why = error;
        }
        return false;
    }
    *out = std::move(v);
    return true;
}

QString knobText(const Knob &k, const KnobValue &value)
{
    switch (k.kind) {
    case KnobKind::Int:
        return QString::number(std::get<qint64>(value));
    case KnobKind::Real:
        return formatNumber(std::get<double>(value));
    case KnobKind::Duration:
        return formatGoDuration(std::get<Duration>(value));
    case KnobKind::Bool:
        return std::get<bool>(value) ? QStringLiteral("true") : QStringLiteral("false");
    case KnobKind::Choice:
    case KnobKind::Text:
    case KnobKind::TextList:
        return std::get<QString>(value);
    }
    return {};
}

namespace {

// A TextList in a scenario file: one string, or an array of strings (one an item).
bool listFromJson(const QJsonValue &json, KnobValue *out, QString *why)
{
    if (json.isString()) {
        *out = json.toString();
        return true;
    }
    if (!json.isArray()) {
        *why = QStringLiteral("expected a string or an array of strings");
        return false;
    }
    QStringList items;
    for (const QJsonValue &item : json.toArray()) {
        if (!item.isString() || item.toString().isEmpty() || item.toString().contains(u'\n')) {
            *why = QStringLiteral("expected an array of non-empty one-line strings");
            return false;
        }
        items << item.toString();
    }
    *out = items.join(u'\n');
    return true;
}

} // namespace

bool knobFromJson(const Knob &k, const QJsonValue &json, KnobValue *out, QString *why)
{
    const auto fail = [why](const QString &message) {
        if (why) {
            *why = message;
        }
        return false;
    };
    KnobValue v;
    switch (k.kind) {
    case KnobKind::Int: {
        const double d = json.toDouble();
        if (!json.isDouble() || std::floor(d) != d) {
            return fail(QStringLiteral("expected an integer"));
        }
        if (d < k.min || d > k.max) {
            return fail(rangeError(k, formatNumber(d)));
        }
        v = static_cast<qint64>(d);
        break;
    }
    case KnobKind::Real:
        if (!json.isDouble()) {
            return fail(QStringLiteral("expected a number"));
        }
        v = json.toDouble();
        break;
    case KnobKind::Duration: {
        if (!json.isString()) {
            return fail(QStringLiteral("expected a Go duration string such as \"90s\""));
        }
        QString error;
        const auto d = parseGoDuration(json.toString(), &error);
        if (!d) {
            return fail(error);
        }
        v = *d;
        break;
    }
    case KnobKind::Bool:
        if (!json.isBool()) {
            return fail(QStringLiteral("expected true or false"));
        }
        v = json.toBool();
        break;
    case KnobKind::Choice:
    case KnobKind::Text:
        if (!json.isString()) {
            return fail(QStringLiteral("expected a string"));
        }
        v = json.toString();
        break;
    case KnobKind::TextList: {
        QString error;
        if (!listFromJson(json, &v, &error)) {
            return fail(error);
        }
        break;
    }
    }
    const QString error = checkKnobValue(k, v);
    if (!error.isEmpty()) {
        return fail(error);
    }
    *out = std::move(v);
    return true;
}

QJsonValue knobToJson(const Knob &k, const KnobValue &value)
{
    switch (k.kind) {
    case KnobKind::Int:
        return static_cast<double>(std::get<qint64>(value));
    case KnobKind::Real:
        return std::get<double>(value);
    case KnobKind::Duration:
        return formatGoDuration(std::get<Duration>(value));
    case KnobKind::Bool:
        return std::get<bool>(value);
    case KnobKind::Choice:
    case KnobKind::Text:
        return std::get<QString>(value);
    case KnobKind::TextList: {
        const QStringList items = std::get<QString>(value).split(u'\n', Qt::SkipEmptyParts);
        return items.size() < 2 ? QJsonValue(items.value(0)) : QJsonArray::fromStringList(items);
    }
    }
    return {};
}

double knobDisplayValue(const Knob &k, const KnobValue &value)
{
    switch (k.kind) {
    case KnobKind::Int:
        return static_cast<double>(std::get<qint64>(value)) * k.displayScale();
    case KnobKind::Real:
        return std::get<double>(value) * k.displayScale();
    case KnobKind::Duration: {
        const Duration d = std::get<Duration>(value);
        return d < Duration::zero() ? -1.0 : seconds(d) * k.displayScale();
    }
    case KnobKind::Bool:
        return std::get<bool>(value) ? 1.0 : 0.0;
    case KnobKind::Choice:
    case KnobKind::Text:
    case KnobKind::TextList:
        return std::max(0, choiceIndex(k, std::get<QString>(value)));
    }
    return 0;
}

KnobValue knobFromDisplay(const Knob &k, double display)
{
    switch (k.kind) {
    case KnobKind::Int:
        return static_cast<qint64>(std::llround(display / k.displayScale()));
    case KnobKind::Real:
        return display / k.displayScale();
    case KnobKind::Duration: {
        const double s = display / k.displayScale();
        // Every negative value means the same ("off", "kernel default"); Go code says -1.
        if (s < 0) {
            return Duration(-1);
        }
        // Rounded: 4.1 s is 4099999999.9... ns in binary floating point.
        return std::chrono::round<Duration>(std::chrono::duration<double>(s));
    }
    case KnobKind::Bool:
        return display != 0;
    case KnobKind::Choice:
    case KnobKind::Text:
    case KnobKind::TextList: {
        const auto i = static_cast<std::size_t>(std::max(0.0, display));
        return k.choices.empty()
            ? QString()
            : QString::fromLatin1(k.choices[std::min(i, k.choices.size() - 1)].key);
    }
    }
    return {};
}

} // namespace poolscope
