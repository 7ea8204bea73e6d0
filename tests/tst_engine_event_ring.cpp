// EngineController's event ring (a RingBuffer of kEventRingCapacity events): a consumer
// that never drains it gets the newest events and a count of the ones it lost, and no event
// goes missing without being counted. The NDJSON event log sees every event and is the
// reference.
#include "load/engine_controller.h"
#include "server/embedded_server.h"

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace poolscope;
using namespace std::chrono_literals;

Q_DECLARE_METATYPE(poolscope::EngineSnapshot)

class TestEngineEventRing : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { qRegisterMetaType<EngineSnapshot>(); }

    void undrainedRingStaysBoundedAndCountsWhatItDropped()
    {
        EmbeddedServer server;
        QString error;
        QVERIFY2(server.start(ServerConfig {}, &error), qPrintable(error));
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString logPath = dir.filePath(QStringLiteral("events.ndjson"));

        EngineController engine;
        engine.setKernelView(false);
        engine.setRecordEvents(true);
        engine.setEventLogPath(logPath);
        LoadConfig load;
        load.url = server.url();
        load.workers = 4;
        // About 6 events per request (GetConn ... RequestDone, PutIdleConn): ~96k events,
        // more than the ring holds.
        load.requestsPerWorker = 4000;
        load.duration = 120s; // safety bound; requests end the run first
        TransportConfig transport = TransportConfig::goDefault();
        transport.maxIdleConnsPerHost = load.workers;
        QSignalSpy finished(&engine, &EngineController::runFinished);
        engine.start(load, transport);
        QVERIFY(finished.wait(120000));
        const auto last = finished.first().first().value<EngineSnapshot>();
        QCOMPARE(last.requestsDone, std::uint64_t(16000));

        std::uint64_t dropped = 0;
        const std::vector<PoolEvent> kept = engine.takeEvents(&dropped);
        QCOMPARE(kept.size(), EngineController::kEventRingCapacity);
        QVERIFY(dropped > 0);
        // Oldest first; the last request's events survived, the first request's did not
        // (the ring drops the oldest).
        ReqId newest = 0;
        ReqId oldest = ~ReqId(0);
        for (std::size_t i = 0; i < kept.size(); ++i) {
            QVERIFY(i == 0 || kept[i - 1].time <= kept[i].time);
            if (kept[i].req != 0) {
                newest = std::max(newest, kept[i].req);
                oldest = std::min(oldest, kept[i].req);
            }
        }
        QCOMPARE(newest, ReqId(16000));
        QVERIFY(oldest > 1);

        // Everything published is either handed over or counted. The log also holds what
        // happens after the final snapshot: closing the pool's idle connections.
        QFile log(logPath);
        QVERIFY(log.open(QIODevice::ReadOnly));
        const std::uint64_t logged = std::uint64_t(log.readAll().count('\n'));
        const std::uint64_t accounted = kept.size() + dropped + last.eventsDropped;
        QVERIFY2(logged >= accounted && logged - accounted <= std::uint64_t(load.workers),
            qPrintable(QStringLiteral("logged %1, kept %2, dropped %3 + %4")
                           .arg(logged)
                           .arg(kept.size())
                           .arg(dropped)
                           .arg(last.eventsDropped)));

        // Drained: nothing left, the run's drop count stays.
        std::uint64_t droppedAgain = 0;
        QVERIFY(engine.takeEvents(&droppedAgain).empty());
        QCOMPARE(droppedAgain, dropped);
    }
};

QTEST_GUILESS_MAIN(TestEngineEventRing)
#include "tst_engine_event_ring.moc"
