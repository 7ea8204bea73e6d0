// Ready for translation: every text ui/*.cpp hands to a widget goes through tr() (or
// QCoreApplication::translate / a QT_*_NOOP marker for the tables). A heuristic, checked on
// itself: a call that shows text (setText, setToolTip, a QLabel, QMessageBox ...) whose text
// argument is a bare literal with a word in it is an untranslated string.
#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QTest>

namespace {

// Calls whose first argument is text a user reads.
const char *const kShowsText
    = R"((?:setText|setToolTip|setStatusTip|setWhatsThis|setWindowTitle|setPlaceholderText|)"
      R"(showMessage|addItem|addItems|setTitle|setNote|setLabelText|addAction|addMenu|)"
      R"(setEntryText|setTabText|setHeaderLabels|setSuffix|setPrefix|setSpecialValueText|)"
      R"(new\s+Q(?:Label|PushButton|ToolButton|CheckBox|RadioButton|GroupBox|Action|Menu|)"
      R"(DockWidget|ToolBar)))";
// A literal, bare or in one of Qt's literal wrappers.
const char *const kLiteral
    = R"re((?:QStringLiteral\(|QLatin1String\(|QString::fromLatin1\(|QString::fromUtf8\(|)re"
      R"re(QStringList\s*\{\s*|\{\s*)?u?"((?:[^"\\]|\\.)*)")re";

QString withoutComments(QString text)
{
    static const QRegularExpression block(
        QStringLiteral(R"(/\*.*?\*/)"), QRegularExpression::DotMatchesEverythingOption);
    static const QRegularExpression line(QStringLiteral(R"(//[^\n]*)"));
    text.remove(block);
    return text.remove(line);
}

// Untranslated texts in `source`: "line: text" each.
QStringList untranslated(const QString &source)
{
    static const QRegularExpression call(
        QStringLiteral(R"(%1\s*\(\s*%2)").arg(QLatin1String(kShowsText), QLatin1String(kLiteral)));
    // QMessageBox::information(parent, title, text): title and text.
    static const QRegularExpression box(
        QStringLiteral(R"(QMessageBox::\w+\s*\([^,;]+,\s*%1)").arg(QLatin1String(kLiteral)));
    static const QRegularExpression word(QStringLiteral("[A-Za-z]{2,}"));
    QStringList found;
    const QString text = withoutComments(source);
    for (const QRegularExpression *re : { &call, &box }) {
        for (auto it = re->globalMatch(text); it.hasNext();) {
            const QRegularExpressionMatch m = it.next();
            if (word.match(m.captured(1)).hasMatch()) {
                const int line = int(text.left(m.capturedStart()).count(u'\n')) + 1;
                found << QStringLiteral("%1: %2").arg(line).arg(m.captured(0).simplified());
            }
        }
    }
    return found;
}

} // namespace

class TestUiTranslatable : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // The heuristic finds what it is for, and lets tr() and symbols pass.
    void theCheckCatchesABareLiteral()
    {
        const QString bad
            = QStringLiteral("label->setText(QStringLiteral(\"Start the run\"));\n"
                             "b->setToolTip(\"Stop\");\n"
                             "auto *l = new QLabel(QStringLiteral(\"Target URL\"), this);\n"
                             "QMessageBox::warning(this, QStringLiteral(\"Oops\"), tr(\"x\"));\n");
        QCOMPARE(untranslated(bad).size(), 4);
        const QString good = QStringLiteral("label->setText(tr(\"Start the run\"));\n"
                                            "m_reset->setText(QStringLiteral(\"↺\"));\n"
                                            "x->setText(QStringLiteral(\"%1 %2\").arg(a, b));\n"
                                            "// setText(QStringLiteral(\"in a comment\"));\n");
        QVERIFY2(untranslated(good).isEmpty(), qPrintable(untranslated(good).join(u'\n')));
    }

    void everyShownTextInUiGoesThroughTr()
    {
        const QDir ui(QStringLiteral(POOLSCOPE_SOURCE_DIR "/ui"));
        const QStringList files = ui.entryList({ QStringLiteral("*.cpp") }, QDir::Files);
        QVERIFY2(files.size() >= 10, "the ui sources were found");
        QStringList problems;
        qsizetype trCalls = 0;
        static const QRegularExpression trCall(
            QStringLiteral(R"(\b(?:tr|translate|QT_TR_NOOP|QT_TRANSLATE_NOOP|knobTr)\s*\()"));
        for (const QString &name : files) {
            QFile f(ui.filePath(name));
            QVERIFY(f.open(QIODevice::ReadOnly));
            const QString source = QString::fromUtf8(f.readAll());
            trCalls += source.count(trCall);
            for (const QString &p : untranslated(source)) {
                problems << name + u':' + p;
            }
        }
        // Not vacuous: the window's texts are there, and they are translated.
        QVERIFY2(trCalls > 300, qPrintable(QString::number(trCalls)));
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));
    }
};

QTEST_GUILESS_MAIN(TestUiTranslatable)
#include "tst_ui_translatable.moc"
