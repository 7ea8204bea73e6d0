#include "derived_figures.h"

#include <algorithm>

namespace poolscope {

std::uint64_t establishedConnections(const PoolCounters &p)
{
    const std::uint64_t notEstablished
        = p.dialFailures + static_cast<std::uint64_t>(std::max(p.now.dialing, 0));
    return p.dials > notEstablished ? p.dials - notEstablished : 0;
}

std::optional<double> requestsPerConnection(std::uint64_t gets, std::uint64_t established)
{
    if (established == 0) {
        return std::nullopt;
    }
    return static_cast<double>(gets) / static_cast<double>(established);
}

std::optional<double> requestsPerConnection(const PoolCounters &p)
{
    return requestsPerConnection(p.gets, establishedConnections(p));
}

std::array<std::uint64_t, 3> closesByFirstCloser(const PoolCounters &p)
{
    std::array<std::uint64_t, 3> split {};
    for (int i = 1; i < kCloseReasonCount; ++i) {
        const FirstCloser c = closeReasonInfo(static_cast<CloseReason>(i)).closer;
        split[static_cast<std::size_t>(c)] += p.closesByReason[static_cast<std::size_t>(i)];
    }
    return split;
}

} // namespace poolscope
