#pragma once

#include <QStringList>

namespace poolscope {

// `poolscope lab [flags]`: the dead-peer lab. Starts the embedded server in a
// network namespace, pools connections to it, makes the server vanish without
// a FIN and prints, every half second, what the kernel and the pool do: keep-
// alive probes going out unanswered, then the kernel killing each connection
// (or, with keep-alive off, the dead connections sitting in the pool).
// Needs root. Exit codes: 0 done, 1 lab unavailable or failed, 2 bad flags.
int runLabCommand(const QStringList &args);

} // namespace poolscope
