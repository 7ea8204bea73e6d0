#include "core_info.h"

namespace poolscope {

QString coreVersion()
{
    return QStringLiteral(POOLSCOPE_VERSION);
}

} // namespace poolscope
