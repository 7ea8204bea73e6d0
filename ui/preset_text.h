#pragma once

#include <QCoreApplication>
#include <QString>

namespace poolscope {

// A preset's title or explanation as the window shows it: the built-in presets' English
// texts (core/scenario/presets.cpp, marked in the "Preset" context) translated; a text with
// no translation (a scenario file's own) is shown as it is. The CLI and scenario files keep
// the English text.
[[nodiscard]] inline QString presetText(const QString &english)
{
    return QCoreApplication::translate("Preset", english.toUtf8().constData());
}

} // namespace poolscope
