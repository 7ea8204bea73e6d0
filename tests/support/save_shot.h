#pragma once

// UI tests save what they drew when POOLSCOPE_SCREENSHOT_DIR is set, so a
// person can look at the pixels the assertions are about.
#include <QString>
#include <QWidget>

namespace poolscope::testsupport {

inline void saveShot(QWidget *w, const char *name)
{
    const QString dir = qEnvironmentVariable("POOLSCOPE_SCREENSHOT_DIR");
    if (!dir.isEmpty()) {
        w->grab().save(dir + u'/' + QLatin1String(name) + QStringLiteral(".png"));
    }
}

} // namespace poolscope::testsupport
