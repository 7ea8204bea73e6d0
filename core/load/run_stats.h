#pragma once

#include "load/engine_snapshot.h"
#include "load/request_failure.h"
#include "metrics/latency_histogram.h"

#include <QString>
#include <array>

namespace poolscope {

// A run's request statistics: outcomes by kind, latency (whole run and the window since
// the last snapshot), throughput and the last error message. Cumulative counts never go
// down during a run.
class RunStats final
{
public:
    void reset();
    // A request got its response; latency from its first attempt.
    void recordSuccess(Duration latency);
    // A request failed (Canceled counts as canceled, not as an error).
    // afterResponse: Do had returned this request's response (its headers came), the body
    // read failed; such a request counts in responses too, as Go's caller sees it.
    void recordFailure(RequestFailure failure, const QString &message, bool afterResponse = false);
    // In flight when the run stopped: done, but neither success nor error.
    void recordCanceled();
    // A caller's Do followed a redirect: one more round trip for the same request.
    void recordRedirect() { ++m_redirects; }
    // Most recent error message, for the status bar (dial errors, log errors ...).
    void noteError(const QString &message);

    // Writes the counts and latencies into `s` and starts a new window at `now`.
    void fillAndStartWindow(EngineSnapshot &s, TimePoint now);

    [[nodiscard]] std::uint64_t requestsDone() const { return m_requestsDone; }
    [[nodiscard]] std::uint64_t errors() const { return m_errors; }
    // Requests whose Do returned a response, the failed body reads included.
    [[nodiscard]] std::uint64_t responses() const { return m_responses; }
    [[nodiscard]] std::uint64_t canceled() const { return m_canceled; }
    // Requests that succeeded: a response and its body handled without an error.
    [[nodiscard]] std::uint64_t successes() const { return m_successes; }
    [[nodiscard]] std::uint64_t failures(RequestFailure f) const
    {
        return m_failures[static_cast<std::size_t>(f)];
    }
    [[nodiscard]] const QString &lastError() const { return m_lastError; }

private:
    LatencyHistogram m_latencyTotal;
    LatencyHistogram m_latencyWindow;
    std::uint64_t m_requestsDone = 0;
    std::uint64_t m_errors = 0;
    std::uint64_t m_responses = 0;
    std::uint64_t m_redirects = 0;
    std::uint64_t m_canceled = 0;
    std::array<std::uint64_t, kRequestFailureCount> m_failures {};
    std::uint64_t m_successes = 0;
    std::uint64_t m_windowStartDone = 0;
    std::uint64_t m_windowStartSuccesses = 0;
    std::uint64_t m_windowStartCanceled = 0;
    TimePoint m_windowStart { 0 };
    QString m_lastError;
};

} // namespace poolscope
