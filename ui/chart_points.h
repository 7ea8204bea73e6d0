#pragma once

#include "snapshot_history.h"

#include <vector>

namespace poolscope {

// One drawn point of the charts: the mean of the samples in the `smoothing`
// seconds up to (and including) the sample it stands on. Raw 10 Hz samples
// of a churning pool jump between 2 and 9 from one tenth of a second to the
// next; their one-second mean is what a person can read.
struct ChartPoint
{
    double t = 0; // time of the newest sample averaged, seconds since run start
    double open = 0;
    double active = 0;
    double idle = 0;
    double dialing = 0;
    double waiting = 0;
    bool h2 = false; // at t: an h2 connection existed in the run
    double h2Streams = 0;
    double h2MaxPerConn = 0;
    double h2MeanPerConn = 0;
    double h2Waiting = 0;
    // Limits are not averaged: the value in force at t, so a change is a step.
    int idleCap = 0;
    int connCap = 0;
    double dialsPerSec = 0;
    double requestsPerSec = 0; // successful requests per second (throughput)
    double attemptsPerSec = 0; // finished requests per second, failed ones included
    std::array<double, kCloseReasonCount> closesPerSec {};
    bool kernelAvailable = false; // at t
    double established = 0; // means over the samples that had a kernel view
    double timeWait = 0;
    double closeWait = 0;
    bool serverSide = false; // at t: the target's end is counted too
    double serverTimeWait = 0; // means over the samples that counted the server's end
    double serverCloseWait = 0;
    // Response-weighted mean of the windows' percentiles; false when no response
    // completed in the smoothing interval (a gap in the latency lines).
    bool haveLatency = false;
    double p50Ms = 0;
    double p99Ms = 0;
};

// Resolution of a chart: one point per `bucket` seconds (0: every sample, for
// callers that want the 10 Hz data), each averaging `smoothing` seconds.
struct ChartResolution
{
    double bucket = 0;
    double smoothing = 1.0;
};

// The finest of 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60 ... seconds that gives at most
// about one point per pixel for `span` seconds over `pixels` (pixels <= 0:
// assume 1000).
// Smoothing is one second, or the bucket when that is longer.
[[nodiscard]] ChartResolution resolutionFor(double span, double pixels);

// Points for [start, end]: the newest sample of each bucket in the range, plus
// the one bucket before `start` so lines reach the left edge. Cost: one pass
// over the samples from start - smoothing to end.
[[nodiscard]] std::vector<ChartPoint> chartPoints(
    const SnapshotHistory &history, double start, double end, const ChartResolution &res);

} // namespace poolscope
