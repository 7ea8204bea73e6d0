#include "presets.h"

#include "metrics/go_duration.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QSet>
#include <cmath>
#include <limits>

namespace poolscope {

namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr auto kPresetDuration = minutes(5);
constexpr int kScenarioVersion = 1;
const QString kScenarioFormat = QStringLiteral("poolscope-scenario");

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

QString jsonTypeName(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Bool:
        return QStringLiteral("a boolean");
    case QJsonValue::Double:
        return QStringLiteral("a number");
    case QJsonValue::String:
        return QStringLiteral("a string");
    case QJsonValue::Array:
        return QStringLiteral("an array");
    case QJsonValue::Object:
        return QStringLiteral("an object");
    case QJsonValue::Undefined:
        break;
    }
    return QStringLiteral("nothing");
}

// Reads one JSON object, remembering the first error and which keys were used
// so unknown (misspelt) keys can be reported.
class ObjectReader
{
public:
    ObjectReader(const QJsonObject &obj, QString path, QString *error)
        : m_obj(obj), m_path(std::move(path)), m_error(error)
    {
    }

    [[nodiscard]] bool ok() const { return !m_failed; }

    void integer(const char *key, int *out, qint64 min, qint64 max)
    {
        const QJsonValue v = take(key);
        if (v.isUndefined() || m_failed) {
            return;
        }
        const double d = v.toDouble(std::numeric_limits<double>::quiet_NaN());
        if (!v.isDouble() || std::isnan(d) || std::floor(d) != d) {
            fail(key, QStringLiteral("expected an integer, got %1").arg(describe(v)));
            return;
        }
        if (d < static_cast<double>(min) || d > static_cast<double>(max)) {
            fail(key, QStringLiteral("%1 is out of range [%2, %3]").arg(d).arg(min).arg(max));
            return;
        }
        *out = static_cast<int>(d);
    }

    void number(const char *key, double *out, double min, double max)
    {
        const QJsonValue v = take(key);
        if (v.isUndefined() || m_failed) {
            return;
        }
        if (!v.isDouble()) {
            fail(key, QStringLiteral("expected a number, got %1").arg(describe(v)));
            return;
        }
        const double d = v.toDouble();
        if (d < min || d > max) {
            fail(key, QStringLiteral("%1 is out of range [%2, %3]").arg(d).arg(min).arg(max));
            return;
        }
        *out = d;
    }

    void boolean(const char *key, bool *out)
    {
        const QJsonValue v = take(key);
        if (v.isUndefined() || m_failed) {
            return;
        }
        if (!v.isBool()) {
            fail(key, QStringLiteral("expected true or false, got %1").arg(describe(v)));
            return;
        }
        *out = v.toBool();
    }

    void string(const char *key, QString *out)
    {
        const QJsonValue v = take(key);
        if (v.isUndefined() || m_failed) {
            return;
        }
        if (!v.isString()) {
            fail(key, QStringLiteral("expected a string, got %1").arg(describe(v)));
            return;
        }
        *out = v.toString();
    }

    // A Go duration string ("90s"); with allowNegative=false, "-1s" is an error.
    void duration(const char *key, Duration *out, bool allowNegative)
    {
        const QJsonValue v = take(key);
        if (v.isUndefined() || m_failed) {
            return;
        }
        if (!v.isString()) {
            fail(key,
                QStringLiteral("expected a Go duration string such as \"90s\" or \"1.5ms\", got %1")
                    .arg(describe(v)));
            return;
        }
        QString why;
        const auto d = parseGoDuration(v.toString(), &why);
        if (!d) {
            fail(key, why);
            return;
        }
        if (!allowNegative && *d < Duration::zero()) {
            fail(key, QStringLiteral("must not be negative (got %1)").arg(v.toString()));
            return;
        }
        *out = *d;
    }

    // Returns the sub-object (empty when absent); reports a wrong type.
    std::optional<QJsonObject> object(const char *key)
    {
        const QJsonValue v = take(key);
        if (m_failed) {
            return std::nullopt;
        }
        if (v.isUndefined()) {
            return QJsonObject {};
        }
        if (!v.isObject()) {
            fail(key, QStringLiteral("expected an object, got %1").arg(describe(v)));
            return std::nullopt;
        }
        return v.toObject();
    }

    [[nodiscard]] QString childPath(const char *key) const { return qualified(key); }

    void fail(const char *key, const QString &message) { failAt(qualified(key), message); }

    void failAt(const QString &where, const QString &message)
    {
        if (m_failed) {
            return;
        }
        m_failed = true;
        if (m_error) {
            *m_error = QStringLiteral("%1: %2").arg(where, message);
        }
    }

    // Call after reading every known key: any key left over is unknown.
    void rejectUnknownKeys()
    {
        if (m_failed) {
            return;
        }
        for (auto it = m_obj.begin(); it != m_obj.end(); ++it) {
            if (!m_used.contains(it.key())) {
                QStringList known(m_used.begin(), m_used.end());
                known.sort();
                failAt(qualified(it.key()),
                    QStringLiteral("unknown key (known keys here: %1)").arg(known.join(u", ")));
                return;
            }
        }
    }

    // Marks keys that exist in the schema but are read elsewhere.
    void known(const char *key) { m_used.insert(QString::fromLatin1(key)); }

private:
    static QString describe(const QJsonValue &v)
    {
        if (v.isString()) {
            return QStringLiteral("the string \"%1\"").arg(v.toString());
        }
        return jsonTypeName(v);
    }

    QString qualified(const QString &key) const
    {
        return m_path.isEmpty() ? key : m_path + u'.' + key;
    }
    QString qualified(const char *key) const { return qualified(QString::fromLatin1(key)); }

    QJsonValue take(const char *key)
    {
        const QString k = QString::fromLatin1(key);
        m_used.insert(k);
        return m_obj.value(k);
    }

    QJsonObject m_obj;
    QString m_path;
    QString *m_error;
    QSet<QString> m_used;
    bool m_failed = false;
};

constexpr qint64 kIntMax = std::numeric_limits<int>::max();

bool isHttpToken(const QString &s)
{
    if (s.isEmpty()) {
        return false;
    }
    for (QChar c : s) {
        const char16_t u = c.unicode();
        const bool tchar = (u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z')
            || (u >= '0' && u <= '9') || QStringView(u"!#$%&'*+-.^_`|~").contains(c);
        if (!tchar) {
            return false;
        }
    }
    return true;
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
    const auto dur = [](Duration d) {
        return formatGoDuration(d);
    };
    const TransportConfig &t = p.transport;

    QJsonObject transport {
        { QStringLiteral("MaxIdleConns"), t.maxIdleConns },
        { QStringLiteral("MaxIdleConnsPerHost"), t.maxIdleConnsPerHost },
        { QStringLiteral("MaxConnsPerHost"), t.maxConnsPerHost },
        { QStringLiteral("IdleConnTimeout"), dur(t.idleConnTimeout) },
        { QStringLiteral("DisableKeepAlives"), t.disableKeepAlives },
        { QStringLiteral("ResponseHeaderTimeout"), dur(t.responseHeaderTimeout) },
        { QStringLiteral("TLSHandshakeTimeout"), dur(t.tlsHandshakeTimeout) },
        { QStringLiteral("ExpectContinueTimeout"), dur(t.expectContinueTimeout) },
        { QStringLiteral("InsecureSkipVerify"), t.insecureSkipVerify },
    };
    QJsonObject keepAliveConfig {
        { QStringLiteral("Enable"), t.keepAliveConfig.enable },
        { QStringLiteral("Idle"), dur(t.keepAliveConfig.idle) },
        { QStringLiteral("Interval"), dur(t.keepAliveConfig.interval) },
        { QStringLiteral("Count"), t.keepAliveConfig.count },
    };
    QJsonObject dialer {
        { QStringLiteral("Timeout"), dur(t.dialTimeout) },
        { QStringLiteral("KeepAlive"), dur(t.keepAlive) },
        { QStringLiteral("KeepAliveConfig"), keepAliveConfig },
    };
    QJsonObject client { { QStringLiteral("Timeout"), dur(t.clientTimeout) } };

    const LoadConfig &l = p.load;
    QJsonObject load {
        { QStringLiteral("url"), l.url },
        { QStringLiteral("workers"), l.workers },
        { QStringLiteral("requestsPerWorker"), l.requestsPerWorker },
        { QStringLiteral("duration"), dur(l.duration) },
        { QStringLiteral("rate"), l.rate },
        { QStringLiteral("think"), dur(l.think) },
        { QStringLiteral("timers"), QString::fromLatin1(timerModelName(l.timers)) },
        { QStringLiteral("method"), QString::fromLatin1(l.method) },
        { QStringLiteral("requestBodySize"), l.requestBodySize },
        { QStringLiteral("bodyPolicy"), QString::fromLatin1(bodyPolicyName(l.bodyPolicy)) },
        { QStringLiteral("linger"), dur(l.linger) },
    };

    const ServerConfig &s = p.server;
    QJsonObject server {
        { QStringLiteral("listenAddress"), s.listenAddress.toString() },
        { QStringLiteral("port"), s.port },
        { QStringLiteral("latency"), dur(s.latency) },
        { QStringLiteral("jitter"), dur(s.jitter) },
        { QStringLiteral("headerDelay"), dur(s.headerDelay) },
        { QStringLiteral("bodySize"), s.bodySize },
        { QStringLiteral("chunked"), s.chunked },
        { QStringLiteral("idleTimeout"), dur(s.idleTimeout) },
        { QStringLiteral("maxRequestsPerConn"), s.maxRequestsPerConn },
        { QStringLiteral("closeProbability"), s.closeProbability },
        { QStringLiteral("http10"), s.http10 },
        { QStringLiteral("dropAfterBytes"), s.dropAfterBytes },
        { QStringLiteral("malformed"), s.malformed },
        { QStringLiteral("tls"), s.tls },
        { QStringLiteral("randomSeed"), static_cast<qint64>(s.randomSeed) },
    };

    return QJsonObject {
        { QStringLiteral("format"), kScenarioFormat },
        { QStringLiteral("version"), kScenarioVersion },
        { QStringLiteral("id"), p.id },
        { QStringLiteral("title"), p.title },
        { QStringLiteral("explanation"), p.explanation },
        { QStringLiteral("transport"), transport },
        { QStringLiteral("dialer"), dialer },
        { QStringLiteral("client"), client },
        { QStringLiteral("load"), load },
        { QStringLiteral("server"), server },
    };
}

std::optional<Preset> scenarioFromJson(const QJsonObject &json, QString *error)
{
    Preset p;
    p.transport = TransportConfig::goDefault();
    ObjectReader top(json, QString(), error);

    QString format;
    top.string("format", &format);
    if (top.ok() && format != kScenarioFormat) {
        top.fail("format",
            format.isEmpty()
                ? QStringLiteral("missing; a scenario file starts with \"format\": \"%1\"")
                      .arg(kScenarioFormat)
                : QStringLiteral("\"%1\" is not \"%2\"").arg(format, kScenarioFormat));
    }
    int version = 0;
    top.integer("version", &version, 0, kIntMax);
    if (top.ok() && version != kScenarioVersion) {
        top.fail("version",
            QStringLiteral("version %1 is not supported (this PoolScope reads version %2)")
                .arg(version)
                .arg(kScenarioVersion));
    }
    top.string("id", &p.id);
    top.string("title", &p.title);
    top.string("explanation", &p.explanation);

    TransportConfig &t = p.transport;
    if (auto o = top.object("transport")) {
        ObjectReader r(*o, top.childPath("transport"), error);
        r.integer("MaxIdleConns", &t.maxIdleConns, 0, kIntMax);
        r.integer("MaxIdleConnsPerHost", &t.maxIdleConnsPerHost, -kIntMax, kIntMax);
        r.integer("MaxConnsPerHost", &t.maxConnsPerHost, 0, kIntMax);
        r.duration("IdleConnTimeout", &t.idleConnTimeout, false);
        r.boolean("DisableKeepAlives", &t.disableKeepAlives);
        r.duration("ResponseHeaderTimeout", &t.responseHeaderTimeout, false);
        r.duration("TLSHandshakeTimeout", &t.tlsHandshakeTimeout, false);
        r.duration("ExpectContinueTimeout", &t.expectContinueTimeout, false);
        r.boolean("InsecureSkipVerify", &t.insecureSkipVerify);
        r.rejectUnknownKeys();
        if (!r.ok()) {
            return std::nullopt;
        }
    }
    if (auto o = top.object("dialer")) {
        ObjectReader r(*o, top.childPath("dialer"), error);
        r.duration("Timeout", &t.dialTimeout, false);
        r.duration("KeepAlive", &t.keepAlive, true);
        if (auto k = r.object("KeepAliveConfig")) {
            ObjectReader kr(*k, r.childPath("KeepAliveConfig"), error);
            kr.boolean("Enable", &t.keepAliveConfig.enable);
            kr.duration("Idle", &t.keepAliveConfig.idle, true);
            kr.duration("Interval", &t.keepAliveConfig.interval, true);
            kr.integer("Count", &t.keepAliveConfig.count, -kIntMax, kIntMax);
            kr.rejectUnknownKeys();
            if (!kr.ok()) {
                return std::nullopt;
            }
        }
        r.rejectUnknownKeys();
        if (!r.ok()) {
            return std::nullopt;
        }
    }
    if (auto o = top.object("client")) {
        ObjectReader r(*o, top.childPath("client"), error);
        r.duration("Timeout", &t.clientTimeout, false);
        r.rejectUnknownKeys();
        if (!r.ok()) {
            return std::nullopt;
        }
    }
    if (auto o = top.object("load")) {
        LoadConfig &l = p.load;
        ObjectReader r(*o, top.childPath("load"), error);
        r.string("url", &l.url);
        if (r.ok() && !l.url.isEmpty() && !l.url.startsWith(u"http://")
            && !l.url.startsWith(u"https://")) {
            r.fail("url",
                QStringLiteral("\"%1\" must start with http:// or https:// (or be empty for the "
                               "embedded server)")
                    .arg(l.url));
        }
        r.integer("workers", &l.workers, 1, 100000);
        r.integer("requestsPerWorker", &l.requestsPerWorker, 0, kIntMax);
        r.duration("duration", &l.duration, false);
        r.number("rate", &l.rate, 0.0, 1e9);
        r.duration("think", &l.think, false);
        QString timers = QString::fromLatin1(timerModelName(l.timers));
        r.string("timers", &timers);
        if (r.ok() && !parseTimerModel(timers, &l.timers)) {
            r.fail(
                "timers", QStringLiteral("\"%1\" is not one of \"go\", \"precise\"").arg(timers));
        }
        QString method = QString::fromLatin1(l.method);
        r.string("method", &method);
        if (r.ok() && !isHttpToken(method)) {
            r.fail("method", QStringLiteral("\"%1\" is not a valid HTTP method").arg(method));
        }
        l.method = method.toLatin1();
        r.integer("requestBodySize", &l.requestBodySize, 0, kIntMax);
        QString policy = QString::fromLatin1(bodyPolicyName(l.bodyPolicy));
        r.string("bodyPolicy", &policy);
        if (r.ok() && !parseBodyPolicy(policy, &l.bodyPolicy)) {
            r.fail("bodyPolicy",
                QStringLiteral("\"%1\" is not one of \"read\", \"close-early\", \"leak\"")
                    .arg(policy));
        }
        r.duration("linger", &l.linger, false);
        r.rejectUnknownKeys();
        if (!r.ok()) {
            return std::nullopt;
        }
    }
    if (auto o = top.object("server")) {
        ServerConfig &s = p.server;
        ObjectReader r(*o, top.childPath("server"), error);
        QString address = s.listenAddress.toString();
        r.string("listenAddress", &address);
        if (r.ok()) {
            QHostAddress parsed;
            if (!parsed.setAddress(address)) {
                r.fail("listenAddress",
                    QStringLiteral("\"%1\" is not an IPv4 or IPv6 address").arg(address));
            } else {
                s.listenAddress = parsed;
            }
        }
        int port = s.port;
        r.integer("port", &port, 0, 65535);
        s.port = static_cast<quint16>(port);
        r.duration("latency", &s.latency, false);
        r.duration("jitter", &s.jitter, false);
        r.duration("headerDelay", &s.headerDelay, false);
        r.integer("bodySize", &s.bodySize, 0, kIntMax);
        r.boolean("chunked", &s.chunked);
        r.duration("idleTimeout", &s.idleTimeout, false);
        r.integer("maxRequestsPerConn", &s.maxRequestsPerConn, 0, kIntMax);
        r.number("closeProbability", &s.closeProbability, 0.0, 1.0);
        r.boolean("http10", &s.http10);
        r.integer("dropAfterBytes", &s.dropAfterBytes, 0, kIntMax);
        r.boolean("malformed", &s.malformed);
        r.boolean("tls", &s.tls);
        double seed = s.randomSeed;
        r.number("randomSeed", &seed, 0, 4294967295.0);
        if (r.ok() && std::floor(seed) != seed) {
            r.fail("randomSeed", QStringLiteral("expected an integer, got %1").arg(seed));
        }
        s.randomSeed = static_cast<quint32>(seed);
        r.rejectUnknownKeys();
        if (!r.ok()) {
            return std::nullopt;
        }
    }
    top.rejectUnknownKeys();
    if (!top.ok()) {
        return std::nullopt;
    }
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
    // Scenario files are a few KiB; refuse anything absurd rather than reading it.
    constexpr qint64 kMaxScenarioBytes = 1 << 20;
    if (file.size() > kMaxScenarioBytes) {
        *err = QStringLiteral("%1: %2 bytes is too large for a scenario file (limit %3)")
                   .arg(path)
                   .arg(file.size())
                   .arg(kMaxScenarioBytes);
        return std::nullopt;
    }
    const QByteArray bytes = file.readAll();
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        const QByteArray before = bytes.left(parseError.offset);
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
