// Walks the knob table and checks that every surface built on it offers every
// knob: a `poolscope run` flag in --help (and a `serve` flag for the server's
// knobs), a place in the scenario file that reads back what was written, the
// flag's value reaching that file, and, for Go's knobs, a line in the Go
// snippet. A knob added to the table and forgotten by a surface fails here.
#include "scenario/go_snippet.h"
#include "scenario/presets.h"
#include "support/knob_values.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace poolscope;
using poolscope::testsupport::otherKnobValue;

namespace {

Preset presetOf(const Settings &s)
{
    Preset p;
    p.transport = s.transport;
    p.load = s.load;
    p.server = s.server;
    return p;
}

QJsonValue valueAt(const QJsonObject &root, const QString &dottedPath)
{
    QJsonValue v = root;
    for (const QString &part : dottedPath.split(u'.')) {
        v = v.toObject().value(part);
    }
    return v;
}

// The value as Go source writes it.
bool isHttp2Knob(const Knob &k)
{
    const QLatin1String key(k.key);
    return key == QLatin1String("ForceAttemptHTTP2") || key == QLatin1String("DisableHTTP2")
        || key == QLatin1String("StrictMaxConcurrentStreams");
}

QString goExpr(const Knob &k, const KnobValue &v)
{
    switch (k.kind) {
    case KnobKind::Duration:
        return goDurationExpr(std::get<Duration>(v));
    case KnobKind::Bool:
        return std::get<bool>(v) ? QStringLiteral("true") : QStringLiteral("false");
    default:
        return knobText(k, v);
    }
}

} // namespace

class TestScenarioSurfaces final : public QObject
{
    Q_OBJECT

    QString m_bin;

    QString runBin(const QStringList &args, int *code)
    {
        QProcess p;
        p.start(m_bin, args);
        if (!p.waitForFinished(30000)) {
            p.kill();
            p.waitForFinished();
        }
        *code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
        return QString::fromUtf8(p.readAllStandardOutput())
            + QString::fromUtf8(p.readAllStandardError());
    }

    void needBinary()
    {
        if (m_bin.isEmpty()) {
            QSKIP("POOLSCOPE_BIN not set: needs the poolscope binary");
        }
    }

private Q_SLOTS:
    void initTestCase() { m_bin = qEnvironmentVariable("POOLSCOPE_BIN"); }

    void everyKnobIsARunFlag()
    {
        needBinary();
        int code = -1;
        const QString help = runBin({ QStringLiteral("run"), QStringLiteral("--help") }, &code);
        QCOMPARE(code, 0);
        for (const Knob &k : knobTable()) {
            const QRegularExpression flag(
                QStringLiteral("^  --%1( |$)").arg(QRegularExpression::escape(k.flag)),
                QRegularExpression::MultilineOption);
            QVERIFY2(help.contains(flag), k.key);
            if (k.isGo()) {
                // The line names the Go field it mirrors.
                QVERIFY2(help.contains(QString::fromLatin1(k.goField).section(u'.', 1)), k.key);
            }
        }
    }

    // `serve` takes the server's knobs under run's --server-* names without the
    // prefix; --listen stands for the address and the port.
    void everyServerKnobIsAServeFlag()
    {
        needBinary();
        int code = -1;
        const QString help = runBin({ QStringLiteral("serve"), QStringLiteral("--help") }, &code);
        QCOMPARE(code, 0);
        QVERIFY(help.contains(QStringLiteral("\n  --listen HOST:PORT")));
        for (const Knob &k : knobTable()) {
            const QString flag = QLatin1String(k.flag);
            if (k.group != KnobGroup::Server || flag == u"listen" || flag == u"server-port") {
                continue;
            }
            QVERIFY2(flag.startsWith(u"server-"), k.key);
            const QRegularExpression line(
                QStringLiteral("^  --%1( |$)").arg(QRegularExpression::escape(flag.mid(7))),
                QRegularExpression::MultilineOption);
            QVERIFY2(help.contains(line), k.key);
        }
    }

    void everyKnobRoundTripsThroughScenarioJson()
    {
        const Settings base;
        for (const Knob &k : knobTable()) {
            Settings s = base;
            const KnobValue v = otherKnobValue(k);
            k.set(s, v);
            const QJsonObject json = scenarioToJson(presetOf(s));
            QVERIFY2(valueAt(json, knobJsonPath(k)) == knobToJson(k, v), k.key);
            QString error;
            const auto back = scenarioFromJson(json, &error);
            QVERIFY2(back, qPrintable(error));
            const Settings read { back->transport, back->load, back->server };
            QVERIFY2(k.get(read) == v, k.key);
            QVERIFY2(read == s, k.key); // and nothing else moved
        }
    }

    // Every flag at once, each set to a non-default value: the scenario the
    // command line makes (--print-scenario) holds every one of them.
    void everyFlagReachesTheScenario()
    {
        needBinary();
        Settings expected;
        QStringList args { QStringLiteral("run"), QStringLiteral("--print-scenario") };
        for (const Knob &k : knobTable()) {
            const KnobValue v = otherKnobValue(k);
            k.set(expected, v);
            args << QStringLiteral("--%1=%2").arg(QLatin1String(k.flag), knobText(k, v));
        }
        int code = -1;
        const QString out = runBin(args, &code);
        QVERIFY2(code == 0, qPrintable(out));
        QJsonParseError parseError;
        const QJsonDocument doc = QJsonDocument::fromJson(out.toUtf8(), &parseError);
        QVERIFY2(doc.isObject(), qPrintable(parseError.errorString() + u'\n' + out));
        QString error;
        const auto p = scenarioFromJson(doc.object(), &error);
        QVERIFY2(p, qPrintable(error));
        const Settings got { p->transport, p->load, p->server };
        for (const Knob &k : knobTable()) {
            QVERIFY2(k.get(got) == k.get(expected),
                qPrintable(QStringLiteral("--%1: got %2, want %3")
                               .arg(QLatin1String(k.flag), knobText(k, k.get(got)),
                                   knobText(k, k.get(expected)))));
        }
    }

    // Several targets: repeated --url reach the scenario file as an array, a file with
    // them runs headless with all of them (--scenario), and a --url after it overrides them.
    void severalUrlsRoundTripThroughFlagsAndFiles()
    {
        needBinary();
        const QStringList urls { QStringLiteral("http://127.0.0.1:8081/"),
            QStringLiteral("http://127.0.0.1:8082/a"), QStringLiteral("http://[::1]:8083/") };
        QStringList args { QStringLiteral("run"), QStringLiteral("--print-scenario") };
        for (const QString &u : urls) {
            args << QStringLiteral("--url") << u;
        }
        int code = -1;
        const QString out = runBin(args, &code);
        QVERIFY2(code == 0, qPrintable(out));
        const QJsonObject file = QJsonDocument::fromJson(out.toUtf8()).object();
        QCOMPARE(valueAt(file, QStringLiteral("load.url")).toArray().toVariantList(),
            QVariant(urls).toList());
        QString error;
        const auto p = scenarioFromJson(file, &error);
        QVERIFY2(p, qPrintable(error));
        QCOMPARE(p->load.targets(), urls);
        QCOMPARE(p->load.url, urls.first());

        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("targets.json"));
        QVERIFY2(saveScenarioFile(path, *p, &error), qPrintable(error));
        const QString again = runBin({ QStringLiteral("run"), QStringLiteral("--scenario"), path,
                                         QStringLiteral("--print-scenario") },
            &code);
        QVERIFY2(code == 0, qPrintable(again));
        QCOMPARE(QJsonDocument::fromJson(again.toUtf8()).object(), file);

        const QString overridden
            = runBin({ QStringLiteral("run"), QStringLiteral("--scenario"), path,
                         QStringLiteral("--url"), urls.last(), QStringLiteral("--print-scenario") },
                &code);
        QVERIFY2(code == 0, qPrintable(overridden));
        QCOMPARE(valueAt(QJsonDocument::fromJson(overridden.toUtf8()).object(),
                     QStringLiteral("load.url")),
            QJsonValue(urls.last()));
    }

    void everyGoKnobShowsInTheGoSnippet()
    {
        for (const Knob &k : knobTable()) {
            if (!k.isGo() || isHttp2Knob(k)) {
                continue; // everyHttp2KnobShowsInTheGoSnippet
            }
            Settings s;
            const KnobValue v = otherKnobValue(k);
            QVERIFY2(v != knobZeroDefault(k), k.key);
            k.set(s, v);
            const QString snippet = goSnippet(s.transport);
            if (qstrcmp(k.key, "DisableHTTP2") == 0) {
                // No Go field: Go's way to turn HTTP/2 off is an empty TLSNextProto map.
                QVERIFY2(snippet.contains(QStringLiteral("TLSNextProto")), qPrintable(snippet));
                continue;
            }
            // In a literal ("Field: v,") or set on the DefaultTransport clone ("t.Field = v").
            const QString expr = QRegularExpression::escape(goExpr(k, v));
            const QRegularExpression field(QStringLiteral("\\b%1:\\s+%2[,}]|\\bt\\.%1 = %2\\b")
                                               .arg(QLatin1String(k.jsonKey), expr));
            QVERIFY2(snippet.contains(field),
                qPrintable(QStringLiteral("%1 missing from:\n%2").arg(k.key, snippet)));
        }
    }

    // The HTTP/2 knobs are not literal fields of their own. From DefaultTransport the snippet
    // is a Clone(), which keeps ForceAttemptHTTP2 true without writing it; turning it off is
    // `t.ForceAttemptHTTP2 = false`. A zero-Transport literal with a DialContext writes
    // ForceAttemptHTTP2 when PoolScope attempts HTTP/2 (and leaves it out when it does not).
    // DisableHTTP2 is TLSNextProto set to an empty map, StrictMaxConcurrentStreams (an
    // x/net/http2 field in Go 1.19) a comment saying how to set it.
    void everyHttp2KnobShowsInTheGoSnippet()
    {
        const QString noH2Map = QStringLiteral(
            "map\\[string\\]func\\(string, \\*tls\\.Conn\\) http\\.RoundTripper\\{\\}");
        Settings s;
        const QString def = goSnippet(s.transport);
        QVERIFY2(def.contains(QStringLiteral("http.DefaultTransport.(*http.Transport).Clone()")),
            qPrintable(def));
        QVERIFY2(!def.contains(QStringLiteral("t.ForceAttemptHTTP2")), qPrintable(def));
        s.transport.forceAttemptHttp2 = false;
        const QString unforced = goSnippet(s.transport);
        QVERIFY2(unforced.contains(
                     QRegularExpression(QStringLiteral("\\bt\\.ForceAttemptHTTP2 = false\\b"))),
            qPrintable(unforced));
        s = Settings {};
        s.transport.disableHttp2 = true;
        const QString off = goSnippet(s.transport);
        QVERIFY2(
            off.contains(QRegularExpression(QStringLiteral("\\bt\\.TLSNextProto = ") + noH2Map)),
            qPrintable(off));
        // A zero Transport with a dialer of its own: forced, it writes the field.
        s = Settings {};
        s.transport = TransportConfig::zero();
        s.transport.dialTimeout = std::chrono::seconds(3);
        QVERIFY(!goSnippet(s.transport).contains(QStringLiteral("ForceAttemptHTTP2:")));
        s.transport.forceAttemptHttp2 = true;
        const QString forced = goSnippet(s.transport);
        QVERIFY2(
            forced.contains(QRegularExpression(QStringLiteral("\\bForceAttemptHTTP2:\\s+true,"))),
            qPrintable(forced));
        s.transport.disableHttp2 = true;
        const QString literalOff = goSnippet(s.transport);
        QVERIFY2(literalOff.contains(QRegularExpression(
                     QStringLiteral("\\bTLSNextProto:\\s+") + noH2Map + QStringLiteral(","))),
            qPrintable(literalOff));
        QVERIFY(!literalOff.contains(QStringLiteral("ForceAttemptHTTP2:")));
        s = Settings {};
        s.transport.strictMaxConcurrentStreams = true;
        QVERIFY(goSnippet(s.transport)
                    .contains(QStringLiteral("// StrictMaxConcurrentStreams is a field of")));
        int seen = 0;
        for (const Knob &k : knobTable()) {
            seen += isHttp2Knob(k) ? 1 : 0;
        }
        QCOMPARE(seen, 3);
    }
};

QTEST_GUILESS_MAIN(TestScenarioSurfaces)
#include "tst_scenario_surfaces.moc"
