#include "main_window.h"

#include "charts_panel.h"
#include "connections_view.h"
#include "go_code_panel.h"
#include "http/loopback.h"
#include "http/target.h"
#include "kernel/kernel_settings.h"
#include "knob_widget.h"
#include "lab_panel.h"
#include "language.h"
#include "load/derived_figures.h"
#include "load/engine_controller.h"
#include "preset_text.h"
#include "server/embedded_server.h"

#include <QAbstractSpinBox>
#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QComboBox>
#include <QDockWidget>
#include <QFileDialog>
#include <QFrame>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QKeyEvent>
#include <QKeySequence>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QScreen>
#include <QScrollArea>
#include <QStatusBar>
#include <QStyleOptionComboBox>
#include <QStylePainter>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
#include <QUndoStack>
#include <QVBoxLayout>

namespace poolscope {

namespace {

QString formatClock(double seconds)
{
    const int s = std::max(0, static_cast<int>(seconds));
    return QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

const char *kDefaultPreset = "time-wait-storm";

// The size the window asks for on a screen with room to spare.
constexpr QSize kPreferredSize(1600, 1000);
// Room left for a window manager's frame and title bar when the screen is smaller.
constexpr QSize kFrameAllowance(8, 36);
// The status bar's fields, most important first: a narrow window drops the last ones.
constexpr const char *kStatusFields[]
    = { "errors", "reqPerConn", "protocol", "timeWait", "openIdle", "rps", "reuse", "ports" };

// Every dock can be closed (View brings it back), moved and floated; its View entry's
// shortcut works wherever the focus is.
void setUpDock(QDockWidget *d, const char *name, QWidget *content)
{
    d->setObjectName(QLatin1String(name));
    d->setWidget(content);
    d->setFeatures(QDockWidget::DockWidgetClosable | QDockWidget::DockWidgetMovable
        | QDockWidget::DockWidgetFloatable);
    d->toggleViewAction()->setShortcutContext(Qt::ApplicationShortcut);
}

// A combo box that elides its current text ("1. TIME_WAIT storm (default i…") when the
// toolbar gives it less room than the text needs, instead of cutting it off mid-letter.
class ElidingComboBox final : public QComboBox
{
public:
    using QComboBox::QComboBox;

protected:
    void paintEvent(QPaintEvent *) override
    {
        QStylePainter p(this);
        QStyleOptionComboBox opt;
        initStyleOption(&opt);
        p.drawComplexControl(QStyle::CC_ComboBox, opt);
        const QRect field = style()->subControlRect(
            QStyle::CC_ComboBox, &opt, QStyle::SC_ComboBoxEditField, this);
        opt.currentText
            = opt.fontMetrics.elidedText(opt.currentText, Qt::ElideRight, field.width() - 4);
        p.drawControl(QStyle::CE_ComboBoxLabel, opt);
    }
};

} // namespace

// One settled knob edit (or several applied together) on the undo stack. Undo and
// redo set the knobs as a user would, so each drops a marker and reaches the engine.
class KnobEditCommand final : public QUndoCommand
{
public:
    KnobEditCommand(MainWindow *window, QList<MainWindow::KnobStep> steps, const QString &text)
        : QUndoCommand(text), m_window(window), m_steps(std::move(steps))
    {
    }

    void undo() override { m_window->replayKnobSteps(m_steps, true); }
    void redo() override
    {
        if (m_done) {
            m_window->replayKnobSteps(m_steps, false);
        }
        m_done = true; // the first redo is the push: the edit has already happened
    }

private:
    MainWindow *m_window;
    QList<MainWindow::KnobStep> m_steps;
    bool m_done = false;
};

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_server(std::make_unique<EmbeddedServer>())
    , m_engine(std::make_unique<EngineController>())
{
    setWindowTitle(tr("PoolScope: Go http.Transport connection pool lab"));
    m_baseFont = font();
    m_undo = new QUndoStack(this);

    m_applyTimer = new QTimer(this);
    m_applyTimer->setSingleShot(true);
    m_applyTimer->setInterval(kApplyDelayMs);
    connect(m_applyTimer, &QTimer::timeout, this, &MainWindow::applyPendingChanges);

    buildUi();
    buildMenus();
    catchKeys(this);

    connect(m_engine.get(), &EngineController::runStarted, this, &MainWindow::clearRunView);
    connect(m_engine.get(), &EngineController::snapshotReady, this, &MainWindow::onSnapshot);
    connect(m_engine.get(), &EngineController::runFinished, this, &MainWindow::onRunFinished);
    connect(m_engine.get(), &EngineController::runFailed, this, &MainWindow::onRunFailed);

    const Preset *preset = findPreset(QString::fromLatin1(kDefaultPreset));
    Q_ASSERT(preset);
    QString error;
    m_serverTls = preset->server.tls;
    m_serverAddress = preset->server.listenAddress;
    if (!m_server->start(preset->server, &error)) {
        m_error->setText(tr("The embedded server could not start: %1. Type the URL of another "
                            "target above.")
                             .arg(error));
        m_error->show();
    }
    setUrlText(m_server->url());
    loadScenario(*preset);
    updateTargetLabel();
    fitToScreen();
    arrangeDocks(m_dockLayout);
    // Space starts the run from the first second: focus is on Start, not in the URL box.
    m_startStop->setFocus(Qt::OtherFocusReason);
}

MainWindow::~MainWindow()
{
    // The engine goes first so no request is in flight when the server closes.
    m_engine.reset();
    m_server.reset();
}

void MainWindow::buildUi()
{
    buildRunBar();
    buildCentral();
    buildDocks();
    buildStatusBar();
    updateStatus(EngineSnapshot {});
    updateElapsed(EngineSnapshot {});
}

void MainWindow::buildRunBar()
{
    // The most important controls first: on a narrow window the toolbar's » menu
    // takes the last ones.
    m_runBar = new QToolBar(tr("Run"), this);
    m_runBar->setMovable(false);
    m_runBar->setObjectName(QStringLiteral("runBar"));
    addToolBar(Qt::TopToolBarArea, m_runBar);

    m_startStop = new QPushButton(tr("▶ Start"), this);
    m_startStop->setObjectName(QStringLiteral("startButton"));
    m_startStop->setToolTip(tr("Start or stop the load (Space, wherever the focus is)"));
    m_startStop->setMinimumWidth(90);
    m_startStop->setAutoDefault(true); // Enter on the focused button starts too
    connect(m_startStop, &QPushButton::clicked, this, &MainWindow::toggleRun);
    m_runBar->addWidget(m_startStop);
    auto *reset = new QPushButton(tr("Reset"), this);
    reset->setToolTip(
        tr("Stop, clear the charts and return every knob to the preset's values (Ctrl+R)"));
    reset->setFocusPolicy(Qt::NoFocus);
    connect(reset, &QPushButton::clicked, this, &MainWindow::requestReset);
    m_runBar->addWidget(reset);

    m_runBar->addSeparator();
    m_presets = new ElidingComboBox(this);
    int index = 1;
    for (const Preset &p : builtinPresets()) {
        m_presets->addItem(index <= 9 ? QStringLiteral("%1. %2").arg(index).arg(presetText(p.title))
                                      : presetText(p.title),
            p.id);
        m_presets->setItemData(m_presets->count() - 1, presetText(p.title), Qt::ToolTipRole);
        ++index;
    }
    // Long titles must not push Help off a 1024 px screen; the list shows them whole.
    m_presets->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_presets->setMinimumContentsLength(20);
    m_presets->setFocusPolicy(Qt::TabFocus);
    m_presets->setToolTip(tr("A scenario: knobs, load and server settings with an explanation "
                             "(Ctrl+1 ... Ctrl+9)"));
    connect(m_presets, &QComboBox::activated, this,
        [this](int i) { requestPreset(m_presets->itemData(i).toString()); });
    m_runBar->addWidget(m_presets);
    m_elapsed = new QLabel(this);
    m_elapsed->setContentsMargins(8, 0, 8, 0);
    m_runBar->addWidget(m_elapsed);
    m_help = new QPushButton(tr("? Help"), this);
    m_help->setObjectName(QStringLiteral("helpButton"));
    m_help->setFocusPolicy(Qt::NoFocus);
    m_help->setToolTip(tr("What am I looking at? (F1)"));
    connect(m_help, &QPushButton::clicked, this, &MainWindow::showHelp);
    m_runBar->addWidget(m_help);

    m_runBar->addSeparator();
    m_runBar->addWidget(new QLabel(tr(" Target URL "), this));
    m_url = new QLineEdit(this);
    m_url->setMinimumWidth(140);
    m_url->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    m_url->setPlaceholderText(tr("empty = the embedded server"));
    m_url->setToolTip(tr("The URL every worker requests. By default the embedded server "
                         "PoolScope started on 127.0.0.1; type another http:// or https:// URL "
                         "to load a real service and press Enter to start."));
    connect(m_url, &QLineEdit::textChanged, this, [this] { updateTargetLabel(); });
    connect(m_url, &QLineEdit::returnPressed, this, &MainWindow::onUrlReturn);
    m_runBar->addWidget(m_url);
    m_targetLabel = new QLabel(this);
    m_targetLabel->setContentsMargins(6, 0, 6, 0);
    m_runBar->addWidget(m_targetLabel);
}

void MainWindow::buildCentral()
{
    auto *central = new QWidget(this);
    auto *v = new QVBoxLayout(central);
    v->setContentsMargins(4, 2, 4, 0);
    v->setSpacing(2);
    m_explainFrame = new QFrame(central);
    m_explainFrame->setObjectName(QStringLiteral("explanation"));
    m_explainFrame->setFrameShape(QFrame::StyledPanel);
    m_explainFrame->setStyleSheet(QStringLiteral("QFrame#explanation { background: #f3f6fb; }"));
    auto *ev = new QVBoxLayout(m_explainFrame);
    ev->setContentsMargins(6, 2, 6, 4);
    ev->setSpacing(2);
    auto *head = new QHBoxLayout;
    m_explanationTitle = new QLabel(m_explainFrame);
    m_explainToggle = new QToolButton(m_explainFrame);
    m_explainToggle->setAutoRaise(true);
    m_explainToggle->setCheckable(true);
    m_explainToggle->setArrowType(Qt::DownArrow);
    m_explainToggle->setFocusPolicy(Qt::NoFocus);
    m_explainToggle->setToolTip(tr("Fold the explanation to its title line"));
    head->addWidget(m_explainToggle);
    head->addWidget(m_explanationTitle, 1);
    m_explanation = new QLabel(m_explainFrame);
    m_explanation->setWordWrap(true);
    m_explanation->setTextInteractionFlags(Qt::TextSelectableByMouse);
    connect(m_explainToggle, &QToolButton::toggled, this, [this](bool folded) {
        m_explanation->setVisible(!folded);
        m_explainToggle->setArrowType(folded ? Qt::RightArrow : Qt::DownArrow);
        m_explainToggle->setToolTip(folded ? tr("Show the whole explanation")
                                           : tr("Fold the explanation to its title line"));
        m_explanationTitle->setToolTip(folded ? m_explanation->text() : QString());
    });
    connect(m_explainToggle, &QToolButton::clicked, this, [this] { m_explainChosen = true; });
    ev->addLayout(head);
    ev->addWidget(m_explanation);
    v->addWidget(m_explainFrame);
    m_error = new QLabel(central);
    m_error->setObjectName(QStringLiteral("errorLine"));
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color: #b00020; font-weight: bold;"));
    m_error->hide();
    v->addWidget(m_error);
    // Failures never pass for throughput: when most requests fail, the window says so in
    // words, with Go's error and what to try.
    m_failBanner = new QLabel(central);
    m_failBanner->setObjectName(QStringLiteral("failureBanner"));
    m_failBanner->setWordWrap(true);
    m_failBanner->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_failBanner->setStyleSheet(QStringLiteral("QLabel#failureBanner { background: #fff4e5; "
                                               "color: #8a1c00; border: 1px solid #e0a060; "
                                               "padding: 4px; }"));
    m_failBanner->hide();
    v->addWidget(m_failBanner);
    // The charts scroll when the window is shorter than they need, instead of pushing
    // the window's minimum height past a 720 px screen.
    m_charts = new ChartsPanel;
    m_chartsArea = new QScrollArea(central);
    m_chartsArea->setObjectName(QStringLiteral("chartsArea"));
    m_chartsArea->setWidget(m_charts);
    m_chartsArea->setWidgetResizable(true);
    m_chartsArea->setFrameShape(QFrame::NoFrame);
    m_chartsArea->setMinimumHeight(160);
    // Only vertically: the charts are exactly as wide as the area. A chart view's
    // minimum width follows its chart's, which follows the width it was given, so a
    // horizontally free panel would widen itself without end.
    m_chartsArea->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_chartsArea->viewport()->installEventFilter(this);
    v->addWidget(m_chartsArea, 1);
    setCentralWidget(central);
}

void MainWindow::buildDocks()
{
    setDockOptions(AnimatedDocks | AllowTabbedDocks | AllowNestedDocks);

    // ---- settings dock ----
    m_settings = new SettingsPanel;
    auto *scroll = new QScrollArea;
    scroll->setObjectName(QStringLiteral("settingsScroll"));
    scroll->setWidget(m_settings);
    scroll->setWidgetResizable(true);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_settingsDock = new QDockWidget(tr("Settings (change them while it runs)"), this);
    setUpDock(m_settingsDock, "settingsDock", scroll);
    addDockWidget(Qt::LeftDockWidgetArea, m_settingsDock);
    connect(m_settings, &SettingsPanel::knobEdited, this, &MainWindow::onKnobEdited);

    // ---- Go code dock ----
    m_goCode = new GoCodePanel;
    m_goDock = new QDockWidget(tr("Go code"), this);
    setUpDock(m_goDock, "goCodeDock", m_goCode);
    addDockWidget(Qt::RightDockWidgetArea, m_goDock);

    buildBottomDocks();
    QAction *showSettings = m_settingsDock->toggleViewAction();
    showSettings->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S));
    showSettings->setToolTip(tr("The knobs (Ctrl+Shift+S)"));
    QAction *showGo = m_goDock->toggleViewAction();
    showGo->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_G));
    showGo->setToolTip(tr("The current settings as Go code (Ctrl+Shift+G)"));
}

void MainWindow::buildBottomDocks()
{
    // The connections (swimlanes) and the dead-peer lab below the charts, side by side,
    // hidden until asked for.
    m_connections = new ConnectionsView;
    m_connectionsDock = new QDockWidget(tr("Connections"), this);
    setUpDock(m_connectionsDock, "connectionsDock", m_connections);
    addDockWidget(Qt::BottomDockWidgetArea, m_connectionsDock);
    m_lab = new LabPanel(this);
    auto *labScroll = new QScrollArea;
    labScroll->setWidget(m_lab);
    labScroll->setWidgetResizable(true);
    labScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_labDock = new QDockWidget(tr("Dead-peer lab"), this);
    setUpDock(m_labDock, "labDock", labScroll);
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
    showConnections->setToolTip(tr("Every open connection with its kernel socket (Ctrl+Shift+C)"));
    QAction *showLab = m_labDock->toggleViewAction();
    connect(showLab, &QAction::toggled, this, [this](bool on) {
        if (!on) {
            return;
        }
        m_connectionsDock->show(); // the lab is watched there
        // Sizes apply once both docks are laid out.
        QTimer::singleShot(0, this, [this] {
            const int lab = std::min(640, width() / 2);
            resizeDocks({ m_labDock, m_connectionsDock }, { lab, width() - lab }, Qt::Horizontal);
            resizeDocks({ m_labDock }, { std::min(300, height() / 3) }, Qt::Vertical);
        });
    });
    showLab->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_L));
    showLab->setToolTip(
        tr("Make the server vanish without a FIN and watch TCP keep-alive (Ctrl+Shift+L)"));
    m_runBar->addSeparator();
    m_runBar->addAction(showConnections);
    m_runBar->addAction(showLab);
}

void MainWindow::buildStatusBar()
{
    const std::pair<const char *, const char *> fields[] = {
        { "rps",
            QT_TR_NOOP("Successful requests per second over the last second (throughput); failed "
                       "ones are attempts") },
        { "reqPerConn",
            QT_TR_NOOP("Requests per TCP connection (connections handed to requests per "
                       "connection established): total, and over the last 5 s. Single digits "
                       "mean connections churn.") },
        { "reuse",
            QT_TR_NOOP("Share of requests that got a pooled (reused) connection instead of a new "
                       "dial") },
        { "openIdle", QT_TR_NOOP("Connections open now (active + idle) and idle in the pool") },
        { "timeWait", QT_TR_NOOP("Sockets to the target in TIME_WAIT now, from the kernel") },
        { "ports",
            QT_TR_NOOP("Ephemeral ports held toward the target (any state, TIME_WAIT included)") },
        { "errors", QT_TR_NOOP("Requests that failed") },
        { "protocol",
            QT_TR_NOOP("Protocol of the responses (Go's resp.Proto) and, over HTTP/2, streams "
                       "open now and requests waiting for a stream") },
    };
    for (const auto &[key, tip] : fields) {
        auto *label = new QLabel(this);
        label->setObjectName(QLatin1String("status_") + QLatin1String(key));
        label->setToolTip(tr(tip));
        label->setContentsMargins(6, 0, 6, 0);
        // The window's minimum width does not depend on the numbers: fitStatusFields
        // hides the least important fields when they do not fit.
        label->setMinimumWidth(1);
        statusBar()->addPermanentWidget(label);
        m_status.insert(QString::fromLatin1(key), label);
    }
}

void MainWindow::buildMenus()
{
    const auto shortcut = [](QAction *a, const QKeySequence &key, const char *name) {
        a->setShortcut(key);
        a->setShortcutContext(Qt::ApplicationShortcut); // wherever the focus is
        a->setObjectName(QLatin1String(name));
        return a;
    };
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Open scenario…"), QKeySequence::Open, this, &MainWindow::openScenario);
    file->addAction(tr("&Save scenario…"), QKeySequence::Save, this, &MainWindow::saveScenario);
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    QMenu *edit = menuBar()->addMenu(tr("&Edit"));
    QAction *undo
        = shortcut(edit->addAction(tr("&Undo knob change"), this, &MainWindow::undoKnobEdit),
            QKeySequence(Qt::CTRL | Qt::Key_Z), "undo");
    QAction *redo
        = shortcut(edit->addAction(tr("&Redo knob change"), this, &MainWindow::redoKnobEdit),
            QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z), "redo");
    redo->setShortcuts(
        { QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z), QKeySequence(Qt::CTRL | Qt::Key_Y) });
    undo->setEnabled(false);
    redo->setEnabled(false);
    connect(m_undo, &QUndoStack::canUndoChanged, undo, &QAction::setEnabled);
    connect(m_undo, &QUndoStack::canRedoChanged, redo, &QAction::setEnabled);
    connect(m_undo, &QUndoStack::undoTextChanged, undo, [undo](const QString &text) {
        undo->setText(text.isEmpty() ? tr("&Undo knob change") : tr("&Undo %1").arg(text));
    });
    connect(m_undo, &QUndoStack::redoTextChanged, redo, [redo](const QString &text) {
        redo->setText(text.isEmpty() ? tr("&Redo knob change") : tr("&Redo %1").arg(text));
    });

    QMenu *run = menuBar()->addMenu(tr("&Run"));
    run->addAction(tr("Embedded server address…"), this, &MainWindow::chooseListenAddress)
        ->setObjectName(QStringLiteral("listenAddress"));
    shortcut(run->addAction(tr("Start / Stop"), this, &MainWindow::toggleRun),
        QKeySequence(Qt::Key_Space), "startStop");
    shortcut(run->addAction(tr("Reset…"), this, &MainWindow::requestReset),
        QKeySequence(Qt::CTRL | Qt::Key_R), "reset");
    shortcut(run->addAction(tr("Pause / resume charts"), this,
                 [this] { m_charts->setPaused(!m_charts->isPaused()); }),
        QKeySequence(Qt::Key_P), "pauseCharts");

    QMenu *presets = menuBar()->addMenu(tr("&Presets"));
    int index = 1;
    for (const Preset &p : builtinPresets()) {
        QAction *a = presets->addAction(presetText(p.title));
        const QString id = p.id;
        connect(a, &QAction::triggered, this, [this, id] { requestPreset(id); });
        if (index <= 9) {
            shortcut(a, QKeySequence(Qt::CTRL | static_cast<Qt::Key>(Qt::Key_0 + index)), "preset");
            a->setObjectName(QStringLiteral("preset_") + id);
        }
        ++index;
    }

    buildViewMenu();

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    shortcut(help->addAction(tr("What am I looking at?"), this, &MainWindow::showHelp),
        QKeySequence::HelpContents, "help");
}

void MainWindow::buildViewMenu()
{
    QMenu *view = menuBar()->addMenu(tr("&View"));
    for (QDockWidget *d : { m_settingsDock, m_goDock, m_connectionsDock, m_labDock }) {
        view->addAction(d->toggleViewAction());
    }
    QAction *explain = view->addAction(tr("Scenario explanation"));
    explain->setObjectName(QStringLiteral("explanation"));
    explain->setCheckable(true);
    explain->setChecked(true);
    connect(explain, &QAction::toggled, m_explainFrame, &QWidget::setVisible);
    view->addSeparator();

    QMenu *layout = view->addMenu(tr("Go code dock"));
    m_layoutGroup = new QActionGroup(this);
    const std::pair<DockLayout, const char *> layouts[] = {
        { DockLayout::Auto, QT_TR_NOOP("Automatic (beside the charts on wide windows)") },
        { DockLayout::Beside, QT_TR_NOOP("Beside the charts") },
        { DockLayout::Stacked, QT_TR_NOOP("Under the settings") },
        { DockLayout::Tabbed, QT_TR_NOOP("Tabbed with the settings") },
    };
    for (const auto &[mode, text] : layouts) {
        QAction *a = layout->addAction(tr(text));
        a->setCheckable(true);
        a->setChecked(mode == m_dockLayout);
        a->setData(static_cast<int>(mode));
        m_layoutGroup->addAction(a);
        connect(a, &QAction::triggered, this, [this, mode = mode] { setDockLayout(mode); });
    }
    view->addSeparator();
    QAction *chartsOnly = view->addAction(tr("Charts only"));
    chartsOnly->setObjectName(QStringLiteral("chartsOnly"));
    chartsOnly->setCheckable(true);
    chartsOnly->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_F));
    chartsOnly->setShortcutContext(Qt::ApplicationShortcut);
    connect(chartsOnly, &QAction::toggled, this, &MainWindow::setChartsOnly);
    QAction *present = view->addAction(tr("Presentation mode"));
    present->setObjectName(QStringLiteral("presentation"));
    present->setCheckable(true);
    present->setShortcut(QKeySequence(Qt::Key_F11));
    present->setShortcutContext(Qt::ApplicationShortcut);
    present->setToolTip(tr("Full screen with larger text, for a projector (F11)"));
    connect(present, &QAction::toggled, this, &MainWindow::setPresentationMode);

    QMenu *text = view->addMenu(tr("Text size"));
    const auto sizeAction = [this, text](const QString &label, const QList<QKeySequence> &keys,
                                const char *name, auto slot) {
        QAction *a = text->addAction(label, this, slot);
        a->setShortcuts(keys);
        a->setShortcutContext(Qt::ApplicationShortcut);
        a->setObjectName(QLatin1String(name));
    };
    sizeAction(tr("Larger"),
        { QKeySequence(Qt::CTRL | Qt::Key_Plus), QKeySequence(Qt::CTRL | Qt::Key_Equal) },
        "largerText", [this] { setFontScale(m_fontScale + 0.125); });
    sizeAction(tr("Smaller"), { QKeySequence(Qt::CTRL | Qt::Key_Minus) }, "smallerText",
        [this] { setFontScale(m_fontScale - 0.125); });
    sizeAction(tr("Normal"), { QKeySequence(Qt::CTRL | Qt::Key_0) }, "normalText",
        [this] { setFontScale(1.0); });
    view->addSeparator();
    addLanguageMenu(view, this);
}

QAction *MainWindow::action(const QString &name) const
{
    for (QAction *a : findChildren<QAction *>(name)) {
        return a;
    }
    return nullptr;
}

// ---- layout for every screen ----

void MainWindow::fitToScreen()
{
    const QScreen *s = screen() ? screen() : QGuiApplication::primaryScreen();
    if (!s) {
        resize(kPreferredSize);
        return;
    }
    const QRect avail = s->availableGeometry();
    QSize size = kPreferredSize.boundedTo(avail.size() - kFrameAllowance);
    size = size.expandedTo(minimumSizeHint());
    resize(size);
    if (QGuiApplication::platformName() != QLatin1String("offscreen")
        && (avail.width() < kPreferredSize.width() + kFrameAllowance.width()
            || avail.height() < kPreferredSize.height() + kFrameAllowance.height())) {
        // A small screen: the window manager fits the window to it, frame and all.
        setWindowState(windowState() | Qt::WindowMaximized);
    }
    move(avail.left() + std::max(0, (avail.width() - size.width()) / 2),
        avail.top() + std::max(0, (avail.height() - size.height() - kFrameAllowance.height()) / 2));
}

bool MainWindow::isOpen(const QDockWidget *dock) const
{
    // A dock behind another's tab is open too; before the first show only the
    // hidden flag says anything.
    return m_shown ? dock->toggleViewAction()->isChecked() : !dock->isHidden();
}

void MainWindow::setDockLayout(DockLayout layout)
{
    m_dockLayout = layout;
    for (QAction *a : m_layoutGroup->actions()) {
        a->setChecked(a->data().toInt() == static_cast<int>(layout));
    }
    arrangeDocks(layout);
}

void MainWindow::arrangeDocks(DockLayout layout)
{
    if (layout == DockLayout::Auto) {
        layout = width() >= kBesideMinWidth ? DockLayout::Beside : DockLayout::Stacked;
    }
    m_arranged = layout;
    const bool settingsOpen = isOpen(m_settingsDock);
    const bool goOpen = isOpen(m_goDock);
    m_settingsDock->setFloating(false);
    m_goDock->setFloating(false);
    // Out of any tab group first: splitting a tabbed dock only adds another tab.
    addDockWidget(Qt::LeftDockWidgetArea, m_settingsDock);
    addDockWidget(Qt::RightDockWidgetArea, m_goDock);
    switch (layout) {
    case DockLayout::Auto:
    case DockLayout::Beside:
        resizeDocks({ m_goDock }, { std::clamp(width() / 4, 300, 440) }, Qt::Horizontal);
        break;
    case DockLayout::Stacked:
        splitDockWidget(m_settingsDock, m_goDock, Qt::Vertical);
        resizeDocks(
            { m_settingsDock, m_goDock }, { height() * 5 / 8, height() * 3 / 8 }, Qt::Vertical);
        break;
    case DockLayout::Tabbed:
        tabifyDockWidget(m_settingsDock, m_goDock);
        break;
    }
    m_settingsDock->setVisible(settingsOpen);
    m_goDock->setVisible(goOpen);
    if (layout == DockLayout::Tabbed && settingsOpen) {
        m_settingsDock->raise();
    }
}

void MainWindow::fitStatusFields()
{
    // Fields in order of importance, while they fit beside a short message.
    int room = statusBar()->width() - 40;
    for (const char *key : kStatusFields) {
        QLabel *label = m_status.value(QLatin1String(key));
        const int need = label->sizeHint().width() + statusBar()->layout()->spacing();
        label->setVisible(need <= room);
        room -= need;
        if (room < 0) {
            room = -1; // later, smaller fields would read out of order
        }
    }
}

void MainWindow::setChartsOnly(bool on)
{
    if (on == m_chartsOnly) {
        return;
    }
    m_chartsOnly = on;
    if (on) {
        m_hiddenByChartsOnly.clear();
        for (QDockWidget *d : { m_settingsDock, m_goDock, m_connectionsDock, m_labDock }) {
            if (isOpen(d)) {
                m_hiddenByChartsOnly << d;
                d->hide();
            }
        }
        m_explainHiddenByChartsOnly = !m_explainFrame->isHidden();
        m_explainFrame->hide();
    } else {
        for (QDockWidget *d : std::as_const(m_hiddenByChartsOnly)) {
            d->show();
        }
        m_hiddenByChartsOnly.clear();
        m_explainFrame->setVisible(m_explainHiddenByChartsOnly || !m_explainFrame->isHidden());
    }
    action(QStringLiteral("chartsOnly"))->setChecked(on);
    action(QStringLiteral("explanation"))->setChecked(!m_explainFrame->isHidden());
}

void MainWindow::setPresentationMode(bool on)
{
    if (on == m_presenting) {
        return;
    }
    if (on) {
        m_statePresenting = saveState();
        m_windowStatePresenting = windowState();
        m_fontScalePresenting = m_fontScale;
        m_presenting = true;
        setFontScale(std::max(m_fontScale, kPresentationFontScale));
        // The charts get the width; the Go code is one click away, behind the settings.
        arrangeDocks(DockLayout::Tabbed);
        showFullScreen();
    } else {
        m_presenting = false;
        setFontScale(m_fontScalePresenting);
        if (m_windowStatePresenting & Qt::WindowMaximized) {
            showMaximized();
        } else {
            showNormal();
        }
        restoreState(m_statePresenting);
        if (m_dockLayout == DockLayout::Auto) {
            m_arranged = DockLayout::Auto; // the next resize picks beside or stacked again
        }
    }
    action(QStringLiteral("presentation"))->setChecked(on);
}

void MainWindow::setFontScale(double scale)
{
    m_fontScale = std::clamp(scale, kMinFontScale, kMaxFontScale);
    if (std::abs(m_fontScale - 1.0) < 1e-6) {
        setFont(QFont()); // back to the system's font
    } else {
        QFont f;
        if (m_baseFont.pointSizeF() > 0) {
            f.setPointSizeF(m_baseFont.pointSizeF() * m_fontScale);
        } else {
            f.setPixelSize(static_cast<int>(std::lround(m_baseFont.pixelSize() * m_fontScale)));
        }
        setFont(f); // only the size is set: children keep their bold and fixed-pitch fonts
    }
    applyFonts();
}

void MainWindow::applyFonts()
{
    // Qt passes a font change on to a widget under a style sheet only from a parent
    // with one of its own: the explanation, error line and banner get it here.
    for (QWidget *w :
        { static_cast<QWidget *>(m_explainFrame), static_cast<QWidget *>(m_explanation),
            static_cast<QWidget *>(m_error), static_cast<QWidget *>(m_failBanner) }) {
        w->setFont(font());
    }
    QFont bold = font();
    bold.setBold(true);
    m_startStop->setFont(bold);
    QFont title = bold;
    title.setPointSizeF(font().pointSizeF() * 1.1);
    m_explanationTitle->setFont(title);
    // The settings dock is as wide as its knobs at the current text size.
    if (auto *scroll = qobject_cast<QScrollArea *>(m_settingsDock->widget())) {
        scroll->setMinimumWidth(m_settings->sizeHint().width() + 24);
    }
}

void MainWindow::changeEvent(QEvent *event)
{
    QMainWindow::changeEvent(event);
    if (event->type() == QEvent::FontChange && m_startStop) {
        applyFonts();
        fitStatusFields();
    }
}

void MainWindow::resizeEvent(QResizeEvent *event)
{
    QMainWindow::resizeEvent(event);
    fitStatusFields();
    if (!m_explainChosen) {
        // Short screens fold the explanation to its title (a click unfolds it) so the
        // four charts fit without scrolling; the user's own choice stays.
        m_explainToggle->setChecked(height() < kFoldExplanationBelow);
    }
    if (m_dockLayout == DockLayout::Auto && !m_presenting) {
        const DockLayout wanted
            = width() >= kBesideMinWidth ? DockLayout::Beside : DockLayout::Stacked;
        if (wanted != m_arranged) {
            // After this resize is laid out: docks move between areas.
            QTimer::singleShot(0, this, [this] {
                if (m_dockLayout == DockLayout::Auto && !m_presenting) {
                    arrangeDocks(DockLayout::Auto);
                }
            });
            m_arranged = wanted;
        }
    }
}

void MainWindow::showEvent(QShowEvent *event)
{
    QMainWindow::showEvent(event);
    if (!m_shown) {
        m_shown = true;
        applyFonts();
        m_startStop->setFocus(Qt::OtherFocusReason);
    }
}

// ---- keyboard ----

void MainWindow::catchKeys(QWidget *root)
{
    // Text fields take Space (and spin boxes Ctrl+Z) before any shortcut; in ours a
    // space is never valid, so the window's Space and knob undo win there too.
    for (QLineEdit *edit : root->findChildren<QLineEdit *>()) {
        if (edit == m_url) {
            edit->installEventFilter(this);
        }
    }
    for (QAbstractSpinBox *spin : root->findChildren<QAbstractSpinBox *>()) {
        spin->installEventFilter(this);
    }
}

bool MainWindow::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() == QEvent::Resize && watched == m_chartsArea->viewport()) {
        m_charts->setFixedWidth(m_chartsArea->viewport()->width());
    }
    if (event->type() == QEvent::ShortcutOverride) {
        auto *key = static_cast<QKeyEvent *>(event);
        const bool space = key->key() == Qt::Key_Space && key->modifiers() == Qt::NoModifier;
        const bool undo = qobject_cast<QAbstractSpinBox *>(watched)
            && (key->matches(QKeySequence::Undo) || key->matches(QKeySequence::Redo)
                || (key->key() == Qt::Key_Z
                    && key->modifiers() == (Qt::ControlModifier | Qt::ShiftModifier)));
        if (space || undo) {
            event->ignore(); // not overridden: the shortcut fires
            return true;
        }
    }
    return QMainWindow::eventFilter(watched, event);
}

void MainWindow::onUrlReturn()
{
    if (!m_running) {
        startRun();
        return;
    }
    if (targetUrl() == m_runUrl) {
        return; // already loading this target
    }
    if (confirmDiscard(tr("Restart against %1").arg(targetUrl()), { runLoss() })) {
        stopRun();
        startRun();
    }
}

// ---- confirmations ----

void MainWindow::setConfirmHandler(ConfirmHandler handler)
{
    m_confirm = std::move(handler);
}

bool MainWindow::confirmDiscard(const QString &action, const QStringList &losses)
{
    QStringList items;
    for (const QString &loss : losses) {
        if (!loss.isEmpty()) {
            items << loss;
        }
    }
    if (items.isEmpty()) {
        return true; // nothing to lose: no question
    }
    return ask(action, items);
}

bool MainWindow::ask(const QString &action, const QStringList &items)
{
    if (m_confirm) {
        return m_confirm(action, items);
    }
    QMessageBox box(
        QMessageBox::Warning, action, tr("%1?").arg(action), QMessageBox::NoButton, this);
    QStringList html;
    for (const QString &item : std::as_const(items)) {
        html << QStringLiteral("<li>%1</li>").arg(item.toHtmlEscaped());
    }
    box.setInformativeText(tr("<ul>%1</ul>").arg(html.join(QString())));
    QPushButton *go = box.addButton(action, QMessageBox::AcceptRole);
    box.addButton(QMessageBox::Cancel);
    box.setDefaultButton(go);
    box.exec();
    return box.clickedButton() == go;
}

QStringList MainWindow::changedKnobs() const
{
    const Settings base { m_scenario.transport, m_scenario.load, m_scenario.server };
    QStringList names;
    for (const QString &key : m_settings->knobKeys()) {
        const KnobWidget *w = m_settings->knob(key);
        if (!(w->knob().get(m_settings->settings()) == w->knob().get(base))) {
            names << w->title();
        }
    }
    return names;
}

QString MainWindow::knobLoss() const
{
    const QStringList names = changedKnobs();
    if (names.isEmpty()) {
        return {};
    }
    return tr("Your changes to %n knob(s) are discarded: %1.", nullptr, int(names.size()))
        .arg(names.join(QStringLiteral(", ")));
}

QString MainWindow::runLoss() const
{
    const QString length = formatClock(std::chrono::duration<double>(m_last.time).count());
    if (m_running) {
        return tr("The run in progress (%1 so far) stops and its charts are cleared.").arg(length);
    }
    if (!m_charts->history().empty()) {
        return tr("The charts of the last run (%1) are cleared.").arg(length);
    }
    return {};
}

QStringList MainWindow::lossesOfLoading(const Preset &next) const
{
    QStringList losses;
    if (m_running) {
        losses << runLoss(); // the preset restarts it
    }
    losses << knobLoss();
    const QString typed = m_url->text().trimmed();
    const QString nextUrl = next.load.url.isEmpty() ? embeddedUrl() : next.load.url;
    if (!typed.isEmpty() && typed != embeddedUrl() && typed != nextUrl) {
        losses << (next.load.url.isEmpty()
                ? tr("Your target URL %1 is replaced by the embedded server.").arg(typed)
                : tr("Your target URL %1 is replaced by %2.").arg(typed, nextUrl));
    }
    return losses;
}

bool MainWindow::requestScenario(const Preset &preset, const QString &action)
{
    applyPendingChanges();
    if (!confirmDiscard(action, lossesOfLoading(preset))) {
        // The list shows what is still loaded.
        const int index = m_presets->findData(m_scenario.id);
        m_presets->setCurrentIndex(index);
        return false;
    }
    loadScenario(preset);
    return true;
}

bool MainWindow::requestPreset(const QString &id)
{
    const Preset *p = findPreset(id);
    if (!p) {
        return false;
    }
    return requestScenario(*p, tr("Load preset “%1”").arg(presetText(p->title)));
}

void MainWindow::requestReset()
{
    applyPendingChanges();
    if (confirmDiscard(tr("Reset"), { runLoss(), knobLoss() })) {
        resetRun();
    }
}

// ---- undo ----

void MainWindow::undoKnobEdit()
{
    applyPendingChanges(); // an edit still settling is the one to undo
    m_undo->undo();
}

void MainWindow::redoKnobEdit()
{
    applyPendingChanges();
    m_undo->redo();
}

void MainWindow::replayKnobSteps(const QList<KnobStep> &steps, bool undo)
{
    m_replaying = true;
    for (qsizetype i = 0; i < steps.size(); ++i) {
        const KnobStep &s = steps[undo ? steps.size() - 1 - i : i];
        if (KnobWidget *k = m_settings->knob(s.key)) {
            k->editAsUser(undo ? s.oldValue : s.newValue); // a user edit: marker, engine
        }
    }
    applyPendingChanges();
    m_replaying = false;
}

// ---- presets and targets ----

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
    m_undo->clear(); // edits of another scenario's knobs
    m_scenario = preset;
    m_settings->setSettings(Settings { preset.transport, preset.load, preset.server });
    if (!preset.load.url.isEmpty()) {
        setUrlText(preset.load.url);
    } else {
        setUrlText(embeddedUrl());
    }
    if (m_server->isListening()) {
        m_server->setConfig(serverConfig());
    }
    m_goCode->setConfig(preset.transport, preset.load);
    m_charts->setLimits(
        preset.transport.effectiveMaxIdleConnsPerHost(), preset.transport.maxConnsPerHost);
    m_explanationTitle->setText(preset.title.isEmpty() ? preset.id : presetText(preset.title));
    m_explanation->setText(presetText(preset.explanation));
    const int index = m_presets->findData(preset.id);
    if (index >= 0) {
        m_presets->setCurrentIndex(index);
    }
    clearStatus();
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
    setUrlText(url.isEmpty() ? embeddedUrl() : url);
}

void MainWindow::setUrlText(const QString &url)
{
    m_url->setText(url); // the cursor goes to the end, even when the text is the same
    if (!m_url->hasFocus()) {
        // Set by a preset or the server, not typed: show where the URL starts (the
        // scheme and host), not its end, when the box is narrower than the URL.
        m_url->setCursorPosition(0);
    }
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
    load.setFirstTarget(targetUrl()); // a scenario's other targets stay while it is first
    return load;
}

ServerConfig MainWindow::serverConfig() const
{
    ServerConfig cfg = m_settings->serverConfig();
    // The user's address (setListenAddress) wins; a scenario's is loopback or ignored.
    if (m_listenChosen || !isLoopbackListenAddress(cfg.listenAddress)) {
        cfg.listenAddress = m_listenAddress;
    }
    return cfg;
}

// ---- where the window may reach and listen ----

bool MainWindow::allowTarget(const QString &url)
{
    const auto target = parseTarget(url);
    if (!target) {
        return false;
    }
    if (!m_allowedTargets.contains(target->poolKey)) {
        m_allowedTargets << target->poolKey;
    }
    return true;
}

bool MainWindow::isTargetAllowed(const QString &url) const
{
    const auto target = parseTarget(url);
    return target && (isLoopbackHost(target->host) || m_allowedTargets.contains(target->poolKey));
}

bool MainWindow::confirmTarget(const QString &url)
{
    if (isTargetAllowed(url)) {
        return true;
    }
    const QString action = tr("Load %1").arg(url);
    const QStringList items {
        tr("%1 is not on this machine: the run sends real load to it.").arg(url),
        tr("Only load servers you run or may test; a scenario file or preset chose this target, "
           "not necessarily you."),
    };
    if (!ask(action, items)) {
        return false;
    }
    return allowTarget(url);
}

bool MainWindow::setListenAddress(const QHostAddress &address, bool confirmed, QString *error)
{
    if (!isLoopbackListenAddress(address) && !confirmed) {
        const QStringList items { tr("The embedded server becomes reachable from other machines "
                                     "on %1: anyone who can reach it can load it and read what "
                                     "it serves.")
                                      .arg(address.toString()) };
        if (!ask(tr("Listen on %1").arg(address.toString()), items)) {
            if (error) {
                *error = tr("declined");
            }
            return false;
        }
    }
    const QHostAddress old = m_listenAddress;
    const bool oldChosen = m_listenChosen;
    m_listenAddress = address;
    m_listenChosen = true;
    if (!m_server->isListening() || m_serverAddress == serverConfig().listenAddress) {
        return true;
    }
    QString why;
    if (m_running) {
        stopRun();
    }
    if (!ensureEmbeddedServer(&why)) {
        m_listenAddress = old;
        m_listenChosen = oldChosen;
        QString ignored;
        ensureEmbeddedServer(&ignored);
        if (error) {
            *error = why;
        }
        return false;
    }
    return true;
}

void MainWindow::chooseListenAddress()
{
    bool ok = false;
    const QString text = QInputDialog::getText(this, tr("Embedded server address"),
        tr("Address to listen on (127.0.0.1 keeps it on this machine; 0.0.0.0 or :: opens it "
           "to others):"),
        QLineEdit::Normal, m_listenAddress.toString(), &ok);
    if (!ok) {
        return;
    }
    QHostAddress address;
    if (!address.setAddress(text.trimmed())) {
        QMessageBox::warning(this, tr("Embedded server address"),
            tr("\"%1\" is not an IPv4 or IPv6 address").arg(text.trimmed()));
        return;
    }
    QString error;
    if (!setListenAddress(address, false, &error) && error != tr("declined")) {
        QMessageBox::warning(this, tr("Embedded server address"), error);
    }
}

QString MainWindow::explanationText() const
{
    return m_explanation->text();
}

QString MainWindow::errorText() const
{
    return m_error->isHidden() ? QString() : m_error->text();
}

void MainWindow::updateTargetLabel()
{
    const QString text = m_url->text().trimmed();
    if (!m_server->isListening()) {
        m_targetLabel->setText(tr("embedded server not running"));
    } else if (text.isEmpty() || text == embeddedUrl()) {
        m_targetLabel->setText(tr("embedded server, port %1").arg(m_server->port()));
    } else {
        m_targetLabel->setText(tr("external target"));
        m_targetLabel->setToolTip(
            tr("The embedded server is idle on port %1").arg(m_server->port()));
        return;
    }
    m_targetLabel->setToolTip(QString());
}

bool MainWindow::ensureEmbeddedServer(QString *error)
{
    const ServerConfig cfg = serverConfig();
    if (m_server->isListening() && cfg.tls == m_serverTls && cfg.listenAddress == m_serverAddress) {
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
    m_serverAddress = cfg.listenAddress;
    if (wasTarget) {
        setUrlText(embeddedUrl());
    }
    updateTargetLabel();
    return true;
}

// ---- the run ----

void MainWindow::startRun()
{
    applyPendingChanges();
    m_error->hide();
    hideFailureBanner();
    const QString text = m_url->text().trimmed();
    const bool embedded = text.isEmpty() || text == embeddedUrl();
    QString error;
    if (embedded || serverConfig().tls != m_serverTls
        || serverConfig().listenAddress != m_serverAddress) {
        if (!ensureEmbeddedServer(&error)) {
            onRunFailed(tr("the embedded server could not start: %1").arg(error));
            return;
        }
    }
    const LoadConfig load = loadConfig();
    if (!load.url.startsWith(u"http://") && !load.url.startsWith(u"https://")) {
        onRunFailed(tr("\"%1\" is not an http:// or https:// URL").arg(load.url));
        return;
    }
    if (!embedded && !confirmTarget(load.url)) {
        onRunFailed(tr("not started: %1 is not on this machine and loading it was not confirmed")
                        .arg(load.url));
        return;
    }
    const TransportConfig transport = transportConfig();
    // The previous run stays on the charts until this one has started: a start that
    // fails (an unresolvable host...) leaves it there.
    m_clearOnStart = true;
    m_runUrl = load.url;
    m_charts->setPaused(false);
    m_charts->setLimits(transport.effectiveMaxIdleConnsPerHost(), transport.maxConnsPerHost);
    m_engine->start(load, transport);
    setRunning(true);
}

void MainWindow::clearRunView()
{
    if (!m_clearOnStart) {
        return;
    }
    m_clearOnStart = false;
    m_charts->clear();
    m_connections->clear();
    m_last = EngineSnapshot {};
    clearStatus();
}

void MainWindow::clearStatus()
{
    m_recent.clear();
    m_error->hide();
    hideFailureBanner();
    statusBar()->clearMessage();
    updateStatus(m_running ? m_last : EngineSnapshot {});
}

void MainWindow::stopRun()
{
    if (!m_running) {
        return;
    }
    m_engine->stop();
    m_clearOnStart = false;
    setRunning(false);
    // The run's totals stay; live figures and the last error go.
    m_error->hide();
    hideFailureBanner();
    statusBar()->clearMessage();
    updateStatus(m_last);
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
    m_connections->clear();
    m_last = EngineSnapshot {};
    loadScenario(m_scenario);
    statusBar()->showMessage(tr("Reset to the preset's settings"), 3000);
}

void MainWindow::setRunning(bool running)
{
    if (m_running == running) {
        return;
    }
    m_running = running;
    m_startStop->setText(running ? tr("■ Stop") : tr("▶ Start"));
    updateElapsed(m_last);
    fitStatusFields();
    Q_EMIT runStateChanged(running);
}

void MainWindow::onKnobEdited(SettingsPanel::Section section, const QString &key,
    const QString &oldText, const QString &newText, double oldValue, double newValue)
{
    auto it = m_pending.find(key);
    if (it == m_pending.end()) {
        m_pending.insert(key, PendingChange { section, oldText, newText, oldValue, newValue });
        m_pendingOrder << key;
    } else {
        it->newText = newText;
        it->newValue = newValue;
    }
    // The code panel follows every edit at once; the engine gets the settled value.
    m_goCode->setConfig(transportConfig(), m_settings->loadConfig());
    m_applyTimer->start();
}

void MainWindow::applyPendingChanges()
{
    m_applyTimer->stop();
    if (m_pending.isEmpty()) {
        return;
    }
    QStringList labels;
    QList<KnobStep> steps;
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
        steps << KnobStep { key, c.oldValue, c.newValue };
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
    m_goCode->setConfig(t, m_settings->loadConfig());
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
    if (!m_replaying) {
        m_undo->push(new KnobEditCommand(this, steps, labels.join(QStringLiteral(", "))));
    }
    statusBar()->showMessage(labels.join(QStringLiteral(", ")), 4000);
    Q_EMIT changesApplied(labels, m_running);
}

void MainWindow::onSnapshot()
{
    if (m_clearOnStart) {
        return; // the stopped run's last word, queued before the new run started
    }
    // A copy taken under the controller's mutex; the engine never waits for us.
    m_last = m_engine->snapshot();
    m_recent.push(CountSample { std::chrono::duration<double>(m_last.time).count(),
        m_last.pool.gets, establishedConnections(m_last.pool), RequestTally::of(m_last) });
    m_charts->addSnapshot(m_last);
    if (m_connectionsDock->isVisible()) {
        m_connections->setSnapshot(m_last);
    }
    updateFailureBanner(m_last);
    updateStatus(m_last);
    updateElapsed(m_last);
}

void MainWindow::onRunFinished(const EngineSnapshot &final)
{
    if (m_clearOnStart) {
        return; // the end of a run we already left for a new one
    }
    m_last = final;
    m_charts->addSnapshot(final);
    if (m_connectionsDock->isVisible()) {
        m_connections->setSnapshot(final);
    }
    setRunning(false);
    updateStatus(final);
    updateElapsed(final);
    if (final.stoppedFailing) {
        const double after
            = std::chrono::duration<double>(m_settings->loadConfig().stopWhenFailing).count();
        showFailureBanner(
            tr("The run stopped: every request failed for %1 s (stop when failing).").arg(after),
            final.lastError);
        statusBar()->showMessage(tr("Run stopped: every request failed"), 4000);
        return;
    }
    statusBar()->showMessage(tr("Run finished"), 4000);
}

void MainWindow::onRunFailed(const QString &message)
{
    m_clearOnStart = false; // the previous run stays on the charts
    setRunning(false);
    m_error->setText(tr("Could not run: %1").arg(message));
    m_error->show();
}

void MainWindow::updateElapsed(const EngineSnapshot &s)
{
    const double elapsed = std::chrono::duration<double>(s.time).count();
    const LoadConfig &load = m_settings->loadConfig();
    const QString state = m_running ? tr("running") : tr("stopped");
    if (load.duration > Duration::zero()) {
        const double total = std::chrono::duration<double>(load.duration).count();
        m_elapsed->setText(tr("%1 %2 of %3").arg(state, formatClock(elapsed), formatClock(total)));
    } else {
        // Bounded by requests only (the lab, some scenarios): show progress in requests.
        const quint64 total
            = quint64(std::max(load.requestsPerWorker, 0)) * quint64(std::max(load.workers, 0));
        m_elapsed->setText(tr("%1 %2, %3 of %4 requests")
                               .arg(state, formatClock(elapsed))
                               .arg(s.requestsDone)
                               .arg(total));
    }
}

QString MainWindow::requestsPerConnectionText(const EngineSnapshot &s) const
{
    // Core's one definition, so the window and `poolscope run` agree.
    const std::optional<double> total = requestsPerConnection(s.pool);
    QString text = total ? QString::number(*total, 'f', 1) : QStringLiteral("–");
    if (!m_running || m_recent.isEmpty()) {
        return text;
    }
    const CountSample &latest = m_recent.back();
    const CountSample &old = m_recent[recentSince(5.0)];
    if (latest.t - old.t >= 1.0) {
        const std::optional<double> recent
            = requestsPerConnection(latest.gets - old.gets, latest.established - old.established);
        text += recent ? tr(" (last 5 s: %1)").arg(*recent, 0, 'f', 1)
                       : tr(" (last 5 s: no new connections)");
    }
    return text;
}

std::size_t MainWindow::recentSince(double seconds) const
{
    std::size_t i = 0;
    while (i + 1 < m_recent.size() && m_recent[i].t < m_recent.back().t - seconds) {
        ++i;
    }
    return i;
}

QString MainWindow::failureBannerText() const
{
    return m_failBanner->isHidden() ? QString() : m_failBanner->text();
}

void MainWindow::showFailureBanner(const QString &headline, const QString &error)
{
    QString text = headline;
    if (!error.isEmpty()) {
        text += u'\n' + tr("Last error: %1").arg(error);
        if (const QString hint = failureHint(error); !hint.isEmpty()) {
            text += u'\n' + tr("Hint: %1").arg(hint);
        }
    }
    if (m_failBanner->text() != text) {
        m_failBanner->setText(text);
    }
    m_failBanner->show();
}

void MainWindow::hideFailureBanner()
{
    m_failBanner->hide();
    m_failBanner->clear();
}

// While a run is live: the share of the requests of the last 5 s that failed. Above half,
// the banner says so; below, it goes. A stopped run's banner stays until Stop, Reset, a
// preset or the next Start.
void MainWindow::updateFailureBanner(const EngineSnapshot &s)
{
    if (!m_running || m_recent.isEmpty()) {
        return;
    }
    const CountSample &old = m_recent[recentSince(5.0)];
    const double span = m_recent.back().t - old.t;
    const std::optional<double> share = failureShare(old.requests, m_recent.back().requests);
    if (!share || span < 1.0) {
        return; // too little to judge: keep what is shown
    }
    if (*share <= kMostFailShare) {
        hideFailureBanner();
        return;
    }
    // The rates over the same seconds as the share (the snapshot's own are over its last
    // 100 ms: 15 attempts/s beside a 1 s mean of 60 on the chart).
    const RequestTally &now = m_recent.back().requests;
    const double attempts = double(now.finished - old.requests.finished);
    const double failed = double(now.errors - old.requests.errors);
    showFailureBanner(tr("Most requests fail: %1 % of the requests of the last %2 s failed; "
                         "%3 of %4 attempts/s succeed.")
                          .arg(100.0 * *share, 0, 'f', 0)
                          .arg(span, 0, 'f', 0)
                          .arg(std::max(0.0, attempts - failed) / span, 0, 'f', 0)
                          .arg(attempts / span, 0, 'f', 0),
        s.lastError);
}

void MainWindow::updateStatus(const EngineSnapshot &s)
{
    const PoolCounters &p = s.pool;
    // Live figures only while a run is live; the totals stay after Stop.
    const bool live = m_running;
    const QString none = QStringLiteral("–");
    // Throughput is successes; attempts are named beside it once failures make a difference.
    // Over the last second, like the chart's line: one 100 ms snapshot flickers by +-10 %
    // at a steady load and reads 0 between the rare responses of a slow one.
    double rps = s.rpsWindow;
    double attempts = s.attemptsWindow;
    if (!m_recent.isEmpty()) {
        const CountSample &latest = m_recent.back();
        const CountSample &old = m_recent[recentSince(1.0)];
        const double span = latest.t - old.t;
        if (span >= 0.5) {
            // RunStats' successes are the finished requests that did not fail.
            attempts = double(latest.requests.finished - old.requests.finished) / span;
            rps = attempts - double(latest.requests.errors - old.requests.errors) / span;
        }
    }
    const bool failing = attempts > 1.5 * rps + 1.0;
    m_status[QStringLiteral("rps")]->setText(!live ? tr("%1 req/s").arg(none)
            : failing ? tr("%1 req/s (%2 attempts/s)").arg(rps, 0, 'f', 0).arg(attempts, 0, 'f', 0)
                      : tr("%1 req/s").arg(rps, 0, 'f', 0));
    m_status[QStringLiteral("reqPerConn")]->setText(
        tr("requests/connection %1").arg(requestsPerConnectionText(s)));
    m_status[QStringLiteral("reuse")]->setText(p.gets > 0
            ? tr("reuse %1 %").arg(100.0 * double(p.reused) / double(p.gets), 0, 'f', 0)
            : tr("reuse %1").arg(none));
    m_status[QStringLiteral("openIdle")]->setText(live
            ? tr("open %1 / idle %2").arg(p.now.open()).arg(p.now.idle)
            : tr("open %1 / idle %1").arg(none));
    QLabel *tw = m_status[QStringLiteral("timeWait")];
    if (live && s.kernel.available) {
        tw->setText(tr("TIME_WAIT %1").arg(s.kernel.counts.count(TcpState::TimeWait)));
    } else {
        tw->setText(live ? tr("TIME_WAIT n/a") : tr("TIME_WAIT %1").arg(none));
    }
    updatePortsStatus(s, live);
    QStringList protos;
    for (std::size_t i = 0; i < kHttpProtoCount; ++i) {
        if (s.responsesByProto[i] > 0) {
            protos << QLatin1String(httpProtoName(static_cast<HttpProto>(i)));
        }
    }
    QString protoText
        = protos.isEmpty() ? tr("protocol %1").arg(none) : protos.join(QStringLiteral(" + "));
    if (live && (s.h2Streams > 0 || s.h2StreamsWaiting > 0)) {
        protoText += tr(", streams %1 (waiting %2)").arg(s.h2Streams).arg(s.h2StreamsWaiting);
    }
    m_status[QStringLiteral("protocol")]->setText(protoText);
    QLabel *errors = m_status[QStringLiteral("errors")];
    errors->setText(tr("errors %1").arg(s.errors));
    errors->setStyleSheet(s.errors > 0 ? QStringLiteral("color: #b00020;") : QString());
    errors->setToolTip(
        s.lastError.isEmpty() ? tr("Requests that failed") : tr("Last error: %1").arg(s.lastError));
    // The newest error in words, on the left of the status bar, so a refused
    // connection or a bad certificate is obvious without hovering anything.
    // While the failure banner shows it whole, the status bar does not repeat it cut short.
    if (live && !s.lastError.isEmpty() && s.errors > 0 && m_failBanner->isHidden()) {
        statusBar()->showMessage(tr("Last error: %1").arg(s.lastError));
    } else if (live && (s.errors == 0 || !m_failBanner->isHidden())) {
        statusBar()->clearMessage();
    }
    fitStatusFields();
}

void MainWindow::updatePortsStatus(const EngineSnapshot &s, bool live)
{
    // Ephemeral-port headroom: a TIME_WAIT storm ends in "cannot assign requested address".
    QLabel *ports = m_status[QStringLiteral("ports")];
    static const KernelSettings kernel = KernelSettings::read();
    if (!live || !s.kernel.available || !kernel.ok) {
        ports->setText(live ? tr("ports n/a") : tr("ports –"));
        ports->setStyleSheet(QString());
        return;
    }
    const PortHeadroom h = PortHeadroom::compute(s.kernel, kernel);
    ports->setText(
        tr("ports %1 % (%2)")
            .arg(100.0 * h.fraction, 0, 'f', h.fraction < 0.01 ? 2 : 0)
            .arg(QCoreApplication::translate("PortHeadroom", PortHeadroom::levelName(h.level))));
    ports->setStyleSheet(h.level == PortHeadroom::Critical ? QStringLiteral("color: #b00020;")
            : h.level == PortHeadroom::Warn                ? QStringLiteral("color: #b06000;")
                                                           : QString());
    ports->setToolTip(tr("%1 of %2 ephemeral ports (net.ipv4.ip_local_port_range %3-%4) are held "
                         "by sockets toward the target.\nnet.ipv4.tcp_tw_reuse = %5, "
                         "tcp_fin_timeout = %6 s, tcp_keepalive_time/intvl/probes = %7 s / %8 s "
                         "/ %9")
                          .arg(h.inUse)
                          .arg(h.rangeSize)
                          .arg(kernel.portRangeLow)
                          .arg(kernel.portRangeHigh)
                          .arg(kernel.twReuse)
                          .arg(kernel.finTimeout)
                          .arg(kernel.keepaliveTime)
                          .arg(kernel.keepaliveIntvl)
                          .arg(kernel.keepaliveProbes));
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
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open scenario"), QString(), tr("PoolScope scenario (*.json)"));
    if (path.isEmpty()) {
        return;
    }
    QString error;
    const auto preset = loadScenarioFile(path, &error);
    if (!preset) {
        QMessageBox::warning(this, tr("Cannot open scenario"), error);
        return;
    }
    requestScenario(*preset, tr("Open scenario “%1”").arg(preset->title));
}

void MainWindow::saveScenario()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Save scenario"),
        m_scenario.id + QStringLiteral(".json"), tr("PoolScope scenario (*.json)"));
    if (path.isEmpty()) {
        return;
    }
    Preset p = m_scenario;
    p.transport = transportConfig();
    p.load = m_settings->loadConfig();
    const QString text = m_url->text().trimmed();
    p.load.setFirstTarget(text == embeddedUrl() ? QString() : text);
    p.server = serverConfig();
    QString error;
    if (!saveScenarioFile(path, p, &error)) {
        QMessageBox::warning(this, tr("Cannot save scenario"), error);
    }
}

void MainWindow::showHelp()
{
    auto *box = new QMessageBox(QMessageBox::Information, tr("PoolScope"),
        tr("<h3>What you are looking at</h3>"
           "<p>PoolScope runs an HTTP client whose connection pool behaves like Go's "
           "<code>http.Transport</code> against a target (by default an embedded server on "
           "127.0.0.1) and draws what the pool and the kernel do.</p>"
           "<ol><li><b>Connections</b>: open, active, idle, dialing and waiting, with dashed "
           "lines for the idle cap (MaxIdleConnsPerHost) and MaxConnsPerHost.</li>"
           "<li><b>New connections and closes per second</b>: every close is coloured by its "
           "reason, named like Go's error (errTooManyIdleHost ...).</li>"
           "<li><b>Kernel sockets</b>: TIME_WAIT piles up on the side that closes first: the "
           "solid line is the client's, the dashed one the server's (counted when the target "
           "runs on this machine).</li>"
           "<li><b>Latency and throughput</b>: req/s counts successful requests only; the "
           "dashed attempts/s line counts failed ones too. When most requests fail, a banner "
           "above the charts gives Go's error and what to try.</li></ol>"
           "<p><b>Try it:</b> pick the TIME_WAIT storm preset, press Space, watch TIME_WAIT climb "
           "and requests per connection stay in single digits; then set MaxIdleConnsPerHost to "
           "10 in the Settings dock (click its slider and press PageUp twice). A marker shows "
           "the change on every chart and the churn stops. Ctrl+Z undoes a knob change.</p>"
           "<p><b>How close to Go:</b> pool rules match Go's exactly (tests/conformance). Think "
           "time sleeps like <code>time.Sleep</code> in a Go program, in whole milliseconds "
           "(Settings: timers). With no think time PoolScope behaves like Go with "
           "GOMAXPROCS=1; Go with more Ps churns more.</p>"
           "<p><b>Keys</b> (wherever the focus is): Space start/stop, Enter in the URL start, "
           "Ctrl+R reset, Ctrl+1…9 presets, Ctrl+Z / Ctrl+Shift+Z undo / redo a knob change, "
           "P pause charts, Ctrl+Shift+S settings, Ctrl+Shift+G Go code, Ctrl+Shift+C "
           "connections, Ctrl+Shift+L dead-peer lab, Ctrl+Shift+F charts only, F11 "
           "presentation mode, Ctrl+Plus / Ctrl+Minus / Ctrl+0 text size, F1 this help. On a "
           "knob: arrows and PageUp/PageDown step to round values. Hover any knob for its Go "
           "field and what zero means.</p>"),
        QMessageBox::Close, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setModal(false);
    box->show();
}

} // namespace poolscope
