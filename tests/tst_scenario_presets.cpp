#include "scenario/presets.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace poolscope;
using namespace std::chrono_literals;

namespace {

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}

// A preset whose every field differs from its default, so a round trip that
// dropped or swapped any field would show.
Preset everyFieldSet()
{
    Preset p;
    p.id = QStringLiteral("custom");
    p.title = QStringLiteral("Custom \"quoted\" title");
    p.explanation = QStringLiteral("Line one.\nLine two with ünïcode.");
    TransportConfig &t = p.transport;
    t.maxIdleConns = 7;
    t.maxIdleConnsPerHost = -1;
    t.maxConnsPerHost = 3;
    t.idleConnTimeout = 1500ms;
    t.disableKeepAlives = true;
    t.responseHeaderTimeout = 2s;
    t.tlsHandshakeTimeout = 3s;
    t.expectContinueTimeout = 4s;
    t.dialTimeout = 5s;
    t.keepAlive = -1ns;
    t.keepAliveConfig = KeepAliveConfig { true, 6s, -1s, 4 };
    t.clientTimeout = 7s;
    t.insecureSkipVerify = true;
    t.maxResponseHeaderBytes = 4096;
    t.disableCompression = true;
    LoadConfig &l = p.load;
    l.url = QStringLiteral("https://example.test:8443/path?q=1");
    l.workers = 33;
    l.requestsPerWorker = 44;
    l.duration = 90s;
    l.rate = 12.5;
    l.think = 250us;
    l.method = QByteArrayLiteral("POST");
    l.requestBodySize = 512;
    l.expectContinue = true;
    l.bodyPolicy = BodyPolicy::Leak;
    l.timers = TimerModel::Precise; // the non-default value, so the round trip shows it
    l.linger = 2s;
    ServerConfig &s = p.server;
    s.listenAddress = QHostAddress(QStringLiteral("::1"));
    s.port = 8081;
    s.latency = 3ms;
    s.jitter = 700us;
    s.headerDelay = 20ms;
    s.bodySize = 123;
    s.chunked = true;
    s.idleTimeout = 2500ms;
    s.maxRequestsPerConn = 9;
    s.closeProbability = 0.25;
    s.http10 = true;
    s.dropAfterBytes = 17;
    s.malformed = true;
    s.tls = true;
    s.randomSeed = 4000000000u;
    return p;
}

} // namespace

class TestScenarioPresets : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void everyPresetIdExists_data()
    {
        QTest::addColumn<QString>("id");
        for (const char *id : { "time-wait-storm", "time-wait-storm-fixed", "go-default",
                 "zero-transport", "max-conns-per-host", "server-idle-shorter", "body-not-read",
                 "keepalive-requests-limit", "disable-keep-alives" }) {
            QTest::newRow(id) << QString::fromLatin1(id);
        }
    }
    void everyPresetIdExists()
    {
        QFETCH(QString, id);
        const Preset *p = findPreset(id);
        QVERIFY2(p, qPrintable(id));
        QCOMPARE(p->id, id);
        QVERIFY(!p->title.isEmpty());
        QVERIFY2(p->explanation.size() > 150, "the explanation is a real paragraph");
        // Every preset is bounded in time and targets the embedded server.
        QVERIFY(p->load.duration > 0s);
        QVERIFY(p->load.duration <= 10min);
        QVERIFY(p->load.url.isEmpty());
        QVERIFY(p->load.workers >= 1);
    }

    void presetsMeanWhatTheySay()
    {
        const Preset *storm = findPreset(u"time-wait-storm");
        const Preset *fixed = findPreset(u"time-wait-storm-fixed");
        QVERIFY(storm && fixed);
        QCOMPARE(storm->load.workers, 10);
        QCOMPARE(storm->transport, TransportConfig::goDefault());
        QCOMPARE(storm->transport.effectiveMaxIdleConnsPerHost(), 2);
        QVERIFY(storm->load.think > 0ms && storm->load.think < 20ms);
        QVERIFY(storm->server.latency >= 1ms && storm->server.latency <= 2ms);
        QCOMPARE(fixed->transport.maxIdleConnsPerHost, 10);
        // The fix changes exactly one knob.
        Preset unfixed = *fixed;
        unfixed.transport.maxIdleConnsPerHost = 0;
        QCOMPARE(unfixed.transport, storm->transport);
        QCOMPARE(unfixed.load, storm->load);
        QCOMPARE(unfixed.server, storm->server);

        QCOMPARE(findPreset(u"go-default")->transport, TransportConfig::goDefault());
        QCOMPARE(findPreset(u"zero-transport")->transport, TransportConfig::zero());
        const Preset *queue = findPreset(u"max-conns-per-host");
        QCOMPARE(queue->transport.maxConnsPerHost, 4);
        QCOMPARE(queue->load.workers, 16);
        const Preset *stale = findPreset(u"server-idle-shorter");
        QCOMPARE(stale->server.idleTimeout, 1s);
        QCOMPARE(stale->load.think, 1500ms);
        QCOMPARE(stale->transport.idleConnTimeout, 90s);
        QCOMPARE(findPreset(u"body-not-read")->load.bodyPolicy, BodyPolicy::CloseEarly);
        QCOMPARE(findPreset(u"keepalive-requests-limit")->server.maxRequestsPerConn, 6);
        QVERIFY(findPreset(u"disable-keep-alives")->transport.disableKeepAlives);
        QCOMPARE(findPreset(u"no-such-preset"), nullptr);
    }

    // Where the lesson is not the idle cap, the cap closes nothing: it holds every
    // connection the preset can have at once (tst_cli_presets runs them).
    void idleCapsDoNotPolluteOtherLessons()
    {
        for (const char *id : { "max-conns-per-host", "server-idle-shorter", "body-not-read",
                 "keepalive-requests-limit" }) {
            const Preset *p = findPreset(QString::fromLatin1(id));
            QVERIFY2(p, id);
            const int cap = p->transport.effectiveMaxIdleConnsPerHost();
            const bool capped = p->transport.maxConnsPerHost > 0;
            QVERIFY2(cap >= (capped ? p->transport.maxConnsPerHost : p->load.workers), id);
        }
        // The lessons about the default cap keep it.
        for (const char *id : { "time-wait-storm", "go-default", "zero-transport" }) {
            QCOMPARE(
                findPreset(QString::fromLatin1(id))->transport.effectiveMaxIdleConnsPerHost(), 2);
        }
    }

    void unknownPresetNamesTheKnownOnes()
    {
        QString error;
        QCOMPARE(findPreset(u"time-wait", &error), nullptr);
        QStringList ids;
        for (const Preset &p : builtinPresets()) {
            ids << p.id;
        }
        QCOMPARE(error,
            QStringLiteral("unknown preset \"time-wait\"; known presets: ")
                + ids.join(QStringLiteral(", ")));
        QCOMPARE(findPreset(u"go-default", &error), findPreset(u"go-default"));
    }

    void roundTripEveryPreset()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        for (const Preset &p : builtinPresets()) {
            const QString path = dir.filePath(p.id + QStringLiteral(".json"));
            QString error;
            QVERIFY2(saveScenarioFile(path, p, &error), qPrintable(error));
            const auto loaded = loadScenarioFile(path, &error);
            QVERIFY2(loaded, qPrintable(error));
            QVERIFY2(*loaded == p, qPrintable(p.id));
        }
    }

    void roundTripEveryField()
    {
        QTemporaryDir dir;
        const Preset p = everyFieldSet();
        const QString path = dir.filePath(QStringLiteral("custom.json"));
        QString error;
        QVERIFY2(saveScenarioFile(path, p, &error), qPrintable(error));
        const auto loaded = loadScenarioFile(path, &error);
        QVERIFY2(loaded, qPrintable(error));
        QCOMPARE(loaded->transport, p.transport);
        QCOMPARE(loaded->load, p.load);
        QCOMPARE(loaded->server, p.server);
        QCOMPARE(loaded->id, p.id);
        QCOMPARE(loaded->title, p.title);
        QCOMPARE(loaded->explanation, p.explanation);

        // Durations are written the way Go prints them, so the file is readable.
        const QJsonObject json = scenarioToJson(p);
        QCOMPARE(json[u"transport"][u"IdleConnTimeout"].toString(), QStringLiteral("1.5s"));
        QCOMPARE(json[u"load"][u"think"].toString(), QStringLiteral("250µs"));
        QCOMPARE(
            json[u"dialer"][u"KeepAliveConfig"][u"Interval"].toString(), QStringLiteral("-1s"));
        // The knobs added with the knob table sit beside the others.
        QCOMPARE(json[u"transport"][u"MaxResponseHeaderBytes"].toInt(), 4096);
        QCOMPARE(json[u"transport"][u"DisableCompression"].toBool(), true);
        QCOMPARE(json[u"dialer"][u"KeepAliveConfig"][u"Enable"].toBool(), true);
        QCOMPARE(json[u"load"][u"expectContinue"].toBool(), true);
    }

    // A file written before the knob table (no MaxResponseHeaderBytes,
    // DisableCompression or expectContinue) still loads; the missing knobs
    // keep their defaults.
    void filesFromBeforeTheKnobTableLoad()
    {
        const QByteArray old = R"({
            "format": "poolscope-scenario", "version": 1, "id": "old", "title": "Old",
            "explanation": "Written by an older PoolScope.",
            "transport": { "MaxIdleConns": 100, "MaxIdleConnsPerHost": 10, "MaxConnsPerHost": 0,
                "IdleConnTimeout": "1m30s", "DisableKeepAlives": false,
                "ResponseHeaderTimeout": "0s", "TLSHandshakeTimeout": "10s",
                "ExpectContinueTimeout": "1s", "InsecureSkipVerify": false },
            "dialer": { "Timeout": "30s", "KeepAlive": "30s", "KeepAliveConfig": {
                "Enable": false, "Idle": "0s", "Interval": "0s", "Count": 0 } },
            "client": { "Timeout": "0s" },
            "load": { "url": "", "workers": 10, "requestsPerWorker": 0, "duration": "5m0s",
                "rate": 0, "think": "5ms", "timers": "go", "method": "GET",
                "requestBodySize": 0, "bodyPolicy": "read", "linger": "0s" },
            "server": { "listenAddress": "127.0.0.1", "port": 0, "latency": "1ms",
                "jitter": "500µs", "headerDelay": "0s", "bodySize": 64, "chunked": false,
                "idleTimeout": "0s", "maxRequestsPerConn": 0, "closeProbability": 0,
                "http10": false, "dropAfterBytes": 0, "malformed": false, "tls": false,
                "randomSeed": 1 } })";
        QString error;
        const auto p = scenarioFromJson(QJsonDocument::fromJson(old).object(), &error);
        QVERIFY2(p, qPrintable(error));
        const Preset *fixed = findPreset(u"time-wait-storm-fixed");
        QCOMPARE(p->transport, fixed->transport);
        LoadConfig load = fixed->load;
        load.stopWhenFailing = Duration::zero(); // not in the old file: LoadConfig{}'s
        QCOMPARE(p->load, load);
        QCOMPARE(p->server, fixed->server);
        QCOMPARE(p->title, QStringLiteral("Old"));
    }

    // size() is 0 for a device or a pipe: the read itself must stop at the limit.
    void unboundedInputIsRefused_data()
    {
        QTest::addColumn<QString>("path");
        QTest::newRow("/dev/zero") << QStringLiteral("/dev/zero");
        QTest::newRow("big file") << QString();
    }
    void unboundedInputIsRefused()
    {
        QFETCH(QString, path);
        QTemporaryDir dir;
        if (path.isEmpty()) {
            path = dir.filePath(QStringLiteral("big.json"));
            QVERIFY(writeFile(path, QByteArray((1 << 20) + 1, ' ')));
        }
        if (!QFile::exists(path)) {
            QSKIP("no /dev/zero here");
        }
        QString error;
        QVERIFY(!loadScenarioFile(path, &error));
        QCOMPARE(error,
            path + QStringLiteral(": too large for a scenario file (more than 1048576 bytes)"));
        // Exactly at the limit is still read (and is then judged as JSON).
        const QString edge = dir.filePath(QStringLiteral("edge.json"));
        QByteArray bytes = R"({"format":"poolscope-scenario","version":1})";
        bytes += QByteArray((1 << 20) - bytes.size(), ' ');
        QVERIFY(writeFile(edge, bytes));
        QVERIFY2(loadScenarioFile(edge, &error), qPrintable(error));
    }

    void missingFieldsTakeDefaultTransport()
    {
        const auto p = scenarioFromJson(
            QJsonDocument::fromJson(R"({"format":"poolscope-scenario","version":1,
                "transport":{"MaxIdleConnsPerHost":10}})")
                .object(),
            nullptr);
        QVERIFY(p);
        TransportConfig expected = TransportConfig::goDefault();
        expected.maxIdleConnsPerHost = 10;
        QCOMPARE(p->transport, expected);
        QCOMPARE(p->load, LoadConfig {});
        QCOMPARE(p->server, ServerConfig {});
    }

    void invalidFilesGiveClearErrors_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("expected");
        const QByteArray head = R"({"format":"poolscope-scenario","version":1,)";
        QTest::newRow("not json") << QByteArray("{\n  \"format\": oops\n}")
                                  << QStringLiteral("bad.json:2:");
        QTest::newRow("array") << QByteArray("[1,2]")
                               << QStringLiteral("JSON object, not an array");
        QTest::newRow("no format")
            << QByteArray(R"({"version":1})") << QStringLiteral("format: missing");
        QTest::newRow("wrong version")
            << QByteArray(R"({"format":"poolscope-scenario","version":7})")
            << QStringLiteral("version 7 is not supported");
        QTest::newRow("misspelt key")
            << head + R"("transport":{"MaxIdleConnPerHost":10}})"
            << QStringLiteral("transport.MaxIdleConnPerHost: unknown key");
        QTest::newRow("string for int")
            << head + R"("transport":{"MaxIdleConns":"100"}})"
            << QStringLiteral(
                   "transport.MaxIdleConns: expected an integer, got the string \"100\"");
        QTest::newRow("string for a per-host cap")
            << head + R"("transport":{"MaxIdleConnsPerHost":"10"}})"
            << QStringLiteral("transport.MaxIdleConnsPerHost: expected an integer");
        QTest::newRow("nested wrong type")
            << head + R"("dialer":{"KeepAliveConfig":{"Count":true}}})"
            << QStringLiteral("dialer.KeepAliveConfig.Count: expected an integer, got a boolean");
        QTest::newRow("new knob, wrong type")
            << head + R"("transport":{"DisableCompression":"yes"}})"
            << QStringLiteral("transport.DisableCompression: expected true or false, got the "
                              "string \"yes\"");
        QTest::newRow("unknown section")
            << head + R"("proxy":{}})" << QStringLiteral("proxy: unknown key (known keys here:");
        QTest::newRow("title type")
            << head + R"("title":7})" << QStringLiteral("title: expected a string, got a number");
        QTest::newRow("fractional int") << head + R"("load":{"workers":2.5}})"
                                        << QStringLiteral("load.workers: expected an integer");
        QTest::newRow("zero workers") << head + R"("load":{"workers":0}})"
                                      << QStringLiteral("load.workers: 0 is out of range");
        QTest::newRow("duration number")
            << head + R"("transport":{"IdleConnTimeout":90}})"
            << QStringLiteral("transport.IdleConnTimeout: expected a Go duration string");
        QTest::newRow("bad duration")
            << head + R"("load":{"think":"5 sec"}})" << QStringLiteral("load.think: time: ");
        QTest::newRow("negative timeout") << head + R"("client":{"Timeout":"-1s"}})"
                                          << QStringLiteral("client.Timeout: -1s is negative");
        QTest::newRow("nested unknown")
            << head + R"("dialer":{"KeepAliveConfig":{"Enabled":true}}})"
            << QStringLiteral("dialer.KeepAliveConfig.Enabled: unknown key");
        QTest::newRow("body policy")
            << head + R"("load":{"bodyPolicy":"drain"}})"
            << QStringLiteral(
                   "load.bodyPolicy: \"drain\" is not one of \"read\", \"close-early\", \"leak\"");
        QTest::newRow("timers") << head + R"("load":{"timers":"exact"}})"
                                << QStringLiteral(
                                       "load.timers: \"exact\" is not one of \"go\", \"precise\"");
        QTest::newRow("probability")
            << head + R"("server":{"closeProbability":1.5}})"
            << QStringLiteral("server.closeProbability: 1.5 is out of range");
        QTest::newRow("url scheme") << head + R"("load":{"url":"ftp://x"}})"
                                    << QStringLiteral("load.url: unsupported scheme \"ftp\"");
        QTest::newRow("method") << head + R"("load":{"method":"GE T"}})"
                                << QStringLiteral(
                                       "load.method: \"GE T\" is not a valid HTTP method");
        // An empty key is not the top level again (found by tests/fuzz/fuzz_scenario_file:
        // {"": {...}} was read as a second copy of the file, {"": 1} named no field).
        QTest::newRow("empty key holding knobs")
            << head + R"("":{"load":{"workers":3}}})"
            << QStringLiteral(": \"\": unknown key (known keys here:");
        QTest::newRow("empty key")
            << head + R"("":1})" << QStringLiteral(": \"\": unknown key (known keys here:");
        QTest::newRow("empty nested key")
            << head + R"("load":{"":1}})"
            << QStringLiteral(": load.\"\": unknown key (known keys here:");
        QTest::newRow("section type") << head + R"("server":[]})"
                                      << QStringLiteral("server: expected an object, got an array");
        QTest::newRow("address") << head + R"("server":{"listenAddress":"localhost"}})"
                                 << QStringLiteral(
                                        "server.listenAddress: \"localhost\" is not an IPv4");
    }
    void invalidFilesGiveClearErrors()
    {
        QFETCH(QByteArray, content);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("bad.json"));
        QVERIFY(writeFile(path, content));
        QString error;
        const auto p = loadScenarioFile(path, &error);
        QVERIFY(!p);
        QVERIFY2(error.startsWith(path), qPrintable(error));
        QVERIFY2(error.contains(expected), qPrintable(error));
    }

    void missingFile()
    {
        QString error;
        QVERIFY(!loadScenarioFile(QStringLiteral("/nonexistent/dir/x.json"), &error));
        QVERIFY2(error.contains(QStringLiteral("/nonexistent/dir/x.json: cannot open")),
            qPrintable(error));
        QVERIFY(!saveScenarioFile(QStringLiteral("/nonexistent/dir/x.json"), Preset {}, &error));
        QVERIFY2(error.contains(QStringLiteral("cannot write")), qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(TestScenarioPresets)
#include "tst_scenario_presets.moc"
