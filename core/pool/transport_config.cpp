#include "transport_config.h"

namespace poolscope {

namespace {

// Go rounds keep-alive durations up to whole seconds (roundDurationUp).
int roundUpSeconds(Duration d)
{
    const auto s = std::chrono::ceil<std::chrono::seconds>(d);
    return static_cast<int>(s.count());
}

} // namespace

TransportConfig TransportConfig::goDefault()
{
    TransportConfig c;
    c.maxIdleConns = 100;
    c.idleConnTimeout = 90s;
    c.tlsHandshakeTimeout = 10s;
    c.expectContinueTimeout = 1s;
    c.dialTimeout = 30s;
    c.keepAlive = 30s;
    c.forceAttemptHttp2 = true;
    return c;
}

TransportConfig TransportConfig::zero()
{
    return TransportConfig {};
}

bool TransportConfig::attemptsHttp2() const
{
    if (disableHttp2) {
        return false; // a non-nil TLSNextProto
    }
    if (forceAttemptHttp2) {
        return true;
    }
    const bool customDialer = dialTimeout != Duration::zero() || keepAlive != Duration::zero()
        || keepAliveConfig != KeepAliveConfig {};
    return !insecureSkipVerify && !customDialer;
}

std::int64_t TransportConfig::effectiveMaxResponseHeaderBytes() const
{
    return maxResponseHeaderBytes > 0 ? maxResponseHeaderBytes : kDefaultMaxResponseHeaderBytes;
}

int TransportConfig::effectiveMaxIdleConnsPerHost() const
{
    if (maxIdleConnsPerHost == 0) {
        return kDefaultMaxIdleConnsPerHost;
    }
    return maxIdleConnsPerHost < 0 ? 0 : maxIdleConnsPerHost;
}

EffectiveKeepAlive TransportConfig::effectiveKeepAlive() const
{
    // Go 1.23 newTCPConn: an enabled KeepAliveConfig wins; otherwise a
    // non-negative Dialer.KeepAlive enables keep-alive with Idle = KeepAlive and
    // the other fields at their zero (default) values.
    KeepAliveConfig cfg = keepAliveConfig;
    if (!cfg.enable) {
        if (keepAlive < Duration::zero()) {
            return EffectiveKeepAlive {};
        }
        if (goVersion == GoVersion::Go1_19) {
            // Go 1.19 (net/dial.go, tcpsockopt_unix.go setKeepAlivePeriod): SO_KEEPALIVE,
            // then TCP_KEEPINTVL and TCP_KEEPIDLE both set to the period (0 = 15 s); the
            // probe count stays the kernel's (net.ipv4.tcp_keepalive_probes). A Go 1.19
            // program has no KeepAliveConfig: an enabled one is resolved as Go 1.23 does.
            const int secs
                = roundUpSeconds(keepAlive == Duration::zero() ? kDefaultKeepAliveIdle : keepAlive);
            return EffectiveKeepAlive { true, secs, secs, -1 };
        }
        cfg = KeepAliveConfig { true, keepAlive, Duration::zero(), 0 };
    }
    EffectiveKeepAlive out;
    out.enable = true;
    if (cfg.idle >= Duration::zero()) {
        out.idleSeconds
            = roundUpSeconds(cfg.idle == Duration::zero() ? kDefaultKeepAliveIdle : cfg.idle);
    }
    if (cfg.interval >= Duration::zero()) {
        out.intervalSeconds = roundUpSeconds(
            cfg.interval == Duration::zero() ? kDefaultKeepAliveInterval : cfg.interval);
    }
    if (cfg.count >= 0) {
        out.count = cfg.count == 0 ? kDefaultKeepAliveCount : cfg.count;
    }
    return out;
}

} // namespace poolscope
