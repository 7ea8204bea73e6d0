#include "failure_hint.h"

#include <QCoreApplication>
#include <algorithm>

namespace poolscope {

QString failureHint(const QString &goError)
{
    const auto has = [&goError](const char *text) {
        return goError.contains(QLatin1String(text), Qt::CaseInsensitive);
    };
    if (has("connection refused")) {
        return QCoreApplication::translate("FailureHint",
            "Nothing listens on that port: check the URL's host and port, and that the server "
            "is running.");
    }
    if (has("x509: certificate signed by unknown authority")) {
        return QCoreApplication::translate("FailureHint",
            "The server's certificate is not signed by a CA this machine trusts (a self-signed "
            "test certificate?): turn on InsecureSkipVerify for a test server, or name its CA "
            "file in SSL_CERT_FILE, as Go reads it.");
    }
    if (has("x509: certificate is valid for")) {
        return QCoreApplication::translate(
            "FailureHint", "The certificate names other hosts: use one of them in the URL.");
    }
    if (has("x509: certificate has expired")) {
        return QCoreApplication::translate(
            "FailureHint", "The certificate has expired (or the clock is wrong).");
    }
    if (has("no such host")) {
        return QCoreApplication::translate("FailureHint", "The host name does not resolve.");
    }
    if (has("dial tcp") && has("i/o timeout")) {
        return QCoreApplication::translate("FailureHint",
            "Nothing answered the connection attempt within Dialer.Timeout: a wrong address, "
            "or a firewall dropping the packets.");
    }
    return {};
}

std::optional<double> failureShare(const RequestTally &earlier, const RequestTally &later)
{
    if (later.finished <= earlier.finished || later.errors < earlier.errors) {
        return std::nullopt;
    }
    const double n = static_cast<double>(later.finished - earlier.finished);
    return std::min(1.0, static_cast<double>(later.errors - earlier.errors) / n);
}

} // namespace poolscope
