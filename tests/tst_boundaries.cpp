// core/ must stay a Qt Core + Network library: no Widgets, Charts or ui/ headers,
// and core/pool must stay sans-IO (no socket or timer headers).
#include <QDirIterator>
#include <QFile>
#include <QRegularExpression>
#include <QTest>

class TestBoundaries : public QObject
{
    Q_OBJECT

private:
    static QStringList includesOf(const QString &dir)
    {
        QStringList out;
        QDirIterator it(dir, {QStringLiteral("*.h"), QStringLiteral("*.cpp")}, QDir::Files,
                        QDirIterator::Subdirectories);
        static const QRegularExpression include(QStringLiteral("^\\s*[#]\\s*include\\s*[<\"]([^>\"]+)[>\"]"),
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
                out << QDir(dir).relativeFilePath(path) + QStringLiteral(": ") + m.next().captured(1);
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
        static const QRegularExpression forbidden(
            QStringLiteral(R"(: (QtWidgets|QtCharts|QtGui|ui/|Q(Widget|MainWindow|Application|Chart\w*|Painter|Pixmap|Image)\b))"));
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
        static const QRegularExpression forbidden(
            QStringLiteral(R"(: (QTcp\w*|QSsl\w*|QAbstractSocket|QTimer|QThread|QtNetwork|sys/socket\.h|netinet/.*|thread|chrono_io))"));
        QStringList bad;
        for (const QString &line : all) {
            if (forbidden.match(line).hasMatch()) {
                bad << line;
            }
        }
        QVERIFY2(bad.isEmpty(), qPrintable(bad.join(QLatin1Char('\n'))));
    }

    void coreLinksOnlyCoreAndNetwork()
    {
        QFile f(QStringLiteral(POOLSCOPE_SOURCE_DIR "/core/CMakeLists.txt"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(f.readAll());
        QVERIFY(text.contains(QStringLiteral("Qt6::Core Qt6::Network")));
        QVERIFY2(!text.contains(QStringLiteral("Qt6::Widgets")) && !text.contains(QStringLiteral("Qt6::Charts"))
                     && !text.contains(QStringLiteral("Qt6::Gui")),
                 "core/CMakeLists.txt must not link Widgets, Charts or Gui");
    }
};

QTEST_GUILESS_MAIN(TestBoundaries)
#include "tst_boundaries.moc"
