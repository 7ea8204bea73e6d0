#pragma once

#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>

namespace poolscope {

// The self-signed, test-only certificate and key committed under resources/tls and compiled
// in as Qt resources. Never use them outside local testing: the key is public.

// The certificate (CN=localhost, SAN localhost, 127.0.0.1, ::1); clients add it as a CA to
// accept the embedded server. Null if the resource is missing.
[[nodiscard]] QSslCertificate testTlsCertificate();
[[nodiscard]] QSslKey testTlsPrivateKey();
// A server-side configuration using both, TLS 1.2 or later, ALPN "http/1.1". Sets *error and
// returns a null configuration when TLS is unavailable (no TLS backend, resource missing).
[[nodiscard]] QSslConfiguration testTlsServerConfiguration(QString *error = nullptr);

} // namespace poolscope
