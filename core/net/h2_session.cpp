#include "h2_session.h"

#include <QSslSocket>
#include <algorithm>
#include <array>
#include <cstring>
#include <nghttp2/nghttp2.h>
#include <vector>

namespace poolscope {

namespace {

nghttp2_session *ng(void *p)
{
    return static_cast<nghttp2_session *>(p);
}

H2Session *self(void *user)
{
    return static_cast<H2Session *>(user);
}

ssize_t onSend(nghttp2_session *, const uint8_t *data, size_t len, int, void *user)
{
    return static_cast<ssize_t>(self(user)->writeOut(data, len));
}

int onFrameRecv(nghttp2_session *, const nghttp2_frame *frame, void *user)
{
    self(user)->frameReceived(frame);
    return 0;
}

int onHeader(nghttp2_session *, const nghttp2_frame *frame, const uint8_t *name, size_t namelen,
    const uint8_t *value, size_t valuelen, uint8_t, void *user)
{
    if (frame->hd.type == NGHTTP2_HEADERS) {
        self(user)->headerReceived(frame->hd.stream_id,
            QByteArrayView(name, static_cast<qsizetype>(namelen)),
            QByteArrayView(value, static_cast<qsizetype>(valuelen)));
    }
    return 0;
}

int onDataChunk(nghttp2_session *, uint8_t, int32_t stream, const uint8_t *, size_t len, void *user)
{
    self(user)->dataReceived(stream, len);
    return 0;
}

int onStreamClose(nghttp2_session *, int32_t stream, uint32_t errorCode, void *user)
{
    self(user)->streamClosed(stream, errorCode);
    return 0;
}

ssize_t readBodyCb(nghttp2_session *, int32_t stream, uint8_t *buf, size_t len, uint32_t *dataFlags,
    nghttp2_data_source *, void *user)
{
    bool eof = false;
    const qint64 n = self(user)->readBody(stream, buf, len, &eof);
    if (eof) {
        *dataFlags |= NGHTTP2_DATA_FLAG_EOF;
    }
    return static_cast<ssize_t>(n);
}

// Go's HTTP/2 client settings (http2Transport.newClientConn, Go 1.19).
constexpr int32_t kInitialWindowSize = 4 << 20;
constexpr uint32_t kMaxHeaderListSize = 10 << 20;
constexpr int32_t kConnectionWindow = 1 << 30;

// Hop-by-hop fields an h2 request must not carry (RFC 9113 8.2.2).
bool hopByHop(QByteArrayView lowerName)
{
    return lowerName == "connection" || lowerName == "keep-alive" || lowerName == "proxy-connection"
        || lowerName == "transfer-encoding" || lowerName == "upgrade" || lowerName == "host";
}

} // namespace

H2Session::H2Session(ConnId id, H2SessionOwner &owner, QSslSocket *socket)
    : m_id(id), m_owner(owner), m_socket(socket)
{
    nghttp2_session_callbacks *cbs = nullptr;
    nghttp2_session_callbacks_new(&cbs);
    nghttp2_session_callbacks_set_send_callback(cbs, onSend);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, onFrameRecv);
    nghttp2_session_callbacks_set_on_header_callback(cbs, onHeader);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, onDataChunk);
    nghttp2_session_callbacks_set_on_stream_close_callback(cbs, onStreamClose);
    nghttp2_session *s = nullptr;
    nghttp2_session_client_new(&s, cbs, this);
    nghttp2_session_callbacks_del(cbs);
    m_session = s;
    QObject::connect(m_socket, &QIODevice::readyRead, m_socket, [this] { onReadyRead(); });
    QObject::connect(
        m_socket, &QAbstractSocket::disconnected, m_socket, [this] { onDisconnected(); });
    QObject::connect(
        m_socket, &QAbstractSocket::errorOccurred, m_socket, [this] { onDisconnected(); });
}

H2Session::~H2Session()
{
    close();
    nghttp2_session_del(ng(m_session));
}

bool H2Session::start(QString *why)
{
    const std::array<nghttp2_settings_entry, 3> iv { {
        { NGHTTP2_SETTINGS_ENABLE_PUSH, 0 },
        { NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, kInitialWindowSize },
        { NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, kMaxHeaderListSize },
    } };
    int rv = nghttp2_submit_settings(ng(m_session), NGHTTP2_FLAG_NONE, iv.data(), iv.size());
    if (rv == 0) {
        rv = nghttp2_session_set_local_window_size(
            ng(m_session), NGHTTP2_FLAG_NONE, 0, kConnectionWindow);
    }
    if (rv != 0) {
        *why = QString::fromLatin1(nghttp2_strerror(rv));
        return false;
    }
    // Bytes that came with the handshake are already waiting in the socket.
    if (!flush()) {
        *why = QStringLiteral("http2: write failed");
        return false;
    }
    if (m_socket->bytesAvailable() > 0) {
        onReadyRead();
    }
    return !m_closed;
}

std::int32_t H2Session::submit(const RequestTemplate &request)
{
    if (m_closed) {
        return 0;
    }
    // The request line and fields RequestTemplate wrote for HTTP/1.1, as h2 fields.
    const QByteArray head = request.headers().toByteArray();
    const QList<QByteArray> lines = head.split('\n');
    if (lines.isEmpty()) {
        return 0;
    }
    const QList<QByteArray> requestLine = lines.first().trimmed().split(' ');
    if (requestLine.size() < 2) {
        return 0;
    }
    std::vector<std::pair<QByteArray, QByteArray>> fields;
    fields.emplace_back(QByteArrayLiteral(":method"), requestLine.at(0));
    fields.emplace_back(QByteArrayLiteral(":scheme"), QByteArrayLiteral("https"));
    fields.emplace_back(QByteArrayLiteral(":authority"), QByteArray());
    fields.emplace_back(QByteArrayLiteral(":path"), requestLine.at(1));
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines.at(i).trimmed();
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0) {
            continue;
        }
        const QByteArray name = line.left(colon).trimmed().toLower();
        const QByteArray value = line.mid(colon + 1).trimmed();
        if (name == "host") {
            fields[2].second = value;
        }
        if (!hopByHop(name)) {
            fields.emplace_back(name, value);
        }
    }
    std::vector<nghttp2_nv> nva;
    nva.reserve(fields.size());
    for (auto &[n, v] : fields) {
        nva.push_back({ reinterpret_cast<uint8_t *>(n.data()),
            reinterpret_cast<uint8_t *>(v.data()), static_cast<size_t>(n.size()),
            static_cast<size_t>(v.size()), NGHTTP2_NV_FLAG_NONE });
    }
    nghttp2_data_provider provider {};
    provider.read_callback = readBodyCb;
    const bool hasBody = request.hasBody();
    const int32_t stream = nghttp2_submit_request(
        ng(m_session), nullptr, nva.data(), nva.size(), hasBody ? &provider : nullptr, nullptr);
    if (stream <= 0) {
        return 0;
    }
    StreamState &st = m_bodies[stream];
    if (hasBody) {
        st.body = request.body().toByteArray();
    }
    flush();
    return m_closed ? 0 : stream;
}

qint64 H2Session::readBody(std::int32_t stream, std::uint8_t *buf, std::size_t len, bool *eof)
{
    const auto it = m_bodies.find(stream);
    if (it == m_bodies.end()) {
        *eof = true;
        return 0;
    }
    StreamState &st = it->second;
    const qsizetype n = std::min<qsizetype>(static_cast<qsizetype>(len), st.body.size() - st.sent);
    std::memcpy(buf, st.body.constData() + st.sent, static_cast<std::size_t>(n));
    st.sent += n;
    *eof = st.sent >= st.body.size();
    return n;
}

void H2Session::cancelStream(std::int32_t stream)
{
    if (m_closed) {
        return;
    }
    nghttp2_submit_rst_stream(ng(m_session), NGHTTP2_FLAG_NONE, stream, NGHTTP2_CANCEL);
    flush();
}

qint64 H2Session::writeOut(const std::uint8_t *data, std::size_t len)
{
    if (m_closed || m_socket == nullptr) {
        return qint64 { NGHTTP2_ERR_CALLBACK_FAILURE };
    }
    const qint64 n
        = m_socket->write(reinterpret_cast<const char *>(data), static_cast<qint64>(len));
    return n < 0 ? qint64 { NGHTTP2_ERR_CALLBACK_FAILURE } : n;
}

bool H2Session::flush()
{
    if (m_closed) {
        return false;
    }
    if (m_receiving) {
        return true; // onReadyRead sends once nghttp2_session_mem_recv has returned
    }
    const int rv = nghttp2_session_send(ng(m_session));
    if (rv != 0) {
        fail(CloseReason::WriteError,
            QStringLiteral("http2: %1").arg(QLatin1String(nghttp2_strerror(rv))));
        return false;
    }
    return true;
}

void H2Session::onReadyRead()
{
    thread_local std::array<char, 64 * 1024> buf;
    while (!m_closed && m_socket->bytesAvailable() > 0) {
        const qint64 n = m_socket->read(buf.data(), buf.size());
        if (n <= 0) {
            break;
        }
        m_receiving = true;
        const ssize_t rv = nghttp2_session_mem_recv(
            ng(m_session), reinterpret_cast<const uint8_t *>(buf.data()), static_cast<size_t>(n));
        m_receiving = false;
        if (m_closed) {
            return;
        }
        if (rv < 0) {
            fail(CloseReason::ProtocolError,
                QStringLiteral("http2: %1")
                    .arg(QLatin1String(nghttp2_strerror(static_cast<int>(rv)))));
            return;
        }
    }
    if (!m_closed) {
        flush();
    }
}

void H2Session::onDisconnected()
{
    if (m_closed) {
        return;
    }
    onReadyRead(); // frames that came with the FIN
    if (!m_closed) {
        fail(CloseReason::ReadError, QStringLiteral("unexpected EOF"));
    }
}

void H2Session::fail(CloseReason reason, const QString &message)
{
    if (m_closed) {
        return;
    }
    close();
    m_owner.onH2SessionFailed(*this, reason, message);
}

void H2Session::frameReceived(const void *f)
{
    if (m_closed) {
        return; // closed by an earlier callback of the same read: nobody listens any more
    }
    const auto *frame = static_cast<const nghttp2_frame *>(f);
    switch (frame->hd.type) {
    case NGHTTP2_SETTINGS: {
        if ((frame->hd.flags & NGHTTP2_FLAG_ACK) != 0) {
            return;
        }
        std::optional<std::uint32_t> maxStreams;
        for (size_t i = 0; i < frame->settings.niv; ++i) {
            if (frame->settings.iv[i].settings_id == NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS) {
                maxStreams = frame->settings.iv[i].value;
            }
        }
        m_owner.onH2Settings(*this, maxStreams);
        return;
    }
    case NGHTTP2_GOAWAY:
        m_owner.onH2GoAway(*this, frame->goaway.last_stream_id, frame->goaway.error_code);
        return;
    case NGHTTP2_HEADERS: {
        const auto it = m_bodies.find(frame->hd.stream_id);
        if (it == m_bodies.end() || it->second.headersDone || it->second.status < 200) {
            if (it != m_bodies.end()) {
                it->second.status = 0; // an informational head: the final one follows
            }
            return;
        }
        it->second.headersDone = true;
        m_owner.onH2Headers(
            *this, frame->hd.stream_id, it->second.status, it->second.contentLength);
        return;
    }
    default:
        return;
    }
}

void H2Session::headerReceived(std::int32_t stream, QByteArrayView name, QByteArrayView value)
{
    const auto it = m_bodies.find(stream);
    if (it == m_bodies.end() || it->second.headersDone) {
        return;
    }
    if (name == ":status") {
        it->second.status = value.toByteArray().toInt();
    } else if (name == "content-length") {
        bool ok = false;
        const qint64 n = value.toByteArray().toLongLong(&ok);
        it->second.contentLength = ok ? n : -1;
    }
}

void H2Session::dataReceived(std::int32_t stream, std::size_t len)
{
    const auto it = m_bodies.find(stream);
    if (it != m_bodies.end()) {
        it->second.received += static_cast<qint64>(len);
    }
}

void H2Session::streamClosed(std::int32_t stream, std::uint32_t errorCode)
{
    const auto it = m_bodies.find(stream);
    if (it == m_bodies.end()) {
        return;
    }
    const qint64 received = it->second.received;
    m_bodies.erase(it);
    if (!m_closed) {
        m_owner.onH2StreamClosed(*this, stream, errorCode, received);
    }
}

void H2Session::close()
{
    if (m_closed) {
        return;
    }
    m_closed = true;
    m_bodies.clear();
    if (m_socket == nullptr) {
        return;
    }
    QSslSocket *s = m_socket;
    m_socket = nullptr;
    QObject::disconnect(s, nullptr, nullptr, nullptr);
    s->close();
    s->deleteLater();
}

} // namespace poolscope
