#include "engine_controller.h"

#include "engine.h"

namespace poolscope {

EngineController::EngineController(QObject *parent) : QObject(parent)
{
    m_thread.setObjectName(QStringLiteral("poolscope-engine"));
    m_engine = new Engine(this);
    m_engine->moveToThread(&m_thread);
    // The engine and its sockets are deleted in their own thread once its loop ends.
    connect(&m_thread, &QThread::finished, m_engine, &QObject::deleteLater);
    m_thread.start();
}

EngineController::~EngineController()
{
    Engine *engine = m_engine;
    QMetaObject::invokeMethod(
        m_engine, [engine] { engine->shutdown(); }, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

void EngineController::post(std::function<void(Engine &)> call)
{
    Engine *engine = m_engine;
    QMetaObject::invokeMethod(
        m_engine, [engine, call = std::move(call)] { call(*engine); }, Qt::QueuedConnection);
}

void EngineController::start(const LoadConfig &load, const TransportConfig &transport)
{
    {
        std::lock_guard lock(m_mutex);
        m_running = true;
        m_events.clear();
    }
    post([load, transport](Engine &e) { e.startRun(load, transport); });
}

void EngineController::stop()
{
    post([](Engine &e) { e.stopRun(); });
}

void EngineController::setTransportConfig(const TransportConfig &transport)
{
    post([transport](Engine &e) { e.applyTransport(transport); });
}

void EngineController::setLoadConfig(const LoadConfig &load)
{
    post([load](Engine &e) { e.applyLoad(load); });
}

void EngineController::setRecordEvents(bool on)
{
    post([on](Engine &e) { e.setRecordEvents(on); });
}

void EngineController::setSnapshotInterval(std::chrono::milliseconds interval)
{
    post([interval](Engine &e) { e.setSnapshotInterval(interval); });
}

void EngineController::setEventLogPath(const QString &path)
{
    post([path](Engine &e) { e.setEventLogPath(path); });
}

void EngineController::setKernelView(bool on)
{
    post([on](Engine &e) { e.setKernelView(on); });
}

bool EngineController::isRunning() const
{
    std::lock_guard lock(m_mutex);
    return m_running;
}

EngineSnapshot EngineController::snapshot() const
{
    std::lock_guard lock(m_mutex);
    return m_snapshot;
}

std::vector<PoolEvent> EngineController::takeEvents(std::uint64_t *dropped)
{
    std::lock_guard lock(m_mutex);
    if (dropped) {
        *dropped = m_events.dropped();
    }
    return m_events.drain();
}

void EngineController::publish(EngineSnapshot &&snapshot, const std::vector<PoolEvent> &events)
{
    {
        std::lock_guard lock(m_mutex);
        m_snapshot = std::move(snapshot);
        for (const PoolEvent &e : events) {
            m_events.push(e);
        }
    }
    QMetaObject::invokeMethod(
        this, [this] { Q_EMIT snapshotReady(); }, Qt::QueuedConnection);
}

void EngineController::postRunStarted()
{
    QMetaObject::invokeMethod(
        this, [this] { Q_EMIT runStarted(); }, Qt::QueuedConnection);
}

void EngineController::postRunFinished()
{
    QMetaObject::invokeMethod(
        this,
        [this] {
            EngineSnapshot last;
            {
                std::lock_guard lock(m_mutex);
                m_running = false;
                last = m_snapshot;
            }
            Q_EMIT runFinished(last);
        },
        Qt::QueuedConnection);
}

void EngineController::postRunFailed(const QString &message)
{
    QMetaObject::invokeMethod(
        this,
        [this, message] {
            {
                std::lock_guard lock(m_mutex);
                m_running = false;
            }
            Q_EMIT runFailed(message);
        },
        Qt::QueuedConnection);
}

} // namespace poolscope
