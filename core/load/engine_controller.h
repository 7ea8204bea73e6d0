#pragma once

#include "load/engine_snapshot.h"
#include "load/load_config.h"
#include "metrics/ring_buffer.h"
#include "pool/transport_config.h"

#include <QObject>
#include <QThread>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

namespace poolscope {

class Engine;

// Owner-side handle of the engine, which runs in its own QThread with its own
// event loop. Every method here is called from the owner's thread, posts to
// the engine thread and returns at once; nothing here waits on a busy engine
// except snapshot()/takeEvents(), which hold a mutex only for a copy.
class EngineController final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EngineController)

public:
    explicit EngineController(QObject *parent = nullptr);
    ~EngineController() override; // stops the run and joins the thread

    // Starts a run. A run in progress is stopped first. Errors (bad URL, refused
    // connection) arrive as runFailed or as counted request errors.
    void start(const LoadConfig &load, const TransportConfig &transport);
    // Stops the load; in-flight requests are canceled, the pool is closed.
    void stop();
    // Replace the knobs mid-run; they take effect at once.
    void setTransportConfig(const TransportConfig &transport);
    void setLoadConfig(const LoadConfig &load);
    // Record every PoolEvent into the bounded event ring (takeEvents). Off by default.
    void setRecordEvents(bool on);
    // Snapshot period of the engine (default 100 ms).
    void setSnapshotInterval(std::chrono::milliseconds interval);
    // Write every event of the next runs as NDJSON to this file ("" = off). Applied at start.
    void setEventLogPath(const QString &path);
    // Sample the kernel's view of the target's sockets at each snapshot (default on).
    void setKernelView(bool on);

    [[nodiscard]] bool isRunning() const;
    // Latest snapshot published by the engine thread.
    [[nodiscard]] EngineSnapshot snapshot() const;
    // Events recorded since the last call, oldest first; *dropped tells how many this
    // run lost so far (a running total) because the ring (kEventRingCapacity) was full.
    std::vector<PoolEvent> takeEvents(std::uint64_t *dropped = nullptr);

    static constexpr std::size_t kEventRingCapacity = 1 << 16;

Q_SIGNALS:
    // The run started (target parsed and resolved, workers launched).
    void runStarted();
    // Emitted (in the owner's thread) after every published snapshot.
    void snapshotReady();
    // The run ended by itself (bounds reached) or by stop(); final is its last snapshot.
    void runFinished(const poolscope::EngineSnapshot &final);
    // The run could not start (bad URL, ...).
    void runFailed(const QString &message);

private:
    friend class Engine;
    // Called from the engine thread.
    void publish(EngineSnapshot &&snapshot, const std::vector<PoolEvent> &events);
    void postRunStarted();
    void postRunFinished();
    void postRunFailed(const QString &message);
    void post(std::function<void(Engine &)> call);

    QThread m_thread;
    Engine *m_engine = nullptr; // lives in m_thread
    mutable std::mutex m_mutex;
    EngineSnapshot m_snapshot; // guarded by m_mutex
    bool m_running = false; // guarded by m_mutex
    RingBuffer<PoolEvent> m_events { kEventRingCapacity }; // guarded by m_mutex
};

} // namespace poolscope
