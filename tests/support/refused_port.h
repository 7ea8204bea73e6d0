// A loopback port nothing listens on: bound once to learn a free one, then closed.
#pragma once

#include <QHostAddress>
#include <QTcpServer>

namespace poolscope::testsupport {

// 0 when no port could be bound.
inline quint16 refusedPort()
{
    QTcpServer s;
    if (!s.listen(QHostAddress::LocalHost, 0)) {
        return 0;
    }
    const quint16 port = s.serverPort();
    s.close();
    return port;
}

} // namespace poolscope::testsupport
