#pragma once

#include "load/engine_snapshot.h"
#include "scenario/presets.h"
#include "settings_panel.h"

#include <QMainWindow>
#include <QMap>
#include <memory>

class QComboBox;
class QDockWidget;
class QLabel;
class QLineEdit;
class QPushButton;
class QTimer;

namespace poolscope {

class ChartsPanel;
class ConnectionsView;
class EmbeddedServer;
class EngineController;
class GoCodePanel;
class LabPanel;

// The product window: target and run controls on top, the knobs in a dock,
// the four live charts in the middle, the Go code of the current settings and
// a status bar with the numbers that tell the story. Talks to the engine only
// through EngineController (whole configs in, snapshots out) and starts its
// own embedded target server.
class MainWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)

public:
    // A knob edit is applied (config sent, marker dropped) after this quiet
    // time, so dragging a slider from 2 to 10 gives one "2 -> 10" marker.
    static constexpr int kApplyDelayMs = 250;

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
    [[nodiscard]] QString statusText() const;
    [[nodiscard]] QString explanationText() const;

public Q_SLOTS:
    void startRun();
    void stopRun();
    void toggleRun();
    // Stops the run, clears the charts and returns every knob to the preset's values.
    void resetRun();
    // Applies pending knob edits now instead of after kApplyDelayMs.
    void applyPendingChanges();
    void showHelp();

Q_SIGNALS:
    // After knob edits were applied: the marker labels ("MaxIdleConnsPerHost 2 -> 10") and
    // whether they were sent to a running engine.
    void changesApplied(const QStringList &labels, bool sentToEngine);
    void runStateChanged(bool running);

private:
    void buildUi();
    void buildMenus();
    void onKnobEdited(SettingsPanel::Section section, const QString &key, const QString &oldText,
        const QString &newText);
    void onSnapshot();
    void onRunFinished(const EngineSnapshot &final);
    void onRunFailed(const QString &message);
    void setRunning(bool running);
    void updateStatus(const EngineSnapshot &s);
    void updateElapsed(const EngineSnapshot &s);
    void updateTargetLabel();
    void openScenario();
    void saveScenario();
    bool ensureEmbeddedServer(QString *error);

    struct PendingChange
    {
        SettingsPanel::Section section;
        QString oldText;
        QString newText;
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
    QComboBox *m_presets = nullptr;
    QLabel *m_elapsed = nullptr;
    QLabel *m_explanationTitle = nullptr;
    QLabel *m_explanation = nullptr;
    QLabel *m_error = nullptr;
    QMap<QString, QLabel *> m_status;
    QMap<QString, PendingChange> m_pending; // key -> first old / latest new text
    QStringList m_pendingOrder;
    QTimer *m_applyTimer = nullptr;
    EngineSnapshot m_last;
    bool m_running = false;
    bool m_serverTls = false; // TLS setting the embedded server was started with
};

} // namespace poolscope
