#pragma once

#include <QString>
#include <QtGlobal>
#include <memory>

struct llhttp__internal_s; // llhttp_t; <llhttp.h> stays out of our headers (C enums, macros)

namespace poolscope {

// Incremental HTTP/1.x response parser on top of llhttp, with Go's client-side limits.
//
// One instance per connection, reused: construct once, call begin() before each request's
// response, then feed() bytes as they arrive until Complete or Error. The steady state does
// not allocate (only an error message allocates). Bodies are counted, never stored; a caller
// that wants to stop after the headers (body policy "close early") simply stops feeding.
//
// Framing choices where llhttp and Go differ (Go 1.19 net/http as the reference):
// - Transfer-Encoding: chunked together with Content-Length: Go ignores Content-Length;
//   we enable llhttp's lenient_chunked_length so chunked wins too.
// - 1xx other than 101 are skipped like Go; the 6th one for one request fails
//   (Go's max1xxResponses = 5, "num1xx > 5"), ErrorKind::TooManyInformational.
// - 101 Switching Protocols: Go treats it as the final response and stops speaking HTTP on
//   the connection; we never ask for an upgrade, so it is ErrorKind::UnexpectedUpgrade.
// - HEAD, 1xx, 204 and 304 never have a body, whatever Content-Length says (Go's
//   bodyAllowedForStatus); llhttp alone would read a body for a 304 with Content-Length.
// - Duplicate Content-Length headers: Go accepts identical duplicates, llhttp rejects
//   every duplicate: ErrorKind::Malformed (stricter than Go).
// - Header lines ending in a bare LF, control bytes in header values, spaces before the
//   colon: Go 1.19 accepts them, so we enable llhttp's lenient_headers. Chunk-size lines
//   ending in a bare LF stay Malformed (llhttp has no leniency for them; Go accepts them).
// - A Transfer-Encoding other than chunked: Go 1.19 rejects it ("unsupported transfer
//   encoding"), llhttp reads the body until EOF; we keep llhttp's behaviour (keepAlive false).
// - Header section limit: llhttp has none; we apply Transport.MaxResponseHeaderBytes per
//   response (reset after each 1xx, like Go). Go's client default is 10 MiB
//   (persistConn.maxHeaderResponseSize: 10 << 20), not http.DefaultMaxHeaderBytes (1 MiB,
//   the server's); setMaxHeaderBytes() changes it.
class ResponseParser final
{
public:
    enum class Result { NeedMore, Complete, Error };

    enum class ErrorKind {
        None,
        // llhttp rejected the bytes (bad status line, header token, chunk size, ...).
        Malformed,
        // Status line plus headers exceeded maxHeaderBytes().
        HeaderTooLarge,
        // More than kMaxInformational 1xx responses before the final one.
        TooManyInformational,
        // 101 Switching Protocols to a request that did not ask for an upgrade.
        UnexpectedUpgrade,
        // The connection ended before the response was complete (feedEof()).
        UnexpectedEof,
    };

    struct FeedResult
    {
        Result result = Result::NeedMore;
        // Bytes of the input that belong to this response. After Complete, the rest of the
        // input is left to the caller (on an HTTP/1.1 client connection: a protocol error).
        qsizetype consumed = 0;
    };

    // Go's client default for Transport.MaxResponseHeaderBytes == 0 (10 << 20).
    static constexpr qint64 kDefaultMaxHeaderBytes = qint64(10) << 20;
    // Go's max1xxResponses: the next 1xx after this many is an error.
    static constexpr int kMaxInformational = 5;

    ResponseParser();
    ~ResponseParser();
    ResponseParser(const ResponseParser &) = delete;
    ResponseParser &operator=(const ResponseParser &) = delete;

    // Transport.MaxResponseHeaderBytes: limit on status line plus headers of one response.
    // 0 or negative = kDefaultMaxHeaderBytes. Takes effect at the next begin().
    void setMaxHeaderBytes(qint64 bytes);
    [[nodiscard]] qint64 maxHeaderBytes() const { return m_maxHeaderBytes; }

    // Starts a new response. headRequest: the request was HEAD, so the response has no body.
    void begin(bool headRequest);

    // Parses up to len bytes. Complete/Error are sticky until the next begin(): later calls
    // return the same result with consumed == 0.
    FeedResult feed(const char *data, qsizetype len);
    // The peer closed the connection. Completes a read-until-EOF body (HTTP/1.0 without
    // Content-Length); anything else unfinished becomes ErrorKind::UnexpectedEof.
    Result feedEof();

    [[nodiscard]] Result state() const { return m_state; }
    // At least one byte arrived since begin() (Go's GotFirstResponseByte; a 1xx counts).
    [[nodiscard]] bool firstByteSeen() const { return m_firstByteSeen; }
    // The final (non-1xx) response's headers are parsed (stops ResponseHeaderTimeout).
    [[nodiscard]] bool headersComplete() const { return m_headersComplete; }
    [[nodiscard]] int statusCode() const { return m_statusCode; }
    [[nodiscard]] int httpMajor() const { return m_httpMajor; }
    [[nodiscard]] int httpMinor() const { return m_httpMinor; }
    // The connection may carry another request: false for "Connection: close", HTTP/1.0
    // without "Connection: keep-alive", and bodies delimited by EOF. Final once headers are
    // complete for framed bodies, and once Complete in every case.
    [[nodiscard]] bool keepAlive() const { return m_keepAlive; }
    // Content-Length of the final response, -1 when absent (chunked, EOF-delimited) or ignored.
    [[nodiscard]] qint64 contentLength() const { return m_contentLength; }
    [[nodiscard]] bool chunked() const { return m_chunked; }
    // Body bytes seen so far (chunk framing excluded).
    [[nodiscard]] qint64 bodyBytes() const { return m_bodyBytes; }
    // A "100 Continue" arrived: a request sent with "Expect: 100-continue" may send its body.
    [[nodiscard]] bool got100Continue() const { return m_got100Continue; }
    // 1xx responses skipped so far for this request (101 excluded).
    [[nodiscard]] int informationalCount() const { return m_informationalCount; }
    [[nodiscard]] ErrorKind errorKind() const { return m_errorKind; }
    // Human-readable reason, llhttp's own for Malformed. Empty when there is no error.
    [[nodiscard]] QString errorMessage() const { return m_errorMessage; }

    [[nodiscard]] static const char *errorKindName(ErrorKind kind);

private:
    struct Callbacks;
    friend struct Callbacks;

    void resetResponseFields();
    int fail(ErrorKind kind, QString message);
    int failHeaderTooLarge();
    qint64 headerBytesAt(const char *position) const;
    int checkHeaderSpan(const char *at, size_t length);

    std::unique_ptr<llhttp__internal_s> m_parser;
    qint64 m_maxHeaderBytes = kDefaultMaxHeaderBytes;
    qint64 m_activeMaxHeaderBytes = kDefaultMaxHeaderBytes;
    bool m_headRequest = false;
    Result m_state = Result::NeedMore;
    bool m_messageDone = false;
    bool m_firstByteSeen = false;
    bool m_headersComplete = false;
    int m_statusCode = 0;
    int m_httpMajor = 0;
    int m_httpMinor = 0;
    bool m_keepAlive = false;
    qint64 m_contentLength = -1;
    bool m_chunked = false;
    qint64 m_bodyBytes = 0;
    bool m_got100Continue = false;
    int m_informationalCount = 0;
    ErrorKind m_errorKind = ErrorKind::None;
    QString m_errorMessage;

    // Header size accounting: header bytes of the current response before the current
    // feed() call (may be negative when a 1xx ended inside the call), the call's first byte,
    // and the end of the last header/status span seen.
    qint64 m_headerBytesBeforeCall = 0;
    const char *m_callBegin = nullptr;
    const char *m_lastSpanEnd = nullptr;
};

} // namespace poolscope
