// Every claim the README makes about flags is checked: each `--flag` it names
// is offered by some command's --help (run, serve, lab or the window's) or by
// the script the README runs it with, and
// each preset name it lists is a built-in preset.
#include "scenario/presets.h"

#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QTest>

using namespace poolscope;

class TestCliReadme final : public QObject
{
    Q_OBJECT

    QString m_readme;
    QString m_help; // every command's --help, concatenated, and the scripts' own flags

    static QString helpOf(const QString &bin, const QStringList &args)
    {
        QProcess p;
        p.start(bin, args);
        if (!p.waitForFinished(30000)) {
            return {};
        }
        return QString::fromUtf8(p.readAllStandardOutput() + p.readAllStandardError());
    }

private Q_SLOTS:
    void initTestCase()
    {
        QFile f(QStringLiteral(POOLSCOPE_SOURCE_DIR "/README.md"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        m_readme = QString::fromUtf8(f.readAll());
        const QString bin = qEnvironmentVariable("POOLSCOPE_BIN");
        QVERIFY2(
            !bin.isEmpty() && QFile::exists(bin), "POOLSCOPE_BIN must name the poolscope binary");
        for (const QStringList &args : { QStringList { QStringLiteral("--help") },
                 QStringList { QStringLiteral("--help-gui") },
                 QStringList { QStringLiteral("run"), QStringLiteral("--help") },
                 QStringList { QStringLiteral("serve"), QStringLiteral("--help") },
                 QStringList { QStringLiteral("lab"), QStringLiteral("--help") } }) {
            const QString help = helpOf(bin, args);
            QVERIFY2(help.contains(u"--"), qPrintable(args.join(u' ')));
            m_help += help;
        }
        // The README's scripts take a few flags of their own (bench/run.sh --quick).
        for (const char *script : { "/bench/run.sh", "/scripts/test.sh", "/scripts/run.sh" }) {
            QFile f(QStringLiteral(POOLSCOPE_SOURCE_DIR) + QLatin1String(script));
            if (f.open(QIODevice::ReadOnly)) {
                m_help += QString::fromUtf8(f.readAll());
            }
        }
    }

    void everyFlagTheReadmeNamesExists()
    {
        // Flags in backticks or code blocks: "--name", followed by a space, =, `, | or ).
        static const QRegularExpression flag(QStringLiteral(R"((?<![\w-])--([a-z][a-z0-9-]*))"));
        QSet<QString> named;
        for (auto it = flag.globalMatch(m_readme); it.hasNext();) {
            named.insert(it.next().captured(1));
        }
        QVERIFY2(named.size() > 40, "the README's flags were found");
        QStringList missing;
        for (const QString &name : std::as_const(named)) {
            static const QString kHelpWord = QStringLiteral("--%1");
            const QRegularExpression inHelp(
                QStringLiteral(R"((?<![\w-])%1(?![\w-]))")
                    .arg(QRegularExpression::escape(kHelpWord.arg(name))));
            if (!inHelp.match(m_help).hasMatch()) {
                missing << name;
            }
        }
        missing.sort();
        QVERIFY2(missing.isEmpty(),
            qPrintable(QStringLiteral("README names flags no --help offers: --")
                + missing.join(QStringLiteral(", --"))));
    }

    void everyPresetTheReadmeListsExists()
    {
        // The GUI flags table lists the presets as `--preset NAME: `a`, `b`, ...`.
        const qsizetype at = m_readme.indexOf(QStringLiteral("| `--preset NAME` |"));
        QVERIFY(at >= 0);
        const QString row = m_readme.mid(at, m_readme.indexOf(u'\n', at) - at);
        static const QRegularExpression name(QStringLiteral("`([a-z][a-z0-9-]+)`"));
        int listed = 0;
        for (auto it = name.globalMatch(row); it.hasNext();) {
            const QString id = it.next().captured(1);
            QVERIFY2(findPreset(id), qPrintable(id));
            ++listed;
        }
        QCOMPARE(listed, int(builtinPresets().size()));
    }
};

QTEST_GUILESS_MAIN(TestCliReadme)
#include "tst_cli_readme.moc"
