#include "close_reason.h"

namespace poolscope {

namespace {
constexpr CloseReasonInfo kUnknownRow { CloseReason::Count_, "unknown", "unknown", "",
    FirstCloser::None, 0x7f7f7f };
} // namespace

const CloseReasonInfo &closeReasonInfo(CloseReason r)
{
    const auto i = static_cast<std::size_t>(r);
    return i < kCloseReasonTable.size() ? kCloseReasonTable[i] : kUnknownRow;
}

std::string_view closeReasonLabel(CloseReason r)
{
    return closeReasonInfo(r).label;
}

std::string_view closeReasonKey(CloseReason r)
{
    return closeReasonInfo(r).key;
}

std::string_view closeReasonGoName(CloseReason r)
{
    return closeReasonInfo(r).goName;
}

std::string_view firstCloserName(FirstCloser c)
{
    switch (c) {
    case FirstCloser::None:
        return "none";
    case FirstCloser::Client:
        return "client";
    case FirstCloser::Server:
        return "server";
    }
    return "unknown";
}

} // namespace poolscope
