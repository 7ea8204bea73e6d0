#pragma once

#include "load/engine_snapshot.h"
#include "metrics/ring_buffer.h"

#include <array>
#include <cstddef>

namespace poolscope {

// What the charts draw for one engine snapshot: live counts, per-second rates
// derived from the cumulative counters, and the limits in force at that time.
struct ChartSample
{
    double t = 0; // seconds since run start
    int open = 0;
    int active = 0;
    int idle = 0;
    int dialing = 0;
    int waiting = 0;
    // HTTP/2 (H2StreamStats): h2 is true once an h2 connection existed in this run.
    bool h2 = false;
    // A response came over HTTP/1.x in this run (responsesByProto): not every connection
    // is an h2 one, so MaxIdleConnsPerHost still plays its part.
    bool http1 = false;
    int h2Streams = 0; // streams open, all h2 connections
    int h2MaxPerConn = 0; // streams on the busiest h2 connection
    float h2MeanPerConn = 0; // streams per open h2 connection (0 without one)
    int h2Waiting = 0; // requests waiting for a stream slot
    int idleCap = 0; // effective MaxIdleConnsPerHost when the sample was taken
    int connCap = 0; // MaxConnsPerHost; 0 = unlimited
    float dialsPerSec = 0;
    float requestsPerSec = 0; // successful requests: throughput
    float attemptsPerSec = 0; // finished requests, failed ones included (canceled not)
    std::array<float, kCloseReasonCount> closesPerSec {}; // indexed by CloseReason
    bool kernelAvailable = false;
    int established = 0;
    int timeWait = 0;
    int closeWait = 0;
    // The target's end of the same connections (a target on this machine only).
    bool serverSide = false;
    int serverTimeWait = 0;
    int serverCloseWait = 0;
    // Latency of the responses that completed since the previous snapshot; 0 and
    // meaningless when latencyCount is 0 (nothing completed: nothing to draw).
    float p50Ms = 0;
    float p99Ms = 0;
    std::uint32_t latencyCount = 0;
    // Cumulative, for windowed ratios (requests per connection over the last seconds).
    std::uint64_t dials = 0;
    std::uint64_t gets = 0;
};

// Fixed-capacity ring of chart samples. The UI keeps a whole run here so the
// user can pause and scroll back; when full, the oldest samples go (dropped()).
class SnapshotHistory final
{
public:
    explicit SnapshotHistory(std::size_t capacity);

    // Converts a snapshot to a sample (rates from the previous snapshot) and stores it.
    // A snapshot older than the last one (a new run) clears the history first; returns
    // true then.
    bool add(const EngineSnapshot &snapshot, int idleCap, int connCap);
    void clear();

    [[nodiscard]] std::size_t size() const { return m_samples.size(); }
    [[nodiscard]] std::size_t capacity() const { return m_samples.capacity(); }
    [[nodiscard]] bool empty() const { return m_samples.isEmpty(); }
    // Samples of this run that the ring overwrote because it was full.
    [[nodiscard]] std::uint64_t dropped() const { return m_samples.dropped(); }
    // 0 = oldest kept sample.
    [[nodiscard]] const ChartSample &at(std::size_t i) const { return m_samples[i]; }
    [[nodiscard]] const ChartSample &latest() const { return m_samples.back(); }
    // Index of the first sample with t >= seconds (size() if none).
    [[nodiscard]] std::size_t lowerBound(double seconds) const;

private:
    RingBuffer<ChartSample> m_samples;
    // The previous snapshot's cumulative counters, for rates.
    bool m_havePrevious = false;
    double m_prevT = 0;
    std::uint64_t m_prevDials = 0;
    std::uint64_t m_prevSuccesses = 0;
    std::uint64_t m_prevAttempts = 0;
    std::array<std::uint64_t, kCloseReasonCount> m_prevCloses {};
};

} // namespace poolscope
