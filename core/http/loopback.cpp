#include "loopback.h"

#include "target.h"

namespace poolscope {

bool isLoopbackHost(const QString &host)
{
    if (host.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0) {
        return true;
    }
    QHostAddress address;
    return address.setAddress(host) && isLoopbackListenAddress(address);
}

bool isLoopbackUrl(const QString &url)
{
    const auto target = parseTarget(url);
    return target && isLoopbackHost(target->host);
}

bool isLoopbackListenAddress(const QHostAddress &address)
{
    bool mapped = false;
    const quint32 v4 = address.toIPv4Address(&mapped);
    if (mapped) {
        return QHostAddress(v4).isLoopback();
    }
    return address.isLoopback();
}

} // namespace poolscope
