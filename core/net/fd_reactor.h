#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <vector>

class QSocketNotifier;
class QTimer;

namespace poolscope {

// What a watched descriptor or an armed deadline calls back. The callback may forget,
// disarm, or destroy the client (and other clients): the reactor never touches a client
// after it was forgotten, even for events already read in the same batch.
class ReactorClient
{
public:
    virtual void onFdReady(std::uint32_t epollEvents) = 0;
    virtual void onDeadline() = 0;

protected:
    ~ReactorClient() = default;
};

// One per thread: readiness of raw descriptors from one epoll instance, watched by a
// single QSocketNotifier, and the connections' deadlines (dial, response
// header, 100-continue) in one ordered map behind a single QTimer. A plain-HTTP
// connection then costs no QObject at all: no QTcpSocket, socket engine, notifiers or
// QTimer per dial (bench/README.md, "Churn against ab -c 8").
// Used only from its own thread (a connection's descriptor never leaves its thread).
class FdReactor final
{
public:
    using TimePoint = std::chrono::steady_clock::time_point;

    // An armed deadline; lives in the client. Disarm it (or let it fire) before the
    // client goes.
    class Deadline
    {
    public:
        explicit Deadline(ReactorClient &client) : m_client(&client) { }
        [[nodiscard]] bool armed() const { return m_armed; }

    private:
        friend class FdReactor;
        ReactorClient *m_client;
        bool m_armed = false;
        std::multimap<TimePoint, Deadline *>::iterator m_it;
    };

    // This thread's reactor, created on first use; each acquire() is paired with one
    // release(). It lives until the thread's QThread finished and its last user released.
    static FdReactor *acquire();
    void release();

    // Watches fd for the epoll events given (EPOLLIN, EPOLLOUT, EPOLLET...) until forget.
    // Returns a handle >= 0, or -errno (epoll_create1 or epoll_ctl failed, e.g. -EMFILE).
    [[nodiscard]] int watch(int fd, std::uint32_t events, ReactorClient &client);
    // Call right before closing the descriptor: close() itself takes it out of the epoll
    // set (no EPOLL_CTL_DEL, one syscall less per connection). Should a forked child
    // still hold a copy until it execs, events of the old registration may still come:
    // they no longer match the handle's generation and are dropped. Edge-triggered
    // registrations only (a level-triggered stale one would be reported on every turn).
    void forget(int handle);

    void arm(Deadline &d, TimePoint when);
    void disarm(Deadline &d);

    ~FdReactor();
    FdReactor(const FdReactor &) = delete;
    FdReactor &operator=(const FdReactor &) = delete;

private:
    FdReactor();
    bool ensureEpoll();
    void onEpollReadable();
    void onTimer();
    void startTimer(TimePoint now);
    void threadFinished();

    struct Slot
    {
        ReactorClient *client = nullptr;
        std::uint32_t generation = 0;
    };

    int m_epollFd = -1;
    std::unique_ptr<QSocketNotifier> m_notifier;
    std::unique_ptr<QTimer> m_timer;
    TimePoint m_timerAt = TimePoint::max(); // when m_timer fires; max = stopped
    std::vector<Slot> m_slots; // epoll_event.data.u64 = generation << 32 | index
    std::vector<std::uint32_t> m_freeSlots;
    std::multimap<TimePoint, Deadline *> m_deadlines;
    int m_users = 0;
    bool m_threadDone = false;
};

} // namespace poolscope
