#include "language.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QFontDatabase>
#include <QLibraryInfo>
#include <QMainWindow>
#include <QMenu>
#include <QSettings>
#include <QStatusBar>
#include <QTranslator>

namespace poolscope {

namespace {

const char kSettingsKey[] = "ui/language";
QString g_current = QStringLiteral("en");

QSettings settings()
{
    return QSettings(QStringLiteral("poolscope"), QStringLiteral("poolscope"));
}

// A language's name in itself, so that a reader finds their own whatever the window speaks.
QString nativeName(const QString &language)
{
    return language == u"zh_CN" ? QStringLiteral("简体中文") : QStringLiteral("English");
}

} // namespace

QStringList windowLanguages()
{
    return { QStringLiteral("en"), QStringLiteral("zh_CN") };
}

QString chooseLanguage(const QString &requested, const QString &saved, const QLocale &system)
{
    for (const QString &l : { requested, saved }) {
        if (windowLanguages().contains(l)) {
            return l;
        }
    }
    if (system.language() == QLocale::Chinese
        && system.script() != QLocale::TraditionalChineseScript) {
        return QStringLiteral("zh_CN");
    }
    return QStringLiteral("en");
}

QString savedLanguage()
{
    const QString l = settings().value(QLatin1String(kSettingsKey)).toString();
    return windowLanguages().contains(l) ? l : QString();
}

void saveLanguage(const QString &language)
{
    QSettings s = settings();
    if (language.isEmpty()) {
        s.remove(QLatin1String(kSettingsKey));
    } else {
        s.setValue(QLatin1String(kSettingsKey), language);
    }
}

bool installTranslators(const QString &language, QString *why)
{
    if (language == u"en" || !windowLanguages().contains(language)) {
        if (language != u"en" && why) {
            *why = QStringLiteral("no %1 translation").arg(language);
        }
        return language == u"en";
    }
    // Without a font for the script Qt draws a box per character: a window of boxes is
    // worse than an English one.
    if (QFontDatabase::families(QFontDatabase::SimplifiedChinese).isEmpty()) {
        if (why) {
            *why = QStringLiteral("no font for Simplified Chinese is installed (Debian: "
                                  "fonts-wqy-microhei or fonts-noto-cjk)");
        }
        return false;
    }
    // Owned by the application: a translator lives as long as the texts it translates.
    auto *ours = new QTranslator(qApp);
    if (!ours->load(QStringLiteral(":/i18n/poolscope_%1.qm").arg(language))) {
        delete ours;
        if (why) {
            *why = QStringLiteral("the %1 translation is not in the resources").arg(language);
        }
        return false;
    }
    QCoreApplication::installTranslator(ours);
    // Qt's own texts (OK, Cancel ...) where Debian's qt6-translations-l10n put them.
    auto *qt = new QTranslator(qApp);
    if (qt->load(QStringLiteral("qtbase_%1").arg(language),
            QLibraryInfo::path(QLibraryInfo::TranslationsPath))) {
        QCoreApplication::installTranslator(qt);
    } else {
        delete qt;
    }
    g_current = language;
    return true;
}

QString currentLanguage()
{
    return g_current;
}

QMenu *addLanguageMenu(QMenu *view, QMainWindow *window)
{
    QString title = QCoreApplication::translate("poolscope::Language", "&Language");
    if (currentLanguage() != u"en") {
        title += QStringLiteral(" (Language)"); // found by those who cannot read the rest
    }
    QMenu *menu = view->addMenu(title);
    menu->setObjectName(QStringLiteral("languageMenu"));
    QAction *note = menu->addAction(
        QCoreApplication::translate("poolscope::Language", "Takes effect when PoolScope restarts"));
    note->setEnabled(false);
    menu->addSeparator();
    auto *group = new QActionGroup(menu);
    const QString saved = savedLanguage();
    const QString systemChoice = chooseLanguage({}, {}, QLocale::system());
    const std::pair<QString, QString> entries[] = {
        { QString(),
            QCoreApplication::translate("poolscope::Language", "System default (%1)")
                .arg(nativeName(systemChoice)) },
        { QStringLiteral("en"), nativeName(QStringLiteral("en")) },
        { QStringLiteral("zh_CN"), nativeName(QStringLiteral("zh_CN")) },
    };
    for (const auto &[language, text] : entries) {
        QAction *a = menu->addAction(text);
        a->setObjectName(QStringLiteral("language_")
            + (language.isEmpty() ? QStringLiteral("system") : language));
        a->setCheckable(true);
        a->setChecked(language == saved);
        group->addAction(a);
        QObject::connect(a, &QAction::triggered, window, [window, language = language] {
            saveLanguage(language);
            const QString next = chooseLanguage({}, language, QLocale::system());
            window->statusBar()->showMessage(next == currentLanguage()
                    ? QCoreApplication::translate("poolscope::Language", "Language saved")
                    : QCoreApplication::translate("poolscope::Language",
                        "Language saved: %1 from the next start of PoolScope")
                          .arg(nativeName(next)),
                10000);
        });
    }
    return menu;
}

} // namespace poolscope
