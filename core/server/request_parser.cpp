#include "server/request_parser.h"

#include "http/llhttp_callbacks.h"

#include <QList>
#include <cstring>

namespace poolscope {

namespace {

bool isTokenChar(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return c != '\0' && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

bool isSpace(char c)
{
    return c == ' ' || c == '\t';
}

QByteArrayView trimmed(QByteArrayView v)
{
    while (!v.isEmpty() && isSpace(v.front()))
        v = v.sliced(1);
    while (!v.isEmpty() && isSpace(v.back()))
        v.chop(1);
    return v;
}

} // namespace

struct RequestParser::Callbacks : LlhttpCallbacks<RequestParser, RequestParser::Callbacks>
{
    static int onUrl(llhttp_t *parser, const char *at, size_t length)
    {
        self(parser)->targetBytes(at, length);
        return HPE_OK;
    }

    static int onVersion(llhttp_t *parser, const char *, size_t)
    {
        self(parser)->m_sawVersion = true;
        return HPE_OK;
    }

    static int onHeaderField(llhttp_t *parser, const char *at, size_t length)
    {
        RequestParser *p = self(parser);
        if (!p->m_inTrailers) {
            const qsizetype take
                = qMin(qsizetype(p->m_field.size()) - p->m_fieldLength, qsizetype(length));
            std::memcpy(p->m_field.data() + p->m_fieldLength, at, size_t(take));
            p->m_fieldLength += take;
            p->m_fieldLast = at[length - 1];
        }
        return p->countTrailer(length);
    }

    static int onHeaderValue(llhttp_t *parser, const char *at, size_t length)
    {
        RequestParser *p = self(parser);
        if (p->m_fieldKind != Field::Other)
            p->m_value.append(at, qsizetype(length));
        return p->countTrailer(length);
    }

    static int onFieldComplete(llhttp_t *parser) { return self(parser)->fieldComplete(); }
    static int onValueComplete(llhttp_t *parser) { return self(parser)->valueComplete(); }
    static int onHeadersComplete(llhttp_t *parser) { return self(parser)->headersComplete(); }

    static int onChunkExtension(llhttp_t *parser, const char *, size_t length)
    {
        RequestParser *p = self(parser);
        p->m_framingBytes += qsizetype(length);
        return p->m_framingBytes > kMaxChunkLineBytes ? p->fail(Error::BadRequest) : HPE_OK;
    }

    static int onChunkHeader(llhttp_t *parser)
    {
        RequestParser *p = self(parser);
        p->m_framingBytes = 0;
        p->m_inTrailers = parser->content_length == 0; // the last chunk: trailers follow
        return HPE_OK;
    }

    static int onMessageComplete(llhttp_t *parser)
    {
        self(parser)->m_event = Event::MessageDone;
        return HPE_PAUSED; // stop here: pipelined bytes belong to the next feed()
    }

    static void bind(llhttp_settings_t &s)
    {
        s.on_url = &onUrl;
        s.on_version = &onVersion;
        s.on_header_field = &onHeaderField;
        s.on_header_value = &onHeaderValue;
        s.on_header_field_complete = &onFieldComplete;
        s.on_header_value_complete = &onValueComplete;
        s.on_headers_complete = &onHeadersComplete;
        s.on_chunk_extension_name = &onChunkExtension;
        s.on_chunk_extension_value = &onChunkExtension;
        s.on_chunk_header = &onChunkHeader;
        s.on_message_complete = &onMessageComplete;
    }
};

RequestParser::RequestParser() : m_parser(std::make_unique<llhttp_t>())
{
    llhttp_init(m_parser.get(), HTTP_REQUEST, &Callbacks::settings());
    // Any HTTP/d.d parses, so that a version other than 1.x gets 505 rather than 400.
    // (llhttp 8.1 has the flag but no setter for it.)
    m_parser->lenient_flags |= LENIENT_VERSION;
    // After a "Connection: close" request llhttp would stop parsing; the server decides when
    // to close (it does after its response), so pipelined bytes still parse.
    llhttp_set_lenient_keep_alive(m_parser.get(), 1);
}

RequestParser::~RequestParser() = default;

void RequestParser::reset()
{
    llhttp_reset(m_parser.get()); // keeps settings and lenient flags
    m_phase = Phase::Method;
    m_event = Event::None;
    m_error = Error::None;
    m_request = {};
    m_method = QByteArray();
    m_value = QByteArray();
    m_fieldLength = 0;
    m_inTrailers = false;
}

RequestParser::Result RequestParser::fail(Error error, qsizetype consumed)
{
    m_error = error;
    m_method = QByteArray();
    m_value = QByteArray();
    return { Status::Error, consumed };
}

int RequestParser::fail(Error error)
{
    m_error = error;
    return -1; // llhttp stops with HPE_CB_*; feed() reports m_error
}

int RequestParser::countTrailer(size_t length)
{
    if (!m_inTrailers)
        return HPE_OK;
    m_framingBytes += qsizetype(length);
    return m_framingBytes > kMaxHeadBytes ? fail(Error::HeadTooLarge) : HPE_OK;
}

RequestParser::Result RequestParser::feed(const char *data, qsizetype size)
{
    if (m_error != Error::None)
        return { Status::Error, 0 };
    m_parser->data = this;
    qsizetype pos = 0;
    while (pos < size) {
        if (m_phase == Phase::Method && !readMethod(data, size, &pos)) {
            if (m_error != Error::None)
                return fail(m_error, pos);
            return { Status::NeedMore, pos };
        }
        const char *begin = data + pos;
        m_event = Event::None;
        const llhttp_errno_t rc = llhttp_execute(m_parser.get(), begin, size_t(size - pos));
        const char *stop = rc == HPE_OK ? data + size : llhttp_get_error_pos(m_parser.get());
        if (rc != HPE_OK && rc != HPE_PAUSED)
            return fail(m_error != Error::None ? m_error : Error::BadRequest, stop - data);
        if (m_phase == Phase::Head && !checkHead(begin, stop))
            return fail(m_error, stop - data);
        pos = stop - data;
        if (rc == HPE_PAUSED)
            llhttp_resume(m_parser.get());
        if (m_event == Event::MessageDone) {
            m_phase = Phase::Method;
            return { Status::RequestComplete, pos };
        }
        if (m_event == Event::HeadDone) {
            m_phase = Phase::Body;
            if (m_request.expectContinue)
                return { Status::ContinueExpected, pos };
        }
    }
    return { Status::NeedMore, pos };
}

bool RequestParser::readMethod(const char *data, qsizetype size, qsizetype *pos)
{
    qsizetype p = *pos;
    // RFC 9112 2.2: ignore empty lines before a request line (some clients send a CRLF
    // after a POST body).
    while (m_method.isEmpty() && p < size && (data[p] == '\r' || data[p] == '\n'))
        ++p;
    const qsizetype begin = p;
    while (p < size && isTokenChar(data[p]))
        ++p;
    *pos = p;
    if (p == size || !m_method.isEmpty()) { // copied only when it straddles reads
        m_method.append(data + begin, p - begin);
        if (m_method.size() > kMaxHeadBytes) {
            m_error = Error::HeadTooLarge;
            return false;
        }
        if (p == size)
            return false; // the method may go on in the next read
    }
    const QByteArrayView method
        = m_method.isEmpty() ? QByteArrayView(data + begin, p - begin) : QByteArrayView(m_method);
    if (method.isEmpty() || data[p] != ' ') {
        m_error = Error::BadRequest;
        return false;
    }
    m_request = {};
    m_request.head = method == "HEAD"; // case-sensitive: "head" is an unknown method
    // llhttp parses from the space after the method on, after a stand-in method: CONNECT for
    // CONNECT (whose target is host:port, as Go's server allows for CONNECT only), else GET.
    const QByteArrayView standIn = method == "CONNECT" ? "CONNECT" : "GET";
    m_headBytes = method.size();
    m_method = QByteArray();
    m_afterLf = false;
    m_sawVersion = false;
    m_inTrailers = false;
    m_framingBytes = 0;
    m_targetLength = 0;
    const llhttp_errno_t rc = llhttp_execute(m_parser.get(), standIn.data(), standIn.size());
    Q_ASSERT(rc == HPE_OK);
    Q_UNUSED(rc);
    m_phase = Phase::Head;
    return true;
}

bool RequestParser::checkHead(const char *begin, const char *end)
{
    m_headBytes += end - begin;
    if (m_headBytes > kMaxHeadBytes) {
        m_error = Error::HeadTooLarge;
        return false;
    }
    // Obsolete line folding (RFC 9112 5.2): a line that starts with whitespace.
    for (const char *c = begin; c < end; ++c) {
        if (m_afterLf && isSpace(*c)) {
            m_error = Error::BadRequest;
            return false;
        }
        m_afterLf = *c == '\n';
    }
    return true;
}

int RequestParser::fieldComplete()
{
    m_value.clear();
    m_fieldKind = Field::Other;
    if (m_inTrailers)
        return HPE_OK;
    // llhttp 8.1 takes "Host : x" with the space in the name; Go and RFC 9112 5.1 refuse it.
    if (isSpace(m_fieldLast))
        return fail(Error::BadRequest);
    const QByteArrayView name(m_field.data(), m_fieldLength);
    m_fieldLength = 0;
    if (name.compare("transfer-encoding", Qt::CaseInsensitive) == 0)
        m_fieldKind = Field::TransferEncoding;
    else if (name.compare("expect", Qt::CaseInsensitive) == 0)
        m_fieldKind = Field::Expect;
    return HPE_OK;
}

int RequestParser::valueComplete()
{
    const QByteArrayView value = trimmed(m_value);
    if (m_fieldKind == Field::Expect) {
        m_request.expectContinue = value.compare("100-continue", Qt::CaseInsensitive) == 0;
    } else if (m_fieldKind == Field::TransferEncoding) {
        bool chunkedLast = false;
        bool unknown = false;
        for (const QByteArray &coding : m_value.split(',')) {
            if (chunkedLast) // chunked must be applied exactly once, last
                return fail(Error::BadRequest);
            chunkedLast = trimmed(coding).compare("chunked", Qt::CaseInsensitive) == 0;
            unknown = unknown || !chunkedLast;
        }
        if (unknown)
            return fail(value.isEmpty() ? Error::BadRequest : Error::NotImplemented);
    }
    m_fieldKind = Field::Other;
    m_value.clear();
    return HPE_OK;
}

void RequestParser::targetBytes(const char *at, size_t length)
{
    const qsizetype used = qMin(m_targetLength, qsizetype(m_target.size()));
    const qsizetype take = qMin(qsizetype(m_target.size()) - used, qsizetype(length));
    std::memcpy(m_target.data() + used, at, size_t(take));
    m_targetLength += qsizetype(length);
}

int RequestParser::redirectHop() const
{
    if (m_targetLength > qsizetype(m_target.size()))
        return 0;
    return redirectHopOf(QByteArrayView(m_target.data(), m_targetLength));
}

int RequestParser::redirectHopOf(QByteArrayView target)
{
    constexpr QByteArrayView kPrefix("/redirect/");
    if (!target.startsWith(kPrefix))
        return 0;
    QByteArrayView digits = target.sliced(kPrefix.size());
    const qsizetype query = digits.indexOf('?');
    if (query >= 0)
        digits = digits.first(query);
    if (digits.isEmpty() || digits.size() > 6 || digits.front() == '0')
        return 0;
    int hop = 0;
    for (const char c : digits) {
        if (c < '0' || c > '9')
            return 0;
        hop = hop * 10 + (c - '0');
    }
    return hop;
}

int RequestParser::headersComplete()
{
    llhttp_t *parser = m_parser.get();
    m_request.redirectHop = redirectHop();
    if (!m_sawVersion) // "GET /" alone: HTTP/0.9, which Go does not serve either
        return fail(Error::BadRequest);
    if (parser->http_major != 1)
        return fail(Error::UnsupportedVersion);
    // The server never switches protocols: an Upgrade request is an ordinary request.
    parser->upgrade = 0;
    m_request.http10 = parser->http_minor == 0;
    m_request.keepAlive
        = llhttp_should_keep_alive(parser) != 0 && (parser->flags & F_CONNECTION_CLOSE) == 0;
    if (m_request.http10)
        m_request.expectContinue = false; // Expect is an HTTP/1.1 feature
    const bool hasBody = (parser->flags & F_CHUNKED) != 0 || parser->content_length > 0;
    if (!hasBody)
        return HPE_OK; // message complete follows at once and ends the head too
    m_event = Event::HeadDone;
    return HPE_PAUSED;
}

} // namespace poolscope
