#include "request_failure.h"

#include <array>

namespace poolscope {

namespace {

struct Row
{
    std::string_view key;
    std::string_view go;
    CloseReason close;
    bool beforeConnection;
    bool afterResponse;
};

constexpr std::array<Row, kRequestFailureCount> kRows { {
#define POOLSCOPE_X(name, key, go, close, before, after)                                           \
    { key, go, CloseReason::close, before, after },
    POOLSCOPE_REQUEST_FAILURES(POOLSCOPE_X)
#undef POOLSCOPE_X
} };

const Row &row(RequestFailure f)
{
    const auto i = static_cast<std::size_t>(f);
    return kRows[i < kRows.size() ? i : 0];
}

} // namespace

std::string_view requestFailureKey(RequestFailure f)
{
    return row(f).key;
}

std::string_view requestFailureGoName(RequestFailure f)
{
    return row(f).go;
}

CloseReason requestFailureCloseReason(RequestFailure f)
{
    return row(f).close;
}

bool requestFailureBeforeConnection(RequestFailure f)
{
    return row(f).beforeConnection;
}

bool requestFailureAfterResponse(RequestFailure f)
{
    return row(f).afterResponse;
}

RequestFailure requestFailureFor(CloseReason reason)
{
    if (reason == CloseReason::None) {
        return RequestFailure::None;
    }
    for (std::size_t i = 1; i < kRows.size(); ++i) {
        if (kRows[i].close == reason) {
            return static_cast<RequestFailure>(i);
        }
    }
    return RequestFailure::ReadError;
}

} // namespace poolscope
