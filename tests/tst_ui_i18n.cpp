// The Simplified Chinese window (resources/i18n/poolscope_zh_CN.ts): every message of the
// sources translated, the translations keep what a user searches for or the code fills in
// (placeholders, Go names, numbers, markup), the window built with the zh_CN translator
// shows Chinese where a user looks first, and at 1024x768 the Chinese texts still fit.
#include "chart_canvas.h"
#include "chart_legend.h"
#include "charts_panel.h"
#include "close_reason_text.h"
#include "gui_main.h"
#include "knob_widget.h"
#include "language.h"
#include "main_window.h"
#include "preset_text.h"
#include "settings_panel.h"
#include "support/chart_texts.h"
#include "support/save_shot.h"

#include <QAbstractButton>
#include <QAction>
#include <QChart>
#include <QComboBox>
#include <QDockWidget>
#include <QFile>
#include <QFontDatabase>
#include <QGraphicsScene>
#include <QGraphicsSimpleTextItem>
#include <QGraphicsTextItem>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QProcess>
#include <QPushButton>
#include <QRegularExpression>
#include <QScrollArea>
#include <QSettings>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>
#include <QXmlStreamReader>

using namespace poolscope;
using testsupport::saveShot;

namespace {

const char kTsFile[] = POOLSCOPE_SOURCE_DIR "/resources/i18n/poolscope_zh_CN.ts";
const char kRefresh[]
    = "run scripts/update-translations.sh, translate the entries it lists in "
      "resources/i18n/poolscope_zh_CN.ts (Qt Linguist, or fill <translation> and drop "
      "type=\"unfinished\"), rebuild";

struct Message
{
    QString context;
    QString source;
    QStringList translations; // one, or a numerus message's forms
    QString type; // the translation's type attribute: "" when finished
    bool numerus = false;
};

QList<Message> readTs(QString *error)
{
    QFile f(QString::fromLatin1(kTsFile));
    if (!f.open(QIODevice::ReadOnly)) {
        *error = f.errorString();
        return {};
    }
    QList<Message> out;
    QString context;
    QXmlStreamReader xml(&f);
    while (!xml.atEnd()) {
        if (xml.readNext() != QXmlStreamReader::StartElement) {
            continue;
        }
        const auto name = xml.name();
        if (name == u"name") {
            context = xml.readElementText();
        } else if (name == u"message") {
            out.append({ context, {}, {}, {},
                xml.attributes().value(QLatin1String("numerus")) == u"yes" });
        } else if (name == u"source") {
            out.last().source = xml.readElementText();
        } else if (name == u"translation") {
            out.last().type = xml.attributes().value(QLatin1String("type")).toString();
            if (!out.last().numerus) { // else <numerusform> elements follow
                out.last().translations << xml.readElementText();
            }
        } else if (name == u"numerusform") {
            out.last().translations << xml.readElementText();
        }
    }
    if (xml.hasError()) {
        *error = xml.errorString();
    }
    return out;
}

// Every match of `re` in `text`, sorted: a multiset to compare.
QStringList matches(const QRegularExpression &re, const QString &text)
{
    QStringList out;
    for (auto it = re.globalMatch(text); it.hasNext();) {
        out << it.next().captured(0);
    }
    out.sort();
    return out;
}

// What a translation must carry over from its source; "" when it does.
QString lostInTranslation(const QString &source, const QString &translation)
{
    // %1..%99 and %n: QString::arg and tr()'s plural fill them in.
    static const QRegularExpression placeholder(QStringLiteral(R"(%(?:\d+|n))"));
    // HTML tags: the help and the tooltips are rich text.
    static const QRegularExpression tag(QStringLiteral(R"(</?[a-z0-9]+>)"));
    // Go names users search for: MaxIdleConnsPerHost, errTooManyIdleHost, resp.Body,
    // TIME_WAIT, SETTINGS_MAX_CONCURRENT_STREAMS, GOAWAY, GOMAXPROCS ...
    static const QRegularExpression goName(QStringLiteral(
        R"((?<![\w.])(?:[A-Za-z0-9]+\.)*(?:[a-z]+[A-Z]\w*|[A-Z][a-z0-9]+[A-Z]\w*|[A-Z][A-Z0-9]*_[A-Z0-9_]+|GOAWAY|GOMAXPROCS|EOF|ETIMEDOUT))"));
    static const QRegularExpression number(QStringLiteral(R"(\d+(?:\.\d+)?)"));
    if (matches(placeholder, source) != matches(placeholder, translation)) {
        return QStringLiteral("placeholders %1, translated %2")
            .arg(matches(placeholder, source).join(u' '),
                matches(placeholder, translation).join(u' '));
    }
    if (matches(tag, source) != matches(tag, translation)) {
        return QStringLiteral("markup differs");
    }
    for (const QString &name : matches(goName, source)) {
        if (!translation.contains(name)) {
            return QStringLiteral("Go name %1 missing").arg(name);
        }
    }
    QStringList inTranslation = matches(number, translation);
    for (const QString &n : matches(number, source)) {
        if (!inTranslation.removeOne(n)) {
            return QStringLiteral("number %1 missing").arg(n);
        }
    }
    return {};
}

bool hasHan(const QString &text)
{
    static const QRegularExpression han(QStringLiteral(R"(\p{Han})"));
    return han.match(text).hasMatch();
}

using testsupport::elided;
using testsupport::sceneTexts;

constexpr ChartsPanel::Chart kCharts[] = { ChartsPanel::Chart::Connections,
    ChartsPanel::Chart::DialsCloses, ChartsPanel::Chart::Kernel, ChartsPanel::Chart::Latency };

// tst_ui_chart_layout's checks of the texts: titles and legend entries not clipped, no
// elided axis label, the plot areas lined up.
QStringList chartTextProblems(ChartsPanel &panel)
{
    QStringList problems;
    const QRectF first = panel.chart(ChartsPanel::Chart::Connections)->plotArea();
    for (ChartsPanel::Chart c : kCharts) {
        const int n = static_cast<int>(c);
        const QRectF plot = panel.chart(c)->plotArea();
        if (std::abs(plot.left() - first.left()) > 0.01
            || std::abs(plot.right() - first.right()) > 0.01) {
            problems << QStringLiteral("chart %1 plot not lined up").arg(n);
        }
        for (const QString &t : sceneTexts(panel.chart(c))) {
            if (elided(t)) {
                problems << QStringLiteral("chart %1 axis label elided: %2").arg(n).arg(t);
            }
        }
        problems << testsupport::legendProblems(panel, c);
    }
    return problems;
}

// 30 s of the storm: every chart has data, every series a legend entry.
void feedStorm(ChartsPanel &panel)
{
    panel.setLimits(2, 0);
    std::uint64_t dials = 0;
    std::uint64_t reqs = 0;
    for (int i = 1; i <= 300; ++i) {
        EngineSnapshot s;
        s.time = std::chrono::duration_cast<TimePoint>(std::chrono::duration<double>(i * 0.1));
        s.running = true;
        s.pool.now.active = i % 9;
        s.pool.now.idle = 2;
        s.pool.now.waiting = i % 3;
        dials += 80;
        reqs += 150;
        s.pool.dials = dials;
        s.pool.gets = reqs;
        s.pool.closesByReason[static_cast<std::size_t>(CloseReason::TooManyIdleHost)] = dials - 2;
        s.requestsDone = reqs;
        s.successes = reqs;
        s.latencyWindow = { 1.2, 1.6, 2.5, 4, 90 };
        s.kernel.available = true;
        s.kernel.counts.byState[static_cast<std::size_t>(TcpState::TimeWait)]
            = static_cast<int>(dials);
        s.kernel.counts.byState[static_cast<std::size_t>(TcpState::Established)] = 9;
        panel.addSnapshot(s);
    }
    panel.refresh();
}

void settle(QWidget *w)
{
    for (int i = 0; i < 3; ++i) {
        QCoreApplication::sendPostedEvents();
        QCoreApplication::processEvents();
    }
    w->grab();
}

} // namespace

class TestUiI18n : public QObject
{
    Q_OBJECT

    QTemporaryDir m_config;

private Q_SLOTS:
    void initTestCase()
    {
        // View > Language writes QSettings: into a scratch directory, not the user's.
        QVERIFY(m_config.isValid());
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_config.path());
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_config.path());
        QCOMPARE(currentLanguage(), QStringLiteral("en"));
        QVERIFY2(installTranslators(QStringLiteral("zh_CN")),
            "the zh_CN translation is embedded (:/i18n/poolscope_zh_CN.qm)");
        QCOMPARE(currentLanguage(), QStringLiteral("zh_CN"));
    }

    // The .ts holds every text of the sources, each one translated.
    void everyMessageIsTranslated()
    {
        QString error;
        const QList<Message> messages = readTs(&error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY2(messages.size() > 500, qPrintable(QString::number(messages.size())));
        QStringList unfinished;
        for (const Message &m : messages) {
            const bool empty = std::any_of(m.translations.cbegin(), m.translations.cend(),
                [](const QString &t) { return t.trimmed().isEmpty(); });
            if (!m.type.isEmpty() || m.translations.isEmpty() || empty) {
                unfinished << QStringLiteral("[%1] %2").arg(m.context, m.source.left(80));
            }
        }
        QVERIFY2(unfinished.isEmpty(),
            qPrintable(QStringLiteral("%1 untranslated: %2; %3")
                           .arg(unfinished.size())
                           .arg(unfinished.mid(0, 10).join(QStringLiteral("; ")),
                               QLatin1String(kRefresh))));
    }

    // Texts added to the code since the .ts was last refreshed: lupdate over the sources
    // (what scripts/update-translations.sh --check does) finds none the .ts lacks.
    void theTsIsCurrentWithTheSources()
    {
        QProcess p;
        p.setProcessChannelMode(QProcess::MergedChannels);
        p.start(QStringLiteral("bash"),
            { QStringLiteral(POOLSCOPE_SOURCE_DIR "/scripts/update-translations.sh"),
                QStringLiteral("--check") });
        QVERIFY(p.waitForFinished(120000));
        const QString out = QString::fromUtf8(p.readAll());
        QVERIFY2(p.exitCode() != 2, qPrintable(out));
        QVERIFY2(p.exitCode() == 0,
            qPrintable(QStringLiteral("texts in the code that the .ts lacks or leaves "
                                      "untranslated:\n%1\n%2")
                           .arg(out, QLatin1String(kRefresh))));
    }

    void translationsKeepPlaceholdersGoNamesAndNumbers()
    {
        QString error;
        QStringList problems;
        for (const Message &m : readTs(&error)) {
            for (const QString &t : m.translations) {
                if (const QString lost = lostInTranslation(m.source, t); !lost.isEmpty()) {
                    problems << QStringLiteral("[%1] \"%2\": %3")
                                    .arg(m.context, m.source.left(60), lost);
                }
            }
        }
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));
        // The check itself catches what it is for.
        QVERIFY(!lostInTranslation(QStringLiteral("idle cap %1"), QStringLiteral("空闲上限"))
                     .isEmpty());
        QVERIFY(!lostInTranslation(
            QStringLiteral("raise MaxIdleConnsPerHost"), QStringLiteral("提高每主机空闲上限"))
                     .isEmpty());
        QVERIFY(!lostInTranslation(QStringLiteral("held 60 s"), QStringLiteral("占用 1 分钟"))
                     .isEmpty());
        QVERIFY(lostInTranslation(
            QStringLiteral("%1 of %2 (TIME_WAIT)"), QStringLiteral("%2 中的 %1（TIME_WAIT）"))
                    .isEmpty());
    }

    void languageFollowsFlagThenMenuThenSystem()
    {
        const QLocale china(QLocale::Chinese, QLocale::SimplifiedChineseScript, QLocale::China);
        const QLocale taiwan(QLocale::Chinese, QLocale::TraditionalChineseScript, QLocale::Taiwan);
        const QLocale us(QLocale::English, QLocale::UnitedStates);
        QCOMPARE(chooseLanguage({}, {}, china), QStringLiteral("zh_CN"));
        QCOMPARE(chooseLanguage({}, {}, QLocale(QStringLiteral("zh_SG"))), QStringLiteral("zh_CN"));
        QCOMPARE(chooseLanguage({}, {}, us), QStringLiteral("en"));
        QCOMPARE(chooseLanguage({}, {}, QLocale(QLocale::German)), QStringLiteral("en"));
        QCOMPARE(chooseLanguage({}, {}, taiwan), QStringLiteral("en"));
        QCOMPARE(chooseLanguage({}, QStringLiteral("zh_CN"), us), QStringLiteral("zh_CN"));
        QCOMPARE(chooseLanguage({}, QStringLiteral("en"), china), QStringLiteral("en"));
        QCOMPARE(chooseLanguage(QStringLiteral("en"), QStringLiteral("zh_CN"), china),
            QStringLiteral("en"));
        QCOMPARE(chooseLanguage(QStringLiteral("zh_CN"), QStringLiteral("en"), us),
            QStringLiteral("zh_CN"));

        QString error;
        auto o = parseGuiFlags({ QStringLiteral("--lang"), QStringLiteral("zh_CN") }, &error);
        QVERIFY2(o, qPrintable(error));
        QCOMPARE(o->language, QStringLiteral("zh_CN"));
        QVERIFY(parseGuiFlags({}, &error)->language.isEmpty());
        QVERIFY(!parseGuiFlags({ QStringLiteral("--lang"), QStringLiteral("fr") }, &error));
        QVERIFY2(
            error.contains(QStringLiteral("--lang")) && error.contains(QStringLiteral("zh_CN")),
            qPrintable(error));
        QVERIFY(guiHelp().contains(QStringLiteral("\n  --lang LANG")));
    }

    // What a user looks at first is Chinese, the Go names in it are not.
    void windowSpeaksChinese()
    {
        MainWindow w;
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY2(hasHan(w.windowTitle()), qPrintable(w.windowTitle()));
        QVERIFY(w.windowTitle().contains(QStringLiteral("http.Transport")));
        const QList<QAction *> menus = w.menuBar()->actions();
        QVERIFY(menus.size() >= 6);
        for (QAction *m : menus) {
            QVERIFY2(hasHan(m->text()), qPrintable(m->text()));
        }
        for (ChartsPanel::Chart c : kCharts) {
            const QString title = w.charts()->legend(c)->titleLabel()->text();
            QVERIFY2(hasHan(title), qPrintable(title));
        }
        QVERIFY(w.charts()
                    ->legend(ChartsPanel::Chart::Kernel)
                    ->titleLabel()
                    ->text()
                    .contains(QStringLiteral("TIME_WAIT")));
        QVERIFY2(hasHan(w.startButton()->text()), qPrintable(w.startButton()->text()));
        QVERIFY2(
            hasHan(w.settingsDock()->windowTitle()), qPrintable(w.settingsDock()->windowTitle()));
        // The preset's explanation, its Go names kept.
        QVERIFY2(hasHan(w.explanationText()), qPrintable(w.explanationText()));
        QVERIFY(w.explanationText().contains(QStringLiteral("MaxIdleConnsPerHost")));
        QVERIFY(w.explanationText().contains(QStringLiteral("errTooManyIdleHost")));
        // Knobs: a PoolScope knob's label is translated, a Go field's name is not, and the
        // tooltips are Chinese with the Go error name in them.
        KnobWidget *think = w.settings()->knob(QStringLiteral("load.think"));
        QVERIFY(think);
        QVERIFY2(hasHan(think->title()), qPrintable(think->title()));
        KnobWidget *idle = w.settings()->knob(QStringLiteral("MaxIdleConnsPerHost"));
        QVERIFY(idle);
        QCOMPARE(idle->title(), QStringLiteral("MaxIdleConnsPerHost"));
        QVERIFY2(hasHan(idle->toolTip()) && idle->toolTip().contains(u"errTooManyIdleHost"),
            qPrintable(idle->toolTip()));
        // Close reasons in the charts' legends, presets in their menu.
        QVERIFY(hasHan(closeReasonText(CloseReason::TooManyIdleHost)));
        // Every preset's explanation; a title only Go names ("Go DefaultTransport") stays.
        static const QRegularExpression goNamesOnly(
            QStringLiteral(R"(^[A-Z][\w.{}&]*(?: [A-Z][\w.{}&]*)*$)"));
        for (const Preset &p : builtinPresets()) {
            QVERIFY2(hasHan(presetText(p.explanation)), qPrintable(p.id));
            QVERIFY2(hasHan(presetText(p.title)) || goNamesOnly.match(p.title).hasMatch(),
                qPrintable(p.id));
        }
        QCOMPARE(QCoreApplication::translate("poolscope::MainWindow",
                     "Your changes to %n knob(s) are discarded: %1.", nullptr, 3),
            QStringLiteral("你对 3 个参数的修改将被丢弃：%1。"));
        // The CJK glyphs exist: a font covering Simplified Chinese is installed
        // (fonts-wqy-microhei, scripts/install-deps.sh); without one Qt draws boxes.
        QVERIFY2(!QFontDatabase::families(QFontDatabase::SimplifiedChinese).isEmpty(),
            "no font for Simplified Chinese: install fonts-wqy-microhei");
    }

    void languageMenuSavesTheChoice()
    {
        MainWindow w;
        auto *menu = w.menuBar()->findChild<QMenu *>(QStringLiteral("languageMenu"));
        QVERIFY(menu);
        QVERIFY2(menu->title().contains(QStringLiteral("Language")), qPrintable(menu->title()));
        QVERIFY(hasHan(menu->title()));
        QAction *system = menu->findChild<QAction *>(QStringLiteral("language_system"));
        QAction *en = menu->findChild<QAction *>(QStringLiteral("language_en"));
        QAction *zh = menu->findChild<QAction *>(QStringLiteral("language_zh_CN"));
        QVERIFY(system && en && zh);
        QCOMPARE(zh->text(), QStringLiteral("简体中文"));
        QCOMPARE(en->text(), QStringLiteral("English"));
        QVERIFY(system->isChecked());
        en->trigger();
        QCOMPARE(savedLanguage(), QStringLiteral("en"));
        QVERIFY(en->isChecked() && !zh->isChecked());
        // The window says when the choice takes effect, in the language it speaks now.
        QVERIFY2(w.statusBar()->currentMessage().contains(QStringLiteral("English")),
            qPrintable(w.statusBar()->currentMessage()));
        QVERIFY(hasHan(w.statusBar()->currentMessage()));
        zh->trigger();
        QCOMPARE(savedLanguage(), QStringLiteral("zh_CN"));
        system->trigger();
        QVERIFY(savedLanguage().isEmpty());
    }

    // A projector at 1024x768: the Chinese window fits, no chart text clipped or elided,
    // the menus all on the bar, with and without the bottom docks.
    void chineseFitsAt1024x768()
    {
        MainWindow w;
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        const QSize window = QSize(1024, 768) - QSize(8, 36); // a window manager's frame
        const QSize min = w.minimumSizeHint();
        QVERIFY2(min.width() <= window.width() && min.height() <= window.height(),
            qPrintable(QStringLiteral("minimum %1x%2").arg(min.width()).arg(min.height())));
        feedStorm(*w.charts());
        for (const bool docks : { false, true }) {
            w.connectionsDock()->setVisible(docks);
            w.resize(window);
            settle(&w);
            w.charts()->refresh();
            settle(&w);
            QCOMPARE(w.size(), window);
            QStringList problems = chartTextProblems(*w.charts());
            const QList<QAction *> menus = w.menuBar()->actions();
            const QRect last = w.menuBar()->actionGeometry(menus.last());
            if (!w.menuBar()->rect().contains(last)) {
                problems << QStringLiteral("menu %1 off the bar").arg(menus.last()->text());
            }
            for (QWidget *part :
                { static_cast<QWidget *>(w.startButton()), static_cast<QWidget *>(w.helpButton()),
                    static_cast<QWidget *>(w.statusBar()) }) {
                if (!part->isVisibleTo(&w)
                    || !w.rect().contains(QRect(part->mapTo(&w, QPoint(0, 0)), part->size()))) {
                    problems
                        << QStringLiteral("%1 off the window").arg(part->metaObject()->className());
                }
            }
            QVERIFY2(problems.isEmpty(),
                qPrintable(QStringLiteral("docks %1: %2")
                               .arg(docks)
                               .arg(problems.join(QStringLiteral("; ")))));
            saveShot(&w, docks ? "i18n_zh_CN_1024x768_docks" : "i18n_zh_CN_1024x768");
        }
    }

    // No CJK font (fontconfig sees DejaVu only): the window starts in English and says why,
    // rather than showing a box for every character.
    void withoutACjkFontTheWindowStaysEnglish()
    {
        const QString bin = qEnvironmentVariable("POOLSCOPE_BIN");
        QVERIFY2(QFile::exists(bin), "POOLSCOPE_BIN names the poolscope binary");
        QTemporaryDir dir;
        QFile conf(dir.filePath(QStringLiteral("fonts.conf")));
        QVERIFY(conf.open(QIODevice::WriteOnly));
        conf.write(QStringLiteral("<?xml version=\"1.0\"?><!DOCTYPE fontconfig SYSTEM "
                                  "\"fonts.dtd\"><fontconfig><dir>/usr/share/fonts/truetype/"
                                  "dejavu</dir><cachedir>%1</cachedir></fontconfig>")
                       .arg(dir.filePath(QStringLiteral("cache")))
                       .toUtf8());
        conf.close();
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("FONTCONFIG_FILE"), conf.fileName());
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), dir.path()); // no saved language
        p.setProcessEnvironment(env);
        const QString shot = dir.filePath(QStringLiteral("window.png"));
        p.start(bin,
            { QStringLiteral("--lang"), QStringLiteral("zh_CN"), QStringLiteral("--screenshot"),
                shot, QStringLiteral("--after"), QStringLiteral("200ms") });
        QVERIFY(p.waitForFinished(60000));
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QCOMPARE(p.exitCode(), 0);
        QVERIFY2(err.contains(QStringLiteral("no font for Simplified Chinese")), qPrintable(err));
        QVERIFY(QFile::exists(shot));
    }

    // The CLI stays English whatever the locale.
    void cliStaysEnglish()
    {
        const QString bin = qEnvironmentVariable("POOLSCOPE_BIN");
        QVERIFY2(QFile::exists(bin), "POOLSCOPE_BIN names the poolscope binary");
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("LANG"), QStringLiteral("zh_CN.UTF-8"));
        env.insert(QStringLiteral("LC_ALL"), QStringLiteral("zh_CN.UTF-8"));
        p.setProcessEnvironment(env);
        p.start(bin, { QStringLiteral("run"), QStringLiteral("--help") });
        QVERIFY(p.waitForFinished(30000));
        const QString help = QString::fromUtf8(p.readAllStandardOutput());
        QVERIFY(help.contains(QStringLiteral("--max-idle-conns-per-host")));
        QVERIFY2(!hasHan(help), qPrintable(help.left(400)));
    }
};

QTEST_MAIN(TestUiI18n)
#include "tst_ui_i18n.moc"
