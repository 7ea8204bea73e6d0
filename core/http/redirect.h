#pragma once

#include "http/target.h"

#include <QByteArray>
#include <QString>
#include <optional>

namespace poolscope {

// The redirect rules of Go 1.19's http.Client (net/http/client.go), as functions of the
// request and the response; core/load's RedirectFollower runs Client.do's loop with them.

// CheckRedirect's default (defaultCheckRedirect): it refuses a hop once the Do has made this
// many requests (len(via) >= 10), failing it with "stopped after 10 redirects". So Go 1.19
// follows 9 redirects and the 10th fails: at most 10 requests per Do.
inline constexpr int kMaxRedirects = 10;
// Client.do reads at most this much of a redirect's body before closing it, so a small
// body leaves its connection reusable and a bigger one closes it (maxBodySlurpSize).
inline constexpr qint64 kMaxRedirectBodySlurp = 2 << 10;

// What redirectBehavior says about a response to a request with `method`.
struct RedirectBehavior
{
    bool follow = false; // shouldRedirect: 301, 302, 303, 307, 308
    QByteArray method; // the next hop's method
    // The next hop carries the first request's body again (307, 308; our bodies are always
    // rewindable, like a bytes.Reader's GetBody). 301, 302 and 303 turn any method but GET
    // and HEAD into a GET without body.
    bool includeBody = false;
};
[[nodiscard]] RedirectBehavior redirectBehavior(const QByteArray &method, int status);

// Where a redirect's Location leads (Go's req.URL.Parse(loc) against the current URL).
struct RedirectLocation
{
    bool parsed = false; // false: Location does not parse; Client.do fails at once
    std::optional<Target> target; // the next hop; empty when it cannot be sent
    QString url; // the resolved URL (what Go's error names for an unsendable hop)
    // When there is no target, Go's words: "failed to parse Location header \"...\": ..."
    // (Client.do) or "unsupported protocol scheme \"ftp\"" (its Transport).
    QString error;
};
[[nodiscard]] RedirectLocation resolveRedirect(const Target &current, const QByteArray &location);

// Go's urlErrorOp, the verb a url.Error starts with: "GET" -> "Get".
[[nodiscard]] QString goUrlErrorOp(const QByteArray &method);

// Go's refererForURL: the previous URL, or "" from https to http.
[[nodiscard]] QByteArray redirectReferer(const Target &previous, const Target &next);

// Go's shouldCopyHeaderOnRedirect: Authorization, Www-Authenticate, Cookie and Cookie2 are
// only copied to the same host:port or a subdomain of it; every other header always is.
[[nodiscard]] bool shouldCopyHeaderOnRedirect(
    const QByteArray &name, const Target &previous, const Target &next);

} // namespace poolscope
