// Dead-peer lab against the engine: the server vanishes without a FIN (its
// network namespace's link goes down). With TCP keep-alive the kernel kills
// the idle pooled connection after Idle + Interval x Count and the engine
// records why; without it the dead connection sits in the pool until a request
// on it fails. Needs root (network namespaces); skips with the reason otherwise.
#include "kernel/dead_peer_lab.h"
#include "load/engine_controller.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QRegularExpression>
#include <QTest>

using namespace poolscope;
using namespace std::chrono_literals;

class TestEngineDeadPeer : public QObject
{
    Q_OBJECT

    std::unique_ptr<DeadPeerLab> m_lab;
    QString m_url;

    bool startLab(QString *why)
    {
        const QString reason = DeadPeerLab::unavailableReason();
        if (!reason.isEmpty()) {
            *why = reason;
            return false;
        }
        const QString bin = qEnvironmentVariable("POOLSCOPE_BIN");
        if (bin.isEmpty() || !QFile::exists(bin)) {
            *why = QStringLiteral(
                "POOLSCOPE_BIN not set: needs the poolscope binary to serve inside the namespace");
            return false;
        }
        m_lab = std::make_unique<DeadPeerLab>();
        QString error;
        if (!m_lab->setUp(&error)) {
            *why = QStringLiteral("lab set-up failed: ") + error;
            return false;
        }
        QProcess *server = m_lab->startInNamespace(bin,
            { QStringLiteral("serve"), QStringLiteral("--listen"),
                m_lab->peerAddress().toString() + QStringLiteral(":0") },
            &error);
        if (!server) {
            *why = QStringLiteral("cannot start the server in the namespace: ") + error;
            return false;
        }
        if (!QTest::qWaitFor([server] { return server->canReadLine(); }, 10000)) {
            *why = QStringLiteral("server in the namespace did not report its address: ")
                + QString::fromUtf8(server->readAllStandardError());
            return false;
        }
        const QString line = QString::fromUtf8(server->readLine()).trimmed();
        static const QRegularExpression re(QStringLiteral("listening on (\\S+)"));
        const auto m = re.match(line);
        if (!m.hasMatch()) {
            *why = QStringLiteral("unexpected first line from serve: ") + line;
            return false;
        }
        m_url = m.captured(1);
        return true;
    }

private Q_SLOTS:
    void cleanup()
    {
        m_lab.reset(); // tears the namespace down
    }

    void keepAliveProbesKillTheIdleConnection()
    {
        QString why;
        if (!startLab(&why)) {
            QSKIP(qPrintable(why));
        }
        auto t = TransportConfig::goDefault();
        t.keepAliveConfig = KeepAliveConfig { true, 1s, 1s, 3 };
        LoadConfig l;
        l.url = m_url;
        l.workers = 1;
        l.requestsPerWorker = 1;
        l.linger = 60s; // the pool stays alive after the request
        EngineController engine;
        engine.start(l, t);
        QTRY_VERIFY_WITH_TIMEOUT(engine.snapshot().pool.now.idle == 1, 10000);
        QString error;
        QVERIFY2(m_lab->vanish(&error), qPrintable(error));
        QElapsedTimer clock;
        clock.start();
        QTRY_VERIFY_WITH_TIMEOUT(engine.snapshot().pool.closed == 1, 30000);
        const qint64 ms = clock.elapsed();
        const auto s = engine.snapshot();
        QCOMPARE(s.pool.now.idle, 0);
        QCOMPARE(s.pool.closes(CloseReason::KeepAliveTimeout), 1u);
        // Idle 1 s + 3 unanswered probes 1 s apart; never before the first probe could fail.
        QVERIFY2(ms >= 2500, qPrintable(QStringLiteral("closed after %1 ms").arg(ms)));
        qInfo("idle connection closed by the kernel %lld ms after the peer vanished",
            static_cast<long long>(ms));
        engine.stop();
    }

    void withoutKeepAliveTheDeadConnectionWaitsForARequest()
    {
        QString why;
        if (!startLab(&why)) {
            QSKIP(qPrintable(why));
        }
        auto t = TransportConfig::goDefault();
        t.keepAlive = -1s; // TCP keep-alive off
        t.responseHeaderTimeout = 2s;
        LoadConfig l;
        l.url = m_url;
        l.workers = 1;
        l.requestsPerWorker = 2;
        l.think = 5s;
        l.duration = 60s;
        EngineController engine;
        engine.setKernelView(false);
        bool finished = false;
        QObject::connect(&engine, &EngineController::runFinished, [&] { finished = true; });
        engine.start(l, t);
        QTRY_VERIFY_WITH_TIMEOUT(
            engine.snapshot().requestsDone == 1 && engine.snapshot().pool.now.idle == 1, 10000);
        QString error;
        QVERIFY2(m_lab->vanish(&error), qPrintable(error));
        QTRY_VERIFY_WITH_TIMEOUT(finished, 30000);
        const auto s = engine.snapshot();
        // The pooled connection was reused for request 2 and only then found dead.
        QCOMPARE(s.pool.reused, 1u);
        QCOMPARE(s.pool.closes(CloseReason::KeepAliveTimeout), 0u);
        QCOMPARE(s.pool.closes(CloseReason::ResponseHeaderTimeout), 1u);
        QCOMPARE(s.errors, 1u);
    }

    void dialToAVanishedPeerTimesOut()
    {
        QString why;
        if (!startLab(&why)) {
            QSKIP(qPrintable(why));
        }
        QString error;
        QVERIFY2(m_lab->vanish(&error), qPrintable(error));
        // SYNs go unanswered: only Dialer.Timeout ends the wait.
        auto t = TransportConfig::goDefault();
        t.dialTimeout = 500ms;
        LoadConfig l;
        l.url = m_url;
        l.workers = 1;
        l.requestsPerWorker = 2;
        l.duration = 30s;
        EngineController engine;
        engine.setKernelView(false);
        EngineSnapshot final;
        bool finished = false;
        QObject::connect(&engine, &EngineController::runFinished, [&](const EngineSnapshot &s) {
            final = s;
            finished = true;
        });
        engine.start(l, t);
        QTRY_VERIFY_WITH_TIMEOUT(finished, 20000);
        QCOMPARE(final.errors, 2u);
        QCOMPARE(final.errorsByKind[static_cast<std::size_t>(CloseReason::DialTimeout)], 2u);
        QVERIFY2(
            final.lastError.contains(QStringLiteral("i/o timeout")), qPrintable(final.lastError));
    }
};

QTEST_GUILESS_MAIN(TestEngineDeadPeer)
#include "tst_engine_dead_peer.moc"
