#pragma once

#include <QByteArray>
#include <QString>
#include <QtGlobal>
#include <memory>

struct llhttp__internal_s; // llhttp_t; <llhttp.h> stays out of our headers (C enums, macros)

namespace poolscope {

class GzipDecoder;

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
// - Content-Length is judged as Go's fixLength does, at the head's end, never by llhttp:
//   identical repeats are one, differing ones fail with Go's list ("got [\"3\" \"5\"]");
//   HEAD, 204, 304 and chunked bodies ignore the value; an empty value reads to the close;
//   anything but a decimal below 2^63 is "bad Content-Length \"x\"" (llhttp would say
//   "Invalid character in Content-Length" or refuse the repeat).
// - Header lines ending in a bare LF, control bytes in header values, spaces before the
//   colon: Go 1.19 accepts them, so we enable llhttp's lenient_headers. Chunk-size lines
//   ending in a bare LF stay Malformed (llhttp has no leniency for them; Go accepts them).
// - Go 1.19 parity (tests/tst_http_go_parity.cpp has a row for each, saying what Go does):
//   the status line is judged by Go's rules on the raw line (a two-digit or four-digit
//   status, a bad version, a line without a space: "malformed HTTP status code \"20\"",
//   "malformed HTTP version ...", "malformed HTTP response ..." with Go's quoting); an empty
//   first line (a leading CRLF, which llhttp skips) is "malformed HTTP response \"\"";
//   a Transfer-Encoding other than one "chunked" fails like Go's ("unsupported transfer
//   encoding: \"gzip\"", "too many transfer encodings: [...]") on HTTP/1.1 (Go ignores it
//   on 1.0); a chunk-size line of 4096 bytes or more fails with Go's "header line too long"
//   (internal/chunked.go) and a trailer section past Go's 4 KiB read buffer with "http:
//   suspiciously long trailer after chunked body" (both after the headers, so bare like
//   Go's Body.Read errors; the extension and trailer bytes are counted from llhttp's
//   spans, a few separator bytes either way at the boundary); a NUL in the head (a header
//   name or value: Go 1.19's textproto accepts both) is read as '_' so llhttp accepts it.
//   A truncated response says "unexpected EOF", Go's io.ErrUnexpectedEOF.
// - Header section limit (Transport.MaxResponseHeaderBytes): llhttp has none. Go's
//   readLoop sets pc.readLimit = maxHeaderResponseSize() (the field, or 10 << 20 when it is
//   0: not http.DefaultMaxHeaderBytes, which is the server's 1 MiB) and reads the head
//   through it; needing byte N+1 fails with "net/http: server response headers exceeded N
//   bytes; aborted". So a head (status line through the blank line, as sent) of exactly N
//   bytes passes and N+1 fails; body bytes read ahead in the same read do not count. We
//   count the same bytes exactly: llhttp pauses in on_headers_complete, where its error
//   position is the first byte after the head. Go resets the limit after each 1xx; here each
//   head gets its own N (Go's reset also forgives whatever it had already buffered of the
//   next head, which depends on how the bytes were split into reads).
// - Content-Encoding: gzip on a request that asked for gzip itself (begin(..., true), Go's
//   requestedGzip): decoded like Go's gzipReader (see GzipDecoder), bodyBytes() counts the
//   decoded bytes a caller reads; a body that does not decode fails the response with
//   ErrorKind::CorruptGzip and Go's error text ("gzip: invalid header", "flate: corrupt
//   input before offset N", ...). Go reports that error from resp.Body.Read, after Do
//   succeeded: headersComplete() is true first. Bodiless responses (HEAD, Content-Length 0,
//   204, 304) are never wrapped, as in Go's readLoop.
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
        // A body we asked to be gzipped (Go's requestedGzip) did not decode.
        CorruptGzip,
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
    // requestedGzip: the request carries the "Accept-Encoding: gzip" that Go's Transport adds
    // itself (RequestTemplate::requestedGzip()), so a gzip body is decoded transparently.
    void begin(bool headRequest, bool requestedGzip = false);

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
    // The framing value, also when uncompressed() (Go then shows the caller -1).
    [[nodiscard]] qint64 contentLength() const { return m_contentLength; }
    [[nodiscard]] bool chunked() const { return m_chunked; }
    // The final response's first Location header, surrounding spaces trimmed (Go's
    // resp.Header.Get("Location")); empty when there is none. Kept for 3xx responses only,
    // the ones a client follows.
    [[nodiscard]] const QByteArray &location() const { return m_location; }
    // Go's readLoop !hasBody: the final response cannot have a body (a HEAD request, 204,
    // 304 or Content-Length: 0; Go's resp.ContentLength is 0 for all but HEAD). Go puts the
    // connection back in the pool before Do returns and hands the caller http.NoBody, so
    // whatever the caller does with that body (read, close, leak) leaves the connection
    // alone. Valid once headersComplete().
    [[nodiscard]] bool bodiless() const
    {
        return m_headRequest || m_statusCode == 204 || m_statusCode == 304 || m_contentLength == 0;
    }
    // Go's resp.Uncompressed: we asked for gzip, the response has a body and says
    // "Content-Encoding: gzip", so its body is decoded.
    [[nodiscard]] bool uncompressed() const { return m_uncompressed; }
    // Body bytes the caller reads so far: decoded when uncompressed(), else wireBodyBytes().
    [[nodiscard]] qint64 bodyBytes() const;
    // Body bytes as sent (chunk framing excluded, gzip not decoded).
    [[nodiscard]] qint64 wireBodyBytes() const { return m_bodyBytes; }
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
    // The head ended at headEnd (llhttp paused in on_headers_complete): applies the header
    // limit, then what the status and headers mean. false: the response failed.
    bool finishHead(const char *headEnd);
    bool finishInformationalHead(const char *headEnd); // a 1xx: the next head follows
    void headerFieldBytes(const char *at, size_t length);
    void headerValueBytes(const char *at, size_t length);
    void headerFieldDone();
    void headerValueDone();
    void releaseGzip();

    std::unique_ptr<llhttp__internal_s> m_parser;
    qint64 m_maxHeaderBytes = kDefaultMaxHeaderBytes;
    qint64 m_activeMaxHeaderBytes = kDefaultMaxHeaderBytes;
    bool m_headRequest = false;
    bool m_requestedGzip = false;
    bool m_headPaused = false; // llhttp stopped in on_headers_complete
    bool m_uncompressed = false;
    // Content-Encoding of the current response: the first such header's value (Go's
    // Header.Get), lower-cased; a name or value longer than the buffer cannot be "gzip".
    static constexpr int kShortFieldBytes = 24;
    char m_field[kShortFieldBytes] {};
    int m_fieldLength = 0;
    bool m_inContentEncoding = false;
    bool m_contentEncodingSeen = false;
    bool m_contentEncodingGzip = false;
    bool m_inLocation = false;
    bool m_locationSeen = false;
    QByteArray m_location; // emptied, not freed, per response: no steady-state allocation
    char m_value[kShortFieldBytes] {};
    int m_valueLength = 0;
    std::unique_ptr<GzipDecoder> m_gzip; // borrowed from GzipDecoder::take() per gzip body
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

    // Go parity (see the class comment). The first line of the current head as it arrived
    // (bounded; no CR/LF), whether it is complete, and the bytes of this call after it.
    static constexpr qsizetype kMaxLineCapture = 1024;
    QByteArray m_firstLine;
    bool m_firstLineDone = false;
    bool m_firstLineEmpty = false; // it was empty (a leading CRLF): Go fails
    bool m_lineErrorPending = false; // llhttp refused the line before it was whole
    const char *m_lineEnd = nullptr; // just past the line's LF, when this call held it
    void failPendingLine();
    int countInformational(); // a 1xx was read: HPE_OK, or the error (too many)
    const char *m_callEnd = nullptr;
    // The values of a header Go checks for repeats (Transfer-Encoding, Content-Length):
    // each trimmed, in a reused buffer (one value per line), and how many there were.
    struct RepeatedField
    {
        QByteArray values;
        int count = 0;
        bool inValue = false;
        void clear();
        void start();
        void append(const char *at, size_t length);
        void finish();
        [[nodiscard]] QByteArray first() const;
        [[nodiscard]] QString goQuotedList() const; // Go's %q of []string: ["a" "b"]
    };
    RepeatedField m_transferEncodingField;
    RepeatedField m_contentLengthField;
    qint64 m_chunkLineBytes = 0; // extension bytes of the current chunk-size line
    bool m_inTrailer = false;
    qint64 m_trailerBytes = 0;
    QByteArray m_scratch; // a head with NUL bytes replaced (feed)
    char m_headTail[3] {}; // the last bytes of the head fed so far
    qsizetype m_headTailLength = 0;
    const char *m_headStart = nullptr; // where the current head began in this call's bytes
    // Where the head ends in data (just past its blank line), -1 when not in it; withTail:
    // the head began in an earlier call, whose last bytes may hold the blank line's start.
    [[nodiscard]] qsizetype headEndIn(const char *data, qsizetype len, bool withTail = true) const;
    void keepHeadTail(const char *data, qsizetype len);
    FeedResult feedPendingLine(const char *data, qsizetype len);
    // An llhttp error `err` at `stop`: the result, in Go's words where Go has some.
    FeedResult failFeed(int err, const char *stop, qsizetype stopped, const char *original,
        const char *data, qsizetype len);
    [[nodiscard]] QString goContentLengthError() const; // Go's words, or empty
    // At a final head: frames the body by Content-Length as Go does, or fails.
    bool applyContentLength(int status);
    void captureFirstLine(const char *from, const char *end);
    [[nodiscard]] QString goStatusLineError() const;
    [[nodiscard]] QString goTransferEncodingError() const;
    int countChunkExtension(size_t length);
    int countTrailer(size_t length);
    // The bytes to execute: data, or a copy in m_scratch whose NULs in the head that starts
    // at offset `from` are replaced (Go's textproto takes them, llhttp does not).
    const char *withoutNulInHead(const char *data, qsizetype len, qsizetype from, bool withTail);

    // Header size accounting: header bytes of the current response before the current
    // feed() call (may be negative when a 1xx ended inside the call) and the call's first byte.
    qint64 m_headerBytesBeforeCall = 0;
    const char *m_callBegin = nullptr;
};

} // namespace poolscope
