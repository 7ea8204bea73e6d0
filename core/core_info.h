#pragma once

#include <QString>

namespace poolscope {

// Version of the engine, shown by `poolscope --version` and in reports.
QString coreVersion();

} // namespace poolscope
