#pragma once

#include <QByteArray>
#include <QString>
#include <optional>

namespace poolscope {

// A parsed http:// or https:// target URL, ready for dialing and request writing.
struct Target
{
    // "http" or "https", lower case.
    QString scheme;
    // Host name (lower case) or IP literal, without IPv6 brackets: what the dialer resolves.
    QString host;
    // Explicit port, or 80 / 443 from the scheme.
    quint16 port = 0;
    // Request target for the request line: "/" when the URL has no path, query kept,
    // fragment dropped (never sent, like Go), percent-encoded by QUrl (FullyEncoded: what
    // Go's EscapedPath escapes, non-ASCII as UTF-8; escapes of unreserved characters decoded).
    QByteArray pathAndQuery;
    // Go's connection pool key: "scheme://host:port" with the port always present and IPv6
    // literals in brackets ("http://[::1]:8080"). Connections are pooled per poolKey.
    QString poolKey;
    // https: the connection does a TLS handshake after connecting.
    bool tls = false;
    // Normalized URL for labels: the port shown only when it is not the scheme's default.
    QString display;

    // "host:port" / "[v6]:port": what the Host header and diagnostics use.
    [[nodiscard]] QString hostPort() const;
    // Host header value: the port only when it is not the scheme's default.
    [[nodiscard]] QByteArray hostHeader() const;
    [[nodiscard]] bool hasDefaultPort() const { return port == (tls ? 443 : 80); }

    bool operator==(const Target &) const = default;
};

// Parses a user-supplied target URL. On failure returns nullopt and, when error is given,
// a one-line message saying what is wrong (e.g. `unsupported scheme "ftp": only http and
// https are supported`). Surrounding whitespace is ignored, inner whitespace is an error.
//
// No policy check happens here: the engine only loads the embedded server on loopback or
// a URL the user typed themselves, so any syntactically valid host is accepted.
[[nodiscard]] std::optional<Target> parseTarget(const QString &url, QString *error = nullptr);

} // namespace poolscope
