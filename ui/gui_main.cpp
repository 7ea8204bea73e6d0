#include "gui_main.h"

#include "charts_panel.h"
#include "knob_widget.h"
#include "main_window.h"
#include "metrics/go_duration.h"
#include "scenario/knob_table.h"
#include "scenario/presets.h"
#include "settings_panel.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QFile>
#include <QIcon>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>
#include <cstdio>

// The icon lives in a static library's resources: pull its initializer in
// explicitly (outside any namespace, as Q_INIT_RESOURCE requires).
static void initUiResources()
{
    Q_INIT_RESOURCE(poolscope_ui);
}

namespace poolscope {

namespace {

int fail(const QString &message)
{
    std::fprintf(stderr, "poolscope: %s\n", qPrintable(message));
    return 2;
}

} // namespace

int runGui(int argc, char **argv)
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("poolscope"));
    QApplication::setApplicationDisplayName(QStringLiteral("PoolScope"));
    initUiResources();
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/poolscope/poolscope.svg")));
    QApplication::setDesktopFileName(QStringLiteral("poolscope"));

    QStringList ids;
    for (const Preset &p : builtinPresets()) {
        ids << p.id;
    }
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "PoolScope: watch a Go-like HTTP connection pool live.\n"
        "Other modes: `poolscope run ...` (headless), `poolscope serve ...` (target server)."));
    parser.addHelpOption();
    const QCommandLineOption preset(QStringLiteral("preset"),
        QStringLiteral("Load a preset: %1.").arg(ids.join(QStringLiteral(", "))),
        QStringLiteral("NAME"));
    const QCommandLineOption scenario(QStringLiteral("scenario"),
        QStringLiteral("Load a scenario JSON file."), QStringLiteral("FILE"));
    const QCommandLineOption start(
        QStringLiteral("start"), QStringLiteral("Start the run at once."));
    const QCommandLineOption url(QStringLiteral("url"),
        QStringLiteral("Target URL instead of the embedded server."), QStringLiteral("URL"));
    const QCommandLineOption screenshot(QStringLiteral("screenshot"),
        QStringLiteral("Save a PNG of the whole window after --after, then quit."),
        QStringLiteral("FILE"));
    const QCommandLineOption after(QStringLiteral("after"),
        QStringLiteral("Delay before the screenshot, as a Go duration (default 5s)."),
        QStringLiteral("DUR"), QStringLiteral("5s"));
    const QCommandLineOption set(QStringLiteral("set"),
        QStringLiteral("Move a knob as a user would, at a time after start: KEY=VALUE@DUR, e.g. "
                       "MaxIdleConnsPerHost=10@20s (repeatable). KEY is the knob's key "
                       "(MaxIdleConnsPerHost, Dialer.Timeout, load.think, server.latency...), "
                       "VALUE what you would type into its spin box, in the unit it shows "
                       "(0/1 for a check box, the index for a list)."),
        QStringLiteral("KEY=VALUE@DUR"));
    const QCommandLineOption show(QStringLiteral("show"),
        QStringLiteral("Open docks at start: connections, lab (comma-separated)."),
        QStringLiteral("DOCKS"));
    parser.addOptions({ preset, scenario, start, url, screenshot, after, set, show });
    parser.process(app);

    if (!parser.positionalArguments().isEmpty()) {
        return fail(QStringLiteral("unexpected argument \"%1\" (modes: run, serve; see --help)")
                        .arg(parser.positionalArguments().first()));
    }
    if (parser.isSet(preset) && !findPreset(parser.value(preset))) {
        return fail(QStringLiteral("unknown preset \"%1\"; known presets: %2")
                        .arg(parser.value(preset), ids.join(QStringLiteral(", "))));
    }
    std::optional<Preset> fromFile;
    if (parser.isSet(scenario)) {
        QString error;
        fromFile = loadScenarioFile(parser.value(scenario), &error);
        if (!fromFile) {
            return fail(error);
        }
    }
    if (parser.isSet(url)) {
        const QString u = parser.value(url);
        if (!u.startsWith(u"http://") && !u.startsWith(u"https://")) {
            return fail(QStringLiteral("--url \"%1\" must start with http:// or https://").arg(u));
        }
    }
    std::chrono::nanoseconds delay { 0 };
    if (parser.isSet(screenshot)) {
        QString error;
        const auto d = parseGoDuration(parser.value(after), &error);
        if (!d || *d < std::chrono::nanoseconds::zero()) {
            return fail(QStringLiteral("--after: %1")
                            .arg(d ? QStringLiteral("must not be negative") : error));
        }
        delay = *d;
    } else if (parser.isSet(after)) {
        return fail(QStringLiteral("--after needs --screenshot"));
    }

    struct ScheduledChange
    {
        QString key;
        double value;
        std::chrono::milliseconds at;
    };
    std::vector<ScheduledChange> changes;
    for (const QString &spec : parser.values(set)) {
        const int eq = spec.indexOf(QLatin1Char('='));
        const int atSign = spec.lastIndexOf(QLatin1Char('@'));
        bool ok = false;
        const double value
            = eq > 0 && atSign > eq ? spec.mid(eq + 1, atSign - eq - 1).toDouble(&ok) : 0.0;
        QString error;
        const auto when = atSign > 0 ? parseGoDuration(spec.mid(atSign + 1), &error) : std::nullopt;
        if (eq <= 0 || atSign < eq || !ok || !when) {
            return fail(QStringLiteral(
                "--set \"%1\": want KEY=NUMBER@DURATION, e.g. MaxIdleConnsPerHost=10@20s")
                            .arg(spec));
        }
        changes.push_back(
            { spec.left(eq), value, std::chrono::duration_cast<std::chrono::milliseconds>(*when) });
    }

    MainWindow window;
    for (const ScheduledChange &c : changes) {
        if (!window.settings()->knob(c.key)) {
            const QString keys = window.settings()->knobKeys().join(QStringLiteral(", "));
            return fail(findKnob(c.key)
                    ? QStringLiteral("--set: %1 is not in the settings panel (a scenario file "
                                     "sets it); valid keys: %2")
                          .arg(c.key, keys)
                    : QStringLiteral("--set: no knob \"%1\"; valid keys: %2").arg(c.key, keys));
        }
    }
    if (fromFile) {
        window.loadScenario(*fromFile);
    } else if (parser.isSet(preset)) {
        window.loadPreset(parser.value(preset));
    }
    if (parser.isSet(url)) {
        window.setTargetUrl(parser.value(url));
    }
    for (const QString &dock : parser.value(show).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        if (dock == QLatin1String("connections")) {
            window.connectionsDock()->show();
        } else if (dock == QLatin1String("lab")) {
            window.labDock()->show();
        } else {
            return fail(QStringLiteral("--show: unknown dock \"%1\" (connections, lab)").arg(dock));
        }
    }
    window.show();
    if (parser.isSet(start)) {
        window.startRun();
    }

    for (const ScheduledChange &c : changes) {
        QTimer::singleShot(c.at, &window, [&window, c] {
            // Exactly what typing into the spin box (or ticking the check box) does.
            window.settings()->knob(c.key)->editAsUser(c.value);
            window.applyPendingChanges();
        });
    }

    int exitCode = 0;
    if (parser.isSet(screenshot)) {
        const QString file = parser.value(screenshot);
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(delay);
        QTimer::singleShot(ms, &window, [&window, &exitCode, file] {
            window.charts()->refresh(); // draw the latest samples, not the last tick's
            if (!window.grab().save(file, "PNG")) {
                std::fprintf(stderr, "poolscope: cannot write screenshot %s\n", qPrintable(file));
                exitCode = 1;
            }
            window.stopRun();
            QApplication::quit();
        });
    }
    const int rc = app.exec();
    // For bench/run.sh: the GUI's own cost, measured inside the app.
    const QString reportPath = qEnvironmentVariable("POOLSCOPE_BENCH_REPORT");
    if (!reportPath.isEmpty()) {
        const LatencyHistogram &frames = window.charts()->frameTimes();
        const EngineSnapshot &last = window.lastSnapshot();
        const double seconds = std::chrono::duration<double>(last.time).count();
        auto ms = [](qint64 ns) {
            return double(ns) / 1e6;
        };
        const QJsonObject o {
            { QStringLiteral("requests"), qint64(last.requestsDone) },
            { QStringLiteral("duration_s"), seconds },
            { QStringLiteral("rps"), seconds > 0 ? double(last.requestsDone) / seconds : 0.0 },
            { QStringLiteral("frames"), qint64(frames.count()) },
            { QStringLiteral("frame_cpu_ms"),
                QJsonObject { { QStringLiteral("p50"),
                                  ms(window.charts()->frameCpuTimes().percentile(0.50)) },
                    { QStringLiteral("p99"),
                        ms(window.charts()->frameCpuTimes().percentile(0.99)) },
                    { QStringLiteral("max"), ms(window.charts()->frameCpuTimes().max()) } } },
            { QStringLiteral("frame_ms"),
                QJsonObject { { QStringLiteral("p50"), ms(frames.percentile(0.50)) },
                    { QStringLiteral("p99"), ms(frames.percentile(0.99)) },
                    { QStringLiteral("max"), ms(frames.max()) } } },
        };
        QFile f(reportPath);
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate)
            || f.write(QJsonDocument(o).toJson(QJsonDocument::Compact)) < 0) {
            std::fprintf(stderr, "poolscope: cannot write %s\n", qPrintable(reportPath));
        }
    }
    return exitCode != 0 ? exitCode : rc;
}

} // namespace poolscope
