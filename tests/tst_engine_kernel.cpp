// The engine's kernel view: TIME_WAIT from the sock_diag watcher agrees with
// `ss`, the per-host idle cap makes it pile up and raising the cap stops it,
// and keep-alive timers show on pooled connections, matched by local port.
#include "load/engine_controller.h"
#include "server/embedded_server.h"

#include <QProcess>
#include <QTest>

using namespace poolscope;
using namespace std::chrono_literals;

namespace {

EngineSnapshot runToEnd(EngineController &engine, const LoadConfig &l, const TransportConfig &t)
{
    EngineSnapshot result;
    bool done = false;
    QObject::connect(&engine, &EngineController::runFinished, [&](const EngineSnapshot &s) {
        result = s;
        done = true;
    });
    engine.start(l, t);
    if (!QTest::qWaitFor([&] { return done; }, 60000)) {
        QTest::qFail("run did not finish", __FILE__, __LINE__);
    }
    return result;
}

int countLines(const QByteArray &out)
{
    int n = 0;
    for (const QByteArray &line : out.split('\n')) {
        n += !line.trimmed().isEmpty();
    }
    return n;
}

int ssCount(quint16 port)
{
    QString ss = qEnvironmentVariable("POOLSCOPE_SS");
    if (ss.isEmpty()) {
        ss = QStringLiteral("ss");
    }
    QProcess p;
    p.start(ss,
        { QStringLiteral("-tanH"), QStringLiteral("state"), QStringLiteral("time-wait"),
            QStringLiteral("( dport = :%1 )").arg(port) });
    if (!p.waitForFinished(10000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        return -1;
    }
    return countLines(p.readAllStandardOutput());
}

// The incident's load: 10 workers, 1 ms think, bounded by requests.
LoadConfig churningLoad(const QString &url)
{
    LoadConfig l;
    l.url = url;
    l.workers = 10;
    l.requestsPerWorker = 150;
    l.duration = 30s;
    l.think = 1ms;
    return l;
}

} // namespace

class TestEngineKernel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void timeWaitStormAgreesWithSs()
    {
        EmbeddedServer server;
        QVERIFY(server.start(ServerConfig {}));
        EngineController engine;
        const LoadConfig l = churningLoad(server.url());
        const auto s = runToEnd(engine, l, TransportConfig::goDefault());
        if (!s.kernel.available) {
            QSKIP(qPrintable(
                QStringLiteral("kernel view unavailable: ") + s.kernel.unavailableReason));
        }
        const int fromSs = ssCount(server.port());
        if (fromSs < 0) {
            QSKIP("ss (iproute2) not available");
        }
        const int ours = s.kernel.counts.count(TcpState::TimeWait);
        qInfo("dials %llu, closes %llu, TIME_WAIT: watcher %d, ss %d",
            static_cast<unsigned long long>(s.pool.dials),
            static_cast<unsigned long long>(s.pool.closed), ours, fromSs);
        QVERIFY2(ours > 100, qPrintable(QString::number(ours)));
        // ss runs a moment later: the 2 idle connections closed at the end add 2.
        QVERIFY2(std::abs(fromSs - ours) <= std::max(3, ours / 20),
            qPrintable(QStringLiteral("watcher %1 vs ss %2").arg(ours).arg(fromSs)));
        QVERIFY(s.timeWaitPeak >= static_cast<std::uint64_t>(ours));
    }

    void raisedCapKeepsTimeWaitNearZero()
    {
        EmbeddedServer server;
        QVERIFY(server.start(ServerConfig {}));
        EngineController engine;
        const LoadConfig l = churningLoad(server.url());
        auto t = TransportConfig::goDefault();
        t.maxIdleConnsPerHost = 10;
        const auto s = runToEnd(engine, l, t);
        if (!s.kernel.available) {
            QSKIP(qPrintable(
                QStringLiteral("kernel view unavailable: ") + s.kernel.unavailableReason));
        }
        QCOMPARE(s.pool.dials, 10u);
        QCOMPARE(s.timeWaitPeak, 0u);
        QCOMPARE(s.kernel.counts.count(TcpState::Established), 10);
    }

    void keepAliveTimerShowsOnPooledConnection()
    {
        EmbeddedServer server;
        QVERIFY(server.start(ServerConfig {}));
        EngineController engine;
        LoadConfig l;
        l.url = server.url();
        l.workers = 1;
        l.requestsPerWorker = 1;
        l.linger = 30s;
        auto t = TransportConfig::goDefault();
        t.keepAliveConfig = KeepAliveConfig { true, 1s, 1s, 3 };
        engine.start(l, t);
        QTRY_VERIFY_WITH_TIMEOUT(engine.snapshot().pool.now.idle == 1, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(
            !engine.snapshot().conns.empty() && engine.snapshot().conns.front().localPort != 0,
            5000);
        const auto s = engine.snapshot();
        if (!s.kernel.available) {
            QSKIP(qPrintable(
                QStringLiteral("kernel view unavailable: ") + s.kernel.unavailableReason));
        }
        const ConnInfo &c = s.conns.front();
        QCOMPARE(c.state, ConnState::Idle);
        QCOMPARE(c.kernelState, TcpState::Established);
        QCOMPARE(c.kernelTimer, TcpTimer::KeepAlive);
        QVERIFY2(c.kernelTimerExpires <= 1000ms,
            qPrintable(QString::number(c.kernelTimerExpires.count())));
        engine.stop();
    }
};

QTEST_GUILESS_MAIN(TestEngineKernel)
#include "tst_engine_kernel.moc"
