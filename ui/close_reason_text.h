#pragma once

#include "pool/close_reason.h"

#include <QCoreApplication>
#include <QString>

namespace poolscope {

// A close reason's label as the window shows it: the table's English text translated in
// the "CloseReason" context (core/pool keeps no Qt; the table's text is the source text).
[[nodiscard]] inline QString closeReasonText(CloseReason r)
{
    return QCoreApplication::translate("CloseReason", closeReasonInfo(r).label);
}

} // namespace poolscope
