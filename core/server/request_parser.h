#pragma once

#include <QByteArray>
#include <QtGlobal>
#include <array>
#include <memory>

struct llhttp__internal_s; // llhttp_t; <llhttp.h> stays out of our headers (C enums, macros)

namespace poolscope {

// Incremental, sans-IO HTTP/1.x request parser for the embedded server, on llhttp in request
// mode (the same parser the client uses for responses, core/http/response_parser.h).
//
// It only extracts what the server needs to frame requests and choose a response (method is
// HEAD or not, keep-alive wish, Expect: 100-continue, body framing); request bodies are
// consumed and discarded. Nothing is copied except the method token (and the values of
// Transfer-Encoding and Expect) when they straddle two reads.
//
// Where we decide rather than llhttp:
// - Methods: llhttp knows only its table of upper-case methods; Go's server takes any token
//   and so do we. The method is read here and llhttp is fed "GET" in its place ("CONNECT"
//   for CONNECT, for its host:port target). Neither CONNECT nor Upgrade switches llhttp to
//   tunnel mode: the server answers them like any request.
// - Versions: any HTTP/d.d parses (llhttp's lenient version); 1.x is served, others get 505.
// - Transfer-Encoding: a coding other than chunked is 501 (Go: "unsupported transfer
//   encoding"), chunked anywhere but last is 400.
// - Obsolete line folding and a space before a header's colon: llhttp 8.1 accepts both;
//   we answer 400 (Go does too).
// - Limits: llhttp has none; the head, each chunk line and the trailers are bounded below.
// Duplicate Content-Length headers are refused by llhttp even when equal (Go accepts equal
// ones); bare LF line endings are accepted after the request line but not inside headers.
class RequestParser final
{
public:
    // Request head limit; beyond it the server answers 431 and closes.
    static constexpr qsizetype kMaxHeadBytes = 64 * 1024;
    // Chunk extensions longer than this (per chunk line) are rejected as malformed.
    static constexpr qsizetype kMaxChunkLineBytes = 1024;

    enum class Status {
        NeedMore, // every byte consumed, request not complete yet
        ContinueExpected, // head complete and the client waits for "100 Continue" before its body
        RequestComplete, // one whole request (head and body) consumed
        Error, // protocol error, see error(); the connection must be answered and closed
    };

    enum class Error {
        None,
        BadRequest, // 400
        HeadTooLarge, // 431 (the head, or the trailers, over kMaxHeadBytes)
        UnsupportedVersion, // 505
        NotImplemented, // 501: a Transfer-Encoding other than chunked
    };

    struct Result
    {
        Status status = Status::NeedMore;
        qsizetype consumed = 0; // bytes of the input used; the rest belongs to the next call
    };

    // Facts about the request being parsed (valid once its head is complete).
    struct Request
    {
        bool head = false; // method is HEAD: the response has no body
        bool http10 = false; // HTTP/1.0 request line
        bool keepAlive = true; // the client allows the connection to stay open
        bool expectContinue = false;
        // The target is "/redirect/k" (1 <= k <= 999999, query ignored): k; else 0. For
        // ServerConfig::redirects.
        int redirectHop = 0;
    };

    RequestParser();
    ~RequestParser();
    Q_DISABLE_COPY_MOVE(RequestParser)

    // Parses as much of [data, data + size) as belongs to the current request. It stops right
    // after a complete request (pipelined data is left for the next call), after the head of a
    // request that expects 100-continue, or at the first error.
    [[nodiscard]] Result feed(const char *data, qsizetype size);

    [[nodiscard]] const Request &request() const { return m_request; }
    [[nodiscard]] Error error() const { return m_error; }
    // True between the first byte of a request and its completion: an idle connection has
    // nothing in progress.
    [[nodiscard]] bool inProgress() const
    {
        return m_phase != Phase::Method || !m_method.isEmpty();
    }

    // Forgets the current request and drops the accumulation buffers' memory.
    void reset();

    // "/redirect/k" (k a positive decimal without leading zero, an optional query after it)
    // -> k, any other request target -> 0. Also read by the HTTP/2 session (:path).
    [[nodiscard]] static int redirectHopOf(QByteArrayView target);

private:
    struct Callbacks;
    enum class Phase { Method, Head, Body };
    enum class Field { Other, TransferEncoding, Expect }; // header fields we look at
    enum class Event { None, HeadDone, MessageDone }; // where llhttp paused

    Result fail(Error error, qsizetype consumed);
    // Reads the method token; true once it is complete and llhttp has been primed.
    bool readMethod(const char *data, qsizetype size, qsizetype *pos);
    // Head bytes fed to llhttp: count them and refuse obsolete line folding.
    bool checkHead(const char *begin, const char *end);
    int headersComplete();
    void targetBytes(const char *at, size_t length);
    // "/redirect/k" in m_target -> k, else 0.
    [[nodiscard]] int redirectHop() const;
    int fieldComplete();
    int valueComplete();
    int fail(Error error); // from a callback
    int countTrailer(size_t length);

    std::unique_ptr<llhttp__internal_s> m_parser;
    Phase m_phase = Phase::Method;
    Event m_event = Event::None;
    Error m_error = Error::None;
    Request m_request;
    QByteArray m_method; // the method token so far (only across reads)
    qsizetype m_headBytes = 0; // of the current head, method included
    bool m_afterLf = false; // the last head byte was a line feed (for obs-fold)
    bool m_sawVersion = false; // the request line had an HTTP-version (not HTTP/0.9 style)
    // The current header name's first bytes (enough to tell the names we look at) and its
    // last byte; fixed storage, no allocation per header.
    std::array<char, 18> m_field {};
    qsizetype m_fieldLength = 0; // bytes in m_field
    char m_fieldLast = 0;
    Field m_fieldKind = Field::Other;
    QByteArray m_value; // value of a field we look at
    // The request target's first bytes ("/redirect/123456?" fits); a longer one is no hop.
    std::array<char, 20> m_target {};
    qsizetype m_targetLength = 0; // bytes seen, may exceed m_target.size()
    bool m_inTrailers = false;
    qsizetype m_framingBytes = 0; // chunk extensions of this chunk line, or trailer bytes
};

} // namespace poolscope
