#pragma once

// Drives one bounded run through the real engine (EngineController) and hands
// back its final snapshot: shared by the engine integration tests.
#include "load/engine_controller.h"

#include <QTest>

namespace poolscope::testsupport {

inline std::uint64_t errorsOf(const EngineSnapshot &s, CloseReason r)
{
    return s.errorsByKind[static_cast<std::size_t>(r)];
}

// Runs one bounded load and returns the final snapshot; a run that cannot start
// leaves its message in *failure (or in the log) and returns an empty snapshot.
inline EngineSnapshot runLoad(const LoadConfig &load, const TransportConfig &transport,
    QString *failure = nullptr, int timeoutMs = 60000)
{
    EngineController engine;
    engine.setKernelView(false);
    EngineSnapshot result;
    bool done = false;
    QObject::connect(&engine, &EngineController::runFinished, [&](const EngineSnapshot &s) {
        result = s;
        done = true;
    });
    QObject::connect(&engine, &EngineController::runFailed, [&](const QString &m) {
        if (failure) {
            *failure = m;
        } else {
            qWarning("run failed: %s", qPrintable(m));
        }
        done = true;
    });
    engine.start(load, transport);
    if (!QTest::qWaitFor([&] { return done; }, timeoutMs)) {
        QTest::qFail("the run did not finish in time", __FILE__, __LINE__);
    }
    return result;
}

// `workers` closed-loop workers, `requests` each, against `url` (a 60 s safety
// bound: the requests end the run first).
inline LoadConfig loadFor(const QString &url, int workers, int requests)
{
    LoadConfig l;
    l.url = url;
    l.workers = workers;
    l.requestsPerWorker = requests;
    l.duration = std::chrono::seconds(60);
    return l;
}

} // namespace poolscope::testsupport
