#include "target.h"

#include <QHostAddress>
#include <QUrl>
#include <cctype>

namespace poolscope {

namespace {

std::optional<Target> fail(QString *error, const QString &message)
{
    if (error)
        *error = message;
    return std::nullopt;
}

bool isHostNameChar(QChar c)
{
    return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9')
        || c == u'-' || c == u'.' || c == u'_' || c.unicode() >= 0x80; // non-ASCII: IDNA
}

// QUrl parses the URL; this finds what is wrong with the authority as typed, so a message can
// quote the user's own text (QUrl's error strings name neither the port nor the host).
// Empty when the authority is acceptable.
QString authorityError(QStringView authority)
{
    if (authority.contains(u'@'))
        return QStringLiteral("user credentials in the URL are not supported");
    QStringView host = authority;
    QStringView port;
    if (authority.startsWith(u'[')) {
        const qsizetype close = authority.indexOf(u']');
        if (close < 0)
            return QStringLiteral("IPv6 address is missing its closing ']'");
        host = authority.sliced(1, close - 1);
        port = authority.sliced(close + 1);
        if (!port.isEmpty() && !port.startsWith(u':'))
            return QStringLiteral("unexpected \"%1\" after the IPv6 address").arg(port);
        if (host.isEmpty())
            return QStringLiteral("URL has no host");
        // QHostAddress, not QUrl: QUrl also takes IPvFuture ("[v1.x]"), which nothing dials.
        QHostAddress address;
        if (!address.setAddress(host.toString())
            || address.protocol() != QAbstractSocket::IPv6Protocol) {
            return QStringLiteral("invalid IPv6 address \"%1\"").arg(host);
        }
    } else {
        const qsizetype colon = authority.indexOf(u':');
        if (colon >= 0 && authority.indexOf(u':', colon + 1) >= 0)
            return QStringLiteral("IPv6 addresses must be in brackets, e.g. http://[::1]:8080/");
        if (colon >= 0) {
            host = authority.first(colon);
            port = authority.sliced(colon);
        }
        if (host.isEmpty())
            return QStringLiteral("URL has no host");
        for (const QChar c : host) {
            if (!isHostNameChar(c))
                return QStringLiteral("invalid character '%1' in host \"%2\"").arg(c).arg(host);
        }
    }
    // Like Go, "host:" with nothing after the colon means the scheme's default port.
    port = port.sliced(qMin<qsizetype>(port.size(), 1));
    bool digits = port.size() <= 5;
    for (const QChar c : port)
        digits = digits && c >= u'0' && c <= u'9';
    if (!port.isEmpty() && (!digits || port.toUInt() < 1 || port.toUInt() > 65535))
        return QStringLiteral("invalid port \"%1\": must be a number from 1 to 65535").arg(port);
    return {};
}

// Go refuses a '%' in the path that does not start two hex digits (url.EscapeError); QUrl
// would send it as "%25". Empty when every escape is valid.
QString escapeError(QStringView path)
{
    const auto isHex = [](QChar c) {
        return c.unicode() < 0x80 && std::isxdigit(c.unicode());
    };
    for (qsizetype i = path.indexOf(u'%'); i >= 0; i = path.indexOf(u'%', i + 1)) {
        const QStringView escape = path.sliced(i, qMin<qsizetype>(3, path.size() - i));
        if (escape.size() < 3 || !isHex(escape[1]) || !isHex(escape[2]))
            return QStringLiteral("invalid URL escape \"%1\"").arg(escape);
    }
    return {};
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

    const QUrl parsed(text); // TolerantMode: percent-encodes what a request line cannot carry
    Target target;
    target.scheme = parsed.scheme(); // lower case
    if (target.scheme.isEmpty()
        || !QStringView(text).sliced(target.scheme.size()).startsWith(u"://")) {
        return fail(error,
            QStringLiteral("URL has no scheme: write it as http://host[:port]/path or "
                           "https://host[:port]/path"));
    }
    if (target.scheme != u"http" && target.scheme != u"https") {
        return fail(error,
            QStringLiteral("unsupported scheme \"%1\": only http and https are supported")
                .arg(target.scheme));
    }
    target.tls = target.scheme == u"https";

    const QStringView rest = QStringView(text).sliced(target.scheme.size() + 3);
    qsizetype authorityEnd = 0;
    while (authorityEnd < rest.size() && !QStringView(u"/?#").contains(rest[authorityEnd]))
        ++authorityEnd;
    const QStringView authority = rest.first(authorityEnd);
    QStringView path = rest.sliced(authorityEnd);
    for (const QChar end : { u'?', u'#' }) {
        if (const qsizetype at = path.indexOf(end); at >= 0)
            path = path.first(at);
    }
    QString why = authorityError(authority);
    if (why.isEmpty())
        why = escapeError(path);
    if (why.isEmpty() && (!parsed.isValid() || parsed.host().isEmpty()))
        why = QStringLiteral("invalid host name \"%1\"").arg(authority); // IDNA refused it
    if (!why.isEmpty())
        return fail(error, why);

    // Lower case, internationalized names in their punycode (ACE) form, IPv6 without brackets.
    target.host = parsed.host(QUrl::EncodeUnicode);
    target.port = static_cast<quint16>(parsed.port(target.tls ? 443 : 80));
    target.pathAndQuery = parsed.path(QUrl::FullyEncoded).toLatin1();
    if (!target.pathAndQuery.startsWith('/'))
        target.pathAndQuery.prepend('/');
    if (parsed.hasQuery())
        target.pathAndQuery += '?' + parsed.query(QUrl::FullyEncoded).toLatin1();
    const QString bracketed = target.host.contains(u':') ? u'[' + target.host + u']' : target.host;
    target.poolKey
        = target.scheme + QStringLiteral("://") + bracketed + u':' + QString::number(target.port);
    target.display = target.scheme + QStringLiteral("://") + QString::fromUtf8(target.hostHeader())
        + QString::fromLatin1(target.pathAndQuery);
    return target;
}

} // namespace poolscope
