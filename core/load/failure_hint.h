#pragma once

#include "load/engine_snapshot.h"

#include <QString>
#include <optional>

namespace poolscope {

// What to try for an error in Go's words, in one sentence; empty when there is nothing to
// say beyond the error itself. English source text, translated in the "FailureHint"
// context (QCoreApplication::translate), so the window and `poolscope run` say the same.
//   "connect: connection refused"            -> nothing listens on that port
//   "x509: certificate signed by unknown authority" -> InsecureSkipVerify or SSL_CERT_FILE
[[nodiscard]] QString failureHint(const QString &goError);

// The cumulative counts a failure share is taken from.
struct RequestTally
{
    std::uint64_t finished = 0; // requests done, canceled ones excluded
    std::uint64_t errors = 0;

    [[nodiscard]] static RequestTally of(const EngineSnapshot &s)
    {
        return { s.requestsDone - s.canceled, s.errors };
    }
};

// Share of the requests finished between two tallies that failed; nullopt when none
// finished in between.
[[nodiscard]] std::optional<double> failureShare(
    const RequestTally &earlier, const RequestTally &later);

// "Most requests fail": more than half of those finished in the window failed.
inline constexpr double kMostFailShare = 0.5;

} // namespace poolscope
