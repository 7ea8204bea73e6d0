#include "engine.h"

#include "engine_controller.h"
#include "engine_threads.h"

#include <algorithm>

namespace poolscope {

namespace {

constexpr Duration kStopGrace = std::chrono::seconds(10);

} // namespace

Engine::Engine(EngineController *controller)
    : m_controller(controller)
    , m_thinkWake(m_clock, TimerModel::Go)
    , m_paceWake(m_clock, TimerModel::Precise)
    , m_thinkGate(m_thinkWake, *this, m_lock)
    , m_paceGate(m_paceWake, *this, m_lock)
    , m_scheduler(m_clock, m_thinkGate, m_paceGate, *this)
    , m_timeouts([this](int worker, RoundTripId trip) { onClientTimeout(worker, trip); })
    , m_events(EngineController::kEventRingCapacity)
{
    // Member QObjects must be children so moveToThread() takes them along.
    m_timeouts.setParent(this);
    for (QTimer *t : { &m_snapshotTimer, &m_hardStopTimer, &m_lingerTimer }) {
        t->setParent(this);
    }
    m_snapshotTimer.setInterval(100);
    connect(&m_snapshotTimer, &QTimer::timeout, this, [this] {
        const PoolLock::Guard g = m_lock.guard();
        publishSnapshot(false);
        stopIfFailing();
    });
    m_hardStopTimer.setSingleShot(true);
    connect(&m_hardStopTimer, &QTimer::timeout, this, [this] {
        const PoolLock::Guard g = m_lock.guard();
        if (m_clock.now() < m_hardStopAt) {
            armUntil(m_hardStopTimer, m_hardStopAt); // beyond one QTimer interval
            return;
        }
        if (m_state != RunState::Idle) {
            m_stats.noteError(
                QStringLiteral("run stopped at its time bound with requests still in flight"));
            finishRun();
        }
    });
    m_lingerTimer.setSingleShot(true);
    connect(&m_lingerTimer, &QTimer::timeout, this, [this] {
        const PoolLock::Guard g = m_lock.guard();
        if (m_clock.now() < m_lingerUntil) {
            armUntil(m_lingerTimer, m_lingerUntil);
            return;
        }
        m_linger = Duration::zero();
        finishRun();
    });
}

Engine::~Engine()
{
    shutdown();
}

void Engine::shutdown()
{
    {
        const PoolLock::Guard g = m_lock.guard();
        // No timer may fire after this: the Transport they read is released below, and
        // the controller's thread may still turn its event loop once before it quits.
        m_snapshotTimer.stop();
        m_hardStopTimer.stop();
        m_lingerTimer.stop();
        if (m_state != RunState::Idle) {
            m_state = RunState::Idle;
            m_transport->closeAll();
        }
        m_scheduler.stop();
        m_timeouts.clear();
        m_redirects.clear();
    }
    releaseThreads();
    m_events.close();
}

void Engine::releaseThreads()
{
    // The Transport's destructor waits for each engine thread to drop its connections:
    // never while holding m_lock, which those threads' callbacks may be waiting for.
    m_transport.reset();
    m_threads.reset();
    m_lock.setShared(false);
    m_thinkGate.setPosting(false);
    m_paceGate.setPosting(false);
}

void Engine::inEngineThread(std::function<void()> f)
{
    if (!m_threads) {
        f();
        return;
    }
    QMetaObject::invokeMethod(
        this,
        [this, run = m_runs, f = std::move(f)] {
            const PoolLock::Guard g = m_lock.guard();
            if (run == m_runs) {
                f();
            }
        },
        Qt::QueuedConnection);
}

void Engine::spreadTransport()
{
    if (m_load.gomaxprocs <= 1) {
        return; // the single event loop
    }
    // The HTTP/2 code (transport_h2.cpp) is not spread over threads yet: a run that may
    // negotiate h2 (an HTTPS target with HTTP/2 attempted) stays on the single event loop.
    if (m_config.attemptsHttp2()) {
        for (const TargetSlot &slot : m_targets->slots()) {
            if (slot.target.tls) {
                return;
            }
        }
    }
    m_threads = std::make_unique<EngineThreads>(m_load.gomaxprocs);
    m_lock.setShared(true);
    m_thinkGate.setPosting(true);
    m_paceGate.setPosting(true);
    m_transport->spreadOver(m_threads.get(), &m_lock);
}

void Engine::setSnapshotInterval(std::chrono::milliseconds interval)
{
    m_snapshotTimer.setInterval(
        std::max(std::chrono::milliseconds(10), timerInterval(Duration(interval))));
}

void Engine::armUntil(QTimer &timer, TimePoint at)
{
    // timerInterval stops at kMaxTimerInterval (24 days, below Qt's int ms); the handlers
    // re-arm when they fire before `at`.
    timer.start(timerInterval(saturatingSub(at, m_clock.now())));
}

RequestSpec Engine::requestSpec() const
{
    RequestSpec spec;
    spec.method = m_load.method;
    spec.bodySize = m_load.requestBodySize;
    spec.disableKeepAlives = m_config.disableKeepAlives;
    spec.disableCompression = m_config.disableCompression;
    spec.expectContinue = m_load.expectContinue;
    // Checked by the knob (parseHeaderLines); a line it refused cannot be here.
    spec.extraHeaders
        = parseHeaderLines(m_load.headers.join(u'\n'), nullptr).value_or(HeaderList {});
    return spec;
}

WorkerPlan Engine::workerPlan() const
{
    WorkerPlan plan;
    plan.workers = m_load.workers;
    plan.requestsPerWorker = m_load.requestsPerWorker;
    plan.think = m_load.think;
    plan.rate = m_load.rate;
    plan.arrivals = m_load.arrivals;
    plan.seed = m_load.seed;
    plan.deadline = m_load.duration > Duration::zero() ? m_load.duration : kDefaultMaxDuration;
    return plan;
}

void Engine::startRun(const LoadConfig &load, const TransportConfig &transport)
{
    if (m_threads) {
        {
            const PoolLock::Guard g = m_lock.guard();
            stopRun();
            m_redirects.clear();
        }
        releaseThreads(); // the last run's, before this run's Transport is made
    }
    if (m_state != RunState::Idle) {
        stopRun();
    }
    m_load = load;
    m_config = transport;
    if (prepareTargets(load) && prepareRun()) {
        const PoolLock::Guard g = m_lock.guard();
        launch();
    }
}

bool Engine::prepareTargets(const LoadConfig &load)
{
    QString error;
    const QStringList urls = load.urls.isEmpty() ? QStringList { load.url } : load.urls;
    m_targets = TargetSet::resolve(urls, &error);
    if (!m_targets || !m_targets->buildRequests(requestSpec(), &error)) {
        m_controller->postRunFailed(error);
        return false;
    }
    if (load.workers <= 0 || load.workers > 100000) {
        m_controller->postRunFailed(
            QStringLiteral("workers must be between 1 and 100000, got %1").arg(load.workers));
        return false;
    }
    return true;
}

bool Engine::prepareRun()
{
    m_scheduler.stop();
    m_timeouts.clear();
    RoundTripHandler &handler = *this; // a private base: convertible here only
    m_transport = std::make_unique<Transport>(m_clock, m_config, handler, &m_events);
    ++m_runs;
    spreadTransport();
    for (TargetSlot &slot : m_targets->slots()) {
        const Endpoint endpoint { slot.address, slot.target.port, slot.target.tls,
            slot.target.host };
        slot.host = m_transport->addHost(slot.target.poolKey, endpoint);
    }
    m_redirects.reset(m_transport.get(), requestSpec());
    m_stats.reset();
    m_failingSince.reset();
    m_stoppedFailing = false;
    m_linger = m_load.linger;
    QString error;
    if (!m_events.begin(m_eventLogPath, &error)) {
        m_controller->postRunFailed(error);
        return false;
    }
    // The kernel view follows the first target.
    m_snapshots.beginRun(m_targets->front().address, m_targets->front().target.port);
    return true;
}

void Engine::launch()
{
    m_clock.restart();
    m_state = RunState::Running;
    const Duration bound = workerPlan().deadline;
    m_hardStopAt = m_load.duration > Duration::zero() ? saturatingAdd(bound, kStopGrace) : bound;
    armUntil(m_hardStopTimer, m_hardStopAt);
    m_controller->postRunStarted();
    publishSnapshot(false);
    m_snapshotTimer.start();
    m_thinkWake.setModel(m_load.timers);
    m_scheduler.start(workerPlan());
}

void Engine::issueRequest(int worker)
{
    const PoolLock::Guard g = m_lock.guard();
    const TargetSlot &target = m_targets->forWorker(worker);
    RoundTripRequest r;
    r.host = target.host;
    r.source = target.request;
    r.bodyPolicy = WorkerScheduler::isMixedWorker(worker, m_load.mixShare) ? m_load.mixBodyPolicy
                                                                           : m_load.bodyPolicy;
    if (m_config.clientTimeout > Duration::zero()) {
        r.deadline = m_clock.now() + m_config.clientTimeout;
    }
    r.tag = static_cast<std::uint64_t>(worker);
    m_redirects.begin(worker, target.target, r, m_clock.now());
    const RoundTripId trip = m_transport->roundTrip(std::move(r));
    if (trip != 0) {
        m_redirects.setTrip(worker, trip);
        inEngineThread([this, worker, trip, timeout = m_config.clientTimeout] {
            m_timeouts.arm(worker, trip, timeout);
        });
    }
}

BodyHandling Engine::onResponseHead(const RoundTripRequest &request, const ResponseHead &head)
{
    return m_redirects.bodyHandling(static_cast<int>(request.tag), head, request.bodyPolicy);
}

void Engine::onRoundTripDone(const RoundTripResult &result)
{
    const int worker = static_cast<int>(result.tag);
    // Client.do: a followed redirect is the next round trip of the same Do, under the same
    // Client.Timeout (the timer stays armed). Not while the run is being wound up.
    const bool mayFollow = m_state == RunState::Running || m_state == RunState::Lingering;
    RedirectFollower::Step step = m_redirects.next(worker, result, mayFollow, m_clock.now());
    if (step.hop) {
        m_stats.recordRedirect();
        const RoundTripId trip = m_transport->roundTrip(std::move(*step.hop));
        if (trip != 0) {
            m_redirects.setTrip(worker, trip);
        }
        return;
    }
    inEngineThread([this, worker] { m_timeouts.disarm(worker); });
    RoundTripResult done = result;
    done.failure = step.failure;
    done.message = step.message;
    done.latency = step.latency;
    recordRequestDone(done);
    m_scheduler.requestFinished(worker);
}

void Engine::recordRequestDone(const RoundTripResult &r)
{
    if (r.failure == RequestFailure::Canceled) {
        m_stats.recordCanceled(); // in flight when the run stopped: not a RequestDone
        return;
    }
    if (r.failure == RequestFailure::None) {
        m_stats.recordSuccess(r.latency);
        m_failingSince.reset();
    } else {
        // A response head came (status set): Do returned it, the body read failed.
        m_stats.recordFailure(r.failure, r.message, r.head.status != 0);
        if (!m_failingSince) {
            m_failingSince = m_clock.now();
        }
    }
    if (m_events.enabled()) {
        PoolEvent e;
        e.time = m_clock.now();
        e.type = EventType::RequestDone;
        e.req = r.req;
        e.conn = r.conn;
        e.host = r.host;
        e.reason = requestFailureCloseReason(r.failure);
        e.idleTime = r.latency; // for RequestDone: the request's latency
        m_events.onPoolEvent(e);
    }
}

void Engine::onDialError(const QString &message)
{
    m_stats.noteError(message);
}

void Engine::onClientTimeout(int worker, RoundTripId armed)
{
    const PoolLock::Guard g = m_lock.guard();
    const RoundTripId trip = m_redirects.currentTrip(worker, armed); // the Do's current hop
    if (m_transport->readingBody(trip) && !m_redirects.readingRedirectBody(worker)) {
        // Do has returned: the caller's body read fails, with the wording of Go's
        // cancelTimerBody (no url.Error around it), and the connection is closed.
        m_transport->cancel(trip, RequestFailure::ClientTimeoutReadingBody,
            QStringLiteral("context deadline exceeded (Client.Timeout or context cancellation "
                           "while reading body)"));
        return;
    }
    const QString url = m_redirects.currentUrl(worker);
    const QString target = m_targets->forWorker(worker).target.display;
    m_transport->cancel(trip, RequestFailure::ClientTimeout,
        QStringLiteral("%1 \"%2\": context deadline exceeded (Client.Timeout exceeded while "
                       "awaiting headers)")
            .arg(goUrlErrorOp(m_load.method), url.isEmpty() ? target : url));
}

void Engine::onWorkersDone()
{
    inEngineThread([this] { finishRun(); }); // its timers and the final picture are ours
}

void Engine::applyTransport(const TransportConfig &transport)
{
    const PoolLock::Guard g = m_lock.guard();
    const bool requestChanges = transport.disableKeepAlives != m_config.disableKeepAlives
        || transport.disableCompression != m_config.disableCompression;
    m_config = transport;
    if (m_transport) {
        m_transport->setConfig(transport);
    }
    QString error;
    if (requestChanges && m_state != RunState::Idle) {
        if (m_targets->buildRequests(requestSpec(), &error)) {
            m_redirects.setSpec(requestSpec());
        } else {
            m_stats.noteError(error);
        }
    }
}

void Engine::applyLoad(const LoadConfig &load)
{
    const PoolLock::Guard g = m_lock.guard();
    m_load.workers = std::clamp(load.workers, 1, 100000);
    m_load.rate = load.rate;
    m_load.think = load.think;
    m_load.timers = load.timers;
    m_thinkWake.setModel(m_load.timers);
    m_load.arrivals = load.arrivals;
    m_load.seed = load.seed;
    m_load.bodyPolicy = load.bodyPolicy;
    m_load.mixShare = load.mixShare;
    m_load.mixBodyPolicy = load.mixBodyPolicy;
    m_load.requestsPerWorker = load.requestsPerWorker;
    m_load.stopWhenFailing = load.stopWhenFailing;
    updateRequests(load);
    updateDuration(load.duration);
    if (m_state != RunState::Idle) {
        m_scheduler.replan(workerPlan()); // stopped (lingering): only remembered
    }
}

void Engine::updateRequests(const LoadConfig &load)
{
    if (load.method == m_load.method && load.requestBodySize == m_load.requestBodySize
        && load.expectContinue == m_load.expectContinue && load.headers == m_load.headers) {
        return;
    }
    const LoadConfig old = m_load;
    m_load.method = load.method;
    m_load.requestBodySize = load.requestBodySize;
    m_load.expectContinue = load.expectContinue;
    m_load.headers = load.headers;
    QString error;
    if (m_targets && m_targets->buildRequests(requestSpec(), &error)) {
        m_redirects.setSpec(requestSpec());
    } else if (m_targets) {
        m_stats.noteError(error); // the targets keep the old requests
        m_load.method = old.method;
        m_load.requestBodySize = old.requestBodySize;
        m_load.expectContinue = old.expectContinue;
        m_load.headers = old.headers;
    }
}

void Engine::updateDuration(Duration duration)
{
    if (duration == m_load.duration || duration <= Duration::zero()) {
        return;
    }
    m_load.duration = duration;
    m_hardStopAt = saturatingAdd(duration, kStopGrace);
    armUntil(m_hardStopTimer, m_hardStopAt);
}

void Engine::stopIfFailing()
{
    // Every request that finished in the last stopWhenFailing failed (none succeeded since
    // the first of them): the load stops, as a user watching it would.
    if (m_state != RunState::Running || m_load.stopWhenFailing <= Duration::zero()
        || !m_failingSince || m_clock.now() - *m_failingSince < m_load.stopWhenFailing) {
        return;
    }
    m_stoppedFailing = true;
    m_linger = Duration::zero();
    finishRun();
}

void Engine::stopRun()
{
    const PoolLock::Guard g = m_lock.guard();
    if (m_state == RunState::Idle) {
        return;
    }
    m_linger = Duration::zero();
    finishRun();
}

void Engine::finishRun()
{
    if (m_state == RunState::Idle || m_state == RunState::Finishing) {
        return;
    }
    m_scheduler.stop();
    inEngineThread([this] { m_timeouts.disarmAll(); }); // after every arm made before
    if (m_linger > Duration::zero()) {
        // Keep the pool (and its idle timers) alive, then take the final picture.
        m_state = RunState::Lingering;
        if (!m_lingerTimer.isActive()) {
            m_lingerUntil = saturatingAdd(m_clock.now(), m_linger);
            armUntil(m_lingerTimer, m_lingerUntil);
        }
        return;
    }
    m_state = RunState::Finishing;
    m_hardStopTimer.stop();
    m_lingerTimer.stop();
    // Requests still in flight (stop pressed, time bound) are canceled, not errors; those
    // whose response was complete count as done.
    m_transport->abandonAll();
    // Dials in flight close now, not after the final picture (issue 16 #9: dials -
    // closed - open_at_end was 6-8 after a Stop or SIGINT).
    m_transport->cancelDials();
    publishSnapshot(true);
    m_state = RunState::Idle;
    m_snapshotTimer.stop();
    m_transport->closeAll();
    m_events.close();
    m_controller->postRunFinished();
}

void Engine::publishSnapshot(bool final)
{
    const TimePoint now = m_clock.now();
    EngineSnapshot s = m_snapshots.build(now, *m_transport);
    m_stats.noteError(m_events.takeError());
    m_stats.fillAndStartWindow(s, now);
    s.running = !final && m_state != RunState::Idle;
    s.workers = m_scheduler.running();
    s.target = m_targets->display();
    s.eventsDropped = m_events.dropped();
    s.stoppedFailing = m_stoppedFailing;
    m_events.flush();
    m_controller->publish(std::move(s), m_events.takeBatch());
}

} // namespace poolscope
