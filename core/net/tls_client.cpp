#include "tls_client.h"

#include <QDir>
#include <QSslCertificate>
#include <QStringList>
#include <QtGlobal>

namespace poolscope {

namespace {

QList<QSslCertificate> certificatesFromEnvironment()
{
    QList<QSslCertificate> certs;
    const QString file = qEnvironmentVariable("SSL_CERT_FILE");
    if (!file.isEmpty()) {
        certs += QSslCertificate::fromPath(file, QSsl::Pem);
    }
    const QString dirs = qEnvironmentVariable("SSL_CERT_DIR");
    for (const QString &dir : dirs.split(u':', Qt::SkipEmptyParts)) {
        const QStringList names = QDir(dir).entryList(QDir::Files);
        for (const QString &name : names) {
            certs += QSslCertificate::fromPath(QDir(dir).filePath(name), QSsl::Pem);
        }
    }
    return certs;
}

QSslConfiguration buildConfiguration()
{
    QSslConfiguration config = QSslConfiguration::defaultConfiguration();
    const QList<QSslCertificate> extra = certificatesFromEnvironment();
    if (!extra.isEmpty()) {
        // Setting a list ends Qt's on-demand loading of the system roots: name them too.
        config.setCaCertificates(QSslConfiguration::systemCaCertificates() + extra);
    }
    return config;
}

QString validNames(const QSslCertificate &cert)
{
    QStringList names;
    const auto alt = cert.subjectAlternativeNames();
    for (auto it = alt.cbegin(); it != alt.cend(); ++it) {
        names << it.value();
    }
    if (names.isEmpty()) {
        names = cert.subjectInfo(QSslCertificate::CommonName);
    }
    return names.join(QStringLiteral(", "));
}

} // namespace

QSslConfiguration goClientTlsConfiguration()
{
    static const QSslConfiguration config = buildConfiguration();
    return config;
}

QString goCertificateErrorText(const QList<QSslError> &errors, const QString &host)
{
    // The chain's trust decides first in Go (Verify before VerifyHostname).
    for (const QSslError &e : errors) {
        switch (e.error()) {
        case QSslError::SelfSignedCertificate:
        case QSslError::SelfSignedCertificateInChain:
        case QSslError::UnableToGetLocalIssuerCertificate:
        case QSslError::UnableToGetIssuerCertificate:
        case QSslError::UnableToVerifyFirstCertificate:
        case QSslError::CertificateUntrusted:
            return QStringLiteral("x509: certificate signed by unknown authority");
        case QSslError::CertificateExpired:
        case QSslError::CertificateNotYetValid:
            return QStringLiteral("x509: certificate has expired or is not yet valid");
        default:
            break;
        }
    }
    for (const QSslError &e : errors) {
        if (e.error() == QSslError::HostNameMismatch) {
            return QStringLiteral("x509: certificate is valid for %1, not %2")
                .arg(validNames(e.certificate()), host);
        }
    }
    return errors.isEmpty() ? QString()
                            : QStringLiteral("tls: %1").arg(errors.first().errorString());
}

} // namespace poolscope
