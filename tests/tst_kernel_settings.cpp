// KernelSettings against /proc/sys read independently, and the port-headroom arithmetic.
#include "kernel/kernel_settings.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace poolscope;

namespace {

QList<int> readSysctl(const QString &rel)
{
    QFile f(QStringLiteral("/proc/sys/") + rel);
    if (!f.open(QIODevice::ReadOnly)) {
        return {};
    }
    QList<int> values;
    const QStringList parts
        = QString::fromLatin1(f.readAll())
              .split(QRegularExpression(QStringLiteral("\\s+")), Qt::SkipEmptyParts);
    for (const QString &p : parts) {
        values.append(p.toInt());
    }
    return values;
}

bool writeFile(const QString &path, const QByteArray &data)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(data) == data.size();
}

} // namespace

class TstKernelSettings final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void matchesProcSys()
    {
        const KernelSettings s = KernelSettings::read();
        QVERIFY2(s.ok, qPrintable(s.error));
        QCOMPARE(
            s.keepaliveTime, readSysctl(QStringLiteral("net/ipv4/tcp_keepalive_time")).value(0));
        QCOMPARE(
            s.keepaliveIntvl, readSysctl(QStringLiteral("net/ipv4/tcp_keepalive_intvl")).value(0));
        QCOMPARE(s.keepaliveProbes,
            readSysctl(QStringLiteral("net/ipv4/tcp_keepalive_probes")).value(0));
        const QList<int> range = readSysctl(QStringLiteral("net/ipv4/ip_local_port_range"));
        QCOMPARE(range.size(), 2);
        QCOMPARE(s.portRangeLow, range[0]);
        QCOMPARE(s.portRangeHigh, range[1]);
        QCOMPARE(s.portRangeSize(), range[1] - range[0] + 1);
        QCOMPARE(s.finTimeout, readSysctl(QStringLiteral("net/ipv4/tcp_fin_timeout")).value(0));
        QCOMPARE(s.twReuse, readSysctl(QStringLiteral("net/ipv4/tcp_tw_reuse")).value(0));
        QCOMPARE(s.somaxconn, readSysctl(QStringLiteral("net/core/somaxconn")).value(0));
        QVERIFY(s.keepaliveTime > 0);
        QVERIFY(s.portRangeSize() > 0);
    }

    void fakeTreeAndErrors()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString root = dir.path();
        QVERIFY(QDir(root).mkpath(QStringLiteral("net/ipv4")));
        QVERIFY(QDir(root).mkpath(QStringLiteral("net/core")));
        QVERIFY(writeFile(root + QStringLiteral("/net/ipv4/tcp_keepalive_time"), "30\n"));
        QVERIFY(writeFile(root + QStringLiteral("/net/ipv4/tcp_keepalive_intvl"), "15\n"));
        QVERIFY(writeFile(root + QStringLiteral("/net/ipv4/tcp_keepalive_probes"), "4\n"));
        QVERIFY(
            writeFile(root + QStringLiteral("/net/ipv4/ip_local_port_range"), "40000\t40999\n"));
        QVERIFY(writeFile(root + QStringLiteral("/net/ipv4/tcp_fin_timeout"), "60\n"));
        QVERIFY(writeFile(root + QStringLiteral("/net/ipv4/tcp_tw_reuse"), "2\n"));
        // somaxconn missing, tcp_tw_reuse fine: ok=false, error names the missing file.
        KernelSettings s = KernelSettings::read(root);
        QVERIFY(!s.ok);
        QVERIFY2(s.error.contains(QStringLiteral("somaxconn")), qPrintable(s.error));
        QCOMPARE(s.somaxconn, -1);
        QCOMPARE(s.keepaliveTime, 30);
        QCOMPARE(s.keepaliveIntvl, 15);
        QCOMPARE(s.keepaliveProbes, 4);
        QCOMPARE(s.portRangeLow, 40000);
        QCOMPARE(s.portRangeHigh, 40999);
        QCOMPARE(s.portRangeSize(), 1000);
        QCOMPARE(s.twReuse, 2);

        QVERIFY(writeFile(root + QStringLiteral("/net/core/somaxconn"), "4096\n"));
        QVERIFY(writeFile(root + QStringLiteral("/net/ipv4/tcp_fin_timeout"), "abc\n"));
        s = KernelSettings::read(root);
        QVERIFY(!s.ok);
        QVERIFY2(s.error.contains(QStringLiteral("not a number")), qPrintable(s.error));
        QCOMPARE(s.finTimeout, -1);
        QCOMPARE(s.somaxconn, 4096);

        s = KernelSettings::read(root + QStringLiteral("/missing"));
        QVERIFY(!s.ok);
        QCOMPARE(s.portRangeSize(), 0);
    }

    void headroomArithmetic()
    {
        PortHeadroom h = PortHeadroom::compute(0, 28232);
        QCOMPARE(h.level, PortHeadroom::Ok);
        QCOMPARE(h.fraction, 0.0);

        h = PortHeadroom::compute(250, 1000);
        QCOMPARE(h.inUse, 250);
        QCOMPARE(h.rangeSize, 1000);
        QCOMPARE(h.fraction, 0.25);
        QCOMPARE(h.level, PortHeadroom::Ok);

        QCOMPARE(PortHeadroom::compute(499, 1000).level, PortHeadroom::Ok);
        QCOMPARE(PortHeadroom::compute(500, 1000).level, PortHeadroom::Warn);
        QCOMPARE(PortHeadroom::compute(849, 1000).level, PortHeadroom::Warn);
        QCOMPARE(PortHeadroom::compute(850, 1000).level, PortHeadroom::Critical);
        QCOMPARE(PortHeadroom::compute(1200, 1000).level, PortHeadroom::Critical);
        QCOMPARE(
            QByteArray(PortHeadroom::levelName(PortHeadroom::Critical)), QByteArray("critical"));

        // Unknown range: no fraction, no alarm.
        h = PortHeadroom::compute(100, 0);
        QCOMPARE(h.fraction, 0.0);
        QCOMPARE(h.level, PortHeadroom::Ok);
    }

    void headroomFromSample()
    {
        KernelSample sample;
        sample.available = true;
        sample.counts.byState[static_cast<std::size_t>(TcpState::Established)] = 10;
        sample.counts.byState[static_cast<std::size_t>(TcpState::TimeWait)] = 590;
        sample.counts.byState[static_cast<std::size_t>(TcpState::FinWait2)] = 100;
        sample.sockets.resize(5); // capped list: the counts decide, not the list
        KernelSettings settings;
        settings.portRangeLow = 60000;
        settings.portRangeHigh = 60999;
        PortHeadroom h = PortHeadroom::compute(sample, settings);
        QCOMPARE(h.inUse, 700);
        QCOMPARE(h.rangeSize, 1000);
        QCOMPARE(h.fraction, 0.7);
        QCOMPARE(h.level, PortHeadroom::Warn);

        sample.available = false;
        h = PortHeadroom::compute(sample, settings);
        QCOMPARE(h.inUse, 0);
        QCOMPARE(h.level, PortHeadroom::Ok);
    }
};

QTEST_GUILESS_MAIN(TstKernelSettings)
#include "tst_kernel_settings.moc"
