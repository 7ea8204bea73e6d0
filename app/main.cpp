// poolscope: GUI by default; `poolscope run`, `serve` and `lab` are the headless CLI.
#include "cli_lab.h"
#include "cli_run.h"
#include "cli_serve.h"
#include "core_info.h"
#include "os/process.h"
#include "revision.h"

#include <QCoreApplication>
#include <QStringList>
#include <cstdio>

#ifdef POOLSCOPE_WITH_GUI
#include "gui_main.h"
#endif

namespace {

// The headless commands: `poolscope NAME [flags]`. Each parses its own flags
// with the one CLI layer (core/scenario/command_line.h), driven by the knob table.
struct Command
{
    const char *name;
    int (*run)(const QStringList &args);
    const char *summary;
};

const Command kCommands[] = {
    { "run", poolscope::runRunCommand, "load a target headless, print results (--json)" },
    { "serve", poolscope::runServeCommand, "run the embedded target server alone" },
    { "snippet", poolscope::runSnippetCommand,
        "print the Go code for the client settings the run flags give" },
    { "lab", poolscope::runLabCommand,
        "dead-peer lab: watch TCP keep-alive find a vanished server (root)" },
};

void printUsage()
{
    std::printf(
        "Usage:\n"
        "  poolscope [--preset NAME] [--start] [--url URL] [--show DOCKS] [--set K=V@DUR]\n"
        "            [--screenshot FILE --after DUR]   GUI (poolscope --help-gui for all flags)\n");
    for (const Command &c : kCommands) {
        std::printf("  poolscope %-7s [flags]   %s\n", c.name, c.summary);
    }
    std::printf(
        "  poolscope --headless [flags]   the same as `poolscope run [flags]`\n"
        "  poolscope --version\n"
        "Run `poolscope COMMAND --help` for a command's flags.\n"
        "PoolScope models Go 1.19's net/http.Transport (--go-version 1.23 for the later rules).\n");
}

// The headless command a command line asks for, with the words after it;
// nullptr for the GUI and the top-level flags.
const Command *headlessCommand(QStringList *args)
{
    // `--headless` anywhere: the GUI's flags give way to `poolscope run` with the
    // rest of the command line (scripts/run.sh --headless --workers 10 ...).
    if (args->removeAll(QStringLiteral("--headless")) > 0) {
        if (!args->isEmpty() && args->first() == u"run") {
            args->removeFirst();
        }
        return &kCommands[0];
    }
    for (const Command &c : kCommands) {
        if (!args->isEmpty() && args->first() == QLatin1String(c.name)) {
            args->removeFirst();
            return &c;
        }
    }
    return nullptr;
}

} // namespace

int main(int argc, char **argv)
{
    poolscope::raiseOpenFileLimit();
    // The engine thread runs Qt's plain UNIX event dispatcher, measurably faster
    // than the GLib one for tens of thousands of socket events per second.
    if (!qEnvironmentVariableIsSet("QT_NO_GLIB")) {
        qputenv("QT_NO_GLIB", "1");
    }
    QStringList args;
    for (int i = 1; i < argc; ++i) {
        args << QString::fromLocal8Bit(argv[i]);
    }
    if (const Command *c = headlessCommand(&args)) {
        QCoreApplication app(argc, argv);
        QCoreApplication::setApplicationName(QStringLiteral("poolscope"));
        return c->run(args);
    }
    const QString first = args.value(0);
    if (first == u"--version") {
        std::printf(
            "poolscope %s (git %s)\n", qPrintable(poolscope::coreVersion()), POOLSCOPE_REVISION);
        return 0;
    }
    if (first == u"--help" || first == u"-h") {
        printUsage();
        return 0;
    }
#ifdef POOLSCOPE_WITH_GUI
    if (first == u"--help-gui") {
        // The GUI's own flag list; no display is needed to print it.
        qputenv("QT_QPA_PLATFORM", "offscreen");
        static char help[] = "--help";
        argv[1] = help;
    }
    return poolscope::runGui(argc, argv);
#else
    std::fprintf(stderr,
        "poolscope: built without the GUI (POOLSCOPE_BUILD_GUI=OFF); use `run`, `serve` or "
        "`lab`\n");
    printUsage();
    return 2;
#endif
}
