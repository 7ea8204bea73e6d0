#include "engine_threads.h"

#include <QThread>

namespace poolscope {

EngineThreads::EngineThreads(int count)
{
    const int n = std::max(count, 1);
    m_threads.resize(static_cast<std::size_t>(n));
    m_anchors.push_back(std::make_unique<QObject>());
    for (int i = 1; i < n; ++i) {
        auto t = std::make_unique<QThread>();
        t->setObjectName(QStringLiteral("poolscope-engine-%1").arg(i));
        auto anchor = std::make_unique<QObject>();
        anchor->moveToThread(t.get());
        t->start();
        m_threads[static_cast<std::size_t>(i)] = std::move(t);
        m_anchors.push_back(std::move(anchor));
    }
}

EngineThreads::~EngineThreads()
{
    for (int i = 1; i < count(); ++i) {
        runBlocking(i, [] {}); // everything posted before runs first
        QThread *t = thread(i);
        // The anchor goes in its own thread; Qt then runs the thread's deferred deletes
        // (closed sockets) as the thread finishes.
        QObject *anchor = m_anchors[static_cast<std::size_t>(i)].release();
        QMetaObject::invokeMethod(
            anchor, [anchor] { delete anchor; }, Qt::BlockingQueuedConnection);
        t->quit();
        t->wait();
    }
}

QThread *EngineThreads::thread(int index) const
{
    return index == 0 ? m_anchors[0]->thread() : m_threads[static_cast<std::size_t>(index)].get();
}

int EngineThreads::current() const
{
    QThread *self = QThread::currentThread();
    for (int i = 0; i < count(); ++i) {
        if (thread(i) == self) {
            return i;
        }
    }
    return -1;
}

void EngineThreads::post(int index, std::function<void()> f) const
{
    QMetaObject::invokeMethod(anchor(index), std::move(f), Qt::QueuedConnection);
}

void EngineThreads::runBlocking(int index, const std::function<void()> &f) const
{
    if (thread(index) == QThread::currentThread()) {
        f();
        return;
    }
    QMetaObject::invokeMethod(anchor(index), f, Qt::BlockingQueuedConnection);
}

PostedWakeSource::PostedWakeSource(WakeSource &inner, QObject &home, PoolLock &lock)
    : m_inner(inner), m_home(home), m_lock(lock)
{
}

void PostedWakeSource::setHandler(Handler handler)
{
    m_inner.setHandler([this, handler = std::move(handler)](int key) {
        const PoolLock::Guard g = m_lock.guard();
        handler(key);
    });
}

void PostedWakeSource::schedule(int key, TimePoint due)
{
    if (!m_posting) {
        m_inner.schedule(key, due);
        return;
    }
    QMetaObject::invokeMethod(
        &m_home, [this, key, due] { m_inner.schedule(key, due); }, Qt::QueuedConnection);
}

void PostedWakeSource::clear()
{
    if (!m_posting) {
        m_inner.clear();
        return;
    }
    QMetaObject::invokeMethod(
        &m_home, [this] { m_inner.clear(); }, Qt::QueuedConnection);
}

} // namespace poolscope
