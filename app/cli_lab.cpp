#include "cli_lab.h"

#include "cli_flags.h"
#include "kernel/dead_peer_lab.h"
#include "kernel/dead_peer_workflow.h"
#include "kernel/kernel_settings.h"
#include "load/engine_controller.h"
#include "metrics/go_duration.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>
#include <cstdio>

namespace poolscope {

namespace {

const char kLabIntro[]
    = "Usage: poolscope lab [flags]\n"
      "Dead-peer lab (needs root): the embedded server runs in a network namespace joined by a "
      "veth\n"
      "pair; after the pool holds idle connections to it, the namespace's link goes down so the "
      "server\n"
      "vanishes without a FIN. Watch TCP keep-alive probes go out and the kernel kill each "
      "connection\n"
      "after Idle + Interval x Count, or, with keep-alive off, the dead connections stay "
      "pooled.\n\n";

// Every flag of `lab`, in --help order (parsed by the same Flags as `run`).
const FlagSpec kLabFlags[] = {
    { "conns", "N", "", "idle connections to hold, 1-1000 (default 2)" },
    { "keep-alive", "DUR", "Dialer.KeepAlive", "negative = TCP keep-alive off (default 30s)" },
    { "keep-alive-idle", "DUR", "Dialer.KeepAliveConfig.Idle", "default 1s for the lab" },
    { "keep-alive-interval", "DUR", "Dialer.KeepAliveConfig.Interval", "default 1s" },
    { "keep-alive-count", "N", "Dialer.KeepAliveConfig.Count", "default 3" },
    { "vanish-after", "DUR", "",
        "pause between the connections going idle and the vanishing (default 1s)" },
    { "watch", "DUR", "", "how long to watch after the vanishing (default 30s)" },
    { "json", nullptr, "", "one JSON object at the end instead of the timeline" },
    { "help", nullptr, "", "show this help" },
};

struct LabFlags
{
    int conns = 2;
    TransportConfig transport = TransportConfig::goDefault();
    Duration vanishAfter = 1s;
    Duration watch = 30s;
    bool json = false;
};

bool parseLabFlags(const Flags &f, LabFlags *out, QString *error)
{
    out->transport.keepAliveConfig = KeepAliveConfig { true, 1s, 1s, 3 };
    out->transport.idleConnTimeout = Duration::zero(); // only the kernel closes connections here
    if (!f.intValue("conns", &out->conns, error, 1, 1000)
        || !f.durationValue("keep-alive", &out->transport.keepAlive, error)
        || !f.durationValue("keep-alive-idle", &out->transport.keepAliveConfig.idle, error)
        || !f.durationValue("keep-alive-interval", &out->transport.keepAliveConfig.interval, error)
        || !f.intValue("keep-alive-count", &out->transport.keepAliveConfig.count, error, -1)
        || !f.durationValue("vanish-after", &out->vanishAfter, error, false)
        || !f.durationValue("watch", &out->watch, error, false)) {
        return false;
    }
    if (out->transport.keepAlive < Duration::zero()) {
        out->transport.keepAliveConfig.enable = false;
    }
    out->json = f.has("json");
    return true;
}

} // namespace

int runLabCommand(const QStringList &args)
{
    Flags parsed("lab", kLabFlags);
    if (const auto done
        = parsed.parseOrFinish(args, QLatin1String(kLabIntro) + flagTableHelp(kLabFlags))) {
        return *done;
    }
    QString error;
    LabFlags flags;
    if (!parseLabFlags(parsed, &flags, &error)) {
        std::fprintf(stderr, "poolscope lab: %s\n", qPrintable(error));
        return 2;
    }
    DeadPeerWorkflow lab(DeadPeerLab::unavailableReason());
    if (lab.phase() == DeadPeerWorkflow::Phase::Unavailable) {
        std::fprintf(stderr, "poolscope lab: the dead-peer lab is unavailable: %s\n",
            qPrintable(lab.unavailableReason()));
        return 1;
    }
    if (!lab.setUp(QCoreApplication::applicationFilePath(), &error)) {
        std::fprintf(stderr, "poolscope lab: %s\n", qPrintable(error));
        return 1;
    }
    const EffectiveKeepAlive ka = flags.transport.effectiveKeepAlive();

    LoadConfig load;
    load.workers = flags.conns;
    load.requestsPerWorker = 1;
    load.linger = flags.vanishAfter + flags.watch + 5s;
    EngineController engine;
    engine.setSnapshotInterval(std::chrono::milliseconds(250));

    QElapsedTimer clock;
    bool vanished = false;
    int exitCode = 0;
    QJsonArray closes;
    QJsonArray timeline;
    QTimer tick;
    const auto failWith = [&](const QString &msg) {
        std::fprintf(stderr, "poolscope lab: %s\n", qPrintable(msg));
        exitCode = 1;
        QCoreApplication::exit(1);
    };
    QObject::connect(&engine, &EngineController::runFailed, qApp, failWith);
    QObject::connect(&lab, &DeadPeerWorkflow::failed, qApp, failWith);
    QObject::connect(&lab, &DeadPeerWorkflow::listening, qApp, [&](const QString &url) {
        if (!flags.json) {
            std::printf("lab: namespace %s, server %s (vanishes without a FIN)\n",
                qPrintable(lab.namespaceName()), qPrintable(url));
            const int kill = DeadPeerWorkflow::expectedKillSeconds(ka, KernelSettings::read());
            if (kill >= 0) {
                std::printf("lab: TCP keep-alive idle %ds, interval %ds, count %d (-1: the "
                            "kernel's): expect the kernel to close each connection at most %ds "
                            "after the peer vanishes\n",
                    ka.idleSeconds, ka.intervalSeconds, ka.count, kill);
            } else {
                std::printf("lab: TCP keep-alive off: nothing will notice the dead peer until a "
                            "request uses the connection\n");
            }
        }
        load.url = url;
        engine.start(load, flags.transport);
        tick.start(500);
    });
    QObject::connect(&tick, &QTimer::timeout, qApp, [&] {
        const EngineSnapshot s = engine.snapshot();
        if (!vanished) {
            if (s.requestsDone >= static_cast<std::uint64_t>(flags.conns)
                && s.pool.now.idle == flags.conns && !clock.isValid()) {
                clock.start();
            }
            if (clock.isValid()
                && clock.elapsed()
                    >= std::chrono::duration_cast<std::chrono::milliseconds>(flags.vanishAfter)
                           .count()) {
                QString e;
                if (!lab.vanish(s.pool, &e)) {
                    failWith(e);
                    return;
                }
                vanished = true;
                clock.restart();
                if (!flags.json) {
                    std::printf(
                        "%6.1fs  peer vanished (link down inside the namespace, no FIN, no RST)\n",
                        0.0);
                }
            }
            return;
        }
        lab.observe(s.pool, s.kernel);
        const DeadPeerWorkflow::Progress p = lab.progress(s.pool);
        const double t = p.vanishedSeconds;
        QStringList sockets;
        for (const KernelSocket &k : s.kernel.sockets) {
            if (k.state != TcpState::Established && k.state != TcpState::Unknown) {
                continue;
            }
            sockets << QStringLiteral(":%1 %2 timer %3 in %4ms probes %5")
                           .arg(k.localPort)
                           .arg(QLatin1String(tcpStateName(k.state)),
                               QLatin1String(tcpTimerName(k.timer)))
                           .arg(k.timerExpires.count())
                           .arg(k.keepAliveProbes);
        }
        const std::uint64_t closedKa = p.closedByKeepAlive;
        if (!flags.json) {
            std::printf("%6.1fs  pool idle %d, closed by keep-alive %llu | kernel: %s\n", t,
                s.pool.now.idle, static_cast<unsigned long long>(closedKa),
                sockets.isEmpty() ? "no established sockets"
                                  : qPrintable(sockets.join(QStringLiteral("; "))));
            std::fflush(stdout);
        }
        timeline.append(
            QJsonObject { { QStringLiteral("t_s"), t }, { QStringLiteral("idle"), s.pool.now.idle },
                { QStringLiteral("closed_keep_alive"), static_cast<qint64>(closedKa) },
                { QStringLiteral("established"), s.kernel.counts.count(TcpState::Established) } });
        if (static_cast<int>(closedKa) > static_cast<int>(closes.size())) {
            for (auto n = closes.size(); n < static_cast<qsizetype>(closedKa); ++n) {
                closes.append(t);
            }
        }
        const bool allClosed = p.allClosedAfterMs >= 0;
        if (allClosed
            || clock.elapsed()
                >= std::chrono::duration_cast<std::chrono::milliseconds>(flags.watch).count()) {
            if (flags.json) {
                QJsonObject o { { QStringLiteral("keep_alive"), ka.enable },
                    { QStringLiteral("conns"), flags.conns },
                    { QStringLiteral("closed_by_keep_alive"), static_cast<qint64>(closedKa) },
                    { QStringLiteral("closed_after_s"), closes },
                    { QStringLiteral("still_pooled"), s.pool.now.idle },
                    { QStringLiteral("max_probes_seen"), p.maxProbes },
                    { QStringLiteral("timeline"), timeline } };
                std::printf("%s\n", QJsonDocument(o).toJson(QJsonDocument::Compact).constData());
            } else if (allClosed) {
                std::printf("all %d connections closed by the kernel (reason: %s, Go sees %s)\n",
                    flags.conns, closeReasonLabel(CloseReason::KeepAliveTimeout).data(),
                    closeReasonGoName(CloseReason::KeepAliveTimeout).data());
            } else {
                std::printf("after %.0fs, %d dead connections are still pooled as idle: the next "
                            "request on one "
                            "of them will hang until a timeout\n",
                    t, s.pool.now.idle);
            }
            engine.stop();
            QCoreApplication::exit(exitCode);
        }
    });
    const int rc = QCoreApplication::exec();
    lab.tearDown();
    return rc != 0 ? rc : exitCode;
}

} // namespace poolscope
