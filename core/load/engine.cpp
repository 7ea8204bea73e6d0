#include "engine.h"

#include "engine_controller.h"

#include <QHostInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <algorithm>

namespace poolscope {

namespace {

constexpr Duration kStopGrace = std::chrono::seconds(10);
constexpr std::size_t kEventBatchCapacity = EngineController::kEventRingCapacity;

std::chrono::milliseconds toMs(Duration d)
{
    return std::chrono::ceil<std::chrono::milliseconds>(d);
}

double toMsD(Duration d)
{
    return std::chrono::duration<double, std::milli>(d).count();
}

// Go's urlErrorOp: "GET" -> "Get".
QString goUrlErrorOp(const QByteArray &method)
{
    const QString m = QString::fromLatin1(method);
    return m.left(1) + m.mid(1).toLower();
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

Engine::Engine(EngineController *controller)
    : m_controller(controller), m_pool(std::make_unique<Pool>(m_clock))
{
    // Member timers must be children so moveToThread() takes them along.
    for (QTimer *t : { &m_idleTimer, &m_snapshotTimer, &m_hardStopTimer, &m_lingerTimer }) {
        t->setParent(this);
    }
    m_idleTimer.setSingleShot(true);
    m_idleTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_idleTimer, &QTimer::timeout, this, [this] {
        m_armedDeadline.reset();
        m_pool->advance();
        processActions();
    });
    m_snapshotTimer.setInterval(100);
    connect(&m_snapshotTimer, &QTimer::timeout, this, [this] { publishSnapshot(false); });
    m_hardStopTimer.setSingleShot(true);
    connect(&m_hardStopTimer, &QTimer::timeout, this, [this] {
        m_lastError = QStringLiteral("run stopped at its time bound with requests still in flight");
        finishRun();
    });
    m_lingerTimer.setSingleShot(true);
    connect(&m_lingerTimer, &QTimer::timeout, this, [this] {
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
    if (m_running) {
        m_running = false;
        m_pool->closeAll(CloseReason::TransportClosed);
        processActions();
    }
    clearWorkers();
    m_conns.clear();
    m_graveyard.clear();
    flushEventLog();
    m_eventLog.reset();
}

void Engine::setSnapshotInterval(std::chrono::milliseconds interval)
{
    m_snapshotTimer.setInterval(std::max<int>(10, static_cast<int>(interval.count())));
}

DialSpec Engine::dialSpec(const TargetSlot &t) const
{
    DialSpec s;
    s.address = t.address;
    s.port = t.target.port;
    s.tls = t.target.tls;
    s.tlsServerName = t.target.host;
    s.insecureSkipVerify = m_transport.insecureSkipVerify;
    s.keepAlive = m_transport.effectiveKeepAlive();
    s.dialTimeout = m_transport.dialTimeout;
    s.tlsHandshakeTimeout = m_transport.tlsHandshakeTimeout;
    return s;
}

bool Engine::rebuildRequest(QString *error)
{
    RequestSpec spec;
    spec.method = m_load.method;
    spec.bodySize = m_load.requestBodySize;
    spec.disableKeepAlives = m_transport.disableKeepAlives;
    spec.disableCompression = m_transport.disableCompression;
    spec.expectContinue = m_load.expectContinue;
    for (TargetSlot &slot : m_targets) {
        auto t = RequestTemplate::build(slot.target, spec, error);
        if (!t) {
            return false;
        }
        slot.request = std::move(t);
    }
    return true;
}

void Engine::startRun(const LoadConfig &load, const TransportConfig &transport)
{
    if (m_running) {
        stopRun();
    }
    m_load = load;
    ++m_runSerial;
    m_transport = transport;
    QString error;
    const QStringList urls = load.urls.isEmpty() ? QStringList { load.url } : load.urls;
    if (urls.size() > 1024) {
        m_controller->postRunFailed(
            QStringLiteral("at most 1024 target URLs, got %1").arg(urls.size()));
        return;
    }
    m_targets.clear();
    for (const QString &url : urls) {
        TargetSlot slot;
        auto target = parseTarget(url, &error);
        if (!target) {
            m_controller->postRunFailed(
                urls.size() > 1 ? url + QStringLiteral(": ") + error : error);
            return;
        }
        slot.target = *target;
        // Resolve once per run; the pool key stays the URL's host:port.
        if (!slot.address.setAddress(slot.target.host)) {
            const QHostInfo info = QHostInfo::fromName(slot.target.host);
            if (info.error() != QHostInfo::NoError || info.addresses().isEmpty()) {
                m_controller->postRunFailed(QStringLiteral("dial tcp: lookup %1: %2")
                                                .arg(slot.target.host, info.errorString()));
                return;
            }
            slot.address = info.addresses().constFirst();
            for (const QHostAddress &a : info.addresses()) {
                if (a.protocol() == QAbstractSocket::IPv4Protocol) {
                    slot.address = a;
                    break;
                }
            }
        }
        m_targets.push_back(std::move(slot));
    }
    if (!rebuildRequest(&error)) {
        m_controller->postRunFailed(error);
        return;
    }
    if (load.workers <= 0 || load.workers > 100000) {
        m_controller->postRunFailed(
            QStringLiteral("workers must be between 1 and 100000, got %1").arg(load.workers));
        return;
    }

    // Fresh state for the run.
    clearWorkers();
    m_conns.clear();
    m_pool = std::make_unique<Pool>(m_clock, m_transport);
    m_pool->setEventSink(this);
    m_hostTarget.clear();
    for (std::size_t i = 0; i < m_targets.size(); ++i) {
        TargetSlot &slot = m_targets[i];
        slot.host = m_pool->hostId(slot.target.poolKey.toStdString());
        if (slot.host >= m_hostTarget.size()) {
            m_hostTarget.resize(slot.host + 1, static_cast<int>(i));
        }
    }
    m_latencyTotal.reset();
    m_latencyWindow.reset();
    m_requestsDone = m_errors = m_canceled = m_bytesRead = m_lastDone = 0;
    m_errorsByKind.fill(0);
    m_seq = 0;
    m_lastError.clear();
    m_eventBatch.clear();
    m_eventsDropped = 0;
    m_timeWaitPeak = 0;
    m_lastKernel = KernelSample {};
    m_armedDeadline.reset();
    m_linger = load.linger;

    if (!m_eventLogPath.isEmpty()) {
        m_eventLog = std::make_unique<QFile>(m_eventLogPath);
        if (!m_eventLog->open(QIODevice::WriteOnly | QIODevice::Truncate)) {
            const QString msg = QStringLiteral("cannot write events to %1: %2")
                                    .arg(m_eventLogPath, m_eventLog->errorString());
            m_eventLog.reset();
            m_controller->postRunFailed(msg);
            return;
        }
        m_eventLogBuffer.reserve(1 << 17);
    }

    if (m_kernelEnabled) {
        if (!m_kernel) {
            m_kernel = std::make_unique<KernelWatcher>();
        }
        // The kernel view follows the first target.
        m_kernel->setTarget(m_targets.front().address, m_targets.front().target.port);
    }

    m_clock.restart();
    m_lastSnapshotTime = TimePoint { 0 };
    m_running = true;
    m_stopping = false;
    const Duration bound = load.duration > Duration::zero() ? load.duration : kDefaultMaxDuration;
    m_runDeadline = bound;
    m_hardStopTimer.start(toMs(load.duration > Duration::zero() ? bound + kStopGrace : bound));
    m_nextSlot = TimePoint { 0 };
    m_workers.resize(static_cast<std::size_t>(load.workers));
    m_controller->postRunStarted();
    publishSnapshot(false);
    m_snapshotTimer.start();
    for (int i = 0; i < load.workers; ++i) {
        startWorker(i);
    }
}

void Engine::clearWorkers()
{
    for (Worker &w : m_workers) {
        delete w.deadline;
    }
    m_workers.clear();
    clearWakeUps();
}

void Engine::clearWakeUps()
{
    if (m_wake) {
        m_wake->clear();
        m_pace->clear();
    }
}

void Engine::startWorker(int index)
{
    Worker &w = m_workers[static_cast<std::size_t>(index)];
    if (!m_wake) {
        // Made here, in the engine thread: their socket notifiers belong to it.
        const auto wake = [this](int worker) {
            issue(worker, false);
        };
        m_wake = new WakeQueue(m_clock, wake, this);
        m_pace = new WakeQueue(m_clock, wake, this);
        m_pace->setModel(TimerModel::Precise);
    }
    m_wake->setModel(m_load.timers);
    w.state = WorkerState::Idle; // `done` carries on when a worker restarts mid-run
    scheduleNext(index);
}

void Engine::scheduleNext(int index)
{
    Worker &w = m_workers[static_cast<std::size_t>(index)];
    const TimePoint now = m_clock.now();
    const bool boundReached = (m_load.requestsPerWorker > 0 && w.done >= m_load.requestsPerWorker)
        || now >= m_runDeadline;
    if (!m_running || m_stopping || index >= m_load.workers || boundReached) {
        w.state = WorkerState::Done;
        checkFinished();
        return;
    }
    Duration delay = w.done > 0 ? m_load.think : Duration::zero();
    if (m_load.rate > 0) {
        const auto period = Duration(static_cast<std::int64_t>(1e9 / m_load.rate));
        const TimePoint slot = std::max(now + delay, m_nextSlot);
        m_nextSlot = slot + period;
        delay = slot - now;
    }
    if (delay > Duration::zero()) {
        w.state = WorkerState::Pausing;
        // Think time is a caller's time.Sleep (Go's timer model unless --timers precise);
        // a rate slot stands for work arriving from outside, which no Go timer bunches.
        (m_load.rate > 0 ? m_pace : m_wake)->schedule(index, now + delay);
        return;
    }
    // No pause: the worker goes straight on, like a goroutine that keeps its P after
    // reading the body (its connection is already back in the pool: Go's eofc). One
    // engine thread is one P, so fewer connections sit idle at once than with Go's
    // GOMAXPROCS=2; tests/conformance/report.md shows the effect on zero-think churn.
    issue(index, false);
}

void Engine::issue(int index, bool retry)
{
    Worker &w = m_workers[static_cast<std::size_t>(index)];
    if (!m_running) {
        return;
    }
    if (!retry) {
        if (m_stopping || index >= m_load.workers || m_clock.now() >= m_runDeadline) {
            w.state = WorkerState::Done;
            checkFinished();
            return;
        }
        w.start = m_clock.now();
        if (m_transport.clientTimeout > Duration::zero()) {
            if (!w.deadline) {
                w.deadline = new QTimer(this);
                w.deadline->setSingleShot(true);
                connect(
                    w.deadline, &QTimer::timeout, this, [this, index] { onClientTimeout(index); });
            }
            w.deadline->start(toMs(m_transport.clientTimeout));
        }
    }
    w.state = WorkerState::Waiting;
    w.conn = 0;
    w.req = m_pool->getConn(targetOf(index).host, static_cast<std::uint32_t>(index));
    processActions();
}

void Engine::processActions()
{
    if (m_processing) {
        return; // the outer loop picks the new actions up
    }
    m_processing = true;
    std::vector<PoolAction> batch;
    batch.swap(m_actions);
    for (;;) {
        m_pool->takeActions(batch);
        if (batch.empty()) {
            break;
        }
        for (const PoolAction &a : batch) {
            handleAction(a);
        }
    }
    batch.swap(m_actions);
    m_processing = false;
    rearmIdleTimer();
    if (!m_graveyard.empty() && !m_gcPosted) {
        m_gcPosted = true; // one deferred delete pass per event-loop turn
        QMetaObject::invokeMethod(
            this, [this] { collectGarbage(); }, Qt::QueuedConnection);
    }
}

void Engine::collectGarbage()
{
    m_gcPosted = false;
    m_graveyard.clear();
}

void Engine::handleAction(const PoolAction &a)
{
    switch (a.type) {
    case ActionType::StartDial: {
        auto conn = std::make_unique<Connection>(
            a.conn, *this, dialSpec(m_targets[static_cast<std::size_t>(m_hostTarget[a.host])]));
        Connection *c = conn.get();
        c->host = a.host;
        m_conns.emplace(a.conn, std::move(conn));
        c->dial();
        return;
    }
    case ActionType::Deliver: {
        auto it = m_conns.find(a.conn);
        const int index = static_cast<int>(a.tag);
        if (it == m_conns.end() || !isWaitingFor(index, a.req)) {
            // The request vanished (stopped): give the connection back.
            if (it != m_conns.end()) {
                m_pool->releaseConn(a.conn, true);
            }
            return;
        }
        Connection &c = *it->second;
        Worker &w = m_workers[static_cast<std::size_t>(index)];
        w.state = WorkerState::InFlight;
        w.conn = a.conn;
        c.req = a.req;
        c.worker = index;
        c.reusedForRequest = a.reused;
        c.sendRequest(*targetOf(index).request, m_transport.responseHeaderTimeout,
            m_transport.expectContinueTimeout, m_transport.effectiveMaxResponseHeaderBytes());
        if (c.phase() != Connection::Phase::Closed) {
            recordEvent(EventType::WroteRequest, c);
        }
        return;
    }
    case ActionType::Close: {
        auto it = m_conns.find(a.conn);
        if (it == m_conns.end()) {
            return;
        }
        it->second->close();
        m_graveyard.push_back(std::move(it->second));
        m_conns.erase(it);
        return;
    }
    case ActionType::FailRequest: {
        const int index = static_cast<int>(a.tag);
        if (!isWaitingFor(index, a.req)) {
            return;
        }
        finishRequest(index, a.reason, m_lastError);
        return;
    }
    case ActionType::ArmIdleTimer:
        return; // rearmIdleTimer() follows nextDeadline()
    }
}

void Engine::rearmIdleTimer()
{
    const auto next = m_pool->nextDeadline();
    if (next == m_armedDeadline) {
        return;
    }
    m_armedDeadline = next;
    if (!next) {
        m_idleTimer.stop();
        return;
    }
    const Duration wait = std::max(Duration::zero(), *next - m_clock.now());
    m_idleTimer.start(toMs(wait));
}

void Engine::recordFinished(int index, CloseReason error, const QString &message)
{
    Worker &w = m_workers[static_cast<std::size_t>(index)];
    if (w.deadline) {
        w.deadline->stop();
    }
    const TimePoint now = m_clock.now();
    ++m_requestsDone;
    if (error == CloseReason::None) {
        m_latencyTotal.record(now - w.start);
        m_latencyWindow.record(now - w.start);
    } else if (error == CloseReason::Canceled) {
        ++m_canceled;
    } else {
        ++m_errors;
        ++m_errorsByKind[static_cast<std::size_t>(error)];
        if (!message.isEmpty()) {
            m_lastError = message;
        }
    }
    if (m_recordEvents || m_eventLog) {
        PoolEvent e;
        e.time = now;
        e.type = EventType::RequestDone;
        e.req = w.req;
        e.conn = w.conn;
        e.host = targetOf(index).host;
        e.reason = error;
        e.idleTime = now - w.start; // for RequestDone: the request's latency
        onPoolEvent(e);
    }
    ++w.done;
    w.req = 0;
    w.conn = 0;
    w.state = WorkerState::Idle;
}

void Engine::finishRequest(int index, CloseReason error, const QString &message)
{
    recordFinished(index, error, message);
    scheduleNext(index);
}

void Engine::onClientTimeout(int index)
{
    Worker &w = m_workers[static_cast<std::size_t>(index)];
    if (w.state == WorkerState::Waiting) {
        m_pool->cancelWant(w.req);
    } else if (w.state == WorkerState::InFlight) {
        auto it = m_conns.find(w.conn);
        if (it != m_conns.end()) {
            it->second->worker = -1;
        }
        m_pool->closeConn(w.conn, CloseReason::ClientTimeout);
    } else {
        return;
    }
    processActions();
    finishRequest(index, CloseReason::ClientTimeout,
        QStringLiteral("%1 \"%2\": context deadline exceeded (Client.Timeout exceeded)")
            .arg(goUrlErrorOp(m_load.method), targetOf(index).target.display));
}

void Engine::recordEvent(EventType type, const Connection &c, CloseReason reason)
{
    if (!m_recordEvents && !m_eventLog) {
        return;
    }
    PoolEvent e;
    e.time = m_clock.now();
    e.type = type;
    e.conn = c.id();
    e.req = c.req;
    e.host = c.host;
    e.reason = reason;
    onPoolEvent(e);
}

void Engine::onPoolEvent(const PoolEvent &event)
{
    if (m_eventLog) {
        writeEventLine(event);
    }
    if (!m_recordEvents) {
        return;
    }
    if (m_eventBatch.size() >= kEventBatchCapacity) {
        ++m_eventsDropped; // the UI is not keeping up: drop the newest, keep the batch bounded
        return;
    }
    m_eventBatch.push_back(event);
}

void Engine::writeEventLine(const PoolEvent &e)
{
    // Hand-written NDJSON: this runs for every event at full rate.
    QByteArray &b = m_eventLogBuffer;
    b.append("{\"t_ns\":").append(QByteArray::number(static_cast<qint64>(e.time.count())));
    b.append(",\"type\":\"")
        .append(eventTypeName(e.type).data(), static_cast<qsizetype>(eventTypeName(e.type).size()));
    b.append("\",\"conn\":").append(QByteArray::number(static_cast<qulonglong>(e.conn)));
    b.append(",\"req\":").append(QByteArray::number(static_cast<qulonglong>(e.req)));
    if (e.type == EventType::GotConn) {
        b.append(",\"reused\":").append(e.reused ? "true" : "false");
        b.append(",\"was_idle\":").append(e.wasIdle ? "true" : "false");
        b.append(",\"idle_ns\":")
            .append(QByteArray::number(static_cast<qint64>(e.idleTime.count())));
    }
    if (e.type == EventType::RequestDone) {
        b.append(",\"latency_ns\":")
            .append(QByteArray::number(static_cast<qint64>(e.idleTime.count())));
    }
    if (e.reason != CloseReason::None) {
        const auto label = closeReasonLabel(e.reason);
        const auto go = closeReasonGoName(e.reason);
        b.append(",\"reason\":\"").append(label.data(), static_cast<qsizetype>(label.size()));
        b.append("\",\"go\":\"").append(go.data(), static_cast<qsizetype>(go.size())).append('"');
    }
    b.append("}\n");
    if (b.size() > (1 << 16)) {
        flushEventLog();
    }
}

void Engine::flushEventLog()
{
    if (m_eventLog && !m_eventLogBuffer.isEmpty()) {
        if (m_eventLog->write(m_eventLogBuffer) < 0) {
            m_lastError = QStringLiteral("event log: %1").arg(m_eventLog->errorString());
        }
        m_eventLogBuffer.clear();
    }
    if (m_eventLog) {
        m_eventLog->flush();
    }
}

void Engine::onConnectionReady(Connection &c)
{
    m_pool->dialSucceeded(c.id());
    processActions();
}

void Engine::onConnectionDialFailed(Connection &c, CloseReason reason, const QString &message)
{
    m_lastError = message;
    m_pool->dialFailed(c.id(), reason);
    processActions();
}

void Engine::onFirstResponseByte(Connection &c)
{
    recordEvent(EventType::GotFirstResponseByte, c);
}

void Engine::onResponseHeaders(Connection &c)
{
    if (c.worker < 0) {
        return;
    }
    const ResponseParser &p = c.parser();
    const bool emptyBody = p.state() == ResponseParser::Result::Complete && p.wireBodyBytes() == 0;
    switch (m_load.bodyPolicy) {
    case BodyPolicy::ReadToEof:
        return;
    case BodyPolicy::CloseEarly: {
        if (emptyBody || p.contentLength() == 0) {
            return; // http.NoBody: closing it costs nothing, the connection stays reusable
        }
        // resp.Body.Close() before EOF: Go closes the connection instead of draining it.
        const int index = c.worker;
        c.worker = -1;
        m_pool->releaseConn(c.id(), false, CloseReason::BodyNotRead);
        processActions();
        resumeAfterClose(index);
        return;
    }
    case BodyPolicy::Leak: {
        // The caller never closes the body: the connection stays Active forever.
        const int index = c.worker;
        c.worker = -1;
        c.drainSilently();
        finishRequest(index, CloseReason::None, QString());
        return;
    }
    }
}

void Engine::onResponseComplete(Connection &c, bool reusable)
{
    const int index = c.worker;
    m_bytesRead += static_cast<std::uint64_t>(c.parser().bodyBytes());
    if (index < 0) {
        return;
    }
    CloseReason why = CloseReason::None;
    if (m_transport.disableKeepAlives) {
        reusable = false;
        why = CloseReason::KeepAlivesDisabled;
    } else if (!reusable) {
        why = CloseReason::ConnectionCloseResponse;
    }
    c.setIdle();
    const bool kept = m_pool->releaseConn(c.id(), reusable, why);
    processActions();
    if (!kept) {
        resumeAfterClose(index);
        return;
    }
    // Kept: Go's readLoop wakes the caller through eofc and parks on its next read,
    // so the caller runs at once and asks again before anything else is handled.
    finishRequest(index, CloseReason::None, QString());
}

void Engine::resumeAfterClose(int index)
{
    // Go: when the connection is closed instead of kept (errTooManyIdleHost,
    // Connection: close, DisableKeepAlives, body closed early), the readLoop that woke
    // the caller goes on to pc.close(), whose close(pc.closech) wakes the writeLoop
    // into the P's runnext slot; the caller is pushed to the back of the run queue and
    // resumes after every goroutine that was already runnable, i.e. after the other
    // responses already read. Here: after the rest of this event-loop pass. With idle
    // cap 2 one rejected connection so delays its caller while further returns are
    // rejected too, and those callers then dial: the bursts of errTooManyIdleHost
    // closes Go shows (tests/conformance: no-think-16-workers-idle-cap-2).
    Worker &w = m_workers[static_cast<std::size_t>(index)];
    w.state = WorkerState::Resuming;
    const std::uint64_t serial = m_runSerial;
    QMetaObject::invokeMethod(
        this,
        [this, index, serial] {
            if (!m_running || serial != m_runSerial
                || static_cast<std::size_t>(index) >= m_workers.size()
                || m_workers[static_cast<std::size_t>(index)].state != WorkerState::Resuming) {
                return;
            }
            finishRequest(index, CloseReason::None, QString());
        },
        Qt::QueuedConnection);
}

void Engine::onConnectionFailed(Connection &c, CloseReason reason, const QString &message)
{
    const int index = c.worker;
    const bool reused = c.reusedForRequest;
    const ConnId id = c.id();
    const ReqId req = c.req;
    c.worker = -1;
    m_pool->closeConn(id, reason);
    processActions();
    if (index < 0) {
        return;
    }
    RetryQuery q;
    q.connWasReused = reused;
    const RequestTemplate &request = *targetOf(index).request;
    q.hasBody = request.hasBody();
    q.bodyRewindable = true;
    q.replayable = request.replayable();
    q.error = reason;
    if (m_running && shouldRetryRequest(q)) {
        m_pool->noteRetry(req, id);
        issue(index, true);
        return;
    }
    finishRequest(index, reason, message);
}

void Engine::onIdleConnectionLost(Connection &c, CloseReason reason)
{
    m_pool->closeConn(c.id(), reason);
    processActions();
}

void Engine::applyTransport(const TransportConfig &transport)
{
    const bool requestChanges = transport.disableKeepAlives != m_transport.disableKeepAlives
        || transport.disableCompression != m_transport.disableCompression;
    m_transport = transport;
    m_pool->setConfig(transport);
    if (requestChanges && m_running) {
        QString error;
        if (!rebuildRequest(&error)) {
            m_lastError = error;
        }
    }
    processActions();
}

void Engine::applyLoad(const LoadConfig &load)
{
    const LoadConfig old = m_load;
    m_load.workers = std::clamp(load.workers, 1, 100000);
    m_load.rate = load.rate;
    m_load.think = load.think;
    m_load.timers = load.timers;
    if (m_wake) {
        m_wake->setModel(m_load.timers);
    }
    m_load.bodyPolicy = load.bodyPolicy;
    m_load.requestsPerWorker = load.requestsPerWorker;
    if (load.method != old.method || load.requestBodySize != old.requestBodySize
        || load.expectContinue != old.expectContinue) {
        m_load.method = load.method;
        m_load.requestBodySize = load.requestBodySize;
        m_load.expectContinue = load.expectContinue;
        QString error;
        if (!rebuildRequest(&error)) {
            m_lastError = error;
            m_load.method = old.method;
            m_load.requestBodySize = old.requestBodySize;
            m_load.expectContinue = old.expectContinue;
            rebuildRequest(nullptr);
        }
    }
    if (load.duration != old.duration && load.duration > Duration::zero()) {
        m_load.duration = load.duration;
        m_runDeadline = load.duration;
        m_hardStopTimer.start(
            toMs(std::max(Duration::zero(), load.duration + kStopGrace - m_clock.now())));
    }
    if (!m_running) {
        return;
    }
    m_nextSlot = std::max(m_nextSlot, m_clock.now());
    if (static_cast<std::size_t>(m_load.workers) > m_workers.size()) {
        m_workers.resize(static_cast<std::size_t>(m_load.workers));
    }
    // New workers (Idle) and finished ones (Done) start again; busy ones go on.
    // Workers beyond the new count stop after their current request (scheduleNext).
    for (int i = 0; i < m_load.workers; ++i) {
        const WorkerState state = m_workers[static_cast<std::size_t>(i)].state;
        if (state == WorkerState::Idle || state == WorkerState::Done) {
            startWorker(i);
        }
    }
}

void Engine::checkFinished()
{
    if (!m_running) {
        return;
    }
    for (const Worker &w : m_workers) {
        if (w.state != WorkerState::Done) {
            return;
        }
    }
    finishRun();
}

void Engine::stopRun()
{
    if (!m_running) {
        return;
    }
    m_linger = Duration::zero();
    finishRun();
}

void Engine::finishRun()
{
    if (!m_running) {
        return;
    }
    m_stopping = true;
    clearWakeUps();
    for (Worker &w : m_workers) {
        if (w.deadline) {
            w.deadline->stop();
        }
    }
    if (m_linger > Duration::zero()) {
        // Keep the pool (and its idle timers) alive, then take the final picture.
        if (!m_lingerTimer.isActive()) {
            m_lingerTimer.start(toMs(m_linger));
        }
        return;
    }
    m_hardStopTimer.stop();
    m_lingerTimer.stop();
    // Requests still in flight (stop pressed, time bound) are canceled, not errors.
    for (std::size_t i = 0; i < m_workers.size(); ++i) {
        Worker &w = m_workers[i];
        if (w.state == WorkerState::InFlight || w.state == WorkerState::Waiting) {
            ++m_canceled;
            ++m_requestsDone;
            w.state = WorkerState::Done;
        } else if (w.state == WorkerState::Resuming) {
            recordFinished(
                static_cast<int>(i), CloseReason::None, QString()); // it had its response
            w.state = WorkerState::Done;
        }
    }
    publishSnapshot(true);
    m_running = false;
    m_snapshotTimer.stop();
    m_idleTimer.stop();
    m_armedDeadline.reset();
    m_pool->closeAll(CloseReason::TransportClosed);
    processActions();
    flushEventLog();
    if (m_eventLog) {
        m_eventLog->close();
        m_eventLog.reset();
    }
    m_controller->postRunFinished();
}

EngineSnapshot Engine::buildSnapshot()
{
    EngineSnapshot s;
    const TimePoint now = m_clock.now();
    s.time = now;
    s.running = m_running;
    s.seq = ++m_seq;
    s.pool = m_pool->counters();
    s.requestsDone = m_requestsDone;
    s.errors = m_errors;
    s.errorsByKind = m_errorsByKind;
    s.bytesRead = m_bytesRead;
    s.latencyTotal = summarize(m_latencyTotal);
    s.latencyWindow = summarize(m_latencyWindow);
    m_latencyWindow.reset();
    const double dt = std::chrono::duration<double>(now - m_lastSnapshotTime).count();
    s.rpsWindow = dt > 0 ? static_cast<double>(m_requestsDone - m_lastDone) / dt : 0.0;
    m_lastDone = m_requestsDone;
    m_lastSnapshotTime = now;
    int working = 0;
    for (const Worker &w : m_workers) {
        working += w.state != WorkerState::Done;
    }
    s.workers = working;
    s.conns.reserve(std::min<std::size_t>(m_conns.size(), kMaxSnapshotConns));
    m_pool->forEachConn([&](const Pool::ConnView &v) {
        if (s.conns.size() >= static_cast<std::size_t>(kMaxSnapshotConns)) {
            return;
        }
        ConnInfo info;
        info.id = v.id;
        info.host = v.host;
        info.state = v.state;
        info.requests = v.requests;
        info.since = v.since;
        info.opened = v.opened;
        auto it = m_conns.find(v.id);
        if (it != m_conns.end()) {
            info.localPort = it->second->localPort();
        }
        s.conns.push_back(info);
    });
    std::sort(s.conns.begin(), s.conns.end(),
        [](const ConnInfo &a, const ConnInfo &b) { return a.id < b.id; });
    if (m_kernel && m_kernelEnabled) {
        m_lastKernel = m_kernel->sample();
        const auto tw = static_cast<std::uint64_t>(m_lastKernel.counts.count(TcpState::TimeWait));
        m_timeWaitPeak = std::max(m_timeWaitPeak, tw);
        // Join the kernel's sockets to our connections by local port.
        std::unordered_map<quint16, const KernelSocket *> byPort;
        byPort.reserve(m_lastKernel.sockets.size());
        for (const KernelSocket &k : m_lastKernel.sockets) {
            if (k.state != TcpState::TimeWait) {
                byPort[k.localPort] = &k;
            }
        }
        for (ConnInfo &c : s.conns) {
            auto it = byPort.find(c.localPort);
            if (c.localPort != 0 && it != byPort.end()) {
                c.kernelState = it->second->state;
                c.kernelTimer = it->second->timer;
                c.kernelTimerExpires = it->second->timerExpires;
                c.keepAliveProbes = it->second->keepAliveProbes;
            }
        }
    }
    s.kernel = m_lastKernel;
    s.timeWaitPeak = m_timeWaitPeak;
    s.target = m_targets.empty() ? QString() : m_targets.front().target.display;
    if (m_targets.size() > 1) {
        s.target += QStringLiteral(" (+%1 more)").arg(m_targets.size() - 1);
    }
    s.lastError = m_lastError;
    s.canceled = m_canceled;
    s.eventsDropped = m_eventsDropped;
    return s;
}

void Engine::publishSnapshot(bool final)
{
    EngineSnapshot s = buildSnapshot();
    if (final) {
        s.running = false;
    }
    flushEventLog();
    m_controller->publish(std::move(s), m_eventBatch);
    m_eventBatch.clear();
}

} // namespace poolscope
