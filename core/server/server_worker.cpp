#include "server/server_worker.h"

#include "server/tls_test_identity.h"

#include <QSslSocket>
#include <QTcpSocket>
#include <QTimer>
#include <sys/socket.h>
#include <unistd.h>

namespace poolscope {

namespace {

std::chrono::milliseconds timerInterval(std::chrono::steady_clock::duration remaining)
{
    // Round up: a timer must never fire before the deadline it stands for.
    const auto ms = std::chrono::ceil<std::chrono::milliseconds>(remaining);
    return ms.count() < 0 ? std::chrono::milliseconds(0) : ms;
}

} // namespace

void ServerWorker::ConnectionList::pushBack(Connection *c)
{
    Q_ASSERT(!c->list);
    c->list = this;
    c->prev = tail;
    c->next = nullptr;
    if (tail)
        tail->next = c;
    else
        head = c;
    tail = c;
}

void ServerWorker::ConnectionList::remove(Connection *c)
{
    if (c->list != this)
        return;
    if (c->prev)
        c->prev->next = c->next;
    else
        head = c->next;
    if (c->next)
        c->next->prev = c->prev;
    else
        tail = c->prev;
    c->prev = c->next = nullptr;
    c->list = nullptr;
}

ServerWorker::ServerWorker(ServerSharedState *shared)
    : m_shared(shared), m_idleTimer(new QTimer(this)), m_lingerTimer(new QTimer(this))
{
    m_idleTimer->setSingleShot(true);
    m_idleTimer->setTimerType(Qt::PreciseTimer);
    connect(m_idleTimer, &QTimer::timeout, this, &ServerWorker::onIdleTimer);
    m_lingerTimer->setSingleShot(true);
    connect(m_lingerTimer, &QTimer::timeout, this, &ServerWorker::onLingerTimer);
}

ServerWorker::~ServerWorker() = default;

bool ServerWorker::listenOn(const QHostAddress &address, quint16 port, QString *error)
{
    refreshConfig();
    m_random.seed(m_responses->config().randomSeed);
    // Qt's default backlog of 50 drops SYNs when thousands of clients connect at once.
    setListenBacklogSize(4096);
    if (!listen(address, port)) {
        if (error) {
            const QString host = address.protocol() == QAbstractSocket::IPv6Protocol
                ? QStringLiteral("[%1]").arg(address.toString())
                : address.toString();
            *error = QStringLiteral("cannot listen on %1:%2: %3")
                         .arg(host)
                         .arg(port)
                         .arg(errorString());
        }
        return false;
    }
    return true;
}

void ServerWorker::shutdown()
{
    close();
    m_idleTimer->stop();
    m_lingerTimer->stop();
    m_idle = {};
    m_lingering = {};
    auto connections = std::move(m_connections);
    m_connections.clear();
    for (auto &[socket, c] : connections) {
        socket->disconnect(this);
        if (c->timer)
            c->timer->stop();
        if (!c->finished) {
            if (!c->closing)
                ++m_shared->closedByServer;
            --m_shared->open;
            socket->abort();
        }
        delete socket;
    }
}

void ServerWorker::closeAll()
{
    for (auto &entry : m_connections) {
        Connection *c = entry.second.get();
        if (c->finished || c->closing)
            continue;
        if (c->busy)
            c->closeAfterResponse = true;
        else
            closeByServer(c, false);
    }
}

void ServerWorker::applyConfig()
{
    refreshConfig();
}

void ServerWorker::refreshConfig()
{
    if (m_shared->configGeneration.load(std::memory_order_acquire) == m_generation)
        return;
    ServerConfig config;
    {
        QMutexLocker locker(&m_shared->mutex);
        config = m_shared->config;
        m_generation = m_shared->configGeneration.load(std::memory_order_relaxed);
    }
    const bool idleChanged
        = !m_responses || m_responses->config().idleTimeout != config.idleTimeout;
    m_responses = std::make_shared<const PreparedResponses>(config);
    if (idleChanged) {
        m_idleTimer->stop();
        armListTimer(m_idleTimer, m_idle, config.idleTimeout);
    }
}

void ServerWorker::incomingConnection(qintptr socketDescriptor)
{
    refreshConfig();
    const bool tls = m_responses->config().tls;
    QTcpSocket *socket = nullptr;
    if (tls) {
        if (!m_sslTried) {
            m_sslTried = true;
            QString error;
            m_sslConfiguration = testTlsServerConfiguration(&error);
            if (m_sslConfiguration.isNull())
                qWarning("poolscope server: %s; refusing TLS connections", qPrintable(error));
        }
        if (m_sslConfiguration.isNull()) {
            ::close(int(socketDescriptor));
            return;
        }
        auto *sslSocket = new QSslSocket(this);
        sslSocket->setSslConfiguration(m_sslConfiguration);
        socket = sslSocket;
    } else {
        socket = new QTcpSocket(this);
    }
    if (!socket->setSocketDescriptor(socketDescriptor)) {
        qWarning("poolscope server: cannot adopt accepted socket: %s",
            qPrintable(socket->errorString()));
        delete socket;
        ::close(int(socketDescriptor));
        return;
    }
    // Responses are written whole; Nagle would only add delayed-ACK stalls to split writes.
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    socket->setReadBufferSize(kReadBufferLimit);

    auto owned = std::make_unique<Connection>();
    Connection *c = owned.get();
    c->socket = socket;
    c->tls = tls;
    c->since = Clock::now();
    m_connections.emplace(socket, std::move(owned));
    ++m_shared->accepted;
    ++m_shared->open;

    connect(socket, &QIODevice::readyRead, this, [this, c] { processInput(c); });
    connect(socket, &QAbstractSocket::disconnected, this, [this, c] { onDisconnected(c); });
    connect(socket, &QAbstractSocket::errorOccurred, this, [this, c] {
        if (c->socket->state() == QAbstractSocket::UnconnectedState)
            onDisconnected(c);
    });
    markIdle(c);
    if (tls)
        static_cast<QSslSocket *>(socket)->startServerEncryption();
}

void ServerWorker::markIdle(Connection *c)
{
    m_idle.remove(c);
    c->since = Clock::now();
    m_idle.pushBack(c);
    if (!m_idleTimer->isActive())
        armListTimer(m_idleTimer, m_idle, m_responses->config().idleTimeout);
}

void ServerWorker::processInput(Connection *c)
{
    if (c->finished)
        return;
    if (c->closing) {
        // Lingering close: discard whatever the client still sends.
        while (c->socket->read(m_readBuffer.data(), qint64(m_readBuffer.size())) > 0) { }
        return;
    }
    if (c->busy)
        return; // resumed by sendPending() once the pending response is out
    if (c->list == &m_idle && c->socket->bytesAvailable() > 0)
        markIdle(c); // activity: move to the back of the idle list

    while (!c->busy && !c->closing && !c->finished) {
        const char *data = nullptr;
        qsizetype size = 0;
        const bool fromStash = !c->stash.isEmpty();
        if (fromStash) {
            data = c->stash.constData();
            size = c->stash.size();
        } else {
            size = c->socket->read(m_readBuffer.data(), qint64(m_readBuffer.size()));
            if (size <= 0)
                break;
            data = m_readBuffer.data();
        }
        qsizetype pos = 0;
        while (pos < size && !c->busy && !c->closing && !c->finished) {
            const RequestParser::Result result = c->parser.feed(data + pos, size - pos);
            pos += result.consumed;
            switch (result.status) {
            case RequestParser::Status::NeedMore:
                break;
            case RequestParser::Status::ContinueExpected:
                c->socket->write(PreparedResponses::continueResponse());
                break;
            case RequestParser::Status::RequestComplete:
                onRequestComplete(c);
                break;
            case RequestParser::Status::Error:
                ++m_shared->errors;
                c->socket->write(PreparedResponses::errorResponse(c->parser.error()));
                closeByServer(c, false);
                break;
            }
        }
        const bool keepRest = pos < size && c->busy && !c->closing && !c->finished;
        if (fromStash) {
            // Copy out before assigning: `data` points into the stash.
            c->stash = keepRest ? QByteArray(data + pos, size - pos) : QByteArray();
        } else if (keepRest) {
            c->stash = QByteArray(data + pos, size - pos);
        }
        if (fromStash && !c->stash.isEmpty())
            break; // still paused behind a pending response
    }
}

void ServerWorker::onRequestComplete(Connection *c)
{
    refreshConfig();
    const ServerConfig &config = m_responses->config();
    const RequestParser::Request &request = c->parser.request();
    ++c->requestsServed;

    if (config.malformed) {
        ++m_shared->requests;
        c->socket->write(PreparedResponses::malformedResponse());
        closeByServer(c, false);
        return;
    }

    bool close = !request.keepAlive || config.http10 || c->closeAfterResponse
        || (config.maxRequestsPerConn > 0 && c->requestsServed >= config.maxRequestsPerConn);
    // Draw only when the knob is on, so enabling it does not shift the jitter sequence.
    if (!close && config.closeProbability > 0.0)
        close = m_random.generateDouble() < config.closeProbability;
    if (m_responses->ok(request.head, request.http10, close).closeDelimited)
        close = true;

    auto latency = std::max(config.latency, std::chrono::nanoseconds(0));
    if (config.jitter > std::chrono::nanoseconds(0)) {
        const double offset
            = (m_random.generateDouble() * 2.0 - 1.0) * double(config.jitter.count());
        latency = std::max(
            std::chrono::nanoseconds(0), latency + std::chrono::nanoseconds(qint64(offset)));
    }
    const auto headerDelay = std::max(config.headerDelay, std::chrono::nanoseconds(0));
    if (latency.count() == 0 && headerDelay.count() == 0) {
        writeResponse(c, *m_responses, m_responses->ok(request.head, request.http10, close), true,
            true, close);
        return;
    }

    const auto now = Clock::now();
    Pending &p = c->pending;
    p.responses = m_responses;
    p.headRequest = request.head;
    p.http10Client = request.http10;
    p.close = close;
    p.headSent = false;
    p.bodyAt = now + std::chrono::duration_cast<Clock::duration>(latency);
    p.headAt = headerDelay.count() > 0
        ? now + std::chrono::duration_cast<Clock::duration>(headerDelay)
        : p.bodyAt;
    if (p.bodyAt < p.headAt)
        p.bodyAt = p.headAt;
    c->busy = true;
    m_idle.remove(c);
    armConnectionTimer(c, p.headAt);
}

void ServerWorker::armConnectionTimer(Connection *c, Clock::time_point at)
{
    if (!c->timer) {
        c->timer = new QTimer(c->socket);
        c->timer->setSingleShot(true);
        c->timer->setTimerType(Qt::PreciseTimer);
        connect(c->timer, &QTimer::timeout, this, [this, c] { sendPending(c); });
    }
    c->timer->start(timerInterval(at - Clock::now()));
}

void ServerWorker::sendPending(Connection *c)
{
    if (c->finished || c->closing || !c->busy)
        return;
    Pending &p = c->pending;
    const auto now = Clock::now();
    if (!p.headSent) {
        if (now < p.headAt) {
            armConnectionTimer(c, p.headAt);
            return;
        }
        // The head is chosen now so a closeAll() during the delay still says "Connection: close".
        p.close = p.close || c->closeAfterResponse;
        const auto responses = p.responses;
        const PreparedResponse &response = responses->ok(p.headRequest, p.http10Client, p.close);
        if (now >= p.bodyAt) {
            writeResponse(c, *responses, response, true, true, p.close);
        } else {
            writeResponse(c, *responses, response, true, false, p.close);
            p.headSent = true;
            if (!c->closing)
                armConnectionTimer(c, p.bodyAt);
            return;
        }
    } else {
        if (now < p.bodyAt) {
            armConnectionTimer(c, p.bodyAt);
            return;
        }
        const auto responses = p.responses;
        writeResponse(c, *responses, responses->ok(p.headRequest, p.http10Client, p.close), false,
            true, p.close);
    }
    // Requests that were pipelined behind this response.
    if (!c->busy && !c->closing && !c->finished)
        processInput(c);
}

void ServerWorker::writeResponse(Connection *c, const PreparedResponses &responses,
    const PreparedResponse &response, bool sendHead, bool sendBody, bool close)
{
    const int dropAfter = responses.config().dropAfterBytes;
    if (sendHead) {
        c->responseBytesWritten = 0;
        ++m_shared->requests;
    }
    bool ok = true;
    if (sendHead && sendBody && !response.whole.isEmpty()) {
        ok = writeCounted(c, response.whole, dropAfter);
    } else {
        if (sendHead)
            ok = writeCounted(c, response.head, dropAfter);
        if (ok && sendBody)
            ok = writeCounted(c, response.body, dropAfter);
    }
    if (ok && sendBody)
        finishResponse(c, close);
}

bool ServerWorker::writeCounted(Connection *c, const QByteArray &bytes, int dropAfterBytes)
{
    if (dropAfterBytes > 0 && c->responseBytesWritten + bytes.size() > dropAfterBytes) {
        const qint64 allowed = dropAfterBytes - c->responseBytesWritten;
        if (allowed > 0)
            c->socket->write(bytes.constData(), allowed);
        c->responseBytesWritten = dropAfterBytes;
        closeByServer(c, false);
        return false;
    }
    if (!bytes.isEmpty())
        c->socket->write(bytes);
    c->responseBytesWritten += bytes.size();
    return true;
}

void ServerWorker::finishResponse(Connection *c, bool close)
{
    c->busy = false;
    c->pending.responses.reset();
    if (close || c->closeAfterResponse) {
        closeByServer(c, false);
        return;
    }
    markIdle(c);
}

void ServerWorker::closeByServer(Connection *c, bool idleTimeout)
{
    if (c->closing || c->finished)
        return;
    c->closing = true;
    c->busy = false;
    c->stash = QByteArray();
    ++m_shared->closedByServer;
    if (idleTimeout)
        ++m_shared->idleTimeouts;
    m_idle.remove(c);
    if (c->timer)
        c->timer->stop();
    if (c->tls) {
        // QSslSocket sends close_notify and closes once its buffers are flushed.
        c->socket->disconnectFromHost();
        return;
    }
    if (c->socket->bytesToWrite() > 0) {
        c->flushWatch = connect(c->socket, &QIODevice::bytesWritten, this, [this, c] {
            if (c->socket->bytesToWrite() == 0) {
                disconnect(c->flushWatch);
                halfClose(c);
            }
        });
        return;
    }
    halfClose(c);
}

void ServerWorker::halfClose(Connection *c)
{
    if (c->finished)
        return;
    if (::shutdown(int(c->socket->socketDescriptor()), SHUT_WR) != 0) {
        c->socket->abort(); // the peer is already gone
        return;
    }
    c->since = Clock::now();
    m_lingering.pushBack(c);
    if (!m_lingerTimer->isActive())
        armListTimer(m_lingerTimer, m_lingering, kLinger);
    // Input may already be buffered (e.g. pipelined requests): discard it, and notice EOF.
    processInput(c);
}

void ServerWorker::onDisconnected(Connection *c)
{
    if (c->finished)
        return;
    c->finished = true;
    if (!c->closing) {
        c->closing = true;
        ++m_shared->closedByClient;
    }
    --m_shared->open;
    m_idle.remove(c);
    m_lingering.remove(c);
    if (c->timer)
        c->timer->stop();
    disconnect(c->flushWatch);
    QTcpSocket *socket = c->socket;
    socket->disconnect(this);
    if (c->timer)
        c->timer->disconnect(this);
    socket->deleteLater();
    // Callers up the stack may still hold `c`: erase it on the next event loop turn.
    QMetaObject::invokeMethod(
        this, [this, socket] { m_connections.erase(socket); }, Qt::QueuedConnection);
}

void ServerWorker::armListTimer(
    QTimer *timer, const ConnectionList &list, std::chrono::nanoseconds timeout)
{
    if (!list.head || timeout.count() <= 0 || timer->isActive())
        return;
    // The front is the oldest entry; later ones expire no earlier. Entries that moved to the
    // back since only make the timer fire early, and the sweep re-arms it.
    const auto deadline = list.head->since + std::chrono::duration_cast<Clock::duration>(timeout);
    timer->start(timerInterval(deadline - Clock::now()));
}

void ServerWorker::onIdleTimer()
{
    refreshConfig();
    const auto timeout = m_responses->config().idleTimeout;
    if (timeout.count() <= 0)
        return;
    const auto now = Clock::now();
    const auto span = std::chrono::duration_cast<Clock::duration>(timeout);
    while (m_idle.head && m_idle.head->since + span <= now)
        closeByServer(m_idle.head, true);
    armListTimer(m_idleTimer, m_idle, timeout);
}

void ServerWorker::onLingerTimer()
{
    const auto now = Clock::now();
    while (m_lingering.head && m_lingering.head->since + kLinger <= now) {
        Connection *c = m_lingering.head;
        m_lingering.remove(c);
        c->socket->abort();
    }
    armListTimer(m_lingerTimer, m_lingering, kLinger);
}

} // namespace poolscope
