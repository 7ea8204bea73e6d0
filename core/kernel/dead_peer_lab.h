#pragma once

#include <QHostAddress>
#include <QString>
#include <QStringList>
#include <memory>
#include <vector>

class QProcess;

namespace poolscope {

// The dead-peer lab: a network namespace joined to the root namespace by a veth pair, so a
// server inside it can vanish without a FIN or RST (its end of the link goes down and every
// packet toward it is dropped silently). That is what lets a user watch TCP keep-alive
// probes go out unanswered and the kernel kill the connection.
//
//   root namespace                       namespace poolscope-<pid>-<n>
//   psc<pid>n<n>h  10.200.x.y+1/30  <->  psc<pid>n<n>p  10.200.x.y+2/30
//
// Needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN) and iproute2's `ip`; unavailableReason()
// says why not. Everything is removed by tearDown() (also run by the destructor), by
// cleanupStale() for labs whose process died, and by the SIGINT/SIGTERM handler that
// installSignalCleanup() installs. Not thread-safe; runs `ip` synchronously (each call
// takes milliseconds), so use it from a thread that may block briefly, not from the engine.
class DeadPeerLab final
{
public:
    DeadPeerLab();
    ~DeadPeerLab();
    Q_DISABLE_COPY_MOVE(DeadPeerLab)

    // Empty when the lab can run here, else a sentence saying why not (e.g. "needs root: run
    // as root to create a network namespace"). The answer is computed once per process.
    [[nodiscard]] static QString unavailableReason();

    // Removes every poolscope-<pid>-* namespace and psc<pid>n*h veth whose pid no longer
    // exists, killing processes left inside those namespaces first. Returns how many labs
    // it removed; *report (optional) lists what was done.
    static int cleanupStale(QStringList *report = nullptr);

    // Installs SIGINT and SIGTERM handlers that tear down this process's live labs (with
    // async-signal-safe fork/execve of `ip`) and then let the signal take its default
    // action. Call once at start in programs that create labs.
    static void installSignalCleanup();

    // Absolute path of iproute2's `ip`, empty when not found.
    [[nodiscard]] static QString ipProgram();

    // Creates the namespace and the veth pair and brings both ends up. Runs cleanupStale()
    // first. False with *error set (and nothing left behind) on failure.
    bool setUp(QString *error);
    [[nodiscard]] bool isUp() const { return m_up; }
    // SIGINT or SIGTERM arrived and its handler tore the lab down (server killed, veth pair
    // and namespace deleted); tearDown() then has nothing left to undo.
    [[nodiscard]] bool tornDownBySignal() const;

    [[nodiscard]] QString namespaceName() const { return m_namespace; }
    [[nodiscard]] QString hostInterface() const { return m_hostIf; }
    [[nodiscard]] QString peerInterface() const { return m_peerIf; }
    // Our end, in the root namespace.
    [[nodiscard]] QHostAddress hostAddress() const { return m_hostAddress; }
    // The server's address, inside the namespace: connect to this.
    [[nodiscard]] QHostAddress peerAddress() const { return m_peerAddress; }

    // Arguments for QProcess::start(ipProgram(), ...) that run program inside the namespace.
    [[nodiscard]] QStringList execArguments(const QString &program, const QStringList &args) const;

    // Starts program inside the namespace. The lab owns the process and kills it on
    // tearDown(). Returns nullptr with *error set when it cannot start.
    QProcess *startInNamespace(const QString &program, const QStringList &args, QString *error);

    // Takes the namespace's end of the link down: the peer vanishes silently, no FIN/RST.
    bool vanish(QString *error);
    // Brings it back up (addresses and routes return with the link).
    bool restore(QString *error);
    [[nodiscard]] bool isVanished() const { return m_vanished; }

    // Kills processes started in the namespace, deletes the veth pair and the namespace.
    // Safe to call twice.
    void tearDown();

private:
    bool pickSubnet(QString *error);
    // `ip -n NS link set PEER up|down`: what vanish() and restore() do.
    bool setPeerLinkUp(bool up, QString *error);
    void registerForSignals();
    void unregisterForSignals();

    bool m_up = false;
    bool m_vanished = false;
    int m_seq = 0;
    int m_slot = -1; // index in the signal-cleanup registry
    QString m_namespace;
    QString m_hostIf;
    QString m_peerIf;
    QHostAddress m_hostAddress;
    QHostAddress m_peerAddress;
    std::vector<std::unique_ptr<QProcess>> m_processes;
};

} // namespace poolscope
