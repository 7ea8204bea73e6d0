#include "scenario/go_snippet.h"
#include "scenario/knob_table.h"
#include "scenario/presets.h"
#include "support/run_cli.h"

#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace poolscope;
using namespace std::chrono_literals;

namespace {

// "Name:" field names written inside the snippet's composite literals.
QStringList fieldNames(const QString &snippet)
{
    QStringList out;
    static const QRegularExpression re(
        QStringLiteral(R"(^\t+([A-Za-z][A-Za-z0-9]*):)"), QRegularExpression::MultilineOption);
    for (auto it = re.globalMatch(snippet); it.hasNext();) {
        out << it.next().captured(1);
    }
    return out;
}

// Fields set on the DefaultTransport clone: "t.Name = value" statements.
QStringList assignedNames(const QString &snippet)
{
    QStringList out;
    static const QRegularExpression re(
        QStringLiteral(R"(^\tt\.([A-Za-z][A-Za-z0-9]*) = )"), QRegularExpression::MultilineOption);
    for (auto it = re.globalMatch(snippet); it.hasNext();) {
        out << it.next().captured(1);
    }
    return out;
}

// The line setting `field`, in a literal ("Field: v,") or on the clone ("t.Field = v").
QString fieldLine(const QString &snippet, const QString &field)
{
    for (const QString &line : snippet.split(u'\n')) {
        const QString t = line.trimmed();
        if (t.startsWith(field + u':') || t.startsWith(QStringLiteral("t.%1 = ").arg(field))) {
            return line.simplified();
        }
    }
    return {};
}

constexpr char kClone[] = "t := http.DefaultTransport.(*http.Transport).Clone()";

// What the pasted snippet must negotiate with an h2 server: HTTP/2 unless the settings
// turn it off, once the knob table has the HTTP/2 knobs: DisableHTTP2, or ForceAttemptHTTP2
// false on settings that start from DefaultTransport (whose DialContext is a custom one in
// Go's eyes). A zero Transport{} attempts HTTP/2 without ForceAttemptHTTP2.
QByteArray expectedProto(const TransportConfig &cfg)
{
    // What PoolScope models for HTTPS (onceSetNextProtoDefaults): the snippet must agree.
    return cfg.attemptsHttp2() ? "HTTP/2.0" : "HTTP/1.1";
}

// main() for a snippet: GET from an HTTP/2 TLS server with newClient(), print resp.Proto.
constexpr char kHttp2Harness[] = R"(package main

import (
	"crypto/tls"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
)

func main() {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	srv.EnableHTTP2 = true
	// Both protocols by ALPN, as nginx and Go's own servers offer them: a client that
	// turned HTTP/2 off must still get an answer.
	srv.TLS = &tls.Config{NextProtos: []string{"h2", "http/1.1"}}
	srv.StartTLS()
	defer srv.Close()
	f, err := os.CreateTemp("", "snippet-ca-*.pem")
	if err != nil {
		panic(err)
	}
	defer os.Remove(f.Name())
	pem.Encode(f, &pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	f.Close()
	os.Setenv("SSL_CERT_FILE", f.Name())
	resp, err := newClient().Get(srv.URL)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	resp.Body.Close()
	fmt.Println(resp.Proto)
}
)";

} // namespace

class TestScenarioGoSnippet : public QObject
{
    Q_OBJECT
    QTemporaryDir m_goHome;

private Q_SLOTS:
    void durationExpressions()
    {
        QCOMPARE(goDurationExpr(90s), QStringLiteral("90 * time.Second"));
        QCOMPARE(goDurationExpr(1s), QStringLiteral("1 * time.Second"));
        QCOMPARE(goDurationExpr(1500ms), QStringLiteral("1500 * time.Millisecond"));
        QCOMPARE(goDurationExpr(10min), QStringLiteral("10 * time.Minute"));
        QCOMPARE(goDurationExpr(2h), QStringLiteral("2 * time.Hour"));
        QCOMPARE(goDurationExpr(250us), QStringLiteral("250 * time.Microsecond"));
        QCOMPARE(goDurationExpr(7ns), QStringLiteral("7 * time.Nanosecond"));
        QCOMPARE(goDurationExpr(0s), QStringLiteral("0"));
        QCOMPARE(goDurationExpr(-1ns), QStringLiteral("-1"));
    }

    // Mixed callers with a method of their own: the snippet says which worker sends what
    // (the same even spread as the engine's) and which method Go retries.
    void mixedMethodAddsRequestMethod()
    {
        LoadConfig load;
        load.method = "POST";
        load.requestBodySize = 10;
        load.mixShare = 0.25;
        load.mixMethod = "GET";
        const QString s = goSnippet(TransportConfig::goDefault(), load);
        QVERIFY2(s.startsWith(goSnippet(TransportConfig::goDefault())), qPrintable(s));
        QVERIFY2(s.contains(QStringLiteral("func requestMethod(w int) string {\n"
                                           "\tconst mixShare = 0.25\n")),
            qPrintable(s));
        QVERIFY2(s.contains(QStringLiteral("\t\treturn \"GET\"\n\t}\n\treturn \"POST\"\n}\n")),
            qPrintable(s));
        QVERIFY2(s.contains(QStringLiteral("sends GET without a body")), qPrintable(s));
        QVERIFY2(s.contains(QStringLiteral("Idempotency-Key")), qPrintable(s));
        // The share's body policy, when it differs, is named with it.
        QVERIFY2(s.contains(QStringLiteral("never closes its response bodies")), qPrintable(s));
        load.mixBodyPolicy = load.bodyPolicy;
        QVERIFY(!goSnippet(TransportConfig::goDefault(), load).contains(u"response bodies"));
        // Nothing to say: no share, or a share with the run's method.
        for (const auto &[share, method] : { std::pair { 0.0, QByteArray("GET") },
                 std::pair { 0.5, QByteArray() }, std::pair { 0.5, QByteArray("POST") } }) {
            load.mixShare = share;
            load.mixMethod = method;
            QCOMPARE(goSnippet(TransportConfig::goDefault(), load),
                goSnippet(TransportConfig::goDefault()));
        }
    }

    // Settings that start from DefaultTransport clone it: Proxy and ForceAttemptHTTP2
    // (neither is a PoolScope knob) survive a paste, and only the changes are written.
    void defaultTransportIsCloned()
    {
        const QString s = goSnippet(TransportConfig::goDefault());
        QVERIFY2(s.contains(QLatin1String(kClone)), qPrintable(s));
        QVERIFY2(assignedNames(s).isEmpty(), qPrintable(s));
        QVERIFY(s.contains(QStringLiteral("\treturn &http.Client{Transport: t}\n}\n")));
        QVERIFY2(!s.contains(QStringLiteral("// DefaultTransport:")), qPrintable(s));
        QVERIFY(s.contains(QStringLiteral("func newClient() *http.Client {")));
        QVERIFY2(!s.contains(QStringLiteral("\"net\"")), "an unused import would not compile");
        QVERIFY(!s.contains(QStringLiteral("\"time\"")));
        QVERIFY(!s.contains(QStringLiteral("t.ForceAttemptHTTP2")));
    }

    void timeWaitStormFixedFields()
    {
        const Preset *fixed = findPreset(u"time-wait-storm-fixed");
        QVERIFY(fixed);
        const QString s = goSnippet(fixed->transport);
        QVERIFY(s.contains(QLatin1String(kClone)));
        QCOMPARE(assignedNames(s), QStringList({ QStringLiteral("MaxIdleConnsPerHost") }));
        QCOMPARE(fieldLine(s, QStringLiteral("MaxIdleConnsPerHost")),
            QStringLiteral("t.MaxIdleConnsPerHost = 10 // DefaultTransport: 0, which means 2"));
        QCOMPARE(s.count(QStringLiteral("// DefaultTransport:")), 1);
    }

    // A changed dialer is a new net.Dialer: written whole (its unchanged KeepAlive too),
    // and ForceAttemptHTTP2 stays true on the clone, so HTTP/2 survives.
    void changedDialerOnTheClone()
    {
        TransportConfig c = TransportConfig::goDefault();
        c.dialTimeout = 5s;
        const QString s = goSnippet(c);
        QCOMPARE(assignedNames(s), QStringList({ QStringLiteral("DialContext") }));
        QCOMPARE(fieldLine(s, QStringLiteral("Timeout")),
            QStringLiteral("Timeout: 5 * time.Second, // DefaultTransport: 30 * time.Second"));
        QCOMPARE(fieldLine(s, QStringLiteral("KeepAlive")),
            QStringLiteral("KeepAlive: 30 * time.Second,"));
        QVERIFY(!s.contains(QStringLiteral("ForceAttemptHTTP2 = false")));
    }

    void zeroTransportShowsWhatDiffersFromDefault()
    {
        // Zero fields are written only where DefaultTransport has a value, so
        // the user sees what a bare Transport{} loses.
        const QString s = goSnippet(TransportConfig::zero());
        QCOMPARE(fieldNames(s),
            QStringList({ QStringLiteral("Transport"), QStringLiteral("DialContext"),
                QStringLiteral("Timeout"), QStringLiteral("KeepAlive"),
                QStringLiteral("MaxIdleConns"), QStringLiteral("IdleConnTimeout"),
                QStringLiteral("TLSHandshakeTimeout"), QStringLiteral("ExpectContinueTimeout"),
                QStringLiteral("ForceAttemptHTTP2") }));
        QCOMPARE(fieldLine(s, QStringLiteral("IdleConnTimeout")),
            QStringLiteral("IdleConnTimeout: 0, // DefaultTransport: 90 * time.Second"));
        QCOMPARE(s.count(QStringLiteral("// DefaultTransport:")), 6);
        QVERIFY2(!s.contains(QStringLiteral("\"time\"")), "an unused import would not compile");
    }

    void changesFromDefaultAreMarked()
    {
        TransportConfig c = TransportConfig::goDefault();
        c.idleConnTimeout = 0s;
        c.keepAlive = -1ns;
        c.clientTimeout = 5s;
        c.disableKeepAlives = true;
        c.keepAliveConfig = KeepAliveConfig { true, 10s, 5s, 3 };
        const QString s = goSnippet(c);
        QVERIFY(s.contains(QLatin1String(kClone)));
        QCOMPARE(fieldLine(s, QStringLiteral("IdleConnTimeout")),
            QStringLiteral("t.IdleConnTimeout = 0 // DefaultTransport: 90 * time.Second"));
        QCOMPARE(fieldLine(s, QStringLiteral("KeepAlive")),
            QStringLiteral("KeepAlive: -1, // DefaultTransport: 30 * time.Second"));
        QCOMPARE(fieldLine(s, QStringLiteral("DisableKeepAlives")),
            QStringLiteral("t.DisableKeepAlives = true // DefaultTransport: false"));
        QVERIFY(s.contains(QStringLiteral("KeepAliveConfig: net.KeepAliveConfig{")));
        QVERIFY(s.contains(QStringLiteral("Go 1.23")));
        QCOMPARE(fieldLine(s, QStringLiteral("Count")), QStringLiteral("Count: 3,"));
        // Client.Timeout is the last field of the http.Client literal.
        QVERIFY(s.contains(QStringLiteral("\tTimeout:   5 * time.Second,\n\t}\n}\n"))
            || s.contains(QRegularExpression(
                QStringLiteral(R"(\n\t\tTimeout: +5 \* time\.Second,\n\t}\n}\n)"))));
    }

    // Knobs added with the knob table appear when set, in the table's order,
    // with what their zero means; unset, the snippet is what it always was.
    void headerLimitAndCompression()
    {
        TransportConfig c = TransportConfig::goDefault();
        QVERIFY(!goSnippet(c).contains(QStringLiteral("MaxResponseHeaderBytes")));
        QVERIFY(!goSnippet(c).contains(QStringLiteral("DisableCompression")));
        c.maxResponseHeaderBytes = 4096;
        c.disableCompression = true;
        const QString s = goSnippet(c);
        QCOMPARE(fieldLine(s, QStringLiteral("MaxResponseHeaderBytes")),
            QStringLiteral(
                "t.MaxResponseHeaderBytes = 4096 // DefaultTransport: 0, which means 10 MiB"));
        QCOMPARE(fieldLine(s, QStringLiteral("DisableCompression")),
            QStringLiteral("t.DisableCompression = true // DefaultTransport: false"));
        QCOMPARE(assignedNames(s),
            QStringList({ QStringLiteral("MaxResponseHeaderBytes"),
                QStringLiteral("DisableCompression") }));
        QCOMPARE(s.count(QStringLiteral("// DefaultTransport:")), 2);
    }

    // Compiles snippets with the Go toolchain. Debian bookworm ships Go 1.19,
    // which has no net.KeepAliveConfig (Go 1.23), so only snippets without it
    // are compile-checked; KeepAliveConfig output is checked textually above.
    void compilesWithGo_data()
    {
        QTest::addColumn<QString>("snippet");
        QTest::addColumn<QByteArray>("proto");
        const auto row = [](const char *name, const TransportConfig &c) {
            QTest::newRow(name) << goSnippet(c) << expectedProto(c);
        };
        for (const Preset &p : builtinPresets()) {
            row(qPrintable(p.id), p.transport);
        }
        TransportConfig odd = TransportConfig::zero();
        odd.keepAlive = -5s;
        odd.clientTimeout = 2500ms;
        odd.insecureSkipVerify = true;
        odd.maxIdleConnsPerHost = -1;
        odd.responseHeaderTimeout = 1h;
        row("negative-and-tls", odd);
        TransportConfig dialOnly = TransportConfig::zero();
        dialOnly.dialTimeout = 30s;
        row("dialer-only", dialOnly);
        TransportConfig limits = TransportConfig::goDefault();
        limits.maxResponseHeaderBytes = 64 << 10;
        limits.disableCompression = true;
        row("header-limit-and-compression", limits);
        // A zero Transport with a dialer of its own, as Go: HTTP/1.1 unless forced.
        QCOMPARE(expectedProto(dialOnly), QByteArray("HTTP/1.1"));
        TransportConfig forced = dialOnly;
        forced.forceAttemptHttp2 = true;
        row("dialer-forced-h2", forced);
        TransportConfig h2Off = TransportConfig::goDefault();
        h2Off.disableHttp2 = true;
        h2Off.strictMaxConcurrentStreams = true;
        row("http2-off-strict", h2Off);
        TransportConfig cloneDialTls = TransportConfig::goDefault();
        cloneDialTls.dialTimeout = 2s;
        cloneDialTls.keepAlive = -1ns;
        cloneDialTls.insecureSkipVerify = true;
        cloneDialTls.clientTimeout = 10s;
        row("clone-with-dialer-tls-and-timeout", cloneDialTls);
        // The HTTP/2 knobs, once the knob table has them (the HTTP/2 client adds them).
        if (const Knob *off = findKnob(u"DisableHTTP2")) {
            for (const bool fromDefault : { true, false }) {
                Settings s;
                s.transport = fromDefault ? TransportConfig::goDefault() : TransportConfig::zero();
                s.transport.dialTimeout = 3s;
                off->set(s, true);
                row(fromDefault ? "clone-http2-off" : "literal-http2-off", s.transport);
            }
        }
        if (const Knob *force = findKnob(u"ForceAttemptHTTP2")) {
            Settings s;
            force->set(s, false);
            row("clone-force-attempt-http2-false", s.transport);
        }
        LoadConfig mixed;
        mixed.method = "POST";
        mixed.mixShare = 1;
        mixed.mixMethod = "HEAD";
        mixed.mixBodyPolicy = BodyPolicy::CloseEarly;
        QTest::newRow("mixed-method") << goSnippet(limits, mixed) << expectedProto(limits);
    }
    void compilesWithGo()
    {
        QFETCH(QString, snippet);
        QFETCH(QByteArray, proto);
        const QString go = qEnvironmentVariable("POOLSCOPE_GO");
        if (go.isEmpty() || !QFileInfo(go).isExecutable()) {
            QSKIP("POOLSCOPE_GO is not set to a Go toolchain; snippets are only checked textually");
        }
        QVERIFY2(!snippet.contains(QStringLiteral("KeepAliveConfig")),
            "Go 1.19 cannot compile net.KeepAliveConfig");
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const auto write = [&](const QString &name, const QString &text) {
            QFile f(dir.filePath(name));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(text.toUtf8());
        };
        write(QStringLiteral("go.mod"), QStringLiteral("module snippetcheck\n\ngo 1.19\n"));
        write(QStringLiteral("client.go"), snippet);
        // The snippet is meant to be pasted into a program that has its own main. This
        // one asks an HTTPS server that speaks HTTP/2 (trusted through SSL_CERT_FILE, so
        // the harness itself sets no TLS config) and prints the protocol Go negotiated.
        write(QStringLiteral("main.go"), QString::fromLatin1(kHttp2Harness));

        QProcess proc;
        proc.setWorkingDirectory(dir.path());
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        // One build cache for all rows: the standard library compiles once.
        env.insert(QStringLiteral("GOCACHE"), m_goHome.filePath(QStringLiteral("cache")));
        env.insert(QStringLiteral("GOPATH"), m_goHome.filePath(QStringLiteral("gopath")));
        env.insert(QStringLiteral("GOFLAGS"), QStringLiteral("-mod=mod"));
        env.insert(QStringLiteral("GOPROXY"), QStringLiteral("off"));
        env.insert(QStringLiteral("GOTOOLCHAIN"), QStringLiteral("local"));
        env.insert(QStringLiteral("CGO_ENABLED"), QStringLiteral("0"));
        proc.setProcessEnvironment(env);
        proc.setProcessChannelMode(QProcess::MergedChannels);
        proc.start(go,
            { QStringLiteral("build"), QStringLiteral("-o"), QStringLiteral("out"),
                QStringLiteral(".") });
        QVERIFY2(proc.waitForFinished(240000), "go build did not finish in 4 minutes");
        const QString output = QString::fromUtf8(proc.readAll());
        QVERIFY2(proc.exitStatus() == QProcess::NormalExit && proc.exitCode() == 0,
            qPrintable(
                QStringLiteral("go build failed:\n%1\n--- snippet ---\n%2").arg(output, snippet)));
        QProcess vet;
        vet.setWorkingDirectory(dir.path());
        vet.setProcessEnvironment(env);
        vet.setProcessChannelMode(QProcess::MergedChannels);
        vet.start(go, { QStringLiteral("vet"), QStringLiteral(".") });
        QVERIFY2(vet.waitForFinished(240000), "go vet did not finish in 4 minutes");
        QVERIFY2(vet.exitStatus() == QProcess::NormalExit && vet.exitCode() == 0,
            qPrintable(QStringLiteral("go vet:\n%1\n--- snippet ---\n%2")
                           .arg(QString::fromUtf8(vet.readAll()), snippet)));
        // A pasted snippet must not switch HTTP/2 off (a custom DialContext or
        // TLSClientConfig does, unless ForceAttemptHTTP2), unless the settings do.
        QProcess run;
        run.setProcessEnvironment(env);
        run.start(dir.filePath(QStringLiteral("out")), {});
        QVERIFY2(run.waitForFinished(60000), "the harness did not finish in a minute");
        const QByteArray negotiated = run.readAllStandardOutput().trimmed();
        QVERIFY2(negotiated == proto,
            qPrintable(QStringLiteral("negotiated %1, want %2 (%3)\n--- snippet ---\n%4")
                           .arg(QString::fromUtf8(negotiated), QString::fromUtf8(proto),
                               QString::fromUtf8(run.readAllStandardError()), snippet)));
        // gofmt agrees with our layout (a copied snippet should not be reformatted).
        QProcess fmt;
        fmt.setProcessEnvironment(env);
        fmt.start(QFileInfo(go).dir().filePath(QStringLiteral("gofmt")),
            { QStringLiteral("-l"), dir.filePath(QStringLiteral("client.go")) });
        QVERIFY(fmt.waitForFinished(60000));
        QCOMPARE(fmt.exitCode(), 0);
        QVERIFY2(fmt.readAllStandardOutput().trimmed().isEmpty(),
            qPrintable(QStringLiteral("gofmt would reformat:\n%1").arg(snippet)));
    }

    // `poolscope snippet [run flags]` prints what the window's Go panel shows for the same
    // settings.
    void snippetCommandPrintsTheSnippet_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("expected");
        const Preset *fixed = findPreset(u"time-wait-storm-fixed");
        QVERIFY(fixed);
        QTest::newRow("preset") << QStringList { QStringLiteral("--preset"), fixed->id }
                                << goSnippet(fixed->transport);
        TransportConfig c = TransportConfig::goDefault();
        c.maxIdleConnsPerHost = 10;
        c.dialTimeout = 5s;
        QTest::newRow("flags") << QStringList { QStringLiteral("--max-idle-conns-per-host"),
            QStringLiteral("10"), QStringLiteral("--dial-timeout"), QStringLiteral("5s") }
                               << goSnippet(c);
        QTest::newRow("zero") << QStringList { QStringLiteral("--defaults"),
            QStringLiteral("zero") }
                              << goSnippet(TransportConfig::zero());
        LoadConfig mixed;
        mixed.method = "POST";
        mixed.requestBodySize = 10;
        mixed.mixShare = 0.5;
        mixed.mixMethod = "GET";
        QTest::newRow("mixed-method") << QStringList { QStringLiteral("--method"),
            QStringLiteral("POST"), QStringLiteral("--body-size"), QStringLiteral("10"),
            QStringLiteral("--mix-share"), QStringLiteral("0.5"), QStringLiteral("--mix-method"),
            QStringLiteral("GET") } << goSnippet(TransportConfig::goDefault(), mixed);
    }
    void snippetCommandPrintsTheSnippet()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, expected);
        const QString bin = qEnvironmentVariable("POOLSCOPE_BIN");
        if (bin.isEmpty() || !QFileInfo(bin).isExecutable()) {
            QSKIP("POOLSCOPE_BIN is not set to the poolscope binary");
        }
        const auto r = testsupport::runCli(bin, QStringList { QStringLiteral("snippet") } + args);
        QCOMPARE(r.code, 0);
        QCOMPARE(r.out, expected);
        const auto bad = testsupport::runCli(
            bin, { QStringLiteral("snippet"), QStringLiteral("--max-idle-conns-per-host=x") });
        QCOMPARE(bad.code, 2);
        QVERIFY2(bad.err.startsWith(QStringLiteral("poolscope snippet: ")), qPrintable(bad.err));
    }
};

QTEST_GUILESS_MAIN(TestScenarioGoSnippet)
#include "tst_scenario_go_snippet.moc"
