#include "response_parser.h"

#include "gzip_decoder.h"
#include "llhttp_callbacks.h"

#include <QByteArrayList>
#include <QStringList>
#include <algorithm>
#include <cstring>
#include <limits>

namespace poolscope {

namespace {

// Go's internal/chunked.go maxLineLength, and the 4 KiB bufio.Reader its trailer check
// (transfer.go seeUpcomingDoubleCRLF) peeks through.
constexpr qint64 kGoMaxLineLength = 4096;
constexpr qint64 kGoReadBufferSize = 4096;

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

// Go's strconv.Quote, for the ASCII and Latin-1 bytes a status line carries: printable
// ASCII as is, the usual escapes, \xNN for the rest (Go prints valid UTF-8 runes as they
// are; a non-ASCII status line is rare enough to show escaped).
QString goQuote(const QByteArray &bytes)
{
    QString out = QStringLiteral("\"");
    for (const char ch : bytes) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
        case '"':
            out += QStringLiteral("\\\"");
            break;
        case '\\':
            out += QStringLiteral("\\\\");
            break;
        case '\a':
            out += QStringLiteral("\\a");
            break;
        case '\b':
            out += QStringLiteral("\\b");
            break;
        case '\f':
            out += QStringLiteral("\\f");
            break;
        case '\n':
            out += QStringLiteral("\\n");
            break;
        case '\r':
            out += QStringLiteral("\\r");
            break;
        case '\t':
            out += QStringLiteral("\\t");
            break;
        case '\v':
            out += QStringLiteral("\\v");
            break;
        default:
            if (c >= 0x20 && c < 0x7f) {
                out += QLatin1Char(char(c));
            } else {
                out += QStringLiteral("\\x%1").arg(c, 2, 16, QLatin1Char('0'));
            }
        }
    }
    return out + u'"';
}

// Go 1.19's http.ParseHTTPVersion: "HTTP/1.0" and "HTTP/1.1" fast, else HTTP/D.D.
bool goHttpVersionOk(const QByteArray &proto)
{
    if (proto == "HTTP/1.1" || proto == "HTTP/1.0") {
        return true;
    }
    return proto.size() == 8 && proto.startsWith("HTTP/") && proto[5] >= '0' && proto[5] <= '9'
        && proto[6] == '.' && proto[7] >= '0' && proto[7] <= '9';
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
        ResponseParser *p = self(parser);
        if (p->m_inTrailer)
            return p->countTrailer(length + 2); // ": "
        p->headerFieldBytes(at, length);
        return p->checkHeaderSpan(at, length);
    }

    static int onHeaderValue(llhttp_t *parser, const char *at, size_t length)
    {
        ResponseParser *p = self(parser);
        if (p->m_inTrailer)
            return p->countTrailer(length + 2); // CRLF
        p->headerValueBytes(at, length);
        return p->checkHeaderSpan(at, length);
    }

    static int onChunkExtension(llhttp_t *parser, const char *, size_t length)
    {
        return self(parser)->countChunkExtension(length);
    }

    static int onChunkHeader(llhttp_t *parser)
    {
        ResponseParser *p = self(parser);
        p->m_chunkLineBytes = 0;
        if (parser->content_length == 0)
            p->m_inTrailer = true; // the last chunk: what follows is the trailer section
        return HPE_OK;
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
        if (isInformational(p->m_statusCode))
            return p->countInformational();
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
        s.on_chunk_extension_name = &onChunkExtension;
        s.on_chunk_extension_value = &onChunkExtension;
        s.on_chunk_header = &onChunkHeader;
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
    m_firstLine.truncate(0);
    m_firstLineDone = false;
    m_firstLineEmpty = false;
    m_lineErrorPending = false;
    m_headTailLength = 0;
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
    m_transferEncodingField.clear();
    m_contentLengthField.clear();
    m_chunkLineBytes = 0;
    m_inTrailer = false;
    m_trailerBytes = 0;
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

int ResponseParser::countInformational()
{
    // Go's readResponse loop: each 1xx read counts, and too many fail before the next head.
    ++m_informationalCount;
    if (m_statusCode == 100)
        m_got100Continue = true;
    if (m_informationalCount > kMaxInformational) {
        return fail(ErrorKind::TooManyInformational,
            QStringLiteral("net/http: too many 1xx informational responses"));
    }
    return HPE_OK;
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
    constexpr QLatin1StringView kTransferEncoding("transfer-encoding");
    constexpr QLatin1StringView kContentLength("content-length");
    const QLatin1StringView field(m_field, std::min(m_fieldLength, kShortFieldBytes));
    if (m_fieldLength <= kShortFieldBytes && field == kTransferEncoding)
        m_transferEncodingField.start();
    if (m_fieldLength <= kShortFieldBytes && field == kContentLength) {
        m_contentLengthField.start();
        // Go decides Content-Length at the head's end (fixLength: repeats, then the number;
        // ignored for bodiless and chunked responses), so llhttp must not judge the value:
        // it refuses repeats, empty values and non-digits on sight, in its own words.
        // Matching the field name set llhttp's header state to Content-Length; back to a
        // general header (state 0 in llhttp 8's parser), its value is only collected here.
        m_parser->header_state = 0;
    }
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
    m_transferEncodingField.append(at, length);
    m_contentLengthField.append(at, length);
}

void ResponseParser::headerValueDone()
{
    m_transferEncodingField.finish();
    m_contentLengthField.finish();
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

void ResponseParser::captureFirstLine(const char *from, const char *end)
{
    if (m_firstLineDone || from >= end)
        return;
    if (m_firstLine.isEmpty() && (*from == '\r' || *from == '\n')) {
        // llhttp skips CRLFs before a message; Go's ReadLine returns "" and fails.
        m_firstLineEmpty = true;
        m_firstLineDone = true;
        return;
    }
    const auto *newline = static_cast<const char *>(std::memchr(from, '\n', size_t(end - from)));
    const char *stop = newline ? newline : end;
    const qsizetype room = std::max<qsizetype>(kMaxLineCapture - m_firstLine.size(), 0);
    m_firstLine.append(from, std::min<qsizetype>(stop - from, room));
    if (newline) {
        m_firstLineDone = true;
        m_lineEnd = newline + 1;
        if (m_firstLine.endsWith('\r'))
            m_firstLine.chop(1);
    }
}

// Go 1.19's ReadResponse on the status line (response.go), in its order and words.
QString ResponseParser::goStatusLineError() const
{
    if (m_firstLineEmpty)
        return QStringLiteral("malformed HTTP response \"\"");
    const QByteArray &line = m_firstLine;
    const qsizetype space = line.indexOf(' ');
    if (space < 0)
        return QStringLiteral("malformed HTTP response ") + goQuote(line);
    const QByteArray proto = line.left(space);
    QByteArray status = line.mid(space + 1);
    while (status.startsWith(' '))
        status.remove(0, 1);
    const qsizetype end = status.indexOf(' ');
    const QByteArray code = end < 0 ? status : status.left(end);
    bool ok = false;
    const int value = code.toInt(&ok);
    if (code.size() != 3 || !ok || value < 0)
        return QStringLiteral("malformed HTTP status code ") + goQuote(code);
    if (!goHttpVersionOk(proto))
        return QStringLiteral("malformed HTTP version ") + goQuote(proto);
    return {};
}

// Go 1.19's transferReader.parseTransferEncoding (transfer.go) on HTTP/1.1 and later.
QString ResponseParser::goTransferEncodingError() const
{
    const RepeatedField &te = m_transferEncodingField;
    if (te.count > 1)
        return QStringLiteral("too many transfer encodings: ") + te.goQuotedList();
    if (te.count == 1 && te.first().compare("chunked", Qt::CaseInsensitive) != 0)
        return QStringLiteral("unsupported transfer encoding: ") + goQuote(te.first());
    return {};
}

void ResponseParser::RepeatedField::clear()
{
    values.truncate(0); // keeps the capacity: no allocation per response
    count = 0;
    inValue = false;
}

void ResponseParser::RepeatedField::start()
{
    ++count;
    inValue = true;
}

void ResponseParser::RepeatedField::append(const char *at, size_t length)
{
    if (inValue)
        values.append(at, static_cast<qsizetype>(length));
}

void ResponseParser::RepeatedField::finish()
{
    if (!inValue)
        return;
    inValue = false;
    // Trim this value in place (textproto trims spaces and tabs), then end its line.
    const qsizetype start = values.lastIndexOf('\n') + 1;
    const QByteArray value = values.mid(start).trimmed();
    values.truncate(start);
    values += value;
    values += '\n';
}

QByteArray ResponseParser::RepeatedField::first() const
{
    return values.left(values.indexOf('\n'));
}

QString ResponseParser::RepeatedField::goQuotedList() const
{
    QStringList quoted;
    for (const QByteArray &v : values.split('\n')) {
        if (quoted.size() < count)
            quoted << goQuote(v);
    }
    return u'[' + quoted.join(u' ') + u']';
}

int ResponseParser::countChunkExtension(size_t length)
{
    m_chunkLineBytes += static_cast<qint64>(length);
    // The line also holds the size digits, ';', '=' and CRLF: a few bytes more.
    if (m_chunkLineBytes + 4 >= kGoMaxLineLength)
        return fail(ErrorKind::Malformed, QStringLiteral("header line too long"));
    return HPE_OK;
}

int ResponseParser::countTrailer(size_t length)
{
    m_trailerBytes += static_cast<qint64>(length);
    if (m_trailerBytes + 2 > kGoReadBufferSize) {
        return fail(ErrorKind::Malformed,
            QStringLiteral("http: suspiciously long trailer after chunked body"));
    }
    return HPE_OK;
}

bool ResponseParser::finishInformationalHead(const char *headEnd)
{
    if (const QString goError = goContentLengthError(); !goError.isEmpty()) {
        fail(ErrorKind::Malformed, goError);
        return false;
    }
    // The next head starts here and gets its own limit. A 1xx never has a body.
    m_headerBytesBeforeCall = -static_cast<qint64>(headEnd - m_callBegin);
    m_parser->flags |= F_SKIPBODY; // what returning 1 from on_headers_complete does
    m_headTailLength = 0; // the blank line found is this head's, not the next one's
    // The next head's status line starts here.
    m_firstLine.truncate(0);
    m_firstLineDone = false;
    m_firstLineEmpty = false;
    captureFirstLine(headEnd, m_callEnd);
    if (m_firstLineEmpty) {
        // Go read this 1xx whole before the empty line that follows it: it counts, as
        // when the empty line comes in a later read.
        if (countInformational() == HPE_OK)
            fail(ErrorKind::Malformed, goStatusLineError());
        return false;
    }
    return true;
}

bool ResponseParser::finishHead(const char *headEnd)
{
    if (headerBytesAt(headEnd) > m_activeMaxHeaderBytes) {
        failHeaderTooLarge();
        return false;
    }
    // Lenient llhttp ends a head at CR plus any byte; Go's textproto needs the blank line's
    // LF and reads "\r..." as a header line without a colon (checked with Go 1.19).
    const char last = headEnd > m_callBegin ? headEnd[-1]
        : m_headTailLength > 0              ? m_headTail[m_headTailLength - 1]
                                            : '\n';
    if (last != '\n') {
        // Go quotes the whole line; its first two bytes are all that every read holds.
        const char start[] = { '\r', last };
        fail(ErrorKind::Malformed,
            QStringLiteral("malformed MIME header: missing colon: ")
                + goQuote(QByteArray(start, 2)));
        return false;
    }
    llhttp_t *parser = m_parser.get();
    const int status = llhttp_get_status_code(parser);
    m_statusCode = status;
    m_httpMajor = llhttp_get_http_major(parser);
    m_httpMinor = llhttp_get_http_minor(parser);
    if (const QString goError = goStatusLineError(); !goError.isEmpty()) {
        fail(ErrorKind::Malformed, goError);
        return false;
    }
    if (status == 101) {
        fail(ErrorKind::UnexpectedUpgrade,
            QStringLiteral("unexpected 101 Switching Protocols: no upgrade was requested"));
        return false;
    }
    if (isInformational(status))
        return finishInformationalHead(headEnd);
    if (m_httpMajor > 1 || (m_httpMajor == 1 && m_httpMinor >= 1)) {
        if (const QString goError = goTransferEncodingError(); !goError.isEmpty()) {
            fail(ErrorKind::Malformed, goError);
            return false;
        }
    } else {
        // Go ignores Transfer-Encoding before HTTP/1.1 (transfer.go, issue 12785): the body
        // is framed by Content-Length or the close. llhttp reads the flags after this.
        parser->flags &= ~(F_CHUNKED | F_TRANSFER_ENCODING);
    }
    if (const QString goError = goContentLengthError(); !goError.isEmpty()) {
        fail(ErrorKind::Malformed, goError);
        return false;
    }
    if (!applyContentLength(status))
        return false;
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
    if (m_lineErrorPending)
        return feedPendingLine(data, len);
    const char *const original = data;
    if (!m_headersComplete) {
        m_lineEnd = nullptr;
        captureFirstLine(data, data + len);
        if (m_firstLineEmpty) {
            fail(ErrorKind::Malformed, goStatusLineError());
            m_state = Result::Error;
            return { m_state, 0 };
        }
        data = withoutNulInHead(data, len, 0, true);
    }
    m_callBegin = data;
    m_callEnd = data + len;
    m_headStart = data;
    const char *end = data + len;
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
        if (!m_headersComplete) {
            // A 1xx ended: the next head starts here, and its NULs are Go's too (whether
            // the 1xx ended in this call or an earlier one must not matter).
            const qsizetype at = headEnd - data;
            data = withoutNulInHead(data, len, at, false);
            headEnd = data + at;
            m_callBegin = data;
            m_callEnd = data + len;
            end = data + len;
            m_headStart = headEnd;
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
        const FeedResult r = failFeed(err, stop, stopped, original, data, len);
        m_callBegin = nullptr;
        return r;
    }
    if (!m_headersComplete) {
        keepHeadTail(data, len);
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

ResponseParser::FeedResult ResponseParser::feedPendingLine(const char *data, qsizetype len)
{
    // llhttp refused the status line before it was whole; Go reads the whole line and
    // then words its error on it: wait for the line (or the capture's bound, or EOF).
    m_lineEnd = nullptr;
    captureFirstLine(data, data + len);
    if (m_firstLineDone || m_firstLine.size() >= kMaxLineCapture) {
        failPendingLine();
        // The line's bytes, as when the whole line came in one call.
        return { m_state, m_lineEnd ? static_cast<qsizetype>(m_lineEnd - data) : len };
    }
    return { m_state, len };
}

ResponseParser::FeedResult ResponseParser::failFeed(int errorCode, const char *stop,
    qsizetype stopped, const char *original, const char *data, qsizetype len)
{
    const auto err = static_cast<llhttp_errno_t>(errorCode);
    const bool inHead = m_errorKind == ErrorKind::None && !m_headersComplete;
    if (inHead && stop && headerBytesAt(stop) >= m_activeMaxHeaderBytes) {
        // Go reads the head through its limit: a bad byte past it is never seen, the
        // limit is hit first. Without this, reads ending before the bad byte would say
        // HeaderTooLarge and one read holding both would say Malformed.
        failHeaderTooLarge();
    } else if (m_errorKind == ErrorKind::None && err == HPE_INVALID_CHUNK_SIZE) {
        // Go's internal/chunked.go parseHexUint on a byte that is not a hex digit.
        fail(ErrorKind::Malformed, QStringLiteral("invalid byte in chunk length"));
    } else if (inHead && !m_firstLineDone) {
        m_lineErrorPending = true; // in the status line, which has not fully arrived
        const char *reason = llhttp_get_error_reason(m_parser.get());
        m_errorMessage = QString::fromLatin1(reason ? reason : "parse error");
        if (m_firstLine.size() >= kMaxLineCapture)
            failPendingLine(); // as feedPendingLine() does when a later read fills it
        return { m_state, len }; // all of it is in the captured line
    } else if (inHead && !goStatusLineError().isEmpty()) {
        fail(ErrorKind::Malformed, goStatusLineError()); // Go's words for the status line
        m_state = Result::Error;
        if (!m_lineEnd)
            return { m_state, stopped };
        // The line's bytes: the same total when the line came byte by byte.
        const char *base = m_lineEnd >= original && m_lineEnd <= original + len ? original : data;
        return { m_state, static_cast<qsizetype>(m_lineEnd - base) };
    } else if (m_errorKind == ErrorKind::None) {
        m_errorKind = ErrorKind::Malformed;
        const char *reason = llhttp_get_error_reason(m_parser.get());
        m_errorMessage = QStringLiteral("malformed HTTP response: %1 (%2)")
                             .arg(QString::fromLatin1(reason ? reason : "parse error"),
                                 QString::fromLatin1(llhttp_errno_name(err)));
    }
    m_state = Result::Error;
    return { m_state, stopped };
}

bool ResponseParser::applyContentLength(int status)
{
    // The rest of Go's readTransfer and fixLength: chunked bodies ignore the value; an empty
    // value means a body until the close; anything but a decimal below 2^63 fails ("bad
    // Content-Length", parseContentLength), except for 204 and 304, which have no body and
    // whose value Go never parses (HEAD's it does: resp.ContentLength).
    llhttp_t *parser = m_parser.get();
    const QByteArray value = m_contentLengthField.first();
    if (m_contentLengthField.count == 0 || value.isEmpty() || (parser->flags & F_CHUNKED) != 0)
        return true;
    quint64 n = 0;
    bool ok = true;
    for (const char c : value) {
        const auto digit = static_cast<quint64>(c - '0');
        if (c < '0' || c > '9' || n > (quint64(std::numeric_limits<qint64>::max()) - digit) / 10) {
            ok = false;
            break;
        }
        n = n * 10 + digit;
    }
    if (!ok) {
        if (!m_headRequest && (status == 204 || status == 304))
            return true;
        fail(ErrorKind::Malformed, QStringLiteral("bad Content-Length ") + goQuote(value));
        return false;
    }
    // As llhttp would have: the bodiless ones skip the body after this.
    parser->content_length = n;
    parser->flags |= F_CONTENT_LENGTH;
    return true;
}

QString ResponseParser::goContentLengthError() const
{
    // Go's fixLength (transfer.go): repeats must all equal the first (each trimmed).
    const RepeatedField &cl = m_contentLengthField;
    if (cl.count < 2)
        return {};
    const QByteArray first = cl.first();
    const QList<QByteArray> values = cl.values.split('\n');
    for (qsizetype i = 1; i < cl.count && i < values.size(); ++i) {
        if (values[i] != first) {
            return QStringLiteral(
                       "http: message cannot contain multiple Content-Length headers; got ")
                + cl.goQuotedList();
        }
    }
    return {};
}

void ResponseParser::keepHeadTail(const char *data, qsizetype len)
{
    // The last 3 bytes of the head so far, for headEndIn() in the next call (none from a
    // 1xx head that ended in this call).
    char joined[6];
    std::memcpy(joined, m_headTail, size_t(m_headTailLength));
    const qsizetype own = m_headStart ? len - (m_headStart - data) : len;
    const qsizetype take = std::min<qsizetype>(own, 3);
    std::memcpy(joined + m_headTailLength, data + len - take, size_t(take));
    const qsizetype total = m_headTailLength + take;
    m_headTailLength = std::min<qsizetype>(total, 3);
    std::memcpy(m_headTail, joined + total - m_headTailLength, size_t(m_headTailLength));
}

void ResponseParser::failPendingLine()
{
    m_lineErrorPending = false;
    QString goError = goStatusLineError();
    if (goError.isEmpty()) {
        goError = QStringLiteral("malformed HTTP response: %1").arg(m_errorMessage); // llhttp's
    }
    fail(ErrorKind::Malformed, goError);
    m_state = Result::Error;
}

ResponseParser::Result ResponseParser::feedEof()
{
    if (m_state != Result::NeedMore)
        return m_state;
    if (m_lineErrorPending) {
        failPendingLine(); // Go words the partial line it read up to EOF
        return m_state;
    }
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
    // Go's words: io.EOF before any byte, io.ErrUnexpectedEOF inside the head or the body
    // (how far it got is in wireBodyBytes() and contentLength()).
    m_errorMessage = m_firstByteSeen ? QStringLiteral("unexpected EOF") : QStringLiteral("EOF");
    m_state = Result::Error;
    return m_state;
}

qsizetype ResponseParser::headEndIn(const char *data, qsizetype len, bool withTail) const
{
    // The blank line may have begun in the previous call: look at its last bytes too.
    char joined[6];
    const qsizetype tail = withTail ? m_headTailLength : 0;
    std::memcpy(joined, m_headTail, size_t(tail));
    const qsizetype first = std::min<qsizetype>(len, 3);
    std::memcpy(joined + tail, data, size_t(first));
    const QByteArrayView edge(joined, tail + first);
    qsizetype best = -1;
    for (const QByteArrayView end :
        { QByteArrayView("\r\n\r\n"), QByteArrayView("\n\n"), QByteArrayView("\n\r\n") }) {
        const qsizetype atEdge = edge.indexOf(end);
        if (atEdge >= 0 && atEdge + end.size() > tail) {
            const qsizetype at = atEdge + end.size() - tail;
            best = best < 0 ? at : std::min(best, at);
        }
        const qsizetype inside = QByteArrayView(data, len).indexOf(end);
        if (inside >= 0) {
            const qsizetype at = inside + end.size();
            best = best < 0 ? at : std::min(best, at);
        }
    }
    return best;
}

const char *ResponseParser::withoutNulInHead(
    const char *data, qsizetype len, qsizetype from, bool withTail)
{
    // Only NULs before the head's end: body bytes are never copied.
    const char *head = data + from;
    const auto *nul = static_cast<const char *>(std::memchr(head, 0, size_t(len - from)));
    if (!nul)
        return data;
    const qsizetype headLength = len - from;
    if (headEndIn(head, nul - head, withTail) >= 0)
        return data;
    if (data != m_scratch.constData())
        m_scratch = QByteArray(data, len);
    // Up to the blank line that ends the head, when this call holds it.
    const qsizetype headEnd = headEndIn(head, headLength, withTail);
    char *first = m_scratch.data() + from;
    std::replace(first, first + (headEnd < 0 ? headLength : headEnd), '\0', '_');
    return m_scratch.constData();
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
