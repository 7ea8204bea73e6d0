#include "server/h2_server_session.h"

#include "pool/clock.h"

#include <QRandomGenerator>
#include <algorithm>
#include <array>
#include <cstring>
#include <nghttp2/nghttp2.h>

namespace poolscope {

namespace {

constexpr QByteArrayView kPreface("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");

nghttp2_nv header(const QByteArray &name, const QByteArray &value)
{
    // nghttp2 copies names and values when the response is submitted.
    return { reinterpret_cast<uint8_t *>(const_cast<char *>(name.constData())),
        reinterpret_cast<uint8_t *>(const_cast<char *>(value.constData())), size_t(name.size()),
        size_t(value.size()), NGHTTP2_NV_FLAG_NONE };
}

H2ServerSession *self(void *userData)
{
    return static_cast<H2ServerSession *>(userData);
}

} // namespace

// The C callbacks nghttp2 calls; each forwards to the session's member.
struct H2Callbacks
{
    static int beginHeaders(nghttp2_session *, const nghttp2_frame *frame, void *userData)
    {
        if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST)
            return 0;
        return self(userData)->onBeginHeaders(frame->hd.stream_id);
    }
    static int header(nghttp2_session *, const nghttp2_frame *frame, const uint8_t *name,
        size_t nameLength, const uint8_t *value, size_t valueLength, uint8_t, void *userData)
    {
        if (frame->hd.type == NGHTTP2_HEADERS && frame->headers.cat == NGHTTP2_HCAT_REQUEST) {
            self(userData)->onHeader(frame->hd.stream_id,
                QByteArrayView(reinterpret_cast<const char *>(name), qsizetype(nameLength)),
                QByteArrayView(reinterpret_cast<const char *>(value), qsizetype(valueLength)));
        }
        return 0;
    }
    static int frameReceived(nghttp2_session *, const nghttp2_frame *frame, void *userData)
    {
        // A request is complete at its END_STREAM, on HEADERS (no body) or the last DATA.
        const bool request = frame->hd.type == NGHTTP2_DATA || frame->hd.type == NGHTTP2_HEADERS;
        if (request && (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0)
            self(userData)->onRequestComplete(frame->hd.stream_id);
        return 0;
    }
    static int streamClosed(nghttp2_session *, int32_t streamId, uint32_t, void *userData)
    {
        self(userData)->onStreamClose(streamId);
        return 0;
    }
    static ssize_t readBody(nghttp2_session *, int32_t streamId, uint8_t *buffer, size_t length,
        uint32_t *flags, nghttp2_data_source *, void *userData)
    {
        return self(userData)->readBody(streamId, buffer, length, flags);
    }
};

H2ServerSession::H2ServerSession(Hooks hooks, ServerSharedState *shared, QRandomGenerator *random)
    : m_hooks(std::move(hooks)), m_shared(shared), m_random(random)
{
    nghttp2_session_callbacks *callbacks = nullptr;
    nghttp2_session_callbacks_new(&callbacks);
    nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, H2Callbacks::beginHeaders);
    nghttp2_session_callbacks_set_on_header_callback(callbacks, H2Callbacks::header);
    nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, H2Callbacks::frameReceived);
    nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, H2Callbacks::streamClosed);
    if (nghttp2_session_server_new(&m_session, callbacks, this) != 0)
        m_session = nullptr;
    nghttp2_session_callbacks_del(callbacks);
    if (!m_session)
        m_dead = true;
}

H2ServerSession::~H2ServerSession()
{
    // Streams of a connection that went away uncleanly.
    m_shared->streams -= int(m_streams.size());
    m_streams.clear(); // nghttp2_session_del below must find none
    if (m_session)
        nghttp2_session_del(m_session);
}

bool H2ServerSession::startsWithPreface(const char *data, qsizetype size)
{
    // "PRI " already tells it from every HTTP/1 method a client sends.
    if (size < 4)
        return false;
    const qsizetype n = std::min(size, kPreface.size());
    return QByteArrayView(data, n) == kPreface.first(n);
}

void H2ServerSession::start()
{
    if (m_dead)
        return;
    const auto delay = m_hooks.responses()->config().h2SettingsDelay;
    if (delay > std::chrono::nanoseconds(0)) {
        m_holding = true;
        m_settingsAt
            = saturatingAdd(Clock::now(), std::chrono::duration_cast<Clock::duration>(delay));
        m_hooks.wakeAt(m_settingsAt);
        return;
    }
    submitSettings();
    flush();
}

void H2ServerSession::submitSettings()
{
    const int maxStreams = m_hooks.responses()->config().h2MaxConcurrentStreams;
    std::array<nghttp2_settings_entry, 1> settings {};
    size_t count = 0;
    if (maxStreams > 0)
        settings[count++] = { NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, uint32_t(maxStreams) };
    if (nghttp2_submit_settings(m_session, NGHTTP2_FLAG_NONE, settings.data(), count) != 0)
        fail();
}

void H2ServerSession::receive(const char *data, qsizetype size)
{
    if (m_dead || size <= 0)
        return;
    if (m_holding) {
        if (m_held.size() + size > kHeldInputLimit) {
            fail();
            return;
        }
        m_held.append(data, size);
        return;
    }
    feed(data, size);
    flush();
}

void H2ServerSession::feed(const char *data, qsizetype size)
{
    const ssize_t used = nghttp2_session_mem_recv(
        m_session, reinterpret_cast<const uint8_t *>(data), size_t(size));
    if (used < 0) {
        // A fatal protocol error (bad preface, broken framing): nghttp2 has queued a GOAWAY
        // where the protocol asks for one; send it and close.
        ++m_shared->errors;
        flush();
        fail();
    }
}

void H2ServerSession::onWake()
{
    if (m_dead)
        return;
    const auto now = Clock::now();
    if (m_holding) {
        if (now < m_settingsAt) {
            m_hooks.wakeAt(m_settingsAt);
            return;
        }
        m_holding = false;
        submitSettings();
        const QByteArray held = std::exchange(m_held, QByteArray());
        if (!held.isEmpty())
            feed(held.constData(), held.size());
    }
    // Collect first: submitting may close streams (HEAD, 204) and erase map entries.
    std::vector<std::int32_t> due;
    for (auto &[id, s] : m_streams) {
        if (s.requestDone && !s.submitted && s.headAt <= now)
            due.push_back(id);
        else if (s.submitted && s.deferred && s.bodyAt <= now)
            due.push_back(id);
    }
    for (const std::int32_t id : due) {
        const auto it = m_streams.find(id);
        if (it == m_streams.end())
            continue;
        if (!it->second.submitted) {
            submitResponse(id, it->second);
        } else {
            it->second.deferred = false;
            nghttp2_session_resume_data(m_session, id);
        }
    }
    scheduleWake();
    flush();
}

void H2ServerSession::scheduleWake()
{
    if (m_dead)
        return;
    bool any = false;
    Clock::time_point earliest = Clock::time_point::max();
    for (const auto &[id, s] : m_streams) {
        if (s.requestDone && !s.submitted) {
            earliest = std::min(earliest, s.headAt);
            any = true;
        } else if (s.submitted && s.deferred) {
            earliest = std::min(earliest, s.bodyAt);
            any = true;
        }
    }
    if (any)
        m_hooks.wakeAt(earliest);
}

void H2ServerSession::onOutputDrained()
{
    flush();
}

bool H2ServerSession::drain()
{
    if (m_dead || m_finishedCalled)
        return false;
    if (m_goAwayLastStream < 0) {
        m_goAwayLastStream = nghttp2_session_get_last_proc_stream_id(m_session);
        nghttp2_submit_goaway(
            m_session, NGHTTP2_FLAG_NONE, m_goAwayLastStream, NGHTTP2_NO_ERROR, nullptr, 0);
        // The caller closes when we return false: no Hooks::finished from this flush.
        m_draining = true;
        flush();
        m_draining = false;
    }
    if (m_dead || m_streams.empty()) {
        m_finishedCalled = true; // the caller closes the connection now
        return false;
    }
    return true;
}

int H2ServerSession::onBeginHeaders(std::int32_t streamId)
{
    // Streams the client opened before it saw our GOAWAY: refused, which Go retries on a new
    // connection (a refused stream was never processed).
    if (m_goAwayLastStream >= 0 && streamId > m_goAwayLastStream) {
        nghttp2_submit_rst_stream(m_session, NGHTTP2_FLAG_NONE, streamId, NGHTTP2_REFUSED_STREAM);
        return 0;
    }
    const bool wasIdle = m_streams.empty();
    m_streams.emplace(streamId, Stream {});
    ++m_shared->streams;
    ++m_streamsBegun;
    const int goAwayAfter = m_hooks.responses()->config().h2GoAwayAfterStreams;
    if (goAwayAfter > 0 && m_streamsBegun >= std::uint64_t(goAwayAfter) && m_goAwayLastStream < 0) {
        m_goAwayLastStream = streamId;
        nghttp2_submit_goaway(m_session, NGHTTP2_FLAG_NONE, streamId, NGHTTP2_NO_ERROR, nullptr, 0);
    }
    if (wasIdle)
        m_hooks.busyChanged(true);
    return 0;
}

void H2ServerSession::onHeader(std::int32_t streamId, QByteArrayView name, QByteArrayView value)
{
    const auto it = m_streams.find(streamId);
    if (it == m_streams.end())
        return;
    if (name == ":method")
        it->second.headRequest = value == "HEAD";
    else if (name == ":path")
        it->second.redirectHop = RequestParser::redirectHopOf(value);
}

void H2ServerSession::onRequestComplete(std::int32_t streamId)
{
    const auto it = m_streams.find(streamId);
    if (it == m_streams.end() || it->second.requestDone)
        return;
    Stream &s = it->second;
    s.requestDone = true;
    s.responses = m_hooks.responses();
    const ServerConfig &config = s.responses->config();
    auto latency = std::max(config.latency, std::chrono::nanoseconds(0));
    if (config.jitter > std::chrono::nanoseconds(0)) {
        const double offset
            = (m_random->generateDouble() * 2.0 - 1.0) * double(config.jitter.count());
        latency = std::max(
            std::chrono::nanoseconds(0), latency + std::chrono::nanoseconds(qint64(offset)));
    }
    const auto headerDelay = std::max(config.headerDelay, std::chrono::nanoseconds(0));
    const auto now = Clock::now();
    s.bodyAt = saturatingAdd(now, std::chrono::duration_cast<Clock::duration>(latency));
    s.headAt = headerDelay.count() > 0
        ? saturatingAdd(now, std::chrono::duration_cast<Clock::duration>(headerDelay))
        : s.bodyAt;
    s.bodyAt = std::max(s.bodyAt, s.headAt);
    if (s.headAt <= now)
        submitResponse(streamId, s);
    else
        scheduleWake();
}

void H2ServerSession::submitResponse(std::int32_t streamId, Stream &s)
{
    const ServerConfig &config = s.responses->config();
    const int hop
        = config.redirects > 0 && s.redirectHop < config.redirects ? s.redirectHop + 1 : 0;
    const int status = hop > 0 ? config.redirectStatus : config.status;
    const bool noBody = status == 204 || status == 304;
    // The HTTP/1.0 keep-alive variant always carries the plain body (never chunk-encoded).
    s.body = noBody ? QByteArray() : s.responses->ok(false, true, false).body;
    s.submitted = true;
    s.deferred = Clock::now() < s.bodyAt;
    ++m_shared->requests;

    static const QByteArray kStatus(":status"), kLength("content-length"), kType("content-type"),
        kLocation("location"), kTextPlain("text/plain; charset=utf-8");
    const QByteArray statusText = QByteArray::number(status);
    const QByteArray lengthText = QByteArray::number(s.body.size());
    const QByteArray location = QByteArrayLiteral("/redirect/") + QByteArray::number(hop);
    std::vector<nghttp2_nv> headers { header(kStatus, statusText) };
    if (!noBody) {
        headers.push_back(header(kType, kTextPlain));
        headers.push_back(header(kLength, lengthText));
    }
    if (hop > 0)
        headers.push_back(header(kLocation, location));
    nghttp2_data_provider provider {};
    provider.read_callback = H2Callbacks::readBody;
    const bool withData = !s.headRequest && !s.body.isEmpty();
    if (nghttp2_submit_response(
            m_session, streamId, headers.data(), headers.size(), withData ? &provider : nullptr)
        != 0) {
        nghttp2_submit_rst_stream(m_session, NGHTTP2_FLAG_NONE, streamId, NGHTTP2_INTERNAL_ERROR);
    }
}

long H2ServerSession::readBody(
    std::int32_t streamId, std::uint8_t *buffer, std::size_t length, std::uint32_t *flags)
{
    const auto it = m_streams.find(streamId);
    if (it == m_streams.end()) {
        *flags |= NGHTTP2_DATA_FLAG_EOF;
        return 0;
    }
    Stream &s = it->second;
    if (s.deferred) {
        scheduleWake();
        return NGHTTP2_ERR_DEFERRED;
    }
    const qsizetype n = std::min(qsizetype(length), s.body.size() - s.offset);
    std::memcpy(buffer, s.body.constData() + s.offset, size_t(n));
    s.offset += n;
    if (s.offset >= s.body.size())
        *flags |= NGHTTP2_DATA_FLAG_EOF;
    return long(n);
}

void H2ServerSession::onStreamClose(std::int32_t streamId)
{
    if (m_streams.erase(streamId) == 0)
        return;
    --m_shared->streams;
    if (m_streams.empty())
        m_hooks.busyChanged(false);
}

void H2ServerSession::flush()
{
    if (m_flushing || m_dead || m_holding)
        return;
    m_flushing = true;
    while (!m_dead && m_hooks.pendingOutput() < kOutputHighWater) {
        const uint8_t *data = nullptr;
        const ssize_t n = nghttp2_session_mem_send(m_session, &data);
        if (n < 0) {
            m_flushing = false;
            fail();
            return;
        }
        if (n == 0)
            break;
        if (!m_hooks.write(reinterpret_cast<const char *>(data), qsizetype(n)))
            m_dead = true;
    }
    m_flushing = false;
    checkDone();
}

void H2ServerSession::fail()
{
    m_dead = true;
    if (!m_finishedCalled && !m_draining) {
        m_finishedCalled = true;
        m_hooks.finished();
    }
}

void H2ServerSession::checkDone()
{
    if (m_dead || m_finishedCalled || m_draining)
        return;
    if (nghttp2_session_want_read(m_session) == 0 && nghttp2_session_want_write(m_session) == 0) {
        m_finishedCalled = true;
        m_hooks.finished();
    }
}

} // namespace poolscope
