#include "socket_options.h"

#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

namespace poolscope {

namespace {

bool setInt(qintptr fd, int level, int name, int value, const char *what, QString *error)
{
    if (::setsockopt(static_cast<int>(fd), level, name, &value, sizeof value) == 0) {
        return true;
    }
    if (error) {
        *error = QStringLiteral("setsockopt(%1=%2): %3")
                     .arg(QLatin1String(what))
                     .arg(value)
                     .arg(QString::fromLocal8Bit(std::strerror(errno)));
    }
    return false;
}

bool getInt(qintptr fd, int level, int name, int *value, QString *error)
{
    socklen_t len = sizeof *value;
    if (::getsockopt(static_cast<int>(fd), level, name, value, &len) == 0) {
        return true;
    }
    if (error) {
        *error = QStringLiteral("getsockopt: %1").arg(QString::fromLocal8Bit(std::strerror(errno)));
    }
    return false;
}

} // namespace

QString applyDialSocketOptions(qintptr fd, const EffectiveKeepAlive &ka)
{
    QString refused;
    if (!setInt(fd, IPPROTO_TCP, TCP_NODELAY, 1, "TCP_NODELAY", &refused) || !ka.enable) {
        return refused; // Go leaves SO_KEEPALIVE off (kernel default) when KeepAlive < 0
    }
    const struct
    {
        int level;
        int name;
        int value;
        const char *what;
    } options[] = {
        { SOL_SOCKET, SO_KEEPALIVE, 1, "SO_KEEPALIVE" },
        { IPPROTO_TCP, TCP_KEEPIDLE, ka.idleSeconds, "TCP_KEEPIDLE" },
        { IPPROTO_TCP, TCP_KEEPINTVL, ka.intervalSeconds, "TCP_KEEPINTVL" },
        { IPPROTO_TCP, TCP_KEEPCNT, ka.count, "TCP_KEEPCNT" },
    };
    for (const auto &o : options) {
        if (o.value >= 0 && !setInt(fd, o.level, o.name, o.value, o.what, &refused)) {
            break;
        }
    }
    return refused;
}

bool readSocketKeepAlive(qintptr fd, SocketKeepAlive *out, QString *error)
{
    int on = 0;
    int nodelay = 0;
    if (!getInt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, error)
        || !getInt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &out->idleSeconds, error)
        || !getInt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &out->intervalSeconds, error)
        || !getInt(fd, IPPROTO_TCP, TCP_KEEPCNT, &out->count, error)
        || !getInt(fd, IPPROTO_TCP, TCP_NODELAY, &nodelay, error)) {
        return false;
    }
    out->enabled = on != 0;
    out->noDelay = nodelay != 0;
    return true;
}

} // namespace poolscope
