#include "response_parser.h"

#include <llhttp.h>

namespace poolscope {

namespace {

// "\r\n\r\n" after the last header value (or after the status line when there are none).
constexpr qint64 kHeaderTerminatorBytes = 4;

bool isInformational(int status)
{
    return status >= 100 && status <= 199 && status != 101;
}

} // namespace

struct ResponseParser::Callbacks
{
    static ResponseParser *self(llhttp_t *parser)
    {
        return static_cast<ResponseParser *>(parser->data);
    }

    static int onMessageBegin(llhttp_t *parser)
    {
        self(parser)->resetResponseFields();
        return HPE_OK;
    }

    static int onHeaderSpan(llhttp_t *parser, const char *at, size_t length)
    {
        return self(parser)->checkHeaderSpan(at, length);
    }

    static int onHeadersComplete(llhttp_t *parser)
    {
        ResponseParser *p = self(parser);
        const int status = llhttp_get_status_code(parser);
        // Headers end right after the last span; an approximation of 4 bytes for the
        // terminating CRLFs keeps the accounting exact for well-formed responses.
        if (p->headerBytesAt(p->m_lastSpanEnd) + kHeaderTerminatorBytes > p->m_activeMaxHeaderBytes)
            return p->failHeaderTooLarge();
        p->m_statusCode = status;
        p->m_httpMajor = llhttp_get_http_major(parser);
        p->m_httpMinor = llhttp_get_http_minor(parser);
        if (status == 101) {
            return p->fail(ErrorKind::UnexpectedUpgrade,
                QStringLiteral("unexpected 101 Switching Protocols: no upgrade was requested"));
        }
        if (isInformational(status))
            return 1; // a 1xx never has a body
        p->m_headersComplete = true;
        p->m_chunked = (parser->flags & F_CHUNKED) != 0;
        p->m_contentLength = !p->m_chunked && (parser->flags & F_CONTENT_LENGTH) != 0
            ? static_cast<qint64>(parser->content_length)
            : -1;
        const bool noBody = p->m_headRequest || status == 204 || status == 304;
        if (noBody) {
            // Go's bodyAllowedForStatus / HEAD: the announced length describes a body that is
            // not sent. Keep-alive is decided again at message completion.
            p->m_keepAlive = false;
            return 1;
        }
        p->m_keepAlive = llhttp_should_keep_alive(parser) != 0;
        return HPE_OK;
    }

    static int onBody(llhttp_t *parser, const char *, size_t length)
    {
        self(parser)->m_bodyBytes += static_cast<qint64>(length);
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
            // The final response follows; its header limit starts where this one ended.
            p->m_headerBytesBeforeCall
                = -static_cast<qint64>(p->m_lastSpanEnd - p->m_callBegin) - kHeaderTerminatorBytes;
            return HPE_OK;
        }
        // Must be asked here: once llhttp_execute returns, the parser has reset for the next
        // message and would answer 0.
        p->m_keepAlive = llhttp_should_keep_alive(parser) != 0;
        p->m_messageDone = true;
        // Stop at the end of this response so the caller learns how many bytes it used.
        return HPE_PAUSED;
    }

    static const llhttp_settings_t &settings()
    {
        static const llhttp_settings_t instance = [] {
            llhttp_settings_t s;
            llhttp_settings_init(&s);
            s.on_message_begin = &onMessageBegin;
            s.on_status = &onHeaderSpan;
            s.on_header_field = &onHeaderSpan;
            s.on_header_value = &onHeaderSpan;
            s.on_headers_complete = &onHeadersComplete;
            s.on_body = &onBody;
            s.on_message_complete = &onMessageComplete;
            return s;
        }();
        return instance;
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

ResponseParser::~ResponseParser() = default;

void ResponseParser::setMaxHeaderBytes(qint64 bytes)
{
    m_maxHeaderBytes = bytes > 0 ? bytes : kDefaultMaxHeaderBytes;
}

void ResponseParser::begin(bool headRequest)
{
    // llhttp_reset keeps settings, user data and lenient flags, and clears any error.
    llhttp_reset(m_parser.get());
    m_headRequest = headRequest;
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
    m_lastSpanEnd = at + length;
    if (headerBytesAt(m_lastSpanEnd) > m_activeMaxHeaderBytes)
        return failHeaderTooLarge();
    return HPE_OK;
}

ResponseParser::FeedResult ResponseParser::feed(const char *data, qsizetype len)
{
    if (m_state != Result::NeedMore)
        return { m_state, 0 };
    if (len <= 0)
        return { m_state, 0 };
    m_firstByteSeen = true;

    m_callBegin = data;
    m_lastSpanEnd = data;
    const llhttp_errno_t err = llhttp_execute(m_parser.get(), data, static_cast<size_t>(len));
    const char *stop = llhttp_get_error_pos(m_parser.get());
    const qsizetype stopped = err != HPE_OK && stop ? static_cast<qsizetype>(stop - data) : len;

    if (err == HPE_PAUSED && m_messageDone) {
        m_state = Result::Complete;
        m_callBegin = nullptr;
        return { m_state, stopped };
    }
    if (err != HPE_OK) {
        if (m_errorKind == ErrorKind::None) {
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
    }
    return "unknown";
}

} // namespace poolscope
