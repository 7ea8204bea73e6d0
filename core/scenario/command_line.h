#pragma once

#include "scenario/knob_table.h"

#include <QCommandLineParser>
#include <QHash>
#include <QString>
#include <QStringList>
#include <optional>
#include <span>
#include <utility>
#include <vector>

namespace poolscope {

// A flag that is not a knob (--json, --events FILE, --conns N). Its value is
// checked like a knob's of the same kind and range.
struct FlagSpec
{
    const char *name; // without "--"
    const char *value; // placeholder in --help; nullptr for a switch
    const char *help;
    KnobKind kind = KnobKind::Text; // Text: any string; a switch is Bool
    double min = 0;
    double max = 0;
    std::span<const KnobChoice> choices = {};
};

// The flags of one command on QCommandLineParser: knob rows from the knob table
// (value checks, --help text, Go field and default from the row) plus the
// command's own FlagSpecs. Parsing and --help come from the same list. The
// headless commands (app/cli_*.cpp) and the window's flags (ui/gui_main.cpp)
// all parse with it; it needs QtCore only.
//
// Accepted: `--name value`, `--name=value`, `-name` for `--name`, switches as
// `--name`, `--name=true` or `--name=false`. A flag given twice: the last wins,
// except that values() returns every one (--url).
class CommandLine final
{
public:
    // `command` names the command in messages ("poolscope run: ..."); "" for the
    // window's flags ("poolscope: ..."). `intro` opens --help; `defaults` is what
    // the knobs start from (their "(default X)" in --help).
    CommandLine(const char *command, QString intro, const Settings &defaults = {});

    // Where an unknown flag's message sends the user: "poolscope run --help" by
    // default, e.g. "poolscope --help-gui" for the window.
    void setHelpHint(QString hint) { m_helpHint = std::move(hint); }

    // Adds a section of --help with knob flags. `name` defaults to the knob's flag.
    void addKnob(const Knob &knob, const QString &section, const QString &name = {});
    void addFlags(std::span<const FlagSpec> flags, const QString &section);

    // What every command does first: parse; on a bad flag print "poolscope CMD: why"
    // (errorPrefix()) to stderr and return 2, on --help print help() and return 0;
    // otherwise return nothing and the command goes on.
    [[nodiscard]] std::optional<int> parseOrFinish(const QStringList &args);
    bool parse(const QStringList &args, QString *error);
    [[nodiscard]] QString help();
    // "poolscope run", or "poolscope" for the window: what starts each message.
    [[nodiscard]] QString errorPrefix() const;

    [[nodiscard]] bool isSet(const QString &name) const;
    // A switch: false when absent, else its last value (--insecure=false).
    [[nodiscard]] bool isOn(const QString &name) const;
    [[nodiscard]] QString value(const QString &name) const;
    [[nodiscard]] QStringList values(const QString &name) const;
    // The checked value of a flag with a kind; false with *error naming the flag
    // when it is invalid; *out untouched when absent.
    bool typedValue(const QString &name, KnobValue *out, QString *error) const;
    // Sets every knob whose flag was given (each value checked, the last applied);
    // false with *error naming the first bad flag.
    bool applyKnobs(Settings *settings, QString *error) const;
    // True when the knob's flag was given.
    [[nodiscard]] bool knobGiven(const Knob &knob) const;

private:
    struct Entry
    {
        QString name;
        Knob spec; // the knob's row, or a FlagSpec's kind and range
        const Knob *knob; // nullptr for a FlagSpec
        QString valueName; // "" for a switch
        QString help;
        QString section;
    };

    void add(Entry entry);
    void addHelp();
    [[nodiscard]] const Entry *find(QStringView name) const;
    [[nodiscard]] bool normalizeSwitches(QStringList *args, QString *error);
    [[nodiscard]] QString parserError(const QStringList &args) const;
    [[nodiscard]] QString defaultNote(const Knob &knob) const;

    const char *m_command;
    QString m_intro;
    QString m_helpHint;
    Settings m_defaults;
    std::vector<Entry> m_entries;
    QCommandLineParser m_parser;
    QHash<QString, bool> m_switches; // last value of each switch given
};

// "invalid value \"ten\" for --workers: want an integer in [1, 100000]": why a
// value is refused, naming the flag, from the rules of `spec`'s kind.
[[nodiscard]] QString flagValueError(const Knob &spec, const QString &flag, const QString &text);

} // namespace poolscope
