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

} // namespace

PreparedResponses::PreparedResponses(const ServerConfig &config, const PreparedResponses *previous)
    : m_config(config)
{
    if (previous && previous->m_config.bodySize == config.bodySize
        && previous->m_config.chunked == config.chunked
        && previous->m_config.http10 == config.http10) {
        std::copy(std::begin(previous->m_ok), std::end(previous->m_ok), std::begin(m_ok));
        return;
    }
    const int bodySize = std::clamp(config.bodySize, 0, kMaxBodySize);
    const QByteArray plainBody = makeBody(bodySize);
    const QByteArray chunkedBody
        = config.chunked ? chunkEncode(plainBody, kChunkSize) : QByteArray();
    const QByteArray statusLine = config.http10 ? "HTTP/1.0 200 OK\r\n" : "HTTP/1.1 200 OK\r\n";

    for (const bool headRequest : { false, true }) {
        for (const bool http10Client : { false, true }) {
            for (const bool close : { false, true }) {
                PreparedResponse &r = m_ok[index(headRequest, http10Client, close)];
                // Chunked framing needs HTTP/1.1 on both ends; otherwise the body is delimited
                // by closing the connection, as HTTP/1.0 servers do.
                const bool useChunked = config.chunked && !config.http10 && !http10Client;
                r.closeDelimited = config.chunked && !useChunked;
                const bool closing = close || r.closeDelimited || config.http10;

                QByteArray head = statusLine;
                head += "Server: poolscope\r\nContent-Type: application/octet-stream\r\n";
                if (useChunked) {
                    head += "Transfer-Encoding: chunked\r\n";
                } else if (!r.closeDelimited) {
                    head += "Content-Length: ";
                    head += QByteArray::number(bodySize);
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
                if (!headRequest)
                    r.body = useChunked ? chunkedBody : plainBody;
                if (r.body.size() <= kCombinedBodyLimit)
                    r.whole = r.head + r.body;
            }
        }
    }
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
