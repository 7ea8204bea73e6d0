#pragma once

#include <QList>
#include <QSslConfiguration>
#include <QSslError>
#include <QString>

namespace poolscope {

// The client's TLS configuration with Go's roots: the system's, plus the certificates in
// the file SSL_CERT_FILE names and the directories SSL_CERT_DIR lists (':'-separated), as
// crypto/x509 reads them on Linux (root_unix.go). Built once per process.
[[nodiscard]] QSslConfiguration goClientTlsConfiguration();

// A certificate verification failure in crypto/x509's words: "x509: certificate signed by
// unknown authority", "x509: certificate is valid for localhost, not example.com", ...
// `host` is the name the client asked for. Empty when `errors` is empty.
[[nodiscard]] QString goCertificateErrorText(const QList<QSslError> &errors, const QString &host);

} // namespace poolscope
