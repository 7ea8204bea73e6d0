// The dead-peer lab's workflow, shared by `poolscope lab` and the lab panel: when the
// kernel should kill a connection to a vanished peer (the formula both show), and the
// phases a caller walks through, as root with the poolscope binary serving inside the lab.
#include "kernel/dead_peer_lab.h"
#include "kernel/dead_peer_workflow.h"
#include "kernel/kernel_settings.h"
#include "support/lab_requirements.h"

#include <QSignalSpy>
#include <QTest>

using namespace poolscope;
using namespace std::chrono_literals;

Q_DECLARE_METATYPE(poolscope::EffectiveKeepAlive)

namespace {

// Linux's defaults: net.ipv4.tcp_keepalive_time / _intvl / _probes.
KernelSettings kernelDefaults()
{
    KernelSettings k;
    k.keepaliveTime = 7200;
    k.keepaliveIntvl = 75;
    k.keepaliveProbes = 9;
    return k;
}

EffectiveKeepAlive keepAliveOf(
    Duration keepAlive, KeepAliveConfig config = {}, GoVersion go = GoVersion::Go1_19)
{
    TransportConfig t = TransportConfig::goDefault();
    t.goVersion = go;
    t.keepAlive = keepAlive;
    t.keepAliveConfig = config;
    return t.effectiveKeepAlive();
}

} // namespace

class TestKernelDeadPeerWorkflow final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void killTimeIsIdlePlusIntervalTimesCount_data()
    {
        QTest::addColumn<EffectiveKeepAlive>("ka");
        QTest::addColumn<int>("seconds");
        // Go 1.19's net.Dialer default (KeepAlive 30 s): Idle and Interval 30 s, the
        // kernel's probe count (9 here).
        QTest::newRow("go default dialer") << keepAliveOf(30s) << 30 + 30 * 9;
        // Go 1.23: Idle 30 s, Interval 15 s, Count 9.
        QTest::newRow("go 1.23 default dialer")
            << keepAliveOf(30s, {}, GoVersion::Go1_23) << 30 + 15 * 9;
        // KeepAlive 0 means Go's default of 15 s.
        QTest::newRow("go KeepAlive 0") << keepAliveOf(Duration::zero()) << 15 + 15 * 9;
        QTest::newRow("go KeepAlive 1m") << keepAliveOf(1min) << 60 + 60 * 9;
        // Go rounds up to whole seconds, as setsockopt takes them.
        QTest::newRow("go KeepAlive 1500ms") << keepAliveOf(1500ms) << 2 + 2 * 9;
        QTest::newRow("go KeepAliveConfig 1s/1s/3")
            << keepAliveOf(30s, KeepAliveConfig { true, 1s, 1s, 3 }) << 1 + 1 * 3;
        // A negative KeepAliveConfig field leaves the socket option alone: the sysctl counts.
        QTest::newRow("kernel's interval and count")
            << keepAliveOf(30s, KeepAliveConfig { true, 10s, -1s, -1 }) << 10 + 75 * 9;
        QTest::newRow("all kernel defaults")
            << EffectiveKeepAlive { true, -1, -1, -1 } << 7200 + 75 * 9;
        QTest::newRow("keep-alive off") << keepAliveOf(-1s) << -1;
    }

    void killTimeIsIdlePlusIntervalTimesCount()
    {
        QFETCH(EffectiveKeepAlive, ka);
        QFETCH(int, seconds);
        QCOMPARE(DeadPeerWorkflow::expectedKillSeconds(ka, kernelDefaults()), seconds);
    }

    void unreadableSysctlMeansUnknown()
    {
        KernelSettings k = kernelDefaults();
        k.keepaliveIntvl = -1;
        QCOMPARE(
            DeadPeerWorkflow::expectedKillSeconds(EffectiveKeepAlive { true, 10, -1, 3 }, k), -1);
        // Not needed when Go sets the field itself.
        QCOMPARE(
            DeadPeerWorkflow::expectedKillSeconds(EffectiveKeepAlive { true, 10, 2, 3 }, k), 16);
    }

    void unavailableRefusesEveryStep()
    {
        DeadPeerWorkflow lab(QStringLiteral("needs root (test)"));
        QCOMPARE(lab.phase(), DeadPeerWorkflow::Phase::Unavailable);
        QString error;
        QVERIFY(!lab.setUp(QStringLiteral("/bin/false"), &error));
        QCOMPARE(error, QStringLiteral("the dead-peer lab is unavailable: needs root (test)"));
        QVERIFY(!lab.vanish(PoolCounters {}, &error));
        lab.tearDown();
        QCOMPARE(lab.phase(), DeadPeerWorkflow::Phase::Unavailable);
        QVERIFY(lab.namespaceName().isEmpty());
    }

    void serverThatNeverListensFailsAndLeavesNothing()
    {
        if (const QString why = poolscope::testsupport::labSkipReason(false); !why.isEmpty()) {
            QSKIP(qPrintable(why));
        }
        DeadPeerWorkflow lab { QString() }; // available: checked above
        QSignalSpy failed(&lab, &DeadPeerWorkflow::failed);
        QString error;
        // `false serve --listen ...` exits at once without a word.
        QVERIFY2(lab.setUp(QStringLiteral("/bin/false"), &error), qPrintable(error));
        QCOMPARE(lab.phase(), DeadPeerWorkflow::Phase::Starting);
        QVERIFY(failed.wait(DeadPeerWorkflow::kServerStartTimeoutMs + 5000));
        QVERIFY2(failed.first().first().toString().startsWith(
                     QStringLiteral("the lab server exited before listening")),
            qPrintable(failed.first().first().toString()));
        QCOMPARE(lab.phase(), DeadPeerWorkflow::Phase::Down);
        QVERIFY(lab.namespaceName().isEmpty());
    }

    void phasesWithTheRealServer()
    {
        if (const QString why = poolscope::testsupport::labSkipReason(true); !why.isEmpty()) {
            QSKIP(qPrintable(why));
        }
        const QString bin = qEnvironmentVariable("POOLSCOPE_BIN");
        DeadPeerWorkflow lab { QString() }; // available: checked above
        QSignalSpy listening(&lab, &DeadPeerWorkflow::listening);
        QString error;
        QVERIFY2(lab.setUp(bin, &error), qPrintable(error));
        QVERIFY(lab.namespaceName().startsWith(QStringLiteral("poolscope-")));
        QVERIFY(listening.wait(DeadPeerWorkflow::kServerStartTimeoutMs + 5000));
        QCOMPARE(lab.phase(), DeadPeerWorkflow::Phase::Up);
        QVERIFY2(lab.url().startsWith(QStringLiteral("http://10.")), qPrintable(lab.url()));
        QCOMPARE(listening.first().first().toString(), lab.url());

        // Two connections open at the vanishing; one later closes by keep-alive.
        PoolCounters atVanish;
        atVanish.now.idle = 2;
        atVanish.closed = 5;
        QVERIFY2(lab.vanish(atVanish, &error), qPrintable(error));
        QCOMPARE(lab.phase(), DeadPeerWorkflow::Phase::Vanished);
        PoolCounters later = atVanish;
        later.now.idle = 0;
        later.closed = 7;
        later.closesByReason[static_cast<std::size_t>(CloseReason::KeepAliveTimeout)] = 2;
        KernelSample kernel;
        kernel.sockets.resize(1);
        kernel.sockets[0].keepAliveProbes = 3;
        lab.observe(later, kernel);
        const DeadPeerWorkflow::Progress p = lab.progress(later);
        QCOMPARE(p.openAtVanish, 2);
        QCOMPARE(p.closed, std::uint64_t(2));
        QCOMPARE(p.closedByKeepAlive, std::uint64_t(2));
        QCOMPARE(p.maxProbes, 3);
        QVERIFY(p.allClosedAfterMs >= 0);

        QVERIFY2(lab.restore(&error), qPrintable(error));
        QCOMPARE(lab.phase(), DeadPeerWorkflow::Phase::Up);
        const QString ns = lab.namespaceName();
        lab.tearDown();
        QCOMPARE(lab.phase(), DeadPeerWorkflow::Phase::Down);
        QVERIFY(lab.url().isEmpty());
        QVERIFY(lab.namespaceName().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestKernelDeadPeerWorkflow)
#include "tst_kernel_dead_peer_workflow.moc"
