#include "server/request_parser.h"

#include <cstring>
#include <limits>
#include <utility>

namespace poolscope {

namespace {

// Largest Content-Length or chunk size we accept; bigger is an error rather than an overflow.
constexpr qint64 kMaxBodyLength = std::numeric_limits<qint64>::max() / 32;

bool isTokenChar(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return std::strchr("!#$%&'*+-.^_`|~", c) != nullptr && c != '\0';
}

bool isSpace(char c)
{
    return c == ' ' || c == '\t';
}

// Index just past the empty line that ends a request head in [p, p + n), searching from
// `from`; -1 if it is not there yet. Accepts CRLF and bare LF line endings.
qsizetype findHeadEnd(const char *p, qsizetype n, qsizetype from)
{
    for (qsizetype i = from; i < n; ++i) {
        if (p[i] != '\n')
            continue;
        if (i + 1 < n && p[i + 1] == '\n')
            return i + 2;
        if (i + 2 < n && p[i + 1] == '\r' && p[i + 2] == '\n')
            return i + 3;
    }
    return -1;
}

bool equalsIgnoreCase(const char *begin, const char *end, const char *literal)
{
    const auto length = static_cast<qsizetype>(std::strlen(literal));
    return end - begin == length && qstrnicmp(begin, literal, static_cast<size_t>(length)) == 0;
}

void trim(const char *&begin, const char *&end)
{
    while (begin < end && isSpace(*begin))
        ++begin;
    while (end > begin && (isSpace(end[-1]) || end[-1] == '\r'))
        --end;
}

// Calls `f(begin, end)` for each trimmed, non-empty element of a comma-separated header value.
template<typename F>
void forEachListElement(const char *begin, const char *end, F f)
{
    while (begin < end) {
        const char *comma = static_cast<const char *>(std::memchr(begin, ',', size_t(end - begin)));
        const char *elementEnd = comma ? comma : end;
        const char *b = begin;
        const char *e = elementEnd;
        trim(b, e);
        if (b < e)
            f(b, e);
        begin = comma ? comma + 1 : end;
    }
}

} // namespace

void RequestParser::reset()
{
    m_state = State::Start;
    m_error = Error::None;
    m_request = {};
    m_contentLength = 0;
    m_chunked = false;
    m_remaining = 0;
    m_buffer = QByteArray();
}

RequestParser::Result RequestParser::fail(Error error, qsizetype consumed)
{
    m_error = error;
    m_buffer = QByteArray();
    return { Status::Error, consumed };
}

RequestParser::Result RequestParser::feed(const char *data, qsizetype size)
{
    qsizetype pos = 0;
    if (m_error != Error::None)
        return { Status::Error, 0 };

    while (pos < size) {
        switch (m_state) {
        case State::Start: {
            // RFC 9112 2.2: ignore empty lines before a request line (some clients send a CRLF
            // after a POST body).
            while (pos < size && (data[pos] == '\r' || data[pos] == '\n'))
                ++pos;
            if (pos == size)
                return { Status::NeedMore, pos };
            const qsizetype end = findHeadEnd(data + pos, size - pos, 0);
            if (end >= 0) {
                // Fast path: the whole head is in this read, parse it in place.
                if (end > kMaxHeadBytes)
                    return fail(Error::HeadTooLarge, pos + end);
                const char *headBegin = data + pos;
                pos += end;
                if (!parseHead(headBegin, headBegin + end))
                    return { Status::Error, pos };
                const Status status = afterHead();
                if (status != Status::NeedMore)
                    return { status, pos };
                break;
            }
            m_state = State::Head;
            break;
        }
        case State::Head: {
            const qsizetype oldSize = m_buffer.size();
            // +4 leaves room for the terminating empty line of a head of exactly the limit.
            const qsizetype room = kMaxHeadBytes + 4 - oldSize;
            const qsizetype take = qMin(room, size - pos);
            m_buffer.append(data + pos, take);
            const qsizetype end = findHeadEnd(
                m_buffer.constData(), m_buffer.size(), qMax<qsizetype>(0, oldSize - 2));
            if (end < 0) {
                pos += take;
                if (m_buffer.size() > kMaxHeadBytes)
                    return fail(Error::HeadTooLarge, pos);
                return { Status::NeedMore, pos };
            }
            if (end > kMaxHeadBytes)
                return fail(Error::HeadTooLarge, pos + (end - oldSize));
            pos += end - oldSize;
            const QByteArray head = std::exchange(m_buffer, QByteArray());
            if (!parseHead(head.constData(), head.constData() + end))
                return { Status::Error, pos };
            const Status status = afterHead();
            if (status != Status::NeedMore)
                return { status, pos };
            break;
        }
        case State::IdentityBody: {
            const qint64 take = qMin<qint64>(m_remaining, size - pos);
            m_remaining -= take;
            pos += take;
            if (m_remaining == 0) {
                m_state = State::Start;
                return { Status::RequestComplete, pos };
            }
            return { Status::NeedMore, pos };
        }
        case State::ChunkData: {
            const qint64 take = qMin<qint64>(m_remaining, size - pos);
            m_remaining -= take;
            pos += take;
            if (m_remaining == 0)
                m_state = State::ChunkDataEnd;
            break;
        }
        case State::ChunkSize:
        case State::ChunkDataEnd:
        case State::Trailers: {
            // Line-oriented states: find the end of the line, in place when possible.
            const char *nl
                = static_cast<const char *>(std::memchr(data + pos, '\n', size_t(size - pos)));
            if (!nl) {
                const qsizetype limit
                    = m_state == State::Trailers ? kMaxHeadBytes : kMaxChunkLineBytes;
                if (m_buffer.size() + (size - pos) > limit)
                    return fail(
                        m_state == State::Trailers ? Error::HeadTooLarge : Error::BadRequest, size);
                m_buffer.append(data + pos, size - pos);
                return { Status::NeedMore, size };
            }
            const qsizetype lineLength = nl - (data + pos);
            const char *lineBegin = data + pos;
            const char *lineEnd = nl;
            if (!m_buffer.isEmpty()) {
                m_buffer.append(data + pos, lineLength);
                lineBegin = m_buffer.constData();
                lineEnd = lineBegin + m_buffer.size();
            }
            pos += lineLength + 1;
            if (lineEnd > lineBegin && lineEnd[-1] == '\r')
                --lineEnd;
            const bool empty = lineEnd == lineBegin;
            bool ok = true;
            if (m_state == State::ChunkSize) {
                ok = parseChunkSize(lineBegin, lineEnd);
            } else if (m_state == State::ChunkDataEnd) {
                ok = empty;
                m_state = State::ChunkSize;
            } else if (empty) {
                m_state = State::Start;
            }
            // Trailer fields are discarded; only their size is bounded (by the line limit).
            m_buffer = QByteArray();
            if (!ok)
                return fail(Error::BadRequest, pos);
            if (m_state == State::Start)
                return { Status::RequestComplete, pos };
            break;
        }
        }
    }
    return { Status::NeedMore, pos };
}

bool RequestParser::parseHead(const char *begin, const char *end)
{
    m_request = {};
    m_contentLength = 0;
    m_chunked = false;
    bool sawContentLength = false;
    bool sawTransferEncoding = false;
    bool connectionClose = false;
    bool connectionKeepAlive = false;

    auto bad = [this](Error error) {
        m_error = error;
        return false;
    };

    // Request line: method SP request-target SP HTTP-version
    const char *lineEnd = static_cast<const char *>(std::memchr(begin, '\n', size_t(end - begin)));
    const char *next = lineEnd + 1;
    if (lineEnd > begin && lineEnd[-1] == '\r')
        --lineEnd;
    const char *p = begin;
    const char *methodBegin = p;
    while (p < lineEnd && isTokenChar(*p))
        ++p;
    if (p == methodBegin || p == lineEnd || *p != ' ')
        return bad(Error::BadRequest);
    m_request.head
        = p - methodBegin == 4 && std::memcmp(methodBegin, "HEAD", 4) == 0; // case-sensitive
    ++p;
    const char *targetBegin = p;
    while (p < lineEnd && *p != ' ' && static_cast<unsigned char>(*p) > 0x20 && *p != 0x7f)
        ++p;
    if (p == targetBegin || p == lineEnd || *p != ' ')
        return bad(Error::BadRequest);
    ++p;
    const qsizetype versionLength = lineEnd - p;
    if (versionLength != 8 || std::memcmp(p, "HTTP/", 5) != 0 || p[6] != '.' || p[5] < '0'
        || p[5] > '9' || p[7] < '0' || p[7] > '9')
        return bad(Error::BadRequest);
    if (p[5] != '1')
        return bad(Error::UnsupportedVersion);
    m_request.http10 = p[7] == '0';

    // Header fields.
    for (const char *line = next; line < end;) {
        const char *nl = static_cast<const char *>(std::memchr(line, '\n', size_t(end - line)));
        const char *e = nl ? nl : end;
        next = nl ? nl + 1 : end;
        if (e > line && e[-1] == '\r')
            --e;
        if (e == line) { // the terminating empty line
            line = next;
            continue;
        }
        if (isSpace(*line)) // obsolete line folding (RFC 9112 5.2): reject
            return bad(Error::BadRequest);
        const char *nameEnd = line;
        while (nameEnd < e && isTokenChar(*nameEnd))
            ++nameEnd;
        if (nameEnd == line || nameEnd == e || *nameEnd != ':')
            return bad(Error::BadRequest);
        const char *value = nameEnd + 1;
        const char *valueEnd = e;
        trim(value, valueEnd);

        if (equalsIgnoreCase(line, nameEnd, "content-length")) {
            if (value == valueEnd)
                return bad(Error::BadRequest);
            qint64 length = 0;
            for (const char *d = value; d < valueEnd; ++d) {
                if (*d < '0' || *d > '9')
                    return bad(Error::BadRequest);
                length = length * 10 + (*d - '0');
                if (length > kMaxBodyLength)
                    return bad(Error::BadRequest);
            }
            if (sawContentLength && length != m_contentLength)
                return bad(Error::BadRequest);
            sawContentLength = true;
            m_contentLength = length;
        } else if (equalsIgnoreCase(line, nameEnd, "transfer-encoding")) {
            sawTransferEncoding = true;
            bool unknown = false;
            bool chunkedLast = false;
            bool chunkedEarlier = false;
            forEachListElement(value, valueEnd, [&](const char *b, const char *e2) {
                if (chunkedLast)
                    chunkedEarlier = true;
                chunkedLast = equalsIgnoreCase(b, e2, "chunked");
                if (!chunkedLast)
                    unknown = true;
            });
            if (chunkedEarlier)
                return bad(Error::BadRequest); // chunked must be applied exactly once, last
            if (unknown)
                return bad(Error::NotImplemented);
            if (!chunkedLast)
                return bad(Error::BadRequest);
            m_chunked = true;
        } else if (equalsIgnoreCase(line, nameEnd, "connection")) {
            forEachListElement(value, valueEnd, [&](const char *b, const char *e2) {
                if (equalsIgnoreCase(b, e2, "close"))
                    connectionClose = true;
                else if (equalsIgnoreCase(b, e2, "keep-alive"))
                    connectionKeepAlive = true;
            });
        } else if (equalsIgnoreCase(line, nameEnd, "expect")) {
            m_request.expectContinue = equalsIgnoreCase(value, valueEnd, "100-continue");
        }
        line = next;
    }

    // Both framings at once is the classic request smuggling vector: refuse it.
    if (sawContentLength && sawTransferEncoding)
        return bad(Error::BadRequest);
    if (m_request.http10) {
        m_request.keepAlive = connectionKeepAlive && !connectionClose;
        m_request.expectContinue = false; // Expect is an HTTP/1.1 feature
    } else {
        m_request.keepAlive = !connectionClose;
    }
    return true;
}

RequestParser::Status RequestParser::afterHead()
{
    const bool hasBody = m_chunked || m_contentLength > 0;
    if (m_chunked) {
        m_state = State::ChunkSize;
    } else if (m_contentLength > 0) {
        m_state = State::IdentityBody;
        m_remaining = m_contentLength;
    } else {
        m_state = State::Start;
        return Status::RequestComplete;
    }
    if (hasBody && m_request.expectContinue)
        return Status::ContinueExpected;
    return Status::NeedMore;
}

bool RequestParser::parseChunkSize(const char *begin, const char *end)
{
    qint64 size = 0;
    const char *p = begin;
    for (; p < end; ++p) {
        int digit = -1;
        if (*p >= '0' && *p <= '9')
            digit = *p - '0';
        else if (*p >= 'a' && *p <= 'f')
            digit = *p - 'a' + 10;
        else if (*p >= 'A' && *p <= 'F')
            digit = *p - 'A' + 10;
        else
            break;
        size = size * 16 + digit;
        if (size > kMaxBodyLength)
            return false;
    }
    if (p == begin)
        return false;
    while (p < end && isSpace(*p))
        ++p;
    if (p < end && *p != ';') // only chunk extensions may follow the size
        return false;
    if (size == 0) {
        m_state = State::Trailers;
    } else {
        m_state = State::ChunkData;
        m_remaining = size;
    }
    return true;
}

} // namespace poolscope
