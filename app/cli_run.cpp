#include "cli_run.h"

#include "cli_flags.h"
#include "kernel/kernel_settings.h"
#include "load/engine_controller.h"
#include "metrics/go_duration.h"
#include "server/embedded_server.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSocketNotifier>
#include <QTimer>
#include <csignal>
#include <cstdio>
#include <optional>
#include <sys/socket.h>
#include <unistd.h>

namespace poolscope {

namespace {

// Every flag of `run`, in --help order.
const FlagSpec kRunFlags[] = {
    { "url", "URL", "",
        "target URL (http:// or https://); repeat for several hosts (worker i loads URL i mod n); "
        "absent: start the embedded server and load it" },
    { "workers", "N", "", "closed-loop workers, i.e. concurrent callers (default 10)" },
    { "requests", "N", "", "requests per worker (0 = bounded by --duration only)" },
    { "duration", "DUR", "",
        "run length, Go syntax: 250ms, 90s, 1m30s (default 10s if --requests is absent)" },
    { "rate", "R", "",
        "target rate in requests/s over all workers (0 = as fast as responses come)" },
    { "think", "DUR", "", "pause of each worker between a response and its next request" },
    { "timers", "go|precise", "",
        "how think time wakes: go (default) waits like Go's runtime, in whole milliseconds, so "
        "a 1ms think sleeps about 1-2ms as time.Sleep does; precise wakes to the nanosecond "
        "(--rate slots are always exact)" },
    { "method", "M", "", "HTTP method (default GET)" },
    { "body-size", "N", "", "request body size in bytes (default 0)" },
    { "body-policy", "P", "",
        "read | close-early | leak: what the caller does with each response body" },
    { "expect-continue", nullptr, "",
        "send Expect: 100-continue with request bodies (see --expect-continue-timeout)" },
    { "defaults", "go|zero", "",
        "start from http.DefaultTransport (go, default) or a zero http.Transport{}" },
    { "max-idle-conns", "N", "Transport.MaxIdleConns",
        "idle connections over all hosts; 0 = no limit (go: 100)" },
    { "max-idle-conns-per-host", "N", "Transport.MaxIdleConnsPerHost",
        "idle connections per host; 0 = 2 (DefaultMaxIdleConnsPerHost), negative = none" },
    { "max-conns-per-host", "N", "Transport.MaxConnsPerHost",
        "dialing+active+idle per host; 0 = unlimited" },
    { "idle-conn-timeout", "DUR", "Transport.IdleConnTimeout",
        "idle connection lifetime; 0 = forever (go: 90s)" },
    { "disable-keep-alives", nullptr, "Transport.DisableKeepAlives",
        "send Connection: close, one request per connection" },
    { "response-header-timeout", "DUR", "Transport.ResponseHeaderTimeout",
        "request written -> headers; 0 = none" },
    { "tls-handshake-timeout", "DUR", "Transport.TLSHandshakeTimeout", "0 = none (go: 10s)" },
    { "expect-continue-timeout", "DUR", "Transport.ExpectContinueTimeout", "go: 1s" },
    { "dial-timeout", "DUR", "Dialer.Timeout", "connect timeout; 0 = none (go: 30s)" },
    { "keep-alive", "DUR", "Dialer.KeepAlive",
        "TCP keep-alive; 0 = 15s, negative = off (go: 30s)" },
    { "keep-alive-idle", "DUR", "Dialer.KeepAliveConfig.Idle",
        "enables KeepAliveConfig; 0 = 15s, negative = kernel's" },
    { "keep-alive-interval", "DUR", "Dialer.KeepAliveConfig.Interval",
        "enables KeepAliveConfig; 0 = 15s" },
    { "keep-alive-count", "N", "Dialer.KeepAliveConfig.Count", "enables KeepAliveConfig; 0 = 9" },
    { "timeout", "DUR", "Client.Timeout", "whole request, dial to last body byte; 0 = none" },
    { "insecure", nullptr, "tls.Config.InsecureSkipVerify", "accept any server certificate" },
    { "linger", "DUR", "",
        "keep the pool alive this long after the load, then take the final snapshot" },
    { "json", nullptr, "", "print one JSON object on stdout at the end" },
    { "events", "FILE", "", "write every pool event as NDJSON to FILE" },
    { "record-events", nullptr, "",
        "record every event into the engine's bounded ring and drain it at 10 Hz, as the GUI "
        "does" },
    { "quiet", nullptr, "", "no progress lines on stderr" },
    { "no-kernel", nullptr, "", "do not sample the kernel's socket table" },
    { "server-latency", "DUR", "", "embedded server: response latency" },
    { "server-jitter", "DUR", "", "embedded server: uniform +/- jitter on the latency" },
    { "server-body-size", "N", "", "embedded server: response body bytes (default 64)" },
    { "server-idle-timeout", "DUR", "",
        "embedded server: close keep-alive connections idle this long" },
    { "server-max-requests-per-conn", "N", "", "embedded server: like nginx keepalive_requests" },
    { "server-close-probability", "P", "",
        "embedded server: chance of Connection: close per response" },
    { "server-http10", nullptr, "", "embedded server: answer HTTP/1.0 without keep-alive" },
    { "help", nullptr, "", "show this help" },
};

struct RunOptions
{
    LoadConfig load;
    TransportConfig transport;
    ServerConfig server;
    bool json = false;
    bool quiet = false;
    bool kernel = true;
    QString eventsPath;
    bool recordEvents = false;
};

bool buildOptions(const Flags &f, RunOptions *o, QString *error)
{
    if (f.has("defaults")) {
        const QString d = f.value("defaults");
        if (d == QLatin1String("go")) {
            o->transport = TransportConfig::goDefault();
        } else if (d == QLatin1String("zero")) {
            o->transport = TransportConfig::zero();
        } else {
            *error = QStringLiteral("invalid value \"%1\" for --defaults: want go or zero").arg(d);
            return false;
        }
    } else {
        o->transport = TransportConfig::goDefault();
    }
    TransportConfig &t = o->transport;
    LoadConfig &l = o->load;
    l.urls = f.values("url");
    l.url = l.urls.value(0);
    if (l.urls.size() < 2) {
        l.urls.clear();
    }
    if (!f.intValue("workers", &l.workers, error, 1)
        || !f.intValue("requests", &l.requestsPerWorker, error, 0)
        || !f.durationValue("duration", &l.duration, error, false)
        || !f.doubleValue("rate", &l.rate, error, 0, 1e7)
        || !f.durationValue("think", &l.think, error, false)
        || !f.intValue("body-size", &l.requestBodySize, error, 0)
        || !f.durationValue("linger", &l.linger, error, false)
        || !f.intValue("max-idle-conns", &t.maxIdleConns, error, 0)
        || !f.intValue("max-idle-conns-per-host", &t.maxIdleConnsPerHost, error)
        || !f.intValue("max-conns-per-host", &t.maxConnsPerHost, error, 0)
        || !f.durationValue("idle-conn-timeout", &t.idleConnTimeout, error)
        || !f.durationValue("response-header-timeout", &t.responseHeaderTimeout, error)
        || !f.durationValue("tls-handshake-timeout", &t.tlsHandshakeTimeout, error)
        || !f.durationValue("expect-continue-timeout", &t.expectContinueTimeout, error)
        || !f.durationValue("dial-timeout", &t.dialTimeout, error)
        || !f.durationValue("keep-alive", &t.keepAlive, error)
        || !f.durationValue("timeout", &t.clientTimeout, error)) {
        return false;
    }
    if (l.workers > 100000) {
        *error = QStringLiteral("invalid value for --workers: at most 100000");
        return false;
    }
    if (f.has("keep-alive-idle") || f.has("keep-alive-interval") || f.has("keep-alive-count")) {
        t.keepAliveConfig.enable = true;
        if (!f.durationValue("keep-alive-idle", &t.keepAliveConfig.idle, error)
            || !f.durationValue("keep-alive-interval", &t.keepAliveConfig.interval, error)
            || !f.intValue("keep-alive-count", &t.keepAliveConfig.count, error)) {
            return false;
        }
    }
    t.disableKeepAlives = f.has("disable-keep-alives");
    t.insecureSkipVerify = f.has("insecure");
    l.expectContinue = f.has("expect-continue");
    if (f.has("method")) {
        l.method = f.value("method").toLatin1();
    }
    if (f.has("timers") && !parseTimerModel(f.value("timers"), &l.timers)) {
        *error = QStringLiteral("invalid value \"%1\" for --timers: want go or precise")
                     .arg(f.value("timers"));
        return false;
    }
    if (f.has("body-policy") && !parseBodyPolicy(f.value("body-policy"), &l.bodyPolicy)) {
        *error = QStringLiteral(
            "invalid value \"%1\" for --body-policy: want read, close-early or leak")
                     .arg(f.value("body-policy"));
        return false;
    }
    if (l.requestsPerWorker == 0 && l.duration == Duration::zero()) {
        l.duration = std::chrono::seconds(10);
    }
    ServerConfig &s = o->server;
    if (!f.durationValue("server-latency", &s.latency, error, false)
        || !f.durationValue("server-jitter", &s.jitter, error, false)
        || !f.intValue("server-body-size", &s.bodySize, error, 0)
        || !f.durationValue("server-idle-timeout", &s.idleTimeout, error, false)
        || !f.intValue("server-max-requests-per-conn", &s.maxRequestsPerConn, error, 0)
        || !f.doubleValue("server-close-probability", &s.closeProbability, error, 0, 1)) {
        return false;
    }
    s.http10 = f.has("server-http10");
    o->json = f.has("json");
    o->quiet = f.has("quiet") || o->json;
    o->kernel = !f.has("no-kernel");
    o->eventsPath = f.value("events");
    o->recordEvents = f.has("record-events");
    return true;
}

QJsonObject latencyJson(const LatencySummary &l)
{
    return QJsonObject { { QStringLiteral("p50"), l.p50Ms }, { QStringLiteral("p90"), l.p90Ms },
        { QStringLiteral("p99"), l.p99Ms }, { QStringLiteral("max"), l.maxMs } };
}

QJsonObject resultJson(const EngineSnapshot &s, const std::optional<ServerStats> &server)
{
    const PoolCounters &p = s.pool;
    QJsonObject reasons;
    QJsonObject errors;
    for (int i = 1; i < kCloseReasonCount; ++i) {
        const auto r = static_cast<CloseReason>(i);
        const QString key = QString::fromLatin1(
            closeReasonKey(r).data(), static_cast<qsizetype>(closeReasonKey(r).size()));
        if (p.closesByReason[static_cast<std::size_t>(i)] > 0) {
            reasons.insert(key, static_cast<qint64>(p.closesByReason[static_cast<std::size_t>(i)]));
        }
        if (s.errorsByKind[static_cast<std::size_t>(i)] > 0) {
            errors.insert(key, static_cast<qint64>(s.errorsByKind[static_cast<std::size_t>(i)]));
        }
    }
    const double seconds = std::chrono::duration<double>(s.time).count();
    const std::uint64_t conns = p.dials - p.dialFailures;
    QJsonObject o {
        { QStringLiteral("target"), s.target },
        { QStringLiteral("requests"), static_cast<qint64>(s.requestsDone) },
        { QStringLiteral("errors"), static_cast<qint64>(s.errors) },
        { QStringLiteral("canceled"), static_cast<qint64>(s.canceled) },
        { QStringLiteral("dials"), static_cast<qint64>(p.dials) },
        { QStringLiteral("dial_failures"), static_cast<qint64>(p.dialFailures) },
        { QStringLiteral("reused"), static_cast<qint64>(p.reused) },
        { QStringLiteral("fresh"), static_cast<qint64>(p.fresh) },
        { QStringLiteral("retries"), static_cast<qint64>(p.retries) },
        { QStringLiteral("idle_handoffs"), static_cast<qint64>(p.idleHandoffs) },
        { QStringLiteral("closed"), static_cast<qint64>(p.closed) },
        { QStringLiteral("open_at_end"), p.now.open() },
        { QStringLiteral("idle_at_end"), p.now.idle },
        { QStringLiteral("req_per_conn"),
            conns ? static_cast<double>(p.gets) / static_cast<double>(conns) : 0.0 },
        { QStringLiteral("rps"),
            seconds > 0 ? static_cast<double>(s.requestsDone - s.canceled) / seconds : 0.0 },
        { QStringLiteral("duration_s"), seconds },
        { QStringLiteral("close_reasons"), reasons },
        { QStringLiteral("errors_by_kind"), errors },
        { QStringLiteral("latency_ms"), latencyJson(s.latencyTotal) },
    };
    if (!s.lastError.isEmpty()) {
        o.insert(QStringLiteral("last_error"), s.lastError);
    }
    QJsonObject kernel;
    kernel.insert(QStringLiteral("available"), s.kernel.available);
    if (s.kernel.available) {
        kernel.insert(QStringLiteral("source"), s.kernel.source);
        QJsonObject states;
        for (int i = 1; i < kTcpStateCount; ++i) {
            const auto st = static_cast<TcpState>(i);
            if (st == TcpState::Listen) {
                continue;
            }
            states.insert(QLatin1String(tcpStateName(st)), s.kernel.counts.count(st));
        }
        kernel.insert(QStringLiteral("states_at_end"), states);
        kernel.insert(QStringLiteral("time_wait_peak"), static_cast<qint64>(s.timeWaitPeak));
        const KernelSettings ks = KernelSettings::read();
        if (ks.ok) {
            kernel.insert(QStringLiteral("settings"),
                QJsonObject { { QStringLiteral("tcp_keepalive_time"), ks.keepaliveTime },
                    { QStringLiteral("tcp_keepalive_intvl"), ks.keepaliveIntvl },
                    { QStringLiteral("tcp_keepalive_probes"), ks.keepaliveProbes },
                    { QStringLiteral("ip_local_port_range"),
                        QJsonArray { ks.portRangeLow, ks.portRangeHigh } },
                    { QStringLiteral("tcp_fin_timeout"), ks.finTimeout },
                    { QStringLiteral("tcp_tw_reuse"), ks.twReuse },
                    { QStringLiteral("somaxconn"), ks.somaxconn } });
            const PortHeadroom h = PortHeadroom::compute(s.kernel, ks);
            kernel.insert(QStringLiteral("port_headroom"),
                QJsonObject { { QStringLiteral("in_use"), h.inUse },
                    { QStringLiteral("range"), h.rangeSize },
                    { QStringLiteral("fraction"), h.fraction },
                    { QStringLiteral("level"), QLatin1String(PortHeadroom::levelName(h.level)) } });
        }
    } else {
        kernel.insert(QStringLiteral("reason"), s.kernel.unavailableReason);
    }
    o.insert(QStringLiteral("kernel"), kernel);
    if (server) {
        o.insert(QStringLiteral("server"),
            QJsonObject { { QStringLiteral("accepted"), static_cast<qint64>(server->accepted) },
                { QStringLiteral("requests"), static_cast<qint64>(server->requests) },
                { QStringLiteral("closed_by_server"), static_cast<qint64>(server->closedByServer) },
                { QStringLiteral("closed_by_client"),
                    static_cast<qint64>(server->closedByClient) } });
    }
    return o;
}

void printTable(const QJsonObject &o)
{
    auto line = [](const char *k, const QString &v) {
        std::printf("%-16s %s\n", k, qPrintable(v));
    };
    auto num = [&](const char *k) {
        return QString::number(o.value(QLatin1String(k)).toDouble(), 'g', 10);
    };
    line("target", o.value(QStringLiteral("target")).toString());
    line("requests",
        num("requests") + QStringLiteral("  (errors ") + num("errors")
            + QStringLiteral(", canceled ") + num("canceled") + QStringLiteral(")"));
    line("rps", QString::number(o.value(QStringLiteral("rps")).toDouble(), 'f', 0));
    line("dials",
        num("dials") + QStringLiteral("  (reused ") + num("reused") + QStringLiteral(", fresh ")
            + num("fresh") + QStringLiteral(", retries ") + num("retries") + QStringLiteral(")"));
    line("req/conn", QString::number(o.value(QStringLiteral("req_per_conn")).toDouble(), 'f', 1));
    line("closed", num("closed"));
    const QJsonObject reasons = o.value(QStringLiteral("close_reasons")).toObject();
    for (auto it = reasons.begin(); it != reasons.end(); ++it) {
        std::printf(
            "  %-30s %lld\n", qPrintable(it.key()), static_cast<long long>(it.value().toDouble()));
    }
    line("open at end",
        num("open_at_end") + QStringLiteral("  (idle ") + num("idle_at_end") + QStringLiteral(")"));
    const QJsonObject lat = o.value(QStringLiteral("latency_ms")).toObject();
    line("latency ms",
        QStringLiteral("p50 %1  p90 %2  p99 %3  max %4")
            .arg(lat.value(QStringLiteral("p50")).toDouble(), 0, 'f', 3)
            .arg(lat.value(QStringLiteral("p90")).toDouble(), 0, 'f', 3)
            .arg(lat.value(QStringLiteral("p99")).toDouble(), 0, 'f', 3)
            .arg(lat.value(QStringLiteral("max")).toDouble(), 0, 'f', 3));
    const QJsonObject k = o.value(QStringLiteral("kernel")).toObject();
    if (k.value(QStringLiteral("available")).toBool()) {
        const QJsonObject st = k.value(QStringLiteral("states_at_end")).toObject();
        line("kernel",
            QStringLiteral("TIME_WAIT %1 (peak %2), ESTABLISHED %3")
                .arg(st.value(QStringLiteral("TIME_WAIT")).toInt())
                .arg(k.value(QStringLiteral("time_wait_peak")).toInt())
                .arg(st.value(QStringLiteral("ESTABLISHED")).toInt()));
    } else {
        line("kernel",
            QStringLiteral("unavailable: ") + k.value(QStringLiteral("reason")).toString());
    }
    if (o.contains(QStringLiteral("last_error"))) {
        line("last error", o.value(QStringLiteral("last_error")).toString());
    }
}

int g_signalPipe[2] = { -1, -1 };

void onSignal(int)
{
    const char c = 1;
    [[maybe_unused]] auto n = ::write(g_signalPipe[1], &c, 1);
}

} // namespace

QString runCommandHelp()
{
    QString out = QStringLiteral("Usage: poolscope run [flags]\n"
                                 "Loads a target with PoolScope's Go-faithful connection pool and "
                                 "prints what the pool did.\n"
                                 "Durations use Go's syntax (250ms, 90s, 1m30s). Every run is "
                                 "bounded by --requests and/or --duration.\n\n");
    return out + flagTableHelp(kRunFlags);
}

int runRunCommand(const QStringList &args)
{
    Flags flags("run", kRunFlags);
    if (const auto done = flags.parseOrFinish(args, runCommandHelp())) {
        return *done;
    }
    QString error;
    RunOptions opt;
    if (!buildOptions(flags, &opt, &error)) {
        std::fprintf(stderr, "poolscope run: %s\n", qPrintable(error));
        return 2;
    }

    std::unique_ptr<EmbeddedServer> server;
    if (opt.load.url.isEmpty()) {
        server = std::make_unique<EmbeddedServer>();
        if (!server->start(opt.server, &error)) {
            std::fprintf(stderr, "poolscope run: embedded server: %s\n", qPrintable(error));
            return 1;
        }
        opt.load.url = server->url();
        if (!opt.quiet) {
            std::fprintf(stderr, "embedded server listening on %s\n", qPrintable(opt.load.url));
        }
    }

    EngineController engine;
    engine.setKernelView(opt.kernel);
    // Headless, nobody watches at 10 Hz: 4 snapshots (and kernel samples) a second keep
    // the progress line and the TIME_WAIT peak honest at a quarter of the cost.
    engine.setSnapshotInterval(std::chrono::milliseconds(250));
    if (!opt.eventsPath.isEmpty()) {
        engine.setEventLogPath(opt.eventsPath);
    }
    int exitCode = 0;
    std::uint64_t eventsTaken = 0;
    std::uint64_t eventsDropped = 0;
    QObject::connect(&engine, &EngineController::runFailed, qApp, [&](const QString &message) {
        std::fprintf(stderr, "poolscope run: %s\n", qPrintable(message));
        exitCode = 1;
        QCoreApplication::exit(1);
    });
    QObject::connect(&engine, &EngineController::runFinished, qApp, [&](const EngineSnapshot &s) {
        std::optional<ServerStats> stats;
        if (server) {
            stats = server->stats();
        }
        QJsonObject o = resultJson(s, stats);
        if (opt.recordEvents) {
            eventsTaken += engine.takeEvents(&eventsDropped).size();
            o.insert(QStringLiteral("events_recorded"), static_cast<qint64>(eventsTaken));
            o.insert(QStringLiteral("events_dropped"),
                static_cast<qint64>(eventsDropped + s.eventsDropped));
        }
        if (opt.json) {
            std::printf("%s\n", QJsonDocument(o).toJson(QJsonDocument::Compact).constData());
        } else {
            printTable(o);
        }
        std::fflush(stdout);
        const std::uint64_t attempted = s.requestsDone - s.canceled;
        if (attempted > 0 && s.errors == attempted) {
            std::fprintf(
                stderr, "poolscope run: every request failed: %s\n", qPrintable(s.lastError));
            exitCode = 1;
        }
        QCoreApplication::exit(exitCode);
    });
    // --record-events: the ring is drained like the GUI drains it (10 Hz).
    QTimer drain;
    if (opt.recordEvents) {
        engine.setRecordEvents(true);
        QObject::connect(&drain, &QTimer::timeout, qApp,
            [&] { eventsTaken += engine.takeEvents(&eventsDropped).size(); });
        drain.start(100);
    }
    QTimer progress;
    if (!opt.quiet) {
        QObject::connect(&progress, &QTimer::timeout, qApp, [&] {
            const EngineSnapshot s = engine.snapshot();
            std::fprintf(stderr,
                "%6.1fs  %8llu req  %7.0f req/s  open %d idle %d dialing %d waiting %d  dials %llu "
                " errors %llu\n",
                std::chrono::duration<double>(s.time).count(),
                static_cast<unsigned long long>(s.requestsDone), s.rpsWindow, s.pool.now.open(),
                s.pool.now.idle, s.pool.now.dialing, s.pool.now.waiting,
                static_cast<unsigned long long>(s.pool.dials),
                static_cast<unsigned long long>(s.errors));
        });
        progress.start(1000);
    }

    // Ctrl-C / SIGTERM: stop the load and still print what happened.
    std::unique_ptr<QSocketNotifier> notifier;
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, g_signalPipe) == 0) {
        notifier = std::make_unique<QSocketNotifier>(g_signalPipe[0], QSocketNotifier::Read);
        QObject::connect(notifier.get(), &QSocketNotifier::activated, qApp, [&] {
            char c;
            [[maybe_unused]] auto n = ::read(g_signalPipe[0], &c, 1);
            std::fprintf(stderr, "poolscope run: interrupted, stopping\n");
            engine.stop();
        });
        std::signal(SIGINT, onSignal);
        std::signal(SIGTERM, onSignal);
    }

    engine.start(opt.load, opt.transport);
    const int rc = QCoreApplication::exec();
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    return rc != 0 ? rc : exitCode;
}

} // namespace poolscope
