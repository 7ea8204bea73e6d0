#pragma once

#include <cstdint>

namespace poolscope {

// How a sleeper wakes: a load worker from think time (LoadConfig::timers), the
// embedded server from a response's latency and rate pacing (always Precise).
enum class TimerModel : std::uint8_t {
    // Like time.Sleep in a Go program: an idle Go runtime waits for its next timer in
    // epoll_pwait with a timeout in whole milliseconds (the delay truncated, at least
    // 1 ms: runtime/netpoll_epoll.go; the kernel adds its 50 us timer slack) and then
    // runs every timer that is due. Sleeps overshoot and wake-ups bunch the way a Go
    // caller's do, which decides how often a free-running worker finds an idle
    // connection (tests/conformance).
    Go,
    // Nanosecond wake-ups (timerfd): sub-millisecond think time or latency as written.
    Precise,
};

} // namespace poolscope
