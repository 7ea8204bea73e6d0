#pragma once

#include "load/engine_snapshot.h"
#include "load/failure_hint.h"
#include "metrics/ring_buffer.h"
#include "scenario/presets.h"
#include "settings_panel.h"

#include <QMainWindow>
#include <QMap>
#include <functional>
#include <memory>

class QAction;
class QActionGroup;
class QComboBox;
class QDockWidget;
class QFrame;
class QLabel;
class QLineEdit;
class QPushButton;
class QScrollArea;
class QTimer;
class QToolBar;
class QToolButton;
class QUndoStack;

namespace poolscope {

class ChartsPanel;
class ConnectionsView;
class EmbeddedServer;
class EngineController;
class GoCodePanel;
class LabPanel;
class KnobEditCommand;

// The product window: target and run controls on top, the knobs in a dock,
// the four live charts in the middle, the Go code of the current settings and
// a status bar with the numbers that tell the story. Talks to the engine only
// through EngineController (whole configs in, snapshots out) and starts its
// own embedded target server.
//
// It fits every screen from 1024x768 up: it opens at a size that fits the
// available screen, the charts scroll rather than push the window past the
// screen, the Go code dock goes under the settings on narrow windows (or is
// tabbed with them), every dock can be closed and is listed in the View menu,
// and a charts-only view and a presentation mode (F11: full screen, larger
// text) give the charts the room. Knob edits can be undone (Ctrl+Z), and
// anything that would throw away a run or the user's settings asks first
// (confirmDiscard).
class MainWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)

public:
    // A knob edit is applied (config sent, marker dropped) after this quiet
    // time, so dragging a slider from 2 to 10 gives one "2 -> 10" marker.
    static constexpr int kApplyDelayMs = 250;
    // Below this window width the Go code dock goes under the settings (DockLayout::Auto).
    static constexpr int kBesideMinWidth = 1400;
    // Below this window height the explanation starts folded to its title line.
    static constexpr int kFoldExplanationBelow = 860;
    // The height the window leaves the charts at 1024x768 and 1280x720 (under a window
    // manager's title bar) at least: four charts of 120 px and their scroll bar. Charts
    // that need more scroll.
    static constexpr int kChartsRoom = 4 * 120 + 30;
    // The text size presentation mode starts at (unless larger text was already chosen).
    static constexpr double kPresentationFontScale = 1.25;
    static constexpr double kMinFontScale = 0.8;
    static constexpr double kMaxFontScale = 2.0;

    // Where the Go code dock sits. Auto: beside the charts on wide windows, under the
    // settings below kBesideMinWidth.
    enum class DockLayout { Auto, Beside, Stacked, Tabbed };
    Q_ENUM(DockLayout)

    // Asked before something throws work away: the action ("Load preset") and, one
    // item each, what would be lost. True = go ahead. The default shows a question box.
    using ConfirmHandler = std::function<bool(const QString &action, const QStringList &losses)>;

    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    // Loads a built-in preset; false (and nothing changes) for an unknown id.
    bool loadPreset(QStringView id);
    // Loads any preset-shaped scenario (built-in or from a file).
    void loadScenario(const Preset &preset);
    [[nodiscard]] QString currentPresetId() const { return m_scenario.id; }
    // The scenario Reset returns to.
    [[nodiscard]] const Preset &scenario() const { return m_scenario; }

    [[nodiscard]] bool isRunning() const { return m_running; }
    // Overrides the target; empty = the embedded server.
    void setTargetUrl(const QString &url);
    [[nodiscard]] QString targetUrl() const;
    // The embedded server's URL ("" if it failed to start).
    [[nodiscard]] QString embeddedUrl() const;

    [[nodiscard]] TransportConfig transportConfig() const;
    [[nodiscard]] LoadConfig loadConfig() const;
    [[nodiscard]] ServerConfig serverConfig() const;

    [[nodiscard]] ChartsPanel *charts() const { return m_charts; }
    [[nodiscard]] SettingsPanel *settings() const { return m_settings; }
    [[nodiscard]] GoCodePanel *goCode() const { return m_goCode; }
    [[nodiscard]] ConnectionsView *connectionsView() const { return m_connections; }
    [[nodiscard]] LabPanel *labPanel() const { return m_lab; }
    [[nodiscard]] QDockWidget *connectionsDock() const { return m_connectionsDock; }
    [[nodiscard]] QDockWidget *labDock() const { return m_labDock; }
    [[nodiscard]] EngineController *engine() const { return m_engine.get(); }
    [[nodiscard]] EmbeddedServer *embeddedServer() const { return m_server.get(); }
    [[nodiscard]] const EngineSnapshot &lastSnapshot() const { return m_last; }
    // The failure banner's text as shown; empty while it is hidden.
    [[nodiscard]] QString failureBannerText() const;
    [[nodiscard]] QString statusText() const;
    [[nodiscard]] QString explanationText() const;
    // The line above the charts that says why the last start failed ("" when hidden).
    [[nodiscard]] QString errorText() const;

    [[nodiscard]] QDockWidget *settingsDock() const { return m_settingsDock; }
    [[nodiscard]] QDockWidget *goCodeDock() const { return m_goDock; }
    [[nodiscard]] QToolBar *runBar() const { return m_runBar; }
    [[nodiscard]] QPushButton *startButton() const { return m_startStop; }
    [[nodiscard]] QPushButton *helpButton() const { return m_help; }
    [[nodiscard]] QLineEdit *urlEdit() const { return m_url; }
    [[nodiscard]] QScrollArea *chartsArea() const { return m_chartsArea; }
    [[nodiscard]] QUndoStack *undoStack() const { return m_undo; }
    // Window actions by object name ("startStop", "reset", "undo", "redo", "chartsOnly",
    // "presentation", "largerText", "smallerText", "normalText", "pauseCharts"...).
    [[nodiscard]] QAction *action(const QString &name) const;

    [[nodiscard]] DockLayout dockLayout() const { return m_dockLayout; }
    [[nodiscard]] bool isChartsOnly() const { return m_chartsOnly; }
    [[nodiscard]] bool isPresentationMode() const { return m_presenting; }
    [[nodiscard]] double fontScale() const { return m_fontScale; }

    // Titles of the knobs whose values differ from the loaded scenario's.
    [[nodiscard]] QStringList changedKnobs() const;
    // What the current run holds that a reset or restart would clear ("" if nothing).
    [[nodiscard]] QString runLoss() const;
    // The knob changes a reset or another scenario would discard ("" if none).
    [[nodiscard]] QString knobLoss() const;
    // Asks the ConfirmHandler unless `losses` is empty; true = go ahead.
    bool confirmDiscard(const QString &action, const QStringList &losses);
    // Replaces the question box (tests); an empty handler restores it.
    void setConfirmHandler(ConfirmHandler handler);

    // Every start at a target off this machine (not localhost, 127.0.0.0/8 or ::1) asks
    // first, once per target (scheme://host:port) and window: a scenario file or preset
    // cannot point a load at someone else's server unasked. allowTarget() records a
    // target the user named themselves (poolscope --url); false for an unparsable URL.
    bool allowTarget(const QString &url);
    [[nodiscard]] bool isTargetAllowed(const QString &url) const;
    // The embedded server's listen address. Loopback always; any other address only when
    // the user asked for it: `confirmed` (poolscope --listen) or the question box says so.
    // Restarts a listening server on the new address. False when declined or when the
    // server cannot listen there (*error says why); the old address stays then.
    bool setListenAddress(const QHostAddress &address, bool confirmed, QString *error = nullptr);
    [[nodiscard]] QHostAddress listenAddress() const { return m_listenAddress; }

public Q_SLOTS:
    void startRun();
    void stopRun();
    void toggleRun();
    // Stops the run, clears the charts and returns every knob to the preset's values.
    void resetRun();
    // What the Reset button and Ctrl+R do: resetRun() after confirmDiscard.
    void requestReset();
    // What picking a preset does: loadPreset() after confirmDiscard; false if declined.
    bool requestPreset(const QString &id);
    // Undo / redo the last knob edit; each is itself a knob edit (marker, engine).
    void undoKnobEdit();
    void redoKnobEdit();
    void setDockLayout(poolscope::MainWindow::DockLayout layout);
    // Hides every dock and the explanation; off restores them.
    void setChartsOnly(bool on);
    // Full screen with larger text and the Go code tabbed behind the settings; off
    // restores the window as it was.
    void setPresentationMode(bool on);
    // Text size of the whole window, 1 = the system's (clamped to kMin/kMaxFontScale).
    void setFontScale(double scale);
    // Applies pending knob edits now instead of after kApplyDelayMs.
    void applyPendingChanges();
    void showHelp();

Q_SIGNALS:
    // After knob edits were applied: the marker labels ("MaxIdleConnsPerHost 2 -> 10") and
    // whether they were sent to a running engine.
    void changesApplied(const QStringList &labels, bool sentToEngine);
    void runStateChanged(bool running);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void showEvent(QShowEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    friend class KnobEditCommand;
    struct KnobStep
    {
        QString key;
        double oldValue;
        double newValue;
    };

    void buildUi();
    void buildRunBar();
    void buildCentral();
    void buildDocks();
    void buildBottomDocks();
    void buildStatusBar();
    void buildMenus();
    void buildViewMenu();
    void fitToScreen();
    [[nodiscard]] bool isOpen(const QDockWidget *dock) const;
    void arrangeDocks(DockLayout layout);
    void fitStatusFields();
    void applyFonts();
    void catchKeys(QWidget *root);
    void replayKnobSteps(const QList<KnobStep> &steps, bool undo);
    void clearRunView();
    void clearStatus();
    void onUrlReturn();
    [[nodiscard]] QStringList lossesOfLoading(const Preset &next) const;
    bool requestScenario(const Preset &preset, const QString &action);
    void onKnobEdited(SettingsPanel::Section section, const QString &key, const QString &oldText,
        const QString &newText, double oldValue, double newValue);
    void onSnapshot();
    void onRunFinished(const EngineSnapshot &final);
    void onRunFailed(const QString &message);
    void setRunning(bool running);
    void updateStatus(const EngineSnapshot &s);
    void updatePortsStatus(const EngineSnapshot &s, bool live);
    [[nodiscard]] QString requestsPerConnectionText(const EngineSnapshot &s) const;
    void updateElapsed(const EngineSnapshot &s);
    void updateFailureBanner(const EngineSnapshot &s);
    void showFailureBanner(const QString &headline, const QString &error);
    void hideFailureBanner();
    // Index in m_recent of the oldest sample at most `seconds` older than the newest.
    [[nodiscard]] std::size_t recentSince(double seconds) const;
    void updateTargetLabel();
    void setUrlText(const QString &url);
    void openScenario();
    void saveScenario();
    bool ensureEmbeddedServer(QString *error);
    // The question box (or the ConfirmHandler) for `action`; true = go ahead.
    bool ask(const QString &action, const QStringList &items);
    bool confirmTarget(const QString &url);
    void chooseListenAddress();

    struct PendingChange
    {
        SettingsPanel::Section section;
        QString oldText;
        QString newText;
        double oldValue;
        double newValue;
    };
    // Cumulative counts of one snapshot, for figures over the last seconds.
    struct CountSample
    {
        double t;
        std::uint64_t gets;
        std::uint64_t established;
        RequestTally requests;
    };

    std::unique_ptr<EmbeddedServer> m_server;
    std::unique_ptr<EngineController> m_engine;
    Preset m_scenario; // what Reset returns to
    SettingsPanel *m_settings = nullptr;
    ChartsPanel *m_charts = nullptr;
    GoCodePanel *m_goCode = nullptr;
    ConnectionsView *m_connections = nullptr;
    QDockWidget *m_connectionsDock = nullptr;
    LabPanel *m_lab = nullptr;
    QDockWidget *m_labDock = nullptr;
    QLineEdit *m_url = nullptr;
    QLabel *m_targetLabel = nullptr;
    QPushButton *m_startStop = nullptr;
    QPushButton *m_help = nullptr;
    QToolBar *m_runBar = nullptr;
    QDockWidget *m_settingsDock = nullptr;
    QDockWidget *m_goDock = nullptr;
    QScrollArea *m_chartsArea = nullptr;
    QFrame *m_explainFrame = nullptr;
    QToolButton *m_explainToggle = nullptr;
    QUndoStack *m_undo = nullptr;
    QActionGroup *m_layoutGroup = nullptr;
    QComboBox *m_presets = nullptr;
    QLabel *m_elapsed = nullptr;
    QLabel *m_explanationTitle = nullptr;
    QLabel *m_explanation = nullptr;
    QLabel *m_error = nullptr;
    QLabel *m_failBanner = nullptr; // "most requests fail", the last error and a hint
    QMap<QString, QLabel *> m_status;
    QMap<QString, PendingChange> m_pending; // key -> first old / latest new text
    QStringList m_pendingOrder;
    QTimer *m_applyTimer = nullptr;
    EngineSnapshot m_last;
    // 8 s of snapshots at 10 Hz: the status bar's "last 5 s".
    RingBuffer<CountSample> m_recent { 80 };
    ConfirmHandler m_confirm;
    DockLayout m_dockLayout = DockLayout::Auto;
    DockLayout m_arranged = DockLayout::Auto; // what arrangeDocks last did
    double m_fontScale = 1.0;
    QFont m_baseFont;
    bool m_chartsOnly = false;
    QList<QDockWidget *> m_hiddenByChartsOnly;
    bool m_explainHiddenByChartsOnly = false;
    bool m_presenting = false;
    QByteArray m_statePresenting; // saveState() before presentation mode
    Qt::WindowStates m_windowStatePresenting;
    double m_fontScalePresenting = 1.0;
    bool m_replaying = false; // applying an undo or redo: not a new undo step
    bool m_clearOnStart = false; // a start was asked; clear the old run once it starts
    bool m_shown = false;
    bool m_explainChosen = false; // the user folded or unfolded it: no automatic folding
    bool m_running = false;
    QString m_runUrl; // the target of the run in progress
    bool m_serverTls = false; // TLS setting the embedded server was started with
    QHostAddress m_serverAddress; // the address the embedded server was started on
    QHostAddress m_listenAddress { QHostAddress::LocalHost }; // see setListenAddress()
    bool m_listenChosen = false; // setListenAddress() was called and succeeded
    QStringList m_allowedTargets; // pool keys the user agreed to load (confirmTarget)
};

} // namespace poolscope
