#include "presets.h"

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
    p.load.think = milliseconds(20);
    p.server.latency = milliseconds(5);
    p.server.jitter = milliseconds(1);
    return p;
}

std::vector<Preset> makePresets()
{
    std::vector<Preset> out;

    Preset storm = stormBase();
    storm.id = QStringLiteral("time-wait-storm");
    storm.title = QStringLiteral("TIME_WAIT storm (default idle cap 2)");
    storm.explanation = QStringLiteral(
        "Ten workers call one backend through Go's DefaultTransport, whose MaxIdleConnsPerHost is "
        "0, meaning 2. Each worker pauses a few milliseconds between requests, so its connection "
        "goes back to the pool; the pool keeps only 2 per host and closes the rest "
        "(errTooManyIdleHost). Watch the closes/s chart fill with \"per-host idle cap\", TIME_WAIT "
        "sockets climb in the kernel chart, and requests per connection stay in single digits. "
        "Then "
        "raise MaxIdleConnsPerHost to 10 (the concurrency) and watch the churn stop.");
    out.push_back(storm);

    Preset fixed = stormBase();
    fixed.id = QStringLiteral("time-wait-storm-fixed");
    fixed.title = QStringLiteral("TIME_WAIT storm fixed (MaxIdleConnsPerHost 10)");
    fixed.transport.maxIdleConnsPerHost = 10;
    fixed.explanation = QStringLiteral(
        "The same ten workers and think time as the storm, with MaxIdleConnsPerHost set to 10, the "
        "number of concurrent callers. Every returned connection fits in the idle pool, so after "
        "the "
        "first 10 dials no connection is closed: dials/s and closes/s drop to zero, TIME_WAIT "
        "stays "
        "near zero and requests per connection grow without bound.");
    out.push_back(fixed);

    Preset def = calmBase();
    def.id = QStringLiteral("go-default");
    def.title = QStringLiteral("Go DefaultTransport");
    def.explanation = QStringLiteral(
        "http.DefaultTransport as Go ships it: MaxIdleConns 100, MaxIdleConnsPerHost 0 (= 2), "
        "IdleConnTimeout 90 s, a net.Dialer with a 30 s timeout and 30 s TCP keep-alive. With 4 "
        "workers and a 20 ms pause the idle cap of 2 still closes some connections; the settings "
        "panel marks every value that is Go's default, so you can see what you change.");
    out.push_back(def);

    Preset zero = calmBase();
    zero.id = QStringLiteral("zero-transport");
    zero.title = QStringLiteral("Zero http.Transport{}");
    zero.transport = TransportConfig::zero();
    zero.explanation = QStringLiteral(
        "A bare &http.Transport{} is not DefaultTransport: every field is zero, so there is no "
        "MaxIdleConns limit, idle connections never time out (IdleConnTimeout 0), dials have no "
        "timeout and TCP keep-alive uses Go's 15 s default. The per-host idle cap is still 2, "
        "because 0 means DefaultMaxIdleConnsPerHost. Compare the Go code panel with go-default.");
    out.push_back(zero);

    Preset queue = calmBase();
    queue.id = QStringLiteral("max-conns-per-host");
    queue.title = QStringLiteral("MaxConnsPerHost 4 with 16 workers (queueing)");
    queue.transport.maxConnsPerHost = 4;
    queue.load.workers = 16;
    queue.load.think = Duration::zero();
    queue.server.latency = milliseconds(10);
    queue.server.jitter = milliseconds(2);
    queue.explanation = QStringLiteral(
        "MaxConnsPerHost 4 caps dialing + active + idle connections per host. Sixteen workers "
        "without think time want 16 connections; only 4 exist, so the other requests wait for a "
        "dial slot or for a connection to come back. The connections chart shows open pinned at "
        "the MaxConnsPerHost line and about 12 waiting requests; latency grows by the queueing "
        "time while dials stay at 4.");
    out.push_back(queue);

    Preset stale = calmBase();
    stale.id = QStringLiteral("server-idle-shorter");
    stale.title = QStringLiteral("Server idle timeout shorter than the client's");
    stale.load.workers = 4;
    stale.load.think = milliseconds(1500);
    stale.server.idleTimeout = seconds(1);
    stale.explanation = QStringLiteral(
        "The server closes a keep-alive connection after 1 s idle (like nginx keepalive_timeout) "
        "while the client keeps idle connections for 90 s (IdleConnTimeout) and pauses 1.5 s "
        "between requests. Each pooled connection is dead by the time it is wanted: the pool finds "
        "it closed by the server (errServerClosedIdle) and dials again, or a request that raced "
        "the close is retried. The fix is an IdleConnTimeout below the server's timeout.");
    out.push_back(stale);

    Preset body = calmBase();
    body.id = QStringLiteral("body-not-read");
    body.title = QStringLiteral("Response body closed without reading");
    body.load.bodyPolicy = BodyPolicy::CloseEarly;
    body.load.think = milliseconds(10);
    body.server.bodySize = 16 * 1024;
    body.explanation = QStringLiteral(
        "Each caller closes resp.Body without reading it to EOF. Go does not drain the rest of a "
        "body for you: it closes the connection instead, so no connection is ever reused. Every "
        "request dials, closes/s is all \"body not read\", reuse stays at 0 % and TIME_WAIT grows. "
        "Reading the body to EOF (io.Copy(io.Discard, resp.Body)) before Close restores reuse.");
    out.push_back(body);

    Preset limit = calmBase();
    limit.id = QStringLiteral("keepalive-requests-limit");
    limit.title = QStringLiteral("Server keepalive_requests limit (6)");
    limit.load.think = milliseconds(10);
    limit.server.maxRequestsPerConn = 6;
    limit.explanation = QStringLiteral(
        "The server answers at most 6 requests per connection (nginx keepalive_requests) and says "
        "\"Connection: close\" on the last one. The client honours it, so every connection serves "
        "exactly 6 requests: requests per connection sits at 6 and closes are all \"Connection: "
        "close\". Raising the server limit is the only fix; the client cannot.");
    out.push_back(limit);

    Preset noKa = stormBase();
    noKa.id = QStringLiteral("disable-keep-alives");
    noKa.title = QStringLiteral("DisableKeepAlives (one request per connection)");
    noKa.transport.disableKeepAlives = true;
    noKa.explanation = QStringLiteral(
        "DisableKeepAlives sends \"Connection: close\" with every request and uses each connection "
        "once. Ten workers therefore dial for every single request: dials/s equals requests/s, "
        "requests per connection is exactly 1, and the client's TIME_WAIT sockets pile up by the "
        "thousand. It is what the TIME_WAIT storm degenerates to with no pool at all.");
    out.push_back(noKa);

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
    const Settings s { p.transport, p.load, p.server };
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
    if (!checkFormat(json, err) || !readMeta(json, &p, err) || !readKnobs(json, {}, &s, err)) {
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
