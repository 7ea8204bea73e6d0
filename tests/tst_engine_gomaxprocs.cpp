// The engine on several threads (LoadConfig::gomaxprocs > 1, core/load/transport_threads.cpp):
// the rules whose outcome does not depend on scheduling give Go's numbers there too, the
// books balance, and runs start, stop and restart cleanly.
#include "load/engine_controller.h"
#include "server/embedded_server.h"
#include "support/engine_run.h"

#include <QTest>

using namespace poolscope;
using namespace poolscope::testsupport;
using namespace std::chrono_literals;

namespace {

std::uint64_t openAtEnd(const EngineSnapshot &s)
{
    return static_cast<std::uint64_t>(s.pool.now.dialing + s.pool.now.active + s.pool.now.idle);
}

} // namespace

class TestEngineGomaxprocs : public QObject
{
    Q_OBJECT

    std::unique_ptr<EmbeddedServer> m_srv;

    QString startServer(const ServerConfig &cfg = {})
    {
        m_srv = std::make_unique<EmbeddedServer>();
        QString error;
        if (!m_srv->start(cfg, &error)) {
            qWarning("embedded server: %s", qPrintable(error));
            return {};
        }
        return m_srv->url();
    }

    static LoadConfig threaded(LoadConfig l, int threads = 2)
    {
        l.gomaxprocs = threads;
        return l;
    }

private Q_SLOTS:
    void initTestCase() { qRegisterMetaType<EngineSnapshot>(); }
    void cleanup() { m_srv.reset(); }

    void sequentialGetsReuseOneConnection()
    {
        const QString url = startServer();
        QVERIFY(!url.isEmpty());
        const auto s = runLoad(threaded(loadFor(url, 1, 100)), TransportConfig::goDefault());
        QCOMPARE(s.requestsDone, 100u);
        QCOMPARE(s.errors, 0u);
        QCOMPARE(s.pool.dials, 1u);
        QCOMPARE(s.pool.reused, 99u);
        QCOMPARE(m_srv->stats().accepted, 1u);
    }

    void maxConnsPerHostCapsDialsAcrossThreads()
    {
        const QString url = startServer();
        auto t = TransportConfig::goDefault();
        t.maxConnsPerHost = 4;
        t.maxIdleConnsPerHost = 4;
        const auto s = runLoad(threaded(loadFor(url, 16, 20), 3), t);
        QCOMPARE(s.requestsDone, 320u);
        QCOMPARE(s.errors, 0u);
        QCOMPARE(s.pool.dials, 4u);
        QCOMPARE(m_srv->stats().accepted, 4u);
        QCOMPARE(m_srv->stats().requests, 320u);
    }

    void closeEarlyAndLeakKeepTheirRules()
    {
        const QString url = startServer();
        LoadConfig early = threaded(loadFor(url, 2, 10));
        early.bodyPolicy = BodyPolicy::CloseEarly;
        const auto e = runLoad(early, TransportConfig::goDefault());
        QCOMPARE(e.requestsDone, 20u);
        QCOMPARE(e.pool.dials, 20u);
        QCOMPARE(e.pool.closes(CloseReason::BodyNotRead), 20u);

        LoadConfig leak = threaded(loadFor(url, 1, 5));
        leak.bodyPolicy = BodyPolicy::Leak;
        const auto l = runLoad(leak, TransportConfig::goDefault());
        QCOMPARE(l.requestsDone, 5u);
        QCOMPARE(l.pool.dials, 5u);
        QCOMPARE(l.pool.now.active, 5);
    }

    void clientTimeoutFiresForCallersOnAnyThread()
    {
        ServerConfig sc;
        sc.latency = 800ms;
        const QString url = startServer(sc);
        auto t = TransportConfig::goDefault();
        t.clientTimeout = 100ms;
        const auto s = runLoad(threaded(loadFor(url, 2, 2)), t);
        QCOMPARE(s.errors, 4u);
        QCOMPARE(errorsOf(s, CloseReason::ClientTimeout), 4u);
        QCOMPARE(s.pool.dials, 4u);
    }

    void churnBalancesTheBooks()
    {
        const QString url = startServer();
        LoadConfig l = threaded(loadFor(url, 10, 100));
        l.think = 1ms;
        const auto s = runLoad(l, TransportConfig::goDefault());
        QCOMPARE(s.requestsDone, 1000u);
        QCOMPARE(s.errors, 0u);
        QVERIFY2(s.pool.dials > 10, qPrintable(QString::number(s.pool.dials)));
        QCOMPARE(s.pool.dials, s.pool.closed + openAtEnd(s));
        QVERIFY(s.pool.now.idle <= 2);
        QCOMPARE(s.pool.closed, s.pool.closes(CloseReason::TooManyIdleHost));
        QCOMPARE(m_srv->stats().accepted, s.pool.dials);
    }

    void stopMidRunAndRestartOnOneController()
    {
        const QString url = startServer();
        EngineController engine;
        engine.setKernelView(false);
        std::vector<EngineSnapshot> finals;
        QObject::connect(&engine, &EngineController::runFinished,
            [&](const EngineSnapshot &s) { finals.push_back(s); });
        LoadConfig l = threaded(loadFor(url, 8, 0), 3);
        l.duration = 30s;
        engine.start(l, TransportConfig::goDefault());
        QTRY_VERIFY_WITH_TIMEOUT(engine.snapshot().requestsDone > 200, 20000);
        engine.stop();
        QTRY_COMPARE_WITH_TIMEOUT(finals.size(), std::size_t(1), 20000);
        // The next run, on one thread this time, starts from a clean pool.
        engine.start(loadFor(url, 2, 50), TransportConfig::goDefault());
        QTRY_COMPARE_WITH_TIMEOUT(finals.size(), std::size_t(2), 20000);
        QCOMPARE(finals[0].pool.dials, finals[0].pool.closed + openAtEnd(finals[0]));
        QVERIFY(finals[0].requestsDone > 200);
        QCOMPARE(finals[1].requestsDone, 100u);
        QCOMPARE(finals[1].errors, 0u);
        QCOMPARE(finals[1].pool.dials, 2u);
    }
};

QTEST_GUILESS_MAIN(TestEngineGomaxprocs)
#include "tst_engine_gomaxprocs.moc"
