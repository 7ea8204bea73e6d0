#pragma once

#include "kernel/kernel_watcher.h"
#include "load/engine_snapshot.h"

#include <memory>

namespace poolscope {

class Transport;

// Builds the pool part of each EngineSnapshot: the Transport's counters, its connections
// (oldest first, at most kMaxSnapshotConns) and the kernel's view of the same sockets,
// joined by local port. The run's own figures (requests, latency, workers) are RunStats'
// and the engine's to fill in.
class SnapshotBuilder final
{
public:
    SnapshotBuilder();
    ~SnapshotBuilder();
    SnapshotBuilder(const SnapshotBuilder &) = delete;
    SnapshotBuilder &operator=(const SnapshotBuilder &) = delete;

    // Sample the kernel at each snapshot (default on).
    void setKernelView(bool on) { m_kernelEnabled = on; }
    // A new run: seq from 1 again, TIME_WAIT peak and kernel sample cleared, the kernel
    // view pointed at `address`:`port` (the first target), counting the server's end of the
    // connections too when that address is this machine's.
    void beginRun(const QHostAddress &address, quint16 port);

    [[nodiscard]] EngineSnapshot build(TimePoint now, const Transport &transport);

private:
    void addConnections(EngineSnapshot &s, const Transport &transport) const;
    void addKernelView(EngineSnapshot &s);

    bool m_kernelEnabled = true;
    std::unique_ptr<KernelWatcher> m_kernel;
    quint64 m_seq = 0;
    std::uint64_t m_timeWaitPeak = 0;
    std::uint64_t m_serverTimeWaitPeak = 0;
    KernelSample m_lastKernel;
};

} // namespace poolscope
