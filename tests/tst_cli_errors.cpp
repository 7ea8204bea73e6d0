// The command line as a user meets it: bad flags get exit code 2 and one line
// that names the flag and what it wants; --help is generated from the same
// flags the parser uses (the knob table and core/scenario/command_line.h), for `run`,
// `serve` and `lab` alike.
#include "support/run_cli.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTest>

class TestCliErrors : public QObject
{
    Q_OBJECT

private:
    QString m_bin;

    using Result = poolscope::testsupport::CliResult;

    Result runBin(const QStringList &args)
    {
        return poolscope::testsupport::runCli(m_bin, args, 30000);
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_bin = qEnvironmentVariable("POOLSCOPE_BIN");
        if (m_bin.isEmpty()) {
            QSKIP("POOLSCOPE_BIN not set: needs the poolscope binary");
        }
    }

    // --version names the commit the binary was built from (bench and conformance reports
    // quote it, so a report made with an older build says so).
    void versionNamesTheCommit()
    {
        const Result r = runBin({ QStringLiteral("--version") });
        QCOMPARE(r.code, 0);
        const QString out = r.out.trimmed();
        static const QRegularExpression form(QStringLiteral(
            R"(^poolscope \d+\.\d+\.\d+ \(git ([0-9a-f]{7,}(\+dirty)?|unknown)\)$)"));
        QVERIFY2(form.match(out).hasMatch(), qPrintable(out));
    }

    // --mix-method alone leaves the share's body policy at its default, leak: run says so,
    // and says nothing once the body policy is chosen.
    void mixMethodAloneNotesTheLeakingShare()
    {
        const QStringList base { QStringLiteral("run"), QStringLiteral("--workers"),
            QStringLiteral("2"), QStringLiteral("--requests"), QStringLiteral("1"),
            QStringLiteral("--no-kernel"), QStringLiteral("--mix-share"), QStringLiteral("0.5"),
            QStringLiteral("--mix-method"), QStringLiteral("POST") };
        const QString note = QStringLiteral(
            "poolscope run: note: the mixed share (--mix-method POST) also leaks its response "
            "bodies (--mix-body-policy leak, its default)");
        const Result alone = runBin(base);
        QCOMPARE(alone.code, 0);
        QVERIFY2(alone.err.contains(note), qPrintable(alone.err));
        const Result chosen = runBin(
            base + QStringList { QStringLiteral("--mix-body-policy"), QStringLiteral("read") });
        QCOMPARE(chosen.code, 0);
        QVERIFY2(!chosen.err.contains(QStringLiteral("note:")), qPrintable(chosen.err));
    }

    void badFlagsAreRefusedWithTheReason_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::newRow("run: unknown flag") << QStringList { "run", "--max-idle",
            "3" } << "poolscope run: unknown flag --max-idle (see poolscope run --help)";
        QTest::newRow("run: not a number")
            << QStringList { "run", "--workers", "ten" }
            << "poolscope run: invalid value \"ten\" for --workers: want an integer in [1, 100000]";
        QTest::newRow("run: bad duration") << QStringList { "run", "--think",
            "5 ms" } << "poolscope run: invalid duration \"5 ms\" for --think";
        QTest::newRow("run: timer model") << QStringList { "run", "--timers",
            "fast" } << "poolscope run: invalid value \"fast\" for --timers: want go or precise";
        QTest::newRow("run: missing value")
            << QStringList { "run", "--url" } << "poolscope run: flag --url needs a value (URL)";
        QTest::newRow("run: switch with a value") << QStringList { "run",
            "--json=yes" } << "poolscope run: invalid value \"yes\" for --json: want true or false";
        QTest::newRow("--headless is run")
            << QStringList { "--headless", "--workers", "0" }
            << "poolscope run: invalid value \"0\" for --workers: want an integer in [1, 100000]";
        QTest::newRow("run: bad switch value")
            << QStringList { "run", "--insecure=maybe" }
            << "poolscope run: invalid value \"maybe\" for --insecure: want true or false";
        QTest::newRow("run: bad url") << QStringList { "run", "--url", "ftp://example.com/" }
                                      << "poolscope run: invalid value \"ftp://example.com/\" "
                                         "for --url: unsupported scheme \"ftp\"";
        QTest::newRow("run: empty url") // issue 16 #12: it loaded the embedded server
            << QStringList { "run", "--url", "" }
            << "poolscope run: invalid value \"\" for --url: unsupported protocol scheme \"\"";
        QTest::newRow("run: negative timeout")
            << QStringList { "run", "--idle-conn-timeout", "-1s" }
            << "poolscope run: invalid duration \"-1s\" for --idle-conn-timeout: must not be "
               "negative";
        QTest::newRow("run: listen not an address")
            << QStringList { "run", "--listen", "nope" }
            << "poolscope run: invalid value \"nope\" for --listen: \"nope\" is not an IPv4 or "
               "IPv6 address";
        QTest::newRow("run: body beyond the slider") // issue 16 #2: clamped before
            << QStringList { "run", "--server-body-size", "2147483647" }
            << "poolscope run: invalid value \"2147483647\" for --server-body-size: want an "
               "integer in [0, 10485760]";
        QTest::newRow("run: seed beyond 32 bits") // said ">= 0" though 2^32 is the bound
            << QStringList { "run", "--server-seed", "5000000000" }
            << "poolscope run: invalid value \"5000000000\" for --server-seed: want an integer "
               "in [0, 4294967295]";
        QTest::newRow("serve: body beyond the slider")
            << QStringList { "serve", "--body-size", "10485761" }
            << "poolscope serve: invalid value \"10485761\" for --body-size: want an integer in "
               "[0, 10485760]";
        QTest::newRow("serve: bad duration") << QStringList { "serve", "--latency", "10" }
                                             << "poolscope serve: invalid duration \"10\" for "
                                                "--latency: time: missing unit";
        QTest::newRow("serve: run's name") << QStringList { "serve", "--server-latency", "1ms" }
                                           << "poolscope serve: unknown flag --server-latency (see "
                                              "poolscope serve --help)";
        QTest::newRow("serve: bad listen") << QStringList { "serve", "--listen",
            "nope" } << "poolscope serve: invalid value \"nope\" for --listen: want HOST:PORT";
        QTest::newRow("lab: out of range") << QStringList { "lab", "--conns",
            "0" } << "poolscope lab: invalid value \"0\" for --conns: want an integer in [1, 1000]";
        QTest::newRow("lab: negative watch")
            << QStringList { "lab", "--watch=-3s" }
            << "poolscope lab: invalid duration \"-3s\" for --watch: must not be negative";
        QTest::newRow("lab: unknown flag") << QStringList { "lab", "--requests",
            "5" } << "poolscope lab: unknown flag --requests (see poolscope lab --help)";
        QTest::newRow("lab: stray argument") << QStringList { "lab",
            "conns=2" } << "poolscope lab: unexpected argument \"conns=2\" (flags start with --)";
    }

    void badFlagsAreRefusedWithTheReason()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const Result r = runBin(args);
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.startsWith(message), qPrintable(r.err));
        QCOMPARE(r.err.count(QLatin1Char('\n')), 1); // one line, nothing else
        QVERIFY(r.out.isEmpty());
    }

    // Issue 16 #12: the window's flag errors aborted in QApplication (exit 134) where no
    // display could be opened; every usage error exits 2.
    void windowFlagErrorsExit2WithoutADisplay()
    {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("QT_QPA_PLATFORM"));
        env.remove(QStringLiteral("DISPLAY"));
        env.remove(QStringLiteral("WAYLAND_DISPLAY"));
        p.setProcessEnvironment(env);
        p.start(
            m_bin, { QStringLiteral("--bogus"), QStringLiteral("-style"), QStringLiteral("x") });
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 2);
        QVERIFY(QString::fromUtf8(p.readAllStandardError())
                    .startsWith(QStringLiteral("poolscope: unknown flag --bogus")));
    }

    void headlessRunsTheCliAnywhereOnTheLine()
    {
        // scripts/run.sh passes GUI-style command lines through; --headless turns one
        // into `poolscope run` wherever it stands.
        const Result r = runBin({ QStringLiteral("--workers"), QStringLiteral("1"),
            QStringLiteral("--headless"), QStringLiteral("--requests"), QStringLiteral("3"),
            QStringLiteral("--json"), QStringLiteral("--no-kernel") });
        QCOMPARE(r.code, 0);
        const QJsonObject o = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(o.value(QLatin1String("requests")).toInt(), 3);
        QCOMPARE(o.value(QLatin1String("dials")).toInt(), 1);
        QCOMPARE(o.value(QLatin1String("reused")).toInt(), 2);
    }

    void helpComesFromTheFlagTables_data()
    {
        QTest::addColumn<QString>("command");
        QTest::addColumn<QStringList>("lines");
        QTest::newRow("run") << "run"
                             << QStringList { "Usage: poolscope run [flags]",
                                    "--max-idle-conns-per-host N",
                                    "[Transport.MaxIdleConnsPerHost]", "--timers go|precise" };
        QTest::newRow("serve") << "serve"
                               << QStringList { "Usage: poolscope serve [flags]",
                                      "--listen HOST:PORT", "--max-requests-per-conn N",
                                      "--chunked", "--seed N" };
        QTest::newRow("lab") << "lab"
                             << QStringList { "Usage: poolscope lab [flags]", "--conns N",
                                    "--keep-alive-count N", "[Dialer.KeepAliveConfig.Count]",
                                    "--watch DUR" };
    }

    void helpComesFromTheFlagTables()
    {
        QFETCH(QString, command);
        QFETCH(QStringList, lines);
        const Result r = runBin({ command, QStringLiteral("--help") });
        QCOMPARE(r.code, 0);
        for (const QString &l : lines) {
            QVERIFY2(r.out.contains(l), qPrintable(l));
        }
    }
};

QTEST_GUILESS_MAIN(TestCliErrors)
#include "tst_cli_errors.moc"
