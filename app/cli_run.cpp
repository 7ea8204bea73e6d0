#include "cli_run.h"

#include "kernel/kernel_settings.h"
#include "load/derived_figures.h"
#include "load/engine_controller.h"
#include "load/failure_hint.h"
#include "metrics/go_duration.h"
#include "os/process.h"
#include "scenario/command_line.h"
#include "scenario/go_snippet.h"
#include "scenario/presets.h"
#include "server/embedded_server.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>
#include <cstdio>
#include <optional>
#include <string_view>

namespace poolscope {

namespace {

constexpr KnobChoice kDefaultsChoices[] = { { "go", "go" }, { "zero", "zero" } };

// The flags of `run` that are not knobs (every knob is a flag, from the table).
const FlagSpec kStartFlags[] = {
    { "preset", "NAME",
        "start from a built-in preset (the window's Presets menu; --list-presets names them); "
        "the flags given with it override its values" },
    { "list-presets", nullptr, "print every preset's name and title, and exit" },
    { "scenario", "FILE",
        "start from a scenario file (the window's File > Save scenario writes one); the flags "
        "given with it override its values" },
    { "defaults", "go|zero",
        "start the Transport, Dialer and Client knobs from http.DefaultTransport (go, the "
        "default) or a zero http.Transport{}",
        KnobKind::Choice, 0, 0, kDefaultsChoices },
};
const FlagSpec kOutputFlags[] = {
    { "json", nullptr, "print one JSON object on stdout at the end" },
    { "events", "FILE", "write every pool event as NDJSON to FILE" },
    { "record-events", nullptr,
        "record every event into the engine's bounded ring and drain it at 10 Hz, as the GUI "
        "does" },
    { "quiet", nullptr, "no progress lines on stderr" },
    { "no-kernel", nullptr, "do not sample the kernel's socket table" },
    { "print-scenario", nullptr,
        "print the scenario file these flags make (JSON) and exit without running" },
};

struct RunOptions
{
    Settings settings;
    // The scenario file's words, kept by --print-scenario.
    QString scenarioId;
    QString scenarioTitle;
    QString scenarioExplanation;
    bool json = false;
    bool quiet = false;
    bool kernel = true;
    QString eventsPath;
    bool recordEvents = false;
    bool printScenario = false;
};

const char kRunIntro[]
    = "Usage: poolscope run [flags]\n"
      "Loads a target with PoolScope's Go-faithful connection pool and prints what the pool did.\n"
      "It models Go 1.19's net/http (Debian bookworm's Go, the conformance referee); where a\n"
      "later Go changed a rule, --go-version 1.23 selects the later one (README: Which Go).\n"
      "Durations use Go's syntax (250ms, 90s, 1m30s). Every run is bounded by --requests and/or\n"
      "--duration (10s when neither is given). Switches also take =true or =false.\n";

// Every knob is a flag of `run`, from the table, between the start and output flags.
void addRunFlags(CommandLine *cl)
{
    cl->addFlags(kStartFlags, QStringLiteral("Start"));
    for (const Knob &k : knobTable()) {
        cl->addKnob(k, knobGroupTitle(k.group));
    }
    cl->addFlags(kOutputFlags, QStringLiteral("Output"));
}

void startFrom(const Preset &p, RunOptions *o)
{
    o->settings = Settings { p.transport, p.load, p.server };
    o->scenarioId = p.id;
    o->scenarioTitle = p.title;
    o->scenarioExplanation = p.explanation;
}

// The settings the run starts from: a preset, a scenario file or --defaults.
bool startingPoint(const CommandLine &cl, RunOptions *o, QString *error)
{
    const bool preset = cl.isSet(QStringLiteral("preset"));
    const bool scenario = cl.isSet(QStringLiteral("scenario"));
    if (preset && scenario) {
        *error = QStringLiteral("--preset and --scenario cannot be combined (each sets every "
                                "knob); give one of them");
        return false;
    }
    if ((preset || scenario) && cl.isSet(QStringLiteral("defaults"))) {
        *error = QStringLiteral("--defaults and --%1 cannot be combined (a %2)")
                     .arg(preset ? QStringLiteral("preset") : QStringLiteral("scenario"),
                         preset ? QStringLiteral("preset sets every knob")
                                : QStringLiteral("scenario file's missing knobs take "
                                                 "http.DefaultTransport's values"));
        return false;
    }
    if (preset) {
        const Preset *p = findPreset(cl.value(QStringLiteral("preset")), error);
        if (!p) {
            return false;
        }
        startFrom(*p, o);
        return true;
    }
    if (scenario) {
        const auto p = loadScenarioFile(cl.value(QStringLiteral("scenario")), error);
        if (!p) {
            return false;
        }
        startFrom(*p, o);
        return true;
    }
    KnobValue defaults = QStringLiteral("go");
    if (!cl.typedValue(QStringLiteral("defaults"), &defaults, error)) {
        return false;
    }
    if (std::get<QString>(defaults) == u"zero") {
        o->settings.transport = TransportConfig::zero();
    }
    return true;
}

bool buildOptions(const CommandLine &cl, RunOptions *o, QString *error)
{
    if (!startingPoint(cl, o, error) || !cl.applyKnobs(&o->settings, error)) {
        return false;
    }
    // --url again and again: several hosts (worker i loads URL i mod n), from the table.
    if (cl.values(QStringLiteral("url")).contains(QString())) {
        // Go's http.Get(""); an empty --url must not quietly mean the embedded server.
        *error = QStringLiteral("invalid value \"\" for --url: unsupported protocol scheme \"\" "
                                "(leave --url out to load the embedded server)");
        return false;
    }
    LoadConfig &l = o->settings.load;
    // Setting Idle, Interval or Count means using them, as in Go code that fills
    // in a KeepAliveConfig; --keep-alive-enable=false still says otherwise.
    KeepAliveConfig &ka = o->settings.transport.keepAliveConfig;
    for (const char *key :
        { "KeepAliveConfig.Idle", "KeepAliveConfig.Interval", "KeepAliveConfig.Count" }) {
        if (cl.knobGiven(*findKnob(QLatin1String(key)))
            && !cl.knobGiven(*findKnob(u"KeepAliveConfig.Enable"))) {
            ka.enable = true;
        }
    }
    if (l.requestsPerWorker == 0 && l.duration == Duration::zero()) {
        l.duration = std::chrono::seconds(10);
    }
    o->json = cl.isOn(QStringLiteral("json"));
    o->quiet = cl.isOn(QStringLiteral("quiet")) || o->json;
    o->kernel = !cl.isOn(QStringLiteral("no-kernel"));
    o->eventsPath = cl.value(QStringLiteral("events"));
    o->recordEvents = cl.isOn(QStringLiteral("record-events"));
    o->printScenario = cl.isOn(QStringLiteral("print-scenario"));
    return true;
}

QJsonObject latencyJson(const LatencySummary &l)
{
    return QJsonObject { { QStringLiteral("p50"), l.p50Ms }, { QStringLiteral("p90"), l.p90Ms },
        { QStringLiteral("p99"), l.p99Ms }, { QStringLiteral("max"), l.maxMs } };
}

QJsonObject statesJson(const TcpStateCounts &counts)
{
    QJsonObject states;
    for (int i = 1; i < kTcpStateCount; ++i) {
        const auto st = static_cast<TcpState>(i);
        if (st != TcpState::Listen) {
            states.insert(QLatin1String(tcpStateName(st)), counts.count(st));
        }
    }
    return states;
}

// Closes by who closed first (and so holds the TIME_WAIT), each with its reasons.
QJsonObject closedFirstJson(const PoolCounters &p)
{
    QJsonObject bySide;
    const std::array<std::uint64_t, 3> totals = closesByFirstCloser(p);
    for (const FirstCloser c : { FirstCloser::Client, FirstCloser::Server, FirstCloser::None }) {
        QJsonObject side { { QStringLiteral("total"),
            static_cast<qint64>(totals[static_cast<std::size_t>(c)]) } };
        for (int i = 1; i < kCloseReasonCount; ++i) {
            const CloseReasonInfo &info = closeReasonInfo(static_cast<CloseReason>(i));
            const std::uint64_t n = p.closesByReason[static_cast<std::size_t>(i)];
            if (info.closer == c && n > 0) {
                side.insert(QLatin1String(info.key), static_cast<qint64>(n));
            }
        }
        bySide.insert(QLatin1String(firstCloserName(c).data()), side);
    }
    return bySide;
}

// The target's end of the same connections, with the client side's keys.
QJsonObject serverSideJson(const EngineSnapshot &s)
{
    if (!s.kernel.serverSide) {
        return QJsonObject { { QStringLiteral("available"), false },
            { QStringLiteral("reason"), QStringLiteral("the target is not on this machine") } };
    }
    return QJsonObject { { QStringLiteral("available"), true },
        { QStringLiteral("source"), s.kernel.source },
        { QStringLiteral("states_at_end"), statesJson(s.kernel.serverCounts) },
        { QStringLiteral("time_wait_peak"), static_cast<qint64>(s.serverTimeWaitPeak) } };
}

QString latin1(std::string_view v)
{
    return QString::fromLatin1(v.data(), static_cast<qsizetype>(v.size()));
}

// close_reasons: every reason that closed at least one connection, by its key.
QJsonObject closeReasonsJson(const PoolCounters &p)
{
    QJsonObject reasons;
    for (int i = 1; i < kCloseReasonCount; ++i) {
        const auto r = static_cast<CloseReason>(i);
        if (p.closesByReason[static_cast<std::size_t>(i)] > 0) {
            reasons.insert(latin1(closeReasonKey(r)),
                static_cast<qint64>(p.closesByReason[static_cast<std::size_t>(i)]));
        }
    }
    return reasons;
}

// errors_by_kind, by RequestFailure: the kinds that had a CloseReason of their own keep
// its key.
QJsonObject errorsByKindJson(const EngineSnapshot &s)
{
    QJsonObject errors;
    for (int i = 1; i < kRequestFailureCount; ++i) {
        const auto f = static_cast<RequestFailure>(i);
        const std::uint64_t n = s.failuresByKind[static_cast<std::size_t>(i)];
        if (n > 0) {
            errors.insert(latin1(requestFailureKey(f)), static_cast<qint64>(n));
        }
    }
    return errors;
}

// protocols: Go's resp.Proto of every response, e.g. {"HTTP/2.0": 1000}.
QJsonObject protocolsJson(const EngineSnapshot &s)
{
    QJsonObject protocols;
    for (std::size_t i = 0; i < kHttpProtoCount; ++i) {
        if (s.responsesByProto[i] > 0) {
            protocols.insert(QLatin1String(httpProtoName(static_cast<HttpProto>(i))),
                static_cast<qint64>(s.responsesByProto[i]));
        }
    }
    return protocols;
}

// h2: streams over the run, for a run that had an HTTP/2 connection (H2StreamStats).
QJsonObject h2Json(const H2StreamStats &h2)
{
    return QJsonObject {
        { QStringLiteral("connections"), static_cast<qint64>(h2.connsEver) },
        { QStringLiteral("max_open_connections"), h2.peakConns },
        { QStringLiteral("open_at_end"), h2.conns },
        { QStringLiteral("max_active_streams"), h2.peakStreams },
        { QStringLiteral("max_streams_per_conn"), h2.peakPerConn },
        { QStringLiteral("max_streams_per_conn_after_settings"), h2.peakPerConnAfterSettings },
        { QStringLiteral("mean_streams_per_conn"), h2.meanPerConn },
        { QStringLiteral("max_waiting_for_stream"), h2.peakWaiting },
        { QStringLiteral("server_max_concurrent_streams"),
            static_cast<qint64>(h2.serverMaxStreams) },
    };
}

// The counts of the run: requests, the pool's dials and reuse, rates and latency.
QJsonObject countsJson(const EngineSnapshot &s)
{
    const PoolCounters &p = s.pool;
    const double seconds = std::chrono::duration<double>(s.time).count();
    return QJsonObject {
        { QStringLiteral("target"), s.target },
        { QStringLiteral("requests"), static_cast<qint64>(s.requestsDone) },
        { QStringLiteral("errors"), static_cast<qint64>(s.errors) },
        { QStringLiteral("responses"), static_cast<qint64>(s.responses) },
        { QStringLiteral("redirects"), static_cast<qint64>(s.redirects) },
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
        { QStringLiteral("req_per_conn"), requestsPerConnection(p).value_or(0.0) },
        // Throughput counts successes only (a refused dial is no throughput); every
        // finished request is an attempt.
        { QStringLiteral("successes"), static_cast<qint64>(s.successes) },
        { QStringLiteral("attempts"), static_cast<qint64>(s.requestsDone - s.canceled) },
        { QStringLiteral("rps"), seconds > 0 ? static_cast<double>(s.successes) / seconds : 0.0 },
        { QStringLiteral("attempts_per_s"),
            seconds > 0 ? static_cast<double>(s.requestsDone - s.canceled) / seconds : 0.0 },
        { QStringLiteral("duration_s"), seconds },
        { QStringLiteral("latency_ms"), latencyJson(s.latencyTotal) },
    };
}

// kernel.settings and kernel.port_headroom: the sysctls that bound the run, when readable.
void insertKernelSettings(const EngineSnapshot &s, QJsonObject *kernel)
{
    const KernelSettings ks = KernelSettings::read();
    if (!ks.ok) {
        return;
    }
    kernel->insert(QStringLiteral("settings"),
        QJsonObject { { QStringLiteral("tcp_keepalive_time"), ks.keepaliveTime },
            { QStringLiteral("tcp_keepalive_intvl"), ks.keepaliveIntvl },
            { QStringLiteral("tcp_keepalive_probes"), ks.keepaliveProbes },
            { QStringLiteral("ip_local_port_range"),
                QJsonArray { ks.portRangeLow, ks.portRangeHigh } },
            { QStringLiteral("tcp_fin_timeout"), ks.finTimeout },
            { QStringLiteral("tcp_tw_reuse"), ks.twReuse },
            { QStringLiteral("somaxconn"), ks.somaxconn } });
    const PortHeadroom h = PortHeadroom::compute(s.kernel, ks);
    kernel->insert(QStringLiteral("port_headroom"),
        QJsonObject { { QStringLiteral("in_use"), h.inUse },
            { QStringLiteral("range"), h.rangeSize }, { QStringLiteral("fraction"), h.fraction },
            { QStringLiteral("level"), QLatin1String(PortHeadroom::levelName(h.level)) } });
}

// kernel: the socket table at the end of the run, or why it could not be read.
QJsonObject kernelJson(const EngineSnapshot &s)
{
    QJsonObject kernel;
    kernel.insert(QStringLiteral("available"), s.kernel.available);
    if (!s.kernel.available) {
        kernel.insert(QStringLiteral("reason"), s.kernel.unavailableReason);
        return kernel;
    }
    kernel.insert(QStringLiteral("source"), s.kernel.source);
    kernel.insert(QStringLiteral("states_at_end"), statesJson(s.kernel.counts));
    kernel.insert(QStringLiteral("time_wait_peak"), static_cast<qint64>(s.timeWaitPeak));
    kernel.insert(QStringLiteral("server_side"), serverSideJson(s));
    kernel.insert(QStringLiteral("closed_first_by"), closedFirstJson(s.pool));
    insertKernelSettings(s, &kernel);
    return kernel;
}

QJsonObject serverJson(const ServerStats &server)
{
    return QJsonObject { { QStringLiteral("accepted"), static_cast<qint64>(server.accepted) },
        { QStringLiteral("requests"), static_cast<qint64>(server.requests) },
        { QStringLiteral("closed_by_server"), static_cast<qint64>(server.closedByServer) },
        { QStringLiteral("closed_by_client"), static_cast<qint64>(server.closedByClient) } };
}

QJsonObject resultJson(const EngineSnapshot &s, const std::optional<ServerStats> &server)
{
    QJsonObject o = countsJson(s);
    o.insert(QStringLiteral("close_reasons"), closeReasonsJson(s.pool));
    o.insert(QStringLiteral("errors_by_kind"), errorsByKindJson(s));
    o.insert(QStringLiteral("protocols"), protocolsJson(s));
    if (s.h2.connsEver > 0) {
        o.insert(QStringLiteral("h2"), h2Json(s.h2));
    }
    if (!s.lastError.isEmpty()) {
        o.insert(QStringLiteral("last_error"), s.lastError);
        if (const QString hint = failureHint(s.lastError); !hint.isEmpty()) {
            o.insert(QStringLiteral("hint"), hint);
        }
    }
    if (s.stoppedFailing) {
        o.insert(QStringLiteral("stopped_failing"), true);
    }
    const QJsonObject kernel = kernelJson(s);
    o.insert(QStringLiteral("kernel"), kernel);
    if (server) {
        o.insert(QStringLiteral("server"), serverJson(*server));
    }
    return o;
}

// "h2 streams  max 4 per conn (mean 3.1), 10 in all, waiting max 6; 3 conns": runs with h2.
void printH2(const QJsonObject &o)
{
    const QJsonObject h2 = o.value(QStringLiteral("h2")).toObject();
    if (h2.isEmpty()) {
        return;
    }
    const auto n = [&h2](const char *k) {
        return h2.value(QLatin1String(k)).toDouble();
    };
    std::printf("%-16s max %.0f per conn (mean %.1f), %.0f in all, waiting max %.0f; "
                "%.0f conns (at most %.0f open)\n",
        "h2 streams", n("max_streams_per_conn"), n("mean_streams_per_conn"),
        n("max_active_streams"), n("max_waiting_for_stream"), n("connections"),
        n("max_open_connections"));
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
    line("rps",
        QString::number(o.value(QStringLiteral("rps")).toDouble(), 'f', 0)
            + QStringLiteral("  (successes only; attempts %1/s)")
                  .arg(o.value(QStringLiteral("attempts_per_s")).toDouble(), 0, 'f', 0));
    if (o.value(QStringLiteral("redirects")).toDouble() > 0) {
        line("redirects", num("redirects"));
    }
    line("dials",
        num("dials") + QStringLiteral("  (reused ") + num("reused") + QStringLiteral(", fresh ")
            + num("fresh") + QStringLiteral(", retries ") + num("retries") + QStringLiteral(")"));
    const QJsonObject protocols = o.value(QStringLiteral("protocols")).toObject();
    QStringList protoParts;
    for (auto it = protocols.begin(); it != protocols.end(); ++it) {
        protoParts << QStringLiteral("%1 %2").arg(it.key()).arg(it.value().toDouble(), 0, 'f', 0);
    }
    if (!protoParts.isEmpty()) {
        line("protocols", protoParts.join(QStringLiteral(", ")));
    }
    printH2(o);
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
        const QJsonObject server = k.value(QStringLiteral("server_side")).toObject();
        if (server.value(QStringLiteral("available")).toBool()) {
            const QJsonObject sst = server.value(QStringLiteral("states_at_end")).toObject();
            line("kernel (server)",
                QStringLiteral("TIME_WAIT %1 (peak %2), CLOSE_WAIT %3: the target's end")
                    .arg(sst.value(QStringLiteral("TIME_WAIT")).toInt())
                    .arg(server.value(QStringLiteral("time_wait_peak")).toInt())
                    .arg(sst.value(QStringLiteral("CLOSE_WAIT")).toInt()));
        }
    } else {
        line("kernel",
            QStringLiteral("unavailable: ") + k.value(QStringLiteral("reason")).toString());
    }
    if (o.contains(QStringLiteral("last_error"))) {
        line("last error", o.value(QStringLiteral("last_error")).toString());
    }
    if (o.contains(QStringLiteral("hint"))) {
        line("hint", o.value(QStringLiteral("hint")).toString());
    }
}

} // namespace

QString runCommandHelp()
{
    CommandLine cl("run", QLatin1String(kRunIntro));
    addRunFlags(&cl);
    return cl.help();
}

namespace {

void printProgress(const EngineSnapshot &s)
{
    std::fprintf(stderr,
        "%6.1fs  %8llu req  %7.0f req/s  open %d idle %d dialing %d waiting %d  dials %llu "
        " errors %llu\n",
        std::chrono::duration<double>(s.time).count(),
        static_cast<unsigned long long>(s.requestsDone), s.rpsWindow, s.pool.now.open(),
        s.pool.now.idle, s.pool.now.dialing, s.pool.now.waiting,
        static_cast<unsigned long long>(s.pool.dials), static_cast<unsigned long long>(s.errors));
}

// Prints the result; the exit code: 1 when every request failed (no Do returned a
// response: a body read that failed afterwards does not count as a failed request here).
int report(const EngineSnapshot &s, const QJsonObject &o, const RunOptions &opt)
{
    if (opt.json) {
        std::printf("%s\n", QJsonDocument(o).toJson(QJsonDocument::Compact).constData());
    } else {
        printTable(o);
    }
    std::fflush(stdout);
    if (s.stoppedFailing) {
        std::fprintf(stderr, "poolscope run: stopped: every request failed for %s\n",
            qPrintable(formatGoDuration(opt.settings.load.stopWhenFailing)));
    }
    const std::uint64_t attempted = s.requestsDone - s.canceled;
    if (attempted > 0 && s.responses == 0) {
        std::fprintf(stderr, "poolscope run: every request failed: %s\n", qPrintable(s.lastError));
        if (const QString hint = failureHint(s.lastError); !hint.isEmpty()) {
            std::fprintf(stderr, "poolscope run: hint: %s\n", qPrintable(hint));
        }
        return 1;
    }
    return 0;
}

// Loads opt.settings.load.url (the embedded `server` when there is one) until
// the run ends or a signal stops it; returns the exit code.
int runEngine(const RunOptions &opt, EmbeddedServer *server)
{
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
    // The books at every snapshot, not only the last: every dial is dialing, open or closed.
    qint64 snapshots = 0;
    qint64 unbalanced = 0;
    QObject::connect(&engine, &EngineController::snapshotReady, qApp, [&] {
        const PoolCounters p = engine.snapshot().pool;
        ++snapshots;
        if (p.dials != p.closed + std::uint64_t(p.now.open() + p.now.dialing)) {
            ++unbalanced;
        }
    });
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
        o.insert(QStringLiteral("books"),
            QJsonObject { { QStringLiteral("snapshots"), snapshots + 1 },
                { QStringLiteral("unbalanced"),
                    unbalanced
                        + (s.pool.dials
                                    != s.pool.closed
                                        + std::uint64_t(s.pool.now.open() + s.pool.now.dialing)
                                ? 1
                                : 0) } });
        if (opt.recordEvents) {
            eventsTaken += engine.takeEvents(&eventsDropped).size();
            o.insert(QStringLiteral("events_recorded"), static_cast<qint64>(eventsTaken));
            o.insert(QStringLiteral("events_dropped"),
                static_cast<qint64>(eventsDropped + s.eventsDropped));
        }
        exitCode = report(s, o, opt);
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
        QObject::connect(
            &progress, &QTimer::timeout, qApp, [&] { printProgress(engine.snapshot()); });
        progress.start(1000);
    }

    // Ctrl-C / SIGTERM: stop the load and still print what happened.
    TerminationSignals termination;
    QObject::connect(&termination, &TerminationSignals::received, qApp, [&] {
        std::fprintf(stderr, "poolscope run: interrupted, stopping\n");
        engine.stop();
    });

    engine.start(opt.settings.load, opt.settings.transport);
    const int rc = QCoreApplication::exec();
    return rc != 0 ? rc : exitCode;
}

} // namespace

int runRunCommand(const QStringList &args)
{
    CommandLine cl("run", QLatin1String(kRunIntro));
    addRunFlags(&cl);
    if (const auto done = cl.parseOrFinish(args)) {
        return *done;
    }
    if (cl.isOn(QStringLiteral("list-presets"))) {
        for (const Preset &p : builtinPresets()) {
            std::printf("%-26s %s\n", qPrintable(p.id), qPrintable(p.title));
        }
        return 0;
    }
    QString error;
    RunOptions opt;
    if (!buildOptions(cl, &opt, &error)) {
        std::fprintf(stderr, "poolscope run: %s\n", qPrintable(error));
        return 2;
    }
    const LoadConfig &load = opt.settings.load;
    if (!opt.quiet && load.mixShare > 0 && !load.mixMethod.isEmpty()
        && load.mixBodyPolicy == BodyPolicy::Leak && load.bodyPolicy != BodyPolicy::Leak
        && !cl.isSet(QStringLiteral("mix-body-policy"))) {
        // The share's body policy defaults to leak ("some callers forget to close the
        // body"): say so when the user only asked for another method.
        std::fprintf(stderr,
            "poolscope run: note: the mixed share (--mix-method %s) also leaks its response "
            "bodies (--mix-body-policy leak, its default); add --mix-body-policy read for a "
            "share that differs by its method alone\n",
            load.mixMethod.constData());
    }
    if (opt.printScenario) {
        const Preset p { opt.scenarioId, opt.scenarioTitle, opt.scenarioExplanation,
            opt.settings.transport, opt.settings.load, opt.settings.server };
        std::printf(
            "%s", QJsonDocument(scenarioToJson(p)).toJson(QJsonDocument::Indented).constData());
        return 0;
    }
    std::unique_ptr<EmbeddedServer> server;
    if (opt.settings.load.url.isEmpty()) {
        server = std::make_unique<EmbeddedServer>();
        if (!server->start(opt.settings.server, &error)) {
            std::fprintf(stderr, "poolscope run: embedded server: %s\n", qPrintable(error));
            return 1;
        }
        opt.settings.load.url = server->url();
        if (!opt.quiet) {
            std::fprintf(
                stderr, "embedded server listening on %s\n", qPrintable(opt.settings.load.url));
        }
    }
    return runEngine(opt, server.get());
}

int runSnippetCommand(const QStringList &args)
{
    CommandLine cl("snippet",
        QStringLiteral(
            "Usage: poolscope snippet [run flags]\n"
            "Prints the Go code (func newClient() *http.Client) for the client settings the\n"
            "same flags give `poolscope run`, the window's Go code panel headless. Load,\n"
            "server and output flags are accepted; of them only mixed callers with a method\n"
            "of their own (--mix-share, --mix-method) add to it (func requestMethod).\n"));
    addRunFlags(&cl);
    if (const auto done = cl.parseOrFinish(args)) {
        return *done;
    }
    QString error;
    RunOptions opt;
    if (!buildOptions(cl, &opt, &error)) {
        std::fprintf(stderr, "poolscope snippet: %s\n", qPrintable(error));
        return 2;
    }
    std::printf("%s", qPrintable(goSnippet(opt.settings.transport, opt.settings.load)));
    return 0;
}

} // namespace poolscope
