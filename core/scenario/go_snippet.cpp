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
    struct Field
    {
        QString name;
        QString value;
        QString comment;
    };
    std::vector<Field> m_fields;
};

bool isGoGroup(KnobGroup g)
{
    return g != KnobGroup::Load && g != KnobGroup::Server;
}

// The HTTP/2 knobs are not plain literal fields: goSnippet writes them from
// TransportConfig::attemptsHttp2() (ForceAttemptHTTP2, TLSNextProto) or as a comment
// (StrictMaxConcurrentStreams lives in golang.org/x/net/http2.Transport in Go 1.19).
bool isHttp2Knob(const Knob &k)
{
    const QLatin1String key(k.key);
    return key == QLatin1String("ForceAttemptHTTP2") || key == QLatin1String("DisableHTTP2")
        || key == QLatin1String("StrictMaxConcurrentStreams");
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

// A literal omits zero fields, so a field is written when it is not zero, or
// when it differs from DefaultTransport (a change to zero stays visible).
Literals goFields(const TransportConfig &cfg)
{
    Settings settings;
    settings.transport = cfg;
    const Settings goDefault; // http.DefaultTransport
    Literals out;
    for (const Knob &k : knobTable()) {
        if (!isGoGroup(k.group) || isHttp2Knob(k)) {
            continue;
        }
        const KnobValue v = k.get(settings);
        const KnobValue def = k.get(goDefault);
        if (v == knobZeroDefault(k) && v == def) {
            continue;
        }
        const QString expr = goExpr(k, v);
        out.usesTime = out.usesTime || expr.contains(u"time.");
        out.of(k.group).field(QLatin1String(k.jsonKey), expr, defaultNote(k, v, def));
    }
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

QString goSnippet(const TransportConfig &cfg)
{
    Literals f = goFields(cfg);
    const bool usesGo123 = !f.keepAlive.empty();
    if (usesGo123) {
        f.dialer.field(QStringLiteral("KeepAliveConfig"),
            QStringLiteral("net.KeepAliveConfig{\n%1\t\t\t\t}").arg(f.keepAlive.render(5)));
    }
    LiteralWriter transport;
    const bool usesNet = !f.dialer.empty();
    if (usesNet) {
        transport.field(QStringLiteral("DialContext"),
            QStringLiteral("(&net.Dialer{\n%1\t\t\t}).DialContext").arg(f.dialer.render(4)));
    }
    transport.append(f.transport);
    const bool usesTls = !f.tls.empty();
    if (usesTls) {
        transport.field(QStringLiteral("TLSClientConfig"),
            QStringLiteral("&tls.Config{%1}").arg(f.tls.inlineFields()),
            QStringLiteral("test targets only"));
    }
    // Go attempts HTTP/2 only for a Transport without a custom dialer or TLS config
    // unless ForceAttemptHTTP2 (onceSetNextProtoDefaults); DefaultTransport sets it.
    // Without it, pasting this snippet would switch HTTP/2 off for every HTTPS backend
    // that PoolScope showed speaking HTTP/2. HTTP/2 off is a non-nil, empty TLSNextProto.
    bool usesTlsPackage = usesTls;
    if (cfg.disableHttp2) {
        transport.field(QStringLiteral("TLSNextProto"),
            QStringLiteral("map[string]func(string, *tls.Conn) http.RoundTripper{}"),
            QStringLiteral("HTTP/2 off"));
        usesTlsPackage = true;
    } else if (cfg.attemptsHttp2() && (usesNet || usesTls || cfg.forceAttemptHttp2)) {
        transport.field(QStringLiteral("ForceAttemptHTTP2"), QStringLiteral("true"),
            QStringLiteral("keeps HTTP/2 with the DialContext/TLSClientConfig above"));
    }
    LiteralWriter client;
    client.field(QStringLiteral("Transport"),
        transport.empty() ? QStringLiteral("&http.Transport{}")
                          : QStringLiteral("&http.Transport{\n%1\t\t}").arg(transport.render(3)));
    client.append(f.client);

    QStringList imports;
    if (usesTlsPackage) {
        imports << QStringLiteral("\"crypto/tls\"");
    }
    if (usesNet) {
        imports << QStringLiteral("\"net\"");
    }
    imports << QStringLiteral("\"net/http\"");
    if (f.usesTime) {
        imports << QStringLiteral("\"time\"");
    }

    QString out;
    // Short comment lines: the snippet is read in a narrow panel.
    out += QStringLiteral("// HTTP client settings exported by PoolScope.\n"
                          "// &http.Transport{} starts from zero values, not from\n"
                          "// http.DefaultTransport, so every non-zero field is written;\n"
                          "// a trailing comment marks each value that differs from it.\n"
                          "// HTTPS backends negotiate HTTP/2 by ALPN as PoolScope\n"
                          "// showed: ForceAttemptHTTP2 keeps it with a DialContext,\n"
                          "// as DefaultTransport does (which also sets Proxy).\n");
    if (cfg.strictMaxConcurrentStreams) {
        out += QStringLiteral("// StrictMaxConcurrentStreams is a field of\n"
                              "// golang.org/x/net/http2.Transport in Go 1.19: call\n"
                              "// http2.ConfigureTransports(t) on the http.Transport t\n"
                              "// below before its first use and set it on the result.\n");
    }
    if (usesGo123) {
        out += QStringLiteral("// net.KeepAliveConfig needs Go 1.23 or newer.\n");
    }
    out += QStringLiteral("package main\n\n");
    if (imports.size() == 1) {
        out += QStringLiteral("import %1\n\n").arg(imports.first());
    } else {
        out += QStringLiteral("import (\n");
        for (const QString &i : imports) {
            out += u'\t' + i + u'\n';
        }
        out += QStringLiteral(")\n\n");
    }
    out += QStringLiteral("func newClient() *http.Client {\n");
    out += QStringLiteral("\treturn &http.Client{\n");
    out += client.render(2);
    out += QStringLiteral("\t}\n}\n");
    return out;
}

} // namespace poolscope
