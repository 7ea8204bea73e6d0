#include "response_parser.h"

#include "gzip_decoder.h"
#include "llhttp_callbacks.h"

namespace poolscope {

namespace {

bool isInformational(int status)
{
    return status >= 100 && status <= 199 && status != 101;
}

char asciiLower(char c)
{
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// Appends a span to a short lower-cased buffer; a length past the buffer marks overflow.
void appendShort(char *buffer, int capacity, int &length, const char *at, size_t n)
{
    for (size_t i = 0; i < n; ++i) {
        if (length < capacity)
            buffer[length] = asciiLower(at[i]);
        if (length <= capacity)
            ++length;
    }
}

} // namespace

struct ResponseParser::Callbacks : LlhttpCallbacks<ResponseParser, ResponseParser::Callbacks>
{
    static int onMessageBegin(llhttp_t *parser)
    {
        self(parser)->resetResponseFields();
        return HPE_OK;
    }

    static int onHeaderSpan(llhttp_t *parser, const char *at, size_t length)
    {
        return self(parser)->checkHeaderSpan(at, length);
    }

    static int onHeaderField(llhttp_t *parser, const char *at, size_t length)
    {
        self(parser)->headerFieldBytes(at, length);
        return self(parser)->checkHeaderSpan(at, length);
    }

    static int onHeaderValue(llhttp_t *parser, const char *at, size_t length)
    {
        self(parser)->headerValueBytes(at, length);
        return self(parser)->checkHeaderSpan(at, length);
    }

    static int onHeaderFieldComplete(llhttp_t *parser)
    {
        self(parser)->headerFieldDone();
        return HPE_OK;
    }

    static int onHeaderValueComplete(llhttp_t *parser)
    {
        self(parser)->headerValueDone();
        return HPE_OK;
    }

    static int onHeadersComplete(llhttp_t *parser)
    {
        // Pausing here makes llhttp_get_error_pos() the first byte after the head, so
        // feed() can count the head exactly (finishHead) before anything else is decided.
        self(parser)->m_headPaused = true;
        return HPE_PAUSED;
    }

    static int onBody(llhttp_t *parser, const char *at, size_t length)
    {
        ResponseParser *p = self(parser);
        p->m_bodyBytes += static_cast<qint64>(length);
        if (p->m_gzip && !p->m_gzip->feed(at, static_cast<qsizetype>(length)))
            return p->fail(ErrorKind::CorruptGzip, p->m_gzip->errorMessage());
        return HPE_OK;
    }

    static int onMessageComplete(llhttp_t *parser)
    {
        ResponseParser *p = self(parser);
        if (isInformational(p->m_statusCode)) {
            ++p->m_informationalCount;
            if (p->m_statusCode == 100)
                p->m_got100Continue = true;
            if (p->m_informationalCount > kMaxInformational) {
                return p->fail(ErrorKind::TooManyInformational,
                    QStringLiteral("net/http: too many 1xx informational responses"));
            }
            return HPE_OK;
        }
        // The body ended: a gzip stream must have ended with it.
        if (p->m_gzip && !p->m_gzip->finish())
            return p->fail(ErrorKind::CorruptGzip, p->m_gzip->errorMessage());
        // Must be asked here: once llhttp_execute returns, the parser has reset for the next
        // message and would answer 0.
        p->m_keepAlive = llhttp_should_keep_alive(parser) != 0;
        p->m_messageDone = true;
        // Stop at the end of this response so the caller learns how many bytes it used.
        return HPE_PAUSED;
    }

    static void bind(llhttp_settings_t &s)
    {
        s.on_message_begin = &onMessageBegin;
        s.on_status = &onHeaderSpan;
        s.on_header_field = &onHeaderField;
        s.on_header_value = &onHeaderValue;
        s.on_header_field_complete = &onHeaderFieldComplete;
        s.on_header_value_complete = &onHeaderValueComplete;
        s.on_headers_complete = &onHeadersComplete;
        s.on_body = &onBody;
        s.on_message_complete = &onMessageComplete;
    }
};

ResponseParser::ResponseParser() : m_parser(std::make_unique<llhttp_t>())
{
    llhttp_init(m_parser.get(), HTTP_RESPONSE, &Callbacks::settings());
    m_parser->data = this;
    // Go ignores Content-Length when Transfer-Encoding is chunked (RFC 7230 3.3.3).
    llhttp_set_lenient_chunked_length(m_parser.get(), 1);
    // Go's textproto reader accepts header lines ending in a bare LF, control bytes in
    // values and spaces before the colon; strict llhttp would call those responses
    // malformed. We only measure, never forward, so the smuggling concern does not apply.
    llhttp_set_lenient_headers(m_parser.get(), 1);
    begin(false);
}

ResponseParser::~ResponseParser()
{
    releaseGzip();
}

void ResponseParser::setMaxHeaderBytes(qint64 bytes)
{
    m_maxHeaderBytes = bytes > 0 ? bytes : kDefaultMaxHeaderBytes;
}

void ResponseParser::begin(bool headRequest, bool requestedGzip)
{
    // llhttp_reset keeps settings, user data and lenient flags, and clears any error.
    llhttp_reset(m_parser.get());
    m_headRequest = headRequest;
    m_requestedGzip = requestedGzip;
    m_headPaused = false;
    m_activeMaxHeaderBytes = m_maxHeaderBytes;
    m_state = Result::NeedMore;
    m_messageDone = false;
    m_firstByteSeen = false;
    m_got100Continue = false;
    m_informationalCount = 0;
    m_headerBytesBeforeCall = 0;
    m_errorKind = ErrorKind::None;
    if (!m_errorMessage.isEmpty())
        m_errorMessage.clear();
    resetResponseFields();
}

void ResponseParser::resetResponseFields()
{
    releaseGzip();
    m_uncompressed = false;
    m_fieldLength = 0;
    m_valueLength = 0;
    m_inContentEncoding = false;
    m_contentEncodingSeen = false;
    m_contentEncodingGzip = false;
    m_inLocation = false;
    m_locationSeen = false;
    m_location.truncate(0);
    m_headersComplete = false;
    m_statusCode = 0;
    m_httpMajor = 0;
    m_httpMinor = 0;
    m_keepAlive = false;
    m_contentLength = -1;
    m_chunked = false;
    m_bodyBytes = 0;
}

int ResponseParser::fail(ErrorKind kind, QString message)
{
    m_errorKind = kind;
    m_errorMessage = std::move(message);
    return HPE_USER;
}

int ResponseParser::failHeaderTooLarge()
{
    return fail(ErrorKind::HeaderTooLarge,
        QStringLiteral("net/http: server response headers exceeded %1 bytes; aborted")
            .arg(m_activeMaxHeaderBytes));
}

qint64 ResponseParser::headerBytesAt(const char *position) const
{
    const qint64 inCall = position && m_callBegin ? static_cast<qint64>(position - m_callBegin) : 0;
    return m_headerBytesBeforeCall + inCall;
}

int ResponseParser::checkHeaderSpan(const char *at, size_t length)
{
    if (headerBytesAt(at + length) > m_activeMaxHeaderBytes)
        return failHeaderTooLarge();
    return HPE_OK;
}

void ResponseParser::headerFieldBytes(const char *at, size_t length)
{
    appendShort(m_field, kShortFieldBytes, m_fieldLength, at, length);
}

void ResponseParser::headerFieldDone()
{
    constexpr QLatin1StringView kContentEncoding("content-encoding");
    constexpr QLatin1StringView kLocation("location");
    m_inContentEncoding = !m_contentEncodingSeen && m_fieldLength == kContentEncoding.size()
        && QLatin1StringView(m_field, m_fieldLength) == kContentEncoding;
    // The status line is parsed by now: only a redirect's Location is worth keeping.
    const int status = llhttp_get_status_code(m_parser.get());
    m_inLocation = !m_locationSeen && status >= 300 && status <= 399
        && m_fieldLength == kLocation.size()
        && QLatin1StringView(m_field, m_fieldLength) == kLocation;
    m_fieldLength = 0;
    m_valueLength = 0;
}

void ResponseParser::headerValueBytes(const char *at, size_t length)
{
    if (m_inContentEncoding)
        appendShort(m_value, kShortFieldBytes, m_valueLength, at, length);
    if (m_inLocation)
        m_location.append(at, static_cast<qsizetype>(length)); // bounded by the header limit
}

void ResponseParser::headerValueDone()
{
    if (m_inLocation) {
        m_inLocation = false;
        m_locationSeen = true;
        m_location = m_location.trimmed();
    }
    if (!m_inContentEncoding)
        return;
    // Go: ascii.EqualFold(resp.Header.Get("Content-Encoding"), "gzip"), on the first value
    // with its surrounding spaces and tabs trimmed (textproto).
    m_inContentEncoding = false;
    m_contentEncodingSeen = true;
    if (m_valueLength > kShortFieldBytes)
        return;
    const QLatin1StringView value = QLatin1StringView(m_value, m_valueLength).trimmed();
    m_contentEncodingGzip = value == QLatin1StringView("gzip");
}

void ResponseParser::releaseGzip()
{
    if (m_gzip)
        GzipDecoder::giveBack(std::move(m_gzip));
}

qint64 ResponseParser::bodyBytes() const
{
    return m_uncompressed && m_gzip ? m_gzip->decodedBytes() : m_bodyBytes;
}

bool ResponseParser::finishHead(const char *headEnd)
{
    if (headerBytesAt(headEnd) > m_activeMaxHeaderBytes) {
        failHeaderTooLarge();
        return false;
    }
    llhttp_t *parser = m_parser.get();
    const int status = llhttp_get_status_code(parser);
    m_statusCode = status;
    m_httpMajor = llhttp_get_http_major(parser);
    m_httpMinor = llhttp_get_http_minor(parser);
    if (status == 101) {
        fail(ErrorKind::UnexpectedUpgrade,
            QStringLiteral("unexpected 101 Switching Protocols: no upgrade was requested"));
        return false;
    }
    if (isInformational(status)) {
        // The next head starts here and gets its own limit. A 1xx never has a body.
        m_headerBytesBeforeCall = -static_cast<qint64>(headEnd - m_callBegin);
        parser->flags |= F_SKIPBODY; // what returning 1 from on_headers_complete does
        return true;
    }
    m_headersComplete = true;
    m_chunked = (parser->flags & F_CHUNKED) != 0;
    // Any Transfer-Encoding makes llhttp ignore Content-Length (chunked, or a body until EOF
    // for the others), so the length is not the framing either.
    m_contentLength = (parser->flags & (F_CHUNKED | F_TRANSFER_ENCODING)) == 0
            && (parser->flags & F_CONTENT_LENGTH) != 0
        ? static_cast<qint64>(parser->content_length)
        : -1;
    const bool noBody = m_headRequest || status == 204 || status == 304;
    if (noBody) {
        // Go's bodyAllowedForStatus / HEAD: the announced length describes a body that is
        // not sent. Keep-alive is decided again at message completion.
        m_keepAlive = false;
        parser->flags |= F_SKIPBODY;
        return true;
    }
    m_keepAlive = llhttp_should_keep_alive(parser) != 0;
    // Go's readLoop wraps the body in a gzipReader only when it has one (ContentLength != 0).
    if (m_requestedGzip && m_contentEncodingGzip && m_contentLength != 0) {
        m_uncompressed = true;
        m_gzip = GzipDecoder::take();
    }
    return true;
}

ResponseParser::FeedResult ResponseParser::feed(const char *data, qsizetype len)
{
    if (m_state != Result::NeedMore)
        return { m_state, 0 };
    if (len <= 0)
        return { m_state, 0 };
    m_firstByteSeen = true;

    m_callBegin = data;
    const char *const end = data + len;
    llhttp_errno_t err = llhttp_execute(m_parser.get(), data, static_cast<size_t>(len));
    // Each head pauses the parser once (a 1xx and the final response may share one call).
    while (err == HPE_PAUSED && m_headPaused) {
        m_headPaused = false;
        const char *headEnd = llhttp_get_error_pos(m_parser.get());
        if (!finishHead(headEnd)) {
            m_state = Result::Error;
            m_callBegin = nullptr;
            return { m_state, static_cast<qsizetype>(headEnd - data) };
        }
        llhttp_resume(m_parser.get());
        err = llhttp_execute(m_parser.get(), headEnd, static_cast<size_t>(end - headEnd));
    }
    const char *stop = llhttp_get_error_pos(m_parser.get());
    const qsizetype stopped = err != HPE_OK && stop ? static_cast<qsizetype>(stop - data) : len;

    if (err == HPE_PAUSED && m_messageDone) {
        m_state = Result::Complete;
        m_callBegin = nullptr;
        return { m_state, stopped };
    }
    if (err != HPE_OK) {
        if (m_errorKind == ErrorKind::None && !m_headersComplete && stop
            && headerBytesAt(stop) >= m_activeMaxHeaderBytes) {
            // Go reads the head through its limit: a bad byte past it is never seen, the
            // limit is hit first. Without this, reads ending before the bad byte would say
            // HeaderTooLarge and one read holding both would say Malformed.
            failHeaderTooLarge();
        } else if (m_errorKind == ErrorKind::None) {
            m_errorKind = ErrorKind::Malformed;
            const char *reason = llhttp_get_error_reason(m_parser.get());
            m_errorMessage = QStringLiteral("malformed HTTP response: %1 (%2)")
                                 .arg(QString::fromLatin1(reason ? reason : "parse error"),
                                     QString::fromLatin1(llhttp_errno_name(err)));
        }
        m_state = Result::Error;
        m_callBegin = nullptr;
        return { m_state, stopped };
    }

    if (!m_headersComplete) {
        // Everything of this call still belongs to the header section of the current
        // response (minus any 1xx that ended inside it, already subtracted).
        m_headerBytesBeforeCall += len;
        if (m_headerBytesBeforeCall > m_activeMaxHeaderBytes) {
            failHeaderTooLarge();
            m_state = Result::Error;
        }
    }
    m_callBegin = nullptr;
    return { m_state, len };
}

ResponseParser::Result ResponseParser::feedEof()
{
    if (m_state != Result::NeedMore)
        return m_state;
    if (m_headersComplete && llhttp_message_needs_eof(m_parser.get())) {
        // llhttp_finish runs on_message_complete, which pauses: the pause is our success.
        llhttp_finish(m_parser.get());
        if (m_messageDone) {
            m_keepAlive = false; // the server closed the connection to end the body
            m_state = Result::Complete;
            return m_state;
        }
        if (m_errorKind == ErrorKind::CorruptGzip) {
            m_state = Result::Error; // the body ended inside a gzip member
            return m_state;
        }
    }
    m_errorKind = ErrorKind::UnexpectedEof;
    if (!m_firstByteSeen) {
        m_errorMessage = QStringLiteral("EOF: connection closed before any response byte");
    } else if (!m_headersComplete) {
        m_errorMessage = QStringLiteral("unexpected EOF while reading the response headers");
    } else {
        m_errorMessage = QStringLiteral("unexpected EOF after %1 body bytes").arg(m_bodyBytes);
        if (m_contentLength >= 0)
            m_errorMessage += QStringLiteral(" of %1").arg(m_contentLength);
    }
    m_state = Result::Error;
    return m_state;
}

const char *ResponseParser::errorKindName(ErrorKind kind)
{
    switch (kind) {
    case ErrorKind::None:
        return "none";
    case ErrorKind::Malformed:
        return "malformed";
    case ErrorKind::HeaderTooLarge:
        return "header too large";
    case ErrorKind::TooManyInformational:
        return "too many 1xx responses";
    case ErrorKind::UnexpectedUpgrade:
        return "unexpected upgrade";
    case ErrorKind::UnexpectedEof:
        return "unexpected EOF";
    case ErrorKind::CorruptGzip:
        return "corrupt gzip body";
    }
    return "unknown";
}

} // namespace poolscope
