#pragma once

#include "pool/transport_config.h"

#include <QString>

namespace poolscope {

// Applies Go's dial-time socket options to a connected TCP socket: TCP_NODELAY
// (Go sets it on every TCPConn) and the resolved keep-alive settings
// (SO_KEEPALIVE, TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT; -1 fields are left
// alone, as Go leaves them). Returns false and sets *error on a failed setsockopt.
bool applyDialSocketOptions(
    qintptr fd, const EffectiveKeepAlive &keepAlive, QString *error = nullptr);

// What the kernel reports for the socket now (getsockopt), for tests and the UI.
struct SocketKeepAlive
{
    bool enabled = false;
    int idleSeconds = 0;
    int intervalSeconds = 0;
    int count = 0;
    bool noDelay = false;
};
bool readSocketKeepAlive(qintptr fd, SocketKeepAlive *out, QString *error = nullptr);

} // namespace poolscope
