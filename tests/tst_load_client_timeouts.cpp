// ClientTimeouts: http.Client.Timeout per caller, for any Duration (issue 16 #5).
#include "load/client_timeouts.h"

#include <QTest>
#include <vector>

using namespace poolscope;
using namespace std::chrono_literals;

class TestClientTimeouts : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void firesWithTheTripItWasArmedFor()
    {
        std::vector<std::pair<int, RoundTripId>> fired;
        ClientTimeouts t([&](int caller, RoundTripId trip) { fired.emplace_back(caller, trip); });
        t.arm(0, 7, 20ms);
        t.arm(1, 8, 20ms);
        t.disarm(1);
        QTRY_COMPARE_WITH_TIMEOUT(fired.size(), 1u, 5000);
        QCOMPARE(fired.front(), (std::pair<int, RoundTripId>(0, 7)));
        QVERIFY(!t.remaining(0));
        QVERIFY(!t.remaining(1));
    }

    // Qt 6.4's QTimer::start(ms) takes an int: 2^32 ms + 1 s (1193h2m48.296s) fired after
    // 1 s, and 2^31 ms (24.8 days) or more was never armed at all. (A coarse timer may
    // round its deadline up by a second or so: hence the slack on both sides.)
    void timeoutsBeyondOneQtIntervalKeepTheirLength()
    {
        int fired = 0;
        ClientTimeouts t([&](int, RoundTripId) { ++fired; });
        const std::vector<Duration> timeouts { std::chrono::milliseconds(4294968296LL),
            std::chrono::milliseconds(1LL << 31), 24h * 365 * 200, Duration::max() };
        for (std::size_t i = 0; i < timeouts.size(); ++i) {
            t.arm(static_cast<int>(i), i + 1, timeouts[i]);
        }
        for (std::size_t i = 0; i < timeouts.size(); ++i) {
            const auto left = t.remaining(static_cast<int>(i));
            QVERIFY2(left.has_value(), qPrintable(QString::number(i)));
            QVERIFY2(*left > timeouts[i] - 2s && *left <= saturatingAdd(timeouts[i], Duration(2s)),
                qPrintable(QStringLiteral("%1: %2 ns left")
                               .arg(i)
                               .arg(static_cast<qint64>(left->count()))));
        }
        QCOMPARE(fired, 0);
    }
};

QTEST_GUILESS_MAIN(TestClientTimeouts)
#include "tst_load_client_timeouts.moc"
