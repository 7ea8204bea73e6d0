#pragma once

#include <QByteArray>
#include <QtGlobal>

namespace poolscope {

// Incremental, sans-IO HTTP/1.x request parser for the embedded server.
//
// It only extracts what the server needs to frame requests and choose a response (method is
// HEAD or not, keep-alive wish, Expect: 100-continue, body framing); request bodies are
// consumed and discarded. The common case (a whole request head inside one read) is parsed in
// place without copying; a head split across reads is accumulated up to kMaxHeadBytes.
class RequestParser final
{
public:
    // Request head limit; beyond it the server answers 431 and closes.
    static constexpr qsizetype kMaxHeadBytes = 64 * 1024;
    // A chunk-size line (with extensions) longer than this is rejected as malformed.
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
        HeadTooLarge, // 431
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
    };

    // Parses as much of [data, data + size) as belongs to the current request. It stops right
    // after a complete request (pipelined data is left for the next call), after the head of a
    // request that expects 100-continue, or at the first error.
    [[nodiscard]] Result feed(const char *data, qsizetype size);

    [[nodiscard]] const Request &request() const { return m_request; }
    [[nodiscard]] Error error() const { return m_error; }
    // True between the first byte of a request and its completion: an idle connection has
    // nothing in progress.
    [[nodiscard]] bool inProgress() const { return m_state != State::Start || !m_buffer.isEmpty(); }

    // Forgets the current request and drops the accumulation buffer's memory.
    void reset();

private:
    enum class State {
        Start, // before the first byte of a request head
        Head, // head bytes being accumulated in m_buffer
        IdentityBody,
        ChunkSize,
        ChunkData,
        ChunkDataEnd, // CRLF after a chunk's data
        Trailers,
    };

    Result fail(Error error, qsizetype consumed);
    // Parses a complete head (request line + header lines, without the final empty line).
    bool parseHead(const char *begin, const char *end);
    // Moves to the body state after the head; returns the status to report.
    Status afterHead();
    bool parseChunkSize(const char *begin, const char *end);

    State m_state = State::Start;
    Error m_error = Error::None;
    Request m_request;
    qint64 m_contentLength = 0;
    bool m_chunked = false;
    qint64 m_remaining = 0; // body or chunk bytes still to discard
    QByteArray m_buffer; // partial head, chunk-size line or trailer line across reads
};

} // namespace poolscope
