#pragma once

#include "server/server_config.h"

#include <QMutex>
#include <atomic>
#include <cstdint>

namespace poolscope {

// State shared between EmbeddedServer (any thread) and its worker (the server thread).
// The config is guarded by the mutex; the worker notices a change through the generation
// counter, which it reads without locking on every request.
struct ServerSharedState
{
    mutable QMutex mutex;
    ServerConfig config; // guarded by mutex
    std::atomic<std::uint64_t> configGeneration { 0 };

    std::atomic<std::uint64_t> accepted { 0 };
    std::atomic<std::uint64_t> requests { 0 };
    std::atomic<std::uint64_t> errors { 0 };
    std::atomic<std::uint64_t> closedByServer { 0 };
    std::atomic<std::uint64_t> closedByClient { 0 };
    std::atomic<std::uint64_t> idleTimeouts { 0 };
    std::atomic<int> open { 0 };
    std::atomic<int> streams { 0 };

    [[nodiscard]] ServerConfig currentConfig() const
    {
        QMutexLocker locker(&mutex);
        return config;
    }
};

} // namespace poolscope
