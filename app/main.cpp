// poolscope: GUI by default; `poolscope run` and `poolscope serve` are the headless CLI.
#include "cli_lab.h"
#include "cli_run.h"
#include "core_info.h"
#include "server/server_cli.h"

#include <QCoreApplication>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sys/resource.h>

#ifdef POOLSCOPE_WITH_GUI
#include "gui_main.h"
#endif

namespace {

void printUsage()
{
    std::printf(
        "Usage:\n"
        "  poolscope [--preset NAME] [--start] [--url URL] [--show DOCKS] [--set K=V@DUR]\n"
        "            [--screenshot FILE --after DUR]   GUI (poolscope --help-gui for all flags)\n"
        "  poolscope run [flags]     load a target headless, print results (--json)\n"
        "  poolscope --headless [flags]   the same as `poolscope run [flags]`\n"
        "  poolscope serve [flags]   run the embedded target server alone\n"
        "  poolscope lab [flags]     dead-peer lab: watch TCP keep-alive find a vanished server "
        "(root)\n"
        "  poolscope --version\n"
        "Run `poolscope run --help` or `poolscope serve --help` for their flags.\n");
}

// Like Go (since 1.19, os/rlimit.go), raise the open-file soft limit to the hard
// limit: a pool laboratory opens thousands of sockets, and the default soft
// limit of 1024 would make "too many open files" the first thing it shows.
void raiseOpenFileLimit()
{
    rlimit lim {};
    if (::getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
        lim.rlim_cur = lim.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &lim);
    }
}

} // namespace

int main(int argc, char **argv)
{
    raiseOpenFileLimit();
    // The engine thread runs Qt's plain UNIX event dispatcher, measurably faster
    // than the GLib one for tens of thousands of socket events per second.
    if (!qEnvironmentVariableIsSet("QT_NO_GLIB")) {
        qputenv("QT_NO_GLIB", "1");
    }
    // `--headless` anywhere: the GUI's flags give way to `poolscope run` with the
    // rest of the command line (scripts/run.sh --headless --workers 10 ...).
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--headless") == 0) {
            QCoreApplication app(argc, argv);
            QCoreApplication::setApplicationName(QStringLiteral("poolscope"));
            QStringList args = QCoreApplication::arguments().mid(1);
            args.removeAll(QStringLiteral("--headless"));
            if (!args.isEmpty() && args.first() == QLatin1String("run")) {
                args.removeFirst();
            }
            return poolscope::runRunCommand(args);
        }
    }
    const char *command = argc > 1 ? argv[1] : "";
    if (std::strcmp(command, "run") == 0 || std::strcmp(command, "serve") == 0
        || std::strcmp(command, "lab") == 0) {
        QCoreApplication app(argc, argv);
        QCoreApplication::setApplicationName(QStringLiteral("poolscope"));
        QStringList args = QCoreApplication::arguments().mid(2);
        if (std::strcmp(command, "run") == 0) {
            return poolscope::runRunCommand(args);
        }
        if (std::strcmp(command, "lab") == 0) {
            return poolscope::runLabCommand(args);
        }
        return poolscope::runServeCommand(args);
    }
    if (std::strcmp(command, "--version") == 0) {
        std::printf("poolscope %s\n", qPrintable(poolscope::coreVersion()));
        return 0;
    }
#ifdef POOLSCOPE_WITH_GUI
    if (std::strcmp(command, "--help-gui") == 0) {
        // The GUI's own flag list; no display is needed to print it.
        qputenv("QT_QPA_PLATFORM", "offscreen");
        static char help[] = "--help";
        argv[1] = help;
        return poolscope::runGui(argc, argv);
    }
#endif
    if (std::strcmp(command, "--help") == 0 || std::strcmp(command, "-h") == 0) {
        printUsage();
        return 0;
    }
#ifdef POOLSCOPE_WITH_GUI
    return poolscope::runGui(argc, argv);
#else
    std::fprintf(stderr,
        "poolscope: built without the GUI (POOLSCOPE_BUILD_GUI=OFF); use `run` or `serve`\n");
    printUsage();
    return 2;
#endif
}
