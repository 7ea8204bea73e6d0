// core/ must stay a Qt Core + Network library: no Widgets, Charts or ui/ headers,
// and core/pool must stay sans-IO (no socket or timer headers).
#include <QDirIterator>
#include <QFile>
#include <QHash>
#include <QRegularExpression>
#include <QSet>
#include <QTest>

class TestBoundaries : public QObject
{
    Q_OBJECT

private:
    static QStringList includesOf(const QString &dir)
    {
        QStringList out;
        QDirIterator it(dir, { QStringLiteral("*.h"), QStringLiteral("*.cpp") }, QDir::Files,
            QDirIterator::Subdirectories);
        static const QRegularExpression include(
            QStringLiteral("^\\s*[#]\\s*include\\s*[<\"]([^>\"]+)[>\"]"),
            QRegularExpression::MultilineOption);
        while (it.hasNext()) {
            const QString path = it.next();
            QFile f(path);
            if (!f.open(QIODevice::ReadOnly)) {
                continue;
            }
            const QString text = QString::fromUtf8(f.readAll());
            auto m = include.globalMatch(text);
            while (m.hasNext()) {
                out << QDir(dir).relativeFilePath(path) + QStringLiteral(": ")
                        + m.next().captured(1);
            }
        }
        return out;
    }

private Q_SLOTS:
    void coreHasNoGuiIncludes()
    {
        const QString core = QStringLiteral(POOLSCOPE_SOURCE_DIR "/core");
        const QStringList all = includesOf(core);
        QVERIFY2(all.size() > 20, "the scan found the core sources");
        static const QRegularExpression forbidden(QStringLiteral(
            R"(: (QtWidgets|QtCharts|QtGui|ui/|Q(Widget|MainWindow|Application|Chart\w*|Painter|Pixmap|Image)\b))"));
        QStringList bad;
        for (const QString &line : all) {
            if (forbidden.match(line).hasMatch()) {
                bad << line;
            }
        }
        QVERIFY2(bad.isEmpty(), qPrintable(bad.join(QLatin1Char('\n'))));
    }

    void poolIsSansIo()
    {
        const QStringList all = includesOf(QStringLiteral(POOLSCOPE_SOURCE_DIR "/core/pool"));
        QVERIFY(!all.isEmpty());
        static const QRegularExpression forbidden(QStringLiteral(
            R"(: (QTcp\w*|QSsl\w*|QAbstractSocket|QTimer|QThread|QtNetwork|sys/socket\.h|netinet/.*|thread|chrono_io))"));
        QStringList bad;
        for (const QString &line : all) {
            if (forbidden.match(line).hasMatch()) {
                bad << line;
            }
        }
        QVERIFY2(bad.isEmpty(), qPrintable(bad.join(QLatin1Char('\n'))));
    }

    // Reads build/boundaries.txt, which CMake writes from the targets themselves:
    // "link <target>: a;b;c" (direct link libraries) and "include <target>: dirs".
    static QHash<QString, QStringList> boundaries(const QString &kind)
    {
        QFile f(QStringLiteral(POOLSCOPE_BINARY_DIR "/boundaries.txt"));
        if (!f.open(QIODevice::ReadOnly)) {
            return {};
        }
        QHash<QString, QStringList> out;
        const QString prefix = kind + u' ';
        for (const QByteArray &raw : f.readAll().split('\n')) {
            const QString line = QString::fromUtf8(raw);
            const qsizetype colon = line.indexOf(u':');
            if (!line.startsWith(prefix) || colon < 0) {
                continue;
            }
            QStringList items;
            for (QString item : line.mid(colon + 1).trimmed().split(u';', Qt::SkipEmptyParts)) {
                // $<LINK_ONLY:x> marks a private dependency of a static library.
                item.remove(QStringLiteral("$<LINK_ONLY:")).remove(u'>');
                items << item;
            }
            out.insert(line.mid(prefix.size(), colon - prefix.size()), items);
        }
        return out;
    }

    // Every library a target reaches through our own targets' link lines.
    static QSet<QString> reachable(const QHash<QString, QStringList> &links, const QString &from)
    {
        QSet<QString> seen;
        QStringList todo { from };
        while (!todo.isEmpty()) {
            const QString t = todo.takeLast();
            for (const QString &dep : links.value(t)) {
                if (!seen.contains(dep)) {
                    seen.insert(dep);
                    todo << dep;
                }
            }
        }
        return seen;
    }

    void coreLinksOnlyCoreAndNetwork()
    {
        const auto links = boundaries(QStringLiteral("link"));
        QVERIFY2(links.contains(QStringLiteral("poolscope_core")), "boundaries.txt was generated");
        for (auto it = links.begin(); it != links.end(); ++it) {
            if (it.key() == u"poolscope_ui") {
                continue;
            }
            for (const QString &dep : reachable(links, it.key())) {
                QVERIFY2(!dep.startsWith(u"Qt6::") || dep == u"Qt6::Core" || dep == u"Qt6::Network",
                    qPrintable(it.key() + QStringLiteral(" reaches ") + dep));
                QVERIFY2(dep != u"poolscope_ui", qPrintable(it.key()));
            }
        }
        // The sans-IO pool links no Qt at all; metrics and timing need no network.
        for (const QString &dep : reachable(links, QStringLiteral("poolscope_pool"))) {
            QVERIFY2(!dep.startsWith(u"Qt"), qPrintable(dep));
        }
        QVERIFY(!reachable(links, QStringLiteral("poolscope_metrics"))
                     .contains(QStringLiteral("Qt6::Network")));
        QVERIFY(!reachable(links, QStringLiteral("poolscope_timing"))
                     .contains(QStringLiteral("Qt6::Network")));
        if (links.contains(QStringLiteral("poolscope_ui"))) {
            const QSet<QString> ui = reachable(links, QStringLiteral("poolscope_ui"));
            QVERIFY(ui.contains(QStringLiteral("Qt6::Widgets"))
                && ui.contains(QStringLiteral("Qt6::Charts")));
        }
    }

    // Each core part publishes one staging directory that holds only itself, never
    // the core/ source root, so a part cannot include another part's headers
    // without linking it; the other parts' directories it sees are those it links.
    void partsPublishOnlyTheirOwnHeaders()
    {
        const auto includes = boundaries(QStringLiteral("include"));
        const auto links = boundaries(QStringLiteral("link"));
        const QString sourceRoot = QStringLiteral(POOLSCOPE_SOURCE_DIR "/core");
        int parts = 0;
        for (auto it = includes.begin(); it != includes.end(); ++it) {
            const QString part = it.key().mid(qstrlen("poolscope_"));
            if (part == u"core" || part == u"ui") {
                continue;
            }
            ++parts;
            const QSet<QString> linked = reachable(links, it.key());
            int own = 0;
            for (const QString &dir : it.value()) {
                QVERIFY2(QDir(dir) != QDir(sourceRoot), qPrintable(it.key()));
                const qsizetype at = dir.indexOf(QStringLiteral("/core/include/"));
                if (at < 0) {
                    continue;
                }
                const QString other = dir.mid(at + qstrlen("/core/include/"));
                if (other == part) {
                    ++own;
                    QCOMPARE(QDir(dir).entryList(QDir::AllEntries | QDir::NoDotAndDotDot),
                        QStringList { part });
                } else {
                    QVERIFY2(linked.contains(QStringLiteral("poolscope_") + other),
                        qPrintable(it.key() + QStringLiteral(" sees ") + other));
                }
            }
            QVERIFY2(own == 1, qPrintable(it.key()));
        }
        QVERIFY(parts >= 9);
    }
};

QTEST_GUILESS_MAIN(TestBoundaries)
#include "tst_boundaries.moc"
