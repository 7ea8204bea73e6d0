// Long-run memory check: drives the engine at full rate with every pool event
// recorded into EngineController's bounded ring, drained at 10 Hz the way the
// GUI drains it, and samples this process's resident memory (VmRSS) at a fixed
// period. `poolscope run` has no switch for the ring (only --events FILE), so
// this driver is the faithful way to exercise it.
//
// usage: bench_long_run --url URL [--workers 64] [--idle-per-host N] [--seconds 60] [--sample 5]
// prints one JSON object on stdout:
//   {"requests":..,"rps":..,"events_taken":..,"events_dropped":..,
//    "t_s":[..],"rss_kib":[..]}
#include "load/engine_controller.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>
#include <cstdio>
#include <fstream>
#include <string>

using namespace poolscope;

namespace {

// Resident set size in KiB from /proc/self/status, -1 when unreadable.
long long residentKib()
{
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmRSS:", 0) == 0) {
            return std::stoll(line.substr(6));
        }
    }
    return -1;
}

struct Options
{
    QString url;
    int workers = 64;
    int seconds = 60;
    int sampleSeconds = 5;
    int idlePerHost = 0; // Transport.MaxIdleConnsPerHost; 0 = Go's default (2)
};

bool parseOptions(const QStringList &args, Options *o, QString *error)
{
    for (int i = 0; i < args.size(); ++i) {
        const QString &a = args[i];
        if (i + 1 >= args.size()) {
            *error = QStringLiteral("flag %1 needs a value").arg(a);
            return false;
        }
        const QString v = args[++i];
        bool ok = true;
        if (a == QLatin1String("--url")) {
            o->url = v;
        } else if (a == QLatin1String("--workers")) {
            o->workers = v.toInt(&ok);
            ok = ok && o->workers > 0;
        } else if (a == QLatin1String("--seconds")) {
            o->seconds = v.toInt(&ok);
            ok = ok && o->seconds > 0;
        } else if (a == QLatin1String("--idle-per-host")) {
            o->idlePerHost = v.toInt(&ok);
        } else if (a == QLatin1String("--sample")) {
            o->sampleSeconds = v.toInt(&ok);
            ok = ok && o->sampleSeconds > 0;
        } else {
            *error = QStringLiteral("unknown flag %1").arg(a);
            return false;
        }
        if (!ok) {
            *error
                = QStringLiteral("invalid value \"%1\" for %2: want a positive integer").arg(v, a);
            return false;
        }
    }
    if (o->url.isEmpty()) {
        *error = QStringLiteral("--url is required");
        return false;
    }
    return true;
}

} // namespace

int main(int argc, char **argv)
{
    // Same event dispatcher choice as the poolscope binary (app/main.cpp).
    if (!qEnvironmentVariableIsSet("QT_NO_GLIB")) {
        qputenv("QT_NO_GLIB", "1");
    }
    QCoreApplication app(argc, argv);
    Options opt;
    QString error;
    if (!parseOptions(QCoreApplication::arguments().mid(1), &opt, &error)) {
        std::fprintf(stderr,
            "bench_long_run: %s\nusage: bench_long_run --url URL [--workers N] [--idle-per-host N] "
            "[--seconds S] [--sample S]\n",
            qPrintable(error));
        return 2;
    }

    EngineController engine;
    engine.setRecordEvents(true);

    QJsonArray times;
    QJsonArray rss;
    QElapsedTimer clock;
    auto sample = [&] {
        times.append(static_cast<double>(clock.elapsed()) / 1000.0);
        rss.append(residentKib());
    };

    // The GUI's consumer: drain the ring at 10 Hz; counts only, nothing kept.
    std::uint64_t taken = 0;
    std::uint64_t dropped = 0;
    QTimer drain;
    QObject::connect(&drain, &QTimer::timeout, &app, [&] {
        // *dropped is the run's running total, not a per-call delta.
        taken += engine.takeEvents(&dropped).size();
    });
    QTimer sampler;
    QObject::connect(&sampler, &QTimer::timeout, &app, sample);

    int exitCode = 0;
    QObject::connect(&engine, &EngineController::runFailed, &app, [&](const QString &message) {
        std::fprintf(stderr, "bench_long_run: %s\n", qPrintable(message));
        exitCode = 1;
        QCoreApplication::exit(1);
    });
    QObject::connect(&engine, &EngineController::runFinished, &app, [&](const EngineSnapshot &s) {
        taken += engine.takeEvents(&dropped).size();
        sample();
        const double secs = std::chrono::duration<double>(s.time).count();
        const QJsonObject o {
            { QStringLiteral("requests"), static_cast<qint64>(s.requestsDone) },
            { QStringLiteral("errors"), static_cast<qint64>(s.errors) },
            { QStringLiteral("dials"), static_cast<qint64>(s.pool.dials) },
            { QStringLiteral("rps"),
                secs > 0 ? static_cast<double>(s.requestsDone - s.canceled) / secs : 0.0 },
            { QStringLiteral("events_taken"), static_cast<qint64>(taken) },
            // Lost in the controller's ring (consumer too slow) and in the engine's
            // per-snapshot batch, respectively.
            { QStringLiteral("events_dropped"), static_cast<qint64>(dropped) },
            { QStringLiteral("events_dropped_engine"), static_cast<qint64>(s.eventsDropped) },
            { QStringLiteral("t_s"), times },
            { QStringLiteral("rss_kib"), rss },
        };
        std::printf("%s\n", QJsonDocument(o).toJson(QJsonDocument::Compact).constData());
        std::fflush(stdout);
        QCoreApplication::exit(exitCode);
    });

    LoadConfig load;
    load.url = opt.url;
    load.workers = opt.workers;
    load.duration = std::chrono::seconds(opt.seconds);
    clock.start();
    sample(); // before the engine allocates anything for the run
    TransportConfig transport = TransportConfig::goDefault();
    transport.maxIdleConnsPerHost = opt.idlePerHost;
    engine.start(load, transport);
    drain.start(100);
    sampler.start(opt.sampleSeconds * 1000);
    return QCoreApplication::exec();
}
