#pragma once

#include <QString>
#include <QStringView>
#include <chrono>
#include <optional>

namespace poolscope {

// Parses Go's time.ParseDuration syntax: an optionally signed sequence of decimal numbers,
// each with an optional fraction and a unit ("ns", "us", "µs", "μs", "ms", "s", "m", "h"),
// e.g. "300ms", "-1.5h", "2h45m". "0" (optionally signed) is the only unit-less value.
// Overflow beyond ±2^63-1 ns and every malformed text fail like Go; *error then receives
// Go's own message (e.g. `time: missing unit in duration "10"`) so users can compare with
// a Go program's output.
[[nodiscard]] std::optional<std::chrono::nanoseconds> parseGoDuration(
    QStringView text, QString *error = nullptr);

// Formats like Go's Duration.String(): "1m30s", "250ms", "1.5s", "0s", "2h0m0s", "1µs".
// Round-trips through parseGoDuration.
[[nodiscard]] QString formatGoDuration(std::chrono::nanoseconds duration);

} // namespace poolscope
