#include "cli_flags.h"

#include "metrics/go_duration.h"

#include <cstdio>

namespace poolscope {

QString flagTableHelp(std::span<const FlagSpec> table)
{
    QString out;
    for (const FlagSpec &f : table) {
        QString flag = QStringLiteral("--") + QLatin1String(f.name);
        if (f.value) {
            flag += QLatin1Char(' ') + QLatin1String(f.value);
        }
        out += QStringLiteral("  %1").arg(flag, -34);
        if (*f.goField) {
            out += QStringLiteral("[%1] ").arg(QLatin1String(f.goField));
        }
        out += QLatin1String(f.help) + QLatin1Char('\n');
    }
    return out;
}

const FlagSpec *Flags::find(const QString &name) const
{
    for (const FlagSpec &f : m_table) {
        if (name == QLatin1String(f.name)) {
            return &f;
        }
    }
    return nullptr;
}

bool Flags::parse(const QStringList &args, QString *error)
{
    for (int i = 0; i < args.size(); ++i) {
        QString a = args[i];
        if (!a.startsWith(QLatin1String("--"))) {
            *error = QStringLiteral("unexpected argument \"%1\" (flags start with --)").arg(a);
            return false;
        }
        a = a.mid(2);
        QString value;
        bool hasInline = false;
        const int eq = a.indexOf(QLatin1Char('='));
        if (eq >= 0) {
            value = a.mid(eq + 1);
            a = a.left(eq);
            hasInline = true;
        }
        const FlagSpec *f = find(a);
        if (!f) {
            *error = QStringLiteral("unknown flag --%1 (see poolscope %2 --help)")
                         .arg(a, QLatin1String(m_command));
            return false;
        }
        if (f->value == nullptr) {
            if (hasInline && value != QLatin1String("true")) {
                *error = QStringLiteral("flag --%1 takes no value").arg(a);
                return false;
            }
            m_values.insert(a, QStringLiteral("true"));
            continue;
        }
        if (!hasInline) {
            if (i + 1 >= args.size()) {
                *error = QStringLiteral("flag --%1 needs a value (%2)")
                             .arg(a, QLatin1String(f->value));
                return false;
            }
            value = args[++i];
        }
        m_values.insert(a, value);
        m_all[a].append(value);
    }
    return true;
}

std::optional<int> Flags::parseOrFinish(const QStringList &args, const QString &help)
{
    QString error;
    if (!parse(args, &error)) {
        std::fprintf(stderr, "poolscope %s: %s\n", m_command, qPrintable(error));
        return 2;
    }
    if (has("help")) {
        std::printf("%s", qPrintable(help));
        return 0;
    }
    return std::nullopt;
}

bool Flags::intValue(const char *name, int *out, QString *error, int min, int max) const
{
    if (!has(name)) {
        return true;
    }
    bool ok = false;
    const int v = value(name).toInt(&ok);
    if (!ok || v < min || v > max) {
        QString range;
        if (min != INT_MIN && max != INT_MAX) {
            range = QStringLiteral(" in [%1, %2]").arg(min).arg(max);
        } else if (min != INT_MIN) {
            range = QStringLiteral(" >= %1").arg(min);
        } else if (max != INT_MAX) {
            range = QStringLiteral(" <= %1").arg(max);
        }
        *error = QStringLiteral("invalid value \"%1\" for --%2: want an integer%3")
                     .arg(value(name), QLatin1String(name), range);
        return false;
    }
    *out = v;
    return true;
}

bool Flags::durationValue(const char *name, Duration *out, QString *error, bool allowNegative) const
{
    if (!has(name)) {
        return true;
    }
    QString why;
    const auto d = parseGoDuration(value(name), &why);
    if (!d || (!allowNegative && *d < Duration::zero())) {
        *error = QStringLiteral("invalid duration \"%1\" for --%2: %3")
                     .arg(value(name), QLatin1String(name),
                         d ? QStringLiteral("must not be negative") : why);
        return false;
    }
    *out = *d;
    return true;
}

bool Flags::doubleValue(const char *name, double *out, QString *error, double min, double max) const
{
    if (!has(name)) {
        return true;
    }
    bool ok = false;
    const double v = value(name).toDouble(&ok);
    if (!ok || v < min || v > max) {
        *error = QStringLiteral("invalid value \"%1\" for --%2: want a number in [%3, %4]")
                     .arg(value(name), QLatin1String(name))
                     .arg(min)
                     .arg(max);
        return false;
    }
    *out = v;
    return true;
}

} // namespace poolscope
