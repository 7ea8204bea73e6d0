#include "redirect.h"

#include "request_writer.h"

#include <QUrl>

namespace poolscope {

RedirectBehavior redirectBehavior(const QByteArray &method, int status)
{
    RedirectBehavior b;
    switch (status) {
    case 301:
    case 302:
    case 303:
        b.follow = true;
        // RFC 7231 allows keeping the method; Go keeps its old rule (golang.org/issue/18570).
        b.method = method == "GET" || method == "HEAD" ? method : QByteArrayLiteral("GET");
        return b;
    case 307:
    case 308:
        b.follow = true;
        b.method = method;
        b.includeBody = true;
        return b;
    default:
        return b;
    }
}

RedirectLocation resolveRedirect(const Target &current, const QByteArray &location)
{
    RedirectLocation r;
    const QString loc = QString::fromLatin1(location);
    const QUrl reference(loc, QUrl::StrictMode);
    if (!reference.isValid()) {
        r.error = QStringLiteral("failed to parse Location header \"%1\": %2")
                      .arg(loc, reference.errorString());
        return r;
    }
    r.parsed = true;
    const QUrl next = QUrl(current.display).resolved(reference);
    r.url = next.toString(QUrl::FullyEncoded);
    const QString scheme = next.scheme();
    if (scheme != u"http" && scheme != u"https") {
        r.error = QStringLiteral("unsupported protocol scheme \"%1\"").arg(scheme);
        return r;
    }
    QString why;
    r.target = parseTarget(r.url, &why);
    if (!r.target) {
        r.parsed = false;
        r.error = QStringLiteral("failed to parse Location header \"%1\": %2").arg(loc, why);
    }
    return r;
}

QString goUrlErrorOp(const QByteArray &method)
{
    const QString m = QString::fromLatin1(method);
    return m.left(1) + m.mid(1).toLower();
}

QByteArray redirectReferer(const Target &previous, const Target &next)
{
    if (previous.tls && !next.tls)
        return {};
    return previous.display.toUtf8();
}

bool shouldCopyHeaderOnRedirect(const QByteArray &name, const Target &previous, const Target &next)
{
    const QByteArray key = canonicalHeaderKey(name);
    if (key != "Authorization" && key != "Www-Authenticate" && key != "Cookie"
        && key != "Cookie2") {
        return true;
    }
    // isDomainOrSubdomain(canonicalAddr(next), canonicalAddr(previous)).
    const QString parent = previous.hostPort();
    const QString sub = next.hostPort();
    if (sub == parent)
        return true;
    return sub.endsWith(parent) && sub.size() > parent.size()
        && sub.at(sub.size() - parent.size() - 1) == u'.';
}

} // namespace poolscope
