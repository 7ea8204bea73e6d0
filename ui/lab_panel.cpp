#include "lab_panel.h"

#include "connections_view.h"
#include "kernel/dead_peer_lab.h"
#include "kernel/kernel_settings.h"
#include "knob_widget.h"
#include "load/engine_controller.h"
#include "main_window.h"
#include "settings_panel.h"

#include <QCheckBox>
#include <QCoreApplication>
#include <QDoubleSpinBox>
#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QProcess>
#include <QPushButton>
#include <QRegularExpression>
#include <QTimer>
#include <QVBoxLayout>

namespace poolscope {

namespace {

// A line longer than this from the server is not its "listening on URL".
constexpr qsizetype kMaxLine = 4096;
constexpr int kTickMs = 100; // status refresh while the lab is up (the UI tick rate)

std::optional<QString> &reasonOverride()
{
    static std::optional<QString> reason;
    return reason;
}

QString label(std::string_view text)
{
    return QString::fromUtf8(text.data(), qsizetype(text.size()));
}

QString plural(std::uint64_t n, const char *one, const char *many)
{
    return QStringLiteral("%1 %2").arg(n).arg(QLatin1String(n == 1 ? one : many));
}

} // namespace

LabPanel::LabPanel(MainWindow *window, QWidget *parent)
    : QWidget(parent)
    , m_window(window)
    , m_reason(unavailableReason())
    , m_program(QCoreApplication::applicationFilePath())
{
    auto *v = new QVBoxLayout(this);
    v->setContentsMargins(6, 6, 6, 6);
    v->setSpacing(6);

    // What to press and what happens first; the keep-alive figures next; the explanation
    // last, where a short dock may scroll it away.
    auto button = [this](QBoxLayout *row, const QString &text, const QString &tip) {
        auto *b = new QPushButton(text, this);
        b->setToolTip(tip);
        b->setFocusPolicy(Qt::NoFocus);
        row->addWidget(b);
        return b;
    };
    auto *buttons = new QHBoxLayout;
    m_setUp = button(buttons, QStringLiteral("Set up lab"),
        QStringLiteral("Create the network namespace and its veth pair, start a server inside, "
                       "point the target URL at it and open up to %1 pooled connections")
            .arg(kMaxWorkers));
    m_vanish = button(buttons, QStringLiteral("Vanish server"),
        QStringLiteral("Take the namespace's end of the link down: the server disappears without "
                       "a FIN or RST, every packet toward it is dropped"));
    m_restore = button(buttons, QStringLiteral("Restore"),
        QStringLiteral("Bring the link back up: the server answers again"));
    m_tearDown = button(buttons, QStringLiteral("Tear down"),
        QStringLiteral("Stop the server, delete the namespace and the veth pair, return the "
                       "window to the scenario it showed before"));
    buttons->addStretch(1);
    v->addLayout(buttons);

    m_status = new QLabel(this);
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont bold = m_status->font();
    bold.setBold(true);
    m_status->setFont(bold);
    v->addWidget(m_status);

    auto *keepAliveBox = new QHBoxLayout;
    m_keepAlive = new QLabel(this);
    m_keepAlive->setWordWrap(true);
    m_keepAlive->setStyleSheet(QStringLiteral("QLabel { background: #f3f6fb; padding: 4px; }"));
    keepAliveBox->addWidget(m_keepAlive, 1);
    m_shortKeepAlive = button(keepAliveBox, QStringLiteral("Short keep-alive\n(1 s, 1 s, 3)"),
        QStringLiteral("Set Dialer.KeepAliveConfig in the Settings dock to Enable, Idle 1 s, "
                       "Interval 1 s, Count 3, so the kernel gives up after about 4 s"));
    v->addLayout(keepAliveBox);

    m_intro = new QLabel(this);
    m_intro->setWordWrap(true);
    m_intro->setStyleSheet(QStringLiteral("QLabel { color: #444; }"));
    m_intro->setText(QStringLiteral(
        "A server that vanishes without closing its connections (power cut, pulled cable, a "
        "firewall dropping its state) sends no FIN or RST, so pooled connections to it look "
        "healthy. Only TCP keep-alive notices: after Idle seconds of silence the kernel "
        "probes, then every Interval; after Count unanswered probes it closes the connection "
        "(Go sees ETIMEDOUT). Without keep-alive the dead connection stays pooled until a "
        "request hangs on it. The lab runs a server in a network namespace, pools up to %1 "
        "idle connections to it, then takes its link down.")
                         .arg(kMaxWorkers));
    v->addWidget(m_intro);
    v->addStretch(1);

    connect(m_setUp, &QPushButton::clicked, this, &LabPanel::setUpLab);
    connect(m_vanish, &QPushButton::clicked, this, &LabPanel::vanishServer);
    connect(m_restore, &QPushButton::clicked, this, &LabPanel::restoreServer);
    connect(m_tearDown, &QPushButton::clicked, this, &LabPanel::tearDownLab);
    connect(m_shortKeepAlive, &QPushButton::clicked, this, &LabPanel::useShortKeepAlive);

    m_deadline = new QTimer(this);
    m_deadline->setSingleShot(true);
    connect(m_deadline, &QTimer::timeout, this, &LabPanel::onServerTimeout);
    m_tick = new QTimer(this);
    m_tick->setInterval(kTickMs);
    connect(m_tick, &QTimer::timeout, this, &LabPanel::refresh);

    connect(m_window->settings(), &SettingsPanel::knobEdited, this, &LabPanel::refresh);
    connect(m_window, &MainWindow::runStateChanged, this, [this](bool running) {
        if (!running) {
            return;
        }
        // A new run dials new connections with the knobs of now; counters restart.
        m_runKeepAlive = m_window->transportConfig().effectiveKeepAlive();
        m_keepAliveClosesAtVanish = 0;
        m_closedAtVanish = 0;
        m_openAtVanish = 0;
        m_allClosedAfterMs = -1;
        refresh();
    });
    // The namespace must not outlive the window or the process.
    m_window->installEventFilter(this);
    connect(qApp, &QCoreApplication::aboutToQuit, this, [this] {
        disconnectServer();
        m_lab.reset();
    });

    m_phase = m_reason.isEmpty() ? Phase::Down : Phase::Unavailable;
    refresh();
}

LabPanel::~LabPanel()
{
    // The window may be half destroyed here: only our own lab is touched.
    disconnectServer();
    m_lab.reset(); // DeadPeerLab's destructor tears everything down
}

void LabPanel::setUnavailableReasonOverride(const std::optional<QString> &reason)
{
    reasonOverride() = reason;
}

QString LabPanel::unavailableReason()
{
    if (reasonOverride()) {
        return *reasonOverride();
    }
    return DeadPeerLab::unavailableReason();
}

int LabPanel::expectedKillSeconds(const EffectiveKeepAlive &ka, const KernelSettings &kernel)
{
    if (!ka.enable) {
        return -1;
    }
    // A field Go leaves alone (-1) keeps the kernel's sysctl value.
    const int idle = ka.idleSeconds >= 0 ? ka.idleSeconds : kernel.keepaliveTime;
    const int interval = ka.intervalSeconds >= 0 ? ka.intervalSeconds : kernel.keepaliveIntvl;
    const int count = ka.count >= 0 ? ka.count : kernel.keepaliveProbes;
    if (idle < 0 || interval < 0 || count < 0) {
        return -1;
    }
    return idle + interval * count;
}

QString LabPanel::namespaceName() const
{
    return m_lab ? m_lab->namespaceName() : QString();
}

bool LabPanel::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_window && event->type() == QEvent::Close) {
        disconnectServer();
        m_lab.reset();
        m_deadline->stop();
        if (m_phase != Phase::Unavailable) {
            setPhase(Phase::Down);
        }
    }
    return QWidget::eventFilter(watched, event);
}

void LabPanel::setUpLab()
{
    if (m_phase != Phase::Down) {
        return;
    }
    m_error.clear();
    static bool signalCleanupInstalled = false;
    if (!signalCleanupInstalled) {
        DeadPeerLab::installSignalCleanup();
        signalCleanupInstalled = true;
    }
    m_lab = std::make_unique<DeadPeerLab>();
    QString error;
    if (!m_lab->setUp(&error)) {
        m_lab.reset();
        fail(QStringLiteral("could not set up the lab: %1").arg(error));
        return;
    }
    m_serverOutput.clear();
    QProcess *server = m_lab->startInNamespace(m_program,
        { QStringLiteral("serve"), QStringLiteral("--listen"),
            m_lab->peerAddress().toString() + QStringLiteral(":0") },
        &error);
    if (!server) {
        m_lab.reset();
        fail(QStringLiteral("could not start the lab server: %1").arg(error));
        return;
    }
    m_server = server;
    connect(server, &QProcess::readyReadStandardOutput, this, &LabPanel::onServerOutput);
    // Its log is not shown; drained so the pipe buffer stays small.
    connect(server, &QProcess::readyReadStandardError, this, [this] {
        if (m_server && m_phase != Phase::Starting) {
            m_server->readAllStandardError();
        }
    });
    connect(server, &QProcess::finished, this, &LabPanel::onServerGone);
    m_deadline->start(kServerStartTimeoutMs);
    setPhase(Phase::Starting);
    // The line may already be buffered by the time we are connected.
    QTimer::singleShot(0, this, &LabPanel::onServerOutput);
}

void LabPanel::onServerOutput()
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
            startLabRun();
            return;
        }
        m_serverOutput = line.left(200).toUtf8();
    }
    if (m_server->bytesAvailable() > kMaxLine) {
        fail(QStringLiteral("the lab server wrote something other than \"listening on URL\""));
        tearDownLab();
    }
}

void LabPanel::onServerGone()
{
    if (!m_server) {
        return;
    }
    const QString why = QString::fromUtf8(m_server->readAllStandardError()).trimmed().left(300);
    const Phase phase = m_phase;
    disconnectServer();
    if (phase == Phase::Starting) {
        fail(QStringLiteral("the lab server exited before listening%1")
                 .arg(why.isEmpty() ? QString() : QStringLiteral(": ") + why));
        tearDownLab();
    } else {
        fail(QStringLiteral("the lab server exited; press Tear down and set the lab up again"));
    }
}

void LabPanel::onServerTimeout()
{
    if (m_phase != Phase::Starting) {
        return;
    }
    fail(QStringLiteral("the lab server did not say where it listens within %1 s%2")
             .arg(kServerStartTimeoutMs / 1000)
             .arg(m_serverOutput.isEmpty()
                     ? QString()
                     : QStringLiteral(" (it said \"%1\")").arg(QString::fromUtf8(m_serverOutput))));
    tearDownLab();
}

void LabPanel::startLabRun()
{
    m_window->applyPendingChanges();
    if (!m_haveSaved) {
        m_savedScenario = m_window->scenario();
        m_savedUrl = m_window->targetUrl();
        m_haveSaved = true;
    }
    const TransportConfig transport = m_window->transportConfig();
    // No more connections than the pool keeps idle: the lab is about idle ones.
    m_workers = std::clamp(transport.effectiveMaxIdleConnsPerHost(), 1, kMaxWorkers);
    Preset lab;
    lab.id = QStringLiteral("dead-peer-lab");
    lab.title = QStringLiteral("Dead-peer lab");
    lab.explanation
        = QStringLiteral("%1 workers make one request each to the server in network namespace "
                         "%2, then the pool keeps the connections idle. Press Vanish server in "
                         "the Dead-peer lab panel and watch the Connections view: with TCP "
                         "keep-alive the kernel probes and closes them; without it they stay "
                         "pooled, dead. The keep-alive knobs are in the Dialer group.")
              .arg(m_workers)
              .arg(m_lab ? m_lab->namespaceName() : QString());
    lab.transport = transport; // the user's knobs, keep-alive included
    lab.server = m_window->serverConfig();
    lab.load.url = m_url;
    lab.load.workers = m_workers;
    lab.load.requestsPerWorker = 1;
    lab.load.linger = kLinger;
    m_window->loadScenario(lab); // stops a run in progress
    setPhase(Phase::Up);
    m_window->startRun();
}

void LabPanel::vanishServer()
{
    if (m_phase != Phase::Up || !m_lab) {
        return;
    }
    m_error.clear();
    QString error;
    if (!m_lab->vanish(&error)) {
        fail(QStringLiteral("could not take the link down: %1").arg(error));
        return;
    }
    const EngineSnapshot &s = m_window->lastSnapshot();
    m_keepAliveClosesAtVanish = s.pool.closes(CloseReason::KeepAliveTimeout);
    m_closedAtVanish = s.pool.closed;
    m_openAtVanish = s.pool.now.open();
    m_maxProbes = 0;
    m_allClosedAfterMs = -1;
    m_vanishedClock.start();
    setPhase(Phase::Vanished);
}

void LabPanel::restoreServer()
{
    if (m_phase != Phase::Vanished || !m_lab) {
        return;
    }
    m_error.clear();
    QString error;
    if (!m_lab->restore(&error)) {
        fail(QStringLiteral("could not bring the link back up: %1").arg(error));
        return;
    }
    setPhase(Phase::Up);
}

void LabPanel::tearDownLab()
{
    if (m_phase == Phase::Unavailable || m_phase == Phase::Down) {
        return;
    }
    m_deadline->stop();
    disconnectServer();
    // Give the window back only if the lab still owns it (the user may have loaded a preset).
    const bool ownsWindow = m_haveSaved && !m_url.isEmpty() && m_window->targetUrl() == m_url;
    if (ownsWindow) {
        m_window->stopRun();
    }
    m_lab.reset(); // kills the server, deletes the veth pair and the namespace
    if (ownsWindow) {
        m_window->loadScenario(m_savedScenario);
        m_window->setTargetUrl(m_savedUrl);
    }
    m_haveSaved = false;
    m_url.clear();
    setPhase(Phase::Down);
}

void LabPanel::useShortKeepAlive()
{
    if (m_phase == Phase::Unavailable) {
        return;
    }
    SettingsPanel *settings = m_window->settings();
    if (KnobWidget *k = settings->knob(QStringLiteral("KeepAliveConfig.Enable"));
        k && k->checkBox()) {
        k->checkBox()->setChecked(true);
    }
    const std::pair<const char *, double> values[] = {
        { "KeepAliveConfig.Idle", 1 },
        { "KeepAliveConfig.Interval", 1 },
        { "KeepAliveConfig.Count", 3 },
    };
    for (const auto &[key, value] : values) {
        KnobWidget *k = settings->knob(QString::fromLatin1(key));
        if (k && k->spinBox()) {
            k->spinBox()->setValue(value); // exactly what typing into the spin box does
        }
    }
    m_window->applyPendingChanges();
    refresh();
}

void LabPanel::fail(const QString &message)
{
    m_error = message;
    refresh();
}

void LabPanel::disconnectServer()
{
    if (m_server) {
        disconnect(m_server, nullptr, this, nullptr);
    }
    m_server = nullptr;
}

void LabPanel::setPhase(Phase phase)
{
    if (m_phase == phase) {
        refresh();
        return;
    }
    m_phase = phase;
    const bool live = phase == Phase::Starting || phase == Phase::Up || phase == Phase::Vanished;
    if (live) {
        m_tick->start();
    } else {
        m_tick->stop();
    }
    refresh();
    Q_EMIT phaseChanged(phase);
}

void LabPanel::updateButtons()
{
    const bool available = m_phase != Phase::Unavailable;
    m_setUp->setEnabled(m_phase == Phase::Down);
    m_vanish->setEnabled(m_phase == Phase::Up);
    m_restore->setEnabled(m_phase == Phase::Vanished);
    m_tearDown->setEnabled(
        m_phase == Phase::Starting || m_phase == Phase::Up || m_phase == Phase::Vanished);
    m_shortKeepAlive->setEnabled(available);
}

void LabPanel::refresh()
{
    if (m_phase == Phase::Vanished) {
        const EngineSnapshot &s = m_window->lastSnapshot();
        for (const ConnInfo &c : s.conns) {
            m_maxProbes = std::max(m_maxProbes, c.keepAliveProbes);
        }
        if (m_allClosedAfterMs < 0 && m_openAtVanish > 0 && s.pool.now.open() == 0) {
            m_allClosedAfterMs = m_vanishedClock.elapsed();
        }
    }
    updateButtons();
    m_keepAlive->setText(keepAliveText());
    const QString status = computeStatus();
    m_status->setText(m_error.isEmpty()
            ? status
            : QStringLiteral("Error: %1.%2")
                  .arg(m_error, status.isEmpty() ? QString() : u' ' + status));
    m_status->setStyleSheet(m_error.isEmpty() && m_phase != Phase::Unavailable
            ? QString()
            : QStringLiteral("color: #b00020;"));
}

QString LabPanel::keepAliveText() const
{
    const TransportConfig t = m_window->transportConfig();
    const EffectiveKeepAlive ka = t.effectiveKeepAlive();
    QString text;
    if (!ka.enable) {
        text = QStringLiteral(
            "TCP keep-alive is off (Dialer.KeepAlive is negative and KeepAliveConfig.Enable is "
            "off): the kernel never checks an idle connection, so a vanished peer goes unnoticed "
            "until a request uses the connection.");
    } else {
        static const KernelSettings kernel = KernelSettings::read();
        auto field = [](int go, int sysctl, const char *unit) {
            if (go >= 0) {
                return QStringLiteral("%1%2").arg(go).arg(QLatin1String(unit));
            }
            return sysctl >= 0
                ? QStringLiteral("%1%2 (kernel default)").arg(sysctl).arg(QLatin1String(unit))
                : QStringLiteral("the kernel default");
        };
        text = QStringLiteral("TCP keep-alive in effect (Settings dock, Dialer.KeepAlive / "
                              "KeepAliveConfig): first probe after %1 idle, then every %2, give "
                              "up after %3 unanswered probes.")
                   .arg(field(ka.idleSeconds, kernel.keepaliveTime, " s"),
                       field(ka.intervalSeconds, kernel.keepaliveIntvl, " s"),
                       field(ka.count, kernel.keepaliveProbes, ""));
        const int kill = expectedKillSeconds(ka, kernel);
        if (kill >= 0) {
            text += QStringLiteral(" Expected kill time Idle + Interval × Count = %1 s.").arg(kill);
            const auto idleTimeout
                = std::chrono::duration_cast<std::chrono::seconds>(t.idleConnTimeout).count();
            if (t.idleConnTimeout > Duration::zero() && idleTimeout <= kill) {
                text += QStringLiteral(" IdleConnTimeout (%1 s) is shorter: the pool will close "
                                       "the idle connections before the kernel notices.")
                            .arg(idleTimeout);
            }
        }
    }
    if ((m_phase == Phase::Up || m_phase == Phase::Vanished) && ka != m_runKeepAlive) {
        text += QStringLiteral(" The lab's connections were dialed with other keep-alive "
                               "settings; press Start (Space) for a new run that uses these.");
    }
    return text;
}

QString LabPanel::computeStatus() const
{
    switch (m_phase) {
    case Phase::Unavailable:
        return QStringLiteral("The dead-peer lab is unavailable here: %1").arg(m_reason);
    case Phase::Down:
        return m_error.isEmpty() ? QStringLiteral("Not set up. Press Set up lab.") : QString();
    case Phase::Starting:
        return QStringLiteral("Namespace %1 is up; starting the server inside it…")
            .arg(namespaceName());
    case Phase::Up:
    case Phase::Vanished:
        break;
    }
    const EngineSnapshot &s = m_window->lastSnapshot();
    const QString where = QStringLiteral("Server %1 in namespace %2.").arg(m_url, namespaceName());
    if (m_window->targetUrl() != m_url) {
        return QStringLiteral("%1 The window's target is no longer the lab server: Tear down, or "
                              "type the lab URL back.")
            .arg(where);
    }
    if (m_phase == Phase::Up) {
        if (s.pool.now.idle > 0) {
            QString kernel;
            for (const ConnInfo &c : s.conns) {
                if (c.state == ConnState::Idle && c.kernelState != TcpState::Unknown) {
                    kernel = QStringLiteral(" (kernel: %1, timer %2)")
                                 .arg(QLatin1String(tcpStateName(c.kernelState)),
                                     ConnectionsModel::kernelTimerText(c));
                    break;
                }
            }
            return QStringLiteral("%1 %2 idle in the pool%3. Press Vanish server: its link goes "
                                  "down, no FIN, no RST.")
                .arg(where, plural(std::uint64_t(s.pool.now.idle), "connection", "connections"),
                    kernel);
        }
        if (m_window->isRunning()) {
            return QStringLiteral("%1 Opening %2…")
                .arg(where, plural(std::uint64_t(m_workers), "connection", "connections"));
        }
        const TransportConfig t = m_window->transportConfig();
        if (t.disableKeepAlives || t.effectiveMaxIdleConnsPerHost() == 0) {
            return QStringLiteral("%1 Nothing stays pooled: DisableKeepAlives is on or "
                                  "MaxIdleConnsPerHost is negative. Change them and press Start "
                                  "(Space).")
                .arg(where);
        }
        return QStringLiteral("%1 No pooled connections to it: press Start (Space) for a new run.")
            .arg(where);
    }

    const double ago = double(m_vanishedClock.elapsed()) / 1000.0;
    const std::uint64_t byKeepAlive
        = s.pool.closes(CloseReason::KeepAliveTimeout) >= m_keepAliveClosesAtVanish
        ? s.pool.closes(CloseReason::KeepAliveTimeout) - m_keepAliveClosesAtVanish
        : s.pool.closes(CloseReason::KeepAliveTimeout);
    const std::uint64_t closed
        = s.pool.closed >= m_closedAtVanish ? s.pool.closed - m_closedAtVanish : s.pool.closed;
    static const KernelSettings kernel = KernelSettings::read();
    const int kill = expectedKillSeconds(m_runKeepAlive, kernel);
    QString text = QStringLiteral("Peer vanished %1 s ago").arg(ago, 0, 'f', 1);
    if (m_allClosedAfterMs >= 0) {
        text += QStringLiteral(". All %1 closed %2 s after the vanishing; %3 by the kernel after "
                               "unanswered keep-alive probes (\"%4\", Go sees %5)")
                    .arg(plural(std::uint64_t(m_openAtVanish), "connection", "connections"))
                    .arg(double(m_allClosedAfterMs) / 1000.0, 0, 'f', 1)
                    .arg(byKeepAlive)
                    .arg(label(closeReasonLabel(CloseReason::KeepAliveTimeout)),
                        label(closeReasonGoName(CloseReason::KeepAliveTimeout)));
        if (closed > byKeepAlive) {
            text += QStringLiteral(", %1 for other reasons").arg(closed - byKeepAlive);
        }
        if (kill >= 0) {
            text += QStringLiteral(" (expected ~%1 s)").arg(kill);
        }
        return text + QStringLiteral(". Restore, or Tear down.");
    }
    if (kill >= 0) {
        text += QStringLiteral("; keep-alive probes sent: %1; expect the kernel to close the "
                               "connections at ~%2 s")
                    .arg(m_maxProbes)
                    .arg(kill);
        if (closed > 0) {
            text += QStringLiteral("; closed so far: %1 (%2 by keep-alive)")
                        .arg(closed)
                        .arg(byKeepAlive);
        }
        return text + QStringLiteral(". Still pooled: %1.").arg(s.pool.now.idle);
    }
    if (!m_runKeepAlive.enable) {
        return text
            + QStringLiteral(". TCP keep-alive is off, so nothing notices: %1 sit idle in the pool "
                             "and the next request on one hangs until a timeout.")
                  .arg(plural(
                      std::uint64_t(s.pool.now.idle), "dead connection", "dead connections"));
    }
    return text
        + QStringLiteral("; keep-alive probes sent: %1. Still pooled: %2.")
              .arg(m_maxProbes)
              .arg(s.pool.now.idle);
}

QString LabPanel::statusText() const
{
    return m_status->text();
}

} // namespace poolscope
