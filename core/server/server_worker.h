#pragma once

#include "server/hostile_responses.h"
#include "server/prepared_responses.h"
#include "server/request_parser.h"
#include "server/server_shared_state.h"
#include "timing/wake_queue.h"

#include <QRandomGenerator>
#include <QSslConfiguration>
#include <QTcpServer>
#include <array>
#include <chrono>
#include <memory>
#include <unordered_map>
#include <vector>

class QSocketNotifier;
class QSslSocket;
class QTimer;

namespace poolscope {

class H2ServerSession;

// The embedded server's engine room: lives in the server thread and does all socket work
// there. EmbeddedServer is its thread-safe facade; nothing else talks to it.
//
// Benchmarks hold 10,000 idle keep-alive connections while driving others hard, so plain TCP
// connections are raw non-blocking descriptors in the worker's own epoll set, watched by a
// single QSocketNotifier on the epoll descriptor: Qt's event dispatchers poll() every
// registered notifier on every loop iteration, which with one notifier (or QTcpSocket) per
// connection cut throughput five-fold at 10,000 idle connections; a QTcpSocket also pins a
// 16 KiB read-buffer chunk each. TLS connections use QSslSocket (they are few). Delayed
// responses (latency, jitter, header delay) wake through one timerfd with nanosecond
// resolution (WakeQueue), so a 300 us latency is 300 us, not a millisecond timer's 1 ms.
// Idle timeouts use one timer for the whole server and an intrusive list of idle
// connections in last-activity order.
//
// Server-side closes are "lingering" like nginx's and Go's: flush, shutdown(SHUT_WR) so the
// client sees a FIN, keep discarding input until the client closes too (or kLinger passes),
// then close. Closing outright with unread input would send an RST that can destroy the last
// response in the client's receive queue.
class ServerWorker final : public QTcpServer
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ServerWorker)

public:
    // How long a half-closed connection waits for the client's FIN before it is closed anyway.
    static constexpr std::chrono::milliseconds kLinger { 2000 };
    // Qt read buffer bound per TLS connection: a client pipelining behind a slow response is
    // held back by TCP flow control instead of growing our memory.
    static constexpr qint64 kReadBufferLimit = 256 * 1024;
    // Stop parsing pipelined requests while this much response data waits for the client to
    // read it (the kernel send buffer is full); resume when it has drained.
    static constexpr qsizetype kOutputHighWater = 1024 * 1024;

    explicit ServerWorker(ServerSharedState *shared);
    ~ServerWorker() override;

    // All of these run in the server thread.
    bool listenOn(const QHostAddress &address, quint16 port, QString *error);
    // Stops listening and closes every connection; the worker can then be deleted from any
    // thread once its thread has finished.
    void shutdown();
    // Closes idle connections now and busy ones right after their current response.
    void closeAll();
    // Picks up a new config at once (idle timer) rather than at the next request.
    void applyConfig();

protected:
    void incomingConnection(qintptr socketDescriptor) override;

private:
    using Clock = std::chrono::steady_clock;

    // A response waiting for its latency or header delay.
    struct Pending
    {
        std::shared_ptr<const PreparedResponses> responses; // the config it was decided under
        Clock::time_point headAt; // when to send the head (== bodyAt: send everything at once)
        Clock::time_point bodyAt;
        bool headRequest = false;
        bool http10Client = false;
        bool close = false;
        int redirectTo = 0; // ServerConfig::redirects: the hop it redirects to, 0 = none
        bool headSent = false;
    };

    struct Connection;

    // Intrusive doubly linked list of connections ordered by their `since` time, so a timeout
    // sweep only looks at the front. A connection is in at most one list at a time.
    struct ConnectionList
    {
        Connection *head = nullptr;
        Connection *tail = nullptr;
        void pushBack(Connection *c);
        void remove(Connection *c);
    };

    struct Connection
    {
        // Exactly one transport: a raw descriptor (plain TCP) or a QSslSocket (TLS).
        int fd = -1;
        quint32 epollEvents = 0; // the interest currently registered in m_epollFd
        bool reading = true; // want EPOLLIN (off while a response is pending)
        QByteArray output; // plain TCP bytes the kernel has not accepted yet (EPOLLOUT while set)
        QSslSocket *ssl = nullptr;

        RequestParser parser;
        // Input read but not parsed yet because a response is pending (pipelining behind a
        // delayed response); at most one read's worth.
        QByteArray stash;
        Pending pending;
        int wakeSlot = -1; // key in m_wake, taken on the first delayed response only
        ConnectionList *list = nullptr; // m_idle or m_lingering, or none while busy
        Connection *prev = nullptr;
        Connection *next = nullptr;
        Clock::time_point since; // last activity (idle list) or half-close time (linger list)
        int requestsServed = 0;
        qint64 responseBytesWritten = 0; // of the current response, for dropAfterBytes
        bool busy = false; // a response is pending
        bool closing = false; // the server decided to close; counted in closedByServer
        bool halfClosePending = false; // closing, waiting for the output to drain
        bool closeAfterResponse = false; // closeAll() while busy
        bool finished = false; // gone; the struct is erased on the next event loop turn
        // HTTP/2 (server_worker_h2.cpp): set once the connection negotiated h2 by ALPN or
        // opened with the h2c preface; it then owns the connection's input and output.
        std::unique_ptr<H2ServerSession> h2;
        bool prefaceChecked = false; // h2c: the first bytes were looked at
        // A hostile response being carried out (ServerConfig::hostile); input is discarded
        // meanwhile and the connection serves no other request.
        std::unique_ptr<HostileRun> hostile;
    };

    void refreshConfig();
    Connection *addConnection(std::unique_ptr<Connection> connection);

    // Transport: the only functions that look at fd/ssl.
    // > 0 bytes read, 0 nothing available now, -1 the peer closed or reset the connection.
    qint64 readSome(Connection *c, char *buffer, qint64 size);
    void send(Connection *c, const char *data, qsizetype size);
    void send(Connection *c, const QByteArray &bytes);
    [[nodiscard]] qint64 pendingOutput(const Connection *c) const;
    void setReading(Connection *c, bool enabled);
    void updateEpoll(Connection *c);
    void onEpollReady();
    void onWritable(Connection *c);
    void onOutputDrained(Connection *c);
    void halfClose(Connection *c);
    // Closes the transport at once (RST if unread input remains) and finishes the connection.
    void abortConnection(Connection *c);
    void releaseTransport(Connection *c);

    void processInput(Connection *c);
    // Reads and drops input on a connection we are closing, until the client's EOF.
    void discardLingeringInput(Connection *c);
    // Feeds data to c's parser and acts on each result, until the data is used up or c
    // must wait (busy with a response, closing, finished). Returns the bytes used.
    qsizetype parseRequests(Connection *c, const char *data, qsizetype size);
    void onRequestComplete(Connection *c);
    void sendPending(Connection *c);
    void writeResponse(Connection *c, const PreparedResponses &responses,
        const PreparedResponse &response, bool sendHead, bool sendBody, bool close);
    // Writes bytes of a response, honouring dropAfterBytes; false if the connection was
    // dropped.
    bool writeCounted(Connection *c, const QByteArray &bytes, int dropAfterBytes);
    void finishResponse(Connection *c, bool close);
    void closeByServer(Connection *c, bool idleTimeout);
    // The connection is gone (peer closed, error, or our close completed).
    void onGone(Connection *c);
    void armConnectionTimer(Connection *c, Clock::time_point at);
    void cancelConnectionTimer(Connection *c);
    void markIdle(Connection *c);
    // Accepts what the listening socket holds (our own loop: Qt 6.4 treats EMFILE as a
    // temporary error and would retry at once, spinning a core).
    void acceptPending();
    // HTTP/2 hooks, in server_worker_h2.cpp.
    // The TLS configuration for a new connection: ALPN offers h2 when ServerConfig::http2.
    [[nodiscard]] QSslConfiguration tlsConfigurationFor(const ServerConfig &config) const;
    // After the TLS handshake: h2 when the client picked it.
    void onEncrypted(Connection *c);
    // h2c prior knowledge: true when the connection's first bytes are the HTTP/2 preface; the
    // connection then speaks h2 and `data` went to its session.
    bool maybeStartH2c(Connection *c, const char *data, qsizetype size);
    void startH2(Connection *c);
    void processH2Input(Connection *c);
    void armListTimer(QTimer *timer, const ConnectionList &list, std::chrono::nanoseconds timeout);
    void onIdleTimer();
    void onLingerTimer();
    // Hostile responses (server_worker_hostile.cpp): start the plan for `mode`, run its steps
    // until one waits or ends the connection, and the RST that two of them end with.
    void startHostile(Connection *c, HostileMode mode);
    void runHostile(Connection *c);
    void resetByServer(Connection *c);

    ServerSharedState *m_shared;
    std::uint64_t m_generation = ~std::uint64_t(0);
    std::shared_ptr<const PreparedResponses> m_responses;
    QRandomGenerator m_random;
    QSslConfiguration m_sslConfiguration; // built on the first TLS connection
    bool m_sslTried = false;
    bool m_acceptErrorReported = false;
    QSocketNotifier *m_acceptNotifier = nullptr; // on the listening socket, replaces Qt's
    QTimer *m_acceptRetry = nullptr; // re-enables m_acceptNotifier after an accept error
    std::unordered_map<Connection *, std::unique_ptr<Connection>> m_connections;
    // steady_clock as the WakeQueue's Clock (both count CLOCK_MONOTONIC nanoseconds).
    class MonotonicClock final : public poolscope::Clock
    {
    public:
        [[nodiscard]] TimePoint now() const override
        {
            return TimePoint(std::chrono::steady_clock::now().time_since_epoch());
        }
    };
    MonotonicClock m_monotonic;
    WakeQueue *m_wake = nullptr; // made in the server thread on the first delayed response
    std::vector<Connection *> m_wakeSlots; // slot -> connection waiting on it, or nullptr
    std::vector<int> m_freeWakeSlots;
    ConnectionList m_idle; // keep-alive connections waiting for a request, least recent first
    ConnectionList m_lingering; // half-closed by us, waiting for the client's FIN
    QTimer *m_idleTimer = nullptr;
    QTimer *m_lingerTimer = nullptr;
    int m_epollFd = -1;
    QSocketNotifier *m_epollNotifier = nullptr;
    std::array<char, 16 * 1024> m_readBuffer {};
};

} // namespace poolscope
