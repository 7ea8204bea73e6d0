#pragma once

#include <QHostAddress>
#include <QString>
#include <array>
#include <chrono>
#include <cstdint>
#include <vector>

namespace poolscope {

// Linux TCP states in the kernel's numbering (include/net/tcp_states.h).
enum class TcpState : std::uint8_t {
    Unknown = 0,
    Established = 1,
    SynSent,
    SynRecv,
    FinWait1,
    FinWait2,
    TimeWait,
    Close,
    CloseWait,
    LastAck,
    Listen,
    Closing,
    Count_
};

inline constexpr int kTcpStateCount = static_cast<int>(TcpState::Count_);
const char *tcpStateName(TcpState s); // "ESTABLISHED", "TIME_WAIT", ...

// Kernel timer on a socket (inet_diag idiag_timer).
enum class TcpTimer : std::uint8_t { None = 0, Retransmit = 1, KeepAlive = 2, TimeWait = 3, ZeroWindowProbe = 4 };
const char *tcpTimerName(TcpTimer t);

// One socket toward the target as the kernel sees it.
struct KernelSocket {
    quint16 localPort = 0;
    quint16 remotePort = 0; // the peer's port (the target port for MatchSide::Remote)
    TcpState state = TcpState::Unknown;
    TcpTimer timer = TcpTimer::None;
    std::chrono::milliseconds timerExpires{0}; // time until the timer fires
    int keepAliveProbes = 0; // probes sent without answer (idiag_retrans for the keep-alive timer)
    std::uint32_t rttUs = 0; // tcp_info.tcpi_rtt
    std::uint32_t retransmits = 0; // tcp_info.tcpi_total_retrans
};

// Per-state counts of sockets toward the target.
struct TcpStateCounts {
    std::array<int, kTcpStateCount> byState{};

    [[nodiscard]] int count(TcpState s) const { return byState[static_cast<std::size_t>(s)]; }
    [[nodiscard]] int total() const
    {
        int n = 0;
        for (int v : byState) {
            n += v;
        }
        return n;
    }
    bool operator==(const TcpStateCounts &) const = default;
};

// One sample of the kernel view.
struct KernelSample {
    bool available = false; // false: netlink (and /proc) unavailable; see unavailableReason
    QString source; // "netlink" or "/proc/net/tcp"
    QString unavailableReason;
    TcpStateCounts counts;
    std::vector<KernelSocket> sockets; // capped (see KernelWatcher::kMaxSockets)
    std::chrono::microseconds sampleCost{0}; // how long taking the sample took
    // The target's own end of the same connections (sockets whose local address and port
    // are the target's), counted in the same dump when the target runs on this machine
    // (KernelWatcher::setCountServerSide). Whoever closes first holds the TIME_WAIT: with
    // "Connection: close" that is the server, and its TIME_WAIT shows here, not in counts.
    bool serverSide = false;
    TcpStateCounts serverCounts;
};

} // namespace poolscope
