#pragma once

// A URL the test knows is valid, parsed; a test URL that does not parse stops the run
// with its name (a Q_ASSERT would vanish in release builds and leave an empty optional).
#include "http/target.h"

#include <QtGlobal>

namespace poolscope::testsupport {

inline Target mustParse(const QString &url)
{
    const std::optional<Target> t = parseTarget(url);
    if (!t) {
        qFatal("test URL does not parse: %s", qPrintable(url));
    }
    return *t;
}

} // namespace poolscope::testsupport
