// core/pool/README.md indexes Go rule -> function -> test: every name it gives exists.
#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QTest>

namespace {

QString readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

bool containsWord(const QString &text, const QString &word)
{
    return text.contains(
        QRegularExpression(QStringLiteral("\\b%1\\b").arg(QRegularExpression::escape(word))));
}

// Backticked names in `cell`, e.g. "`Pool::getConn`, `Pool::transition` (`listIdle`)".
QStringList quotedNames(const QString &cell)
{
    static const QRegularExpression quoted(QStringLiteral("`([^`]+)`"));
    QStringList out;
    auto it = quoted.globalMatch(cell);
    while (it.hasNext()) {
        out << it.next().captured(1);
    }
    return out;
}

// Rows of the README's "| Go rule | Go | PoolScope | Test |" tables, as cells.
QList<QStringList> ruleRows(const QString &readme)
{
    QList<QStringList> rows;
    bool inTable = false;
    for (const QString &line : readme.split(QLatin1Char('\n'))) {
        if (line.startsWith(QLatin1String("| Go rule | Go | PoolScope | Test |"))) {
            inTable = true;
            continue;
        }
        if (!line.startsWith(QLatin1Char('|'))) {
            inTable = false;
            continue;
        }
        if (inTable && !line.startsWith(QLatin1String("|---"))) {
            QStringList cells = line.split(QLatin1Char('|'));
            rows << cells.mid(1, cells.size() - 2);
        }
    }
    return rows;
}

} // namespace

class TestPoolReadme : public QObject
{
    Q_OBJECT

    QString m_readme;
    QString m_poolSources;

private Q_SLOTS:
    void initTestCase()
    {
        const QString dir = QStringLiteral(POOLSCOPE_SOURCE_DIR "/core/pool");
        m_readme = readFile(dir + QStringLiteral("/README.md"));
        QVERIFY(!m_readme.isEmpty());
        for (const QString &name :
            QDir(dir).entryList({ QStringLiteral("*.h"), QStringLiteral("*.cpp") })) {
            m_poolSources += readFile(dir + QLatin1Char('/') + name);
        }
        QVERIFY(m_poolSources.contains(QLatin1String("class Pool final")));
        QVERIFY(ruleRows(m_readme).size() >= 25);
    }

    // transport::x and close_reasons::x name test functions of tests/tst_pool_*.cpp;
    // load_transport::x one of tests/tst_load_transport.cpp (rules the pool leaves to
    // its driver, such as the retry decision on a failed write).
    void citedTestsExist()
    {
        static const QRegularExpression cited(
            QStringLiteral("\\b(load_transport|transport|close_reasons)::(\\w+)"));
        int count = 0;
        auto it = cited.globalMatch(m_readme);
        while (it.hasNext()) {
            const auto m = it.next();
            const QString part = m.captured(1).startsWith(u"load_")
                ? m.captured(1)
                : QStringLiteral("pool_") + m.captured(1);
            const QString file = QStringLiteral(POOLSCOPE_SOURCE_DIR "/tests/tst_%1.cpp").arg(part);
            const QString source = readFile(file);
            QVERIFY2(!source.isEmpty(), qPrintable(file));
            QVERIFY2(source.contains(QStringLiteral("void %1()").arg(m.captured(2))),
                qPrintable(m.captured(0)));
            ++count;
        }
        QVERIFY(count >= 40);
    }

    // Every backticked name in a PoolScope column exists in core/pool.
    void citedFunctionsExist()
    {
        for (const QStringList &row : ruleRows(m_readme)) {
            for (QString name : quotedNames(row.at(2))) {
                name.remove(QStringLiteral("Pool::"));
                QVERIFY2(containsWord(m_poolSources, name), qPrintable(name));
            }
        }
        // Outside the tables too.
        static const QRegularExpression member(QStringLiteral("`Pool::(\\w+)`"));
        auto it = member.globalMatch(m_readme);
        while (it.hasNext()) {
            const QString name = it.next().captured(1);
            QVERIFY2(containsWord(m_poolSources, name), qPrintable(name));
        }
    }

    // Every backticked name in a Go column exists in Go 1.19's net/http (or net) sources.
    void citedGoNamesExist()
    {
        const QString goRoot = QStringLiteral("/usr/lib/go-1.19/src/net");
        const QString go = readFile(goRoot + QStringLiteral("/http/transport.go"))
            + readFile(goRoot + QStringLiteral("/http/request.go"))
            + readFile(goRoot + QStringLiteral("/dial.go"));
        if (go.isEmpty()) {
            QSKIP("Go 1.19 sources not installed");
        }
        static const QRegularExpression ident(QStringLiteral("[A-Za-z_]\\w*"));
        int count = 0;
        for (const QStringList &row : ruleRows(m_readme)) {
            for (const QString &name : quotedNames(row.at(1))) {
                auto it = ident.globalMatch(name); // wantConnQueue.cleanFront -> both parts
                while (it.hasNext()) {
                    const QString part = it.next().captured(0);
                    QVERIFY2(containsWord(go, part), qPrintable(part));
                    ++count;
                }
            }
        }
        QVERIFY(count >= 30);
    }
};

QTEST_GUILESS_MAIN(TestPoolReadme)
#include "tst_pool_readme.moc"
