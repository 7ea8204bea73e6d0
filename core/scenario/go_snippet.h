#pragma once

#include "load/load_config.h"
#include "pool/transport_config.h"

#include <QString>

namespace poolscope {

// Go source (package main, func newClient() *http.Client) that builds a client
// with these settings, for pasting into a Go program (also `poolscope snippet`).
//
// Settings that start from DefaultTransport (of the fields where DefaultTransport and a
// zero Transport differ, they match DefaultTransport at least as often) give
// `t := http.DefaultTransport.(*http.Transport).Clone()` plus one `t.Field = value` per
// field that differs, with DefaultTransport's value in a comment: what PoolScope does not
// model (Proxy from the environment, ForceAttemptHTTP2 and so HTTP/2 by ALPN) survives the
// paste. A changed Dialer or TLS config is a new net.Dialer / tls.Config written whole.
//
// Otherwise a composite literal &http.Transport{...}, which starts from Go's ZERO values:
// every field whose value is not zero plus every field that differs from DefaultTransport
// ("// DefaultTransport: 90 * time.Second"), so the zero-transport preset shows what a bare
// Transport{} loses. Its DialContext/TLSClientConfig come with ForceAttemptHTTP2: true (a
// zero Transport attempts HTTP/2, one with a custom dialer does not without it).
//
// HTTP/2 off in the settings (the DisableHTTP2 knob, or ForceAttemptHTTP2 false on the
// clone, looked up by key in the knob table) is written as Go documents it: TLSNextProto
// set to an empty map. Imports are exactly the packages used, so the snippet always
// compiles. KeepAliveConfig needs Go 1.23+ (noted in the snippet).
//
// Mixed callers with a method of their own (LoadConfig::mixShare > 0, mixMethod not the
// method) add func requestMethod(w int) string: the method worker w sends, the share
// spread over the workers as PoolScope spreads it, with the retry rule in a comment.
[[nodiscard]] QString goSnippet(const TransportConfig &cfg, const LoadConfig &load = {});

// "90 * time.Second", "1500 * time.Millisecond", "-1"; the largest unit that
// represents the value exactly.
[[nodiscard]] QString goDurationExpr(Duration d);

} // namespace poolscope
