#include "server/embedded_server.h"

#include "server/server_shared_state.h"
#include "server/server_worker.h"
#include "server/tls_test_identity.h"

#include <QThread>

namespace poolscope {

namespace {

// Runs `f` in the worker's thread and waits for it; direct call when already there (a
// blocking queued call into one's own thread would deadlock).
template<typename F>
void runInWorker(ServerWorker *worker, F f)
{
    if (QThread::currentThread() == worker->thread())
        f();
    else
        QMetaObject::invokeMethod(worker, f, Qt::BlockingQueuedConnection);
}

} // namespace

EmbeddedServer::EmbeddedServer(QObject *parent)
    : QObject(parent), m_shared(std::make_unique<ServerSharedState>())
{
}

EmbeddedServer::~EmbeddedServer()
{
    stop();
}

bool EmbeddedServer::start(const ServerConfig &config, QString *error)
{
    auto fail = [error](const QString &message) {
        if (error)
            *error = message;
        return false;
    };
    if (m_thread)
        return fail(QStringLiteral("the embedded server is already running on %1").arg(url()));
    if (config.tls) {
        QString tlsError;
        if (testTlsServerConfiguration(&tlsError).isNull())
            return fail(tlsError);
    }
    setConfig(config);

    m_thread = std::make_unique<QThread>();
    m_thread->setObjectName(QStringLiteral("poolscope-server"));
    auto *worker = new ServerWorker(m_shared.get());
    worker->moveToThread(m_thread.get());
    {
        QMutexLocker locker(&m_shared->mutex);
        m_worker = worker;
    }
    m_thread->start();

    bool ok = false;
    QString listenError;
    QHostAddress boundAddress;
    quint16 boundPort = 0;
    runInWorker(m_worker, [&] {
        ok = m_worker->listenOn(config.listenAddress, config.port, &listenError);
        if (ok) {
            boundAddress = m_worker->serverAddress();
            boundPort = m_worker->serverPort();
        }
    });
    if (!ok) {
        stop();
        return fail(listenError);
    }
    QMutexLocker locker(&m_shared->mutex);
    m_listening = true;
    m_address = boundAddress;
    m_port = boundPort;
    m_tls = config.tls;
    return true;
}

void EmbeddedServer::stop()
{
    if (!m_thread)
        return;
    {
        QMutexLocker locker(&m_shared->mutex);
        m_listening = false;
        m_port = 0;
    }
    ServerWorker *worker = m_worker;
    runInWorker(worker, [worker] { worker->shutdown(); });
    m_thread->quit();
    m_thread->wait();
    {
        QMutexLocker locker(&m_shared->mutex);
        m_worker = nullptr;
    }
    delete worker;
    m_thread.reset();
}

bool EmbeddedServer::isListening() const
{
    QMutexLocker locker(&m_shared->mutex);
    return m_listening;
}

quint16 EmbeddedServer::port() const
{
    QMutexLocker locker(&m_shared->mutex);
    return m_port;
}

QHostAddress EmbeddedServer::address() const
{
    QMutexLocker locker(&m_shared->mutex);
    return m_address;
}

QString EmbeddedServer::url() const
{
    QMutexLocker locker(&m_shared->mutex);
    if (!m_listening)
        return {};
    QHostAddress host = m_address;
    if (host == QHostAddress::AnyIPv6)
        host = QHostAddress::LocalHostIPv6;
    else if (host == QHostAddress::AnyIPv4 || host == QHostAddress::Any)
        host = QHostAddress::LocalHost;
    const QString hostText = host.protocol() == QAbstractSocket::IPv6Protocol
        ? QStringLiteral("[%1]").arg(host.toString())
        : host.toString();
    return QStringLiteral("%1://%2:%3/")
        .arg(m_tls ? QStringLiteral("https") : QStringLiteral("http"), hostText)
        .arg(m_port);
}

void EmbeddedServer::setConfig(const ServerConfig &config)
{
    ServerWorker *worker = nullptr;
    {
        QMutexLocker locker(&m_shared->mutex);
        m_shared->config = config;
        m_shared->configGeneration.fetch_add(1, std::memory_order_release);
        worker = m_worker;
    }
    // Requests pick the change up by themselves; this also re-arms timers of idle connections.
    if (worker)
        QMetaObject::invokeMethod(worker, &ServerWorker::applyConfig, Qt::QueuedConnection);
}

ServerConfig EmbeddedServer::config() const
{
    return m_shared->currentConfig();
}

ServerStats EmbeddedServer::stats() const
{
    ServerStats stats;
    stats.accepted = m_shared->accepted.load();
    stats.requests = m_shared->requests.load();
    stats.errors = m_shared->errors.load();
    stats.closedByServer = m_shared->closedByServer.load();
    stats.closedByClient = m_shared->closedByClient.load();
    stats.idleTimeouts = m_shared->idleTimeouts.load();
    stats.open = m_shared->open.load();
    stats.streams = m_shared->streams.load();
    return stats;
}

void EmbeddedServer::closeAllConnections()
{
    ServerWorker *worker = nullptr;
    {
        QMutexLocker locker(&m_shared->mutex);
        worker = m_worker;
    }
    if (worker)
        runInWorker(worker, [worker] { worker->closeAll(); });
}

} // namespace poolscope
