#include "server/tls_test_identity.h"

#include <QFile>
#include <QSslSocket>

// Resources of a static library are only linked in when something references their
// initializer; this must be called outside any namespace.
static void initTlsResources()
{
    Q_INIT_RESOURCE(poolscope_tls);
}

namespace poolscope {

namespace {

QByteArray readResource(const QString &path)
{
    static const bool initialized = [] {
        initTlsResources();
        return true;
    }();
    Q_UNUSED(initialized);
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

} // namespace

QSslCertificate testTlsCertificate()
{
    return QSslCertificate(
        readResource(QStringLiteral(":/poolscope/tls/poolscope-test.crt")), QSsl::Pem);
}

QSslKey testTlsPrivateKey()
{
    return QSslKey(
        readResource(QStringLiteral(":/poolscope/tls/poolscope-test.key")), QSsl::Ec, QSsl::Pem);
}

QSslConfiguration testTlsServerConfiguration(QString *error)
{
    auto fail = [error](const QString &message) {
        if (error)
            *error = message;
        return QSslConfiguration();
    };
    if (!QSslSocket::supportsSsl())
        return fail(QStringLiteral("TLS is not available: Qt has no working TLS backend (%1)")
                        .arg(QSslSocket::activeBackend()));
    const QSslCertificate certificate = testTlsCertificate();
    const QSslKey key = testTlsPrivateKey();
    if (certificate.isNull() || key.isNull())
        return fail(QStringLiteral("TLS test certificate or key missing from the resources"));
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setLocalCertificate(certificate);
    configuration.setPrivateKey(key);
    configuration.setPeerVerifyMode(QSslSocket::VerifyNone);
    configuration.setProtocol(QSsl::TlsV1_2OrLater);
    configuration.setAllowedNextProtocols({ QByteArrayLiteral("http/1.1") });
    return configuration;
}

} // namespace poolscope
