#pragma once

#include "http/request_writer.h"
#include "pool/pool_types.h"

#include <QByteArray>
#include <QString>
#include <cstdint>
#include <map>
#include <optional>

class QSslSocket;

namespace poolscope {

class H2Session;

// What happens on an HTTP/2 connection. Callbacks may close the session (H2Session::close);
// the session never touches itself after a callback that did.
class H2SessionOwner
{
public:
    virtual ~H2SessionOwner() = default;
    // The server's SETTINGS frame (not its ACK). none = it has no MAX_CONCURRENT_STREAMS.
    virtual void onH2Settings(H2Session &s, std::optional<std::uint32_t> maxConcurrentStreams) = 0;
    // A stream's final response headers (:status, content-length; -1 = none).
    virtual void onH2Headers(H2Session &s, std::int32_t stream, int status, qint64 contentLength)
        = 0;
    // A stream ended: errorCode 0 = complete (END_STREAM), otherwise its RST_STREAM code
    // (REFUSED_STREAM = 7 also for streams a GOAWAY left unprocessed). `bodyBytes`: DATA read.
    virtual void onH2StreamClosed(
        H2Session &s, std::int32_t stream, std::uint32_t errorCode, qint64 bodyBytes)
        = 0;
    // GOAWAY from the server: streams above lastStreamId were not processed.
    virtual void onH2GoAway(H2Session &s, std::int32_t lastStreamId, std::uint32_t errorCode) = 0;
    // The connection is gone (EOF, socket error, protocol error). Streams still open get no
    // onH2StreamClosed: the owner ends them itself.
    virtual void onH2SessionFailed(H2Session &s, CloseReason reason, const QString &message) = 0;
};

// One HTTP/2 client connection over a TLS socket that negotiated "h2" (or a plain one, h2c
// with prior knowledge): nghttp2's client session (Debian libnghttp2) does the framing,
// HPACK and flow control; this class moves bytes between it and the socket. The settings
// it sends are Go 1.19's (ENABLE_PUSH 0, INITIAL_WINDOW_SIZE 4 MiB, MAX_HEADER_LIST_SIZE
// 10 MiB, a 1 GiB connection window).
class H2Session final
{
public:
    // Takes the socket over (already connected and encrypted).
    H2Session(ConnId id, H2SessionOwner &owner, QSslSocket *socket);
    ~H2Session();
    H2Session(const H2Session &) = delete;
    H2Session &operator=(const H2Session &) = delete;

    // Sends the preface and SETTINGS. False (and the reason) when nghttp2 refuses.
    bool start(QString *why);
    // Opens a stream for `request` (its HTTP/1.1 bytes translated to h2 fields: Host becomes
    // :authority, hop-by-hop fields dropped). Returns the stream id, or 0 when it failed.
    std::int32_t submit(const RequestTemplate &request);
    // RST_STREAM CANCEL (Go's cancel or early body close); onH2StreamClosed follows.
    void cancelStream(std::int32_t stream);
    // Closes the socket (graceful FIN); no more callbacks.
    void close();

    [[nodiscard]] ConnId id() const { return m_id; }
    [[nodiscard]] bool closed() const { return m_closed; }
    [[nodiscard]] int openStreams() const { return static_cast<int>(m_bodies.size()); }

    // nghttp2 callbacks (C trampolines in the .cpp)
    void frameReceived(const void *frame);
    void headerReceived(std::int32_t stream, QByteArrayView name, QByteArrayView value);
    void dataReceived(std::int32_t stream, std::size_t len);
    void streamClosed(std::int32_t stream, std::uint32_t errorCode);
    qint64 writeOut(const std::uint8_t *data, std::size_t len);
    qint64 readBody(std::int32_t stream, std::uint8_t *buf, std::size_t len, bool *eof);

private:
    struct StreamState
    {
        QByteArray body; // request body still to send
        qsizetype sent = 0;
        int status = 0;
        qint64 contentLength = -1;
        qint64 received = 0;
        bool headersDone = false;
    };

    void onReadyRead();
    void onDisconnected();
    // nghttp2_session_send; false (and the session failed) on error.
    bool flush();
    void fail(CloseReason reason, const QString &message);

    ConnId m_id;
    H2SessionOwner &m_owner;
    QSslSocket *m_socket = nullptr;
    void *m_session = nullptr; // nghttp2_session*
    std::map<std::int32_t, StreamState> m_bodies; // open streams
    bool m_closed = false;
    bool m_receiving = false; // inside nghttp2_session_mem_recv: sending waits until it returns
};

} // namespace poolscope
