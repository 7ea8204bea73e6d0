#include "cli_lab.h"

#include "kernel/dead_peer_lab.h"
#include "kernel/dead_peer_workflow.h"
#include "kernel/kernel_settings.h"
#include "load/engine_controller.h"
#include "metrics/go_duration.h"
#include "scenario/command_line.h"

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

// A day is far beyond any lab run; bounds a typo like --watch 9999h.
constexpr double kDaySeconds = 24.0 * 3600;

// The flags of `lab` that are not knobs.
const FlagSpec kLabFlags[] = {
    { "conns", "N", "idle connections to hold (default 2)", KnobKind::Int, 1, 1000 },
    { "vanish-after", "DUR",
        "pause between the connections going idle and the vanishing (default 1s)",
        KnobKind::Duration, 0, kDaySeconds },
    { "watch", "DUR", "how long to watch after the vanishing (default 30s)", KnobKind::Duration, 0,
        kDaySeconds },
    { "json", nullptr, "one JSON object at the end instead of the timeline" },
};
// The keep-alive knobs the lab is about, from the knob table.
constexpr const char *kLabKnobs[] = { "Dialer.KeepAlive", "KeepAliveConfig.Idle",
    "KeepAliveConfig.Interval", "KeepAliveConfig.Count" };

struct LabFlags
{
    int conns = 2;
    TransportConfig transport = TransportConfig::goDefault();
    Duration vanishAfter = 1s;
    Duration watch = 30s;
    bool json = false;
};

// What the lab starts from: keep-alive probes a few seconds apart, so the
// kernel gives up on a vanished peer within seconds, not hours.
Settings labDefaults()
{
    Settings s;
    s.transport.keepAliveConfig = KeepAliveConfig { true, 1s, 1s, 3 };
    s.transport.idleConnTimeout = Duration::zero(); // only the kernel closes connections here
    return s;
}

void addLabFlags(CommandLine *cl)
{
    cl->addFlags(kLabFlags, QStringLiteral("Lab"));
    for (const char *key : kLabKnobs) {
        cl->addKnob(*findKnob(QLatin1String(key)), QStringLiteral("Keep-alive"));
    }
}

bool parseLabFlags(const CommandLine &cl, LabFlags *out, QString *error)
{
    Settings s = labDefaults();
    KnobValue conns = qint64(out->conns);
    KnobValue vanish = out->vanishAfter;
    KnobValue watch = out->watch;
    if (!cl.applyKnobs(&s, error) || !cl.typedValue(QStringLiteral("conns"), &conns, error)
        || !cl.typedValue(QStringLiteral("vanish-after"), &vanish, error)
        || !cl.typedValue(QStringLiteral("watch"), &watch, error)) {
        return false;
    }
    out->transport = s.transport;
    if (out->transport.keepAlive < Duration::zero()) {
        out->transport.keepAliveConfig.enable = false;
    }
    out->conns = static_cast<int>(std::get<qint64>(conns));
    out->vanishAfter = std::get<Duration>(vanish);
    out->watch = std::get<Duration>(watch);
    out->json = cl.isOn(QStringLiteral("json"));
    return true;
}

} // namespace

int runLabCommand(const QStringList &args)
{
    CommandLine parsed("lab", QLatin1String(kLabIntro), labDefaults());
    addLabFlags(&parsed);
    if (const auto done = parsed.parseOrFinish(args)) {
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
