#pragma once

#include <QHostAddress>
#include <QString>

namespace poolscope {

// Where PoolScope may point a load or open a listener without asking: this machine only.

// True for "localhost" (any case) and for IP literals in 127.0.0.0/8 or ::1 (IPv4-mapped
// too). A host name other than localhost counts as remote: PoolScope does not resolve it to
// decide, the user confirms it instead.
[[nodiscard]] bool isLoopbackHost(const QString &host);
// The host of an http:// or https:// URL is loopback (false for an unparsable URL).
[[nodiscard]] bool isLoopbackUrl(const QString &url);
// A listen address that keeps the embedded server private to this machine.
[[nodiscard]] bool isLoopbackListenAddress(const QHostAddress &address);

} // namespace poolscope
