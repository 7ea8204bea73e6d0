#pragma once

#include "server/hostile_mode.h"
#include "server/server_config.h"

#include <QByteArray>
#include <QRandomGenerator>
#include <chrono>
#include <vector>

namespace poolscope {

// The bytes and actions of one hostile response, as a list of steps the server worker
// carries out in order. A step either writes bytes, waits, or ends the connection.
struct HostileStep
{
    enum class Action : std::uint8_t {
        Send, // write `bytes`
        Wait, // wait `wait`, then go on
        Close, // FIN after what was written (a lingering close like any other)
        Reset, // RST (SO_LINGER 0), whatever is unsent or unread
        Hang, // do nothing more: the connection stays open until the client closes it
    };
    Action action = Action::Send;
    QByteArray bytes;
    std::chrono::nanoseconds wait { 0 };
};

struct HostilePlan
{
    std::vector<HostileStep> steps;
};

// The server's answer to one request in `mode` (not None) under `config` (body size,
// status). Random bytes come from `random` (the server's seeded generator). A HEAD
// request gets the same bytes: a hostile server does not care.
[[nodiscard]] HostilePlan hostilePlan(
    HostileMode mode, const ServerConfig &config, QRandomGenerator *random);

// Where a plan is carried out by the worker: the step to run next.
struct HostileRun
{
    HostilePlan plan;
    std::size_t next = 0;
};

} // namespace poolscope
