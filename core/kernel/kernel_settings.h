#pragma once

#include "kernel/kernel_types.h"

#include <QString>

namespace poolscope {

// The machine's TCP settings that decide what the kernel view shows, read from /proc/sys.
// A field that could not be read is -1; ok is false and error names the first failure.
struct KernelSettings
{
    int keepaliveTime = -1; // net.ipv4.tcp_keepalive_time, seconds (kernel default 7200)
    int keepaliveIntvl = -1; // net.ipv4.tcp_keepalive_intvl, seconds (75)
    int keepaliveProbes = -1; // net.ipv4.tcp_keepalive_probes (9)
    int portRangeLow = -1; // net.ipv4.ip_local_port_range, first ephemeral port
    int portRangeHigh = -1; // net.ipv4.ip_local_port_range, last ephemeral port
    int finTimeout = -1; // net.ipv4.tcp_fin_timeout, seconds (FIN_WAIT2 lifetime)
    int twReuse = -1; // net.ipv4.tcp_tw_reuse: 0 off, 1 on, 2 loopback only (default)
    int somaxconn = -1; // net.core.somaxconn, listen backlog cap
    bool ok = false;
    QString error;

    // Number of ephemeral ports (high - low + 1), 0 when unknown.
    [[nodiscard]] int portRangeSize() const;

    // procSysDir is the root of the sysctl tree; tests may point it elsewhere.
    [[nodiscard]] static KernelSettings read(
        const QString &procSysDir = QStringLiteral("/proc/sys"));
};

// How much of the ephemeral port range the sockets toward the target occupy. Every socket
// toward one destination address and port holds its own local port until it leaves
// TIME_WAIT, so a TIME_WAIT pile-up can exhaust the range ("cannot assign requested
// address", EADDRNOTAVAIL) even though few connections are open.
struct PortHeadroom
{
    // fraction >= kWarnFraction: half the range is gone, one more burst may exhaust it.
    static constexpr double kWarnFraction = 0.50;
    // fraction >= kCriticalFraction: dials are about to fail with EADDRNOTAVAIL.
    static constexpr double kCriticalFraction = 0.85;

    enum Level { Ok, Warn, Critical };

    int inUse = 0; // sockets toward the target in any state, TIME_WAIT included
    int rangeSize = 0; // size of net.ipv4.ip_local_port_range; 0 = unknown
    double fraction = 0.0; // inUse / rangeSize, 0 when the range is unknown
    Level level = Ok;

    [[nodiscard]] static PortHeadroom compute(
        const KernelSample &sample, const KernelSettings &settings);
    [[nodiscard]] static PortHeadroom compute(int inUse, int rangeSize);
    [[nodiscard]] static const char *levelName(Level level); // "ok", "warn", "critical"
};

} // namespace poolscope
