#include "server/prepared_responses.h"

#include <algorithm>

namespace poolscope {

namespace {

QByteArray makeBody(int size)
{
    // A readable repeating pattern rather than zeros, so a mis-framed body is easy to spot in a
    // packet capture.
    static constexpr char kPattern[] = "poolscope-body-0123456789abcdefghijklmnopqrstuvwxyz\n";
    constexpr qsizetype patternLength = sizeof(kPattern) - 1;
    QByteArray body(size, Qt::Uninitialized);
    char *out = body.data();
    for (qsizetype i = 0; i < size; ++i)
        out[i] = kPattern[i % patternLength];
    return body;
}

QByteArray chunkEncode(const QByteArray &body, qsizetype chunkSize)
{
    QByteArray out;
    out.reserve(body.size() + (body.size() / chunkSize + 2) * 12);
    for (qsizetype offset = 0; offset < body.size(); offset += chunkSize) {
        const qsizetype length = std::min(chunkSize, body.size() - offset);
        out.append(QByteArray::number(length, 16));
        out.append("\r\n");
        out.append(body.constData() + offset, length);
        out.append("\r\n");
    }
    out.append("0\r\n\r\n");
    return out;
}

QByteArray closeResponse(const char *status, const char *text)
{
    QByteArray response = "HTTP/1.1 ";
    response += status;
    response += "\r\nServer: poolscope\r\nContent-Type: text/plain\r\nContent-Length: ";
    response += QByteArray::number(qsizetype(qstrlen(text)));
    response += "\r\nConnection: close\r\n\r\n";
    response += text;
    return response;
}

// Go's http.StatusText for the codes a server here is likely to be asked for; others get
// Go's "status code N" wording.
QByteArray statusLine(bool http10, int status)
{
    static const std::pair<int, const char *> kTexts[] = { { 200, "OK" }, { 201, "Created" },
        { 202, "Accepted" }, { 204, "No Content" }, { 206, "Partial Content" },
        { 300, "Multiple Choices" }, { 301, "Moved Permanently" }, { 302, "Found" },
        { 303, "See Other" }, { 304, "Not Modified" }, { 305, "Use Proxy" },
        { 307, "Temporary Redirect" }, { 308, "Permanent Redirect" }, { 400, "Bad Request" },
        { 401, "Unauthorized" }, { 403, "Forbidden" }, { 404, "Not Found" },
        { 408, "Request Timeout" }, { 429, "Too Many Requests" }, { 500, "Internal Server Error" },
        { 502, "Bad Gateway" }, { 503, "Service Unavailable" }, { 504, "Gateway Timeout" } };
    QByteArray text = "status code " + QByteArray::number(status);
    for (const auto &[code, phrase] : kTexts) {
        if (code == status) {
            text = phrase;
        }
    }
    return (http10 ? "HTTP/1.0 " : "HTTP/1.1 ") + QByteArray::number(status) + ' ' + text + "\r\n";
}

// Go's bodyAllowedForStatus.
bool bodyAllowed(int status)
{
    return status != 204 && status != 304 && (status < 100 || status > 199);
}

} // namespace

PreparedResponses::PreparedResponses(const ServerConfig &config, const PreparedResponses *previous)
    : m_config(config)
{
    if (previous && previous->m_config.bodySize == config.bodySize
        && previous->m_config.chunked == config.chunked
        && previous->m_config.http10 == config.http10 && previous->m_config.status == config.status
        && previous->m_config.redirectStatus == config.redirectStatus) {
        std::copy(std::begin(previous->m_ok), std::end(previous->m_ok), std::begin(m_ok));
        std::copy(std::begin(previous->m_redirect), std::end(previous->m_redirect),
            std::begin(m_redirect));
        return;
    }
    const int bodySize = std::clamp(config.bodySize, 0, kMaxBodySize);
    const QByteArray plainBody = makeBody(bodySize);
    const QByteArray chunkedBody
        = config.chunked ? chunkEncode(plainBody, kChunkSize) : QByteArray();
    for (const bool headRequest : { false, true }) {
        for (const bool http10Client : { false, true }) {
            for (const bool close : { false, true }) {
                const int i = index(headRequest, http10Client, close);
                m_ok[i] = build(config, config.status, headRequest, http10Client, close, plainBody,
                    chunkedBody);
                m_redirect[i] = build(config, config.redirectStatus, headRequest, http10Client,
                    close, plainBody, chunkedBody);
            }
        }
    }
}

PreparedResponse PreparedResponses::build(const ServerConfig &config, int status, bool headRequest,
    bool http10Client, bool close, const QByteArray &plainBody, const QByteArray &chunkedBody)
{
    PreparedResponse r;
    const bool withBody = bodyAllowed(status);
    // Chunked framing needs HTTP/1.1 on both ends; otherwise the body is delimited by closing
    // the connection, as HTTP/1.0 servers do.
    const bool useChunked = withBody && config.chunked && !config.http10 && !http10Client;
    r.closeDelimited = withBody && config.chunked && !useChunked;
    const bool closing = close || r.closeDelimited || config.http10;

    QByteArray head = statusLine(config.http10, status);
    head += "Server: poolscope\r\nContent-Type: application/octet-stream\r\n";
    if (useChunked) {
        head += "Transfer-Encoding: chunked\r\n";
    } else if (withBody && !r.closeDelimited) {
        head += "Content-Length: ";
        head += QByteArray::number(plainBody.size());
        head += "\r\n";
    }
    if (config.http10) {
        // An HTTP/1.0 response without "Connection: keep-alive" already means close.
    } else if (closing) {
        head += "Connection: close\r\n";
    } else if (http10Client) {
        head += "Connection: keep-alive\r\n";
    }
    head += "\r\n";

    r.head = head;
    if (!headRequest && withBody)
        r.body = useChunked ? chunkedBody : plainBody;
    if (r.body.size() <= kCombinedBodyLimit)
        r.whole = r.head + r.body;
    return r;
}

PreparedResponse PreparedResponses::redirect(
    bool headRequest, bool http10Client, bool close, int hop) const
{
    PreparedResponse r = m_redirect[index(headRequest, http10Client, close)];
    // "Location: /redirect/N" right after the status line.
    const qsizetype lineEnd = r.head.indexOf("\r\n") + 2;
    r.head.insert(lineEnd, "Location: /redirect/" + QByteArray::number(hop) + "\r\n");
    r.whole = r.body.size() <= kCombinedBodyLimit ? r.head + r.body : QByteArray();
    return r;
}

const QByteArray &PreparedResponses::continueResponse()
{
    static const QByteArray response = "HTTP/1.1 100 Continue\r\n\r\n";
    return response;
}

const QByteArray &PreparedResponses::errorResponse(RequestParser::Error error)
{
    static const QByteArray badRequest = closeResponse("400 Bad Request", "bad request\n");
    static const QByteArray tooLarge
        = closeResponse("431 Request Header Fields Too Large", "request header fields too large\n");
    static const QByteArray notImplemented
        = closeResponse("501 Not Implemented", "transfer-encoding not implemented\n");
    static const QByteArray badVersion
        = closeResponse("505 HTTP Version Not Supported", "HTTP version not supported\n");
    switch (error) {
    case RequestParser::Error::HeadTooLarge:
        return tooLarge;
    case RequestParser::Error::NotImplemented:
        return notImplemented;
    case RequestParser::Error::UnsupportedVersion:
        return badVersion;
    case RequestParser::Error::None:
    case RequestParser::Error::BadRequest:
        break;
    }
    return badRequest;
}

const QByteArray &PreparedResponses::malformedResponse()
{
    // Neither a status line llhttp or Go accepts, nor anything resembling a header block.
    static const QByteArray response = "HTTP/1.1 two-hundred NOT-OK\r\n\x01garbage\r\n\r\n";
    return response;
}

} // namespace poolscope
