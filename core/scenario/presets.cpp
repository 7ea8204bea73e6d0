#include "presets.h"

#include "http/loopback.h"
#include "knob_table.h"

#include <QFile>
#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <utility>

namespace poolscope {

namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr auto kPresetDuration = minutes(5);
// A preset run against a target that refuses every request stops after this long.
constexpr auto kPresetStopWhenFailing = seconds(30);
constexpr int kScenarioVersion = 1;
const QString kScenarioFormat = QStringLiteral("poolscope-scenario");
// Scenario files are a few KiB.
constexpr qint64 kMaxScenarioBytes = 1 << 20;

// The classic incident's load: 10 workers with a think time longer than the
// server's latency, so most connections come back to the pool together and
// all but MaxIdleConnsPerHost of them are closed.
Preset stormBase()
{
    Preset p;
    p.transport = TransportConfig::goDefault();
    p.load.workers = 10;
    p.load.duration = kPresetDuration;
    p.load.stopWhenFailing = kPresetStopWhenFailing;
    p.load.think = milliseconds(5);
    p.server.latency = milliseconds(1);
    p.server.jitter = std::chrono::microseconds(500);
    return p;
}

Preset calmBase()
{
    Preset p;
    p.transport = TransportConfig::goDefault();
    p.load.workers = 4;
    p.load.duration = kPresetDuration;
    p.load.stopWhenFailing = kPresetStopWhenFailing;
    p.load.think = milliseconds(20);
    p.server.latency = milliseconds(5);
    p.server.jitter = milliseconds(1);
    return p;
}

// A per-host idle cap that never closes anything here: as large as
// DefaultTransport's MaxIdleConns. For presets whose lesson is not the idle
// cap, so that every close they show is the one they teach.
constexpr int kIdleCapOutOfTheWay = 100;

// Each preset's explanation states what a run shows in numbers;
// tests/tst_cli_presets.cpp runs every preset headless and checks them.
std::vector<Preset> makePresets()
{
    std::vector<Preset> out;

    Preset storm = stormBase();
    storm.id = QStringLiteral("time-wait-storm");
    storm.title
        = QStringLiteral(QT_TRANSLATE_NOOP("Preset", "TIME_WAIT storm (default idle cap 2)"));
    storm.explanation = QStringLiteral(QT_TRANSLATE_NOOP("Preset",
        "Ten workers call one server through Go's DefaultTransport, whose MaxIdleConnsPerHost "
        "of 0 means 2. Each worker pauses 5 ms between requests, so its connection goes back to "
        "the pool, which keeps only 2 per host and closes the rest. What you will see: about "
        "every second request dials a new connection (requests per connection below 3), every "
        "close is \"idle pool full (per host)\" (Go's errTooManyIdleHost), never more than 2 "
        "connections idle, and the client's TIME_WAIT sockets climbing by hundreds a second, "
        "because the client closes first. Then raise MaxIdleConnsPerHost to 10, one per "
        "worker: dials stop and TIME_WAIT drains away over the next 60 s."));
    out.push_back(storm);

    Preset fixed = stormBase();
    fixed.id = QStringLiteral("time-wait-storm-fixed");
    fixed.title = QStringLiteral(
        QT_TRANSLATE_NOOP("Preset", "TIME_WAIT storm fixed (MaxIdleConnsPerHost 10)"));
    fixed.transport.maxIdleConnsPerHost = 10;
    fixed.explanation = QStringLiteral(QT_TRANSLATE_NOOP("Preset",
        "The storm's ten workers, pause and server, with MaxIdleConnsPerHost set to 10: one "
        "idle place per worker. Every returned connection fits in the pool. What you will see: "
        "exactly 10 dials however long the run lasts, not a single close, TIME_WAIT at 0, and "
        "requests per connection growing with the run (hundreds after a few seconds)."));
    out.push_back(fixed);

    Preset def = calmBase();
    def.id = QStringLiteral("go-default");
    def.title = QStringLiteral(QT_TRANSLATE_NOOP("Preset", "Go DefaultTransport"));
    def.explanation = QStringLiteral(QT_TRANSLATE_NOOP("Preset",
        "http.DefaultTransport as Go ships it: MaxIdleConns 100, MaxIdleConnsPerHost 0 (which "
        "means 2), IdleConnTimeout 90 s, a Dialer with a 30 s timeout and 30 s TCP keep-alive; "
        "the settings panel marks each as Go's default. Four workers with a 20 ms pause are "
        "already more than the idle cap of 2: when three or four connections come back at "
        "once, those beyond 2 are closed. What you will see: dials climbing past the 4 "
        "workers (tens in a few seconds; how many depends on how the pauses line up), every "
        "close \"idle pool full (per host)\", never more than 2 idle. Set MaxIdleConnsPerHost "
        "to 4 and the run dials exactly 4 connections."));
    out.push_back(def);

    Preset zero = calmBase();
    zero.id = QStringLiteral("zero-transport");
    zero.title = QStringLiteral(QT_TRANSLATE_NOOP("Preset", "Zero http.Transport{}"));
    zero.transport = TransportConfig::zero();
    zero.explanation = QStringLiteral(QT_TRANSLATE_NOOP("Preset",
        "A bare &http.Transport{} is not DefaultTransport: every field is zero, so there is no "
        "MaxIdleConns limit, idle connections never time out (IdleConnTimeout 0), dials have no "
        "timeout and TCP keep-alive uses Go's 15 s default instead of 30 s (the Connections "
        "dock shows each socket's keep-alive timer counting down from 15 s). Compare the Go "
        "code panel with go-default. The per-host idle cap is still 2, because 0 means 2. What "
        "you will see, with go-default's 4 workers and server: go-default's numbers, dials "
        "climbing past 4 and every close \"idle pool full (per host)\", and not one \"idle "
        "timeout\" close however long the run lasts."));
    out.push_back(zero);

    Preset queue = calmBase();
    queue.id = QStringLiteral("max-conns-per-host");
    queue.title = QStringLiteral(
        QT_TRANSLATE_NOOP("Preset", "MaxConnsPerHost 4 with 16 workers (queueing)"));
    queue.transport.maxConnsPerHost = 4;
    // At most 4 connections exist, so at most 4 are ever idle: the default cap
    // of 2 would close two when the workers stop.
    queue.transport.maxIdleConnsPerHost = 4;
    queue.load.workers = 16;
    queue.load.think = Duration::zero();
    queue.server.latency = milliseconds(10);
    queue.server.jitter = milliseconds(2);
    queue.explanation = QStringLiteral(QT_TRANSLATE_NOOP("Preset",
        "MaxConnsPerHost 4 caps the connections to one host, counting dialing, active and idle "
        "ones. Sixteen workers without a pause want 16 connections; only 4 may exist, so the "
        "other 12 requests wait until one comes back. What you will see: exactly 4 dials for "
        "the whole run and not a single close, open connections pinned at the MaxConnsPerHost "
        "line with about 12 requests waiting, and each request taking about 4 times the "
        "server's 10 ms (p50 near 40 ms), the time to wait for 3 others first. "
        "MaxIdleConnsPerHost is 4 so that the default idle cap of 2 closes nothing when the "
        "run ends."));
    out.push_back(queue);

    Preset stale = calmBase();
    stale.id = QStringLiteral("server-idle-shorter");
    stale.title = QStringLiteral(
        QT_TRANSLATE_NOOP("Preset", "Server idle timeout (1 s) shorter than the pause (1.5 s)"));
    stale.transport.maxIdleConnsPerHost = kIdleCapOutOfTheWay;
    stale.load.think = milliseconds(1500);
    stale.server.idleTimeout = seconds(1);
    stale.explanation = QStringLiteral(QT_TRANSLATE_NOOP("Preset",
        "The server closes a keep-alive connection after 1 s without a request (like nginx "
        "keepalive_timeout), but each of the 4 workers pauses 1.5 s between requests. By the "
        "time a worker wants its connection again, the server has closed it; the pool saw the "
        "close while the connection sat idle and dropped it (Go's errServerClosedIdle). What "
        "you will see: one dial per request (requests per connection 1.0), every close "
        "\"server closed idle\", no errors, no retries, and the client's TIME_WAIT near 0: the "
        "server closes first and holds it. The fix is on the server: set its idle timeout "
        "above the pause (server idle timeout 2 s) and the run dials 4 connections, one per "
        "worker. Lowering IdleConnTimeout below 1 s does not bring reuse back here: the client "
        "then closes each connection itself (\"idle timeout\"), still one dial per request, "
        "and the TIME_WAIT moves to the client. MaxIdleConnsPerHost is 100 so that the idle "
        "cap closes nothing."));
    out.push_back(stale);

    Preset body = calmBase();
    body.id = QStringLiteral("body-not-read");
    body.title
        = QStringLiteral(QT_TRANSLATE_NOOP("Preset", "Response body closed without reading"));
    body.transport.maxIdleConnsPerHost = kIdleCapOutOfTheWay;
    body.load.bodyPolicy = BodyPolicy::CloseEarly;
    body.load.think = milliseconds(10);
    body.server.bodySize = 16 * 1024;
    body.explanation = QStringLiteral(QT_TRANSLATE_NOOP("Preset",
        "Each caller closes resp.Body without reading it to the end. Go does not read the rest "
        "for you: it closes the connection instead, so no connection is ever reused. What you "
        "will see: one dial per request (requests per connection 1.0, reuse 0 %), every close "
        "\"body not read to EOF\", and the client's TIME_WAIT growing by about one per request, "
        "because the client closes first. Reading the body to EOF before Close "
        "(io.Copy(io.Discard, resp.Body)) restores reuse: set the body policy to read and the "
        "run dials 4 connections, one per worker. MaxIdleConnsPerHost is 100 so that the idle "
        "cap closes nothing after that fix."));
    out.push_back(body);

    Preset limit = calmBase();
    limit.id = QStringLiteral("keepalive-requests-limit");
    limit.title
        = QStringLiteral(QT_TRANSLATE_NOOP("Preset", "Server keepalive_requests limit (6)"));
    limit.transport.maxIdleConnsPerHost = kIdleCapOutOfTheWay;
    limit.load.think = milliseconds(10);
    limit.server.maxRequestsPerConn = 6;
    limit.explanation = QStringLiteral(QT_TRANSLATE_NOOP("Preset",
        "The server answers at most 6 requests per connection (nginx keepalive_requests 6) and "
        "says \"Connection: close\" on the 6th; the client honours it. What you will see: every "
        "connection serves exactly 6 requests, so requests per connection is 6.0 (5.9 while the "
        "last few connections are part-way) and there is one dial per 6 requests; every close "
        "is \"Connection: close (server)\", and the server, closing first, holds most of the "
        "TIME_WAIT. Only the server's limit changes this; no client knob can. "
        "MaxIdleConnsPerHost is 100 so that the idle cap closes nothing and every close is the "
        "server's."));
    out.push_back(limit);

    Preset noKa = stormBase();
    noKa.id = QStringLiteral("disable-keep-alives");
    noKa.title = QStringLiteral(
        QT_TRANSLATE_NOOP("Preset", "DisableKeepAlives (one request per connection)"));
    noKa.transport.disableKeepAlives = true;
    noKa.explanation = QStringLiteral(QT_TRANSLATE_NOOP("Preset",
        "DisableKeepAlives sends \"Connection: close\" with every request and uses each "
        "connection once. What you will see: one dial per request (dials/s equals requests/s, "
        "requests per connection 1.0), every close \"keep-alives disabled\". Because the "
        "request asks for the close, the server hangs up first, so the TIME_WAIT sockets pile "
        "up by the thousand on the server's side: the kernel chart's dashed \"server "
        "TIME_WAIT\" line climbs (more than twice the client's), while the client's TIME_WAIT "
        "line stays far below the closes (under a third: only where both ends hang up at "
        "once). For the pile-up on the client, turn "
        "DisableKeepAlives off and set MaxIdleConnsPerHost to -1: still one request per "
        "connection, but no \"Connection: close\" is sent, the client closes first and holds "
        "the TIME_WAIT."));
    out.push_back(noKa);

    Preset h2 = stormBase();
    h2.id = QStringLiteral("https-http2");
    h2.title = QStringLiteral(
        QT_TRANSLATE_NOOP("Preset", "HTTPS to one backend: HTTP/2 needs one connection"));
    h2.server.tls = true;
    h2.server.http2 = true;
    h2.transport.insecureSkipVerify = true; // the embedded server's test certificate
    h2.explanation = QStringLiteral(QT_TRANSLATE_NOOP("Preset",
        "The storm's load (ten workers, DefaultTransport, idle cap 2) against an HTTPS server "
        "that speaks HTTP/2. Go offers h2 by ALPN (DefaultTransport sets ForceAttemptHTTP2) and "
        "sends every request as a stream on one connection, so the idle cap plays no part. What "
        "you will see: exactly 10 dials, all at the start (each worker dials before any "
        "connection is pooled), 9 of them closed unused as \"HTTP/2 spare dial closed "
        "unused\" (Go's upgradeFn) and 1 connection left open carrying every request; every "
        "response HTTP/2.0 (the status bar's protocol field), no TIME_WAIT beyond those 9 "
        "spares. Then pick \"HTTPS with HTTP/2 off\" to see the same load over HTTP/1.1."));
    out.push_back(h2);

    Preset h2Off = h2;
    h2Off.id = QStringLiteral("https-http2-off");
    h2Off.title = QStringLiteral(
        QT_TRANSLATE_NOOP("Preset", "HTTPS with HTTP/2 off: the storm comes back"));
    h2Off.transport.disableHttp2 = true;
    h2Off.explanation = QStringLiteral(QT_TRANSLATE_NOOP("Preset",
        "The same HTTPS load with HTTP/2 off (DisableHTTP2: Go's empty TLSNextProto map; a "
        "custom DialContext without ForceAttemptHTTP2 does the same). What you will see: every "
        "response HTTP/1.1, the storm again (requests per connection below 3, every close "
        "\"idle pool full (per host)\" but the few handshakes still in flight when the run "
        "stops, the client's TIME_WAIT climbing), and each of those "
        "dials is a TLS handshake, so far fewer requests go through than with HTTP/2 (under "
        "half). The fix is HTTP/2 back on, or MaxIdleConnsPerHost 10."));
    out.push_back(h2Off);

    return out;
}

// A scenario file's sections, in the order a file reads best; every knob sits
// in one of them at its knobJsonPath.
constexpr const char *kSections[] = { "transport", "dialer", "client", "load", "server" };
// Top-level keys that are not knobs.
constexpr const char *kMetaKeys[] = { "format", "version", "id", "title", "explanation" };

QString describe(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Bool:
        return QStringLiteral("a boolean");
    case QJsonValue::Double:
        return QStringLiteral("a number");
    case QJsonValue::String:
        return QStringLiteral("the string \"%1\"").arg(v.toString());
    case QJsonValue::Array:
        return QStringLiteral("an array");
    case QJsonValue::Object:
        return QStringLiteral("an object");
    case QJsonValue::Undefined:
        break;
    }
    return QStringLiteral("nothing");
}

bool jsonTypeFits(const Knob &k, const QJsonValue &v)
{
    switch (k.kind) {
    case KnobKind::Int:
    case KnobKind::Real:
        return v.isDouble();
    case KnobKind::Bool:
        return v.isBool();
    case KnobKind::Duration:
    case KnobKind::Choice:
    case KnobKind::Text:
        return v.isString();
    case KnobKind::TextList:
        return v.isString() || v.isArray();
    }
    return false;
}

// The file's shape, from the knob table: which dotted path is a knob, and which
// keys each object may hold ("" is the top level).
struct Schema
{
    QHash<QString, const Knob *> knobs;
    QHash<QString, QStringList> children;
};

const Schema &schema()
{
    static const Schema s = [] {
        Schema out;
        const auto addChild = [&out](const QString &parent, const QString &key) {
            QStringList &keys = out.children[parent];
            if (!keys.contains(key)) {
                keys.append(key);
            }
        };
        for (const char *key : kMetaKeys) {
            addChild(QString(), QLatin1String(key));
        }
        for (const Knob &k : knobTable()) {
            const QString path = knobJsonPath(k);
            out.knobs.insert(path, &k);
            QString parent;
            for (const QString &part : path.split(u'.')) {
                addChild(parent, part);
                parent = parent.isEmpty() ? part : parent + u'.' + part;
            }
        }
        for (QStringList &keys : out.children) {
            keys.sort();
        }
        return out;
    }();
    return s;
}

void insertAt(QJsonObject *obj, QStringView path, const QJsonValue &value)
{
    const qsizetype dot = path.indexOf(u'.');
    if (dot < 0) {
        obj->insert(path.toString(), value);
        return;
    }
    const QString head = path.left(dot).toString();
    QJsonObject child = obj->value(head).toObject();
    insertAt(&child, path.mid(dot + 1), value);
    obj->insert(head, child);
}

// Reads every key of `obj` (at dotted `path`) into *s: knobs strictly through the
// table, nested objects recursively; anything else is an unknown key. Keys of
// the top level that are not knobs are skipped (read by the caller).
bool readKnobs(const QJsonObject &obj, const QString &path, Settings *s, QString *error)
{
    const Schema &sc = schema();
    for (auto it = obj.begin(); it != obj.end(); ++it) {
        const QString full = path.isEmpty() ? it.key() : path + u'.' + it.key();
        if (const Knob *k = sc.knobs.value(full)) {
            KnobValue v;
            QString why;
            if (!knobFromJson(*k, it.value(), &v, &why)) {
                if (!jsonTypeFits(*k, it.value())) {
                    why += QStringLiteral(", got ") + describe(it.value());
                }
                *error = QStringLiteral("%1: %2").arg(full, why);
                return false;
            }
            k->set(*s, v);
        } else if (!it.key().isEmpty() && sc.children.contains(full)) {
            // (An empty key would be "" at the top level: the file itself, not a section.)
            if (!it.value().isObject()) {
                *error = QStringLiteral("%1: expected an object, got %2")
                             .arg(full, describe(it.value()));
                return false;
            }
            if (!readKnobs(it.value().toObject(), full, s, error)) {
                return false;
            }
        } else if (!(path.isEmpty() && sc.children.value(QString()).contains(it.key()))) {
            const QString named = it.key().isEmpty()
                ? (path.isEmpty() ? QStringLiteral("\"\"") : path + QStringLiteral(".\"\""))
                : full;
            *error = QStringLiteral("%1: unknown key (known keys here: %2)")
                         .arg(named, sc.children.value(path).join(u", "));
            return false;
        }
    }
    return true;
}

// Scenario files are shared: one must never open the embedded server to other machines,
// whatever else it sets. Only --listen on the command line (or the window, after asking)
// widens the address.
bool checkListenAddress(const ServerConfig &server, QString *error)
{
    if (isLoopbackListenAddress(server.listenAddress)) {
        return true;
    }
    *error = QStringLiteral("server.listenAddress: \"%1\" is not a loopback address; a scenario "
                            "file keeps the embedded server on this machine (127.0.0.1 or ::1). "
                            "To listen on other interfaces, pass --listen %1 on the command line")
                 .arg(server.listenAddress.toString());
    return false;
}

// The scenario's words and format marker; false with *error naming the key.
bool readMeta(const QJsonObject &json, Preset *p, QString *error)
{
    for (const auto &[key, out] : { std::pair { "id", &p->id }, std::pair { "title", &p->title },
             std::pair { "explanation", &p->explanation } }) {
        const QJsonValue v = json.value(QLatin1String(key));
        if (!v.isUndefined() && !v.isString()) {
            *error = QStringLiteral("%1: expected a string, got %2")
                         .arg(QLatin1String(key), describe(v));
            return false;
        }
        *out = v.toString();
    }
    return true;
}

bool checkFormat(const QJsonObject &json, QString *error)
{
    const QJsonValue format = json.value(u"format");
    if (format.isUndefined()) {
        *error = QStringLiteral("format: missing; a scenario file starts with \"format\": \"%1\"")
                     .arg(kScenarioFormat);
        return false;
    }
    if (!format.isString()) {
        *error = QStringLiteral("format: expected the string \"%1\", got %2")
                     .arg(kScenarioFormat, describe(format));
        return false;
    }
    if (format.toString() != kScenarioFormat) {
        *error = QStringLiteral("format: \"%1\" is not \"%2\"")
                     .arg(format.toString(), kScenarioFormat);
        return false;
    }
    const QJsonValue version = json.value(u"version");
    if (!version.isDouble() || version.toDouble() != kScenarioVersion) {
        *error = version.isDouble()
            ? QStringLiteral("version: version %1 is not supported (this PoolScope reads version "
                             "%2)")
                  .arg(version.toDouble())
                  .arg(kScenarioVersion)
            : QStringLiteral("version: expected the integer %1, got %2")
                  .arg(kScenarioVersion)
                  .arg(describe(version));
        return false;
    }
    return true;
}

// Reads at most limit + 1 bytes: size() is 0 for devices and pipes
// (/dev/zero, a FIFO), so it cannot be trusted to bound the read.
std::optional<QByteArray> readBounded(QFile *file, qint64 limit)
{
    QByteArray bytes;
    bytes.resize(limit + 1);
    qint64 total = 0;
    while (total <= limit) {
        const qint64 n = file->read(bytes.data() + total, limit + 1 - total);
        if (n <= 0) {
            break;
        }
        total += n;
    }
    if (total > limit) {
        return std::nullopt;
    }
    bytes.truncate(total);
    return bytes;
}

} // namespace

const std::vector<Preset> &builtinPresets()
{
    static const std::vector<Preset> presets = makePresets();
    return presets;
}

const Preset *findPreset(QStringView id)
{
    for (const Preset &p : builtinPresets()) {
        if (p.id == id) {
            return &p;
        }
    }
    return nullptr;
}

const Preset *findPreset(QStringView id, QString *error)
{
    const Preset *p = findPreset(id);
    if (!p && error) {
        QStringList ids;
        for (const Preset &known : builtinPresets()) {
            ids << known.id;
        }
        *error = QStringLiteral("unknown preset \"%1\"; known presets: %2")
                     .arg(id.toString(), ids.join(QStringLiteral(", ")));
    }
    return p;
}

QJsonObject scenarioToJson(const Preset &p)
{
    QJsonObject out {
        { QStringLiteral("format"), kScenarioFormat },
        { QStringLiteral("version"), kScenarioVersion },
        { QStringLiteral("id"), p.id },
        { QStringLiteral("title"), p.title },
        { QStringLiteral("explanation"), p.explanation },
    };
    for (const char *section : kSections) {
        out.insert(QLatin1String(section), QJsonObject {});
    }
    Settings s { p.transport, p.load, p.server };
    // A wider address comes from --listen on the command line and stays there: a scenario
    // file always keeps the server on this machine (scenarioFromJson refuses anything else).
    if (!isLoopbackListenAddress(s.server.listenAddress)) {
        s.server.listenAddress = s.server.listenAddress.protocol() == QAbstractSocket::IPv6Protocol
            ? QHostAddress(QHostAddress::LocalHostIPv6)
            : QHostAddress(QHostAddress::LocalHost);
    }
    for (const Knob &k : knobTable()) {
        insertAt(&out, knobJsonPath(k), knobToJson(k, k.get(s)));
    }
    return out;
}

std::optional<Preset> scenarioFromJson(const QJsonObject &json, QString *error)
{
    QString local;
    QString *err = error ? error : &local;
    Preset p;
    Settings s; // missing knobs keep http.DefaultTransport's, LoadConfig{}'s, ServerConfig{}'s
    if (!checkFormat(json, err) || !readMeta(json, &p, err) || !readKnobs(json, {}, &s, err)
        || !checkListenAddress(s.server, err)) {
        return std::nullopt;
    }
    p.transport = s.transport;
    p.load = s.load;
    p.server = s.server;
    return p;
}

std::optional<Preset> loadScenarioFile(const QString &path, QString *error)
{
    QString local;
    QString *err = error ? error : &local;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *err = QStringLiteral("%1: cannot open: %2").arg(path, file.errorString());
        return std::nullopt;
    }
    // Refuse anything absurd rather than reading it.
    const auto bytes = readBounded(&file, kMaxScenarioBytes);
    if (!bytes) {
        *err = QStringLiteral("%1: too large for a scenario file (more than %2 bytes)")
                   .arg(path)
                   .arg(kMaxScenarioBytes);
        return std::nullopt;
    }
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(*bytes, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        const QByteArray before = bytes->left(parseError.offset);
        const int line = static_cast<int>(before.count('\n')) + 1;
        const int column = static_cast<int>(parseError.offset - (before.lastIndexOf('\n') + 1)) + 1;
        *err = QStringLiteral("%1:%2:%3: invalid JSON: %4")
                   .arg(path)
                   .arg(line)
                   .arg(column)
                   .arg(parseError.errorString());
        return std::nullopt;
    }
    if (!doc.isObject()) {
        *err = QStringLiteral("%1: a scenario file must hold a JSON object, not %2")
                   .arg(path,
                       doc.isArray() ? QStringLiteral("an array") : QStringLiteral("a value"));
        return std::nullopt;
    }
    QString why;
    auto preset = scenarioFromJson(doc.object(), &why);
    if (!preset) {
        *err = QStringLiteral("%1: %2").arg(path, why);
        return std::nullopt;
    }
    return preset;
}

bool saveScenarioFile(const QString &path, const Preset &preset, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        if (error) {
            *error = QStringLiteral("%1: cannot write: %2").arg(path, file.errorString());
        }
        return false;
    }
    file.write(QJsonDocument(scenarioToJson(preset)).toJson(QJsonDocument::Indented));
    if (!file.commit()) {
        if (error) {
            *error = QStringLiteral("%1: cannot write: %2").arg(path, file.errorString());
        }
        return false;
    }
    return true;
}

} // namespace poolscope
