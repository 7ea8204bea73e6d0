#include "connection.h"

#include "pool/clock.h"
#include "socket_error_text.h"
#include "socket_options.h"
#include "tls_client.h"

#include <QSslConfiguration>
#include <QSslSocket>
#include <QTcpSocket>
#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace poolscope {

namespace {

// One read buffer per engine thread: responses are parsed straight out of it.
thread_local char t_readBuffer[64 * 1024];

// "127.0.0.1:8080" or "[::1]:8080", as Go's net.JoinHostPort.
QString hostPort(const QHostAddress &a, quint16 port)
{
    return (a.protocol() == QAbstractSocket::IPv6Protocol ? QStringLiteral("[%1]:%2")
                                                          : QStringLiteral("%1:%2"))
        .arg(a.toString())
        .arg(port);
}

QString socketErrorText(QAbstractSocket *s)
{
    return s->errorString();
}

bool looksLikeTimeout(QAbstractSocket *s)
{
    return s->error() == QAbstractSocket::SocketTimeoutError
        || s->errorString().contains(QLatin1String("timed out"), Qt::CaseInsensitive);
}

// Go's is408Message: a "408 Request Timeout" on an idle connection is the server saying it
// closed it (readLoopPeekFailLocked treats it as errServerClosedIdle).
bool is408Message(const char *buf, qsizetype len)
{
    return len >= 12 && std::memcmp(buf, "HTTP/1.", 7) == 0 && std::memcmp(buf + 8, " 408", 4) == 0;
}

} // namespace

Connection::Connection(ConnId id, ConnectionOwner &owner, const DialSpec &spec)
    : m_id(id), m_owner(owner), m_spec(spec)
{
}

Connection::~Connection()
{
    close();
}

qintptr Connection::socketDescriptor() const
{
    if (!m_spec.tls) {
        return m_fd;
    }
    return m_socket ? m_socket->socketDescriptor() : -1;
}

void Connection::dial()
{
    if (m_reactor == nullptr) {
        m_reactor = FdReactor::acquire();
    }
    if (!m_spec.tls) {
        dialPlain();
        return;
    }
    auto *ssl = new QSslSocket;
    ssl->setSslConfiguration(goClientTlsConfiguration());
    if (m_spec.insecureSkipVerify) {
        ssl->setPeerVerifyMode(QSslSocket::VerifyNone);
    }
    if (m_spec.offerH2) {
        QSslConfiguration tls = ssl->sslConfiguration();
        tls.setAllowedNextProtocols({ QByteArrayLiteral("h2"), QByteArrayLiteral("http/1.1") });
        ssl->setSslConfiguration(tls);
    }
    QObject::connect(ssl, &QSslSocket::encrypted, ssl, [this] { onEncrypted(); });
    QObject::connect(ssl, &QSslSocket::sslErrors, ssl, [this, ssl](const QList<QSslError> &errors) {
        if (m_spec.insecureSkipVerify) {
            ssl->ignoreSslErrors(errors);
        } else {
            m_tlsError = goCertificateErrorText(errors, m_spec.tlsServerName);
        }
    });
    m_socket = ssl;
    QObject::connect(m_socket, &QAbstractSocket::connected, m_socket, [this] { onConnected(); });
    QObject::connect(m_socket, &QIODevice::readyRead, m_socket, [this] { onReadyRead(); });
    QObject::connect(
        m_socket, &QAbstractSocket::disconnected, m_socket, [this] { onDisconnected(); });
    QObject::connect(
        m_socket, &QAbstractSocket::errorOccurred, m_socket, [this] { onSocketError(); });
    m_phase = Phase::Dialing;
    armTimer(m_spec.dialTimeout);
    errno = 0; // a connect() that fails at once is the cause socketFailed() reports
    m_socket->connectToHost(m_spec.address, m_spec.port, QIODevice::ReadWrite);
}

void Connection::onConnected()
{
    if (m_phase != Phase::Dialing) {
        return;
    }
    m_localPort = m_socket->localPort();
    // Go's Dialer ignores an option the kernel refuses (net/dial.go), and so do we.
    [[maybe_unused]] const QString refused
        = applyDialSocketOptions(m_socket->socketDescriptor(), m_spec.keepAlive);
    if (m_spec.tls) {
        stopTimer();
        m_phase = Phase::Handshaking;
        armTimer(m_spec.tlsHandshakeTimeout);
        static_cast<QSslSocket *>(m_socket)->startClientEncryption();
        return;
    }
    ready();
}

void Connection::onEncrypted()
{
    if (m_phase == Phase::Handshaking) {
        m_negotiatedH2 = m_spec.offerH2
            && static_cast<QSslSocket *>(m_socket)->sslConfiguration().nextNegotiatedProtocol()
                == "h2";
        ready();
    }
}

QSslSocket *Connection::takeTlsSocket()
{
    if (!m_spec.tls || m_socket == nullptr) {
        return nullptr;
    }
    auto *s = static_cast<QSslSocket *>(m_socket);
    m_socket = nullptr;
    m_phase = Phase::Closed;
    stopTimer();
    if (m_reactor != nullptr) {
        m_reactor->release();
        m_reactor = nullptr;
    }
    QObject::disconnect(s, nullptr, nullptr, nullptr);
    return s;
}

void Connection::ready()
{
    stopTimer();
    m_phase = Phase::Idle;
    m_owner.onConnectionReady(*this);
}

void Connection::sendRequest(const RequestTemplate &request, Duration responseHeaderTimeout,
    Duration expectContinueTimeout, qint64 maxResponseHeaderBytes)
{
    if ((m_spec.tls ? m_socket == nullptr : m_fd < 0) || m_phase == Phase::Closed) {
        return;
    }
    m_headRequest = request.headRequest();
    m_firstByte = false;
    m_bodyWithheld = false;
    m_pendingBody.clear();
    m_requestBytesAccepted = 0;
    if (m_peer != PeerState::Open) {
        // The server went away after the last response, before this request: none of it
        // is written. Go: an EOF there is errServerClosedIdle itself, a reset or stray
        // bytes close the connection with readLoopPeekFailLocked (nothingWrittenError).
        const bool eof = m_peer == PeerState::Closed;
        fail(eof ? CloseReason::ServerClosedIdle : CloseReason::ReadError,
            eof ? QStringLiteral("http: server closed idle connection") : m_peerError);
        return;
    }
    m_responseHeaderTimeout = responseHeaderTimeout;
    m_parser.setMaxHeaderBytes(maxResponseHeaderBytes);
    m_parser.begin(m_headRequest, request.requestedGzip());
    m_phase = Phase::AwaitingHeaders;
    // "Expect: 100-continue": send the headers, hold the body until the server says
    // 100 Continue or ExpectContinueTimeout passes (Go's persistConn.writeLoop).
    const bool holdBody
        = request.expectContinue() && request.hasBody() && expectContinueTimeout > Duration::zero();
    if (holdBody) {
        m_pendingBody = QByteArray(request.body().data(), request.body().size());
        armTimer(expectContinueTimeout);
        writeOrFail(request.headers());
        return;
    }
    armTimer(responseHeaderTimeout);
    writeOrFail(request.bytes());
}

bool Connection::writeOrFail(QByteArrayView bytes)
{
    if (!m_spec.tls) {
        return writePlain(bytes);
    }
    if (m_socket->write(bytes.data(), bytes.size()) == bytes.size()) {
        m_requestBytesAccepted += bytes.size();
        return true;
    }
    fail(CloseReason::WriteError, QStringLiteral("write: %1").arg(socketErrorText(m_socket)));
    return false;
}

void Connection::fail(CloseReason reason, const QString &message)
{
    ConnectionFailure f;
    f.reason = reason;
    f.message = message;
    f.nothingWritten = nothingWritten();
    m_phase = Phase::Closed;
    stopTimer();
    m_owner.onConnectionFailed(*this, f);
}

bool Connection::nothingWritten() const
{
    if (m_requestBytesAccepted == 0) {
        return true;
    }
    if (!m_spec.tls) {
        return false; // m_requestBytesAccepted counts what the kernel took
    }
    if (m_socket == nullptr) {
        return false;
    }
    // What Qt still buffers never reached the kernel. With TLS, ciphertext waiting in the
    // plain socket may hold some of the request: count that as written.
    if (m_spec.tls && static_cast<QSslSocket *>(m_socket)->encryptedBytesToWrite() > 0) {
        return false;
    }
    return m_socket->bytesToWrite() >= m_requestBytesAccepted;
}

void Connection::sendPendingBody()
{
    const QByteArray body = std::move(m_pendingBody);
    m_pendingBody.clear();
    armTimer(m_responseHeaderTimeout); // ResponseHeaderTimeout starts once the body is written
    writeOrFail(body);
}

void Connection::setIdle()
{
    stopTimer();
    m_phase = Phase::Idle;
}

PeerState Connection::peekPeer()
{
    if (m_peer != PeerState::Open) {
        return m_peer;
    }
    const bool open = m_spec.tls
        ? m_socket != nullptr && m_socket->state() == QAbstractSocket::ConnectedState
        : m_fd >= 0;
    if (!open) {
        m_peer = PeerState::Closed;
        return m_peer;
    }
    if (m_spec.tls && m_socket->bytesAvailable() > 0) {
        m_peer = PeerState::Broken; // decrypted bytes nobody asked for
        m_peerError = QStringLiteral("readLoopPeekFailLocked: unsolicited response");
        return m_peer;
    }
    char buf[12];
    const auto n
        = ::recv(static_cast<int>(socketDescriptor()), buf, sizeof buf, MSG_PEEK | MSG_DONTWAIT);
    if (n < 0) {
        const int err = errno;
        if (err == EAGAIN || err == EWOULDBLOCK || err == EINTR) {
            return m_peer; // Go's readLoop parks here: the usual case
        }
        m_peer = PeerState::Broken;
        m_peerError = QStringLiteral("readLoopPeekFailLocked: read: %1")
                          .arg(QString::fromLocal8Bit(std::strerror(err)).toLower());
    } else if (n == 0) {
        m_peer = PeerState::Closed;
    } else if (!m_spec.tls) { // TLS records (session tickets, alerts) are Qt's to read
        const bool timeout408 = is408Message(buf, n);
        m_peer = timeout408 ? PeerState::Closed : PeerState::Broken;
        m_peerError = QStringLiteral("readLoopPeekFailLocked: unsolicited response");
    }
    return m_peer;
}

void Connection::drainSilently()
{
    stopTimer();
    m_phase = Phase::Draining;
}

void Connection::onReadyRead()
{
    if (!m_spec.tls) {
        readPlain(false);
        return;
    }
    while (m_socket && m_phase != Phase::Closed) {
        errno = 0; // a read that ends at EOF leaves errno alone
        const qint64 n = m_socket->read(t_readBuffer, sizeof t_readBuffer);
        if (n < 0) {
            // An unbuffered socket reports EOF and errors here, without a signal.
            socketFailed(false, errno);
            return;
        }
        if (n == 0) {
            return;
        }
        m_bytesRead += n;
        handleBytes(t_readBuffer, static_cast<qsizetype>(n));
        if (n < static_cast<qint64>(sizeof t_readBuffer)) {
            // Short read: the kernel buffer is drained. Asking again would cost a read()
            // that finds nothing; the level-triggered notifier calls us when more comes.
            return;
        }
    }
}

void Connection::handleBytes(const char *data, qsizetype len)
{
    switch (m_phase) {
    case Phase::Idle:
        // Go: "Unsolicited response received on idle HTTP channel" -> the conn is dropped.
        m_phase = Phase::Closed;
        m_owner.onIdleConnectionLost(*this, CloseReason::ServerClosedIdle);
        return;
    case Phase::Draining:
        return; // leaked body: bytes are read and thrown away, nobody is told
    case Phase::AwaitingHeaders:
    case Phase::ReadingBody: {
        if (!m_firstByte) {
            m_firstByte = true;
            m_owner.onFirstResponseByte(*this);
            if (m_phase == Phase::Closed) {
                return;
            }
        }
        const auto r = m_parser.feed(data, len);
        if (!m_pendingBody.isEmpty()) {
            if (m_parser.got100Continue() && !m_parser.headersComplete()) {
                sendPendingBody();
                if (m_phase == Phase::Closed) {
                    return;
                }
            } else if (m_parser.headersComplete()) {
                // A final answer before 100 Continue: the body is never sent, and the
                // connection cannot carry another request (Go closes it).
                m_pendingBody.clear();
                m_bodyWithheld = true;
            }
        }
        if (m_phase == Phase::AwaitingHeaders && m_parser.headersComplete()) {
            stopTimer();
            m_phase = Phase::ReadingBody;
            m_owner.onResponseHeaders(*this);
            if (m_phase != Phase::ReadingBody) {
                return; // the owner closed it (body closed early) or leaked it
            }
        }
        if (r.result == ResponseParser::Result::NeedMore && m_phase == Phase::ReadingBody
            && m_parser.bodyBytes() > 0) {
            m_owner.onResponseBodyBytes(*this);
            if (m_phase != Phase::ReadingBody) {
                return; // the owner closed it (read limit)
            }
        }
        if (r.result == ResponseParser::Result::Error) {
            // Before the headers it is RoundTrip's error, which Go's mapRoundTripError words
            // so on a connection its readLoop closed; after them, resp.Body.Read's, bare.
            const QString prefix = m_parser.headersComplete()
                ? QString()
                : QStringLiteral("net/http: HTTP/1.x transport connection broken: ");
            fail(CloseReason::ProtocolError, prefix + m_parser.errorMessage());
            return;
        }
        if (r.result == ResponseParser::Result::Complete) {
            // Bytes after a complete response on a connection with one request in flight:
            // Go's readLoop would see them as garbage before the next response.
            // (Bytes arriving later are caught by the Idle phase as unsolicited.)
            const bool stray = r.consumed < len;
            m_strayBytes = stray;
            m_phase = Phase::Idle;
            m_owner.onResponseComplete(*this, m_parser.keepAlive() && !stray && !m_bodyWithheld);
        }
        return;
    }
    case Phase::Dialing:
    case Phase::Handshaking:
    case Phase::Writing:
    case Phase::Closed:
        return;
    }
}

void Connection::handleEof(CloseReason reason, const QString &message)
{
    switch (m_phase) {
    case Phase::Dialing:
    case Phase::Handshaking: {
        const bool timeout = m_socket != nullptr && looksLikeTimeout(m_socket);
        m_phase = Phase::Closed;
        stopTimer();
        m_owner.onConnectionDialFailed(*this,
            m_spec.tls && reason == CloseReason::TlsError
                ? CloseReason::TlsError
                : (timeout ? CloseReason::DialTimeout : CloseReason::DialFailed),
            message);
        return;
    }
    case Phase::Idle:
        m_phase = Phase::Closed;
        m_owner.onIdleConnectionLost(*this,
            reason == CloseReason::KeepAliveTimeout ? reason : CloseReason::ServerClosedIdle);
        return;
    case Phase::Draining:
        fail(reason, message);
        return;
    case Phase::AwaitingHeaders:
    case Phase::ReadingBody:
    case Phase::Writing:
        if (m_parser.firstByteSeen() && m_parser.feedEof() == ResponseParser::Result::Complete) {
            // Body delimited by EOF (HTTP/1.0): complete, not reusable.
            m_phase = Phase::Closed;
            stopTimer();
            m_owner.onResponseComplete(*this, false);
            return;
        }
        if (m_parser.firstByteSeen() && message == u"EOF") {
            // A clean EOF inside the response: Go's io.ErrUnexpectedEOF, from RoundTrip
            // (worded by mapRoundTripError) before the headers, from Body.Read after them.
            fail(reason,
                (m_parser.headersComplete()
                        ? QString()
                        : QStringLiteral("net/http: HTTP/1.x transport connection broken: "))
                    + m_parser.errorMessage());
            return;
        }
        fail(reason, message);
        return;
    case Phase::Closed:
        return;
    }
}

void Connection::onDisconnected()
{
    if (m_phase == Phase::Closed || m_socket == nullptr) {
        return;
    }
    // Data that arrived together with the FIN is still in the socket's buffer.
    onReadyRead();
    if (m_phase == Phase::Closed) {
        return;
    }
    handleEof(CloseReason::ReadError, QStringLiteral("EOF"));
}

void Connection::onSocketError()
{
    if (m_phase == Phase::Closed || m_socket == nullptr) {
        return;
    }
    socketFailed(true, errno); // Qt emits right after the failing call: errno is its cause
}

void Connection::socketFailed(bool drainFirst, int sysErrno)
{
    const auto err = m_socket->error();
    CloseReason reason = CloseReason::ReadError;
    if (err != QAbstractSocket::RemoteHostClosedError
        && err != QAbstractSocket::UnknownSocketError) {
        if (m_phase == Phase::Handshaking || err == QAbstractSocket::SslHandshakeFailedError) {
            reason = CloseReason::TlsError;
        } else if (looksLikeTimeout(m_socket)) {
            reason = CloseReason::KeepAliveTimeout;
        }
    }
    // The cause in Go's words (issue 16 #8: port exhaustion read "dial tcp ...: EOF").
    QString msg
        = goSocketErrorText(err, sysErrno, socketErrorText(m_socket), m_phase == Phase::Dialing);
    if (m_phase == Phase::Handshaking && !m_tlsError.isEmpty()) {
        msg = m_tlsError; // the certificate's verdict, as crypto/x509 words it
    } else if (m_phase != Phase::Dialing && msg.startsWith(QLatin1String("read: "))) {
        // Go's net.OpError: "read tcp 127.0.0.1:5000->127.0.0.1:8080: read: ...".
        msg = QStringLiteral("read tcp %1->%2: %3")
                  .arg(hostPort(m_socket->localAddress(), m_socket->localPort()),
                      hostPort(m_spec.address, m_spec.port), msg);
    }
    if (m_phase == Phase::Dialing) {
        // Say what usually runs out, so "Out of resources" is actionable.
        if (err == QAbstractSocket::SocketResourceError) {
            msg += QStringLiteral(" (too many open files? see ulimit -n)");
        } else if (msg.endsWith(QLatin1String("cannot assign requested address"))) {
            msg += QStringLiteral(
                " (ephemeral ports exhausted? see net.ipv4.ip_local_port_range and TIME_WAIT)");
        }
        msg = QStringLiteral("dial tcp %1:%2: %3")
                  .arg(m_spec.address.toString())
                  .arg(m_spec.port)
                  .arg(msg);
    }
    if (drainFirst && m_phase != Phase::Dialing) {
        // Data that arrived with the FIN or the error is still to be read (a dial has none:
        // its read would fail again and report "EOF" instead of the cause).
        onReadyRead();
        if (m_phase == Phase::Closed) {
            return;
        }
    }
    handleEof(reason, msg);
}

void Connection::armTimer(Duration d)
{
    if (d <= Duration::zero() || m_reactor == nullptr) {
        stopTimer();
        return;
    }
    const auto now = std::chrono::steady_clock::now();
    const auto room = FdReactor::TimePoint::max() - now; // "forever" must not wrap
    m_reactor->arm(m_deadline,
        d >= room ? FdReactor::TimePoint::max()
                  : now + std::chrono::duration_cast<FdReactor::TimePoint::duration>(d));
}

void Connection::stopTimer()
{
    if (m_reactor != nullptr) {
        m_reactor->disarm(m_deadline);
    }
}

void Connection::onDeadline()
{
    if (m_dialErrno != 0 && m_phase == Phase::Dialing) {
        reportDialFailure();
        return;
    }
    onTimer();
}

void Connection::onTimer()
{
    switch (m_phase) {
    case Phase::Dialing:
        m_phase = Phase::Closed;
        m_owner.onConnectionDialFailed(*this, CloseReason::DialTimeout,
            QStringLiteral("dial tcp %1:%2: i/o timeout")
                .arg(m_spec.address.toString())
                .arg(m_spec.port));
        return;
    case Phase::Handshaking:
        m_phase = Phase::Closed;
        m_owner.onConnectionDialFailed(*this, CloseReason::TlsHandshakeTimeout,
            QStringLiteral("net/http: TLS handshake timeout"));
        return;
    case Phase::AwaitingHeaders:
        if (!m_pendingBody.isEmpty()) {
            sendPendingBody(); // ExpectContinueTimeout passed without 100 Continue: send anyway
            return;
        }
        fail(CloseReason::ResponseHeaderTimeout,
            QStringLiteral("net/http: timeout awaiting response headers"));
        return;
    default:
        return;
    }
}

void Connection::close()
{
    m_phase = Phase::Closed;
    stopTimer();
    closePlain();
    if (m_reactor != nullptr) {
        m_reactor->release();
        m_reactor = nullptr;
    }
    if (m_socket == nullptr) {
        return;
    }
    QTcpSocket *s = m_socket;
    m_socket = nullptr;
    QObject::disconnect(s, nullptr, nullptr, nullptr);
    // Graceful: FIN from our side. Unread bytes in the kernel's receive buffer turn it into
    // a reset, exactly as when Go closes a connection whose body was not read.
    s->close();
    s->deleteLater();
}

// ---- plain TCP ------------------------------------------------------------------------------
// Our own non-blocking descriptor: socket(), connect(), Go's options once connected, send()
// and read(). Readiness comes from the thread's FdReactor (level-triggered epoll), so a dial
// makes no QObject. Errors are worded from errno as Go words them.

namespace {

socklen_t toSockaddr(const QHostAddress &a, quint16 port, sockaddr_storage *out)
{
    std::memset(out, 0, sizeof *out);
    if (a.protocol() == QAbstractSocket::IPv6Protocol) {
        auto *in6 = reinterpret_cast<sockaddr_in6 *>(out);
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(port);
        const Q_IPV6ADDR bytes = a.toIPv6Address();
        std::memcpy(&in6->sin6_addr, bytes.c, sizeof in6->sin6_addr);
        in6->sin6_scope_id = a.scopeId().toUInt();
        return sizeof *in6;
    }
    auto *in4 = reinterpret_cast<sockaddr_in *>(out);
    in4->sin_family = AF_INET;
    in4->sin_port = htons(port);
    in4->sin_addr.s_addr = htonl(a.toIPv4Address());
    return sizeof *in4;
}

} // namespace

void Connection::dialPlain()
{
    m_phase = Phase::Dialing;
    m_dialErrno = 0;
    armTimer(m_spec.dialTimeout);
    sockaddr_storage peer {};
    const socklen_t len = toSockaddr(m_spec.address, m_spec.port, &peer);
    m_fd = ::socket(peer.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (m_fd < 0) {
        dialFailedSoon("socket", errno);
        return;
    }
    if (::connect(m_fd, reinterpret_cast<const sockaddr *>(&peer), len) != 0
        && errno != EINPROGRESS) {
        dialFailedSoon("connect", errno); // loopback refuses at once
        return;
    }
    // Connected or in progress: writable once the handshake is done (or failed).
    // Edge-triggered, registered once for the connection's life (no epoll_ctl per
    // phase): every read drains the socket (readPlain) and every write goes on until the
    // kernel refuses, so no readiness is left unreported.
    const int watch = m_reactor->watch(m_fd, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, *this);
    if (watch < 0) {
        dialFailedSoon("socket", -watch); // epoll_create1 at EMFILE, as socket() would
        return;
    }
    m_watch = watch;
}

void Connection::dialFailedSoon(const char *op, int err)
{
    closePlain();
    // Reported from the event loop, as an asynchronous connect failure is: the Transport
    // is still inside startDial() now.
    m_dialOp = op;
    m_dialErrno = err != 0 ? err : EIO;
    m_reactor->arm(m_deadline, std::chrono::steady_clock::now());
}

void Connection::reportDialFailure()
{
    const int err = m_dialErrno;
    m_dialErrno = 0;
    closePlain();
    stopTimer();
    m_phase = Phase::Closed;
    // Go: "dial tcp 127.0.0.1:1: connect: connection refused", "dial tcp ...: socket: too
    // many open files"; with a hint where the cause is a limit the user can raise.
    QString msg = QStringLiteral("dial tcp %1: %2: %3")
                      .arg(hostPort(m_spec.address, m_spec.port), QLatin1String(m_dialOp),
                          goErrnoText(err));
    if (err == EMFILE || err == ENFILE) {
        msg += QStringLiteral(" (see ulimit -n)");
    } else if (err == EADDRNOTAVAIL) {
        msg += QStringLiteral(
            " (ephemeral ports exhausted? see net.ipv4.ip_local_port_range and TIME_WAIT)");
    }
    m_owner.onConnectionDialFailed(
        *this, err == ETIMEDOUT ? CloseReason::DialTimeout : CloseReason::DialFailed, msg);
}

void Connection::plainConnected(std::uint32_t epollEvents)
{
    // A failed connect reports EPOLLERR; EPOLLOUT alone is success (no SO_ERROR call).
    if ((epollEvents & (EPOLLERR | EPOLLHUP)) != 0) {
        int err = 0;
        socklen_t len = sizeof err;
        if (::getsockopt(m_fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) {
            err = errno;
        }
        m_dialOp = "connect";
        m_dialErrno = err != 0 ? err : ECONNREFUSED;
        reportDialFailure();
        return;
    }
    // Go's Dialer ignores an option the kernel refuses (net/dial.go), and so do we.
    [[maybe_unused]] const QString refused = applyDialSocketOptions(m_fd, m_spec.keepAlive);
    ready();
}

quint16 Connection::localPort() const
{
    if (m_localPort == 0 && m_fd >= 0 && m_phase != Phase::Dialing) {
        // Asked for on demand (kernel view, Connections dock): a churned connection that
        // nobody looked at costs no getsockname().
        sockaddr_storage local {};
        socklen_t len = sizeof local;
        if (::getsockname(m_fd, reinterpret_cast<sockaddr *>(&local), &len) == 0) {
            // sin_port and sin6_port sit at the same offset
            m_localPort = ntohs(reinterpret_cast<const sockaddr_in *>(&local)->sin_port);
        }
    }
    return m_localPort;
}

void Connection::onFdReady(std::uint32_t epollEvents)
{
    if (m_fd < 0) {
        return;
    }
    const bool hangUp = (epollEvents & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0;
    if (m_phase == Phase::Dialing) {
        plainConnected(epollEvents);
        // Bytes (or a FIN) that came with the handshake's edge: read them now, as the
        // edge does not come again.
        if (m_fd >= 0 && m_phase != Phase::Closed && m_phase != Phase::Dialing
            && (epollEvents & EPOLLIN) != 0) {
            readPlain(hangUp);
        }
        return;
    }
    if ((epollEvents & EPOLLOUT) != 0) {
        flushPlain();
        if (m_fd < 0 || m_phase == Phase::Closed) {
            return;
        }
    }
    if ((epollEvents & EPOLLIN) != 0 || hangUp) {
        readPlain(hangUp);
    }
}

void Connection::readPlain(bool untilEof)
{
    while (m_fd >= 0 && m_phase != Phase::Closed) {
        const ssize_t n = ::read(m_fd, t_readBuffer, sizeof t_readBuffer);
        if (n > 0) {
            m_bytesRead += n;
            handleBytes(t_readBuffer, static_cast<qsizetype>(n));
            if (n < static_cast<ssize_t>(sizeof t_readBuffer) && !untilEof) {
                // Short read: the kernel buffer is drained, and what comes later is a new
                // edge. Only a FIN already there when the edge was read (EPOLLRDHUP) would
                // not come again: then we read on to the EOF.
                return;
            }
            continue;
        }
        if (n == 0) {
            handleEof(CloseReason::ReadError, QStringLiteral("EOF"));
            return;
        }
        if (errno == EINTR) {
            continue;
        }
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            plainReadFailed(errno);
        }
        return;
    }
}

void Connection::plainReadFailed(int err)
{
    // Go's net.OpError: "read tcp 127.0.0.1:5000->127.0.0.1:8080: read: connection reset by
    // peer"; ETIMEDOUT on an established connection is the kernel giving up after the
    // keep-alive probes.
    handleEof(err == ETIMEDOUT ? CloseReason::KeepAliveTimeout : CloseReason::ReadError,
        QStringLiteral("read tcp %1: read: %2").arg(plainHostPorts(), goErrnoText(err)));
}

QString Connection::plainHostPorts() const
{
    sockaddr_storage local {};
    socklen_t len = sizeof local;
    QHostAddress localAddress;
    if (m_fd >= 0 && ::getsockname(m_fd, reinterpret_cast<sockaddr *>(&local), &len) == 0) {
        localAddress.setAddress(reinterpret_cast<const sockaddr *>(&local));
    }
    return hostPort(localAddress, localPort()) + QStringLiteral("->")
        + hostPort(m_spec.address, m_spec.port);
}

bool Connection::writePlain(QByteArrayView bytes)
{
    if (m_fd < 0) {
        fail(CloseReason::WriteError, QStringLiteral("write: use of closed network connection"));
        return false;
    }
    if (!m_output.isEmpty()) {
        m_output.append(bytes.data(), bytes.size()); // after what waits: order kept
        return true;
    }
    qsizetype done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::send(
            m_fd, bytes.data() + done, static_cast<std::size_t>(bytes.size() - done), MSG_NOSIGNAL);
        if (n >= 0) {
            done += n;
            m_requestBytesAccepted += n;
            continue;
        }
        if (errno == EINTR) {
            continue;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            break;
        }
        fail(CloseReason::WriteError,
            QStringLiteral("write tcp %1: write: %2").arg(plainHostPorts(), goErrnoText(errno)));
        return false;
    }
    if (done < bytes.size()) {
        // The rest goes out on the next EPOLLOUT edge; bounded by the request's size.
        m_output.append(bytes.data() + done, bytes.size() - done);
    }
    return true;
}

void Connection::flushPlain()
{
    if (m_output.isEmpty()) {
        return;
    }
    const QByteArray pending = std::move(m_output);
    m_output.clear();
    writePlain(pending);
}

void Connection::closePlain()
{
    if (m_fd < 0) {
        return;
    }
    if (m_watch >= 0) {
        m_reactor->forget(m_watch);
        m_watch = -1;
    }
    // Graceful: FIN from our side. Unread bytes in the kernel's receive buffer turn it into
    // a reset, exactly as when Go closes a connection whose body was not read.
    ::close(m_fd);
    m_fd = -1;
    m_output = QByteArray();
}

} // namespace poolscope
