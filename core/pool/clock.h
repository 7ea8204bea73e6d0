#pragma once

#include "pool_types.h"

#include <chrono>
#include <cmath>
#include <limits>

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

// Saturating time arithmetic: every `now + d` with a configured `d` goes through these.
// A Go duration may be anything up to 2562047h (int64 nanoseconds, like ours), so a plain
// `now + d` is signed overflow (UB) for large values; these stop at the limits instead,
// and the limit means "never" to every caller.
template<class Rep, class Period>
[[nodiscard]] constexpr std::chrono::duration<Rep, Period> saturatingAdd(
    std::chrono::duration<Rep, Period> a, std::chrono::duration<Rep, Period> b)
{
    using D = std::chrono::duration<Rep, Period>;
    Rep sum {};
    if (__builtin_add_overflow(a.count(), b.count(), &sum)) {
        return b.count() > 0 ? D::max() : D::min();
    }
    return D(sum);
}

template<class Rep, class Period>
[[nodiscard]] constexpr std::chrono::duration<Rep, Period> saturatingSub(
    std::chrono::duration<Rep, Period> a, std::chrono::duration<Rep, Period> b)
{
    using D = std::chrono::duration<Rep, Period>;
    Rep diff {};
    if (__builtin_sub_overflow(a.count(), b.count(), &diff)) {
        return b.count() < 0 ? D::max() : D::min();
    }
    return D(diff);
}

template<class C, class D>
[[nodiscard]] constexpr std::chrono::time_point<C, D> saturatingAdd(
    std::chrono::time_point<C, D> t, D d)
{
    return std::chrono::time_point<C, D>(saturatingAdd(t.time_since_epoch(), d));
}

// `nanoseconds` (a double, e.g. 1e9 / rate) as a Duration: NaN is 0, anything beyond
// the range is Duration::max() (or min()), where a cast would be UB.
[[nodiscard]] inline Duration saturatingDuration(double nanoseconds)
{
    if (std::isnan(nanoseconds)) {
        return Duration::zero();
    }
    // 2^63 as a double; anything at or above it does not fit in an int64.
    constexpr double kLimit = 9223372036854775808.0;
    if (nanoseconds >= kLimit) {
        return Duration::max();
    }
    if (nanoseconds < -kLimit) {
        return Duration::min();
    }
    return Duration(static_cast<Duration::rep>(nanoseconds));
}

// The longest interval we give a QTimer: Qt 6.4's QTimer::start(std::chrono::milliseconds)
// truncates to int, so 2^31 ms (24.8 days) and beyond are disabled or wrap around (a
// 2^32 ms + 1 s timeout fired after 1 s). 24 days leaves room below INT_MAX for the whole
// second a coarse timer rounds its deadline up to (remainingTime() of an INT_MAX ms coarse
// timer is negative). Whoever needs longer re-arms when it fires early.
inline constexpr std::chrono::milliseconds kMaxTimerInterval { std::chrono::hours(24 * 24) };
static_assert(kMaxTimerInterval.count() < std::numeric_limits<int>::max());

// `d` as a QTimer interval: rounded up to whole milliseconds (never early), at least 0,
// at most kMaxTimerInterval.
[[nodiscard]] constexpr std::chrono::milliseconds timerInterval(Duration d)
{
    if (d <= Duration::zero()) {
        return std::chrono::milliseconds(0);
    }
    if (d >= Duration(kMaxTimerInterval)) {
        return kMaxTimerInterval;
    }
    return std::chrono::ceil<std::chrono::milliseconds>(d);
}

} // namespace poolscope
