#pragma once

#include "pool/transport_config.h"
#include "timing/timer_model.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace poolscope {

// What the caller does with a response body; in Go this decides reuse.
enum class BodyPolicy : std::uint8_t {
    ReadToEof, // io.ReadAll + Close: connection reusable
    CloseEarly, // resp.Body.Close() without reading: Go closes the connection
    Leak, // never closed: the connection stays Active for good (the classic leak)
};

// The load a run applies. Every run is bounded: by requests per worker, by
// duration, or by both; if neither is set the engine applies kDefaultMaxDuration.
struct LoadConfig
{
    // Target URL, http:// or https://. Empty = the embedded server.
    QString url;
    // Several targets (several pool keys, e.g. several loopback ports): worker i loads
    // urls[i % urls.size()]. Empty = `url` alone.
    QStringList urls;
    // Closed-loop workers (concurrent callers).
    int workers = 10;
    // Requests per worker; 0 = bounded by duration only.
    int requestsPerWorker = 0;
    // Run length; 0 = bounded by requests only.
    Duration duration { 0 };
    // Open-loop target rate in requests/s over all workers; 0 = closed loop (as fast as
    // responses come back).
    double rate = 0.0;
    // Pause each worker takes between a response and its next request.
    Duration think { 0 };
    // How think time wakes a worker (see TimerModel); Go-paced arrivals wake the same way.
    TimerModel timers = TimerModel::Go;
    // How paced requests (rate > 0) arrive (see ArrivalModel).
    ArrivalModel arrivals = ArrivalModel::Go;
    // Seed of the load's random draws (Poisson arrivals): the same seed, the same gaps.
    std::uint64_t seed = 1;
    // Mixed callers: this share of the workers (0..1, spread evenly over the worker
    // indices, WorkerScheduler::isMixedWorker) does mixBodyPolicy with its bodies instead
    // of bodyPolicy ("some callers forget to close the body").
    double mixShare = 0.0;
    BodyPolicy mixBodyPolicy = BodyPolicy::Leak;
    // The mixed share's HTTP method; empty = `method`. Both apply to a mixed worker: it
    // sends mixMethod and does mixBodyPolicy with the response. A GET or HEAD share sends
    // no body when its method differs from `method` (mixedRequestBodySize).
    QByteArray mixMethod;
    // HTTP method.
    QByteArray method = QByteArrayLiteral("GET");
    // Request body size in bytes (0 = no body).
    int requestBodySize = 0;
    // Send "Expect: 100-continue" with request bodies (Transport.ExpectContinueTimeout applies).
    bool expectContinue = false;
    // Header fields sent with every request, "Name: value" each (Go: req.Header.Add). An
    // Idempotency-Key or X-Idempotency-Key makes any method replayable, so a POST that fails
    // on a reused connection is retried (Go's isReplayable). Empty = none.
    QStringList headers;
    // What is done with each response body.
    BodyPolicy bodyPolicy = BodyPolicy::ReadToEof;
    // Go's GOMAXPROCS: the engine threads the callers and connections run on, one Pool
    // shared between them under a lock (core/load/transport_threads.cpp). 1 = one event loop,
    // which behaves like a Go program with GOMAXPROCS=1. Go's default is the number of CPUs.
    // Applies from the next run start.
    int gomaxprocs = 1;
    // Keep the pool alive this long after the load ends, then take the final snapshot
    // (idle timeouts and server-side closes keep happening meanwhile).
    Duration linger { 0 };
    // Stop the run when every request has failed for this long (no request succeeded since
    // the first failure that long ago): a refused port or a rejected certificate ends the
    // run instead of dialing for minutes. 0 = never stop for failures.
    Duration stopWhenFailing { 0 };

    // Every target, in worker order: `urls` when there are several, else `url` (none:
    // the embedded server).
    [[nodiscard]] QStringList targets() const;
    // Sets `url` to the first target and `urls` to all of them when there are several.
    void setTargets(const QStringList &targets);
    // One URL typed for the first target (the window's URL box): several targets stay
    // when it is still their first, otherwise it is the only one.
    void setFirstTarget(const QString &first);
    // What the mixed share sends: mixMethod, `method` when it is empty; and its request
    // body's size, none for GET and HEAD (a caller fetching something passes no body),
    // requestBodySize for any other method.
    [[nodiscard]] QByteArray mixedMethod() const;
    [[nodiscard]] int mixedRequestBodySize() const;

    bool operator==(const LoadConfig &) const = default;
};

// Upper bound for a run that names neither requests nor duration.
inline constexpr Duration kDefaultMaxDuration = std::chrono::minutes(10);

const char *bodyPolicyName(BodyPolicy p);
// Parses "read", "close-early", "leak"; returns false on anything else.
bool parseBodyPolicy(const QString &text, BodyPolicy *out);
const char *timerModelName(TimerModel m);
// Parses "go", "precise"; returns false on anything else.
bool parseTimerModel(const QString &text, TimerModel *out);
const char *arrivalModelName(ArrivalModel m);
// Parses "go", "poisson", "exact"; returns false on anything else.
bool parseArrivalModel(const QString &text, ArrivalModel *out);

} // namespace poolscope
