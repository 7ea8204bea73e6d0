#pragma once

#include "server/request_parser.h"
#include "server/server_config.h"

#include <QByteArray>

namespace poolscope {

// One response, ready to be written without any per-request formatting.
struct PreparedResponse
{
    QByteArray head; // status line and headers, including the empty line
    QByteArray body; // body bytes as sent (already chunk-encoded when chunked)
    // head + body when the body is small enough to keep a combined copy, so the common case
    // is a single socket write; empty otherwise (write head, then body).
    QByteArray whole;
    // True when the body is delimited by closing the connection (no Content-Length and no
    // chunking possible: HTTP/1.0 with a chunked config); the server must close after it.
    bool closeDelimited = false;

    [[nodiscard]] qsizetype size() const { return head.size() + body.size(); }
};

// Every response variant one ServerConfig can produce, built once when the config changes.
// Variants differ by request method (HEAD has no body), request version (an HTTP/1.0 client
// needs "Connection: keep-alive" to keep its connection, and cannot receive chunked bodies)
// and whether the server closes after the response ("Connection: close"); each comes as the
// normal response (ServerConfig::status) and as a redirect (ServerConfig::redirectStatus).
class PreparedResponses final
{
public:
    // Bodies up to this size are also kept combined with each head (see PreparedResponse::whole).
    static constexpr qsizetype kCombinedBodyLimit = 256 * 1024;
    // Chunk size used for chunked bodies.
    static constexpr qsizetype kChunkSize = 16 * 1024;
    // Largest body served; ServerConfig::bodySize is clamped to [0, kMaxBodySize].
    static constexpr int kMaxBodySize = 256 * 1024 * 1024;

    // Reuses `previous`'s bytes (implicitly shared) when the config change does not touch the
    // responses (bodySize, chunked, http10, status, redirectStatus), so dragging a latency
    // slider costs no rebuild.
    explicit PreparedResponses(
        const ServerConfig &config, const PreparedResponses *previous = nullptr);

    [[nodiscard]] const ServerConfig &config() const { return m_config; }
    // The normal response (ServerConfig::status).
    [[nodiscard]] const PreparedResponse &ok(bool headRequest, bool http10Client, bool close) const
    {
        return m_ok[index(headRequest, http10Client, close)];
    }
    // A redirect (ServerConfig::redirectStatus) to "/redirect/<hop>": the matching variant
    // with its Location inserted (a copy: redirect responses are built per request).
    [[nodiscard]] PreparedResponse redirect(
        bool headRequest, bool http10Client, bool close, int hop) const;
    // ok(), or redirect() when hop > 0.
    [[nodiscard]] PreparedResponse response(
        bool headRequest, bool http10Client, bool close, int hop) const
    {
        return hop > 0 ? redirect(headRequest, http10Client, close, hop)
                       : ok(headRequest, http10Client, close);
    }

    // "HTTP/1.1 100 Continue" interim response.
    [[nodiscard]] static const QByteArray &continueResponse();
    // The answer to a request the parser rejected, with "Connection: close".
    [[nodiscard]] static const QByteArray &errorResponse(RequestParser::Error error);
    // A response whose status line no HTTP client can parse (the `malformed` knob).
    [[nodiscard]] static const QByteArray &malformedResponse();

private:
    static constexpr int index(bool headRequest, bool http10Client, bool close)
    {
        return (headRequest ? 4 : 0) + (http10Client ? 2 : 0) + (close ? 1 : 0);
    }

    static PreparedResponse build(const ServerConfig &config, int status, bool headRequest,
        bool http10Client, bool close, const QByteArray &plainBody, const QByteArray &chunkedBody);

    ServerConfig m_config;
    PreparedResponse m_ok[8];
    PreparedResponse m_redirect[8]; // without their Location (see redirect())
};

} // namespace poolscope
