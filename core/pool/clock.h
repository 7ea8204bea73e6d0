#pragma once

#include "pool_types.h"

namespace poolscope {

// Time source of the pool. The engine uses a steady clock since run start;
// tests use FakeClock and move time by hand.
class Clock
{
public:
    virtual ~Clock() = default;
    [[nodiscard]] virtual TimePoint now() const = 0;
};

class FakeClock final : public Clock
{
public:
    [[nodiscard]] TimePoint now() const override { return m_now; }
    void advance(Duration d) { m_now += d; }
    void set(TimePoint t) { m_now = t; }

private:
    TimePoint m_now { 0 };
};

} // namespace poolscope
