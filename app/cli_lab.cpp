#include "cli_lab.h"

#include "cli_flags.h"
#include "kernel/dead_peer_lab.h"
#include "load/engine_controller.h"
#include "metrics/go_duration.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTimer>
#include <cstdio>
#include <map>

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
    const QString reason = DeadPeerLab::unavailableReason();
    if (!reason.isEmpty()) {
        std::fprintf(
            stderr, "poolscope lab: the dead-peer lab is unavailable: %s\n", qPrintable(reason));
        return 1;
    }
    DeadPeerLab::installSignalCleanup();
    DeadPeerLab lab;
    if (!lab.setUp(&error)) {
        std::fprintf(stderr, "poolscope lab: %s\n", qPrintable(error));
        return 1;
    }
    QProcess *server = lab.startInNamespace(QCoreApplication::applicationFilePath(),
        { QStringLiteral("serve"), QStringLiteral("--listen"),
            lab.peerAddress().toString() + QStringLiteral(":0") },
        &error);
    QElapsedTimer wait;
    wait.start();
    while (server && !server->canReadLine() && wait.elapsed() < 10000) {
        server->waitForReadyRead(100);
    }
    const QString first = server ? QString::fromUtf8(server->readLine()).trimmed() : QString();
    static const QRegularExpression re(QStringLiteral("listening on (\\S+)"));
    const auto m = re.match(first);
    if (!m.hasMatch()) {
        std::fprintf(stderr, "poolscope lab: the server in namespace %s did not start: %s\n",
            qPrintable(lab.namespaceName()), qPrintable(error.isEmpty() ? first : error));
        return 1;
    }
    const QString url = m.captured(1);
    const EffectiveKeepAlive ka = flags.transport.effectiveKeepAlive();
    if (!flags.json) {
        std::printf("lab: namespace %s, server %s (vanishes without a FIN)\n",
            qPrintable(lab.namespaceName()), qPrintable(url));
        if (ka.enable) {
            std::printf("lab: TCP keep-alive idle %ds, interval %ds, count %d: expect the kernel "
                        "to close each "
                        "connection about %ds after the peer vanishes\n",
                ka.idleSeconds, ka.intervalSeconds, ka.count,
                ka.idleSeconds + ka.intervalSeconds * std::max(ka.count, 0));
        } else {
            std::printf("lab: TCP keep-alive off: nothing will notice the dead peer until a "
                        "request uses the "
                        "connection\n");
        }
    }

    LoadConfig load;
    load.url = url;
    load.workers = flags.conns;
    load.requestsPerWorker = 1;
    load.linger = flags.vanishAfter + flags.watch + 5s;
    EngineController engine;
    engine.setSnapshotInterval(std::chrono::milliseconds(250));
    engine.start(load, flags.transport);

    QElapsedTimer clock;
    bool vanished = false;
    int exitCode = 0;
    QJsonArray closes;
    QJsonArray timeline;
    std::map<ConnId, bool> seen;
    int maxProbes = 0;
    QTimer tick;
    QObject::connect(&engine, &EngineController::runFailed, qApp, [&](const QString &msg) {
        std::fprintf(stderr, "poolscope lab: %s\n", qPrintable(msg));
        exitCode = 1;
        QCoreApplication::exit(1);
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
                if (!lab.vanish(&e)) {
                    std::fprintf(stderr, "poolscope lab: %s\n", qPrintable(e));
                    exitCode = 1;
                    QCoreApplication::exit(1);
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
        const double t = static_cast<double>(clock.elapsed()) / 1000.0;
        QStringList sockets;
        for (const KernelSocket &k : s.kernel.sockets) {
            if (k.state != TcpState::Established && k.state != TcpState::Unknown) {
                continue;
            }
            maxProbes = std::max(maxProbes, k.keepAliveProbes);
            sockets << QStringLiteral(":%1 %2 timer %3 in %4ms probes %5")
                           .arg(k.localPort)
                           .arg(QLatin1String(tcpStateName(k.state)),
                               QLatin1String(tcpTimerName(k.timer)))
                           .arg(k.timerExpires.count())
                           .arg(k.keepAliveProbes);
        }
        const auto closedKa = s.pool.closes(CloseReason::KeepAliveTimeout);
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
        const bool allClosed = s.pool.now.open() == 0;
        if (allClosed
            || clock.elapsed()
                >= std::chrono::duration_cast<std::chrono::milliseconds>(flags.watch).count()) {
            if (flags.json) {
                QJsonObject o { { QStringLiteral("keep_alive"), ka.enable },
                    { QStringLiteral("conns"), flags.conns },
                    { QStringLiteral("closed_by_keep_alive"), static_cast<qint64>(closedKa) },
                    { QStringLiteral("closed_after_s"), closes },
                    { QStringLiteral("still_pooled"), s.pool.now.idle },
                    { QStringLiteral("max_probes_seen"), maxProbes },
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
    tick.start(500);
    const int rc = QCoreApplication::exec();
    lab.restore(nullptr);
    lab.tearDown();
    return rc != 0 ? rc : exitCode;
}

} // namespace poolscope
