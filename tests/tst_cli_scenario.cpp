// `poolscope run --scenario FILE` and `--preset NAME`: a scenario file or a
// built-in preset runs headless, the flags given with it override its values,
// and a bad file exits 2 naming the field, a bad preset name listing the names.
// Real files in a temporary directory, the real binary, the embedded server.
// (tst_cli_presets checks what each preset's run shows.)
#include "scenario/presets.h"
#include "support/run_cli.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace poolscope;
using namespace std::chrono_literals;

class TestCliScenario final : public QObject
{
    Q_OBJECT

    QString m_bin;
    QTemporaryDir m_dir;

    using Result = poolscope::testsupport::CliResult;

    Result runBin(const QStringList &args)
    {
        return poolscope::testsupport::runCli(m_bin, args, 60000);
    }

    QString write(const QString &name, const QByteArray &bytes)
    {
        const QString path = m_dir.filePath(name);
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size()) {
            return {};
        }
        return path;
    }

    // One worker, 12 requests, a server that closes after every 4th: 3 dials.
    QString keepaliveLimitScenario()
    {
        Preset p = *findPreset(u"keepalive-requests-limit");
        p.load.workers = 1;
        p.load.requestsPerWorker = 12;
        p.load.duration = 0s;
        p.load.think = 0s;
        p.server.latency = 0s;
        p.server.jitter = 0s;
        p.server.maxRequestsPerConn = 4;
        const QString path = m_dir.filePath(QStringLiteral("limit.json"));
        QString error;
        return saveScenarioFile(path, p, &error) ? path : QString();
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_bin = qEnvironmentVariable("POOLSCOPE_BIN");
        if (m_bin.isEmpty()) {
            QSKIP("POOLSCOPE_BIN not set: needs the poolscope binary");
        }
        QVERIFY(m_dir.isValid());
    }

    void runsTheFile()
    {
        const QString file = keepaliveLimitScenario();
        QVERIFY(!file.isEmpty());
        const Result r = runBin({ QStringLiteral("run"), QStringLiteral("--scenario"), file,
            QStringLiteral("--json"), QStringLiteral("--no-kernel") });
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QCOMPARE(r.json.value(u"requests").toInt(), 12);
        QCOMPARE(r.json.value(u"dials").toInt(), 3);
        QCOMPARE(r.json.value(u"req_per_conn").toDouble(), 4.0);
        QCOMPARE(
            r.json.value(u"close_reasons").toObject().value(u"connection_close_response").toInt(),
            3);
    }

    void flagsOverrideTheFile()
    {
        const QString file = keepaliveLimitScenario();
        // The server's limit from the file goes from 4 to 6 and the per-worker
        // count from 12 to 18, wherever the flags stand on the line.
        const Result r = runBin({ QStringLiteral("run"), QStringLiteral("--requests"),
            QStringLiteral("18"), QStringLiteral("--scenario"), file,
            QStringLiteral("--server-max-requests-per-conn=6"), QStringLiteral("--json"),
            QStringLiteral("--no-kernel") });
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QCOMPARE(r.json.value(u"requests").toInt(), 18);
        QCOMPARE(r.json.value(u"dials").toInt(), 3);
        QCOMPARE(r.json.value(u"req_per_conn").toDouble(), 6.0);
    }

    void printScenarioShowsTheMergedSettings()
    {
        const QString file = keepaliveLimitScenario();
        const Result r = runBin({ QStringLiteral("run"), QStringLiteral("--scenario"), file,
            QStringLiteral("--max-idle-conns-per-host"), QStringLiteral("7"),
            QStringLiteral("--keep-alive-idle"), QStringLiteral("3s"),
            QStringLiteral("--disable-compression"), QStringLiteral("--print-scenario") });
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QString error;
        const auto p = scenarioFromJson(r.json, &error);
        QVERIFY2(p, qPrintable(error));
        QCOMPARE(p->id, QStringLiteral("keepalive-requests-limit"));
        QCOMPARE(p->transport.maxIdleConnsPerHost, 7);
        QCOMPARE(p->transport.disableCompression, true);
        // Setting Idle turns KeepAliveConfig on, as filling it in does in Go.
        QCOMPARE(p->transport.keepAliveConfig, (KeepAliveConfig { true, 3s, 0s, 0 }));
        QCOMPARE(p->server.maxRequestsPerConn, 4); // from the file
        QCOMPARE(p->load.requestsPerWorker, 12);
    }

    void switchesTakeFalse()
    {
        Preset p = *findPreset(u"disable-keep-alives");
        const QString path = m_dir.filePath(QStringLiteral("noka.json"));
        QString error;
        QVERIFY(saveScenarioFile(path, p, &error));
        const Result r = runBin({ QStringLiteral("run"), QStringLiteral("--scenario"), path,
            QStringLiteral("--disable-keep-alives=false"), QStringLiteral("--print-scenario") });
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QCOMPARE(
            r.json.value(u"transport").toObject().value(u"DisableKeepAlives").toBool(true), false);
    }

    void badFilesExit2NamingTheField_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("why");
        const QByteArray head = R"({"format":"poolscope-scenario","version":1,)";
        QTest::newRow("wrong type") << head + R"("transport":{"MaxIdleConnsPerHost":"10"}})"
                                    << "transport.MaxIdleConnsPerHost: expected an integer";
        QTest::newRow("unknown key") << head + R"("load":{"worker":3}})"
                                     << "load.worker: unknown key";
        QTest::newRow("out of range") << head + R"("load":{"workers":0}})"
                                      << "load.workers: 0 is out of range [1, 100000]";
        QTest::newRow("bad json") << QByteArray("{\n  \"format\": oops\n}") << ":2:";
        // Issue 16 #2: a shared file opened the server on every interface (with tls: true).
        for (const bool tls : { false, true }) {
            const QByteArray server = tls ? R"(,"tls":true)" : "";
            QTest::newRow(tls ? "every interface, tls" : "every interface")
                << head + R"("server":{"listenAddress":"0.0.0.0")" + server + "}}"
                << "server.listenAddress: \"0.0.0.0\" is not a loopback address";
            QTest::newRow(tls ? "every v6 interface, tls" : "every v6 interface")
                << head + R"("server":{"listenAddress":"::")" + server + "}}"
                << "server.listenAddress: \"::\" is not a loopback address";
        }
        QTest::newRow("a LAN address") << head + R"("server":{"listenAddress":"192.168.1.7"}})"
                                       << "pass --listen 192.168.1.7 on the command line";
        // Issue 16 #2: 2 GiB was accepted and clamped; the slider's maximum is 10 MiB.
        QTest::newRow("body beyond the slider")
            << head + R"("server":{"bodySize":2147483647}})"
            << "server.bodySize: 2147483647 is out of range [0, 10485760]";
    }
    void badFilesExit2NamingTheField()
    {
        QFETCH(QByteArray, content);
        QFETCH(QString, why);
        const QString path = write(QStringLiteral("bad.json"), content);
        const Result r = runBin({ QStringLiteral("run"), QStringLiteral("--scenario"), path });
        QCOMPARE(r.code, 2);
        QVERIFY2(
            r.err.startsWith(QStringLiteral("poolscope run: %1").arg(path)), qPrintable(r.err));
        QVERIFY2(r.err.contains(why), qPrintable(r.err));
        QCOMPARE(r.err.count(u'\n'), 1);
        QVERIFY(r.out.isEmpty());
    }

    void listenOnlyWidensFromTheCommandLine()
    {
        // A scenario that says loopback, then --listen: the flag is the user's word.
        Preset p = *findPreset(u"go-default");
        p.load.workers = 1;
        p.load.requestsPerWorker = 1;
        p.load.duration = 0s;
        const QString path = m_dir.filePath(QStringLiteral("loopback.json"));
        QString error;
        QVERIFY2(saveScenarioFile(path, p, &error), qPrintable(error));
        const Result r = runBin(
            { QStringLiteral("run"), QStringLiteral("--scenario"), path, QStringLiteral("--listen"),
                QStringLiteral("0.0.0.0"), QStringLiteral("--print-scenario") });
        QVERIFY2(r.code == 0, qPrintable(r.err));
        // ... and a file written from it keeps the server on this machine.
        const QJsonObject printed = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(printed.value(u"server").toObject().value(u"listenAddress").toString(),
            QStringLiteral("127.0.0.1"));
        const QString again = write(QStringLiteral("printed.json"), r.out.toUtf8());
        const Result back = runBin({ QStringLiteral("run"), QStringLiteral("--scenario"), again,
            QStringLiteral("--print-scenario") });
        QVERIFY2(back.code == 0, qPrintable(back.err));
    }

    void unboundedInputIsRefused()
    {
        if (!QFile::exists(QStringLiteral("/dev/zero"))) {
            QSKIP("no /dev/zero here");
        }
        const Result r = runBin(
            { QStringLiteral("run"), QStringLiteral("--scenario"), QStringLiteral("/dev/zero") });
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(QStringLiteral("/dev/zero: too large for a scenario file")),
            qPrintable(r.err));
    }

    void defaultsAndScenarioDoNotMix()
    {
        const QString file = keepaliveLimitScenario();
        const Result r = runBin({ QStringLiteral("run"), QStringLiteral("--scenario"), file,
            QStringLiteral("--defaults"), QStringLiteral("zero") });
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.startsWith(
                     QStringLiteral("poolscope run: --defaults and --scenario cannot be combined")),
            qPrintable(r.err));
    }

    // --- --preset NAME ---

    void unknownPresetExits2ListingTheNames()
    {
        const Result r = runBin(
            { QStringLiteral("run"), QStringLiteral("--preset"), QStringLiteral("storm") });
        QCOMPARE(r.code, 2);
        QStringList ids;
        for (const Preset &p : builtinPresets()) {
            ids << p.id;
        }
        QCOMPARE(r.err,
            QStringLiteral("poolscope run: unknown preset \"storm\"; known presets: %1\n")
                .arg(ids.join(QStringLiteral(", "))));
        QVERIFY(r.out.isEmpty());
    }

    void presetIsTheStartingPoint()
    {
        // Without other flags the run is the preset, words and all.
        const Result r = runBin({ QStringLiteral("run"), QStringLiteral("--preset"),
            QStringLiteral("keepalive-requests-limit"), QStringLiteral("--print-scenario") });
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QCOMPARE(r.json, scenarioToJson(*findPreset(u"keepalive-requests-limit")));
    }

    void flagsOverrideThePreset()
    {
        // Wherever they stand on the line: 1 worker, 12 requests, a limit of 4.
        const Result r = runBin({ QStringLiteral("run"), QStringLiteral("--workers=1"),
            QStringLiteral("--preset"), QStringLiteral("keepalive-requests-limit"),
            QStringLiteral("--requests"), QStringLiteral("12"), QStringLiteral("--duration=0s"),
            QStringLiteral("--think=0s"), QStringLiteral("--server-max-requests-per-conn=4"),
            QStringLiteral("--json"), QStringLiteral("--no-kernel") });
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QCOMPARE(r.json.value(u"requests").toInt(), 12);
        QCOMPARE(r.json.value(u"dials").toInt(), 3);
        QCOMPARE(r.json.value(u"req_per_conn").toDouble(), 4.0);
        QCOMPARE(
            r.json.value(u"close_reasons").toObject().value(u"connection_close_response").toInt(),
            3);
    }

    void startingPointsDoNotMix_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::newRow("preset and scenario") << QStringList { "run", "--preset", "go-default",
            "--scenario", "x.json" } << "poolscope run: --preset and --scenario cannot be combined";
        QTest::newRow("defaults and preset")
            << QStringList { "run", "--defaults", "zero", "--preset", "go-default" }
            << "poolscope run: --defaults and --preset cannot be combined";
    }
    void startingPointsDoNotMix()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const Result r = runBin(args);
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.startsWith(message), qPrintable(r.err));
        QCOMPARE(r.err.count(u'\n'), 1);
    }

    void listPresetsNamesEveryOne()
    {
        const Result r = runBin({ QStringLiteral("run"), QStringLiteral("--list-presets") });
        QCOMPARE(r.code, 0);
        const QStringList lines = r.out.split(u'\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), qsizetype(builtinPresets().size()));
        for (std::size_t i = 0; i < builtinPresets().size(); ++i) {
            const Preset &p = builtinPresets()[i];
            const QString &line = lines[qsizetype(i)];
            QVERIFY2(line.startsWith(p.id + u' ') && line.endsWith(p.title), qPrintable(line));
        }
    }
};

QTEST_GUILESS_MAIN(TestCliScenario)
#include "tst_cli_scenario.moc"
