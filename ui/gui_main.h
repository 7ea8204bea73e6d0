#pragma once

#include "scenario/presets.h"

#include <QString>
#include <QStringList>
#include <chrono>
#include <optional>
#include <vector>

namespace poolscope {

class MainWindow;

// `--set KEY=VALUE@DUR`: a knob moved as a user would move it, DUR after start.
struct ScheduledChange
{
    QString key; // the knob table's key ("MaxIdleConnsPerHost", "load.think")
    double value; // what a user types into the spin box, in the unit it shows
    std::chrono::milliseconds at;
};

// The window's command line, checked: what to load, show, start, change and save.
struct GuiOptions
{
    bool help = false; // --help (`poolscope --help-gui`): print guiHelp() and run nothing
    QString presetId; // --preset NAME, a built-in preset; "" = none
    std::optional<Preset> scenario; // --scenario FILE, already read
    QString url; // --url URL, checked as `run --url` checks it; "" = the embedded server
    // --listen ADDR: the embedded server's address; another than loopback only from here
    // (or the window's Run > Embedded server address, which asks). Unset = 127.0.0.1.
    std::optional<QHostAddress> listen;
    bool start = false; // --start
    std::vector<ScheduledChange> changes; // --set, in the order given
    QStringList docks; // --show: "connections", "lab"
    bool presentation = false; // --presentation: MainWindow::setPresentationMode(true)
    QString language; // --lang zh_CN|en (ui/language.h); "" = View > Language, else the system's
    QString screenshot; // --screenshot FILE; "" = none
    std::chrono::nanoseconds after = std::chrono::seconds(5); // --after, with --screenshot
};

// Parses the window's flags (the arguments after the program name, Qt's own
// such as -platform already removed) with the CLI layer every command uses
// (scenario/command_line.h). On a bad flag returns nullopt and sets *error to
// the message, without the leading "poolscope: ".
[[nodiscard]] std::optional<GuiOptions> parseGuiFlags(const QStringList &args, QString *error);
// What `poolscope --help-gui` prints: every flag of the window.
[[nodiscard]] QString guiHelp();
// Loads the scenario or preset, the URL and the docks of `options` into
// `window`; false with *error when a --set key is not a knob of its settings
// panel (checked here because the panel decides which knobs it shows).
bool prepareWindow(MainWindow *window, const GuiOptions &options, QString *error);
// Arms a timer per --set change, counted from now: at its time the knob is
// edited exactly as typing into its spin box does, and the change applied.
void scheduleChanges(MainWindow *window, const std::vector<ScheduledChange> &changes);

// The desktop application: `poolscope [--preset NAME] [--start] [--url URL]
// [--screenshot FILE [--after DUR]] ...` (guiHelp() lists them). Returns the
// process exit code: 0, 1 when the screenshot cannot be written, 2 for bad
// arguments (unknown flag or preset, bad duration, URL, --set or dock).
int runGui(int argc, char **argv);

} // namespace poolscope
