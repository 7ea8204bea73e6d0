#pragma once

#include "pool/transport_config.h"

#include <QString>

namespace poolscope {

// Applies Go's dial-time socket options to a connected TCP socket: TCP_NODELAY
// (Go sets it on every TCPConn) and the resolved keep-alive settings
// (SO_KEEPALIVE, TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT; -1 fields are left
// alone, as Go leaves them). Like Go's Dialer, which ignores these errors, a
// refused option never fails the dial: the options after it are not set (Go
// returns at the first error) and the socket keeps the kernel's values for them,
// e.g. a KeepAlive over the kernel's 32767 s limit. Returns what was refused
// ("setsockopt(TCP_KEEPIDLE=36000): Invalid argument"), empty when all took.
[[nodiscard]] QString applyDialSocketOptions(qintptr fd, const EffectiveKeepAlive &keepAlive);

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
