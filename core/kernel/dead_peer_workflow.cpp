#include "kernel/dead_peer_workflow.h"

#include "kernel/dead_peer_lab.h"
#include "kernel/kernel_settings.h"

#include <QProcess>
#include <QRegularExpression>
#include <QTimer>

namespace poolscope {

namespace {

// A line longer than this from the server is not its "listening on URL".
constexpr qsizetype kMaxLine = 4096;

} // namespace

DeadPeerWorkflow::DeadPeerWorkflow(const QString &unavailableReason, QObject *parent)
    : QObject(parent)
    , m_reason(unavailableReason)
    , m_phase(unavailableReason.isEmpty() ? Phase::Down : Phase::Unavailable)
{
    m_deadline = new QTimer(this);
    m_deadline->setSingleShot(true);
    connect(m_deadline, &QTimer::timeout, this, &DeadPeerWorkflow::onServerTimeout);
}

DeadPeerWorkflow::~DeadPeerWorkflow()
{
    if (m_server) {
        disconnect(m_server, nullptr, this, nullptr);
    }
    m_lab.reset(); // DeadPeerLab's destructor kills the server and removes the namespace
}

int DeadPeerWorkflow::expectedKillSeconds(
    const EffectiveKeepAlive &ka, const KernelSettings &kernel)
{
    if (!ka.enable) {
        return -1;
    }
    const int idle = ka.idleSeconds >= 0 ? ka.idleSeconds : kernel.keepaliveTime;
    const int interval = ka.intervalSeconds >= 0 ? ka.intervalSeconds : kernel.keepaliveIntvl;
    const int count = ka.count >= 0 ? ka.count : kernel.keepaliveProbes;
    if (idle < 0 || interval < 0 || count < 0) {
        return -1;
    }
    return idle + interval * count;
}

QString DeadPeerWorkflow::namespaceName() const
{
    return m_lab ? m_lab->namespaceName() : QString();
}

bool DeadPeerWorkflow::setUp(const QString &program, QString *error)
{
    QString dummy;
    QString &err = error ? *error : dummy;
    if (m_phase != Phase::Down) {
        err = m_phase == Phase::Unavailable
            ? QStringLiteral("the dead-peer lab is unavailable: %1").arg(m_reason)
            : QStringLiteral("the lab is already set up");
        return false;
    }
    static const bool signalCleanupInstalled = [] {
        DeadPeerLab::installSignalCleanup();
        return true;
    }();
    Q_UNUSED(signalCleanupInstalled);
    m_lab = std::make_unique<DeadPeerLab>();
    QString why;
    if (!m_lab->setUp(&why)) {
        m_lab.reset();
        err = QStringLiteral("could not set up the lab: %1").arg(why);
        return false;
    }
    QProcess *server = m_lab->startInNamespace(program,
        { QStringLiteral("serve"), QStringLiteral("--listen"),
            m_lab->peerAddress().toString() + QStringLiteral(":0") },
        &why);
    if (!server) {
        m_lab.reset();
        err = QStringLiteral("could not start the lab server: %1").arg(why);
        return false;
    }
    m_server = server;
    m_serverSaid.clear();
    m_url.clear();
    connect(server, &QProcess::readyReadStandardOutput, this, &DeadPeerWorkflow::onServerOutput);
    // Its log is not shown; drained so the pipe buffer stays small.
    connect(server, &QProcess::readyReadStandardError, this, [this] {
        if (m_server && m_phase != Phase::Starting) {
            m_server->readAllStandardError();
        }
    });
    connect(server, &QProcess::finished, this, &DeadPeerWorkflow::onServerGone);
    m_deadline->start(kServerStartTimeoutMs);
    setPhase(Phase::Starting);
    // The line may already be buffered by the time we are connected.
    QTimer::singleShot(0, this, &DeadPeerWorkflow::onServerOutput);
    return true;
}

void DeadPeerWorkflow::onServerOutput()
{
    if (!m_server) {
        return;
    }
    if (m_phase != Phase::Starting) {
        m_server->readAllStandardOutput(); // nothing more is needed from it
        return;
    }
    static const QRegularExpression re(QStringLiteral("^listening on (https?://\\S+)$"));
    while (m_server->canReadLine()) {
        const QString line = QString::fromUtf8(m_server->readLine(kMaxLine)).trimmed();
        const QRegularExpressionMatch m = re.match(line);
        if (m.hasMatch()) {
            m_deadline->stop();
            m_url = m.captured(1);
            setPhase(Phase::Up);
            Q_EMIT listening(m_url);
            return;
        }
        m_serverSaid = line.left(200).toUtf8();
    }
    if (m_server->bytesAvailable() > kMaxLine) {
        fail(QStringLiteral("the lab server wrote something other than \"listening on URL\""));
    }
}

void DeadPeerWorkflow::onServerGone()
{
    if (!m_server) {
        return;
    }
    const QString why = QString::fromUtf8(m_server->readAllStandardError()).trimmed().left(300);
    disconnect(m_server, nullptr, this, nullptr);
    m_server = nullptr;
    if (m_phase == Phase::Starting) {
        fail(QStringLiteral("the lab server exited before listening%1")
                 .arg(why.isEmpty() ? QString() : QStringLiteral(": ") + why));
    } else if (m_lab && m_lab->tornDownBySignal()) {
        // SIGINT/SIGTERM: the handler killed it and removed the namespace on purpose. Saying
        // so ends the command (which waits for this) without a misleading error.
        Q_EMIT failed(QStringLiteral("interrupted: the lab is torn down"));
    } else {
        Q_EMIT failed(QStringLiteral("the lab server exited; tear the lab down and set it up "
                                     "again"));
    }
}

void DeadPeerWorkflow::onServerTimeout()
{
    if (m_phase != Phase::Starting) {
        return;
    }
    fail(QStringLiteral("the lab server did not say where it listens within %1 s%2")
             .arg(kServerStartTimeoutMs / 1000)
             .arg(m_serverSaid.isEmpty()
                     ? QString()
                     : QStringLiteral(" (it said \"%1\")").arg(QString::fromUtf8(m_serverSaid))));
}

void DeadPeerWorkflow::fail(const QString &message)
{
    tearDown();
    Q_EMIT failed(message);
}

bool DeadPeerWorkflow::vanish(const PoolCounters &pool, QString *error)
{
    if (m_phase != Phase::Up || !m_lab) {
        return false;
    }
    QString why;
    if (!m_lab->vanish(&why)) {
        if (error) {
            *error = QStringLiteral("could not take the link down: %1").arg(why);
        }
        return false;
    }
    m_atVanish = pool;
    m_openAtVanish = pool.now.open();
    m_maxProbes = 0;
    m_allClosedAfterMs = -1;
    m_vanishedClock.start();
    setPhase(Phase::Vanished);
    return true;
}

bool DeadPeerWorkflow::restore(QString *error)
{
    if (m_phase != Phase::Vanished || !m_lab) {
        return false;
    }
    QString why;
    if (!m_lab->restore(&why)) {
        if (error) {
            *error = QStringLiteral("could not bring the link back up: %1").arg(why);
        }
        return false;
    }
    setPhase(Phase::Up);
    return true;
}

void DeadPeerWorkflow::tearDown()
{
    if (m_phase == Phase::Unavailable) {
        return;
    }
    m_deadline->stop();
    if (m_server) {
        disconnect(m_server, nullptr, this, nullptr);
    }
    m_server = nullptr;
    m_lab.reset(); // kills the server, deletes the veth pair and the namespace
    m_url.clear();
    setPhase(Phase::Down);
}

void DeadPeerWorkflow::restartCounting()
{
    m_atVanish = {};
    m_openAtVanish = 0;
    m_allClosedAfterMs = -1;
}

void DeadPeerWorkflow::observe(const PoolCounters &pool, const KernelSample &kernel)
{
    if (m_phase != Phase::Vanished) {
        return;
    }
    for (const KernelSocket &k : kernel.sockets) {
        m_maxProbes = std::max(m_maxProbes, k.keepAliveProbes);
    }
    if (m_allClosedAfterMs < 0 && m_openAtVanish > 0 && pool.now.open() == 0) {
        m_allClosedAfterMs = m_vanishedClock.elapsed();
    }
}

DeadPeerWorkflow::Progress DeadPeerWorkflow::progress(const PoolCounters &pool) const
{
    // A counter below its baseline belongs to a run started after the vanishing.
    const auto since = [](std::uint64_t now, std::uint64_t then) {
        return now >= then ? now - then : now;
    };
    Progress p;
    p.vanishedSeconds = m_vanishedClock.isValid() ? double(m_vanishedClock.elapsed()) / 1000.0 : 0;
    p.openAtVanish = m_openAtVanish;
    p.closed = since(pool.closed, m_atVanish.closed);
    p.closedByKeepAlive = since(pool.closes(CloseReason::KeepAliveTimeout),
        m_atVanish.closes(CloseReason::KeepAliveTimeout));
    p.maxProbes = m_maxProbes;
    p.allClosedAfterMs = m_allClosedAfterMs;
    return p;
}

void DeadPeerWorkflow::setPhase(Phase phase)
{
    if (m_phase == phase) {
        return;
    }
    m_phase = phase;
    Q_EMIT phaseChanged(phase);
}

} // namespace poolscope
