#include "kernel/kernel_settings.h"

#include <QFile>
#include <algorithm>

namespace poolscope {

namespace {

// Reads whitespace-separated integers from a sysctl file into out[0..count).
bool readInts(const QString &path, int *out, int count, QString *error)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly | QIODevice::Text)) {
        *error = QStringLiteral("cannot read %1: %2").arg(path, f.errorString());
        return false;
    }
    // sysctl files are a line long; the cap keeps a bogus path from reading a huge file.
    const QList<QByteArray> fields = f.read(256).simplified().split(' ');
    if (fields.size() < count) {
        *error = QStringLiteral("%1: expected %2 number(s)").arg(path).arg(count);
        return false;
    }
    for (int i = 0; i < count; ++i) {
        bool ok = false;
        const int v = fields[i].toInt(&ok);
        if (!ok) {
            *error = QStringLiteral("%1: not a number: \"%2\"")
                         .arg(path, QString::fromLatin1(fields[i]));
            return false;
        }
        out[i] = v;
    }
    return true;
}

} // namespace

int KernelSettings::portRangeSize() const
{
    if (portRangeLow < 0 || portRangeHigh < portRangeLow) {
        return 0;
    }
    return portRangeHigh - portRangeLow + 1;
}

KernelSettings KernelSettings::read(const QString &procSysDir)
{
    KernelSettings s;
    QString firstError;
    auto one = [&](const char *rel, int *out, int count) {
        QString error;
        if (!readInts(procSysDir + QLatin1Char('/') + QLatin1String(rel), out, count, &error)) {
            for (int i = 0; i < count; ++i) {
                out[i] = -1;
            }
            if (firstError.isEmpty()) {
                firstError = error;
            }
        }
    };
    one("net/ipv4/tcp_keepalive_time", &s.keepaliveTime, 1);
    one("net/ipv4/tcp_keepalive_intvl", &s.keepaliveIntvl, 1);
    one("net/ipv4/tcp_keepalive_probes", &s.keepaliveProbes, 1);
    int range[2] = { -1, -1 };
    one("net/ipv4/ip_local_port_range", range, 2);
    s.portRangeLow = range[0];
    s.portRangeHigh = range[1];
    one("net/ipv4/tcp_fin_timeout", &s.finTimeout, 1);
    one("net/ipv4/tcp_tw_reuse", &s.twReuse, 1);
    one("net/core/somaxconn", &s.somaxconn, 1);
    s.ok = firstError.isEmpty();
    s.error = firstError;
    return s;
}

PortHeadroom PortHeadroom::compute(int inUse, int rangeSize)
{
    PortHeadroom h;
    h.inUse = std::max(0, inUse);
    h.rangeSize = std::max(0, rangeSize);
    if (h.rangeSize > 0) {
        h.fraction = static_cast<double>(h.inUse) / h.rangeSize;
    }
    if (h.fraction >= kCriticalFraction) {
        h.level = Critical;
    } else if (h.fraction >= kWarnFraction) {
        h.level = Warn;
    }
    return h;
}

PortHeadroom PortHeadroom::compute(const KernelSample &sample, const KernelSettings &settings)
{
    // Every state occupies the local port, TIME_WAIT included; the counts are exact even
    // when the socket list is capped.
    return compute(sample.available ? sample.counts.total() : 0, settings.portRangeSize());
}

const char *PortHeadroom::levelName(Level level)
{
    switch (level) {
    case Ok:
        return QT_TRANSLATE_NOOP("PortHeadroom", "ok");
    case Warn:
        return QT_TRANSLATE_NOOP("PortHeadroom", "warn");
    case Critical:
        return QT_TRANSLATE_NOOP("PortHeadroom", "critical");
    }
    return QT_TRANSLATE_NOOP("PortHeadroom", "ok");
}

} // namespace poolscope
