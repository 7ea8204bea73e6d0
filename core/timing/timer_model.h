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

// How paced callers (a rate, LoadConfig::rate) arrive; the rate is the mean either way.
enum class ArrivalModel : std::uint8_t {
    // Like a Go program that paces each worker with time.Sleep until its own next slot
    // (every workers / rate seconds from the worker's start, catching up when late): the
    // workers' slots coincide, so they wake together, through the think-time timer model
    // (TimerModel::Go by default, whose millisecond wake-ups bunch them further).
    Go,
    // Traffic from outside: exponential gaps between arrivals over all workers (a Poisson
    // process), drawn from a seeded generator; the next free worker takes the next arrival,
    // and arrivals no worker was free for queue until one is (the stream never waits).
    Poisson,
    // Evenly spaced slots over all workers, woken to the nanosecond: the least bursty
    // arrival there is (PoolScope's only model before issue 13). A slot no worker was free
    // for moves the stream back to when one is.
    Exact,
};

} // namespace poolscope
