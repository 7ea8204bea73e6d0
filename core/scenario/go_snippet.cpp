#include "go_snippet.h"

#include "knob_table.h"

#include <QStringList>
#include <array>
#include <utility>

namespace poolscope {

namespace {

// Aligns "Key: value," lines like gofmt does inside one composite literal.
class LiteralWriter
{
public:
    void field(const QString &name, const QString &value, const QString &comment = {})
    {
        m_fields.push_back({ name, value, comment });
    }
    [[nodiscard]] bool empty() const { return m_fields.empty(); }
    struct Field
    {
        QString name;
        QString value;
        QString comment;
    };
    [[nodiscard]] const std::vector<Field> &fields() const { return m_fields; }
    void append(const LiteralWriter &other)
    {
        m_fields.insert(m_fields.end(), other.m_fields.begin(), other.m_fields.end());
    }
    // "A: x, B: y", for a one-line literal.
    [[nodiscard]] QString inlineFields() const
    {
        QStringList parts;
        for (const Field &f : m_fields) {
            parts << f.name + QStringLiteral(": ") + f.value;
        }
        return parts.join(QStringLiteral(", "));
    }

    // Each line gets `indent` tabs. Like gofmt, values are aligned within runs
    // of single-line fields (a multi-line value ends the run) and trailing
    // comments within runs of consecutive commented lines.
    [[nodiscard]] QString render(int indent) const
    {
        const QString tabs(indent, u'\t');
        std::vector<QString> lines(m_fields.size());
        std::size_t i = 0;
        while (i < m_fields.size()) {
            if (m_fields[i].value.contains(u'\n')) {
                lines[i]
                    = tabs + m_fields[i].name + QStringLiteral(": ") + m_fields[i].value + u',';
                ++i;
                continue;
            }
            std::size_t end = i;
            qsizetype nameWidth = 0;
            while (end < m_fields.size() && !m_fields[end].value.contains(u'\n')) {
                nameWidth = std::max(nameWidth, m_fields[end].name.size() + 1);
                ++end;
            }
            for (std::size_t j = i; j < end; ++j) {
                lines[j] = tabs + (m_fields[j].name + u':').leftJustified(nameWidth) + u' '
                    + m_fields[j].value + u',';
            }
            for (std::size_t j = i; j < end;) {
                if (m_fields[j].comment.isEmpty()) {
                    ++j;
                    continue;
                }
                std::size_t runEnd = j;
                qsizetype width = 0;
                while (runEnd < end && !m_fields[runEnd].comment.isEmpty()) {
                    width = std::max(width, lines[runEnd].size());
                    ++runEnd;
                }
                for (std::size_t k = j; k < runEnd; ++k) {
                    lines[k] = lines[k].leftJustified(width) + QStringLiteral(" // ")
                        + m_fields[k].comment;
                }
                j = runEnd;
            }
            i = end;
        }
        QString out;
        for (const QString &line : lines) {
            out += line + u'\n';
        }
        return out;
    }

private:
    std::vector<Field> m_fields;
};

bool isGoGroup(KnobGroup g)
{
    return g != KnobGroup::Load && g != KnobGroup::Server;
}

// What an integer field's zero means, in a comment: "0, which means 2" from
// "0 means 2 (DefaultMaxIdleConnsPerHost)", "0 (unlimited)" from "0 = unlimited".
QString zeroText(const Knob &k)
{
    const QString means = QLatin1String(k.zeroMeans);
    if (means.startsWith(u"0 means ")) {
        const QString rest = means.mid(8);
        return QStringLiteral("0, which means ") + rest.left(rest.indexOf(QStringLiteral(" (")));
    }
    if (means.startsWith(u"0 = ")) {
        return QStringLiteral("0 (%1)").arg(means.mid(4));
    }
    return QStringLiteral("0");
}

// The Go expression of a value: "90 * time.Second", "10", "true".
QString goExpr(const Knob &k, const KnobValue &v)
{
    switch (k.kind) {
    case KnobKind::Int:
        return QString::number(std::get<qint64>(v));
    case KnobKind::Duration:
        return goDurationExpr(std::get<Duration>(v));
    case KnobKind::Bool:
        return std::get<bool>(v) ? QStringLiteral("true") : QStringLiteral("false");
    case KnobKind::Real:
    case KnobKind::Choice:
    case KnobKind::Text:
    case KnobKind::TextList:
        break; // no Go knob has these kinds
    }
    return knobText(k, v);
}

// The trailing comment of a field that differs from DefaultTransport. Only
// http.Transport's own fields and its Dialer's have a DefaultTransport value;
// KeepAliveConfig (unset there) and http.Client (DefaultClient) have none.
QString defaultNote(const Knob &k, const KnobValue &v, const KnobValue &def)
{
    if ((k.group != KnobGroup::Transport && k.group != KnobGroup::Dialer) || v == def) {
        return {};
    }
    QString note = QStringLiteral("DefaultTransport: ");
    if (k.kind == KnobKind::Int && std::get<qint64>(def) == 0) {
        note += zeroText(k);
    } else {
        note += goExpr(k, def);
    }
    if (k.kind == KnobKind::Int && std::get<qint64>(v) < 0 && *k.negativeMeans) {
        note += QStringLiteral("; ") + QLatin1String(k.negativeMeans);
    }
    return note;
}

// The snippet's composite literals, one per Go struct, each field in the knob
// table's order.
struct Literals
{
    LiteralWriter transport; // http.Transport's own fields
    LiteralWriter tls;
    LiteralWriter dialer;
    LiteralWriter keepAlive;
    LiteralWriter client;
    bool usesTime = false;

    LiteralWriter &of(KnobGroup g)
    {
        switch (g) {
        case KnobGroup::Tls:
            return tls;
        case KnobGroup::Dialer:
            return dialer;
        case KnobGroup::KeepAliveConfig:
            return keepAlive;
        case KnobGroup::Client:
            return client;
        default:
            return transport;
        }
    }
};

// The HTTP/2 knobs are written by hand, not as "Field: value": DisableHTTP2 is no Go
// field (Go's way is an empty TLSNextProto map) and ForceAttemptHTTP2 depends on the rest.
// They are looked up by key so the snippet follows them once the knob table has them.
constexpr char kDisableHttp2Key[] = "DisableHTTP2";
constexpr char kForceHttp2Key[] = "ForceAttemptHTTP2";

bool isHttp2Knob(const Knob &k)
{
    return qstrcmp(k.key, kDisableHttp2Key) == 0 || qstrcmp(k.key, kForceHttp2Key) == 0
        || qstrcmp(k.key, "StrictMaxConcurrentStreams") == 0;
}

// A bool knob's value by key; `absent` when the table has no such knob.
bool boolKnob(const Settings &s, const char *key, bool absent)
{
    const Knob *k = findKnob(QLatin1String(key));
    if (!k || k->kind != KnobKind::Bool) {
        return absent;
    }
    return std::get<bool>(k->get(s));
}

// Which fields a literal writes. Literal (a &http.Transport{} from zero values): every
// field that is not zero, or that differs from DefaultTransport (a change to zero stays
// visible). Changes (a Clone() of DefaultTransport): only what differs from it; the Dialer
// and TLS literals are new values either way, so they are written in full once any of their
// fields differs.
enum class FieldSet { Literal, Changes };

Literals goFields(const Settings &settings, FieldSet set)
{
    const Settings goDefault; // http.DefaultTransport
    Literals out;
    bool dialerChanged = false;
    bool tlsChanged = false;
    for (const Knob &k : knobTable()) {
        if (!isGoGroup(k.group) || isHttp2Knob(k)) {
            continue;
        }
        const KnobValue v = k.get(settings);
        const KnobValue def = k.get(goDefault);
        const bool dialerGroup
            = k.group == KnobGroup::Dialer || k.group == KnobGroup::KeepAliveConfig;
        dialerChanged = dialerChanged || (dialerGroup && v != def);
        tlsChanged = tlsChanged || (k.group == KnobGroup::Tls && v != def);
        const bool whole = dialerGroup || k.group == KnobGroup::Tls;
        const bool write = (set == FieldSet::Literal || whole)
            ? (v != knobZeroDefault(k) || v != def)
            : v != def;
        if (!write) {
            continue;
        }
        const QString expr = goExpr(k, v);
        out.usesTime = out.usesTime || expr.contains(u"time.");
        out.of(k.group).field(QLatin1String(k.jsonKey), expr, defaultNote(k, v, def));
    }
    if (set == FieldSet::Changes) {
        // DefaultTransport's own dialer stays when nothing about it changed.
        if (!dialerChanged) {
            out.dialer = {};
            out.keepAlive = {};
        }
        if (!tlsChanged) {
            out.tls = {};
        }
        out.usesTime = out.transport.render(0).contains(u"time.")
            || out.dialer.render(0).contains(u"time.") || out.keepAlive.render(0).contains(u"time.")
            || out.client.render(0).contains(u"time.");
    }
    return out;
}

// Whether the settings read as DefaultTransport with changes (the snippet clones it) or as
// a zero &http.Transport{} (the snippet writes a literal): of the fields where the two
// differ, which one the settings match more often (a tie: DefaultTransport).
bool startsFromDefault(const Settings &settings)
{
    const Settings goDefault;
    int likeDefault = 0;
    int likeZero = 0;
    for (const Knob &k : knobTable()) {
        if (!isGoGroup(k.group) || k.group == KnobGroup::Client) {
            continue;
        }
        const KnobValue def = k.get(goDefault);
        const KnobValue zero = knobZeroDefault(k);
        if (def == zero) {
            continue;
        }
        const KnobValue v = k.get(settings);
        likeDefault += v == def ? 1 : 0;
        likeZero += v == zero ? 1 : 0;
    }
    return likeDefault >= likeZero;
}

// "t.Name = value" statements with gofmt's alignment of trailing comments (within runs of
// consecutive commented lines).
QString renderAssignments(const std::vector<std::pair<QString, QString>> &lines)
{
    QString out;
    std::size_t i = 0;
    while (i < lines.size()) {
        std::size_t end = i;
        qsizetype width = 0;
        while (end < lines.size() && !lines[end].second.isEmpty()
            && !lines[end].first.contains(u'\n')) {
            width = std::max(width, lines[end].first.size());
            ++end;
        }
        if (end == i) {
            out += u'\t' + lines[i].first
                + (lines[i].second.isEmpty() ? QString() : QStringLiteral(" // ") + lines[i].second)
                + u'\n';
            ++i;
            continue;
        }
        for (std::size_t j = i; j < end; ++j) {
            out += u'\t' + lines[j].first.leftJustified(width) + QStringLiteral(" // ")
                + lines[j].second + u'\n';
        }
        i = end;
    }
    return out;
}

QString importBlock(const QStringList &imports)
{
    if (imports.size() == 1) {
        return QStringLiteral("import %1\n\n").arg(imports.first());
    }
    QString out = QStringLiteral("import (\n");
    for (const QString &i : imports) {
        out += u'\t' + i + u'\n';
    }
    return out + QStringLiteral(")\n\n");
}

QStringList importsFor(bool tls, bool net, bool time)
{
    QStringList imports;
    if (tls) {
        imports << QStringLiteral("\"crypto/tls\"");
    }
    if (net) {
        imports << QStringLiteral("\"net\"");
    }
    imports << QStringLiteral("\"net/http\"");
    if (time) {
        imports << QStringLiteral("\"time\"");
    }
    return imports;
}

const char kNoHttp2Map[] = "map[string]func(string, *tls.Conn) http.RoundTripper{}";

QString dialerExpr(Literals &f, int indent)
{
    if (!f.keepAlive.empty()) {
        f.dialer.field(QStringLiteral("KeepAliveConfig"),
            QStringLiteral("net.KeepAliveConfig{\n%1%2}")
                .arg(f.keepAlive.render(indent + 2), QString(indent + 1, u'\t')));
        f.keepAlive = {};
    }
    return QStringLiteral("(&net.Dialer{\n%1%2}).DialContext")
        .arg(f.dialer.render(indent + 1), QString(indent, u'\t'));
}

// A clone of http.DefaultTransport with the changed fields set on it.
QString cloneSnippet(const Settings &settings)
{
    Literals f = goFields(settings, FieldSet::Changes);
    const bool usesGo123 = !f.keepAlive.empty();
    const bool usesNet = !f.dialer.empty() || usesGo123;
    const bool h2Off = boolKnob(settings, kDisableHttp2Key, false);
    const bool force = boolKnob(settings, kForceHttp2Key, true);
    std::vector<std::pair<QString, QString>> lines;
    const auto assign = [&](const QString &name, const QString &value, const QString &note) {
        lines.push_back({ QStringLiteral("t.%1 = %2").arg(name, value), note });
    };
    for (const auto &[name, value, note] : f.transport.fields()) {
        assign(name, value, note);
    }
    if (usesNet) {
        assign(QStringLiteral("DialContext"), dialerExpr(f, 1), {});
    }
    const bool usesTls = !f.tls.empty() || h2Off || !force;
    if (!f.tls.empty()) {
        assign(QStringLiteral("TLSClientConfig"),
            QStringLiteral("&tls.Config{%1}").arg(f.tls.inlineFields()),
            QStringLiteral("test targets only"));
    } else if (h2Off || !force) {
        // Go 1.19's Clone() first sets DefaultTransport up for HTTP/2, so the TLS config it
        // copies offers h2 by ALPN: kept with HTTP/2 off, an h2 server would answer a
        // request in HTTP/2 frames. A fresh config offers no ALPN.
        assign(QStringLiteral("TLSClientConfig"), QStringLiteral("&tls.Config{}"),
            QStringLiteral("the clone's offers h2 by ALPN"));
    }
    if (h2Off) {
        assign(QStringLiteral("TLSNextProto"), QLatin1String(kNoHttp2Map),
            QStringLiteral("HTTP/2 off (DefaultTransport: h2 by ALPN)"));
    } else if (!force) {
        // The clone carries DefaultTransport's DialContext, so this turns HTTP/2 off.
        assign(QLatin1String(kForceHttp2Key), QStringLiteral("false"),
            QStringLiteral("DefaultTransport: true; HTTP/2 off"));
    }
    LiteralWriter client;
    client.field(QStringLiteral("Transport"), QStringLiteral("t"));
    client.append(f.client);

    QString out;
    // Short comment lines: the snippet is read in a narrow panel.
    out += QStringLiteral("// HTTP client settings exported by PoolScope.\n"
                          "// A clone of http.DefaultTransport keeps what PoolScope does\n"
                          "// not model (Proxy from the environment, ForceAttemptHTTP2 for\n"
                          "// HTTP/2 by ALPN); only the fields changed from it are set,\n"
                          "// each with DefaultTransport's value in a comment.\n");
    if (settings.transport.strictMaxConcurrentStreams) {
        out += QStringLiteral("// StrictMaxConcurrentStreams is a field of\n"
                              "// golang.org/x/net/http2.Transport in Go 1.19: call\n"
                              "// http2.ConfigureTransports(t) on the http.Transport t\n"
                              "// below before its first use and set it on the result.\n");
    }
    if (usesGo123) {
        out += QStringLiteral("// net.KeepAliveConfig needs Go 1.23 or newer.\n");
    }
    out += QStringLiteral("package main\n\n");
    out += importBlock(importsFor(usesTls, usesNet, f.usesTime));
    out += QStringLiteral("func newClient() *http.Client {\n");
    out += QStringLiteral("\tt := http.DefaultTransport.(*http.Transport).Clone()\n");
    out += renderAssignments(lines);
    if (f.client.empty()) {
        out += QStringLiteral("\treturn &http.Client{%1}\n}\n").arg(client.inlineFields());
    } else {
        out += QStringLiteral("\treturn &http.Client{\n%1\t}\n}\n").arg(client.render(2));
    }
    return out;
}

// A &http.Transport{} literal from zero values.
QString literalSnippet(const Settings &settings)
{
    Literals f = goFields(settings, FieldSet::Literal);
    const bool usesGo123 = !f.keepAlive.empty();
    LiteralWriter transport;
    const bool usesNet = !f.dialer.empty() || usesGo123;
    if (usesNet) {
        transport.field(QStringLiteral("DialContext"), dialerExpr(f, 3));
    }
    transport.append(f.transport);
    const bool h2Off = boolKnob(settings, kDisableHttp2Key, false);
    const bool usesTls = !f.tls.empty() || h2Off;
    if (!f.tls.empty()) {
        transport.field(QStringLiteral("TLSClientConfig"),
            QStringLiteral("&tls.Config{%1}").arg(f.tls.inlineFields()),
            QStringLiteral("test targets only"));
    }
    // Go attempts HTTP/2 only for a Transport without a custom dialer or TLS config
    // unless ForceAttemptHTTP2 (onceSetNextProtoDefaults); DefaultTransport sets it.
    // Without it, pasting this snippet would switch HTTP/2 off for every HTTPS backend.
    if (h2Off) {
        transport.field(QStringLiteral("TLSNextProto"), QLatin1String(kNoHttp2Map),
            QStringLiteral("HTTP/2 off"));
    } else if (settings.transport.attemptsHttp2()
        && (usesNet || !f.tls.empty() || settings.transport.forceAttemptHttp2)) {
        transport.field(QLatin1String(kForceHttp2Key), QStringLiteral("true"),
            QStringLiteral("keeps HTTP/2 with the DialContext/TLSClientConfig above"));
    }
    LiteralWriter client;
    client.field(QStringLiteral("Transport"),
        transport.empty() ? QStringLiteral("&http.Transport{}")
                          : QStringLiteral("&http.Transport{\n%1\t\t}").arg(transport.render(3)));
    client.append(f.client);

    QString out;
    // Short comment lines: the snippet is read in a narrow panel.
    out += QStringLiteral("// HTTP client settings exported by PoolScope.\n"
                          "// &http.Transport{} starts from zero values, not from\n"
                          "// http.DefaultTransport, so every non-zero field is written;\n"
                          "// a trailing comment marks each value that differs from it.\n"
                          "// ForceAttemptHTTP2 keeps HTTP/2 for HTTPS backends as\n"
                          "// DefaultTransport does (DefaultTransport also sets Proxy).\n");
    if (settings.transport.strictMaxConcurrentStreams) {
        out += QStringLiteral("// StrictMaxConcurrentStreams is a field of\n"
                              "// golang.org/x/net/http2.Transport in Go 1.19: call\n"
                              "// http2.ConfigureTransports(t) on the http.Transport t\n"
                              "// below before its first use and set it on the result.\n");
    }
    if (usesGo123) {
        out += QStringLiteral("// net.KeepAliveConfig needs Go 1.23 or newer.\n");
    }
    out += QStringLiteral("package main\n\n");
    out += importBlock(importsFor(usesTls, usesNet, f.usesTime));
    out += QStringLiteral("func newClient() *http.Client {\n");
    out += QStringLiteral("\treturn &http.Client{\n");
    out += client.render(2);
    out += QStringLiteral("\t}\n}\n");
    return out;
}

// What a caller of the mixed share does with its response bodies, for the comment.
const char *bodyPolicyPhrase(BodyPolicy p)
{
    switch (p) {
    case BodyPolicy::ReadToEof:
        return "reads each response body to EOF and closes it";
    case BodyPolicy::CloseEarly:
        return "closes each response body unread";
    case BodyPolicy::Leak:
        return "never closes its response bodies";
    }
    return "";
}

// The mixed callers' method (LoadConfig::mixMethod) as a function of the worker index:
// WorkerScheduler::isMixedWorker's even spread, written so that it needs no import (the
// conversion to int truncates, floor for these non-negative values). "" when every
// worker sends the same method.
QString callersSnippet(const LoadConfig &load)
{
    const QString mixed = QString::fromLatin1(load.mixedMethod());
    const QString method = QString::fromLatin1(load.method);
    if (!(load.mixShare > 0) || mixed == method) {
        return {};
    }
    const bool noBody = load.requestBodySize > 0 && load.mixedRequestBodySize() == 0;
    QString out = QStringLiteral("\n// requestMethod is the method worker w sends: a share of\n"
                                 "// %1 of the workers, spread evenly over them, sends %2%3;\n"
                                 "// the others send %4.")
                      .arg(QString::number(load.mixShare, 'g', 12), mixed,
                          noBody ? QStringLiteral(" without a body") : QString(), method);
    if (load.mixBodyPolicy != load.bodyPolicy) {
        out += QStringLiteral(" The share also\n// %1.")
                   .arg(QLatin1String(bodyPolicyPhrase(load.mixBodyPolicy)));
    }
    out += QStringLiteral("\n// Go retries GET and HEAD when a reused connection fails,\n"
                          "// other methods only with an Idempotency-Key header.\n"
                          "func requestMethod(w int) string {\n"
                          "\tconst mixShare = %1\n"
                          "\tif int(float64(w+1)*mixShare) > int(float64(w)*mixShare) {\n"
                          "\t\treturn \"%2\"\n"
                          "\t}\n"
                          "\treturn \"%3\"\n"
                          "}\n")
               .arg(QString::number(load.mixShare, 'g', 12), mixed, method);
    return out;
}

} // namespace

QString goDurationExpr(Duration d)
{
    using namespace std::chrono;
    if (d == Duration::zero()) {
        return QStringLiteral("0");
    }
    if (d < Duration::zero()) {
        // Every negative value means the same ("off"); Go code says -1.
        return d == Duration(-1) ? QStringLiteral("-1")
                                 : QStringLiteral("-(%1)").arg(goDurationExpr(-d));
    }
    static const std::array<std::pair<Duration, const char *>, 6> units { {
        { hours(1), "time.Hour" },
        { minutes(1), "time.Minute" },
        { seconds(1), "time.Second" },
        { milliseconds(1), "time.Millisecond" },
        { microseconds(1), "time.Microsecond" },
        { nanoseconds(1), "time.Nanosecond" },
    } };
    for (const auto &[unit, name] : units) {
        if (d % unit == Duration::zero()) {
            // Minutes and hours read worse than seconds below 10 minutes ("90 * time.Second").
            if (unit > seconds(1) && d < minutes(10) && d % seconds(1) == Duration::zero()) {
                continue;
            }
            return QStringLiteral("%1 * %2").arg(d / unit).arg(QLatin1String(name));
        }
    }
    return QStringLiteral("%1 * time.Nanosecond").arg(d.count());
}

QString goSnippet(const TransportConfig &cfg, const LoadConfig &load)
{
    Settings settings;
    settings.transport = cfg;
    return (startsFromDefault(settings) ? cloneSnippet(settings) : literalSnippet(settings))
        + callersSnippet(load);
}

} // namespace poolscope
