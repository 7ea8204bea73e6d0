#include "target.h"

#include <QHostAddress>
#include <QUrl>

namespace poolscope {

namespace {

std::optional<Target> fail(QString *error, const QString &message)
{
    if (error)
        *error = message;
    return std::nullopt;
}

bool isSchemeChar(QChar c, bool first)
{
    if ((c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z'))
        return true;
    return !first && ((c >= u'0' && c <= u'9') || c == u'+' || c == u'-' || c == u'.');
}

bool isHostNameChar(QChar c)
{
    return (c >= u'a' && c <= u'z') || (c >= u'0' && c <= u'9') || c == u'-' || c == u'.'
        || c == u'_';
}

// Go percent-encodes what cannot appear in a request line; we only need to make sure
// nothing outside printable ASCII reaches the wire. Existing %XX escapes pass through.
QByteArray encodeRequestTarget(QStringView pathAndQuery)
{
    static constexpr char kHex[] = "0123456789ABCDEF";
    const QByteArray utf8 = pathAndQuery.toUtf8();
    QByteArray out;
    out.reserve(utf8.size() + 1);
    if (utf8.isEmpty() || utf8.front() != '/')
        out += '/';
    for (const char ch : utf8) {
        const auto byte = static_cast<unsigned char>(ch);
        if (byte <= 0x20 || byte >= 0x7f) {
            out += '%';
            out += kHex[byte >> 4];
            out += kHex[byte & 0xf];
        } else {
            out += ch;
        }
    }
    return out;
}

} // namespace

QString Target::hostPort() const
{
    const QString h = host.contains(u':') ? u'[' + host + u']' : host;
    return h + u':' + QString::number(port);
}

QByteArray Target::hostHeader() const
{
    const QString h = host.contains(u':') ? u'[' + host + u']' : host;
    return (hasDefaultPort() ? h : h + u':' + QString::number(port)).toUtf8();
}

std::optional<Target> parseTarget(const QString &url, QString *error)
{
    const QString text = url.trimmed();
    if (text.isEmpty())
        return fail(error, QStringLiteral("URL is empty"));
    for (const QChar c : text) {
        if (c.isSpace())
            return fail(error, QStringLiteral("URL contains whitespace: encode spaces as %20"));
    }

    const qsizetype schemeEnd = text.indexOf(u"://");
    bool schemeValid = schemeEnd > 0;
    for (qsizetype i = 0; schemeValid && i < schemeEnd; ++i)
        schemeValid = isSchemeChar(text[i], i == 0);
    if (!schemeValid) {
        return fail(error,
            QStringLiteral("URL has no scheme: write it as http://host[:port]/path or "
                           "https://host[:port]/path"));
    }

    Target target;
    target.scheme = text.first(schemeEnd).toLower();
    if (target.scheme != u"http" && target.scheme != u"https") {
        return fail(error,
            QStringLiteral("unsupported scheme \"%1\": only http and https are supported")
                .arg(target.scheme));
    }
    target.tls = target.scheme == u"https";

    const QStringView rest = QStringView(text).sliced(schemeEnd + 3);
    qsizetype authorityEnd = 0;
    while (authorityEnd < rest.size() && rest[authorityEnd] != u'/' && rest[authorityEnd] != u'?'
        && rest[authorityEnd] != u'#') {
        ++authorityEnd;
    }
    const QStringView authority = rest.first(authorityEnd);
    QStringView pathQuery = rest.sliced(authorityEnd);
    if (const qsizetype hash = pathQuery.indexOf(u'#'); hash >= 0)
        pathQuery = pathQuery.first(hash);

    if (authority.contains(u'@'))
        return fail(error, QStringLiteral("user credentials in the URL are not supported"));

    QStringView hostPart;
    QStringView portPart;
    bool hasPort = false;
    if (authority.startsWith(u'[')) {
        const qsizetype close = authority.indexOf(u']');
        if (close < 0)
            return fail(error, QStringLiteral("IPv6 address is missing its closing ']'"));
        hostPart = authority.sliced(1, close - 1);
        const QStringView after = authority.sliced(close + 1);
        if (!after.isEmpty()) {
            if (after.front() != u':') {
                return fail(
                    error, QStringLiteral("unexpected \"%1\" after the IPv6 address").arg(after));
            }
            hasPort = true;
            portPart = after.sliced(1);
        }
        if (hostPart.isEmpty())
            return fail(error, QStringLiteral("URL has no host"));
        QHostAddress address;
        if (!address.setAddress(hostPart.toString())
            || address.protocol() != QAbstractSocket::IPv6Protocol) {
            return fail(error, QStringLiteral("invalid IPv6 address \"%1\"").arg(hostPart));
        }
        target.host = hostPart.toString().toLower();
    } else {
        const qsizetype colon = authority.indexOf(u':');
        if (colon >= 0 && authority.indexOf(u':', colon + 1) >= 0) {
            return fail(error,
                QStringLiteral("IPv6 addresses must be in brackets, e.g. http://[::1]:8080/"));
        }
        hostPart = colon >= 0 ? authority.first(colon) : authority;
        if (colon >= 0) {
            hasPort = true;
            portPart = authority.sliced(colon + 1);
        }
        if (hostPart.isEmpty())
            return fail(error, QStringLiteral("URL has no host"));
        QString host = hostPart.toString().toLower();
        bool ascii = true;
        for (const QChar c : host)
            ascii = ascii && c.unicode() < 0x80;
        if (!ascii) {
            // Internationalized names are dialed by their punycode (ACE) form.
            host = QString::fromLatin1(QUrl::toAce(host));
            if (host.isEmpty())
                return fail(error, QStringLiteral("invalid host name \"%1\"").arg(hostPart));
        }
        for (const QChar c : host) {
            if (!isHostNameChar(c)) {
                return fail(error,
                    QStringLiteral("invalid character '%1' in host \"%2\"").arg(c).arg(hostPart));
            }
        }
        target.host = host;
    }

    // Like Go, "host:" with nothing after the colon means the scheme's default port.
    target.port = target.tls ? 443 : 80;
    if (hasPort && !portPart.isEmpty()) {
        bool digits = portPart.size() <= 5;
        for (const QChar c : portPart)
            digits = digits && c >= u'0' && c <= u'9';
        const uint value = digits ? portPart.toUInt() : 0;
        if (value < 1 || value > 65535) {
            return fail(error,
                QStringLiteral("invalid port \"%1\": must be a number from 1 to 65535")
                    .arg(portPart));
        }
        target.port = static_cast<quint16>(value);
    }

    target.pathAndQuery = encodeRequestTarget(pathQuery);
    const QString bracketed = target.host.contains(u':') ? u'[' + target.host + u']' : target.host;
    target.poolKey
        = target.scheme + QStringLiteral("://") + bracketed + u':' + QString::number(target.port);
    target.display = target.scheme + QStringLiteral("://") + QString::fromUtf8(target.hostHeader())
        + QString::fromLatin1(target.pathAndQuery);
    return target;
}

} // namespace poolscope
