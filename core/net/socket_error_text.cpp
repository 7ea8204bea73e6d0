#include "socket_error_text.h"

#include <cerrno>
#include <cstring>

namespace poolscope {

namespace {

// The causes Go's table and Qt agree on, worded by hand (strerror is locale-dependent).
QString knownErrnoText(int err)
{
    switch (err) {
    case EADDRNOTAVAIL:
        return QStringLiteral("cannot assign requested address");
    case ECONNREFUSED:
        return QStringLiteral("connection refused");
    case ECONNRESET:
        return QStringLiteral("connection reset by peer");
    case ETIMEDOUT:
        return QStringLiteral("connection timed out");
    case ENETUNREACH:
        return QStringLiteral("network is unreachable");
    case EHOSTUNREACH:
        return QStringLiteral("no route to host");
    case EPIPE:
        return QStringLiteral("broken pipe");
    default:
        return {};
    }
}

// errno is a thread's last failure, maybe another socket's: trust only what the failing
// call can return (a stale EADDRNOTAVAIL from an earlier dial must not name a read error).
bool plausible(int err, bool dialing)
{
    if (dialing) {
        return err == EADDRNOTAVAIL || err == ECONNREFUSED || err == ECONNRESET || err == ETIMEDOUT
            || err == ENETUNREACH || err == EHOSTUNREACH;
    }
    return err == ECONNRESET || err == ETIMEDOUT || err == EPIPE;
}

} // namespace

QString goErrnoText(int err)
{
    QString text = knownErrnoText(err);
    if (text.isEmpty()) {
        text = QString::fromLocal8Bit(std::strerror(err)).toLower();
    }
    return text;
}

QString goSocketErrorText(
    QAbstractSocket::SocketError qtError, int sysErrno, const QString &qtText, bool dialing)
{
    const QString op = dialing ? QStringLiteral("connect: ") : QStringLiteral("read: ");
    if (plausible(sysErrno, dialing)) {
        return op + goErrnoText(sysErrno);
    }
    switch (qtError) {
    case QAbstractSocket::ConnectionRefusedError:
        return op + goErrnoText(ECONNREFUSED);
    case QAbstractSocket::RemoteHostClosedError:
    case QAbstractSocket::UnknownSocketError:
        return QStringLiteral("EOF"); // no cause known: the peer's FIN, io.EOF
    default:
        break;
    }
    return qtText;
}

} // namespace poolscope
