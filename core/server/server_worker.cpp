#include "server/server_worker.h"

#include "pool/clock.h"
#include "server/h2_server_session.h"
#include "server/tls_test_identity.h"

#include <QSocketNotifier>
#include <QSslSocket>
#include <QTimer>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace poolscope {

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
    // Out of descriptors (EMFILE, ENFILE) or another accept error: stop accepting and
    // try again shortly (clients closing frees descriptors); pending connections wait in
    // the kernel's backlog as they do with nginx.
    m_acceptRetry = new QTimer(this);
    m_acceptRetry->setSingleShot(true);
    m_acceptRetry->setInterval(std::chrono::milliseconds(100));
    connect(m_acceptRetry, &QTimer::timeout, this, [this] {
        if (m_acceptNotifier)
            m_acceptNotifier->setEnabled(true);
    });
}

ServerWorker::~ServerWorker() = default;

bool ServerWorker::listenOn(const QHostAddress &address, quint16 port, QString *error)
{
    refreshConfig();
    m_random.seed(m_responses->config().randomSeed);
    if (m_epollFd < 0) {
        m_epollFd = ::epoll_create1(EPOLL_CLOEXEC);
        if (m_epollFd < 0) {
            if (error)
                *error = QStringLiteral("cannot create an epoll instance: %1")
                             .arg(QString::fromLocal8Bit(std::strerror(errno)));
            return false;
        }
        m_epollNotifier = new QSocketNotifier(m_epollFd, QSocketNotifier::Read, this);
        connect(m_epollNotifier, &QSocketNotifier::activated, this, &ServerWorker::onEpollReady);
    }
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
    pauseAccepting(); // Qt's own notifier; ours below accepts instead
    delete m_acceptNotifier;
    m_acceptNotifier = new QSocketNotifier(socketDescriptor(), QSocketNotifier::Read, this);
    connect(m_acceptNotifier, &QSocketNotifier::activated, this, &ServerWorker::acceptPending);
    return true;
}

void ServerWorker::acceptPending()
{
    // A bounded batch keeps one busy listener from starving the connections.
    for (int i = 0; i < 256; ++i) {
        const int fd
            = ::accept4(int(socketDescriptor()), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0) {
            incomingConnection(fd);
            continue;
        }
        if (errno == EINTR || errno == ECONNABORTED)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return;
        if (!m_acceptErrorReported) {
            m_acceptErrorReported = true;
            qWarning("poolscope server: accept failed (%s); retrying every 100 ms",
                std::strerror(errno));
        }
        m_acceptNotifier->setEnabled(false);
        m_acceptRetry->start();
        return;
    }
}

void ServerWorker::shutdown()
{
    delete m_acceptNotifier;
    m_acceptNotifier = nullptr;
    m_acceptRetry->stop();
    close();
    m_idleTimer->stop();
    m_lingerTimer->stop();
    // Snapshot first: abortConnection() only marks entries, erasure is deferred.
    std::vector<Connection *> live;
    live.reserve(m_connections.size());
    for (auto &entry : m_connections) {
        if (!entry.second->finished)
            live.push_back(entry.first);
    }
    for (Connection *c : live) {
        if (!c->closing) {
            c->closing = true;
            ++m_shared->closedByServer;
        }
        abortConnection(c);
    }
    // The transports were handed to deleteLater(); QThread processes those deferred deletes
    // when it finishes, and anything left is a child of this worker.
    m_connections.clear();
    m_idle = {};
    m_lingering = {};
    if (m_epollNotifier) {
        m_epollNotifier->setEnabled(false);
        delete m_epollNotifier;
        m_epollNotifier = nullptr;
    }
    if (m_epollFd >= 0)
        ::close(m_epollFd);
    m_epollFd = -1;
}

void ServerWorker::closeAll()
{
    std::vector<Connection *> targets;
    targets.reserve(m_connections.size());
    for (auto &entry : m_connections) {
        if (!entry.second->finished && !entry.second->closing)
            targets.push_back(entry.first);
    }
    for (Connection *c : targets) {
        if (c->busy && !c->hostile)
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
    m_responses = std::make_shared<const PreparedResponses>(config, m_responses.get());
    if (idleChanged) {
        m_idleTimer->stop();
        armListTimer(m_idleTimer, m_idle, config.idleTimeout);
    }
}

void ServerWorker::incomingConnection(qintptr socketDescriptor)
{
    refreshConfig();
    const int fd = int(socketDescriptor);
    // Responses are written whole; Nagle would only add delayed-ACK stalls to split writes.
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    auto owned = std::make_unique<Connection>();

    if (m_responses->config().tls) {
        if (!m_sslTried) {
            m_sslTried = true;
            QString error;
            m_sslConfiguration = testTlsServerConfiguration(&error);
            if (m_sslConfiguration.isNull())
                qWarning("poolscope server: %s; refusing TLS connections", qPrintable(error));
        }
        if (m_sslConfiguration.isNull()) {
            ::close(fd);
            return;
        }
        auto *ssl = new QSslSocket(this);
        ssl->setSslConfiguration(tlsConfigurationFor(m_responses->config()));
        if (!ssl->setSocketDescriptor(fd)) {
            qWarning("poolscope server: cannot adopt accepted socket: %s",
                qPrintable(ssl->errorString()));
            delete ssl;
            ::close(fd);
            return;
        }
        ssl->setReadBufferSize(kReadBufferLimit);
        owned->ssl = ssl;
        Connection *c = addConnection(std::move(owned));
        connect(ssl, &QSslSocket::encrypted, this, [this, c] { onEncrypted(c); });
        connect(ssl, &QIODevice::readyRead, this, [this, c] { processInput(c); });
        connect(ssl, &QIODevice::bytesWritten, this, [this, c] {
            if (pendingOutput(c) == 0)
                onOutputDrained(c);
        });
        connect(ssl, &QAbstractSocket::disconnected, this, [this, c] { onGone(c); });
        connect(ssl, &QAbstractSocket::errorOccurred, this, [this, c] {
            if (c->ssl->state() == QAbstractSocket::UnconnectedState)
                onGone(c);
        });
        ssl->startServerEncryption();
        return;
    }

    const int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
        ::close(fd);
        return;
    }
    owned->fd = fd;
    epoll_event event = {};
    event.events = EPOLLIN;
    event.data.ptr = owned.get();
    if (::epoll_ctl(m_epollFd, EPOLL_CTL_ADD, fd, &event) != 0) {
        qWarning("poolscope server: epoll_ctl: %s", std::strerror(errno));
        ::close(fd);
        return;
    }
    owned->epollEvents = EPOLLIN;
    addConnection(std::move(owned));
}

ServerWorker::Connection *ServerWorker::addConnection(std::unique_ptr<Connection> connection)
{
    Connection *c = connection.get();
    m_connections.emplace(c, std::move(connection));
    ++m_shared->accepted;
    ++m_shared->open;
    markIdle(c);
    return c;
}

// ---- transport ------------------------------------------------------------------------------

qint64 ServerWorker::readSome(Connection *c, char *buffer, qint64 size)
{
    if (c->ssl) {
        const qint64 n = c->ssl->read(buffer, size);
        return n < 0 ? -1 : n;
    }
    for (;;) {
        const ssize_t n = ::recv(c->fd, buffer, size_t(size), 0);
        if (n > 0)
            return n;
        if (n == 0)
            return -1; // EOF
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return 0;
        return -1; // reset or another error: the peer is gone either way
    }
}

void ServerWorker::send(Connection *c, const char *data, qsizetype size)
{
    if (c->finished || size == 0)
        return;
    if (c->ssl) {
        c->ssl->write(data, size);
        return;
    }
    if (c->output.isEmpty()) {
        for (;;) {
            const ssize_t n = ::send(c->fd, data, size_t(size), MSG_NOSIGNAL);
            if (n >= 0) {
                data += n;
                size -= n;
                break;
            }
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                break;
            // EPIPE/ECONNRESET: the client is gone; what it did not read is lost anyway.
            abortConnection(c);
            return;
        }
        if (size == 0)
            return;
    }
    c->output.append(data, size);
    updateEpoll(c);
}

void ServerWorker::send(Connection *c, const QByteArray &bytes)
{
    if (c->ssl && !c->finished)
        c->ssl->write(bytes); // shares the prepared bytes instead of copying them
    else
        send(c, bytes.constData(), bytes.size());
}

qint64 ServerWorker::pendingOutput(const Connection *c) const
{
    if (c->ssl)
        return c->ssl->bytesToWrite() + c->ssl->encryptedBytesToWrite();
    return c->output.size();
}

void ServerWorker::setReading(Connection *c, bool enabled)
{
    // Level-triggered readiness would fire in a loop while we leave input unread.
    if (c->reading == enabled)
        return;
    c->reading = enabled;
    updateEpoll(c);
}

void ServerWorker::updateEpoll(Connection *c)
{
    if (c->fd < 0)
        return;
    const quint32 wanted
        = (c->reading ? quint32(EPOLLIN) : 0u) | (c->output.isEmpty() ? 0u : quint32(EPOLLOUT));
    if (wanted == c->epollEvents)
        return;
    epoll_event event = {};
    event.events = wanted;
    event.data.ptr = c;
    if (::epoll_ctl(m_epollFd, EPOLL_CTL_MOD, c->fd, &event) == 0)
        c->epollEvents = wanted;
}

void ServerWorker::onEpollReady()
{
    // Level-triggered: whatever is left for the next batch keeps the descriptor readable.
    std::array<epoll_event, 256> events;
    const int count = ::epoll_wait(m_epollFd, events.data(), int(events.size()), 0);
    for (int i = 0; i < count; ++i) {
        auto *c = static_cast<Connection *>(events[size_t(i)].data.ptr);
        const quint32 ready = events[size_t(i)].events;
        // Connections finished earlier in this batch are still allocated (erasure is
        // deferred), so the pointer is safe to test.
        if (c->finished)
            continue;
        if (ready & EPOLLOUT)
            onWritable(c);
        if (c->finished)
            continue;
        if (ready & (EPOLLERR | EPOLLHUP)) {
            // Reset, or both directions shut: read what is left if we may, then it is gone.
            if (!c->busy)
                processInput(c);
            if (!c->finished)
                onGone(c);
        } else if (ready & EPOLLIN) {
            processInput(c);
        }
    }
}

void ServerWorker::onWritable(Connection *c)
{
    if (c->finished)
        return;
    while (!c->output.isEmpty()) {
        const ssize_t n
            = ::send(c->fd, c->output.constData(), size_t(c->output.size()), MSG_NOSIGNAL);
        if (n > 0) {
            c->output.remove(0, n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        abortConnection(c);
        return;
    }
    c->output = QByteArray(); // release the capacity: idle connections hold no buffer
    updateEpoll(c);
    onOutputDrained(c);
}

void ServerWorker::onOutputDrained(Connection *c)
{
    if (c->finished)
        return;
    if (c->halfClosePending) {
        c->halfClosePending = false;
        halfClose(c);
        return;
    }
    if (c->h2) {
        c->h2->onOutputDrained();
        processH2Input(c); // reading may have stopped at the high-water mark
        return;
    }
    // Parsing may have stopped at the high-water mark.
    if (!c->busy && !c->closing)
        processInput(c);
}

void ServerWorker::halfClose(Connection *c)
{
    if (c->finished)
        return;
    if (c->ssl) {
        // QSslSocket sends close_notify and closes once its buffers are flushed.
        c->ssl->disconnectFromHost();
        return;
    }
    if (::shutdown(c->fd, SHUT_WR) != 0) {
        abortConnection(c); // the peer is already gone
        return;
    }
    c->since = Clock::now();
    m_lingering.pushBack(c);
    if (!m_lingerTimer->isActive())
        armListTimer(m_lingerTimer, m_lingering, kLinger);
    setReading(c, true);
    // Input may already be waiting (e.g. pipelined requests): discard it, and notice EOF.
    processInput(c);
}

void ServerWorker::abortConnection(Connection *c)
{
    if (c->finished)
        return;
    if (c->ssl)
        c->ssl->abort(); // emits disconnected() -> onGone()
    onGone(c);
}

void ServerWorker::releaseTransport(Connection *c)
{
    if (c->ssl) {
        c->ssl->disconnect(this);
        c->ssl->deleteLater();
        c->ssl = nullptr;
        return;
    }
    // Leave the epoll set before the descriptor is closed and its number reused.
    if (c->fd >= 0)
        ::epoll_ctl(m_epollFd, EPOLL_CTL_DEL, c->fd, nullptr);
    if (c->fd >= 0)
        ::close(c->fd);
    c->fd = -1;
    c->output = QByteArray();
}

// ---- HTTP -----------------------------------------------------------------------------------

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
    if (c->closing || c->hostile) {
        discardLingeringInput(c);
        return;
    }
    if (c->h2) {
        processH2Input(c);
        return;
    }
    if (c->busy) {
        setReading(c, false); // resumed by sendPending() once the pending response is out
        return;
    }
    bool touched = false;

    while (!c->busy && !c->closing && !c->finished) {
        if (pendingOutput(c) > kOutputHighWater) {
            setReading(c, false); // resumed by onOutputDrained()
            return;
        }
        // Reading may have been paused above, behind a big response: ask for input
        // again before reading, or a request that arrives later is never seen.
        setReading(c, true);
        const char *data = nullptr;
        qsizetype size = 0;
        const bool fromStash = !c->stash.isEmpty();
        if (fromStash) {
            data = c->stash.constData();
            size = c->stash.size();
        } else {
            size = readSome(c, m_readBuffer.data(), qint64(m_readBuffer.size()));
            if (size < 0) {
                onGone(c);
                return;
            }
            if (size == 0)
                break;
            data = m_readBuffer.data();
            if (!touched && c->list == &m_idle) {
                touched = true;
                markIdle(c); // activity: move to the back of the idle list
            }
            if (maybeStartH2c(c, data, size))
                return;
        }
        const qsizetype pos = parseRequests(c, data, size);
        const bool keepRest = pos < size && c->busy && !c->closing && !c->finished;
        if (fromStash) {
            // Copy out before assigning: `data` points into the stash.
            c->stash = keepRest ? QByteArray(data + pos, size - pos) : QByteArray();
        } else if (keepRest) {
            c->stash = QByteArray(data + pos, size - pos);
        }
        if (fromStash && !c->stash.isEmpty())
            break; // still paused behind a pending response
        if (!fromStash && size < qsizetype(m_readBuffer.size()))
            break; // drained what was there; the notifier tells us about more
    }
    // (A hostile response keeps reading: the client's close is how a hanging one ends.)
    if (c->busy && !c->closing && !c->finished && !c->hostile)
        setReading(c, false);
}

void ServerWorker::discardLingeringInput(Connection *c)
{
    // Lingering close: discard whatever the client still sends, until its EOF.
    qint64 n = 0;
    while ((n = readSome(c, m_readBuffer.data(), qint64(m_readBuffer.size()))) > 0) { }
    if (n < 0)
        onGone(c);
}

qsizetype ServerWorker::parseRequests(Connection *c, const char *data, qsizetype size)
{
    qsizetype pos = 0;
    while (pos < size && !c->busy && !c->closing && !c->finished) {
        const RequestParser::Result result = c->parser.feed(data + pos, size - pos);
        pos += result.consumed;
        switch (result.status) {
        case RequestParser::Status::NeedMore:
            break;
        case RequestParser::Status::ContinueExpected:
            send(c, PreparedResponses::continueResponse());
            break;
        case RequestParser::Status::RequestComplete:
            onRequestComplete(c);
            break;
        case RequestParser::Status::Error:
            ++m_shared->errors;
            send(c, PreparedResponses::errorResponse(c->parser.error()));
            closeByServer(c, false);
            break;
        }
    }
    return pos;
}

void ServerWorker::onRequestComplete(Connection *c)
{
    refreshConfig();
    const ServerConfig &config = m_responses->config();
    const RequestParser::Request &request = c->parser.request();
    ++c->requestsServed;

    if (config.malformed) {
        ++m_shared->requests;
        send(c, PreparedResponses::malformedResponse());
        closeByServer(c, false);
        return;
    }
    if (config.hostile != HostileMode::None) {
        startHostile(c, config.hostile);
        return;
    }

    bool close = !request.keepAlive || config.http10 || c->closeAfterResponse
        || (config.maxRequestsPerConn > 0 && c->requestsServed >= config.maxRequestsPerConn);
    // Draw only when the knob is on, so enabling it does not shift the jitter sequence.
    if (!close && config.closeProbability > 0.0)
        close = m_random.generateDouble() < config.closeProbability;
    // ServerConfig::redirects: the hop this request is redirected to, 0 = the normal answer.
    const int hop = config.redirects > 0 && request.redirectHop < config.redirects
        ? request.redirectHop + 1
        : 0;
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
        writeResponse(c, *m_responses,
            m_responses->response(request.head, request.http10, close, hop), true, true, close);
        return;
    }

    const auto now = Clock::now();
    Pending &p = c->pending;
    p.responses = m_responses;
    p.headRequest = request.head;
    p.http10Client = request.http10;
    p.close = close;
    p.redirectTo = hop;
    p.headSent = false;
    p.bodyAt = saturatingAdd(now, std::chrono::duration_cast<Clock::duration>(latency));
    p.headAt = headerDelay.count() > 0
        ? saturatingAdd(now, std::chrono::duration_cast<Clock::duration>(headerDelay))
        : p.bodyAt;
    if (p.bodyAt < p.headAt)
        p.bodyAt = p.headAt;
    c->busy = true;
    m_idle.remove(c);
    armConnectionTimer(c, p.headAt);
}

void ServerWorker::armConnectionTimer(Connection *c, Clock::time_point at)
{
    if (!m_wake) {
        m_wake = new WakeQueue(
            m_monotonic,
            [this](int slot) {
                Connection *waiting = m_wakeSlots[static_cast<std::size_t>(slot)];
                if (waiting)
                    sendPending(waiting);
            },
            this);
        m_wake->setModel(TimerModel::Precise);
    }
    if (c->wakeSlot < 0) {
        if (m_freeWakeSlots.empty()) {
            c->wakeSlot = static_cast<int>(m_wakeSlots.size());
            m_wakeSlots.push_back(c);
        } else {
            c->wakeSlot = m_freeWakeSlots.back();
            m_freeWakeSlots.pop_back();
            m_wakeSlots[static_cast<std::size_t>(c->wakeSlot)] = c;
        }
    }
    m_wake->schedule(c->wakeSlot, TimePoint(at.time_since_epoch()));
}

void ServerWorker::cancelConnectionTimer(Connection *c)
{
    if (m_wake && c->wakeSlot >= 0)
        m_wake->cancel(c->wakeSlot);
}

void ServerWorker::sendPending(Connection *c)
{
    if (c->h2) {
        if (!c->finished)
            c->h2->onWake();
        return;
    }
    if (c->finished || c->closing || !c->busy)
        return;
    if (c->hostile) {
        runHostile(c);
        return;
    }
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
        const PreparedResponse response
            = responses->response(p.headRequest, p.http10Client, p.close, p.redirectTo);
        if (now >= p.bodyAt) {
            writeResponse(c, *responses, response, true, true, p.close);
        } else {
            writeResponse(c, *responses, response, true, false, p.close);
            p.headSent = true;
            if (!c->closing && !c->finished)
                armConnectionTimer(c, p.bodyAt);
            return;
        }
    } else {
        if (now < p.bodyAt) {
            armConnectionTimer(c, p.bodyAt);
            return;
        }
        const auto responses = p.responses;
        writeResponse(c, *responses,
            responses->response(p.headRequest, p.http10Client, p.close, p.redirectTo), false, true,
            p.close);
    }
    // Requests that were pipelined behind this response.
    if (!c->busy && !c->closing && !c->finished) {
        setReading(c, true);
        processInput(c);
    }
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
            send(c, bytes.constData(), allowed);
        c->responseBytesWritten = dropAfterBytes;
        closeByServer(c, false);
        return false;
    }
    send(c, bytes);
    c->responseBytesWritten += bytes.size();
    return !c->finished;
}

void ServerWorker::finishResponse(Connection *c, bool close)
{
    c->busy = false;
    c->pending.responses.reset();
    if (c->finished)
        return;
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
    if (c->h2 && c->h2->drain()) {
        m_idle.remove(c);
        return; // GOAWAY sent: the session finishes its streams, then we get here again
    }
    c->closing = true;
    c->busy = false;
    c->hostile.reset();
    c->stash = QByteArray();
    ++m_shared->closedByServer;
    if (idleTimeout)
        ++m_shared->idleTimeouts;
    m_idle.remove(c);
    cancelConnectionTimer(c);
    // An h2 session's last frames may still sit in QSslSocket's buffer (it encrypts on its
    // next event-loop turn); disconnecting now loses them.
    if ((!c->ssl || c->h2) && pendingOutput(c) > 0) {
        c->halfClosePending = true; // FIN after the last byte: onOutputDrained()
        setReading(c, true); // keep discarding input meanwhile
        return;
    }
    halfClose(c);
}

void ServerWorker::onGone(Connection *c)
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
    if (c->wakeSlot >= 0) {
        cancelConnectionTimer(c);
        m_wakeSlots[static_cast<std::size_t>(c->wakeSlot)] = nullptr;
        m_freeWakeSlots.push_back(c->wakeSlot);
        c->wakeSlot = -1;
    }
    releaseTransport(c);
    // Callers up the stack may still hold `c`: erase it on the next event loop turn.
    QMetaObject::invokeMethod(
        this, [this, c] { m_connections.erase(c); }, Qt::QueuedConnection);
}

void ServerWorker::armListTimer(
    QTimer *timer, const ConnectionList &list, std::chrono::nanoseconds timeout)
{
    if (!list.head || timeout.count() <= 0 || timer->isActive())
        return;
    // The front is the oldest entry; later ones expire no earlier. Entries that moved to the
    // back since only make the timer fire early, and the sweep re-arms it.
    const auto deadline
        = saturatingAdd(list.head->since, std::chrono::duration_cast<Clock::duration>(timeout));
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
    while (m_idle.head && saturatingAdd(m_idle.head->since, span) <= now)
        closeByServer(m_idle.head, true);
    armListTimer(m_idleTimer, m_idle, timeout);
}

void ServerWorker::onLingerTimer()
{
    const auto now = Clock::now();
    while (m_lingering.head && m_lingering.head->since + kLinger <= now) {
        Connection *c = m_lingering.head;
        m_lingering.remove(c);
        abortConnection(c);
    }
    armListTimer(m_lingerTimer, m_lingering, kLinger);
}

} // namespace poolscope
