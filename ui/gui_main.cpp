#include "gui_main.h"

#include "charts_panel.h"
#include "main_window.h"
#include "metrics/go_duration.h"
#include "scenario/presets.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QTimer>
#include <cstdio>

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
    parser.addOptions({ preset, scenario, start, url, screenshot, after });
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

    MainWindow window;
    if (fromFile) {
        window.loadScenario(*fromFile);
    } else if (parser.isSet(preset)) {
        window.loadPreset(parser.value(preset));
    }
    if (parser.isSet(url)) {
        window.setTargetUrl(parser.value(url));
    }
    window.show();
    if (parser.isSet(start)) {
        window.startRun();
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
    return exitCode != 0 ? exitCode : rc;
}

} // namespace poolscope
