#include "main_window.h"

#include "charts_panel.h"
#include "connections_view.h"
#include "go_code_panel.h"
#include "kernel/kernel_settings.h"
#include "knob_widget.h"
#include "lab_panel.h"
#include "load/engine_controller.h"
#include "server/embedded_server.h"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDockWidget>
#include <QFileDialog>
#include <QFrame>
#include <QHBoxLayout>
#include <QKeySequence>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollArea>
#include <QStatusBar>
#include <QTimer>
#include <QToolBar>
#include <QVBoxLayout>

namespace poolscope {

namespace {

QString formatClock(double seconds)
{
    const int s = std::max(0, static_cast<int>(seconds));
    return QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

const char *kDefaultPreset = "time-wait-storm";

} // namespace

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_server(std::make_unique<EmbeddedServer>())
    , m_engine(std::make_unique<EngineController>())
{
    setWindowTitle(QStringLiteral("PoolScope: Go http.Transport connection pool lab"));
    resize(1600, 1000);

    m_applyTimer = new QTimer(this);
    m_applyTimer->setSingleShot(true);
    m_applyTimer->setInterval(kApplyDelayMs);
    connect(m_applyTimer, &QTimer::timeout, this, &MainWindow::applyPendingChanges);

    buildUi();
    buildMenus();

    connect(m_engine.get(), &EngineController::snapshotReady, this, &MainWindow::onSnapshot);
    connect(m_engine.get(), &EngineController::runFinished, this, &MainWindow::onRunFinished);
    connect(m_engine.get(), &EngineController::runFailed, this, &MainWindow::onRunFailed);

    const Preset *preset = findPreset(QString::fromLatin1(kDefaultPreset));
    Q_ASSERT(preset);
    QString error;
    m_serverTls = preset->server.tls;
    if (!m_server->start(preset->server, &error)) {
        m_error->setText(QStringLiteral("The embedded server could not start: %1. Type the URL "
                                        "of another target above.")
                             .arg(error));
        m_error->show();
    }
    m_url->setText(m_server->url());
    loadScenario(*preset);
    updateTargetLabel();
}

MainWindow::~MainWindow()
{
    // The engine goes first so no request is in flight when the server closes.
    m_engine.reset();
    m_server.reset();
}

void MainWindow::buildUi()
{
    // ---- top bar ----
    auto *bar = new QToolBar(QStringLiteral("Run"), this);
    bar->setMovable(false);
    bar->setObjectName(QStringLiteral("runBar"));
    addToolBar(Qt::TopToolBarArea, bar);
    bar->addWidget(new QLabel(QStringLiteral(" Target URL ")));
    m_url = new QLineEdit(this);
    m_url->setMinimumWidth(260);
    m_url->setPlaceholderText(QStringLiteral("empty = the embedded server"));
    m_url->setToolTip(QStringLiteral(
        "The URL every worker requests. By default the embedded server PoolScope started on "
        "127.0.0.1; type another http:// or https:// URL to load a real service."));
    connect(m_url, &QLineEdit::textChanged, this, [this] { updateTargetLabel(); });
    bar->addWidget(m_url);
    m_targetLabel = new QLabel(this);
    m_targetLabel->setContentsMargins(6, 0, 12, 0);
    bar->addWidget(m_targetLabel);

    m_startStop = new QPushButton(QStringLiteral("▶ Start"), this);
    m_startStop->setToolTip(QStringLiteral("Start or stop the load (Space)"));
    QFont bold = m_startStop->font();
    bold.setBold(true);
    m_startStop->setFont(bold);
    m_startStop->setMinimumWidth(100);
    m_startStop->setFocusPolicy(Qt::NoFocus);
    connect(m_startStop, &QPushButton::clicked, this, &MainWindow::toggleRun);
    bar->addWidget(m_startStop);
    auto *reset = new QPushButton(QStringLiteral("Reset"), this);
    reset->setToolTip(QStringLiteral(
        "Stop, clear the charts and return every knob to the preset's values (Ctrl+R)"));
    reset->setFocusPolicy(Qt::NoFocus);
    connect(reset, &QPushButton::clicked, this, &MainWindow::resetRun);
    bar->addWidget(reset);

    bar->addSeparator();
    bar->addWidget(new QLabel(QStringLiteral(" Preset ")));
    m_presets = new QComboBox(this);
    int index = 1;
    for (const Preset &p : builtinPresets()) {
        m_presets->addItem(
            index <= 9 ? QStringLiteral("%1. %2").arg(index).arg(p.title) : p.title, p.id);
        ++index;
    }
    m_presets->setToolTip(QStringLiteral("A scenario: knobs, load and server settings with an "
                                         "explanation (Ctrl+1 ... Ctrl+9)"));
    connect(m_presets, &QComboBox::activated, this,
        [this](int i) { loadPreset(m_presets->itemData(i).toString()); });
    bar->addWidget(m_presets);
    bar->addSeparator();
    m_elapsed = new QLabel(this);
    m_elapsed->setContentsMargins(8, 0, 8, 0);
    m_elapsed->setMinimumWidth(150);
    bar->addWidget(m_elapsed);
    auto *help = new QPushButton(QStringLiteral("? Help"), this);
    help->setFocusPolicy(Qt::NoFocus);
    help->setToolTip(QStringLiteral("What am I looking at? (F1)"));
    connect(help, &QPushButton::clicked, this, &MainWindow::showHelp);
    bar->addWidget(help);

    // ---- centre: explanation, errors, charts ----
    auto *central = new QWidget(this);
    auto *v = new QVBoxLayout(central);
    v->setContentsMargins(4, 4, 4, 0);
    v->setSpacing(4);
    auto *explain = new QFrame(central);
    explain->setFrameShape(QFrame::StyledPanel);
    explain->setStyleSheet(QStringLiteral("QFrame { background: #f3f6fb; }"));
    auto *ev = new QVBoxLayout(explain);
    ev->setContentsMargins(8, 4, 8, 6);
    ev->setSpacing(2);
    m_explanationTitle = new QLabel(explain);
    QFont tf = m_explanationTitle->font();
    tf.setBold(true);
    tf.setPointSizeF(tf.pointSizeF() * 1.1);
    m_explanationTitle->setFont(tf);
    m_explanation = new QLabel(explain);
    m_explanation->setWordWrap(true);
    m_explanation->setTextInteractionFlags(Qt::TextSelectableByMouse);
    ev->addWidget(m_explanationTitle);
    ev->addWidget(m_explanation);
    v->addWidget(explain);
    m_error = new QLabel(central);
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color: #b00020; font-weight: bold;"));
    m_error->hide();
    v->addWidget(m_error);
    m_charts = new ChartsPanel(central);
    v->addWidget(m_charts, 1);
    setCentralWidget(central);

    // ---- settings dock ----
    m_settings = new SettingsPanel;
    auto *scroll = new QScrollArea;
    scroll->setWidget(m_settings);
    scroll->setWidgetResizable(true);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    scroll->setMinimumWidth(m_settings->sizeHint().width() + 24);
    auto *settingsDock
        = new QDockWidget(QStringLiteral("Settings (change them while it runs)"), this);
    settingsDock->setObjectName(QStringLiteral("settingsDock"));
    settingsDock->setWidget(scroll);
    settingsDock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable);
    addDockWidget(Qt::LeftDockWidgetArea, settingsDock);
    connect(m_settings, &SettingsPanel::knobEdited, this, &MainWindow::onKnobEdited);

    // ---- Go code dock ----
    m_goCode = new GoCodePanel;
    auto *goDock = new QDockWidget(QStringLiteral("Go code"), this);
    goDock->setObjectName(QStringLiteral("goCodeDock"));
    goDock->setWidget(m_goCode);
    goDock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable);
    addDockWidget(Qt::RightDockWidgetArea, goDock);
    resizeDocks({ goDock }, { 440 }, Qt::Horizontal);

    // ---- connections (swimlanes) and the dead-peer lab below the charts, side by side,
    // hidden until asked for ----
    m_connections = new ConnectionsView;
    m_connectionsDock = new QDockWidget(QStringLiteral("Connections"), this);
    m_connectionsDock->setObjectName(QStringLiteral("connectionsDock"));
    m_connectionsDock->setWidget(m_connections);
    addDockWidget(Qt::BottomDockWidgetArea, m_connectionsDock);
    resizeDocks({ m_connectionsDock }, { 280 }, Qt::Vertical);
    m_lab = new LabPanel(this);
    auto *labScroll = new QScrollArea;
    labScroll->setWidget(m_lab);
    labScroll->setWidgetResizable(true);
    labScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_labDock = new QDockWidget(QStringLiteral("Dead-peer lab"), this);
    m_labDock->setObjectName(QStringLiteral("labDock"));
    m_labDock->setWidget(labScroll);
    addDockWidget(Qt::BottomDockWidgetArea, m_labDock);
    splitDockWidget(m_labDock, m_connectionsDock, Qt::Horizontal);
    m_connectionsDock->hide();
    m_labDock->hide();
    connect(m_connectionsDock, &QDockWidget::visibilityChanged, this, [this](bool visible) {
        if (visible) {
            m_connections->setSnapshot(m_last); // it is not fed while hidden
        }
    });
    connect(m_lab, &LabPanel::phaseChanged, this, [this](LabPanel::Phase phase) {
        if (phase == LabPanel::Phase::Starting) {
            m_connectionsDock->show(); // the lab is watched there
        }
    });
    QAction *showConnections = m_connectionsDock->toggleViewAction();
    showConnections->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C));
    showConnections->setToolTip(
        QStringLiteral("Every open connection with its kernel socket (Ctrl+Shift+C)"));
    QAction *showLab = m_labDock->toggleViewAction();
    connect(showLab, &QAction::toggled, this, [this](bool on) {
        if (!on) {
            return;
        }
        m_connectionsDock->show(); // the lab is watched there
        // Sizes apply once both docks are laid out.
        QTimer::singleShot(0, this, [this] {
            resizeDocks({ m_labDock, m_connectionsDock }, { 640, width() - 640 }, Qt::Horizontal);
            resizeDocks({ m_labDock }, { 300 }, Qt::Vertical);
        });
    });
    showLab->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_L));
    showLab->setToolTip(QStringLiteral(
        "Make the server vanish without a FIN and watch TCP keep-alive (Ctrl+Shift+L)"));
    bar->addSeparator();
    bar->addAction(showConnections);
    bar->addAction(showLab);

    // ---- status bar ----
    const std::pair<const char *, const char *> fields[] = {
        { "rps", "Requests finished per second" },
        { "reqPerConn",
            "Requests served per TCP connection: total, and over the last 5 s. Single "
            "digits mean connections churn." },
        { "reuse",
            "Share of requests that got a pooled (reused) connection instead of a new dial" },
        { "openIdle", "Connections open now (active + idle) and idle in the pool" },
        { "timeWait", "Sockets to the target in TIME_WAIT now, from the kernel" },
        { "ports", "Ephemeral ports held toward the target (any state, TIME_WAIT included)" },
        { "errors", "Requests that failed" },
    };
    for (const auto &[key, tip] : fields) {
        auto *label = new QLabel(this);
        label->setToolTip(QString::fromUtf8(tip));
        label->setContentsMargins(6, 0, 6, 0);
        statusBar()->addPermanentWidget(label);
        m_status.insert(QString::fromLatin1(key), label);
    }
    updateStatus(EngineSnapshot {});
    updateElapsed(EngineSnapshot {});
}

void MainWindow::buildMenus()
{
    QMenu *file = menuBar()->addMenu(QStringLiteral("&File"));
    file->addAction(
        QStringLiteral("&Open scenario…"), QKeySequence::Open, this, &MainWindow::openScenario);
    file->addAction(
        QStringLiteral("&Save scenario…"), QKeySequence::Save, this, &MainWindow::saveScenario);
    file->addSeparator();
    file->addAction(QStringLiteral("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    QMenu *run = menuBar()->addMenu(QStringLiteral("&Run"));
    QAction *toggle = run->addAction(QStringLiteral("Start / Stop"), this, &MainWindow::toggleRun);
    toggle->setShortcut(QKeySequence(Qt::Key_Space));
    QAction *reset = run->addAction(QStringLiteral("Reset"), this, &MainWindow::resetRun);
    reset->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    QAction *pause = run->addAction(QStringLiteral("Pause / resume charts"), this,
        [this] { m_charts->setPaused(!m_charts->isPaused()); });
    pause->setShortcut(QKeySequence(Qt::Key_P));

    QMenu *presets = menuBar()->addMenu(QStringLiteral("&Presets"));
    int index = 1;
    for (const Preset &p : builtinPresets()) {
        QAction *a = presets->addAction(p.title);
        const QString id = p.id;
        connect(a, &QAction::triggered, this, [this, id] { loadPreset(id); });
        if (index <= 9) {
            a->setShortcut(QKeySequence(Qt::CTRL | static_cast<Qt::Key>(Qt::Key_0 + index)));
        }
        ++index;
    }

    QMenu *view = menuBar()->addMenu(QStringLiteral("&View"));
    view->addAction(m_connectionsDock->toggleViewAction());
    view->addAction(m_labDock->toggleViewAction());

    QMenu *help = menuBar()->addMenu(QStringLiteral("&Help"));
    help->addAction(QStringLiteral("What am I looking at?"), QKeySequence::HelpContents, this,
        &MainWindow::showHelp);
}

bool MainWindow::loadPreset(QStringView id)
{
    const Preset *p = findPreset(id);
    if (!p) {
        return false;
    }
    loadScenario(*p);
    return true;
}

void MainWindow::loadScenario(const Preset &preset)
{
    const bool wasRunning = m_running;
    if (wasRunning) {
        stopRun();
    }
    m_pending.clear();
    m_pendingOrder.clear();
    m_applyTimer->stop();
    m_scenario = preset;
    m_settings->setSettings(Settings { preset.transport, preset.load, preset.server });
    if (!preset.load.url.isEmpty()) {
        m_url->setText(preset.load.url);
    } else {
        m_url->setText(embeddedUrl());
    }
    if (m_server->isListening()) {
        m_server->setConfig(serverConfig());
    }
    m_goCode->setConfig(preset.transport);
    m_charts->setLimits(
        preset.transport.effectiveMaxIdleConnsPerHost(), preset.transport.maxConnsPerHost);
    m_explanationTitle->setText(preset.title.isEmpty() ? preset.id : preset.title);
    m_explanation->setText(preset.explanation);
    const int index = m_presets->findData(preset.id);
    if (index >= 0) {
        m_presets->setCurrentIndex(index);
    }
    updateElapsed(m_last);
    if (wasRunning) {
        startRun();
    }
}

QString MainWindow::embeddedUrl() const
{
    return m_server->url();
}

void MainWindow::setTargetUrl(const QString &url)
{
    m_url->setText(url.isEmpty() ? embeddedUrl() : url);
}

QString MainWindow::targetUrl() const
{
    const QString text = m_url->text().trimmed();
    return text.isEmpty() ? embeddedUrl() : text;
}

TransportConfig MainWindow::transportConfig() const
{
    return m_settings->transportConfig();
}

LoadConfig MainWindow::loadConfig() const
{
    LoadConfig load = m_settings->loadConfig();
    load.url = targetUrl();
    return load;
}

ServerConfig MainWindow::serverConfig() const
{
    return m_settings->serverConfig();
}

QString MainWindow::explanationText() const
{
    return m_explanation->text();
}

void MainWindow::updateTargetLabel()
{
    const QString text = m_url->text().trimmed();
    if (!m_server->isListening()) {
        m_targetLabel->setText(QStringLiteral("embedded server not running"));
    } else if (text.isEmpty() || text == embeddedUrl()) {
        m_targetLabel->setText(QStringLiteral("embedded server, port %1").arg(m_server->port()));
    } else {
        m_targetLabel->setText(QStringLiteral("external target (embedded server idle on port %1)")
                                   .arg(m_server->port()));
    }
}

bool MainWindow::ensureEmbeddedServer(QString *error)
{
    const ServerConfig cfg = serverConfig();
    if (m_server->isListening() && cfg.tls == m_serverTls) {
        m_server->setConfig(cfg);
        return true;
    }
    // TLS is only read when the server starts: restart it (the port may change).
    const bool wasTarget
        = m_url->text().trimmed().isEmpty() || m_url->text().trimmed() == embeddedUrl();
    m_server->stop();
    if (!m_server->start(cfg, error)) {
        return false;
    }
    m_serverTls = cfg.tls;
    if (wasTarget) {
        m_url->setText(embeddedUrl());
    }
    updateTargetLabel();
    return true;
}

void MainWindow::startRun()
{
    applyPendingChanges();
    m_error->hide();
    const QString text = m_url->text().trimmed();
    const bool embedded = text.isEmpty() || text == embeddedUrl();
    QString error;
    if (embedded || serverConfig().tls != m_serverTls) {
        if (!ensureEmbeddedServer(&error)) {
            onRunFailed(QStringLiteral("the embedded server could not start: %1").arg(error));
            return;
        }
    }
    const LoadConfig load = loadConfig();
    if (!load.url.startsWith(u"http://") && !load.url.startsWith(u"https://")) {
        onRunFailed(QStringLiteral("\"%1\" is not an http:// or https:// URL").arg(load.url));
        return;
    }
    const TransportConfig transport = transportConfig();
    m_charts->clear();
    m_connections->clear();
    m_charts->setPaused(false);
    m_charts->setLimits(transport.effectiveMaxIdleConnsPerHost(), transport.maxConnsPerHost);
    m_last = EngineSnapshot {};
    m_engine->start(load, transport);
    setRunning(true);
}

void MainWindow::stopRun()
{
    if (!m_running) {
        return;
    }
    m_engine->stop();
    setRunning(false);
}

void MainWindow::toggleRun()
{
    if (m_running) {
        stopRun();
    } else {
        startRun();
    }
}

void MainWindow::resetRun()
{
    stopRun();
    m_charts->clear();
    m_last = EngineSnapshot {};
    updateStatus(m_last);
    loadScenario(m_scenario);
    statusBar()->showMessage(QStringLiteral("Reset to the preset's settings"), 3000);
}

void MainWindow::setRunning(bool running)
{
    if (m_running == running) {
        return;
    }
    m_running = running;
    m_startStop->setText(running ? QStringLiteral("■ Stop") : QStringLiteral("▶ Start"));
    updateElapsed(m_last);
    Q_EMIT runStateChanged(running);
}

void MainWindow::onKnobEdited(SettingsPanel::Section section, const QString &key,
    const QString &oldText, const QString &newText)
{
    auto it = m_pending.find(key);
    if (it == m_pending.end()) {
        m_pending.insert(key, PendingChange { section, oldText, newText });
        m_pendingOrder << key;
    } else {
        it->newText = newText;
    }
    // The code panel follows every edit at once; the engine gets the settled value.
    m_goCode->setConfig(transportConfig());
    m_applyTimer->start();
}

void MainWindow::applyPendingChanges()
{
    m_applyTimer->stop();
    if (m_pending.isEmpty()) {
        return;
    }
    QStringList labels;
    bool transport = false;
    bool load = false;
    bool server = false;
    for (const QString &key : std::as_const(m_pendingOrder)) {
        const PendingChange &c = m_pending[key];
        if (c.oldText == c.newText) {
            continue; // dragged away and back
        }
        // Go knobs by their Go name, ours by their label: "think time 5 ms -> 1 ms".
        labels << QStringLiteral("%1 %2 -> %3")
                      .arg(m_settings->knob(key)->title(), c.oldText, c.newText);
        transport = transport || c.section == SettingsPanel::Section::Transport;
        load = load || c.section == SettingsPanel::Section::Load;
        server = server || c.section == SettingsPanel::Section::Server;
    }
    m_pending.clear();
    m_pendingOrder.clear();
    if (labels.isEmpty()) {
        return;
    }
    const TransportConfig t = transportConfig();
    m_goCode->setConfig(t);
    m_charts->setLimits(t.effectiveMaxIdleConnsPerHost(), t.maxConnsPerHost);
    if (server && m_server->isListening()) {
        m_server->setConfig(serverConfig()); // TLS waits for the next start
    }
    if (m_running) {
        // Always the whole config: the engine never sees a partial change.
        if (transport) {
            m_engine->setTransportConfig(t);
        }
        if (load) {
            m_engine->setLoadConfig(loadConfig());
        }
        for (const QString &label : std::as_const(labels)) {
            m_charts->addMarker(label);
        }
    }
    statusBar()->showMessage(labels.join(QStringLiteral(", ")), 4000);
    Q_EMIT changesApplied(labels, m_running);
}

void MainWindow::onSnapshot()
{
    // A copy taken under the controller's mutex; the engine never waits for us.
    m_last = m_engine->snapshot();
    m_charts->addSnapshot(m_last);
    if (m_connectionsDock->isVisible()) {
        m_connections->setSnapshot(m_last);
    }
    updateStatus(m_last);
    updateElapsed(m_last);
}

void MainWindow::onRunFinished(const EngineSnapshot &final)
{
    m_last = final;
    m_charts->addSnapshot(final);
    if (m_connectionsDock->isVisible()) {
        m_connections->setSnapshot(final);
    }
    updateStatus(final);
    setRunning(false);
    statusBar()->showMessage(QStringLiteral("Run finished"), 4000);
}

void MainWindow::onRunFailed(const QString &message)
{
    setRunning(false);
    m_error->setText(QStringLiteral("Could not run: %1").arg(message));
    m_error->show();
}

void MainWindow::updateElapsed(const EngineSnapshot &s)
{
    const double elapsed = std::chrono::duration<double>(s.time).count();
    const LoadConfig &load = m_settings->loadConfig();
    const QString state = m_running ? QStringLiteral("running") : QStringLiteral("stopped");
    if (load.duration > Duration::zero()) {
        const double total = std::chrono::duration<double>(load.duration).count();
        m_elapsed->setText(
            QStringLiteral("%1 %2 of %3").arg(state, formatClock(elapsed), formatClock(total)));
    } else {
        // Bounded by requests only (the lab, some scenarios): show progress in requests.
        const quint64 total
            = quint64(std::max(load.requestsPerWorker, 0)) * quint64(std::max(load.workers, 0));
        m_elapsed->setText(QStringLiteral("%1 %2, %3 of %4 requests")
                               .arg(state, formatClock(elapsed))
                               .arg(s.requestsDone)
                               .arg(total));
    }
}

void MainWindow::updateStatus(const EngineSnapshot &s)
{
    const PoolCounters &p = s.pool;
    m_status[QStringLiteral("rps")]->setText(
        QStringLiteral("%1 req/s").arg(s.rpsWindow, 0, 'f', 0));

    QString perConn = p.dials > 0 ? QString::number(double(p.gets) / double(p.dials), 'f', 1)
                                  : QStringLiteral("–");
    const SnapshotHistory &h = m_charts->history();
    if (!h.empty()) {
        const ChartSample &latest = h.latest();
        const std::size_t i = h.lowerBound(latest.t - 5.0);
        const ChartSample &old = h.at(std::min(i, h.size() - 1));
        const std::uint64_t dials = latest.dials - old.dials;
        const std::uint64_t gets = latest.gets - old.gets;
        if (latest.t - old.t >= 1.0) {
            perConn += dials > 0
                ? QStringLiteral(" (last 5 s: %1)").arg(double(gets) / double(dials), 0, 'f', 1)
                : QStringLiteral(" (last 5 s: no new connections)");
        }
    }
    m_status[QStringLiteral("reqPerConn")]->setText(
        QStringLiteral("requests/connection %1").arg(perConn));
    m_status[QStringLiteral("reuse")]->setText(p.gets > 0
            ? QStringLiteral("reuse %1 %").arg(100.0 * double(p.reused) / double(p.gets), 0, 'f', 0)
            : QStringLiteral("reuse –"));
    m_status[QStringLiteral("openIdle")]->setText(
        QStringLiteral("open %1 / idle %2").arg(p.now.open()).arg(p.now.idle));
    QLabel *tw = m_status[QStringLiteral("timeWait")];
    if (s.kernel.available) {
        tw->setText(QStringLiteral("TIME_WAIT %1").arg(s.kernel.counts.count(TcpState::TimeWait)));
    } else {
        tw->setText(QStringLiteral("TIME_WAIT n/a"));
    }
    // Ephemeral-port headroom: a TIME_WAIT storm ends in "cannot assign requested address".
    QLabel *ports = m_status[QStringLiteral("ports")];
    static const KernelSettings kernel = KernelSettings::read();
    if (s.kernel.available && kernel.ok) {
        const PortHeadroom h = PortHeadroom::compute(s.kernel, kernel);
        ports->setText(QStringLiteral("ports %1 % (%2)")
                           .arg(100.0 * h.fraction, 0, 'f', h.fraction < 0.01 ? 2 : 0)
                           .arg(QLatin1String(PortHeadroom::levelName(h.level))));
        ports->setStyleSheet(h.level == PortHeadroom::Critical ? QStringLiteral("color: #b00020;")
                : h.level == PortHeadroom::Warn                ? QStringLiteral("color: #b06000;")
                                                               : QString());
        ports->setToolTip(QStringLiteral(
            "%1 of %2 ephemeral ports (net.ipv4.ip_local_port_range %3-%4) are held by sockets "
            "toward the target.\nnet.ipv4.tcp_tw_reuse = %5, tcp_fin_timeout = %6 s, "
            "tcp_keepalive_time/intvl/probes = %7 s / %8 s / %9")
                              .arg(h.inUse)
                              .arg(h.rangeSize)
                              .arg(kernel.portRangeLow)
                              .arg(kernel.portRangeHigh)
                              .arg(kernel.twReuse)
                              .arg(kernel.finTimeout)
                              .arg(kernel.keepaliveTime)
                              .arg(kernel.keepaliveIntvl)
                              .arg(kernel.keepaliveProbes));
    } else {
        ports->setText(QStringLiteral("ports n/a"));
    }
    QLabel *errors = m_status[QStringLiteral("errors")];
    errors->setText(QStringLiteral("errors %1").arg(s.errors));
    errors->setStyleSheet(s.errors > 0 ? QStringLiteral("color: #b00020;") : QString());
    errors->setToolTip(s.lastError.isEmpty() ? QStringLiteral("Requests that failed")
                                             : QStringLiteral("Last error: %1").arg(s.lastError));
    // The newest error in words, on the left of the status bar, so a refused
    // connection or a bad certificate is obvious without hovering anything.
    if (!s.lastError.isEmpty() && s.errors > 0) {
        statusBar()->showMessage(QStringLiteral("Last error: %1").arg(s.lastError));
    } else if (s.errors == 0) {
        statusBar()->clearMessage();
    }
}

QString MainWindow::statusText() const
{
    QStringList parts;
    for (const char *key :
        { "rps", "reqPerConn", "reuse", "openIdle", "timeWait", "ports", "errors" }) {
        parts << m_status.value(QString::fromLatin1(key))->text();
    }
    return parts.join(QStringLiteral(" | "));
}

void MainWindow::openScenario()
{
    const QString path = QFileDialog::getOpenFileName(this, QStringLiteral("Open scenario"),
        QString(), QStringLiteral("PoolScope scenario (*.json)"));
    if (path.isEmpty()) {
        return;
    }
    QString error;
    const auto preset = loadScenarioFile(path, &error);
    if (!preset) {
        QMessageBox::warning(this, QStringLiteral("Cannot open scenario"), error);
        return;
    }
    loadScenario(*preset);
}

void MainWindow::saveScenario()
{
    const QString path = QFileDialog::getSaveFileName(this, QStringLiteral("Save scenario"),
        m_scenario.id + QStringLiteral(".json"), QStringLiteral("PoolScope scenario (*.json)"));
    if (path.isEmpty()) {
        return;
    }
    Preset p = m_scenario;
    p.transport = transportConfig();
    p.load = m_settings->loadConfig();
    const QString text = m_url->text().trimmed();
    p.load.url = text == embeddedUrl() ? QString() : text;
    p.server = serverConfig();
    QString error;
    if (!saveScenarioFile(path, p, &error)) {
        QMessageBox::warning(this, QStringLiteral("Cannot save scenario"), error);
    }
}

void MainWindow::showHelp()
{
    auto *box = new QMessageBox(QMessageBox::Information, QStringLiteral("PoolScope"),
        QStringLiteral(
            "<h3>What you are looking at</h3>"
            "<p>PoolScope runs an HTTP client whose connection pool behaves like Go's "
            "<code>http.Transport</code> against a target (by default an embedded server on "
            "127.0.0.1) and draws what the pool and the kernel do.</p>"
            "<ol><li><b>Connections</b>: open, active, idle, dialing and waiting, with dashed "
            "lines "
            "for the idle cap (MaxIdleConnsPerHost) and MaxConnsPerHost.</li>"
            "<li><b>New connections and closes per second</b>: every close is coloured by its "
            "reason, named like Go's error (errTooManyIdleHost ...).</li>"
            "<li><b>Kernel sockets</b>: TIME_WAIT piles up when the client closes connections it "
            "could have reused.</li>"
            "<li><b>Latency and throughput</b>.</li></ol>"
            "<p><b>Try it:</b> pick the TIME_WAIT storm preset, press Space, watch TIME_WAIT climb "
            "and requests per connection stay in single digits; then set MaxIdleConnsPerHost to "
            "10 in the Settings dock. A marker shows the change on every chart and the churn "
            "stops.</p>"
            "<p><b>How close to Go:</b> pool rules match Go's exactly (tests/conformance). Think "
            "time sleeps like <code>time.Sleep</code> in a Go program, in whole milliseconds "
            "(Settings: timers). With no think time PoolScope behaves like Go with "
            "GOMAXPROCS=1; Go with more Ps churns more.</p>"
            "<p><b>Keys:</b> Space start/stop, Ctrl+R reset, Ctrl+1…9 presets, P pause charts, "
            "Ctrl+Shift+C connections, Ctrl+Shift+L dead-peer lab, "
            "F1 this help. Hover any knob for its Go field and what zero means.</p>"),
        QMessageBox::Close, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setModal(false);
    box->show();
}

} // namespace poolscope
