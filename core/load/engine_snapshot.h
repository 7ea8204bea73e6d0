#pragma once

#include "http/http_proto.h"
#include "kernel/kernel_types.h"
#include "load/request_failure.h"
#include "pool/pool_types.h"

#include <QString>
#include <array>
#include <vector>

namespace poolscope {

struct LatencySummary
{
    double p50Ms = 0;
    double p90Ms = 0;
    double p99Ms = 0;
    double maxMs = 0;
    std::uint64_t count = 0;
};

// HTTP/2 streams: the picture now (the charts) and the run's peaks (run --json), kept by
// the Transport at every change, so a peak between two snapshots is not lost.
struct H2StreamStats
{
    int conns = 0; // h2 connections in the h2 pool now (registered, not closed)
    int streams = 0; // streams open now, all h2 connections
    int maxPerConn = 0; // streams on the busiest h2 connection now
    // Requests waiting for a stream slot now: with StrictMaxConcurrentStreams, queued on a
    // connection at the server's SETTINGS_MAX_CONCURRENT_STREAMS; without it, sent back to
    // Transport.getConn because every h2 connection of their host was at that limit, while
    // the dial of another connection runs.
    int waiting = 0;
    std::uint64_t connsEver = 0; // h2 connections registered in this run
    int peakConns = 0;
    int peakStreams = 0;
    int peakPerConn = 0;
    int peakPerConnAfterSettings = 0; // H2ConnPool::Peaks::perConnAfterSettings
    int peakWaiting = 0;
    // Streams per open h2 connection over the run, weighted by time (the integral of the
    // streams over the integral of the connections open); 0 before any.
    double meanPerConn = 0;
    // The largest SETTINGS_MAX_CONCURRENT_STREAMS a server sent in this run; 0 = none seen.
    std::uint32_t serverMaxStreams = 0;
};

// One connection as a swimlane shows it.
struct ConnInfo
{
    ConnId id = 0;
    HostId host = 0;
    ConnState state = ConnState::Dialing;
    std::uint32_t requests = 0; // requests served so far
    TimePoint since { 0 }; // when it entered its state
    TimePoint opened { 0 }; // when its dial started
    quint16 localPort = 0;
    // The kernel's view of the same socket (matched by local port), when sampled.
    TcpState kernelState = TcpState::Unknown;
    TcpTimer kernelTimer = TcpTimer::None;
    std::chrono::milliseconds kernelTimerExpires { 0 };
    int keepAliveProbes = 0;
};

// Immutable picture of the engine, produced by the engine thread and read by
// the UI/CLI at their own pace. Cumulative counters never go down during a run.
struct EngineSnapshot
{
    TimePoint time { 0 }; // since run start
    bool running = false;
    quint64 seq = 0; // increments per snapshot

    PoolCounters pool;
    std::uint64_t requestsDone = 0; // finished, success or error
    std::uint64_t errors = 0;
    // Requests whose Do returned a response (Go: err == nil), including those whose body read
    // failed afterwards (RequestFailure afterResponse kinds, also counted in errors).
    std::uint64_t responses = 0;
    std::uint64_t canceled = 0; // in flight when the run was stopped; not errors
    // Requests that succeeded: Do returned a response and its body was handled without an
    // error (requestsDone - errors - canceled). Throughput counts these only, like vegeta's.
    std::uint64_t successes = 0;
    // Redirects followed (http.Client): each one a round trip of its own, in the pool
    // counters, for a request counted once in requestsDone.
    std::uint64_t redirects = 0;
    // Failed requests by kind, indexed by RequestFailure (keys: requestFailureKey()).
    std::array<std::uint64_t, kRequestFailureCount> failuresByKind {};
    // The same counts indexed by the CloseReason of the same key (closeReasonKey() gives
    // the same strings): kept for readers written before RequestFailure existed.
    std::array<std::uint64_t, kCloseReasonCount> errorsByKind {};
    std::uint64_t bytesRead = 0;
    // Responses by protocol (Go's resp.Proto), indexed by HttpProto; redirect hops included.
    std::array<std::uint64_t, kHttpProtoCount> responsesByProto {};
    // HTTP/2 streams open now, and requests waiting for a stream slot (H2StreamStats).
    int h2Streams = 0;
    int h2StreamsWaiting = 0;
    H2StreamStats h2;

    LatencySummary latencyTotal; // whole run
    LatencySummary latencyWindow; // since the previous snapshot
    // Successful requests per second since the previous snapshot (throughput: a failed
    // request is an attempt, never throughput).
    double rpsWindow = 0;
    // Requests finished per second since the previous snapshot, failed ones included
    // (canceled ones not): against a refused port this is high while rpsWindow is 0.
    double attemptsWindow = 0;
    int workers = 0; // workers running

    std::vector<ConnInfo> conns; // open connections, oldest first, at most kMaxSnapshotConns
    KernelSample kernel;
    std::uint64_t timeWaitPeak = 0;
    std::uint64_t serverTimeWaitPeak = 0; // kernel.serverCounts' TIME_WAIT peak

    QString target; // URL being loaded
    QString lastError; // most recent error message, for the status bar
    // The run stopped itself because every request failed for LoadConfig::stopWhenFailing.
    bool stoppedFailing = false;
    std::uint64_t eventsDropped = 0; // events lost because nobody drained the ring in time
};

inline constexpr int kMaxSnapshotConns = 512;

} // namespace poolscope
