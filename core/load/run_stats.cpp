#include "run_stats.h"

namespace poolscope {

namespace {

double toMsD(Duration d)
{
    return std::chrono::duration<double, std::milli>(d).count();
}

LatencySummary summarize(const LatencyHistogram &h)
{
    LatencySummary s;
    s.count = h.count();
    if (s.count == 0) {
        return s;
    }
    s.p50Ms = toMsD(Duration(h.percentile(0.50)));
    s.p90Ms = toMsD(Duration(h.percentile(0.90)));
    s.p99Ms = toMsD(Duration(h.percentile(0.99)));
    s.maxMs = toMsD(Duration(h.max()));
    return s;
}

} // namespace

void RunStats::reset()
{
    m_latencyTotal.reset();
    m_latencyWindow.reset();
    m_requestsDone = m_errors = m_responses = m_redirects = m_canceled = 0;
    m_successes = m_windowStartDone = m_windowStartSuccesses = m_windowStartCanceled = 0;
    m_failures.fill(0);
    m_windowStart = TimePoint { 0 };
    m_lastError.clear();
}

void RunStats::recordSuccess(Duration latency)
{
    ++m_requestsDone;
    ++m_responses;
    ++m_successes;
    m_latencyTotal.record(latency);
    m_latencyWindow.record(latency);
}

void RunStats::recordFailure(RequestFailure failure, const QString &message, bool afterResponse)
{
    if (failure == RequestFailure::None) {
        return;
    }
    if (failure == RequestFailure::Canceled) {
        recordCanceled();
        return;
    }
    ++m_requestsDone;
    ++m_errors;
    if (afterResponse || requestFailureAfterResponse(failure)) {
        ++m_responses; // Do succeeded; the body read failed
    }
    ++m_failures[static_cast<std::size_t>(failure)];
    noteError(message);
}

void RunStats::recordCanceled()
{
    ++m_requestsDone;
    ++m_canceled;
}

void RunStats::noteError(const QString &message)
{
    if (!message.isEmpty()) {
        m_lastError = message;
    }
}

void RunStats::fillAndStartWindow(EngineSnapshot &s, TimePoint now)
{
    s.requestsDone = m_requestsDone;
    s.errors = m_errors;
    s.responses = m_responses;
    s.redirects = m_redirects;
    s.canceled = m_canceled;
    s.successes = m_successes;
    s.failuresByKind = m_failures;
    s.errorsByKind.fill(0);
    for (int i = 1; i < kRequestFailureCount; ++i) {
        const auto f = static_cast<RequestFailure>(i);
        s.errorsByKind[static_cast<std::size_t>(requestFailureCloseReason(f))] += failures(f);
    }
    s.latencyTotal = summarize(m_latencyTotal);
    s.latencyWindow = summarize(m_latencyWindow);
    m_latencyWindow.reset();
    const double dt = std::chrono::duration<double>(now - m_windowStart).count();
    const auto perSecond = [dt](std::uint64_t n) {
        return dt > 0 ? static_cast<double>(n) / dt : 0.0;
    };
    s.rpsWindow = perSecond(m_successes - m_windowStartSuccesses);
    s.attemptsWindow
        = perSecond((m_requestsDone - m_windowStartDone) - (m_canceled - m_windowStartCanceled));
    m_windowStartDone = m_requestsDone;
    m_windowStartSuccesses = m_successes;
    m_windowStartCanceled = m_canceled;
    m_windowStart = now;
    s.lastError = m_lastError;
}

} // namespace poolscope
