#pragma once

#include "pool/transport_config.h" // Duration

#include <QHash>
#include <QString>
#include <QStringList>
#include <climits>
#include <optional>
#include <span>

namespace poolscope {

// One flag of a CLI command. The command's table of these drives both parsing
// and --help, so the two cannot drift apart.
struct FlagSpec
{
    const char *name; // without "--"
    const char *value; // value placeholder, nullptr for a switch
    const char *goField; // Go field it mirrors, or "" for PoolScope's own
    const char *help;
};

// "  --name VALUE   [Go.Field] help" lines for every flag of a table.
QString flagTableHelp(std::span<const FlagSpec> table);

// Parses `--name value`, `--name=value` and switches against a flag table;
// unknown flags, missing values and bad numbers or durations get an error that
// names the flag and says what was expected.
class Flags
{
public:
    Flags(const char *command, std::span<const FlagSpec> table) : m_command(command), m_table(table)
    {
    }

    bool parse(const QStringList &args, QString *error);
    // What every command does first: parse; on a bad flag print "poolscope CMD: why"
    // to stderr and return 2, on --help print `help` and return 0; otherwise
    // return nothing and the command goes on.
    std::optional<int> parseOrFinish(const QStringList &args, const QString &help);

    [[nodiscard]] bool has(const char *name) const
    {
        return m_values.contains(QLatin1String(name));
    }
    [[nodiscard]] QString value(const char *name) const
    {
        return m_values.value(QLatin1String(name));
    }
    // Every value of a repeatable flag, in order.
    [[nodiscard]] QStringList values(const char *name) const
    {
        return m_all.value(QLatin1String(name));
    }

    // Each leaves *out alone when the flag is absent and returns false with
    // *error set when its value is invalid.
    bool intValue(
        const char *name, int *out, QString *error, int min = INT_MIN, int max = INT_MAX) const;
    bool durationValue(
        const char *name, Duration *out, QString *error, bool allowNegative = true) const;
    bool doubleValue(const char *name, double *out, QString *error, double min, double max) const;

private:
    [[nodiscard]] const FlagSpec *find(const QString &name) const;

    const char *m_command;
    std::span<const FlagSpec> m_table;
    QHash<QString, QString> m_values; // last value wins
    QHash<QString, QStringList> m_all;
};

} // namespace poolscope
