#pragma once

#include <QLocale>
#include <QString>
#include <QStringList>

class QMainWindow;
class QMenu;

namespace poolscope {

// The window's languages: "en" (the source texts) and "zh_CN" (resources/i18n). The CLI
// (`poolscope run` and its JSON) always speaks English.
[[nodiscard]] QStringList windowLanguages();
// The language a start uses: `requested` (--lang) if given, else `saved` (View > Language),
// else what `system` (QLocale::system(), from LANG/LC_ALL/LC_MESSAGES) asks for; "en" when
// none names a language the window speaks. Simplified Chinese for any Chinese locale not
// written in the traditional script.
[[nodiscard]] QString chooseLanguage(
    const QString &requested, const QString &saved, const QLocale &system);
// View > Language's choice, "" when it follows the system (QSettings "poolscope",
// key ui/language).
[[nodiscard]] QString savedLanguage();
void saveLanguage(const QString &language);
// Installs the window's translation for `language` (embedded in the resources) and, when
// the system has it, Qt's own (the dialogs' standard buttons). Call once, with a
// QGuiApplication, before the window is built. False with *why when the texts stay English:
// no such translation, or no font that has the language's glyphs.
bool installTranslators(const QString &language, QString *why = nullptr);
// The language installTranslators() put in place ("en" before it ran).
[[nodiscard]] QString currentLanguage();
// View > Language: follow the system, English, 简体中文. The choice is saved and takes effect
// at the next start (the menu says so, and so does the status bar when it is made).
QMenu *addLanguageMenu(QMenu *view, QMainWindow *window);

} // namespace poolscope
