#pragma once

#include "kernel/kernel_types.h"

#include <QHostAddress>
#include <QString>
#include <memory>
#include <optional>
#include <vector>

namespace poolscope {

// Samples the kernel's view of the TCP sockets toward one target (Linux
// NETLINK_SOCK_DIAG / inet_diag, IPv4 and IPv6), falling back to parsing
// /proc/net/tcp{,6} for the counts when netlink cannot be used.
//
// Not thread-safe: construct, configure and sample from one thread (the
// engine's). A sample is one netlink dump per address family and takes a few
// milliseconds even with thousands of sockets; it never waits on the network.
class KernelWatcher final
{
public:
    // Sockets kept per sample; counts stay exact beyond it.
    static constexpr int kMaxSockets = 4096;

    // Which end of a socket the target describes.
    enum class MatchSide : std::uint8_t {
        Remote, // our client sockets: destination address/port == target (default)
        Local, // a server's accepted sockets: local address/port == target
    };

    // Which code path sample() uses.
    enum class Mode : std::uint8_t {
        Auto, // netlink, falling back to /proc when netlink fails
        ProcOnly, // always parse /proc/net/tcp{,6} (tests, or netlink known broken)
    };

    KernelWatcher();
    ~KernelWatcher();
    Q_DISABLE_COPY_MOVE(KernelWatcher)

    // The target: address (null or Any/AnyIPv4/AnyIPv6 = any address) and port (0 = no
    // target: sample() reports zero counts). An IPv4 address also matches v4-mapped IPv6
    // sockets ("::ffff:a.b.c.d").
    void setTarget(const QHostAddress &addr, quint16 port, MatchSide side = MatchSide::Remote);
    [[nodiscard]] QHostAddress targetAddress() const { return m_address; }
    [[nodiscard]] quint16 targetPort() const { return m_port; }

    // Whether an IPv4 target also matches v4-mapped IPv6 sockets. Finding them costs a
    // second walk of the kernel's TCP table (the AF_INET6 dump), which doubles the sample
    // cost with many sockets, so by default it is on only for MatchSide::Local (a
    // dual-stack server's accepted IPv4 clients are v4-mapped) and off for our own client
    // sockets (Qt dials an IPv4 address with an AF_INET socket).
    void setIncludeV4Mapped(bool include);
    [[nodiscard]] bool includeV4Mapped() const;

    // With MatchSide::Remote: also count the target's own end of the same connections
    // (sockets whose LOCAL address and port are the target's) into
    // KernelSample::serverCounts, in the same dump. For a target on this machine (the
    // embedded server, a loopback URL): whoever closes first holds the TIME_WAIT, and with
    // "Connection: close" that is the server. Off by default; one table walk either way
    // (plus an AF_INET6 one when the server listens on IPv6, found with a LISTEN-only dump).
    void setCountServerSide(bool on);
    [[nodiscard]] bool countServerSide() const { return m_countServer; }

    void setMode(Mode mode);
    [[nodiscard]] Mode mode() const { return m_mode; }

    // Cap on KernelSample::sockets, clamped to [0, kMaxSockets]. Tests use small caps.
    void setMaxSockets(int cap);
    [[nodiscard]] int maxSockets() const { return m_maxSockets; }

    // Directory holding tcp and tcp6 for the /proc fallback ("/proc/net" by default).
    // Tests point it at a missing directory to exercise the unavailable path.
    void setProcNetDir(const QString &dir);

    // One sample of every socket toward the target, all states except LISTEN.
    [[nodiscard]] KernelSample sample();

    // Why netlink was not used on the last sample (empty when it was).
    [[nodiscard]] QString netlinkError() const { return m_netlinkError; }

private:
    struct Netlink;

    bool sampleNetlink(KernelSample &out);
    bool sampleProc(KernelSample &out);
    bool parseProcFile(const QString &path, bool ipv6, KernelSample &out, QString *error);
    [[nodiscard]] bool serverListensOnV6();
    void addSocket(KernelSample &out, const KernelSocket &s) const;
    void reportUnavailable(const QString &reason);

    QHostAddress m_address;
    quint16 m_port = 0;
    MatchSide m_side = MatchSide::Remote;
    Mode m_mode = Mode::Auto;
    int m_maxSockets = kMaxSockets;
    std::optional<bool> m_includeV4Mapped; // unset: depends on m_side
    bool m_countServer = false;
    std::optional<bool> m_serverOnV6; // a LISTEN socket on the port in AF_INET6; per target
    std::vector<char> m_bytecode; // inet_diag filter for the target, built once per target
    QString m_procNetDir = QStringLiteral("/proc/net");
    std::unique_ptr<Netlink> m_netlink;
    QString m_netlinkError;
    QString m_lastReported; // the unavailable reason last logged, to say it once
    std::size_t m_lastSocketCount = 0; // reserve hint for the next sample
};

} // namespace poolscope
