#include "command_line.h"

#include "metrics/go_duration.h"

#include <cstdio>
#include <limits>

namespace poolscope {

namespace {

constexpr double kIntMax = std::numeric_limits<int>::max();
// --help: flag column, then the text wrapped to the house's 100 columns.
constexpr int kFlagColumn = 36;
constexpr int kWidth = 100;

// The placeholder after a flag in --help: "N", "DUR", "go|precise".
QString valueNameOf(const Knob &k)
{
    switch (k.kind) {
    case KnobKind::Int:
        return QStringLiteral("N");
    case KnobKind::Real:
        return qstrcmp(k.unit, "%") == 0 ? QStringLiteral("P") : QStringLiteral("R");
    case KnobKind::Duration:
        return QStringLiteral("DUR");
    case KnobKind::Bool:
        return {};
    case KnobKind::Choice: {
        QStringList keys;
        for (const KnobChoice &c : k.choices) {
            keys << QLatin1String(c.key);
        }
        return keys.join(u'|');
    }
    case KnobKind::Text:
    case KnobKind::TextList:
        if (qstrcmp(k.jsonKey, "url") == 0) {
            return QStringLiteral("URL");
        }
        if (qstrcmp(k.jsonKey, "method") == 0 || qstrcmp(k.jsonKey, "mixMethod") == 0) {
            return QStringLiteral("M");
        }
        if (qstrcmp(k.jsonKey, "headers") == 0) {
            return QStringLiteral("K:V");
        }
        return QStringLiteral("ADDR");
    }
    return {};
}

// "Transport.MaxIdleConnsPerHost" from "http.Transport.MaxIdleConnsPerHost":
// the package is clear from the type.
QString shortGoField(const Knob &k)
{
    const QString field = QLatin1String(k.goField);
    const qsizetype dot = field.indexOf(u'.');
    return dot > 0 && field.at(0).isLower() ? field.mid(dot + 1) : field;
}

bool isZero(const KnobValue &v)
{
    return std::visit(
        [](const auto &x) {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, QString>) {
                return x.isEmpty();
            } else {
                return x == T {};
            }
        },
        v);
}

// A FlagSpec's value rules as a knob row, so both are checked by parseKnobText.
Knob specOf(const FlagSpec &f)
{
    Knob k {};
    k.key = f.name;
    k.goField = "";
    k.group = KnobGroup::Load;
    k.kind = f.value ? f.kind : KnobKind::Bool;
    k.flag = f.name;
    k.jsonKey = f.name;
    k.label = f.name;
    k.help = f.help;
    k.zeroMeans = "";
    k.negativeMeans = "";
    k.unit = "";
    k.min = f.min;
    k.max = k.kind == KnobKind::Bool ? 1 : f.max;
    k.choices = f.choices;
    return k;
}

QString intRange(const Knob &k)
{
    const auto n = [](double v) {
        return QString::number(v, 'f', 0);
    };
    // Only "no limit" (INT_MAX, what most counts allow) goes unsaid: a larger bound such as
    // the seed's 4294967295 is a real one and is printed.
    const bool noMin = k.min == -kIntMax;
    const bool noMax = k.max == kIntMax;
    if (noMin && noMax) {
        return {};
    }
    if (noMax) {
        return QStringLiteral(" >= %1").arg(n(k.min));
    }
    if (noMin) {
        return QStringLiteral(" <= %1").arg(n(k.max));
    }
    return QStringLiteral(" in [%1, %2]").arg(n(k.min), n(k.max));
}

// "go or precise", "read, close-early or leak".
QString choiceWords(const Knob &k)
{
    QStringList keys;
    for (const KnobChoice &c : k.choices) {
        keys << QLatin1String(c.key);
    }
    if (keys.size() < 2) {
        return keys.join(QString());
    }
    const QString last = keys.takeLast();
    return keys.join(QStringLiteral(", ")) + QStringLiteral(" or ") + last;
}

// Word-wraps `text` into lines of kWidth, every line but the first indented.
QString wrap(const QString &text, int indent)
{
    QString out;
    int column = indent;
    for (const QString &word : text.split(u' ', Qt::SkipEmptyParts)) {
        if (column > indent && column + 1 + word.size() > kWidth) {
            out += u'\n' + QString(indent, u' ');
            column = indent;
        } else if (column > indent) {
            out += u' ';
            ++column;
        }
        out += word;
        column += static_cast<int>(word.size());
    }
    return out;
}

} // namespace

QString flagValueError(const Knob &spec, const QString &flag, const QString &text)
{
    const auto invalid = [&](const QString &want) {
        return QStringLiteral("invalid value \"%1\" for --%2: %3").arg(text, flag, want);
    };
    switch (spec.kind) {
    case KnobKind::Duration: {
        QString why;
        if (const auto d = parseGoDuration(text, &why)) {
            why = *d < Duration::zero() && spec.min >= 0 ? QStringLiteral("must not be negative")
                                                         : checkKnobValue(spec, *d);
        }
        return QStringLiteral("invalid duration \"%1\" for --%2: %3").arg(text, flag, why);
    }
    case KnobKind::Int:
        return invalid(QStringLiteral("want an integer") + intRange(spec));
    case KnobKind::Real:
        return invalid(
            QStringLiteral("want a number in [%1, %2]")
                .arg(QString::number(spec.min, 'g', 12), QString::number(spec.max, 'g', 12)));
    case KnobKind::Bool:
        return invalid(QStringLiteral("want true or false"));
    case KnobKind::Choice:
        return invalid(QStringLiteral("want ") + choiceWords(spec));
    case KnobKind::Text:
    case KnobKind::TextList: {
        KnobValue ignored;
        QString why;
        [[maybe_unused]] const bool ok = parseKnobText(spec, text, &ignored, &why);
        return invalid(why);
    }
    }
    return invalid(QString());
}

CommandLine::CommandLine(const char *command, QString intro, const Settings &defaults)
    : m_command(command)
    , m_intro(std::move(intro))
    , m_helpHint(*command ? QStringLiteral("poolscope %1 --help").arg(QLatin1String(command))
                          : QStringLiteral("poolscope --help"))
    , m_defaults(defaults)
{
    m_parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
}

// --help comes last, after the command's own flags.
void CommandLine::addHelp()
{
    if (!find(u"help")) {
        static constexpr FlagSpec kHelp[] = { { "help", nullptr, "show this help" } };
        addFlags(kHelp, {});
    }
}

void CommandLine::add(Entry entry)
{
    QStringList names { entry.name };
    if (entry.name == u"help") {
        names.prepend(QStringLiteral("h"));
    }
    m_parser.addOption(QCommandLineOption(names, entry.help, entry.valueName));
    m_entries.push_back(std::move(entry));
}

void CommandLine::addKnob(const Knob &knob, const QString &section, const QString &name)
{
    QString help;
    if (knob.isGo()) {
        help = QStringLiteral("[%1] ").arg(shortGoField(knob));
    }
    help += QString::fromUtf8(knob.help);
    QStringList means;
    for (const char *m : { knob.zeroMeans, knob.negativeMeans }) {
        if (*m) {
            means << QString::fromUtf8(m);
        }
    }
    if (!means.isEmpty()) {
        help += u' ' + means.join(QStringLiteral("; "));
    }
    const QString note = defaultNote(knob);
    if (!note.isEmpty()) {
        help += u' ' + note;
    }
    add({ name.isEmpty() ? QLatin1String(knob.flag) : name, knob, &knob, valueNameOf(knob), help,
        section });
}

void CommandLine::addFlags(std::span<const FlagSpec> flags, const QString &section)
{
    for (const FlagSpec &f : flags) {
        add({ QLatin1String(f.name), specOf(f), nullptr,
            f.value ? QLatin1String(f.value) : QString(), QString::fromUtf8(f.help), section });
    }
}

QString CommandLine::defaultNote(const Knob &knob) const
{
    const KnobValue v = knob.get(m_defaults);
    if (isZero(v)) {
        return {};
    }
    const bool goLabel = knob.isGo() && m_defaults.transport == TransportConfig::goDefault();
    return QStringLiteral("(%1%2)").arg(
        goLabel ? QStringLiteral("go: ") : QStringLiteral("default "), knobText(knob, v));
}

const CommandLine::Entry *CommandLine::find(QStringView name) const
{
    if (name == u"h") {
        name = u"help";
    }
    for (const Entry &e : m_entries) {
        if (e.name == name) {
            return &e;
        }
    }
    return nullptr;
}

// QCommandLineParser takes no value after a switch: records each switch's
// value (--insecure=false) and hands the parser the bare switch.
bool CommandLine::normalizeSwitches(QStringList *args, QString *error)
{
    for (qsizetype i = 0; i < args->size(); ++i) {
        const QString &a = args->at(i);
        if (a == u"--") {
            break;
        }
        if (!a.startsWith(u'-') || a == u"-") {
            continue;
        }
        const QString body = a.mid(a.startsWith(u"--") ? 2 : 1);
        const qsizetype eq = body.indexOf(u'=');
        const Entry *e = find(QStringView(body).left(eq < 0 ? body.size() : eq));
        if (!e) {
            continue; // the parser reports it
        }
        if (!e->valueName.isEmpty()) {
            i += eq < 0 ? 1 : 0; // skip the value, whatever it looks like
            continue;
        }
        KnobValue on = true;
        if (eq >= 0 && !parseKnobText(e->spec, QStringView(body).mid(eq + 1), &on, nullptr)) {
            *error = flagValueError(e->spec, e->name, body.mid(eq + 1));
            return false;
        }
        m_switches.insert(e->name, std::get<bool>(on));
        (*args)[i] = QStringLiteral("--") + e->name;
    }
    return true;
}

QString CommandLine::parserError(const QStringList &args) const
{
    if (!m_parser.unknownOptionNames().isEmpty()) {
        return QStringLiteral("unknown flag --%1 (see %2)")
            .arg(m_parser.unknownOptionNames().first(), m_helpHint);
    }
    // The only other error the parser can find: a value flag last on the line.
    const QString last = args.last();
    if (const Entry *e = find(QStringView(last).mid(last.startsWith(u"--") ? 2 : 1))) {
        return QStringLiteral("flag --%1 needs a value (%2)").arg(e->name, e->valueName);
    }
    return m_parser.errorText();
}

bool CommandLine::parse(const QStringList &argsIn, QString *error)
{
    addHelp();
    m_switches.clear();
    QStringList args = argsIn;
    if (!normalizeSwitches(&args, error)) {
        return false;
    }
    args.prepend(QStringLiteral("poolscope"));
    if (!m_parser.parse(args)) {
        *error = parserError(args);
        return false;
    }
    if (!m_parser.positionalArguments().isEmpty()) {
        *error = QStringLiteral("unexpected argument \"%1\" (flags start with --)")
                     .arg(m_parser.positionalArguments().first());
        return false;
    }
    return true;
}

std::optional<int> CommandLine::parseOrFinish(const QStringList &args)
{
    QString error;
    if (!parse(args, &error)) {
        std::fprintf(stderr, "%s: %s\n", qPrintable(errorPrefix()), qPrintable(error));
        return 2;
    }
    if (isOn(QStringLiteral("help"))) {
        std::printf("%s", qPrintable(help()));
        return 0;
    }
    return std::nullopt;
}

QString CommandLine::errorPrefix() const
{
    return *m_command ? QStringLiteral("poolscope %1").arg(QLatin1String(m_command))
                      : QStringLiteral("poolscope");
}

QString CommandLine::help()
{
    addHelp();
    QString out = m_intro;
    while (out.endsWith(QStringLiteral("\n\n"))) {
        out.chop(1);
    }
    QStringList sections;
    for (const Entry &e : m_entries) {
        if (!sections.contains(e.section)) {
            sections << e.section;
        }
    }
    for (const QString &section : sections) {
        if (!section.isEmpty()) {
            out += u'\n' + section + QStringLiteral(":\n");
        }
        for (const Entry &e : m_entries) {
            if (e.section != section) {
                continue;
            }
            QString flag = QStringLiteral("  --") + e.name;
            if (!e.valueName.isEmpty()) {
                flag += u' ' + e.valueName;
            }
            out += flag.size() < kFlagColumn ? flag.leftJustified(kFlagColumn)
                                             : flag + u'\n' + QString(kFlagColumn, u' ');
            out += wrap(e.help, kFlagColumn) + u'\n';
        }
    }
    return out;
}

bool CommandLine::isSet(const QString &name) const
{
    const Entry *e = find(name);
    if (e && e->valueName.isEmpty()) {
        return m_switches.contains(e->name);
    }
    return m_parser.isSet(name);
}

bool CommandLine::isOn(const QString &name) const
{
    return m_switches.value(name, false);
}

QString CommandLine::value(const QString &name) const
{
    return m_parser.value(name);
}

QStringList CommandLine::values(const QString &name) const
{
    return m_parser.values(name);
}

bool CommandLine::typedValue(const QString &name, KnobValue *out, QString *error) const
{
    const Entry *e = find(name);
    if (!e || !isSet(name)) {
        return true;
    }
    if (e->valueName.isEmpty()) {
        *out = isOn(name);
        return true;
    }
    const QString text = value(name);
    if (!parseKnobText(e->spec, text, out, nullptr)) {
        *error = flagValueError(e->spec, e->name, text);
        return false;
    }
    return true;
}

bool CommandLine::applyKnobs(Settings *settings, QString *error) const
{
    for (const Entry &e : m_entries) {
        if (!e.knob || !isSet(e.name)) {
            continue;
        }
        if (e.valueName.isEmpty()) {
            e.knob->set(*settings, isOn(e.name));
            continue;
        }
        QStringList items; // a TextList takes every value given, one an item
        for (const QString &text : values(e.name)) {
            KnobValue v;
            if (!parseKnobText(e.spec, text, &v, nullptr)) {
                *error = flagValueError(e.spec, e.name, text);
                return false;
            }
            if (e.spec.kind == KnobKind::TextList) {
                items << std::get<QString>(v);
            } else {
                e.knob->set(*settings, v);
            }
        }
        if (e.spec.kind == KnobKind::TextList) {
            e.knob->set(*settings, items.join(u'\n'));
        }
    }
    return true;
}

bool CommandLine::knobGiven(const Knob &knob) const
{
    for (const Entry &e : m_entries) {
        if (e.knob == &knob && isSet(e.name)) {
            return true;
        }
    }
    return false;
}

} // namespace poolscope
