#include "go_snippet.h"

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

QString defaultNote(bool differs, const QString &defaultText)
{
    return differs ? QStringLiteral("DefaultTransport: %1").arg(defaultText) : QString();
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
    const TransportConfig def = TransportConfig::goDefault();
    bool usesTime = false;
    bool usesNet = false;
    bool usesTls = false;
    bool usesGo123 = false;

    // Written when not zero (a literal needs it) or when it differs from
    // DefaultTransport (so a change to zero stays visible); annotate=false for
    // fields DefaultTransport does not set at all.
    const auto durationField = [&](LiteralWriter &w, const QString &name, Duration value,
                                   Duration defValue, bool annotate = true) {
        if (value == Duration::zero() && defValue == Duration::zero()) {
            return;
        }
        const bool differs = annotate && value != defValue;
        if (value == Duration::zero()) {
            // Zero differs from DefaultTransport here; say so rather than hide it.
            w.field(name, QStringLiteral("0"), defaultNote(true, goDurationExpr(defValue)));
            return;
        }
        const QString expr = goDurationExpr(value);
        usesTime = usesTime || expr.contains(u"time.");
        w.field(name, expr, defaultNote(differs, goDurationExpr(defValue)));
    };
    const auto intField = [&](LiteralWriter &w, const QString &name, int value, int defValue,
                              const QString &defText) {
        if (value == 0 && defValue == 0) {
            return;
        }
        w.field(name, QString::number(value), defaultNote(value != defValue, defText));
    };

    // ---- net.Dialer ----
    LiteralWriter dialer;
    durationField(dialer, QStringLiteral("Timeout"), cfg.dialTimeout, def.dialTimeout);
    durationField(dialer, QStringLiteral("KeepAlive"), cfg.keepAlive, def.keepAlive);
    if (cfg.keepAliveConfig != KeepAliveConfig {}) {
        usesGo123 = true;
        LiteralWriter ka;
        const KeepAliveConfig &k = cfg.keepAliveConfig;
        if (k.enable) {
            ka.field(QStringLiteral("Enable"), QStringLiteral("true"));
        }
        durationField(ka, QStringLiteral("Idle"), k.idle, Duration::zero(), false);
        durationField(ka, QStringLiteral("Interval"), k.interval, Duration::zero(), false);
        if (k.count != 0) {
            ka.field(QStringLiteral("Count"), QString::number(k.count));
        }
        dialer.field(QStringLiteral("KeepAliveConfig"),
            QStringLiteral("net.KeepAliveConfig{\n%1\t\t\t\t}").arg(ka.render(5)), QString());
    }

    // ---- http.Transport ----
    LiteralWriter transport;
    if (!dialer.empty()) {
        usesNet = true;
        transport.field(QStringLiteral("DialContext"),
            QStringLiteral("(&net.Dialer{\n%1\t\t\t}).DialContext").arg(dialer.render(4)));
    }
    intField(transport, QStringLiteral("MaxIdleConns"), cfg.maxIdleConns, def.maxIdleConns,
        QStringLiteral("100"));
    if (cfg.maxIdleConnsPerHost != 0) {
        QString note = QStringLiteral("DefaultTransport: 0, which means 2");
        if (cfg.maxIdleConnsPerHost < 0) {
            note += QStringLiteral("; negative keeps no idle connection");
        }
        transport.field(
            QStringLiteral("MaxIdleConnsPerHost"), QString::number(cfg.maxIdleConnsPerHost), note);
    }
    intField(transport, QStringLiteral("MaxConnsPerHost"), cfg.maxConnsPerHost, 0,
        QStringLiteral("0 (unlimited)"));
    durationField(
        transport, QStringLiteral("IdleConnTimeout"), cfg.idleConnTimeout, def.idleConnTimeout);
    if (cfg.disableKeepAlives) {
        transport.field(QStringLiteral("DisableKeepAlives"), QStringLiteral("true"),
            QStringLiteral("DefaultTransport: false"));
    }
    durationField(transport, QStringLiteral("ResponseHeaderTimeout"), cfg.responseHeaderTimeout,
        def.responseHeaderTimeout);
    durationField(transport, QStringLiteral("TLSHandshakeTimeout"), cfg.tlsHandshakeTimeout,
        def.tlsHandshakeTimeout);
    durationField(transport, QStringLiteral("ExpectContinueTimeout"), cfg.expectContinueTimeout,
        def.expectContinueTimeout);
    if (cfg.insecureSkipVerify) {
        usesTls = true;
        transport.field(QStringLiteral("TLSClientConfig"),
            QStringLiteral("&tls.Config{InsecureSkipVerify: true}"),
            QStringLiteral("test targets only"));
    }

    // ---- http.Client ----
    LiteralWriter client;
    client.field(QStringLiteral("Transport"),
        transport.empty() ? QStringLiteral("&http.Transport{}")
                          : QStringLiteral("&http.Transport{\n%1\t\t}").arg(transport.render(3)));
    if (cfg.clientTimeout != Duration::zero()) {
        const QString expr = goDurationExpr(cfg.clientTimeout);
        usesTime = usesTime || expr.contains(u"time.");
        client.field(QStringLiteral("Timeout"), expr);
    }

    QStringList imports;
    if (usesTls) {
        imports << QStringLiteral("\"crypto/tls\"");
    }
    if (usesNet) {
        imports << QStringLiteral("\"net\"");
    }
    imports << QStringLiteral("\"net/http\"");
    if (usesTime) {
        imports << QStringLiteral("\"time\"");
    }

    QString out;
    // Short comment lines: the snippet is read in a narrow panel.
    out += QStringLiteral("// HTTP client settings exported by PoolScope.\n"
                          "// &http.Transport{} starts from zero values, not from\n"
                          "// http.DefaultTransport, so every non-zero field is written;\n"
                          "// a trailing comment marks each value that differs from it.\n"
                          "// PoolScope models HTTP/1.1 only (DefaultTransport also\n"
                          "// sets Proxy and ForceAttemptHTTP2).\n");
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
