#include "chart_points.h"

#include <cmath>

namespace poolscope {

namespace {

// Running sums over the samples of one smoothing interval.
struct Sums
{
    int n = 0;
    double open = 0;
    double active = 0;
    double idle = 0;
    double dialing = 0;
    double waiting = 0;
    double h2Streams = 0;
    double h2MaxPerConn = 0;
    double h2MeanPerConn = 0;
    double h2Waiting = 0;
    double dials = 0;
    double rps = 0;
    double attempts = 0;
    std::array<double, kCloseReasonCount> closes {};
    int kernelN = 0;
    double established = 0;
    double timeWait = 0;
    double closeWait = 0;
    int serverN = 0;
    double serverTimeWait = 0;
    double serverCloseWait = 0;
    double latencyN = 0;
    double p50 = 0; // sum of p50 * responses
    double p99 = 0;

    // sign +1 adds the sample, -1 removes it again.
    void add(const ChartSample &s, int sign)
    {
        const double k = sign;
        n += sign;
        open += k * s.open;
        active += k * s.active;
        idle += k * s.idle;
        dialing += k * s.dialing;
        waiting += k * s.waiting;
        h2Streams += k * s.h2Streams;
        h2MaxPerConn += k * s.h2MaxPerConn;
        h2MeanPerConn += k * s.h2MeanPerConn;
        h2Waiting += k * s.h2Waiting;
        dials += k * s.dialsPerSec;
        rps += k * s.requestsPerSec;
        attempts += k * s.attemptsPerSec;
        for (std::size_t r = 0; r < closes.size(); ++r) {
            closes[r] += k * s.closesPerSec[r];
        }
        if (s.kernelAvailable) {
            kernelN += sign;
            established += k * s.established;
            timeWait += k * s.timeWait;
            closeWait += k * s.closeWait;
        }
        if (s.serverSide) {
            serverN += sign;
            serverTimeWait += k * s.serverTimeWait;
            serverCloseWait += k * s.serverCloseWait;
        }
        if (s.latencyCount > 0) {
            const double c = k * s.latencyCount;
            latencyN += c;
            p50 += c * s.p50Ms;
            p99 += c * s.p99Ms;
        }
    }

    [[nodiscard]] ChartPoint point(const ChartSample &at) const
    {
        ChartPoint p;
        p.t = at.t;
        p.idleCap = at.idleCap;
        p.connCap = at.connCap;
        p.kernelAvailable = at.kernelAvailable;
        const double m = n > 0 ? 1.0 / n : 0.0;
        p.open = open * m;
        p.active = active * m;
        p.idle = idle * m;
        p.dialing = dialing * m;
        p.waiting = waiting * m;
        p.h2 = at.h2;
        p.h2Streams = h2Streams * m;
        p.h2MaxPerConn = h2MaxPerConn * m;
        p.h2MeanPerConn = h2MeanPerConn * m;
        p.h2Waiting = h2Waiting * m;
        p.dialsPerSec = dials * m;
        p.requestsPerSec = rps * m;
        p.attemptsPerSec = attempts * m;
        for (std::size_t r = 0; r < closes.size(); ++r) {
            p.closesPerSec[r] = closes[r] * m;
        }
        if (kernelN > 0) {
            const double km = 1.0 / kernelN;
            p.established = established * km;
            p.timeWait = timeWait * km;
            p.closeWait = closeWait * km;
        }
        p.serverSide = at.serverSide;
        if (serverN > 0) {
            p.serverTimeWait = serverTimeWait / serverN;
            p.serverCloseWait = serverCloseWait / serverN;
        }
        // Half a response left over from subtracting floats is no response.
        if (latencyN > 0.5) {
            p.haveLatency = true;
            p.p50Ms = p50 / latencyN;
            p.p99Ms = p99 / latencyN;
        }
        return p;
    }
};

} // namespace

ChartResolution resolutionFor(double span, double pixels)
{
    if (pixels <= 0) {
        pixels = 1000;
    }
    const double perPixel = span / pixels;
    ChartResolution res;
    // A point every 0.2 s at the finest: a one-second mean has no detail between
    // them, and half the points is half the cost of stroking each line.
    static constexpr double kSteps[]
        = { 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600 };
    res.bucket = kSteps[std::size(kSteps) - 1];
    for (double step : kSteps) {
        if (step >= perPixel) {
            res.bucket = step;
            break;
        }
    }
    res.smoothing = std::max(1.0, res.bucket);
    return res;
}

std::vector<ChartPoint> chartPoints(
    const SnapshotHistory &history, double start, double end, const ChartResolution &res)
{
    std::vector<ChartPoint> out;
    if (history.empty() || end < start) {
        return out;
    }
    // From the sample before the bucket ahead of `start`, so lines reach the left edge.
    std::size_t first = history.lowerBound(start - res.bucket);
    if (first > 0) {
        --first;
    }
    const std::size_t last = history.lowerBound(end + 1e-9); // exclusive
    if (first >= last) {
        return out;
    }
    constexpr double kEps = 1e-9; // sample times are sums of tenths
    const auto bucketOf = [&res](double t) {
        return std::floor(t / res.bucket);
    };
    Sums sums;
    // sums holds the samples [lo, hi)
    std::size_t lo = history.lowerBound(history.at(first).t - res.smoothing + kEps);
    std::size_t hi = lo;
    out.reserve(
        res.bucket > 0 ? static_cast<std::size_t>((end - start) / res.bucket) + 3 : last - first);
    for (std::size_t i = first; i < last; ++i) {
        const ChartSample &s = history.at(i);
        const bool newestOfBucket
            = res.bucket <= 0 || i + 1 == last || bucketOf(history.at(i + 1).t) != bucketOf(s.t);
        if (!newestOfBucket) {
            continue;
        }
        for (; hi <= i; ++hi) {
            sums.add(history.at(hi), +1);
        }
        for (; lo < i && history.at(lo).t <= s.t - res.smoothing + kEps; ++lo) {
            sums.add(history.at(lo), -1);
        }
        out.push_back(sums.point(s));
    }
    return out;
}

} // namespace poolscope
