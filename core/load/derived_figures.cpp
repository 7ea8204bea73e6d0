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

} // namespace poolscope
