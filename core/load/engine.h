#pragma once

#include "http/request_writer.h"
#include "http/target.h"
#include "kernel/kernel_watcher.h"
#include "load/engine_snapshot.h"
#include "load/load_config.h"
#include "metrics/latency_histogram.h"
#include "net/connection.h"
#include "pool/pool.h"
#include "timing/wake_queue.h"

#include <QElapsedTimer>
#include <QFile>
#include <QObject>
#include <QTimer>
#include <memory>
#include <unordered_map>
#include <vector>

namespace poolscope {

class EngineController;

// The engine: pool + sockets + load generator, living in the engine thread.
// Only EngineController talks to it (by posting calls into its thread).
class Engine final : public QObject, public ConnectionOwner, public PoolEventSink
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
    void setRecordEvents(bool on) { m_recordEvents = on; }
    void setEventLogPath(const QString &path) { m_eventLogPath = path; }
    void setSnapshotInterval(std::chrono::milliseconds interval);
    void setKernelView(bool on) { m_kernelEnabled = on; }
    void shutdown();

    // ConnectionOwner
    void onConnectionReady(Connection &c) override;
    void onConnectionDialFailed(Connection &c, CloseReason reason, const QString &message) override;
    void onFirstResponseByte(Connection &c) override;
    void onResponseHeaders(Connection &c) override;
    void onResponseComplete(Connection &c, bool reusable) override;
    void onConnectionFailed(Connection &c, CloseReason reason, const QString &message) override;
    void onIdleConnectionLost(Connection &c, CloseReason reason) override;

    // PoolEventSink
    void onPoolEvent(const PoolEvent &event) override;

private:
    class SteadyClock final : public Clock
    {
    public:
        void restart() { m_timer.start(); }
        [[nodiscard]] TimePoint now() const override
        {
            return m_timer.isValid() ? TimePoint(m_timer.nsecsElapsed()) : TimePoint { 0 };
        }

    private:
        QElapsedTimer m_timer;
    };

    // Resuming: the response is complete and its connection closed; the caller runs
    // after the rest of this event-loop pass (see resumeAfterClose).
    enum class WorkerState : std::uint8_t { Idle, Waiting, InFlight, Resuming, Pausing, Done };
    struct Worker
    {
        WorkerState state = WorkerState::Idle;
        ReqId req = 0;
        ConnId conn = 0;
        int done = 0;
        TimePoint start { 0 };
        QTimer *deadline = nullptr; // Client.Timeout, created on demand
    };

    // One target URL (one pool key) of the run; worker i loads m_targets[i % n].
    struct TargetSlot
    {
        Target target;
        QHostAddress address;
        HostId host = 0;
        std::optional<RequestTemplate> request;
    };

    bool rebuildRequest(QString *error);
    [[nodiscard]] TargetSlot &targetOf(int worker)
    {
        return m_targets[static_cast<std::size_t>(worker) % m_targets.size()];
    }
    void clearWorkers();
    void clearWakeUps(); // every pending think / rate wake-up
    void startWorker(int index);
    void scheduleNext(int index);
    void issue(int index, bool retry);
    // Worker `index` still waits for a connection for request `req` (not stopped, not timed out).
    [[nodiscard]] bool isWaitingFor(int index, ReqId req) const
    {
        return index >= 0 && static_cast<std::size_t>(index) < m_workers.size()
            && m_workers[static_cast<std::size_t>(index)].state == WorkerState::Waiting
            && m_workers[static_cast<std::size_t>(index)].req == req;
    }
    void finishRequest(int index, CloseReason error, const QString &message);
    void recordFinished(int index, CloseReason error, const QString &message);
    void resumeAfterClose(int index);
    void onClientTimeout(int index);
    void detachWorker(int index);
    void processActions();
    void handleAction(const PoolAction &a);
    void releaseConnection(ConnId id);
    void rearmIdleTimer();
    void checkFinished();
    void finishRun();
    void publishSnapshot(bool final);
    EngineSnapshot buildSnapshot();
    void recordEvent(EventType type, const Connection &c, CloseReason reason = CloseReason::None);
    void writeEventLine(const PoolEvent &e);
    void flushEventLog();
    void collectGarbage();
    DialSpec dialSpec(const TargetSlot &target) const;

    EngineController *m_controller;
    SteadyClock m_clock;
    WakeQueue *m_wake = nullptr; // think time, LoadConfig::timers model; made in startWorker
    WakeQueue *m_pace = nullptr; // rate pacing slots, always exact; made with m_wake
    std::unique_ptr<Pool> m_pool;
    TransportConfig m_transport;
    LoadConfig m_load;
    std::vector<TargetSlot> m_targets;
    std::vector<int> m_hostTarget; // HostId -> index in m_targets

    std::vector<Worker> m_workers;
    std::unordered_map<ConnId, std::unique_ptr<Connection>> m_conns;
    std::vector<std::unique_ptr<Connection>> m_graveyard; // deleted after the current callback
    std::vector<PoolAction> m_actions;
    bool m_processing = false;
    bool m_gcPosted = false;
    bool m_running = false;
    bool m_stopping = false;
    TimePoint m_runDeadline { 0 };
    std::uint64_t m_runSerial = 0; // drops work posted by an earlier run
    TimePoint m_nextSlot { 0 }; // open-loop rate pacing
    Duration m_linger { 0 };

    QTimer m_idleTimer;
    QTimer m_snapshotTimer;
    QTimer m_hardStopTimer;
    QTimer m_lingerTimer;
    std::optional<TimePoint> m_armedDeadline;

    // Statistics
    LatencyHistogram m_latencyTotal;
    LatencyHistogram m_latencyWindow;
    std::uint64_t m_requestsDone = 0;
    std::uint64_t m_errors = 0;
    std::uint64_t m_canceled = 0;
    std::array<std::uint64_t, kCloseReasonCount> m_errorsByKind {};
    std::uint64_t m_bytesRead = 0;
    std::uint64_t m_lastDone = 0;
    TimePoint m_lastSnapshotTime { 0 };
    quint64 m_seq = 0;
    QString m_lastError;

    // Events
    bool m_recordEvents = false;
    std::vector<PoolEvent> m_eventBatch; // flushed to the controller at each snapshot
    std::uint64_t m_eventsDropped = 0;
    QString m_eventLogPath;
    std::unique_ptr<QFile> m_eventLog;
    QByteArray m_eventLogBuffer;

    // Kernel view
    bool m_kernelEnabled = true;
    std::unique_ptr<KernelWatcher> m_kernel;
    std::uint64_t m_timeWaitPeak = 0;
    KernelSample m_lastKernel;
};

} // namespace poolscope
