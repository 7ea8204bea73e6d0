#include "gui_main.h"

#include "charts_panel.h"
#include "knob_widget.h"
#include "language.h"
#include "main_window.h"
#include "metrics/go_duration.h"
#include "scenario/command_line.h"
#include "scenario/knob_table.h"
#include "settings_panel.h"

#include <QApplication>
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

// --after's upper bound: a day is more than any screenshot waits for.
constexpr double kMaxAfterSeconds = 24 * 3600;
const QStringList kDocks { QStringLiteral("connections"), QStringLiteral("lab") };

const char kGuiIntro[]
    = "Usage: poolscope [flags]\n"
      "PoolScope: watch a Go-like HTTP connection pool live.\n"
      "Other modes: `poolscope run ...` (headless), `poolscope serve ...` (target server),\n"
      "`poolscope lab ...` (dead-peer lab); `poolscope --help` lists them. Switches also take\n"
      "=true or =false.\n";

// The --preset line names the presets, so its text is built once at run time.
const char *presetHelp()
{
    static const QByteArray text = [] {
        QStringList ids;
        for (const Preset &p : builtinPresets()) {
            ids << p.id;
        }
        return QStringLiteral("load a built-in preset: %1")
            .arg(ids.join(QStringLiteral(", ")))
            .toUtf8();
    }();
    return text.constData();
}

// The window's flags on the one CLI layer; --url is the knob table's row, so it
// is checked exactly as `run --url` is.
void addGuiFlags(CommandLine *cl)
{
    const FlagSpec load[] = {
        { "preset", "NAME", presetHelp() },
        { "scenario", "FILE",
            "load a scenario file (File > Save scenario writes one); not with --preset" },
    };
    static constexpr FlagSpec kRun[] = {
        { "start", nullptr, "start the run at once" },
        { "set", "KEY=VALUE@DUR",
            "move a knob as a user would, DUR after start (repeatable), e.g. "
            "MaxIdleConnsPerHost=10@20s. KEY is the knob's key (MaxIdleConnsPerHost, "
            "Dialer.Timeout, load.think, server.latency...), VALUE what you would type into its "
            "spin box, in the unit it shows (0/1 for a check box, the index for a list)" },
        { "show", "DOCKS", "open docks at start: connections, lab (comma-separated)" },
        { "presentation", nullptr,
            "open in presentation mode (F11): full screen, larger text, Go code tabbed with the "
            "settings" },
        { "lang", "LANG",
            "the window's language: zh_CN (简体中文) or en; default: View > Language, else the "
            "system locale (LANG). The CLI always speaks English" },
    };
    static constexpr FlagSpec kShot[] = {
        { "screenshot", "FILE", "save a PNG of the whole window --after DUR, then quit" },
        { "after", "DUR", "how long --screenshot waits, as a Go duration (default 5s)",
            KnobKind::Duration, 0, kMaxAfterSeconds },
    };
    const QString what = QStringLiteral("What to load");
    cl->addFlags(load, what);
    cl->addKnob(*findKnob(u"load.url"), what, QStringLiteral("url"));
    cl->addKnob(*findKnob(u"server.listenAddress"), what, QStringLiteral("listen"));
    cl->addFlags(kRun, QStringLiteral("Run"));
    cl->addFlags(kShot, QStringLiteral("Screenshot"));
}

bool readWhatToLoad(const CommandLine &cl, GuiOptions *o, QString *error)
{
    const bool preset = cl.isSet(QStringLiteral("preset"));
    if (preset && cl.isSet(QStringLiteral("scenario"))) {
        *error = QStringLiteral("--preset and --scenario cannot be combined (each sets every "
                                "knob); give one of them");
        return false;
    }
    if (preset) {
        o->presetId = cl.value(QStringLiteral("preset"));
        if (!findPreset(o->presetId, error)) {
            return false;
        }
    }
    if (cl.isSet(QStringLiteral("scenario"))) {
        o->scenario = loadScenarioFile(cl.value(QStringLiteral("scenario")), error);
        if (!o->scenario) {
            return false;
        }
    }
    KnobValue url = QString();
    if (!cl.typedValue(QStringLiteral("url"), &url, error)) {
        return false;
    }
    o->url = std::get<QString>(url);
    KnobValue listen = QString();
    if (!cl.typedValue(QStringLiteral("listen"), &listen, error)) {
        return false;
    }
    if (cl.isSet(QStringLiteral("listen"))) {
        o->listen = QHostAddress(std::get<QString>(listen));
    }
    return true;
}

// "MaxIdleConnsPerHost=10@20s": the key, the number typed, the time after start.
bool parseChange(const QString &spec, ScheduledChange *out, QString *error)
{
    const qsizetype eq = spec.indexOf(u'=');
    const qsizetype atSign = spec.lastIndexOf(u'@');
    bool ok = false;
    const double value
        = eq > 0 && atSign > eq ? spec.mid(eq + 1, atSign - eq - 1).toDouble(&ok) : 0.0;
    QString why;
    const auto when = atSign > 0 ? parseGoDuration(spec.mid(atSign + 1), &why) : std::nullopt;
    if (eq <= 0 || atSign < eq || !ok || !when) {
        *error = QStringLiteral(
            "--set \"%1\": want KEY=NUMBER@DURATION, e.g. MaxIdleConnsPerHost=10@20s")
                     .arg(spec);
        return false;
    }
    *out = { spec.left(eq), value, std::chrono::duration_cast<std::chrono::milliseconds>(*when) };
    return true;
}

bool readRun(const CommandLine &cl, GuiOptions *o, QString *error)
{
    o->start = cl.isOn(QStringLiteral("start"));
    o->presentation = cl.isOn(QStringLiteral("presentation"));
    if (cl.isSet(QStringLiteral("lang"))) {
        o->language = cl.value(QStringLiteral("lang"));
        if (!windowLanguages().contains(o->language)) {
            *error = QStringLiteral("--lang: unknown language \"%1\" (%2)")
                         .arg(o->language, windowLanguages().join(QStringLiteral(", ")));
            return false;
        }
    }
    for (const QString &spec : cl.values(QStringLiteral("set"))) {
        ScheduledChange c;
        if (!parseChange(spec, &c, error)) {
            return false;
        }
        o->changes.push_back(c);
    }
    for (const QString &spec : cl.values(QStringLiteral("show"))) {
        for (const QString &dock : spec.split(u',', Qt::SkipEmptyParts)) {
            if (!kDocks.contains(dock)) {
                *error = QStringLiteral("--show: unknown dock \"%1\" (%2)")
                             .arg(dock, kDocks.join(QStringLiteral(", ")));
                return false;
            }
            o->docks << dock;
        }
    }
    return true;
}

bool readScreenshot(const CommandLine &cl, GuiOptions *o, QString *error)
{
    if (!cl.isSet(QStringLiteral("screenshot"))) {
        if (cl.isSet(QStringLiteral("after"))) {
            *error = QStringLiteral("--after needs --screenshot");
            return false;
        }
        return true;
    }
    o->screenshot = cl.value(QStringLiteral("screenshot"));
    KnobValue after = Duration(o->after);
    if (!cl.typedValue(QStringLiteral("after"), &after, error)) {
        return false;
    }
    o->after = std::get<Duration>(after);
    return true;
}

int fail(const QString &message)
{
    std::fprintf(stderr, "poolscope: %s\n", qPrintable(message));
    return 2;
}

// For bench/run.sh: the GUI's own cost, measured inside the app.
void writeBenchReport(MainWindow &window, const QString &reportPath)
{
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
            QJsonObject {
                { QStringLiteral("p50"), ms(window.charts()->frameCpuTimes().percentile(0.50)) },
                { QStringLiteral("p99"), ms(window.charts()->frameCpuTimes().percentile(0.99)) },
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

} // namespace

std::optional<GuiOptions> parseGuiFlags(const QStringList &args, QString *error)
{
    CommandLine cl("", QLatin1String(kGuiIntro));
    cl.setHelpHint(QStringLiteral("poolscope --help-gui"));
    addGuiFlags(&cl);
    if (!cl.parse(args, error)) {
        return std::nullopt;
    }
    GuiOptions o;
    if (cl.isOn(QStringLiteral("help"))) {
        o.help = true;
        return o;
    }
    if (!readWhatToLoad(cl, &o, error) || !readRun(cl, &o, error)
        || !readScreenshot(cl, &o, error)) {
        return std::nullopt;
    }
    return o;
}

QString guiHelp()
{
    CommandLine cl("", QLatin1String(kGuiIntro));
    addGuiFlags(&cl);
    return cl.help();
}

bool prepareWindow(MainWindow *window, const GuiOptions &o, QString *error)
{
    for (const ScheduledChange &c : o.changes) {
        if (!window->settings()->knob(c.key)) {
            const QString keys = window->settings()->knobKeys().join(QStringLiteral(", "));
            *error = findKnob(c.key)
                ? QStringLiteral("--set: %1 is not in the settings panel (a scenario file "
                                 "sets it); valid keys: %2")
                      .arg(c.key, keys)
                : QStringLiteral("--set: no knob \"%1\"; valid keys: %2").arg(c.key, keys);
            return false;
        }
    }
    if (o.scenario) {
        window->loadScenario(*o.scenario);
    } else if (!o.presetId.isEmpty()) {
        window->loadPreset(o.presetId);
    }
    if (o.listen && !window->setListenAddress(*o.listen, true, error)) {
        *error = QStringLiteral("--listen %1: %2").arg(o.listen->toString(), *error);
        return false;
    }
    if (!o.url.isEmpty()) {
        // Typed by the user: a remote target needs no further question.
        window->allowTarget(o.url);
        window->setTargetUrl(o.url);
    }
    for (const QString &dock : o.docks) {
        (dock == u"lab" ? window->labDock() : window->connectionsDock())->show();
    }
    return true;
}

void scheduleChanges(MainWindow *window, const std::vector<ScheduledChange> &changes)
{
    for (const ScheduledChange &c : changes) {
        QTimer::singleShot(c.at, window, [window, c] {
            // Exactly what typing into the spin box (or ticking the check box) does.
            window->settings()->knob(c.key)->editAsUser(c.value);
            window->applyPendingChanges();
        });
    }
}

// The arguments without Qt's own (QGuiApplication's -platform, -style ...), read before
// QApplication exists: a usage error must exit 2 even where no display can be opened.
QStringList argumentsWithoutQtFlags(int argc, char **argv)
{
    static const QStringList withValue { QStringLiteral("platform"),
        QStringLiteral("platformpluginpath"), QStringLiteral("platformtheme"),
        QStringLiteral("plugin"), QStringLiteral("qwindowgeometry"), QStringLiteral("qwindowicon"),
        QStringLiteral("qwindowtitle"), QStringLiteral("display"), QStringLiteral("geometry"),
        QStringLiteral("style"), QStringLiteral("stylesheet"), QStringLiteral("session"),
        QStringLiteral("name"), QStringLiteral("title") };
    static const QStringList alone { QStringLiteral("reverse"), QStringLiteral("widgetcount"),
        QStringLiteral("nograb"), QStringLiteral("dograb"), QStringLiteral("sync") };
    QStringList out;
    for (int i = 1; i < argc; ++i) {
        const QString a = QString::fromLocal8Bit(argv[i]);
        QString name = a.startsWith(u"--") ? a.mid(2) : (a.startsWith(u'-') ? a.mid(1) : QString());
        const bool inlineValue = name.contains(u'=');
        name = name.section(u'=', 0, 0);
        if (withValue.contains(name)) {
            i += inlineValue ? 0 : 1;
        } else if (!alone.contains(name) && !name.startsWith(u"qmljsdebugger")) {
            out << a;
        }
    }
    return out;
}

int runGui(int argc, char **argv)
{
    QString early;
    if (!parseGuiFlags(argumentsWithoutQtFlags(argc, argv), &early)) {
        return fail(early);
    }
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("poolscope"));
    QApplication::setApplicationDisplayName(QStringLiteral("PoolScope"));
    initUiResources();
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/poolscope/poolscope.svg")));
    QApplication::setDesktopFileName(QStringLiteral("poolscope"));

    // Qt's own flags (-platform, -style ...) are gone from arguments() by now.
    QString error;
    const auto options = parseGuiFlags(QCoreApplication::arguments().mid(1), &error);
    if (!options) {
        return fail(error);
    }
    if (options->help) {
        std::printf("%s", qPrintable(guiHelp()));
        return 0;
    }
    // Before the first widget: every text is translated as it is built.
    const QString language = chooseLanguage(options->language, savedLanguage(), QLocale::system());
    if (QString why; !installTranslators(language, &why)) {
        std::fprintf(stderr, "poolscope: %s: the window speaks English\n", qPrintable(why));
    }
    MainWindow window;
    if (!prepareWindow(&window, *options, &error)) {
        return fail(error);
    }
    window.show();
    if (options->presentation) {
        window.setPresentationMode(true);
    }
    if (options->start) {
        window.startRun();
    }
    scheduleChanges(&window, options->changes);

    int exitCode = 0;
    if (!options->screenshot.isEmpty()) {
        const QString file = options->screenshot;
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(options->after);
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
    const QString reportPath = qEnvironmentVariable("POOLSCOPE_BENCH_REPORT");
    if (!reportPath.isEmpty()) {
        writeBenchReport(window, reportPath);
    }
    return exitCode != 0 ? exitCode : rc;
}

} // namespace poolscope
