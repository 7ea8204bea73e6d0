#include "connection.h"

#include "pool/clock.h"
#include "socket_error_text.h"
#include "socket_options.h"
#include "tls_client.h"

#include <QSslConfiguration>
#include <QSslSocket>
#include <QTcpSocket>
#include <QTimer>
#include <cerrno>
#include <cstring>
#include <sys/socket.h>

namespace poolscope {

namespace {

// One read buffer per engine thread: responses are parsed straight out of it.
thread_local char t_readBuffer[64 * 1024];

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
    delete m_timer;
}

qintptr Connection::socketDescriptor() const
{
    return m_socket ? m_socket->socketDescriptor() : -1;
}

void Connection::dial()
{
    if (m_spec.tls) {
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
        QObject::connect(
            ssl, &QSslSocket::sslErrors, ssl, [this, ssl](const QList<QSslError> &errors) {
                if (m_spec.insecureSkipVerify) {
                    ssl->ignoreSslErrors(errors);
                } else {
                    m_tlsError = goCertificateErrorText(errors, m_spec.tlsServerName);
                }
            });
        m_socket = ssl;
    } else {
        m_socket = new QTcpSocket;
    }
    QObject::connect(m_socket, &QAbstractSocket::connected, m_socket, [this] { onConnected(); });
    QObject::connect(m_socket, &QIODevice::readyRead, m_socket, [this] { onReadyRead(); });
    QObject::connect(
        m_socket, &QAbstractSocket::disconnected, m_socket, [this] { onDisconnected(); });
    QObject::connect(
        m_socket, &QAbstractSocket::errorOccurred, m_socket, [this] { onSocketError(); });
    m_phase = Phase::Dialing;
    armTimer(m_spec.dialTimeout);
    // Plain TCP reads straight from the kernel (no QIODevice buffer: less memory per
    // pooled connection and no FIONREAD per read); TLS needs Qt's buffering.
    const QIODevice::OpenMode mode
        = m_spec.tls ? QIODevice::ReadWrite : (QIODevice::ReadWrite | QIODevice::Unbuffered);
    errno = 0; // a connect() that fails at once is the cause socketFailed() reports
    m_socket->connectToHost(m_spec.address, m_spec.port, mode);
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
    if (m_socket == nullptr || m_phase == Phase::Closed) {
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
    if (m_socket == nullptr || m_socket->state() != QAbstractSocket::ConnectedState) {
        m_peer = PeerState::Closed;
        return m_peer;
    }
    if (m_spec.tls && m_socket->bytesAvailable() > 0) {
        m_peer = PeerState::Broken; // decrypted bytes nobody asked for
        m_peerError = QStringLiteral("readLoopPeekFailLocked: unsolicited response");
        return m_peer;
    }
    char buf[12];
    const auto n = ::recv(
        static_cast<int>(m_socket->socketDescriptor()), buf, sizeof buf, MSG_PEEK | MSG_DONTWAIT);
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
        const bool timeout = looksLikeTimeout(m_socket);
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
        const auto hostPort = [](const QHostAddress &a, quint16 port) {
            return (a.protocol() == QAbstractSocket::IPv6Protocol ? QStringLiteral("[%1]:%2")
                                                                  : QStringLiteral("%1:%2"))
                .arg(a.toString())
                .arg(port);
        };
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
    if (d <= Duration::zero()) {
        stopTimer();
        return;
    }
    if (m_timer == nullptr) {
        m_timer = new QTimer;
        m_timer->setSingleShot(true);
        m_timer->setTimerType(Qt::PreciseTimer);
        QObject::connect(m_timer, &QTimer::timeout, m_timer, [this] { onTimer(); });
    }
    m_timer->start(timerInterval(d)); // Qt 6.4 takes int ms: clamped, not wrapped
}

void Connection::stopTimer()
{
    if (m_timer) {
        m_timer->stop();
    }
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

} // namespace poolscope
