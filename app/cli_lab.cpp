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

// One run of the lab: waits for the pool to hold its idle connections, makes the peer
// vanish, then watches the pool and the kernel until every connection is closed or the
// watch ends.
class LabRun
{
public:
    LabRun(const LabFlags &flags, DeadPeerWorkflow *lab)
        : flags_(flags), lab_(lab), ka_(flags.transport.effectiveKeepAlive())
    {
        load_.workers = flags.conns;
        load_.requestsPerWorker = 1;
        load_.linger = flags.vanishAfter + flags.watch + 5s;
        engine_.setSnapshotInterval(std::chrono::milliseconds(250));
        QObject::connect(&engine_, &EngineController::runFailed, qApp,
            [this](const QString &msg) { failWith(msg); });
        QObject::connect(
            lab_, &DeadPeerWorkflow::failed, qApp, [this](const QString &msg) { failWith(msg); });
        QObject::connect(lab_, &DeadPeerWorkflow::listening, qApp,
            [this](const QString &url) { onListening(url); });
        QObject::connect(&tick_, &QTimer::timeout, qApp, [this] { onTick(); });
    }

    [[nodiscard]] int exitCode() const { return exitCode_; }

private:
    void failWith(const QString &msg)
    {
        std::fprintf(stderr, "poolscope lab: %s\n", qPrintable(msg));
        exitCode_ = 1;
        QCoreApplication::exit(1);
    }

    void printExpectation() const
    {
        const int kill = DeadPeerWorkflow::expectedKillSeconds(ka_, KernelSettings::read());
        if (kill >= 0) {
            std::printf("lab: TCP keep-alive idle %ds, interval %ds, count %d (-1: the "
                        "kernel's): expect the kernel to close each connection at most %ds "
                        "after the peer vanishes\n",
                ka_.idleSeconds, ka_.intervalSeconds, ka_.count, kill);
        } else {
            std::printf("lab: TCP keep-alive off: nothing will notice the dead peer until a "
                        "request uses the connection\n");
        }
    }

    void onListening(const QString &url)
    {
        if (!flags_.json) {
            std::printf("lab: namespace %s, server %s (vanishes without a FIN)\n",
                qPrintable(lab_->namespaceName()), qPrintable(url));
            printExpectation();
        }
        load_.url = url;
        engine_.start(load_, flags_.transport);
        tick_.start(500);
    }

    void onTick()
    {
        const EngineSnapshot s = engine_.snapshot();
        if (vanished_) {
            watch(s);
        } else {
            waitToVanish(s);
        }
    }

    // Before the vanishing: once every connection is idle, wait --vanish-after, then vanish.
    void waitToVanish(const EngineSnapshot &s)
    {
        if (s.requestsDone >= static_cast<std::uint64_t>(flags_.conns)
            && s.pool.now.idle == flags_.conns && !clock_.isValid()) {
            clock_.start();
        }
        if (!clock_.isValid()
            || clock_.elapsed()
                < std::chrono::duration_cast<std::chrono::milliseconds>(flags_.vanishAfter)
                      .count()) {
            return;
        }
        QString e;
        if (!lab_->vanish(s.pool, &e)) {
            failWith(e);
            return;
        }
        vanished_ = true;
        clock_.restart();
        if (!flags_.json) {
            std::printf(
                "%6.1fs  peer vanished (link down inside the namespace, no FIN, no RST)\n", 0.0);
        }
    }

    static QString socketsText(const KernelSample &kernel)
    {
        QStringList sockets;
        for (const KernelSocket &k : kernel.sockets) {
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
        return sockets.join(QStringLiteral("; "));
    }

    // After the vanishing: one timeline row a tick, until all are closed or the watch ends.
    void watch(const EngineSnapshot &s)
    {
        lab_->observe(s.pool, s.kernel);
        const DeadPeerWorkflow::Progress p = lab_->progress(s.pool);
        const double t = p.vanishedSeconds;
        const std::uint64_t closedKa = p.closedByKeepAlive;
        if (!flags_.json) {
            const QString sockets = socketsText(s.kernel);
            std::printf("%6.1fs  pool idle %d, closed by keep-alive %llu | kernel: %s\n", t,
                s.pool.now.idle, static_cast<unsigned long long>(closedKa),
                sockets.isEmpty() ? "no established sockets" : qPrintable(sockets));
            std::fflush(stdout);
        }
        timeline_.append(
            QJsonObject { { QStringLiteral("t_s"), t }, { QStringLiteral("idle"), s.pool.now.idle },
                { QStringLiteral("closed_keep_alive"), static_cast<qint64>(closedKa) },
                { QStringLiteral("established"), s.kernel.counts.count(TcpState::Established) } });
        for (auto n = closes_.size(); n < static_cast<qsizetype>(closedKa); ++n) {
            closes_.append(t);
        }
        const bool allClosed = p.allClosedAfterMs >= 0;
        if (allClosed
            || clock_.elapsed()
                >= std::chrono::duration_cast<std::chrono::milliseconds>(flags_.watch).count()) {
            printOutcome(s, p, allClosed);
            engine_.stop();
            QCoreApplication::exit(exitCode_);
        }
    }

    void printOutcome(const EngineSnapshot &s, const DeadPeerWorkflow::Progress &p, bool allClosed)
    {
        if (flags_.json) {
            const QJsonObject o { { QStringLiteral("keep_alive"), ka_.enable },
                { QStringLiteral("conns"), flags_.conns },
                { QStringLiteral("closed_by_keep_alive"),
                    static_cast<qint64>(p.closedByKeepAlive) },
                { QStringLiteral("closed_after_s"), closes_ },
                { QStringLiteral("still_pooled"), s.pool.now.idle },
                { QStringLiteral("max_probes_seen"), p.maxProbes },
                { QStringLiteral("timeline"), timeline_ } };
            std::printf("%s\n", QJsonDocument(o).toJson(QJsonDocument::Compact).constData());
        } else if (allClosed) {
            std::printf("all %d connections closed by the kernel (reason: %s, Go sees %s)\n",
                flags_.conns, closeReasonLabel(CloseReason::KeepAliveTimeout).data(),
                closeReasonGoName(CloseReason::KeepAliveTimeout).data());
        } else {
            std::printf("after %.0fs, %d dead connections are still pooled as idle: the next "
                        "request on one "
                        "of them will hang until a timeout\n",
                p.vanishedSeconds, s.pool.now.idle);
        }
    }

    const LabFlags flags_;
    DeadPeerWorkflow *lab_;
    const EffectiveKeepAlive ka_;
    LoadConfig load_;
    EngineController engine_;
    QElapsedTimer clock_;
    bool vanished_ = false;
    int exitCode_ = 0;
    QJsonArray closes_;
    QJsonArray timeline_;
    QTimer tick_;
};

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
    LabRun run(flags, &lab);
    const int rc = QCoreApplication::exec();
    lab.tearDown();
    return rc != 0 ? rc : run.exitCode();
}

} // namespace poolscope
