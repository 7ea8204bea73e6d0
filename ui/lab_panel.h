#pragma once

#include "kernel/dead_peer_workflow.h"
#include "pool/transport_config.h"
#include "scenario/presets.h"

#include <QWidget>
#include <optional>

class QBoxLayout;
class QHBoxLayout;
class QLabel;
class QPushButton;
class QTimer;
class QVBoxLayout;

namespace poolscope {

class MainWindow;
struct EngineSnapshot;

// The dead-peer lab, interactively (what `poolscope lab` does headless): a server in
// a network namespace, a few pooled idle connections to it, then the server vanishes
// without a FIN and the user watches TCP keep-alive probes go out and the kernel kill
// the connections (or, with keep-alive off, the dead connections stay pooled). The
// keep-alive knobs stay the Settings dock's; the panel shows their effective values
// and what to expect. Everything it creates is removed on Tear down, when the window
// closes, when the application quits and on SIGINT/SIGTERM.
class LabPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LabPanel)

public:
    // The workflow's phases; Unavailable disables every button and shows the reason.
    using Phase = DeadPeerWorkflow::Phase;

    // Pooled connections the lab opens at most (workers x 1 request); fewer when
    // MaxIdleConnsPerHost would not keep that many (the default keeps 2).
    static constexpr int kMaxWorkers = 3;
    // The run keeps its pool this long after its requests (LoadConfig::linger).
    static constexpr std::chrono::minutes kLinger { 30 };

    explicit LabPanel(MainWindow *window, QWidget *parent = nullptr);
    ~LabPanel() override;

    // For tests: a non-empty reason makes panels constructed afterwards unavailable with
    // it; nullopt (the default) asks DeadPeerLab::unavailableReason().
    static void setUnavailableReasonOverride(const std::optional<QString> &reason);
    [[nodiscard]] static QString unavailableReason();

    // Program started as `PROGRAM serve --listen PEER:0` in the namespace; default
    // QCoreApplication::applicationFilePath() (tests point it at the poolscope binary).
    void setServerProgram(const QString &program) { m_program = program; }

    [[nodiscard]] Phase phase() const { return m_workflow->phase(); }
    [[nodiscard]] QString statusText() const;
    [[nodiscard]] QString keepAliveText() const;
    [[nodiscard]] QString labUrl() const { return m_workflow->url(); }
    // Connections the current lab run opened (and the pool should keep idle).
    [[nodiscard]] int labConnections() const { return m_workers; }
    [[nodiscard]] QString namespaceName() const { return m_workflow->namespaceName(); }
    [[nodiscard]] QPushButton *setUpButton() const { return m_setUp; }
    [[nodiscard]] QPushButton *vanishButton() const { return m_vanish; }
    [[nodiscard]] QPushButton *restoreButton() const { return m_restore; }
    [[nodiscard]] QPushButton *tearDownButton() const { return m_tearDown; }
    [[nodiscard]] QPushButton *shortKeepAliveButton() const { return m_shortKeepAlive; }

public Q_SLOTS:
    void setUpLab();
    void vanishServer();
    void restoreServer();
    void tearDownLab();
    // Sets Dialer.KeepAliveConfig to Enable, Idle 1 s, Interval 1 s, Count 3 through the
    // Settings dock, as a user would.
    void useShortKeepAlive();

Q_SIGNALS:
    void phaseChanged(poolscope::DeadPeerWorkflow::Phase phase);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void onPhaseChanged(Phase phase);
    void startLabRun();
    void fail(const QString &message);
    void refresh();
    void updateButtons();
    [[nodiscard]] QString computeStatus() const;
    [[nodiscard]] QString upStatus(const EngineSnapshot &s, const QString &where) const;
    [[nodiscard]] QString vanishedStatus(const EngineSnapshot &s) const;
    QPushButton *addButton(QBoxLayout *row, const QString &text, const QString &tip);
    QHBoxLayout *buildButtons();
    void buildTexts(QVBoxLayout *v);
    void connectSignals();

    MainWindow *m_window;
    DeadPeerWorkflow *m_workflow = nullptr;
    QString m_program;
    QString m_error; // last failure, shown until the next action
    int m_workers = 0;

    // What the window showed before the lab took it over; restored on tear down.
    Preset m_savedScenario;
    QString m_savedUrl;
    bool m_haveSaved = false;

    EffectiveKeepAlive m_runKeepAlive; // in effect for the lab run's connections

    QLabel *m_intro = nullptr;
    QLabel *m_keepAlive = nullptr;
    QLabel *m_status = nullptr;
    QPushButton *m_setUp = nullptr;
    QPushButton *m_vanish = nullptr;
    QPushButton *m_restore = nullptr;
    QPushButton *m_tearDown = nullptr;
    QPushButton *m_shortKeepAlive = nullptr;
    QTimer *m_tick = nullptr;
};

} // namespace poolscope
