// Transport on GOMAXPROCS engine threads (Transport::spreadOver). The single event loop
// (GOMAXPROCS = 1) never comes here: every hook below returns false at once when the
// Transport is not spread, and the code in transport.cpp goes on as it always did.
//
// Go 1.19 runs a caller's round trip across goroutines: the caller takes an idle
// connection or a dial under idleMu, sends the request to the persistConn's writeLoop,
// and the readLoop (on whatever P is free) reads the response, puts the connection back
// with tryPutIdleConn under idleMu and wakes the caller, which runs next on that P. Here:
// a connection lives on one engine thread (its socket's, round robin); the Pool and the
// Transport's maps are shared under PoolLock; a request handed to a connection on
// another thread is sent from that thread, and a round trip's result goes to the handler
// in the thread where it ended, so the caller goes on there (its next getConn included).
// Callers thus move between threads as goroutines move between Ps, connections come back
// on one thread while callers run on another, and returns can bunch up as Go's do.
#include "engine_threads.h"
#include "transport.h"

#include <QThread>
#include <chrono>

namespace poolscope {

void Transport::spreadOver(EngineThreads *threads, PoolLock *lock)
{
    m_threads = threads;
    m_lock = lock;
    m_contexts.assign(1, this);
    m_deferred.assign(static_cast<std::size_t>(threads->count()), {});
    m_deferredPosted.assign(static_cast<std::size_t>(threads->count()), false);
    for (int i = 1; i < threads->count(); ++i) {
        auto *context = new QObject;
        context->moveToThread(threads->thread(i));
        m_contexts.push_back(context);
    }
}

bool Transport::onThread(int thread) const
{
    return m_threads->thread(thread) == QThread::currentThread();
}

quint16 Transport::localPort(const Conn &c) const
{
    return threaded() ? c.localPort : c.conn->localPort();
}

PoolLock::Guard Transport::guard()
{
    return m_lock != nullptr ? m_lock->guard() : PoolLock::Guard();
}

namespace {
// Connection callbacks (Transport::Entry) nested on this thread right now.
thread_local int t_entryDepth = 0;
} // namespace

Transport::Entry::~Entry()
{
    if (owner != nullptr) {
        owner->leave(*this);
    }
}

Transport::Entry Transport::enter(const Connection &c)
{
    if (!threaded()) {
        return Entry { guard(), true };
    }
    PoolLock::Guard g = guard();
    ++t_entryDepth;
    const auto it = m_conns.find(c.id());
    const bool live = !m_closing && it != m_conns.end() && it->second.conn.get() == &c;
    return Entry { std::move(g), live, this };
}

void Transport::leave(Entry &e)
{
    if (--t_entryDepth > 0 || m_closing) {
        return;
    }
    const int here = m_threads->current();
    if (here < 0 || m_deferred[static_cast<std::size_t>(here)].empty()) {
        return;
    }
    // Go: the readLoop put the connection back (idleMu released) and woke its caller, which
    // runs next on this P and takes idleMu again for its next getConn; another P may get
    // the lock in between.
    e.guard.unlock();
    // The caller's own work before its getConn takes Go a few microseconds: a thread already
    // waiting for the lock gets it first (bounded, so a thread that never comes cannot hold
    // the caller up).
    const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(20);
    while (m_lock->contended() && std::chrono::steady_clock::now() < until) { }
    const PoolLock::Guard g = guard();
    t_entryDepth = 1; // what the callers start does not run callers itself
    while (!m_deferred[static_cast<std::size_t>(here)].empty()) {
        deliverDeferredOf(here);
    }
    t_entryDepth = 0;
}

void Transport::post(int thread, std::function<void()> f)
{
    QMetaObject::invokeMethod(
        m_contexts[static_cast<std::size_t>(thread)], std::move(f), Qt::QueuedConnection);
}

bool Transport::dialElsewhere(ConnId id, Conn &conn)
{
    if (!threaded()) {
        return false;
    }
    conn.thread = static_cast<int>(id % static_cast<ConnId>(m_threads->count()));
    Connection *c = conn.conn.get();
    if (onThread(conn.thread)) {
        c->dial();
        return true;
    }
    // The socket is made in its own thread (the dial goroutine).
    post(conn.thread, [this, id, c] {
        const Entry e = enter(*c);
        if (e.live && m_conns.at(id).conn.get() == c) {
            c->dial();
        }
    });
    return true;
}

void Transport::send(Connection &c, const PoolAction &a, const RequestTemplate &request)
{
    c.sendRequest(request, m_config.responseHeaderTimeout, m_config.expectContinueTimeout,
        m_config.effectiveMaxResponseHeaderBytes());
    if (c.phase() != Connection::Phase::Closed) {
        emitEvent(EventType::WroteRequest, a.conn, a.req, a.host);
    }
}

bool Transport::sendElsewhere(
    const PoolAction &a, Conn &conn, const std::shared_ptr<const RequestTemplate> &request)
{
    if (!threaded() || onThread(conn.thread)) {
        return false;
    }
    // Go's roundTrip: pc.writech <- writeRequest{...}; the writeLoop writes it.
    Connection *c = conn.conn.get();
    post(conn.thread, [this, a, c, request] {
        const Entry e = enter(*c);
        // Still ours and still serving the request it was handed for (not canceled).
        const auto on = m_onConn.find(a.conn);
        if (e.live && on != m_onConn.end() && m_trips.at(on->second).req == a.req) {
            send(*c, a, *request);
        }
    });
    return true;
}

bool Transport::retire(Conn &conn)
{
    if (!threaded() || (conn.thread == 0 && onThread(0))) {
        return false; // closed in thread 0 from thread 0: the graveyard, as before
    }
    Connection *c = conn.conn.release();
    if (onThread(conn.thread)) {
        c->close(); // inside one of its own callbacks: deleted on the next turn
        m_threads->post(conn.thread, [c] { delete c; });
        return true;
    }
    // Its socket belongs to its thread. Callbacks it makes until then find it gone (enter).
    m_threads->post(conn.thread, [c] {
        c->close();
        delete c;
    });
    return true;
}

void Transport::postHere(std::function<void()> f)
{
    if (!threaded()) {
        QMetaObject::invokeMethod(this, std::move(f), Qt::QueuedConnection);
        return;
    }
    const int here = m_threads->current();
    post(here < 0 ? 0 : here, std::move(f));
}

bool Transport::deferResult(const RoundTripResult &r)
{
    if (!threaded()) {
        return false;
    }
    // Go: the readLoop (or whoever ended the round trip) makes the caller runnable and it
    // runs next on that P, in a critical section of its own: the pool is unlocked in
    // between, and another P may put or take connections meanwhile. Here: the caller goes
    // on in a later turn of this thread's loop, the lock released in between.
    const int here = std::max(m_threads->current(), 0);
    const auto i = static_cast<std::size_t>(here);
    m_deferred[i].push_back(r);
    if (!m_deferredPosted[i]) {
        m_deferredPosted[i] = true;
        post(here, [this, here] {
            const PoolLock::Guard g = guard();
            deliverDeferredOf(here);
        });
    }
    return true;
}

void Transport::deliverDeferredOf(int thread)
{
    const auto i = static_cast<std::size_t>(thread);
    m_deferredPosted[i] = false;
    std::vector<RoundTripResult> results;
    results.swap(m_deferred[i]);
    for (const RoundTripResult &r : results) {
        m_handler.onRoundTripDone(r);
    }
}

void Transport::deliverDeferred()
{
    for (std::size_t i = 0; i < m_deferred.size(); ++i) {
        while (!m_deferred[i].empty()) {
            deliverDeferredOf(static_cast<int>(i));
        }
    }
}

bool Transport::rearmElsewhere()
{
    if (!threaded() || onThread(0)) {
        return false;
    }
    // The idle and leak timers are thread 0's: it re-arms them from the pool's state.
    if (!m_rearmPosted) {
        m_rearmPosted = true;
        post(0, [this] {
            const PoolLock::Guard g = guard();
            m_rearmPosted = false;
            if (!m_closed) {
                rearmIdleTimer();
            }
            if (!m_leakDeadlines.empty()) {
                const Duration wait
                    = std::max(Duration::zero(), m_leakDeadlines.begin()->first - m_clock.now());
                m_leakTimer.start(std::chrono::ceil<std::chrono::milliseconds>(wait));
            }
        });
    }
    return true;
}

void Transport::noteConnected(Connection &c)
{
    if (threaded()) {
        m_conns.at(c.id()).localPort = c.localPort();
    }
}

bool Transport::lostBeforeSend(Connection &c, CloseReason reason)
{
    if (!threaded() || m_onConn.count(c.id()) == 0) {
        return false;
    }
    // Handed to a request whose send is still on its way to this thread when the idle
    // connection broke: Go's roundTrip finds pc closed, nothing written (retried if the
    // connection was reused, which it was: it was idle).
    ConnectionFailure f;
    f.reason = reason;
    f.message = reason == CloseReason::ServerClosedIdle
        ? QStringLiteral("http: server closed idle connection")
        : QString::fromLatin1(closeReasonLabel(reason).data(),
            static_cast<qsizetype>(closeReasonLabel(reason).size()));
    f.nothingWritten = true;
    onConnectionFailed(c, f);
    return true;
}

void Transport::shutDownThreads()
{
    if (!threaded()) {
        return;
    }
    {
        const PoolLock::Guard g = guard();
        m_closing = true; // from now on every callback and posted call is ignored
    }
    // Without the lock: each thread deletes its own connections (quietly) and our context
    // there, so nothing of ours is left to run in it.
    for (int i = 1; i < m_threads->count(); ++i) {
        m_threads->runBlocking(i, [this, i] {
            std::vector<std::unique_ptr<Connection>> mine;
            {
                const PoolLock::Guard g = guard();
                for (auto &[id, conn] : m_conns) {
                    if (conn.thread == i && conn.conn) {
                        mine.push_back(std::move(conn.conn));
                    }
                }
            }
            mine.clear();
            delete m_contexts[static_cast<std::size_t>(i)];
        });
    }
    m_contexts.clear();
}

} // namespace poolscope
