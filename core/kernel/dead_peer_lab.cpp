#include "kernel/dead_peer_lab.h"

#include <QLoggingCategory>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <array>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <limits>
#include <mutex>
#include <set>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

Q_LOGGING_CATEGORY(lcDeadPeerLab, "poolscope.kernel.lab")

namespace poolscope {

namespace {

constexpr int kIpTimeoutMs = 10000;
constexpr int kSubnetCount = 16384; // /30 blocks in 10.200.0.0/16
const QString kNamespacePrefix = QStringLiteral("poolscope-");

std::atomic<int> g_nextSeq { 0 };

// ---- signal-time cleanup registry -------------------------------------------------------
// Fixed-size plain data so the signal handler can read it without allocating or locking.
constexpr int kMaxLabs = 8;
constexpr int kMaxPids = 8;

struct LabSlot
{
    volatile sig_atomic_t active = 0;
    char ns[64] = {};
    char hostIf[32] = {};
    volatile pid_t pids[kMaxPids] = {};
};

std::array<LabSlot, kMaxLabs> g_slots;
std::mutex g_slotsMutex; // guards slot allocation (never taken in the handler)
char g_ipPath[512] = {};
struct sigaction g_previousInt
{
};
struct sigaction g_previousTerm
{
};
std::once_flag g_installOnce;

// Runs `ip` with argv from a signal handler: fork, execve and waitpid are
// async-signal-safe; QProcess is not.
void runIpFromSignal(const char *a1, const char *a2, const char *a3, const char *a4)
{
    if (g_ipPath[0] == '\0') {
        return;
    }
    const pid_t pid = fork();
    if (pid == 0) {
        const int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0) {
            dup2(devnull, STDOUT_FILENO);
            dup2(devnull, STDERR_FILENO);
        }
        char *const argv[] = { g_ipPath, const_cast<char *>(a1), const_cast<char *>(a2),
            const_cast<char *>(a3), const_cast<char *>(a4), nullptr };
        execve(g_ipPath, argv, environ);
        _exit(127);
    }
    if (pid > 0) {
        int status = 0;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) { }
    }
}

void onTerminationSignal(int sig)
{
    const int savedErrno = errno;
    for (LabSlot &slot : g_slots) {
        if (!slot.active) {
            continue;
        }
        slot.active = 0;
        for (const pid_t pid : slot.pids) {
            if (pid > 0) {
                kill(pid, SIGKILL);
            }
        }
        runIpFromSignal("link", "del", slot.hostIf, nullptr);
        runIpFromSignal("netns", "del", slot.ns, nullptr);
    }
    const struct sigaction &prev = sig == SIGINT ? g_previousInt : g_previousTerm;
    errno = savedErrno;
    if (prev.sa_handler == SIG_IGN) {
        return;
    }
    if (prev.sa_handler != SIG_DFL && !(prev.sa_flags & SA_SIGINFO)) {
        prev.sa_handler(sig); // someone else's handler (e.g. the CLI's graceful stop)
        return;
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

// ---- helpers ----------------------------------------------------------------------------
bool pidAlive(qint64 pid)
{
    if (pid <= 0 || pid > std::numeric_limits<pid_t>::max()) {
        return false;
    }
    return kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

QString joinArgs(const QStringList &args)
{
    return QStringLiteral("ip ") + args.join(QLatin1Char(' '));
}

bool runIp(const QStringList &args, QString *error, QByteArray *output = nullptr)
{
    const QString ip = DeadPeerLab::ipProgram();
    if (ip.isEmpty()) {
        if (error) {
            *error = QStringLiteral("iproute2 'ip' not found (install iproute2)");
        }
        return false;
    }
    QProcess p;
    p.start(ip, args);
    if (!p.waitForStarted(kIpTimeoutMs)) {
        if (error) {
            *error = QStringLiteral("%1: cannot start: %2").arg(joinArgs(args), p.errorString());
        }
        return false;
    }
    if (!p.waitForFinished(kIpTimeoutMs)) {
        p.kill();
        p.waitForFinished(1000);
        if (error) {
            *error = QStringLiteral("%1: timed out").arg(joinArgs(args));
        }
        return false;
    }
    if (p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        if (error) {
            *error = QStringLiteral("%1 failed (exit %2): %3")
                         .arg(joinArgs(args))
                         .arg(p.exitCode())
                         .arg(QString::fromLocal8Bit(p.readAllStandardError()).trimmed());
        }
        return false;
    }
    if (output) {
        *output = p.readAllStandardOutput();
    }
    return true;
}

QString computeUnavailableReason()
{
    if (geteuid() != 0) {
        return QStringLiteral("needs root: run as root to create a network namespace");
    }
    if (DeadPeerLab::ipProgram().isEmpty()) {
        return QStringLiteral("iproute2 'ip' not found: install iproute2");
    }
    // Root is not enough in some containers: try what setUp() needs.
    const QString probe = QStringLiteral("%1%2-probe").arg(kNamespacePrefix).arg(getpid());
    QString error;
    if (!runIp({ QStringLiteral("netns"), QStringLiteral("add"), probe }, &error)) {
        return QStringLiteral("cannot create a network namespace: %1").arg(error);
    }
    runIp({ QStringLiteral("netns"), QStringLiteral("del"), probe }, nullptr);
    return {};
}

} // namespace

DeadPeerLab::DeadPeerLab() : m_seq(g_nextSeq.fetch_add(1) % 1000) { }

DeadPeerLab::~DeadPeerLab()
{
    tearDown();
}

QString DeadPeerLab::ipProgram()
{
    // Fixed system directories only, never $PATH: the lab runs `ip` as root, and a PATH
    // entry the user controls must not decide which program that is (issue 16 #12).
    static const QString path = QStandardPaths::findExecutable(QStringLiteral("ip"),
        { QStringLiteral("/usr/sbin"), QStringLiteral("/sbin"), QStringLiteral("/usr/bin"),
            QStringLiteral("/bin") });
    return path;
}

QString DeadPeerLab::unavailableReason()
{
    static const QString reason = computeUnavailableReason();
    return reason;
}

int DeadPeerLab::cleanupStale(QStringList *report)
{
    std::set<QString> removedLabs; // "<pid>-<seq>"
    auto note = [&](const QString &line) {
        if (report) {
            report->append(line);
        }
        qCInfo(lcDeadPeerLab).noquote() << line;
    };

    QByteArray out;
    if (runIp({ QStringLiteral("netns"), QStringLiteral("list") }, nullptr, &out)) {
        static const QRegularExpression nsRe(QStringLiteral("^poolscope-(\\d+)-(\\w+)"));
        const QList<QByteArray> lines = out.split('\n');
        for (const QByteArray &line : lines) {
            const QRegularExpressionMatch m = nsRe.match(QString::fromLatin1(line.trimmed()));
            if (!m.hasMatch() || pidAlive(m.captured(1).toLongLong())) {
                continue;
            }
            const QString ns = m.captured(0);
            QByteArray pids;
            if (runIp({ QStringLiteral("netns"), QStringLiteral("pids"), ns }, nullptr, &pids)) {
                for (const QByteArray &pidText : pids.split('\n')) {
                    bool ok = false;
                    const qint64 pid = pidText.trimmed().toLongLong(&ok);
                    if (ok && pid > 1 && pid != getpid()) {
                        kill(static_cast<pid_t>(pid), SIGKILL);
                        note(QStringLiteral("killed stale lab process %1 in %2").arg(pid).arg(ns));
                    }
                }
            }
            QString error;
            if (runIp({ QStringLiteral("netns"), QStringLiteral("del"), ns }, &error)) {
                note(QStringLiteral("removed stale namespace %1").arg(ns));
                removedLabs.insert(m.captured(1) + QLatin1Char('-') + m.captured(2));
            } else {
                note(error);
            }
        }
    }

    out.clear();
    if (runIp({ QStringLiteral("-o"), QStringLiteral("link"), QStringLiteral("show") }, nullptr,
            &out)) {
        static const QRegularExpression linkRe(QStringLiteral("^\\d+:\\s+(psc(\\d+)n(\\d+)h)[@:]"));
        const QList<QByteArray> lines = out.split('\n');
        for (const QByteArray &line : lines) {
            const QRegularExpressionMatch m = linkRe.match(QString::fromLatin1(line));
            if (!m.hasMatch() || pidAlive(m.captured(2).toLongLong())) {
                continue;
            }
            QString error;
            if (runIp({ QStringLiteral("link"), QStringLiteral("del"), m.captured(1) }, &error)) {
                note(QStringLiteral("removed stale veth %1").arg(m.captured(1)));
                removedLabs.insert(m.captured(2) + QLatin1Char('-') + m.captured(3));
            } else if (!error.contains(QStringLiteral("Cannot find device"))) {
                note(error); // deleting the namespace may already have removed the pair
            }
        }
    }
    return static_cast<int>(removedLabs.size());
}

void DeadPeerLab::installSignalCleanup()
{
    std::call_once(g_installOnce, [] {
        const QByteArray ip = ipProgram().toLocal8Bit();
        if (ip.size() < static_cast<int>(sizeof g_ipPath)) {
            std::memcpy(g_ipPath, ip.constData(), static_cast<std::size_t>(ip.size()) + 1);
        }
        struct sigaction sa
        {
        };
        sa.sa_handler = onTerminationSignal;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = 0;
        sigaction(SIGINT, &sa, &g_previousInt);
        sigaction(SIGTERM, &sa, &g_previousTerm);
    });
}

bool DeadPeerLab::pickSubnet(QString *error)
{
    QByteArray out;
    if (!runIp({ QStringLiteral("-o"), QStringLiteral("-4"), QStringLiteral("addr"),
                   QStringLiteral("show") },
            error, &out)) {
        return false;
    }
    std::set<int> used;
    static const QRegularExpression inetRe(QStringLiteral("inet 10\\.200\\.(\\d+)\\.(\\d+)/"));
    QRegularExpressionMatchIterator it = inetRe.globalMatch(QString::fromLatin1(out));
    while (it.hasNext()) {
        const QRegularExpressionMatch m = it.next();
        used.insert((m.captured(1).toInt() * 256 + m.captured(2).toInt()) / 4);
    }
    // Start at a pid-derived block so concurrent processes rarely race for the same one.
    const int start = static_cast<int>(
        (static_cast<quint64>(getpid()) * 31 + static_cast<quint64>(m_seq) * 7) % kSubnetCount);
    for (int i = 0; i < kSubnetCount; ++i) {
        const int block = (start + i) % kSubnetCount;
        if (used.count(block)) {
            continue;
        }
        const quint32 base = (10u << 24) | (200u << 16) | static_cast<quint32>(block * 4);
        m_hostAddress = QHostAddress(base + 1);
        m_peerAddress = QHostAddress(base + 2);
        return true;
    }
    *error = QStringLiteral("no free /30 left in 10.200.0.0/16");
    return false;
}

bool DeadPeerLab::setUp(QString *error)
{
    QString dummy;
    QString &err = error ? *error : dummy;
    if (m_up) {
        return true;
    }
    const QString reason = unavailableReason();
    if (!reason.isEmpty()) {
        err = reason;
        return false;
    }
    cleanupStale();

    const qint64 pid = getpid();
    m_namespace = QStringLiteral("%1%2-%3").arg(kNamespacePrefix).arg(pid).arg(m_seq);
    // Interface names have at most 15 characters, too few for the "poolscope-" prefix.
    m_hostIf = QStringLiteral("psc%1n%2h").arg(pid).arg(m_seq);
    m_peerIf = QStringLiteral("psc%1n%2p").arg(pid).arg(m_seq);
    if (!pickSubnet(&err)) {
        return false;
    }
    m_up = true; // from here on tearDown() has something to undo
    registerForSignals();

    const QString host = m_hostAddress.toString() + QStringLiteral("/30");
    const QString peer = m_peerAddress.toString() + QStringLiteral("/30");
    const QString n = QStringLiteral("-n");
    const QString link = QStringLiteral("link");
    const QString set = QStringLiteral("set");
    const QString up = QStringLiteral("up");
    const QString addr = QStringLiteral("addr");
    const QString add = QStringLiteral("add");
    const QString dev = QStringLiteral("dev");
    const std::vector<QStringList> steps = {
        { QStringLiteral("netns"), add, m_namespace },
        { link, add, m_hostIf, QStringLiteral("type"), QStringLiteral("veth"),
            QStringLiteral("peer"), QStringLiteral("name"), m_peerIf, QStringLiteral("netns"),
            m_namespace },
        { addr, add, host, dev, m_hostIf },
        { link, set, m_hostIf, up },
        { n, m_namespace, addr, add, peer, dev, m_peerIf },
        { n, m_namespace, link, set, m_peerIf, up },
        { n, m_namespace, link, set, QStringLiteral("lo"), up },
    };
    for (const QStringList &step : steps) {
        if (!runIp(step, &err)) {
            tearDown();
            return false;
        }
    }
    m_vanished = false;
    qCInfo(lcDeadPeerLab).noquote()
        << "lab up:" << m_namespace << m_hostIf << m_hostAddress.toString() << "<->" << m_peerIf
        << m_peerAddress.toString();
    return true;
}

QStringList DeadPeerLab::execArguments(const QString &program, const QStringList &args) const
{
    QStringList all { QStringLiteral("netns"), QStringLiteral("exec"), m_namespace, program };
    all += args;
    return all;
}

QProcess *DeadPeerLab::startInNamespace(
    const QString &program, const QStringList &args, QString *error)
{
    QString dummy;
    QString &err = error ? *error : dummy;
    if (!m_up) {
        err = QStringLiteral("the lab is not set up");
        return nullptr;
    }
    auto process = std::make_unique<QProcess>();
    // If the lab dies without tearing down (SIGKILL), the kernel ends the server with it
    // (issue 16 #12); `ip netns exec` keeps the flag, it execs the program in place.
    const pid_t parent = ::getpid();
    process->setChildProcessModifier([parent] {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent)
            ::_exit(127); // the parent already died between fork and prctl
    });
    process->start(ipProgram(), execArguments(program, args));
    if (!process->waitForStarted(kIpTimeoutMs)) {
        err = QStringLiteral("cannot start %1 in %2: %3")
                  .arg(program, m_namespace, process->errorString());
        return nullptr;
    }
    // `ip netns exec` execs the program in place, so this pid is the program's.
    if (m_slot >= 0) {
        LabSlot &slot = g_slots[static_cast<std::size_t>(m_slot)];
        for (volatile pid_t &p : slot.pids) {
            if (p == 0) {
                p = static_cast<pid_t>(process->processId());
                break;
            }
        }
    }
    m_processes.push_back(std::move(process));
    return m_processes.back().get();
}

bool DeadPeerLab::vanish(QString *error)
{
    // Down inside the namespace: its connected route goes with it, the root end loses
    // carrier, and veth drops every frame silently. Nothing tells the client.
    return setPeerLinkUp(false, error);
}

bool DeadPeerLab::restore(QString *error)
{
    return setPeerLinkUp(true, error);
}

bool DeadPeerLab::setPeerLinkUp(bool up, QString *error)
{
    if (!m_up) {
        if (error) {
            *error = QStringLiteral("the lab is not set up");
        }
        return false;
    }
    if (!runIp({ QStringLiteral("-n"), m_namespace, QStringLiteral("link"), QStringLiteral("set"),
                   m_peerIf, up ? QStringLiteral("up") : QStringLiteral("down") },
            error)) {
        return false;
    }
    m_vanished = !up;
    return true;
}

void DeadPeerLab::tearDown()
{
    for (auto &p : m_processes) {
        if (p->state() != QProcess::NotRunning) {
            p->kill();
            p->waitForFinished(2000);
        }
    }
    m_processes.clear();
    if (!m_up) {
        return;
    }
    if (tornDownBySignal()) {
        // SIGINT/SIGTERM's handler already killed the server and deleted the veth pair and
        // the namespace: running `ip` again would only fail twice (issue 16 #12).
        m_slot = -1;
        m_up = false;
        m_vanished = false;
        return;
    }
    QString error;
    // Deleting one end of a veth pair deletes both.
    if (!runIp({ QStringLiteral("link"), QStringLiteral("del"), m_hostIf }, &error)) {
        qCWarning(lcDeadPeerLab).noquote() << error;
    }
    if (!runIp({ QStringLiteral("netns"), QStringLiteral("del"), m_namespace }, &error)) {
        qCWarning(lcDeadPeerLab).noquote() << error;
    }
    unregisterForSignals();
    m_up = false;
    m_vanished = false;
}

void DeadPeerLab::registerForSignals()
{
    std::lock_guard lock(g_slotsMutex);
    for (std::size_t i = 0; i < g_slots.size(); ++i) {
        LabSlot &slot = g_slots[i];
        if (slot.active) {
            continue;
        }
        const QByteArray ns = m_namespace.toLocal8Bit();
        const QByteArray host = m_hostIf.toLocal8Bit();
        std::memset(slot.ns, 0, sizeof slot.ns);
        std::memset(slot.hostIf, 0, sizeof slot.hostIf);
        std::memcpy(slot.ns, ns.constData(), std::min<std::size_t>(ns.size(), sizeof slot.ns - 1));
        std::memcpy(slot.hostIf, host.constData(),
            std::min<std::size_t>(host.size(), sizeof slot.hostIf - 1));
        for (volatile pid_t &p : slot.pids) {
            p = 0;
        }
        slot.active = 1; // last: the handler only reads complete slots
        m_slot = static_cast<int>(i);
        return;
    }
    // More than kMaxLabs labs at once: this one is cleaned by tearDown()/cleanupStale() only.
    m_slot = -1;
}

bool DeadPeerLab::tornDownBySignal() const
{
    // The handler clears `active` of each slot it tears down; only unregisterForSignals()
    // clears it otherwise, and that also forgets the slot.
    return m_up && m_slot >= 0 && !g_slots[static_cast<std::size_t>(m_slot)].active;
}

void DeadPeerLab::unregisterForSignals()
{
    if (m_slot < 0) {
        return;
    }
    std::lock_guard lock(g_slotsMutex);
    g_slots[static_cast<std::size_t>(m_slot)].active = 0;
    m_slot = -1;
}

} // namespace poolscope
