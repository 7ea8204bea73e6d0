#pragma once

// What a ResponseParser shows once a response stopped (Complete, Error or still open):
// everything the engine can observe, compared as one value. Shared by the parser's unit
// test and its fuzz target, which both check that how the bytes are cut into reads
// changes no outcome.
#include "http/response_parser.h"

#include <QString>

namespace poolscope::testsupport {

struct ParserOutcome
{
    ResponseParser::Result result = ResponseParser::Result::NeedMore;
    qsizetype consumed = 0;
    int status = 0;
    int major = 0;
    int minor = 0;
    bool headersComplete = false;
    bool keepAlive = false;
    qint64 contentLength = -1;
    bool chunked = false;
    bool uncompressed = false;
    qint64 bodyBytes = 0;
    qint64 wireBodyBytes = 0;
    int informational = 0;
    bool got100 = false;
    ResponseParser::ErrorKind errorKind = ResponseParser::ErrorKind::None;
    QString errorMessage;

    bool operator==(const ParserOutcome &) const = default;
};

// The parser's state after a feed that ended in `result` having taken `consumed` bytes.
inline ParserOutcome outcomeOf(
    const ResponseParser &p, ResponseParser::Result result, qsizetype consumed)
{
    ParserOutcome o;
    o.result = result;
    o.consumed = consumed;
    o.status = p.statusCode();
    o.major = p.httpMajor();
    o.minor = p.httpMinor();
    o.headersComplete = p.headersComplete();
    o.keepAlive = p.keepAlive();
    o.contentLength = p.contentLength();
    o.chunked = p.chunked();
    o.uncompressed = p.uncompressed();
    o.bodyBytes = p.bodyBytes();
    o.wireBodyBytes = p.wireBodyBytes();
    o.informational = p.informationalCount();
    o.got100 = p.got100Continue();
    o.errorKind = p.errorKind();
    o.errorMessage = p.errorMessage();
    return o;
}

inline QString describe(const ParserOutcome &o)
{
    return QStringLiteral("result=%1 consumed=%2 status=%3 HTTP/%4.%5 headers=%6 keepAlive=%7 "
                          "cl=%8 chunked=%9 gzip=%10 body=%11 wire=%12 1xx=%13 100=%14 "
                          "error=%15 '%16'")
        .arg(int(o.result))
        .arg(o.consumed)
        .arg(o.status)
        .arg(o.major)
        .arg(o.minor)
        .arg(o.headersComplete)
        .arg(o.keepAlive)
        .arg(o.contentLength)
        .arg(o.chunked)
        .arg(o.uncompressed)
        .arg(o.bodyBytes)
        .arg(o.wireBodyBytes)
        .arg(o.informational)
        .arg(o.got100)
        .arg(QLatin1String(ResponseParser::errorKindName(o.errorKind)))
        .arg(o.errorMessage);
}

} // namespace poolscope::testsupport
