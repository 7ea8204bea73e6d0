// RequestFailure's table and RunStats: the request's error kinds, and the JSON keys
// errors_by_kind had before they existed.
#include "load/request_failure.h"
#include "load/run_stats.h"

#include <QSet>
#include <QTest>
#include <set>

using namespace poolscope;
using namespace std::chrono_literals;

class TestRequestFailure : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void everyKindHasAUniqueKeyAndAGoName()
    {
        QSet<QByteArray> keys;
        for (int i = 0; i < kRequestFailureCount; ++i) {
            const auto f = static_cast<RequestFailure>(i);
            const QByteArray key(
                requestFailureKey(f).data(), qsizetype(requestFailureKey(f).size()));
            QVERIFY2(!key.isEmpty(), key.constData());
            QVERIFY2(!keys.contains(key), key.constData());
            keys.insert(key);
            QCOMPARE(requestFailureGoName(f).empty(), f == RequestFailure::None);
        }
    }

    // errors_by_kind used CloseReason keys: each failure that had one keeps the key of the
    // close reason it goes with, so the CLI JSON and the UI read the same strings as before;
    // the kinds added since (a body read that timed out) have keys no close reason has.
    void keysAreTheCloseReasonKeysOfBefore()
    {
        std::set<std::string_view> closeKeys;
        for (int i = 0; i < kCloseReasonCount; ++i) {
            closeKeys.insert(closeReasonKey(static_cast<CloseReason>(i)));
        }
        for (int i = 0; i < kRequestFailureCount; ++i) {
            const auto f = static_cast<RequestFailure>(i);
            if (closeKeys.count(requestFailureKey(f)) == 0) {
                QVERIFY(requestFailureFor(requestFailureCloseReason(f)) != f);
                continue;
            }
            QCOMPARE(requestFailureKey(f), closeReasonKey(requestFailureCloseReason(f)));
            QCOMPARE(requestFailureFor(requestFailureCloseReason(f)), f);
        }
        QCOMPARE(requestFailureKey(RequestFailure::ClientTimeoutReadingBody),
            std::string_view("client_timeout_reading_body"));
        QCOMPARE(requestFailureFor(CloseReason::ClientTimeout), RequestFailure::ClientTimeout);
        QVERIFY(requestFailureAfterResponse(RequestFailure::ClientTimeoutReadingBody));
        QVERIFY(!requestFailureAfterResponse(RequestFailure::ClientTimeout));
        // Close reasons no request fails with (pool decisions) map to a read error.
        QCOMPARE(requestFailureFor(CloseReason::TooManyIdleHost), RequestFailure::ReadError);
    }

    void poolFailuresAreTheOnesWithoutAConnection()
    {
        QVERIFY(requestFailureBeforeConnection(RequestFailure::DialFailed));
        QVERIFY(requestFailureBeforeConnection(RequestFailure::TransportClosed));
        QVERIFY(!requestFailureBeforeConnection(RequestFailure::ReadError));
        QVERIFY(!requestFailureBeforeConnection(RequestFailure::ClientTimeout));
    }

    void runStatsCountByKindAndKeepTheOldIndex()
    {
        RunStats stats;
        stats.recordSuccess(2ms);
        stats.recordFailure(RequestFailure::ServerClosedIdle,
            QStringLiteral("http: server closed idle connection"));
        stats.recordFailure(RequestFailure::ReadError, QStringLiteral("EOF"));
        stats.recordFailure(RequestFailure::ReadError, QString()); // keeps the last message
        stats.recordFailure(RequestFailure::Canceled, QStringLiteral("ignored"));
        EngineSnapshot s;
        stats.fillAndStartWindow(s, 1s);
        QCOMPARE(s.requestsDone, 5u);
        QCOMPARE(s.errors, 3u);
        QCOMPARE(s.canceled, 1u);
        QCOMPARE(s.responses, 1u);
        QCOMPARE(s.failuresByKind[std::size_t(RequestFailure::ReadError)], 2u);
        QCOMPARE(s.errorsByKind[std::size_t(CloseReason::ReadError)], 2u);
        QCOMPARE(s.errorsByKind[std::size_t(CloseReason::ServerClosedIdle)], 1u);
        QCOMPARE(s.errorsByKind[std::size_t(CloseReason::Canceled)], 0u); // canceled is no error
        QCOMPARE(s.lastError, QStringLiteral("EOF"));
        QCOMPARE(s.latencyTotal.count, 1u);
        // Throughput is the one success; the three failures are attempts, the canceled
        // request neither.
        QCOMPARE(s.successes, 1u);
        QCOMPARE(s.rpsWindow, 1.0);
        QCOMPARE(s.attemptsWindow, 4.0);
        EngineSnapshot next;
        stats.fillAndStartWindow(next, 2s);
        QCOMPARE(next.rpsWindow, 0.0); // a new window
        QCOMPARE(next.attemptsWindow, 0.0);
        QCOMPARE(next.latencyWindow.count, 0u);
        QCOMPARE(next.latencyTotal.count, 1u);
    }

    // Client.Timeout during the body read: an error, but Do had returned its response.
    void aBodyReadFailureFollowsAResponse()
    {
        RunStats stats;
        stats.recordFailure(RequestFailure::ClientTimeoutReadingBody,
            QStringLiteral("context deadline exceeded (Client.Timeout or context cancellation "
                           "while reading body)"));
        stats.recordFailure(RequestFailure::ClientTimeout, QStringLiteral("awaiting headers"));
        EngineSnapshot s;
        stats.fillAndStartWindow(s, 1s);
        QCOMPARE(s.errors, 2u);
        QCOMPARE(s.responses, 1u);
        QCOMPARE(s.failuresByKind[std::size_t(RequestFailure::ClientTimeoutReadingBody)], 1u);
        QCOMPARE(s.errorsByKind[std::size_t(CloseReason::ClientTimeout)], 2u);
    }
};

QTEST_GUILESS_MAIN(TestRequestFailure)
#include "tst_load_request_failure.moc"
