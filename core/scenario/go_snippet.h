#pragma once

#include "pool/transport_config.h"

#include <QString>

namespace poolscope {

// Go source (package main, func newClient() *http.Client) that builds a client
// with these settings, for pasting into a Go program.
//
// A composite literal &http.Transport{...} starts from Go's ZERO values, not
// from http.DefaultTransport, so the snippet writes every field whose value is
// not zero (omitting a field means "zero" in Go) plus every field that differs
// from DefaultTransport, and marks the latter with a comment ("//
// DefaultTransport: 90 * time.Second"): those are what the user changed. Writing only the
// DefaultTransport differences into a literal would silently drop DefaultTransport's
// IdleConnTimeout, MaxIdleConns and dial timeouts: the zero-transport preset exists to show that
// trap. Imports are exactly the packages used, so the snippet always compiles. KeepAliveConfig
// needs Go 1.23+ (noted in the snippet).
[[nodiscard]] QString goSnippet(const TransportConfig &cfg);

// "90 * time.Second", "1500 * time.Millisecond", "-1"; the largest unit that
// represents the value exactly.
[[nodiscard]] QString goDurationExpr(Duration d);

} // namespace poolscope
