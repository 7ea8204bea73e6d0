// The house rule "no function in core/, ui/ or app/ longer than about 80 lines, except
// data tables" (STYLE.md, issue 12), checked over the tree, and the scanner that checks
// it (tests/support/function_lengths.h) checked on small sources of known shape.

#include "support/function_lengths.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QTest>

using poolscope::test::FunctionSpan;
using poolscope::test::functionSpans;

namespace {

// Lines strictly between a function's braces.
constexpr int kMaxBodyLines = 80;

// Functions that are data tables written as code (one statement a row); each with why.
struct Allowed
{
    const char *file;
    const char *function;
    const char *why;
};
constexpr Allowed kAllowed[] = {
    { "core/scenario/presets.cpp", "makePresets",
        "the built-in presets: one designated-initialiser block a preset, no logic" },
};

const Allowed *allowed(const QString &file, const FunctionSpan &f)
{
    for (const Allowed &a : kAllowed) {
        if (file == QLatin1String(a.file) && f.name == a.function) {
            return &a;
        }
    }
    return nullptr;
}

std::string lines(int n, const char *line)
{
    std::string s;
    for (int i = 0; i < n; ++i) {
        s += line;
        s += '\n';
    }
    return s;
}

const FunctionSpan *find(const std::vector<FunctionSpan> &spans, const std::string &name)
{
    for (const FunctionSpan &f : spans) {
        if (f.name == name) {
            return &f;
        }
    }
    return nullptr;
}

} // namespace

class TestFunctionLengths : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void countsTheLinesBetweenTheBraces()
    {
        const std::string src = "int f(int a)\n{\n" + lines(90, "    a += 1;")
            + "    return a;\n}\n" + "void g() { }\n";
        const auto spans = functionSpans(src);
        QCOMPARE(spans.size(), std::size_t(2));
        QCOMPARE(spans[0].name, std::string("f"));
        QCOMPARE(spans[0].line, 2);
        QCOMPARE(spans[0].bodyLines, 91);
        QCOMPARE(spans[1].name, std::string("g"));
        QCOMPARE(spans[1].bodyLines, 0); // opening and closing brace on one line
    }

    void lambdasAndLocalBlocksBelongToTheirFunction()
    {
        const std::string src = "namespace a { namespace {\n"
                                "void f()\n{\n"
                                "    auto l = [](int x) {\n"
                                "        if (x) { return 1; }\n"
                                "        return 2;\n"
                                "    };\n"
                                "    struct Local { int g() { return 3; } };\n"
                                "}\n"
                                "} }\n";
        const auto spans = functionSpans(src);
        QCOMPARE(spans.size(), std::size_t(1));
        QCOMPARE(spans[0].name, std::string("f"));
        QCOMPARE(spans[0].bodyLines, 5);
    }

    void membersConstructorsAndTemplates()
    {
        const std::string src = "template <class T, typename U>\n"
                                "T twice(T t) { return t + t; }\n"
                                "class Panel : public QWidget\n{\n"
                                "    Q_OBJECT\n"
                                "public:\n"
                                "    int size() const override { return m_n; }\n"
                                "Q_SIGNALS:\n"
                                "    void changed();\n"
                                "private:\n"
                                "    int m_n = 0;\n"
                                "    std::vector<int> m_v { 1, 2 };\n"
                                "};\n"
                                "Panel::Panel(QWidget *parent)\n"
                                "    : QWidget(parent), m_n { 3 }, m_v({ 4 })\n"
                                "{\n    build();\n}\n"
                                "bool operator==(const A &a, const A &b) { return a.x == b.x; }\n";
        const auto spans = functionSpans(src);
        QVERIFY(find(spans, "twice"));
        QVERIFY(find(spans, "size"));
        QVERIFY(find(spans, "operator=="));
        const FunctionSpan *ctor = find(spans, "Panel::Panel");
        QVERIFY(ctor);
        QCOMPARE(ctor->line, 16);
        QCOMPARE(ctor->bodyLines, 1);
        QCOMPARE(spans.size(), std::size_t(4));
    }

    void dataCommentsAndLiteralsAreNotCode()
    {
        const std::string src = "Q_LOGGING_CATEGORY(lc, \"poolscope.x\")\n"
                                "namespace {\n"
                                "const Row kRows[] = {\n"
            + lines(100, "    { \"a{\", f(1) },")
            + "};\n"
              "enum class E : int { A, B };\n"
              "// void commented() {\n"
              "/* void blockComment() { */\n"
              "const char *s = R\"x(void raw() { )x\";\n"
              "char brace = '{';\n"
              "int big = 1'000'000;\n"
              "#define MACRO(x) { x }\n"
              "}\n"
              "void after() { }\n";
        const auto spans = functionSpans(src);
        QCOMPARE(spans.size(), std::size_t(1));
        QCOMPARE(spans[0].name, std::string("after"));
    }

    // The rule over the tree: every offender is listed with its place and length.
    void noFunctionInTheProductIsLongerThanTheLimit()
    {
        const QDir root(QStringLiteral(POOLSCOPE_SOURCE_DIR));
        QStringList offenders;
        QStringList allowedSeen;
        int functions = 0;
        for (const char *part : { "core", "ui", "app" }) {
            QDirIterator it(root.filePath(QLatin1String(part)),
                { QStringLiteral("*.cpp"), QStringLiteral("*.h") }, QDir::Files,
                QDirIterator::Subdirectories);
            while (it.hasNext()) {
                const QString path = it.next();
                QFile f(path);
                QVERIFY2(f.open(QIODevice::ReadOnly), qPrintable(path));
                const QString rel = root.relativeFilePath(path);
                const QByteArray text = f.readAll();
                for (const FunctionSpan &s : functionSpans(text.toStdString())) {
                    ++functions;
                    if (s.bodyLines <= kMaxBodyLines) {
                        continue;
                    }
                    if (allowed(rel, s)) {
                        allowedSeen << rel + u':' + QString::fromStdString(s.name);
                        continue;
                    }
                    offenders << QStringLiteral("%1:%2 %3: %4 lines")
                                     .arg(rel)
                                     .arg(s.line)
                                     .arg(QString::fromStdString(s.name))
                                     .arg(s.bodyLines);
                }
            }
        }
        // The scanner found the product's functions (not an empty walk that cannot fail).
        QVERIFY2(functions > 500, qPrintable(QString::number(functions)));
        QVERIFY2(offenders.isEmpty(),
            qPrintable(QStringLiteral("functions longer than %1 lines (split them, or add a data "
                                      "table to kAllowed with why):\n  %2")
                           .arg(kMaxBodyLines)
                           .arg(offenders.join(QStringLiteral("\n  ")))));
        // An allow-list entry that is no longer needed is stale: remove it.
        for (const Allowed &a : kAllowed) {
            const QString key = QLatin1String(a.file) + u':' + QLatin1String(a.function);
            QVERIFY2(allowedSeen.contains(key),
                qPrintable(key + QStringLiteral(" is allowed but is no longer over the limit")));
        }
    }
};

QTEST_GUILESS_MAIN(TestFunctionLengths)
#include "tst_style_function_lengths.moc"
