// The window's command line (ui/gui_main.h) on the CLI layer every command
// uses: each flag reaches GuiOptions and the window as before, bad flags name
// what is wrong, and `poolscope --help-gui` lists every flag.
#include "gui_main.h"
#include "knob_widget.h"
#include "main_window.h"
#include "server/embedded_server.h"
#include "settings_panel.h"

#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QFile>
#include <QImage>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace poolscope;
using namespace std::chrono_literals;

class TestUiGuiMain final : public QObject
{
    Q_OBJECT

    static std::optional<GuiOptions> parse(const QStringList &args, QString *error = nullptr)
    {
        QString local;
        return parseGuiFlags(args, error ? error : &local);
    }

private Q_SLOTS:
    void noFlagsMeansTheDefaults()
    {
        const auto o = parse({});
        QVERIFY(o);
        QVERIFY(!o->help);
        QVERIFY(o->presetId.isEmpty());
        QVERIFY(!o->scenario);
        QVERIFY(o->url.isEmpty());
        QVERIFY(!o->start);
        QVERIFY(o->changes.empty());
        QVERIFY(o->docks.isEmpty());
        QVERIFY(o->screenshot.isEmpty());
        QCOMPARE(o->after, std::chrono::nanoseconds(5s));
    }

    void everyFlagArrives()
    {
        // What scripts/screenshots.sh passes, in both spellings of a value.
        const auto o = parse({ QStringLiteral("--preset"), QStringLiteral("time-wait-storm"),
            QStringLiteral("--start"), QStringLiteral("--set=MaxIdleConnsPerHost=10@15s"),
            QStringLiteral("--set"), QStringLiteral("load.think=2.5@1m"), QStringLiteral("--url"),
            QStringLiteral("http://127.0.0.1:8080/x"), QStringLiteral("--show"),
            QStringLiteral("connections,lab"), QStringLiteral("--screenshot"),
            QStringLiteral("/tmp/x.png"), QStringLiteral("--after=35s") });
        QVERIFY(o);
        QCOMPARE(o->presetId, QStringLiteral("time-wait-storm"));
        QVERIFY(o->start);
        QCOMPARE(o->changes.size(), std::size_t(2));
        QCOMPARE(o->changes[0].key, QStringLiteral("MaxIdleConnsPerHost"));
        QCOMPARE(o->changes[0].value, 10.0);
        QCOMPARE(o->changes[0].at, 15000ms);
        QCOMPARE(o->changes[1].key, QStringLiteral("load.think"));
        QCOMPARE(o->changes[1].value, 2.5);
        QCOMPARE(o->changes[1].at, 60000ms);
        QCOMPARE(o->url, QStringLiteral("http://127.0.0.1:8080/x"));
        QCOMPARE(o->docks, QStringList({ QStringLiteral("connections"), QStringLiteral("lab") }));
        QCOMPARE(o->screenshot, QStringLiteral("/tmp/x.png"));
        QCOMPARE(o->after, std::chrono::nanoseconds(35s));
        // Switches take a value like every command's; -flag is --flag.
        QVERIFY(!parse({ QStringLiteral("--start=false") })->start);
        QVERIFY(parse({ QStringLiteral("-start") })->start);
        QVERIFY(parse({ QStringLiteral("--help") })->help);
        QVERIFY(parse({ QStringLiteral("-h") })->help);
    }

    void scenarioFileIsRead()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s.json"));
        Preset p = *findPreset(u"max-conns-per-host");
        p.id = QStringLiteral("mine");
        QString error;
        QVERIFY(saveScenarioFile(path, p, &error));
        const auto o = parse({ QStringLiteral("--scenario"), path }, &error);
        QVERIFY2(o, qPrintable(error));
        QVERIFY(o->scenario);
        QCOMPARE(*o->scenario, p);
        QVERIFY(
            !parse({ QStringLiteral("--scenario"), dir.filePath(QStringLiteral("none")) }, &error));
        QVERIFY2(error.contains(QStringLiteral("none: cannot open")), qPrintable(error));
    }

    void badFlagsSayWhy_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::newRow("unknown flag")
            << QStringList { "--bogus" } << "unknown flag --bogus (see poolscope --help-gui)";
        QTest::newRow("missing value")
            << QStringList { "--preset" } << "flag --preset needs a value (NAME)";
        QTest::newRow("stray argument")
            << QStringList { "storm" } << "unexpected argument \"storm\" (flags start with --)";
        QTest::newRow("unknown preset") << QStringList { "--preset", "storm" }
                                        << "unknown preset \"storm\"; known presets: "
                                           "time-wait-storm, time-wait-storm-fixed, go-default";
        QTest::newRow("preset and scenario") << QStringList { "--preset", "go-default",
            "--scenario", "x.json" } << "--preset and --scenario cannot be combined";
        QTest::newRow("url scheme") << QStringList { "--url", "ftp://x/" }
                                    << "invalid value \"ftp://x/\" for --url: unsupported scheme "
                                       "\"ftp\"";
        QTest::newRow("set syntax") << QStringList { "--set", "MaxIdleConnsPerHost=10" }
                                    << "--set \"MaxIdleConnsPerHost=10\": want KEY=NUMBER@DURATION";
        QTest::newRow("set number")
            << QStringList { "--set", "MaxIdleConnsPerHost=ten@1s" } << "want KEY=NUMBER@DURATION";
        QTest::newRow("set duration")
            << QStringList { "--set", "MaxIdleConnsPerHost=10@1" } << "want KEY=NUMBER@DURATION";
        QTest::newRow("dock") << QStringList { "--show", "connections,charts" }
                              << "--show: unknown dock \"charts\" (connections, lab)";
        QTest::newRow("after alone")
            << QStringList { "--after", "1s" } << "--after needs --screenshot";
        QTest::newRow("negative after") << QStringList { "--screenshot", "x.png", "--after",
            "-1s" } << "invalid duration \"-1s\" for --after: must not be negative";
        QTest::newRow("bad after") << QStringList { "--screenshot", "x.png", "--after", "5" }
                                   << "invalid duration \"5\" for --after: time: missing unit";
        QTest::newRow("switch value")
            << QStringList { "--start=soon" } << "invalid value \"soon\" for --start";
    }
    void badFlagsSayWhy()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        QString error;
        QVERIFY(!parse(args, &error));
        QVERIFY2(error.contains(message), qPrintable(error));
    }

    void helpListsEveryFlag()
    {
        const QString help = guiHelp();
        QVERIFY(help.startsWith(QStringLiteral("Usage: poolscope [flags]\n")));
        for (const char *flag :
            { "--preset NAME", "--scenario FILE", "--url URL", "--start", "--set KEY=VALUE@DUR",
                "--show DOCKS", "--screenshot FILE", "--after DUR", "--help" }) {
            QVERIFY2(help.contains(QStringLiteral("\n  ") + QLatin1String(flag)), flag);
        }
        for (const Preset &p : builtinPresets()) {
            QVERIFY2(help.contains(p.id), qPrintable(p.id));
        }
    }

    void windowGetsWhatTheFlagsSay()
    {
        const auto o = parse({ QStringLiteral("--preset"), QStringLiteral("body-not-read"),
            QStringLiteral("--url"), QStringLiteral("http://127.0.0.1:9/"),
            QStringLiteral("--show"), QStringLiteral("connections") });
        QVERIFY(o);
        MainWindow w;
        QString error;
        QVERIFY2(prepareWindow(&w, *o, &error), qPrintable(error));
        QCOMPARE(w.currentPresetId(), QStringLiteral("body-not-read"));
        QCOMPARE(w.loadConfig().bodyPolicy, BodyPolicy::CloseEarly);
        QCOMPARE(w.targetUrl(), QStringLiteral("http://127.0.0.1:9/"));
        w.show();
        QVERIFY(w.connectionsDock()->isVisible());
        QVERIFY(!w.labDock()->isVisible());

        // A scenario file loads like a preset.
        GuiOptions fromFile;
        Preset p = *findPreset(u"max-conns-per-host");
        p.id = QStringLiteral("mine");
        p.load.workers = 7;
        fromFile.scenario = p;
        QVERIFY(prepareWindow(&w, fromFile, &error));
        QCOMPARE(w.loadConfig().workers, 7);
        QCOMPARE(w.transportConfig().maxConnsPerHost, 4);
    }

    // Issue 16 #12: --start with a scenario file started any load at any address.
    void remoteTargetFromAScenarioAsksFirst()
    {
        GuiOptions o;
        Preset p = *findPreset(u"go-default");
        p.load.url = QStringLiteral("http://192.0.2.1:9/"); // TEST-NET-1: never reached here
        o.scenario = p;
        MainWindow w;
        QStringList asked;
        w.setConfirmHandler([&asked](const QString &action, const QStringList &) {
            asked << action;
            return false; // declined: nothing leaves this machine
        });
        QString error;
        QVERIFY2(prepareWindow(&w, o, &error), qPrintable(error));
        QVERIFY(!w.isTargetAllowed(p.load.url));
        w.startRun(); // what --start does
        QCOMPARE(asked, QStringList { QStringLiteral("Load http://192.0.2.1:9/") });
        QVERIFY(!w.isRunning());
        QVERIFY2(
            w.errorText().contains(QStringLiteral("not confirmed")), qPrintable(w.errorText()));

        // Typed on the command line, the user named it: no question.
        GuiOptions typed;
        typed.url = QStringLiteral("http://192.0.2.1:9/");
        QVERIFY(prepareWindow(&w, typed, &error));
        QVERIFY(w.isTargetAllowed(typed.url));
        // Loopback never asks; another port of the remote host does.
        QVERIFY(w.isTargetAllowed(QStringLiteral("http://localhost:1/")));
        QVERIFY(w.isTargetAllowed(QStringLiteral("http://[::1]:1/")));
        QVERIFY(w.isTargetAllowed(QStringLiteral("http://127.0.0.9:1/")));
        QVERIFY(!w.isTargetAllowed(QStringLiteral("http://192.0.2.1:10/")));
        QVERIFY(!w.isTargetAllowed(QStringLiteral("http://example.com/")));
    }

    // Issue 16 #2: only the user widens the embedded server's address.
    void listenAddressWidensOnlyWhenTheUserSaysSo()
    {
        QString error;
        QVERIFY(!parse({ QStringLiteral("--listen"), QStringLiteral("nope") }, &error));
        QVERIFY2(
            error.contains(QStringLiteral("is not an IPv4 or IPv6 address")), qPrintable(error));
        const auto o = parse({ QStringLiteral("--listen"), QStringLiteral("127.0.0.1") });
        QVERIFY(o && o->listen);

        MainWindow w;
        int asked = 0;
        w.setConfirmHandler([&asked](const QString &action, const QStringList &) {
            asked += action == u"Listen on 0.0.0.0";
            return false;
        });
        QVERIFY(!w.setListenAddress(QHostAddress(QHostAddress::AnyIPv4), false, &error));
        QCOMPARE(asked, 1);
        QCOMPARE(w.embeddedServer()->config().listenAddress, QHostAddress(QHostAddress::LocalHost));
        // A scenario loaded afterwards cannot widen it either (files refuse it when read, and
        // the window takes the address from setListenAddress only).
        Preset p = *findPreset(u"go-default");
        p.server.listenAddress = QHostAddress(QHostAddress::AnyIPv4);
        w.loadScenario(p);
        QCOMPARE(w.serverConfig().listenAddress, QHostAddress(QHostAddress::LocalHost));
        // --listen is the user's word: no question, the server moves there (::1 here, so the
        // test opens nothing to other machines).
        QVERIFY2(w.setListenAddress(QHostAddress(QHostAddress::LocalHostIPv6), true, &error),
            qPrintable(error));
        QCOMPARE(asked, 1);
        QCOMPARE(
            w.embeddedServer()->config().listenAddress, QHostAddress(QHostAddress::LocalHostIPv6));
        QVERIFY2(w.embeddedUrl().startsWith(QStringLiteral("http://[::1]:")),
            qPrintable(w.embeddedUrl()));
    }

    // The hostile modes are a row of the settings panel: picking one changes what the
    // embedded server does on its next request.
    void hostileModeIsPickedInTheSettingsPanel()
    {
        MainWindow w;
        KnobWidget *knob = w.settings()->knob(QStringLiteral("server.hostile"));
        QVERIFY(knob);
        QCOMPARE(knob->knob().choices.size(), std::size_t(HostileMode::Count_));
        knob->editAsUser(double(HostileMode::ResetMidBody)); // the list's index
        w.applyPendingChanges();
        QCOMPARE(w.serverConfig().hostile, HostileMode::ResetMidBody);
        QCOMPARE(w.embeddedServer()->config().hostile, HostileMode::ResetMidBody);
    }

    void setKeysAreTheSettingsPanels()
    {
        MainWindow w;
        QString error;
        GuiOptions o = *parse({ QStringLiteral("--set"), QStringLiteral("think time=1@1s") });
        QVERIFY(!prepareWindow(&w, o, &error));
        QCOMPARE(error,
            QStringLiteral("--set: no knob \"think time\"; valid keys: ")
                + w.settings()->knobKeys().join(QStringLiteral(", ")));
        o = *parse({ QStringLiteral("--set"), QStringLiteral("load.url=1@1s") });
        QVERIFY(!prepareWindow(&w, o, &error));
        QVERIFY2(error.startsWith(QStringLiteral("--set: load.url is not in the settings panel")),
            qPrintable(error));
    }

    void setMovesTheKnobAsAUserWould()
    {
        MainWindow w;
        const auto o = parse({ QStringLiteral("--preset"), QStringLiteral("time-wait-storm"),
            QStringLiteral("--set"), QStringLiteral("MaxIdleConnsPerHost=10@0s"),
            QStringLiteral("--set"), QStringLiteral("load.think=7@50ms") });
        QVERIFY(o);
        QString error;
        QVERIFY(prepareWindow(&w, *o, &error));
        QSignalSpy applied(&w, &MainWindow::changesApplied);
        scheduleChanges(&w, o->changes);
        QCOMPARE(w.transportConfig().maxIdleConnsPerHost, 0); // not before its time
        QTRY_COMPARE_WITH_TIMEOUT(w.transportConfig().maxIdleConnsPerHost, 10, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(w.loadConfig().think, Duration(7ms), 5000);
        QCOMPARE(
            w.settings()->knob(QStringLiteral("MaxIdleConnsPerHost"))->spinBox()->value(), 10.0);
        QVERIFY(applied.count() >= 2);
    }

    // The binary: exit code 2 and the reason for a bad flag, 0 and the list for
    // --help-gui.
    void theBinaryUsesIt()
    {
        const QString bin = qEnvironmentVariable("POOLSCOPE_BIN");
        if (bin.isEmpty()) {
            QSKIP("POOLSCOPE_BIN not set: needs the poolscope binary");
        }
        QProcess p;
        p.start(bin, { QStringLiteral("--help-gui") });
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitCode(), 0);
        QCOMPARE(QString::fromUtf8(p.readAllStandardOutput()), guiHelp());

        p.start(
            bin, { QStringLiteral("--start"), QStringLiteral("--after"), QStringLiteral("1s") });
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitCode(), 2);
        QVERIFY(QString::fromUtf8(p.readAllStandardError())
                    .contains(QStringLiteral("poolscope: --after needs --screenshot\n")));
    }

    // What scripts/screenshots.sh does, shortened: the run starts, the change lands,
    // the PNG is written and the app quits with 0.
    void screenshotIsTakenAndTheAppQuits()
    {
        const QString bin = qEnvironmentVariable("POOLSCOPE_BIN");
        if (bin.isEmpty()) {
            QSKIP("POOLSCOPE_BIN not set: needs the poolscope binary");
        }
        QTemporaryDir dir;
        const QString png = dir.filePath(QStringLiteral("shot.png"));
        QProcess p;
        p.start(bin,
            { QStringLiteral("--preset"), QStringLiteral("time-wait-storm"),
                QStringLiteral("--start"), QStringLiteral("--set"),
                QStringLiteral("MaxIdleConnsPerHost=10@200ms"), QStringLiteral("--screenshot"), png,
                QStringLiteral("--after"), QStringLiteral("600ms") });
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 0);
        QImage shot(png);
        QVERIFY(!shot.isNull());
        QVERIFY(shot.width() > 400 && shot.height() > 300);
    }
};

QTEST_MAIN(TestUiGuiMain)
#include "tst_ui_gui_main.moc"
