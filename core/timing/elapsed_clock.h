#pragma once

#include "pool/clock.h"

#include <QElapsedTimer>

namespace poolscope {

// The real Clock: monotonic nanoseconds since start() (QElapsedTimer); 0 before it.
// The engine restarts it at each run start; tests that need real time use it too.
class ElapsedClock final : public Clock
{
public:
    enum class StartNow : bool { No, Yes };
    explicit ElapsedClock(StartNow start = StartNow::No)
    {
        if (start == StartNow::Yes) {
            m_timer.start();
        }
    }
    void restart() { m_timer.start(); }
    [[nodiscard]] TimePoint now() const override
    {
        return m_timer.isValid() ? TimePoint(m_timer.nsecsElapsed()) : TimePoint { 0 };
    }

private:
    QElapsedTimer m_timer;
};

} // namespace poolscope
