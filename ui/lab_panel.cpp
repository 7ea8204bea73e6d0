#include "lab_panel.h"

#include "close_reason_text.h"
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
#include <QPushButton>
#include <QTimer>
#include <QVBoxLayout>

namespace poolscope {

namespace {

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

// "1 connection", "2 connections", with the two forms already translated.
QString plural(std::uint64_t n, const QString &one, const QString &many)
{
    return QStringLiteral("%1 %2").arg(n).arg(n == 1 ? one : many);
}

} // namespace

LabPanel::LabPanel(MainWindow *window, QWidget *parent)
    : QWidget(parent)
    , m_window(window)
    , m_workflow(new DeadPeerWorkflow(unavailableReason(), this))
    , m_program(QCoreApplication::applicationFilePath())
{
    auto *v = new QVBoxLayout(this);
    v->setContentsMargins(6, 6, 6, 6);
    v->setSpacing(6);
    // What to press and what happens first; the keep-alive figures next; the explanation
    // last, where a short dock may scroll it away.
    v->addLayout(buildButtons());
    buildTexts(v);
    v->addStretch(1);
    connectSignals();
    refresh();
}

QPushButton *LabPanel::addButton(QBoxLayout *row, const QString &text, const QString &tip)
{
    auto *b = new QPushButton(text, this);
    b->setToolTip(tip);
    b->setFocusPolicy(Qt::NoFocus);
    row->addWidget(b);
    return b;
}

QHBoxLayout *LabPanel::buildButtons()
{
    auto *buttons = new QHBoxLayout;
    m_setUp = addButton(buttons, tr("Set up lab"),
        tr("Create the network namespace and its veth pair, start a server inside, "
           "point the target URL at it and open up to %1 pooled connections")
            .arg(kMaxWorkers));
    m_vanish = addButton(buttons, tr("Vanish server"),
        tr("Take the namespace's end of the link down: the server disappears without "
           "a FIN or RST, every packet toward it is dropped"));
    m_restore
        = addButton(buttons, tr("Restore"), tr("Bring the link back up: the server answers again"));
    m_tearDown = addButton(buttons, tr("Tear down"),
        tr("Stop the server, delete the namespace and the veth pair, return the "
           "window to the scenario it showed before"));
    buttons->addStretch(1);
    return buttons;
}

// The status line, the keep-alive figures with their button, and the explanation.
void LabPanel::buildTexts(QVBoxLayout *v)
{
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
    m_shortKeepAlive = addButton(keepAliveBox, tr("Short keep-alive\n(1 s, 1 s, 3)"),
        tr("Set Dialer.KeepAliveConfig in the Settings dock to Enable, Idle 1 s, "
           "Interval 1 s, Count 3, so the kernel gives up after about 4 s"));
    v->addLayout(keepAliveBox);

    m_intro = new QLabel(this);
    m_intro->setWordWrap(true);
    m_intro->setStyleSheet(QStringLiteral("QLabel { color: #444; }"));
    m_intro->setText(
        tr("A server that vanishes without closing its connections (power cut, pulled cable, a "
           "firewall dropping its state) sends no FIN or RST, so pooled connections to it look "
           "healthy. Only TCP keep-alive notices: after Idle seconds of silence the kernel "
           "probes, then every Interval; after Count unanswered probes it closes the connection "
           "(Go sees ETIMEDOUT). Without keep-alive the dead connection stays pooled until a "
           "request hangs on it. The lab runs a server in a network namespace, pools as many idle "
           "connections to it as MaxIdleConnsPerHost keeps (at most %1), then takes its link "
           "down.")
            .arg(kMaxWorkers));
    v->addWidget(m_intro);
}

void LabPanel::connectSignals()
{
    connect(m_setUp, &QPushButton::clicked, this, &LabPanel::setUpLab);
    connect(m_vanish, &QPushButton::clicked, this, &LabPanel::vanishServer);
    connect(m_restore, &QPushButton::clicked, this, &LabPanel::restoreServer);
    connect(m_tearDown, &QPushButton::clicked, this, &LabPanel::tearDownLab);
    connect(m_shortKeepAlive, &QPushButton::clicked, this, &LabPanel::useShortKeepAlive);

    connect(m_workflow, &DeadPeerWorkflow::phaseChanged, this, &LabPanel::onPhaseChanged);
    connect(m_workflow, &DeadPeerWorkflow::listening, this, &LabPanel::startLabRun);
    connect(m_workflow, &DeadPeerWorkflow::failed, this, &LabPanel::fail);
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
        m_workflow->restartCounting();
        refresh();
    });
    // The namespace must not outlive the window or the process.
    m_window->installEventFilter(this);
    connect(qApp, &QCoreApplication::aboutToQuit, m_workflow, &DeadPeerWorkflow::tearDown);
}

LabPanel::~LabPanel()
{
    // The window may be half destroyed here: only our own lab is touched, silently.
    disconnect(m_workflow, nullptr, this, nullptr);
    delete m_workflow; // tears everything down
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

bool LabPanel::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_window && event->type() == QEvent::Close) {
        m_workflow->tearDown();
    }
    return QWidget::eventFilter(watched, event);
}

void LabPanel::setUpLab()
{
    if (phase() != Phase::Down) {
        return;
    }
    // The lab run replaces the one on the charts.
    if (!m_window->confirmDiscard(tr("Set up the dead-peer lab"), { m_window->runLoss() })) {
        return;
    }
    m_error.clear();
    QString error;
    if (!m_workflow->setUp(m_program, &error)) {
        fail(error);
    }
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
    lab.title = tr("Dead-peer lab");
    lab.explanation = tr("%1 workers make one request each to the server in network namespace "
                         "%2, then the pool keeps the connections idle. Press Vanish server in "
                         "the Dead-peer lab panel and watch the Connections view: with TCP "
                         "keep-alive the kernel probes and closes them; without it they stay "
                         "pooled, dead. The keep-alive knobs are in the Dialer group.")
                          .arg(m_workers)
                          .arg(m_workflow->namespaceName());
    lab.transport = transport; // the user's knobs, keep-alive included
    lab.server = m_window->serverConfig();
    lab.load.url = m_workflow->url();
    lab.load.workers = m_workers;
    lab.load.requestsPerWorker = 1;
    lab.load.linger = kLinger;
    m_window->loadScenario(lab); // stops a run in progress
    // The lab's own server, in a namespace on this machine: no question.
    m_window->allowTarget(lab.load.url);
    m_window->startRun();
}

void LabPanel::vanishServer()
{
    if (phase() != Phase::Up) {
        return;
    }
    m_error.clear();
    QString error;
    if (!m_workflow->vanish(m_window->lastSnapshot().pool, &error)) {
        fail(error);
    }
}

void LabPanel::restoreServer()
{
    if (phase() != Phase::Vanished) {
        return;
    }
    m_error.clear();
    QString error;
    if (!m_workflow->restore(&error)) {
        fail(error);
    }
}

void LabPanel::tearDownLab()
{
    if (phase() == Phase::Unavailable || phase() == Phase::Down) {
        return;
    }
    // Give the window back only if the lab still owns it (the user may have loaded a preset).
    const QString url = m_workflow->url();
    const bool ownsWindow = m_haveSaved && !url.isEmpty() && m_window->targetUrl() == url;
    // The window goes back to the scenario before the lab: knobs moved since are lost.
    if (ownsWindow
        && !m_window->confirmDiscard(tr("Tear down the dead-peer lab"), { m_window->knobLoss() })) {
        return;
    }
    if (ownsWindow) {
        m_window->stopRun();
    }
    m_workflow->tearDown(); // kills the server, deletes the veth pair and the namespace
    if (ownsWindow) {
        m_window->loadScenario(m_savedScenario);
        m_window->setTargetUrl(m_savedUrl);
    }
    m_haveSaved = false;
}

void LabPanel::useShortKeepAlive()
{
    if (phase() == Phase::Unavailable) {
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

void LabPanel::onPhaseChanged(Phase phase)
{
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
    const Phase now = phase();
    m_setUp->setEnabled(now == Phase::Down);
    m_vanish->setEnabled(now == Phase::Up);
    m_restore->setEnabled(now == Phase::Vanished);
    m_tearDown->setEnabled(now == Phase::Starting || now == Phase::Up || now == Phase::Vanished);
    m_shortKeepAlive->setEnabled(now != Phase::Unavailable);
}

void LabPanel::refresh()
{
    const EngineSnapshot &s = m_window->lastSnapshot();
    m_workflow->observe(s.pool, s.kernel);
    updateButtons();
    m_keepAlive->setText(keepAliveText());
    const QString status = computeStatus();
    m_status->setText(m_error.isEmpty()
            ? status
            : tr("Error: %1.%2").arg(m_error, status.isEmpty() ? QString() : u' ' + status));
    m_status->setStyleSheet(m_error.isEmpty() && phase() != Phase::Unavailable
            ? QString()
            : QStringLiteral("color: #b00020;"));
}

QString LabPanel::keepAliveText() const
{
    const TransportConfig t = m_window->transportConfig();
    const EffectiveKeepAlive ka = t.effectiveKeepAlive();
    QString text;
    if (!ka.enable) {
        text = tr("TCP keep-alive is off (Dialer.KeepAlive is negative and KeepAliveConfig.Enable "
                  "is off): the kernel never checks an idle connection, so a vanished peer goes "
                  "unnoticed until a request uses the connection.");
    } else {
        static const KernelSettings kernel = KernelSettings::read();
        auto field = [](int go, int sysctl, const char *unit) {
            if (go >= 0) {
                return QStringLiteral("%1%2").arg(go).arg(QLatin1String(unit));
            }
            return sysctl >= 0 ? tr("%1%2 (kernel default)").arg(sysctl).arg(QLatin1String(unit))
                               : tr("the kernel default");
        };
        text = tr("TCP keep-alive in effect (Settings dock, Dialer.KeepAlive / "
                  "KeepAliveConfig): first probe after %1 idle, then every %2, give "
                  "up after %3 unanswered probes.")
                   .arg(field(ka.idleSeconds, kernel.keepaliveTime, " s"),
                       field(ka.intervalSeconds, kernel.keepaliveIntvl, " s"),
                       field(ka.count, kernel.keepaliveProbes, ""));
        const int kill = DeadPeerWorkflow::expectedKillSeconds(ka, kernel);
        if (kill >= 0) {
            text += tr(" Expected kill time Idle + Interval × Count = %1 s.").arg(kill);
            const auto idleTimeout
                = std::chrono::duration_cast<std::chrono::seconds>(t.idleConnTimeout).count();
            if (t.idleConnTimeout > Duration::zero() && idleTimeout <= kill) {
                text += tr(" IdleConnTimeout (%1 s) is shorter: the pool will close "
                           "the idle connections before the kernel notices.")
                            .arg(idleTimeout);
            }
        }
    }
    if ((phase() == Phase::Up || phase() == Phase::Vanished) && ka != m_runKeepAlive) {
        text += tr(" The lab's connections were dialed with other keep-alive "
                   "settings; press Start (Space) for a new run that uses these.");
    }
    return text;
}

QString LabPanel::computeStatus() const
{
    switch (phase()) {
    case Phase::Unavailable:
        return tr("The dead-peer lab is unavailable here: %1").arg(m_workflow->unavailableReason());
    case Phase::Down:
        return m_error.isEmpty() ? tr("Not set up. Press Set up lab.") : QString();
    case Phase::Starting:
        return tr("Namespace %1 is up; starting the server inside it…").arg(namespaceName());
    case Phase::Up:
    case Phase::Vanished:
        break;
    }
    const EngineSnapshot &s = m_window->lastSnapshot();
    const QString url = m_workflow->url();
    const QString where = tr("Server %1 in namespace %2.").arg(url, namespaceName());
    if (m_window->targetUrl() != url) {
        return tr("%1 The window's target is no longer the lab server: Tear down, or "
                  "type the lab URL back.")
            .arg(where);
    }
    return phase() == Phase::Up ? upStatus(s, where) : vanishedStatus(s);
}

// Phase::Up: the lab server answers; are connections pooled to it yet?
QString LabPanel::upStatus(const EngineSnapshot &s, const QString &where) const
{
    if (s.pool.now.idle > 0) {
        QString kernel;
        for (const ConnInfo &c : s.conns) {
            if (c.state == ConnState::Idle && c.kernelState != TcpState::Unknown) {
                kernel = tr(" (kernel: %1, timer %2)")
                             .arg(QLatin1String(tcpStateName(c.kernelState)),
                                 ConnectionsModel::kernelTimerText(c));
                break;
            }
        }
        return tr("%1 %2 idle in the pool%3. Press Vanish server: its link goes "
                  "down, no FIN, no RST.")
            .arg(where, plural(std::uint64_t(s.pool.now.idle), tr("connection"), tr("connections")),
                kernel);
    }
    if (m_window->isRunning()) {
        return tr("%1 Opening %2…")
            .arg(where, plural(std::uint64_t(m_workers), tr("connection"), tr("connections")));
    }
    const TransportConfig t = m_window->transportConfig();
    if (t.disableKeepAlives || t.effectiveMaxIdleConnsPerHost() == 0) {
        return tr("%1 Nothing stays pooled: DisableKeepAlives is on or "
                  "MaxIdleConnsPerHost is negative. Change them and press Start "
                  "(Space).")
            .arg(where);
    }
    return tr("%1 No pooled connections to it: press Start (Space) for a new run.").arg(where);
}

// Phase::Vanished: how far the kernel got in closing the dead connections.
QString LabPanel::vanishedStatus(const EngineSnapshot &s) const
{
    const DeadPeerWorkflow::Progress p = m_workflow->progress(s.pool);
    const std::uint64_t byKeepAlive = p.closedByKeepAlive;
    static const KernelSettings kernel = KernelSettings::read();
    const int kill = DeadPeerWorkflow::expectedKillSeconds(m_runKeepAlive, kernel);
    QString text = tr("Peer vanished %1 s ago").arg(p.vanishedSeconds, 0, 'f', 1);
    if (p.allClosedAfterMs >= 0) {
        text += tr(". All %1 closed %2 s after the vanishing; %3 by the kernel after "
                   "unanswered keep-alive probes (\"%4\", Go sees %5)")
                    .arg(plural(std::uint64_t(p.openAtVanish), tr("connection"), tr("connections")))
                    .arg(double(p.allClosedAfterMs) / 1000.0, 0, 'f', 1)
                    .arg(byKeepAlive)
                    .arg(closeReasonText(CloseReason::KeepAliveTimeout),
                        label(closeReasonGoName(CloseReason::KeepAliveTimeout)));
        if (p.closed > byKeepAlive) {
            text += tr(", %1 for other reasons").arg(p.closed - byKeepAlive);
        }
        if (kill >= 0) {
            text += tr(" (expected ~%1 s)").arg(kill);
        }
        return text + tr(". Restore, or Tear down.");
    }
    if (kill >= 0) {
        text += tr("; keep-alive probes sent: %1; expect the kernel to close the "
                   "connections at ~%2 s")
                    .arg(p.maxProbes)
                    .arg(kill);
        if (p.closed > 0) {
            text += tr("; closed so far: %1 (%2 by keep-alive)").arg(p.closed).arg(byKeepAlive);
        }
        return text + tr(". Still pooled: %1.").arg(s.pool.now.idle);
    }
    if (!m_runKeepAlive.enable) {
        return text
            + tr(". TCP keep-alive is off, so nothing notices: %1 sit idle in the pool "
                 "and the next request on one hangs until a timeout.")
                  .arg(plural(std::uint64_t(s.pool.now.idle), tr("dead connection"),
                      tr("dead connections")));
    }
    return text
        + tr("; keep-alive probes sent: %1. Still pooled: %2.")
              .arg(p.maxProbes)
              .arg(s.pool.now.idle);
}

QString LabPanel::statusText() const
{
    return m_status->text();
}

} // namespace poolscope
