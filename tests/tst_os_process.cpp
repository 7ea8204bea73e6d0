// The process-wide helpers: SIGINT/SIGTERM reach the event loop as a signal and the old
// handlers come back afterwards; the open-file limit goes up to the hard limit, never down.
#include "os/process.h"

#include <QSignalSpy>
#include <QTest>
#include <csignal>
#include <sys/resource.h>

using namespace poolscope;

namespace {

volatile sig_atomic_t g_ownHandlerRan = 0;

void ownHandler(int)
{
    g_ownHandlerRan = 1;
}

} // namespace

class TestOsProcess final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void terminationSignalsReachTheEventLoop()
    {
        struct sigaction own = {};
        own.sa_handler = ownHandler;
        sigemptyset(&own.sa_mask);
        struct sigaction before = {};
        QCOMPARE(::sigaction(SIGTERM, &own, &before), 0);
        {
            TerminationSignals termination;
            QVERIFY(termination.isActive());
            QSignalSpy received(&termination, &TerminationSignals::received);
            QCOMPARE(::raise(SIGTERM), 0); // the process lives on
            QCOMPARE(::raise(SIGINT), 0);
            QTRY_COMPARE(received.size(), 2);
            QCOMPARE(received.at(0).at(0).toInt(), SIGTERM);
            QCOMPARE(received.at(1).at(0).toInt(), SIGINT);
            QCOMPARE(int(g_ownHandlerRan), 0);
        }
        // Gone: the handler from before is back, and a second instance may be made.
        QCOMPARE(::raise(SIGTERM), 0);
        QCOMPARE(int(g_ownHandlerRan), 1);
        TerminationSignals again;
        QVERIFY(again.isActive());
        ::sigaction(SIGTERM, &before, nullptr);
    }

    void openFileLimitGoesUpToTheHardLimitNeverDown()
    {
        rlimit old = {};
        QCOMPARE(::getrlimit(RLIMIT_NOFILE, &old), 0);
        if (old.rlim_max < 256) {
            QSKIP("hard open-file limit too low to test with");
        }
        rlimit low = old;
        low.rlim_cur = 128;
        QCOMPARE(::setrlimit(RLIMIT_NOFILE, &low), 0);
        QVERIFY(raiseOpenFileLimit(100)); // already above: still raised to the hard limit
        rlimit now = {};
        QCOMPARE(::getrlimit(RLIMIT_NOFILE, &now), 0);
        QCOMPARE(now.rlim_cur, old.rlim_max);
        QCOMPARE(now.rlim_max, old.rlim_max);
        QVERIFY(raiseOpenFileLimit());
        QCOMPARE(::getrlimit(RLIMIT_NOFILE, &now), 0);
        QCOMPARE(now.rlim_cur, old.rlim_max); // not lowered either
        ::setrlimit(RLIMIT_NOFILE, &old);
    }
};

QTEST_GUILESS_MAIN(TestOsProcess)
#include "tst_os_process.moc"
