#pragma once

#include "pool/transport_config.h"
#include "scenario/presets.h"

#include <QElapsedTimer>
#include <QPointer>
#include <QWidget>
#include <memory>
#include <optional>

class QLabel;
class QProcess;
class QPushButton;
class QTimer;

namespace poolscope {

class DeadPeerLab;
class MainWindow;
struct KernelSettings;

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
    enum class Phase {
        Unavailable, // not root, no `ip`...: every button disabled, the reason shown
        Down, // nothing set up
        Starting, // namespace up, waiting for the server's "listening on URL"
        Up, // server reachable, the run holds pooled connections to it
        Vanished, // the server's link is down
    };
    Q_ENUM(Phase)

    // Pooled connections the lab opens at most (workers x 1 request); fewer when
    // MaxIdleConnsPerHost would not keep that many (the default keeps 2).
    static constexpr int kMaxWorkers = 3;
    // How long the server in the namespace may take to say where it listens.
    static constexpr int kServerStartTimeoutMs = 10000;
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

    // Seconds after which the kernel gives up on a dead peer (Idle + Interval x Count),
    // with the kernel's sysctl values for fields Go leaves alone; -1 when keep-alive is off.
    [[nodiscard]] static int expectedKillSeconds(
        const EffectiveKeepAlive &ka, const KernelSettings &kernel);

    [[nodiscard]] Phase phase() const { return m_phase; }
    [[nodiscard]] QString statusText() const;
    [[nodiscard]] QString keepAliveText() const;
    [[nodiscard]] QString labUrl() const { return m_url; }
    // Connections the current lab run opened (and the pool should keep idle).
    [[nodiscard]] int labConnections() const { return m_workers; }
    [[nodiscard]] QString namespaceName() const;
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
    void phaseChanged(poolscope::LabPanel::Phase phase);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void onServerOutput();
    void onServerGone();
    void onServerTimeout();
    void startLabRun();
    void fail(const QString &message);
    void setPhase(Phase phase);
    void refresh();
    void updateButtons();
    [[nodiscard]] QString computeStatus() const;
    void disconnectServer();

    MainWindow *m_window;
    std::unique_ptr<DeadPeerLab> m_lab;
    QPointer<QProcess> m_server;
    QString m_reason; // non-empty: Unavailable
    QString m_program;
    QString m_url;
    QString m_error; // last failure, shown until the next action
    QByteArray m_serverOutput; // first line of the server, at most kMaxLine bytes
    Phase m_phase = Phase::Down;
    int m_workers = 0;

    // What the window showed before the lab took it over; restored on tear down.
    Preset m_savedScenario;
    QString m_savedUrl;
    bool m_haveSaved = false;

    EffectiveKeepAlive m_runKeepAlive; // in effect for the lab run's connections
    QElapsedTimer m_vanishedClock;
    std::uint64_t m_keepAliveClosesAtVanish = 0;
    std::uint64_t m_closedAtVanish = 0;
    int m_openAtVanish = 0;
    int m_maxProbes = 0; // since the vanishing
    qint64 m_allClosedAfterMs = -1;

    QLabel *m_intro = nullptr;
    QLabel *m_keepAlive = nullptr;
    QLabel *m_status = nullptr;
    QPushButton *m_setUp = nullptr;
    QPushButton *m_vanish = nullptr;
    QPushButton *m_restore = nullptr;
    QPushButton *m_tearDown = nullptr;
    QPushButton *m_shortKeepAlive = nullptr;
    QTimer *m_deadline = nullptr;
    QTimer *m_tick = nullptr;
};

} // namespace poolscope
