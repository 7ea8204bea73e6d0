#pragma once

#include "pool/pool_types.h"

#include <array>
#include <cstdint>
#include <optional>

namespace poolscope {

// Figures derived from the pool's counters, computed here once so the window,
// the CLI's table and its JSON never disagree.

// Connections established so far: dials that succeeded. Failed dials never
// carried a request, and a dial still in flight has not succeeded yet. Never
// decreases during a run, so differences between two snapshots count the
// connections established in between.
[[nodiscard]] std::uint64_t establishedConnections(const PoolCounters &p);

// Requests per connection as a Go user means it: connections handed to requests
// (httptrace GotConn, reused or fresh; a retried request counts once per
// connection it got) per connection established. nullopt when none was.
[[nodiscard]] std::optional<double> requestsPerConnection(
    std::uint64_t gets, std::uint64_t established);
[[nodiscard]] std::optional<double> requestsPerConnection(const PoolCounters &p);

// Closes split by who sends the first FIN and so holds the TIME_WAIT (each close reason's
// closer column in kCloseReasonTable), indexed by FirstCloser: [none, client, server].
[[nodiscard]] std::array<std::uint64_t, 3> closesByFirstCloser(const PoolCounters &p);

} // namespace poolscope
