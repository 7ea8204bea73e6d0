#pragma once

#include "load/client_timeouts.h"
#include "load/engine_snapshot.h"
#include "load/engine_threads.h"
#include "load/event_log.h"
#include "load/load_config.h"
#include "load/redirect_follower.h"
#include "load/run_stats.h"
#include "load/snapshot_builder.h"
#include "load/target_set.h"
#include "load/transport.h"
#include "load/wake_source.h"
#include "load/worker_scheduler.h"
#include "pool/pool_lock.h"
#include "timing/elapsed_clock.h"

#include <QObject>
#include <QTimer>
#include <memory>
#include <optional>
#include <vector>

namespace poolscope {

class EngineController;

// The engine of one run, living in the engine thread: it wires the parts together.
//   TargetSet       the run's URLs, resolved, with their requests
//   WorkerScheduler the callers: think time, rate slots, bounds
//   Transport       Go's http.Transport: pool, connections, reuse and retry
//   ClientTimeouts  http.Client.Timeout per caller
//   RedirectFollower http.Client's redirects: one round trip per hop
//   RunStats, EventLog, SnapshotBuilder  what the UI and the CLI see
// What is left here is the run's lifecycle (start, live reconfiguration, linger, stop)
// and the caller's side of each request. Only EngineController talks to it (by posting
// calls into its thread).
class Engine final : public QObject, private WorkerScheduler::Host, private RoundTripHandler
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Engine)

public:
    explicit Engine(EngineController *controller);
    ~Engine() override;

    // All of these run in the engine thread.
    void startRun(const LoadConfig &load, const TransportConfig &transport);
    void stopRun();
    void applyTransport(const TransportConfig &transport);
    void applyLoad(const LoadConfig &load);
    void setRecordEvents(bool on)
    {
        const PoolLock::Guard g = m_lock.guard();
        m_events.setRecording(on);
    }
    void setEventLogPath(const QString &path) { m_eventLogPath = path; }
    void setSnapshotInterval(std::chrono::milliseconds interval);
    void setKernelView(bool on) { m_snapshots.setKernelView(on); }
    void shutdown();

private:
    // Idle: no run. Running: callers at work. Lingering: callers stopped, the pool kept
    // alive for LoadConfig::linger. Finishing: taking the final picture.
    enum class RunState : std::uint8_t { Idle, Running, Lingering, Finishing };

    // WorkerScheduler::Host
    void issueRequest(int worker) override;
    void onWorkersDone() override;
    // RoundTripHandler
    void onRoundTripDone(const RoundTripResult &result) override;
    void onDialError(const QString &message) override;
    BodyHandling onResponseHead(const RoundTripRequest &request, const ResponseHead &head) override;

    // startRun's steps: each false = the run failed (already reported).
    bool prepareTargets(const LoadConfig &load);
    bool prepareRun();
    void launch();
    [[nodiscard]] RequestSpec requestSpec() const;
    [[nodiscard]] WorkerPlan workerPlan() const;
    void updateRequests(const LoadConfig &load);
    void updateDuration(Duration duration);
    void onClientTimeout(int worker, RoundTripId trip);
    void recordRequestDone(const RoundTripResult &r);
    void finishRun();
    // Ends the run when LoadConfig::stopWhenFailing says every request failed long enough.
    void stopIfFailing();
    void publishSnapshot(bool final);
    // Starts `timer` for the time left until `at` (saturated to one QTimer interval).
    void armUntil(QTimer &timer, TimePoint at);
    // LoadConfig::gomaxprocs > 1: the engine threads for this run and the shared lock.
    void spreadTransport();
    // Ends the last run's Transport and threads (joins them); never under m_lock.
    void releaseThreads();
    // Runs `f` in this thread, under m_lock, in the order of the calls: at once with one
    // thread; with several, queued (dropped if a new run started meanwhile). For what is
    // this thread's own (Qt timers) when a caller runs in another engine thread.
    void inEngineThread(std::function<void()> f);

    EngineController *m_controller;
    // Shared with the engine threads when GOMAXPROCS > 1: every entry into the engine from
    // this thread (timers, wake-ups, the controller's calls) holds it, as do the
    // connections' callbacks in the others. Not shared (a no-op) with one thread.
    PoolLock m_lock;
    std::unique_ptr<EngineThreads> m_threads; // GOMAXPROCS > 1 only; outlives m_transport
    std::uint64_t m_runs = 0; // runs prepared so far (inEngineThread drops older calls)
    ElapsedClock m_clock; // restarted at each run start
    WakeQueueSource m_thinkWake; // think time and Go-paced slots, LoadConfig::timers model
    WakeQueueSource m_paceWake; // Poisson and exact arrivals, always precise
    // What the scheduler sees: the two above, kept in this thread when callers run on
    // other engine threads too (GOMAXPROCS > 1).
    PostedWakeSource m_thinkGate;
    PostedWakeSource m_paceGate;
    WorkerScheduler m_scheduler;
    ClientTimeouts m_timeouts;
    RedirectFollower m_redirects; // http.Client's redirects, for every caller
    std::unique_ptr<Transport> m_transport; // one per run, made in the engine thread
    std::optional<TargetSet> m_targets;
    TransportConfig m_config;
    LoadConfig m_load;
    RunState m_state = RunState::Idle;
    Duration m_linger { 0 };
    // When the failures since the last success began (m_clock); unset after a success.
    std::optional<TimePoint> m_failingSince;
    bool m_stoppedFailing = false; // this run ended by stopIfFailing()

    QTimer m_snapshotTimer;
    QTimer m_hardStopTimer;
    TimePoint m_hardStopAt { 0 }; // the hard stop's time (m_clock), re-armed until reached
    QTimer m_lingerTimer;
    TimePoint m_lingerUntil { 0 }; // the linger's end (m_clock)

    RunStats m_stats;
    EventLog m_events;
    QString m_eventLogPath;
    SnapshotBuilder m_snapshots;
};

} // namespace poolscope
