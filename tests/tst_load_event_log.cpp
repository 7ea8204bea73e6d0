// EventLog: the bounded batch the UI drains and the NDJSON file of --events.
#include "load/event_log.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace poolscope;
using namespace std::chrono_literals;

namespace {

PoolEvent makeEvent(EventType type, ConnId conn, CloseReason reason = CloseReason::None)
{
    PoolEvent e;
    e.time = 5ms;
    e.type = type;
    e.conn = conn;
    e.req = 7;
    e.reason = reason;
    return e;
}

} // namespace

class TestEventLog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void batchStaysBoundedAndCountsDrops()
    {
        EventLog log(4);
        QVERIFY(!log.enabled());
        log.onPoolEvent(makeEvent(EventType::GetConn, 1));
        QCOMPARE(log.batchSize(), 0u); // not recording: nothing kept
        log.setRecording(true);
        for (ConnId i = 1; i <= 10; ++i) {
            log.onPoolEvent(makeEvent(EventType::ConnectStart, i));
        }
        QCOMPARE(log.batchSize(), 4u);
        QCOMPARE(log.dropped(), 6u);
        const std::vector<PoolEvent> kept = log.takeBatch();
        QCOMPARE(kept.size(), 4u);
        QCOMPARE(kept.front().conn, ConnId { 7 }); // the oldest are the ones dropped
        QCOMPARE(kept.back().conn, ConnId { 10 });
        QCOMPARE(log.batchSize(), 0u);
        log.onPoolEvent(makeEvent(EventType::ConnectDone, 11));
        QCOMPARE(log.batchSize(), 1u);
        QCOMPARE(log.dropped(), 6u); // a running total for the run
        QVERIFY(log.begin(QString(), nullptr)); // a new run: batch and drops reset
        QCOMPARE(log.batchSize(), 0u);
        QCOMPARE(log.dropped(), 0u);
    }

    void fileGetsOneJsonObjectPerEvent()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("events.ndjson"));
        EventLog log(16);
        QString error;
        QVERIFY(log.begin(path, &error));
        QVERIFY(log.enabled());
        log.onPoolEvent(makeEvent(EventType::ConnClosed, 3, CloseReason::TooManyIdleHost));
        PoolEvent got = makeEvent(EventType::GotConn, 3);
        got.reused = true;
        log.onPoolEvent(got);
        log.close();
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = f.readAll().split('\n');
        QCOMPARE(lines.size(), 3); // two lines and the final newline
        const QJsonObject closed = QJsonDocument::fromJson(lines[0]).object();
        QCOMPARE(closed.value(QStringLiteral("type")).toString(), QStringLiteral("ConnClosed"));
        QCOMPARE(closed.value(QStringLiteral("t_ns")).toInteger(), 5'000'000);
        QCOMPARE(
            closed.value(QStringLiteral("go")).toString(), QStringLiteral("errTooManyIdleHost"));
        const QJsonObject gotConn = QJsonDocument::fromJson(lines[1]).object();
        QCOMPARE(gotConn.value(QStringLiteral("reused")).toBool(), true);
        QCOMPARE(gotConn.value(QStringLiteral("req")).toInteger(), 7);
    }

    void unwritablePathIsReported()
    {
        EventLog log(16);
        QString error;
        QVERIFY(!log.begin(QStringLiteral("/nonexistent-dir/events.ndjson"), &error));
        QVERIFY2(error.startsWith(QStringLiteral("cannot write events to /nonexistent-dir")),
            qPrintable(error));
        QVERIFY(!log.enabled());
    }
};

QTEST_GUILESS_MAIN(TestEventLog)
#include "tst_load_event_log.moc"
