#pragma once

#include "server/prepared_responses.h"
#include "server/server_shared_state.h"

#include <QByteArray>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>

struct nghttp2_session;
class QRandomGenerator;

namespace poolscope {

// The HTTP/2 side of one embedded-server connection, on nghttp2's server API (nghttp2 frames,
// parses, keeps the HPACK and flow-control state; we only decide what each stream answers and
// when). ServerWorker owns one per connection that negotiated "h2" by ALPN or opened with the
// h2c prior-knowledge preface, feeds it the bytes it reads and hands back what it writes.
//
// The per-request knobs apply per stream: latency and jitter (the response is submitted after
// them), headerDelay (HEADERS first, DATA at the latency), status, bodySize and redirects. The
// h2 knobs: SETTINGS_MAX_CONCURRENT_STREAMS (h2MaxConcurrentStreams), a GOAWAY after the Nth
// stream (h2GoAwayAfterStreams, nginx's keepalive_requests for h2: streams up to the Nth are
// answered, later ones refused, then the connection closes) and a delay before the server's
// SETTINGS (h2SettingsDelay; the client's bytes wait unread until then). HTTP/1-only knobs
// (chunked, http10, Connection: close, dropAfterBytes, malformed) do not apply.
//
// Lives in the server thread; no call is thread-safe.
class H2ServerSession final
{
public:
    using Clock = std::chrono::steady_clock;

    // How the session reaches its connection (ServerWorker supplies these).
    struct Hooks
    {
        // Hands bytes to the transport; false once the connection is gone.
        std::function<bool(const char *data, qsizetype size)> write;
        // Bytes written but not yet taken by the kernel (send back-pressure).
        std::function<qint64()> pendingOutput;
        // Call onWake() at (or soon after) this time; replaces the previous request.
        std::function<void(Clock::time_point at)> wakeAt;
        // The config in force now (the worker refreshes it).
        std::function<std::shared_ptr<const PreparedResponses>()> responses;
        // Streams in flight went from none to some (true) or back to none (false): the worker
        // keeps the connection off its idle list while busy.
        std::function<void(bool busy)> busyChanged;
        // The session is over (GOAWAY exchanged and every stream done, or a protocol error):
        // the worker closes the connection. Called once.
        std::function<void()> finished;
    };

    // Stop generating frames while this much output waits for the kernel.
    static constexpr qint64 kOutputHighWater = 1024 * 1024;
    // Client bytes held while the SETTINGS delay runs; more is a misbehaving client.
    static constexpr qsizetype kHeldInputLimit = 256 * 1024;

    H2ServerSession(Hooks hooks, ServerSharedState *shared, QRandomGenerator *random);
    ~H2ServerSession();
    H2ServerSession(const H2ServerSession &) = delete;
    H2ServerSession &operator=(const H2ServerSession &) = delete;

    // Sends the server's SETTINGS, at once or after ServerConfig::h2SettingsDelay.
    void start();
    // Bytes read from the client.
    void receive(const char *data, qsizetype size);
    // The time asked for with Hooks::wakeAt has come.
    void onWake();
    // The transport's output drained below the high-water mark: generate more frames.
    void onOutputDrained();
    // The server wants to close (idle timeout, closeAllConnections): GOAWAY naming the last
    // stream it accepted. True while streams are still being answered; Hooks::finished
    // follows once they are done. False when the caller should close the connection now
    // (Hooks::finished is then never called).
    [[nodiscard]] bool drain();
    [[nodiscard]] int openStreams() const { return int(m_streams.size()); }
    // Whether the first bytes of a cleartext connection are (a prefix of, at least 4 bytes)
    // the HTTP/2 client preface "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".
    [[nodiscard]] static bool startsWithPreface(const char *data, qsizetype size);

private:
    struct Stream
    {
        bool headRequest = false;
        int redirectHop = 0; // "/redirect/<k>" -> k, otherwise 0
        bool requestDone = false; // END_STREAM seen: the response is scheduled
        bool submitted = false; // HEADERS submitted
        bool deferred = false; // DATA waits for bodyAt
        Clock::time_point headAt;
        Clock::time_point bodyAt;
        std::shared_ptr<const PreparedResponses> responses; // the config it was decided under
        QByteArray body;
        qsizetype offset = 0;
    };

    // nghttp2 callbacks (static trampolines in the .cpp call these).
    int onBeginHeaders(std::int32_t streamId);
    void onHeader(std::int32_t streamId, QByteArrayView name, QByteArrayView value);
    void onRequestComplete(std::int32_t streamId);
    void onStreamClose(std::int32_t streamId);
    long readBody(
        std::int32_t streamId, std::uint8_t *buffer, std::size_t length, std::uint32_t *flags);

    void submitSettings();
    void submitResponse(std::int32_t streamId, Stream &s);
    void scheduleWake();
    void feed(const char *data, qsizetype size);
    void flush();
    void fail();
    void checkDone();

    Hooks m_hooks;
    ServerSharedState *m_shared;
    QRandomGenerator *m_random;
    nghttp2_session *m_session = nullptr;
    std::map<std::int32_t, Stream> m_streams;
    std::uint64_t m_streamsBegun = 0; // request streams accepted, for h2GoAwayAfterStreams
    std::int32_t m_goAwayLastStream = -1; // >= 0 once our GOAWAY is submitted
    bool m_holding = false; // SETTINGS delay running: input is held
    Clock::time_point m_settingsAt;
    QByteArray m_held;
    bool m_flushing = false;
    bool m_draining = false; // inside drain(): its caller closes, no Hooks::finished
    bool m_dead = false; // connection gone or session failed
    bool m_finishedCalled = false;

    friend struct H2Callbacks;
};

} // namespace poolscope
