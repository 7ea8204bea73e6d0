#pragma once

#include "fd_reactor.h"
#include "http/request_writer.h"
#include "http/response_parser.h"
#include "pool/pool_types.h"

#include <QByteArray>
#include <QHostAddress>
#include <QString>

class QSslSocket;
class QTcpSocket;

namespace poolscope {

class Connection;

// How a connection reaches its target; fixed for the connection's life.
struct DialSpec
{
    QHostAddress address;
    quint16 port = 0;
    bool tls = false;
    QString tlsServerName; // SNI / certificate host
    bool insecureSkipVerify = false;
    EffectiveKeepAlive keepAlive;
    Duration dialTimeout { 0 }; // 0 = none
    Duration tlsHandshakeTimeout { 0 }; // 0 = none
    // Offer "h2" before "http/1.1" by ALPN (Go's TLSClientConfig.NextProtos when HTTP/2 is
    // attempted); without it no ALPN is sent, as Go's HTTP/1-only Transport does.
    bool offerH2 = false;
};

// How an exchange failed. `reason` is what the connection is closed with; nothingWritten
// says that no byte of the current request reached the socket (Go's nothingWrittenError:
// pc.nwrite did not move), which makes any request safe to send again.
struct ConnectionFailure
{
    CloseReason reason = CloseReason::ReadError;
    QString message;
    bool nothingWritten = false;
};

// What the socket holds once a response is complete and the connection handed back: Go's
// readLoop peeks for the next response right after tryPutIdleConn, so an EOF, a reset or
// bytes nobody asked for that are already there break the connection before any caller
// can write on it.
enum class PeerState : std::uint8_t {
    Open, // nothing waiting: the server keeps the connection
    Closed, // EOF (or a "408 Request Timeout"): Go's errServerClosedIdle
    Broken, // reset, socket error or unsolicited bytes: readLoopPeekFailLocked
};

// Receives what happens on connections. Callbacks may close the connection;
// Connection never touches itself after a callback that closed it.
class ConnectionOwner
{
public:
    virtual ~ConnectionOwner() = default;
    // TCP (and TLS) established.
    virtual void onConnectionReady(Connection &c) = 0;
    virtual void onConnectionDialFailed(Connection &c, CloseReason reason, const QString &message)
        = 0;
    // First byte of the response to the current request (httptrace GotFirstResponseByte).
    virtual void onFirstResponseByte(Connection &c) = 0;
    // Final response headers parsed.
    virtual void onResponseHeaders(Connection &c) = 0;
    // More of the response body was read, and the response is not complete yet.
    virtual void onResponseBodyBytes(Connection &) { }
    // Response complete. reusable: the framing allows another request (keep-alive, no stray bytes).
    virtual void onResponseComplete(Connection &c, bool reusable) = 0;
    // The exchange failed (read/write error, EOF, protocol error, response header timeout,
    // or the peer was already gone when the request was to be sent).
    virtual void onConnectionFailed(Connection &c, const ConnectionFailure &failure) = 0;
    // EOF, reset or stray bytes while idle in the pool.
    virtual void onIdleConnectionLost(Connection &c, CloseReason reason) = 0;
};

// One client TCP (or TLS) connection: owns the socket and the response parser.
// It knows nothing of pooling or of who sent the request; the Transport drives it from
// the pool's actions and keeps its own map from connection to request.
// Plain TCP is a raw non-blocking descriptor of our own (socket/connect/read/send) watched
// by this thread's FdReactor; TLS is a QSslSocket. Deadlines of both are FdReactor's.
class Connection final : private ReactorClient
{
public:
    enum class Phase : std::uint8_t {
        Dialing,
        Handshaking,
        Idle,
        Writing,
        AwaitingHeaders,
        ReadingBody,
        Draining,
        Closed
    };

    Connection(ConnId id, ConnectionOwner &owner, const DialSpec &spec);
    ~Connection();
    Connection(const Connection &) = delete;
    Connection &operator=(const Connection &) = delete;

    void dial();
    // Sends one request. Timeouts of 0 = none. With "Expect: 100-continue" in the
    // request, the body waits for 100 Continue or expectContinueTimeout. When peekPeer()
    // found the peer gone, fails at once with nothing written (onConnectionFailed).
    // maxResponseHeaderBytes: Transport.MaxResponseHeaderBytes, 0 = Go's 10 MiB.
    void sendRequest(const RequestTemplate &request, Duration responseHeaderTimeout,
        Duration expectContinueTimeout, qint64 maxResponseHeaderBytes = 0);
    // Mark idle in the pool: stray bytes or EOF from now on mean the server closed it.
    void setIdle();
    // Go's readLoop peek after a response: looks (without consuming anything the parser
    // needs) at what the socket already holds. The answer sticks: a connection found
    // Closed or Broken fails its next sendRequest() before writing.
    [[nodiscard]] PeerState peekPeer();
    // Bytes followed the last complete response in the same read: Go's readLoop finds them
    // with no request waiting ("Unsolicited response received on idle HTTP channel") and
    // closes the connection (readLoopPeekFailLocked).
    [[nodiscard]] bool hadStrayBytes() const { return m_strayBytes; }
    // Keep reading (and discarding) the rest of the body without telling anyone:
    // used for a leaked body, whose connection stays Active in the pool.
    void drainSilently();
    // Graceful close (FIN from our side, so TIME_WAIT lands on the client, as with Go).
    // The socket is deleted later; the Connection must not be used afterwards except id().
    void close();

    [[nodiscard]] ConnId id() const { return m_id; }
    [[nodiscard]] Phase phase() const { return m_phase; }
    [[nodiscard]] quint16 localPort() const;
    [[nodiscard]] qintptr socketDescriptor() const;
    [[nodiscard]] const ResponseParser &parser() const { return m_parser; }
    [[nodiscard]] qint64 bytesRead() const { return m_bytesRead; }
    // The TLS handshake negotiated "h2" by ALPN (valid once onConnectionReady ran).
    [[nodiscard]] bool negotiatedH2() const { return m_negotiatedH2; }
    // Hands the connected TLS socket over (to an H2Session): this Connection no longer
    // reads, writes or closes it, and its phase is Closed. Null when there is none.
    [[nodiscard]] QSslSocket *takeTlsSocket();

private:
    void onFdReady(std::uint32_t epollEvents) override;
    void onDeadline() override;
    // Plain TCP on a raw descriptor (connection.cpp, "plain TCP").
    void dialPlain();
    void dialFailedSoon(const char *op, int err);
    void reportDialFailure();
    void plainConnected(std::uint32_t epollEvents);
    void readPlain(bool untilEof);
    void plainReadFailed(int err);
    bool writePlain(QByteArrayView bytes);
    void flushPlain();
    void closePlain();
    [[nodiscard]] QString plainHostPorts() const;
    void onConnected();
    void onEncrypted();
    void onReadyRead();
    void onDisconnected();
    void onSocketError();
    // The socket failed or hit EOF: finish whatever phase we are in with the right reason.
    // `sysErrno`: errno right after the failing call (goSocketErrorText).
    void socketFailed(bool drainFirst, int sysErrno);
    void onTimer();
    void handleBytes(const char *data, qsizetype len);
    void handleEof(CloseReason reason, const QString &message);
    void armTimer(Duration d);
    void stopTimer();
    void ready();
    bool writeOrFail(QByteArrayView bytes);
    void sendPendingBody();
    // Reports the failure of the current exchange (phase Closed first).
    void fail(CloseReason reason, const QString &message);
    // No byte of the current request has reached the kernel yet.
    [[nodiscard]] bool nothingWritten() const;

    ConnId m_id;
    ConnectionOwner &m_owner;
    DialSpec m_spec;
    QTcpSocket *m_socket = nullptr; // TLS only
    int m_fd = -1; // plain TCP only
    int m_watch = -1; // m_fd's FdReactor handle
    QByteArray m_output; // plain TCP: request bytes the kernel did not take yet
    int m_dialErrno = 0; // plain TCP: the dial failed at once (reported on the next turn)
    const char *m_dialOp = "connect"; // the call that failed: Go's syscall op
    FdReactor *m_reactor = nullptr; // this thread's, from dial() until close()
    // Dial, TLS handshake, 100-continue and response header timeouts.
    FdReactor::Deadline m_deadline { *this };
    ResponseParser m_parser;
    Phase m_phase = Phase::Dialing;
    bool m_headRequest = false;
    mutable quint16 m_localPort = 0; // plain TCP: getsockname() on first use
    qint64 m_bytesRead = 0;
    bool m_firstByte = false;
    bool m_bodyWithheld = false; // final response came before 100 Continue: body never sent
    QByteArray m_pendingBody; // body held back for 100 Continue
    Duration m_responseHeaderTimeout { 0 };
    qint64 m_requestBytesAccepted = 0; // bytes of the current request the socket took
    PeerState m_peer = PeerState::Open; // sticky result of peekPeer()
    bool m_strayBytes = false; // bytes followed the last complete response
    QString m_peerError; // why m_peer is Broken
    QString m_tlsError; // the certificate verification failure, in Go's words
    bool m_negotiatedH2 = false;
};

} // namespace poolscope
