#pragma once

#include "pool/clock.h"
#include "timing/timer_model.h"

#include <functional>
#include <memory>

namespace poolscope {

class WakeQueue;

// Keyed one-shot wake-ups on the engine's clock: what ends a worker's pause. The engine
// uses WakeQueueSource (a timerfd); tests use a fake they fire by hand.
class WakeSource
{
public:
    using Handler = std::function<void(int key)>;
    virtual ~WakeSource() = default;
    virtual void setHandler(Handler handler) = 0;
    // Wakes `key` at `due`, replacing its earlier wake-up. Never calls the handler from
    // inside schedule(): a due or overdue wake-up comes on a later event-loop turn.
    virtual void schedule(int key, TimePoint due) = 0;
    // Drops every pending wake-up.
    virtual void clear() = 0;
};

// WakeSource over a WakeQueue (core/timing), made on first use in the thread that uses it
// first: its socket notifier belongs to that thread.
class WakeQueueSource final : public WakeSource
{
public:
    WakeQueueSource(const Clock &clock, TimerModel model);
    ~WakeQueueSource() override;
    WakeQueueSource(const WakeQueueSource &) = delete;
    WakeQueueSource &operator=(const WakeQueueSource &) = delete;

    // How the wait is rounded (TimerModel); applies to the next wake-up.
    void setModel(TimerModel model);
    void setHandler(Handler handler) override { m_handler = std::move(handler); }
    void schedule(int key, TimePoint due) override;
    void clear() override;

private:
    const Clock &m_clock;
    TimerModel m_model;
    Handler m_handler;
    std::unique_ptr<WakeQueue> m_queue;
};

} // namespace poolscope
