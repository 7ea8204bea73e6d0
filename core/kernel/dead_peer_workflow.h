#pragma once

#include "kernel/kernel_types.h"
#include "pool/pool_types.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <memory>

class QProcess;
class QTimer;

namespace poolscope {

class DeadPeerLab;
struct KernelSettings;

// The dead-peer lab's steps, once for `poolscope lab` and the GUI's lab panel:
//   setUp(program)  Down -> Starting: the namespace and its veth pair come up and
//                   `program serve --listen PEER:0` starts inside; its "listening on URL"
//                   line -> Up (listening()); an exit or kServerStartTimeoutMs of silence
//                   -> Down with everything removed (failed()).
//   ...             the caller runs a load against url() that leaves idle pooled connections;
//   vanish(pool)    Up -> Vanished: the server's link goes down, no FIN, no RST; the pool's
//                   counters at that moment are the baseline of progress();
//   observe(...)    while Vanished, at the caller's tick: probes seen, all closed when;
//   restore()       Vanished -> Up; tearDown() -> Down, nothing left behind (also on
//                   destruction; SIGINT/SIGTERM are covered by DeadPeerLab's handler).
// Runs `ip` synchronously (milliseconds): use it from the UI or main thread, not the engine.
class DeadPeerWorkflow final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DeadPeerWorkflow)

public:
    enum class Phase {
        Unavailable, // not root, no `ip`...: see unavailableReason()
        Down, // nothing set up
        Starting, // namespace up, waiting for the server's "listening on URL"
        Up, // server reachable
        Vanished, // the server's link is down
    };
    Q_ENUM(Phase)

    // How long the server in the namespace may take to say where it listens.
    static constexpr int kServerStartTimeoutMs = 10000;

    // What happened since vanish(), from the pool's counters and the kernel's sockets.
    struct Progress
    {
        double vanishedSeconds = 0;
        int openAtVanish = 0; // connections open when the peer vanished
        std::uint64_t closed = 0; // connections closed since, for any reason
        std::uint64_t closedByKeepAlive = 0; // of those, by the kernel's keep-alive (ETIMEDOUT)
        int maxProbes = 0; // most unanswered keep-alive probes seen on one socket
        qint64 allClosedAfterMs = -1; // when the last of openAtVanish closed; -1: not yet
    };

    // unavailableReason: empty when the lab can run here (DeadPeerLab::unavailableReason()).
    explicit DeadPeerWorkflow(const QString &unavailableReason, QObject *parent = nullptr);
    ~DeadPeerWorkflow() override;

    // Seconds after the peer's last packet at which Linux closes the connection, as the kernel
    // applies keep-alive (tcp_keepalive_timer): the first probe after Idle seconds of silence,
    // one every Interval, the connection dropped when Count probes went unanswered, so
    // Idle + Interval x Count. A field Go leaves alone (-1) keeps the sysctl value
    // (tcp_keepalive_time / _intvl / _probes). -1 when keep-alive is off or a needed sysctl
    // could not be read. Measured from the vanishing it is an upper bound: the idle clock
    // started at the connection's last packet, before the vanishing.
    [[nodiscard]] static int expectedKillSeconds(
        const EffectiveKeepAlive &ka, const KernelSettings &kernel);

    [[nodiscard]] Phase phase() const { return m_phase; }
    [[nodiscard]] QString unavailableReason() const { return m_reason; }
    [[nodiscard]] QString namespaceName() const;
    // The server's URL inside the namespace, once Up.
    [[nodiscard]] QString url() const { return m_url; }

    // Down -> Starting. False with *error (and nothing left behind) when the namespace or
    // the server cannot be started; listening() or failed() follows otherwise.
    bool setUp(const QString &program, QString *error);
    // Up -> Vanished; pool is the run's counters now, the baseline of progress().
    bool vanish(const PoolCounters &pool, QString *error);
    // Vanished -> Up.
    bool restore(QString *error);
    // Any phase -> Down (Unavailable stays): stops the server, removes the namespace.
    void tearDown();

    // A new run against the lab: counting starts again from zero closes.
    void restartCounting();
    // Called at the caller's tick while Vanished.
    void observe(const PoolCounters &pool, const KernelSample &kernel);
    [[nodiscard]] Progress progress(const PoolCounters &pool) const;

Q_SIGNALS:
    void phaseChanged(poolscope::DeadPeerWorkflow::Phase phase);
    // Starting -> Up: the server listens at url.
    void listening(const QString &url);
    // The server did not start, or exited; message says why (one line, no trailing period).
    void failed(const QString &message);

private:
    void setPhase(Phase phase);
    void onServerOutput();
    void onServerGone();
    void onServerTimeout();
    void fail(const QString &message);

    QString m_reason;
    Phase m_phase = Phase::Down;
    std::unique_ptr<DeadPeerLab> m_lab;
    QPointer<QProcess> m_server;
    QTimer *m_deadline = nullptr;
    QString m_url;
    QByteArray m_serverSaid; // its last line before "listening on URL", for errors

    PoolCounters m_atVanish;
    QElapsedTimer m_vanishedClock;
    int m_openAtVanish = 0;
    int m_maxProbes = 0;
    qint64 m_allClosedAfterMs = -1;
};

} // namespace poolscope
