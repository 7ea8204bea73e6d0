#include "request_writer.h"

#include <algorithm>

namespace poolscope {

namespace {

bool isTokenChar(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return QByteArrayView("!#$%&'*+-.^_`|~").contains(c);
}

bool isToken(QByteArrayView text)
{
    return !text.isEmpty() && std::all_of(text.begin(), text.end(), isTokenChar);
}

// Field values may hold any visible byte, spaces and tabs, but never CR, LF or NUL: those
// would let a value inject header lines (Go's httpguts.ValidHeaderFieldValue).
bool isValidFieldValue(QByteArrayView value)
{
    return std::none_of(value.begin(), value.end(), [](char c) {
        const auto byte = static_cast<unsigned char>(c);
        return (byte < 0x20 && byte != '\t') || byte == 0x7f;
    });
}

// Go's Header.Get on the caller's header: the first value of the field as the caller set
// it (not yet trimmed: Go trims when writing), "" when absent.
QByteArray firstValue(const HeaderList &headers, const QByteArray &canonicalName)
{
    for (const auto &[key, value] : headers) {
        if (canonicalHeaderKey(key) == canonicalName)
            return value;
    }
    return {};
}

std::nullopt_t fail(QString *error, const QString &message)
{
    if (error)
        *error = message;
    return std::nullopt;
}

// The caller's header fields as Go writes them: canonical names, trimmed values, and the
// User-Agent apart (it has its own place in the request).
struct CallerHeaders
{
    QByteArray userAgent = RequestTemplate::kUserAgent.toByteArray();
    HeaderList fields;
};

// Checks and canonicalizes spec.extraHeaders; nullopt, with a one-line *error, for a field
// that is invalid or that the template derives itself.
std::optional<CallerHeaders> callerHeaders(const HeaderList &extraHeaders, QString *error)
{
    CallerHeaders out;
    out.fields.reserve(extraHeaders.size() + 1);
    for (const auto &[rawName, value] : extraHeaders) {
        if (const QString why = checkHeaderField(rawName, value); !why.isEmpty()) {
            return fail(error, why);
        }
        const QByteArray name = canonicalHeaderKey(rawName);
        if (name == "User-Agent") {
            out.userAgent = value.trimmed();
            continue;
        }
        out.fields.append({ name, value.trimmed() });
    }
    return out;
}

// Adds "Expect: 100-continue" unless the caller set an Expect field, then sorts the fields
// by name as Go's Header.write does (equal names keep their order).
void addExpectAndSort(HeaderList &fields, bool expectContinue)
{
    if (expectContinue && std::none_of(fields.begin(), fields.end(), [](const auto &f) {
            return f.first == "Expect";
        })) {
        fields.append({ QByteArrayLiteral("Expect"), QByteArrayLiteral("100-continue") });
    }
    std::stable_sort(fields.begin(), fields.end(),
        [](const auto &a, const auto &b) { return a.first < b.first; });
}

// persistConn.roundTrip: gzip only, not for a range (a decoded part of a gzip document
// would fail anyway) nor for HEAD (an nginx bug, golang.org/issue/5522). An empty value
// counts as absent, as Header.Get("Accept-Encoding") == "" does.
bool transportRequestsGzip(const RequestSpec &spec)
{
    return !spec.disableCompression
        && firstValue(spec.extraHeaders, QByteArrayLiteral("Accept-Encoding")).isEmpty()
        && firstValue(spec.extraHeaders, QByteArrayLiteral("Range")).isEmpty()
        && spec.method != "HEAD";
}

// The request line and header section in Go's Request.write order, up to and including
// the blank line.
void writeHead(QByteArray &out, const Target &target, const RequestSpec &spec,
    const CallerHeaders &headers, bool requestedGzip, bool userClose)
{
    out += spec.method + ' ' + target.pathAndQuery + " HTTP/1.1\r\n";
    out += "Host: " + target.hostHeader() + "\r\n";
    if (!headers.userAgent.isEmpty()) // Go: an explicitly empty User-Agent suppresses the header
        out += "User-Agent: " + headers.userAgent + "\r\n";
    // transferWriter.shouldSendContentLength: any body, or an empty POST/PUT/PATCH body
    // ("many servers expect a Content-Length for these methods").
    if (spec.bodySize > 0 || spec.method == "POST" || spec.method == "PUT"
        || spec.method == "PATCH")
        out += "Content-Length: " + QByteArray::number(spec.bodySize) + "\r\n";
    for (const auto &[name, value] : headers.fields)
        out += name + ": " + value + "\r\n";
    if (requestedGzip)
        out += "Accept-Encoding: gzip\r\n";
    if (spec.disableKeepAlives && !userClose)
        out += "Connection: close\r\n";
    out += "\r\n";
}

} // namespace

QByteArray canonicalHeaderKey(const QByteArray &name)
{
    if (!isToken(name))
        return name;
    QByteArray out = name;
    bool upper = true;
    for (char &c : out) {
        if (upper && c >= 'a' && c <= 'z')
            c = static_cast<char>(c - 'a' + 'A');
        else if (!upper && c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
        upper = c == '-';
    }
    return out;
}

QString checkHeaderField(const QByteArray &rawName, const QByteArray &value)
{
    if (!isToken(rawName))
        return QStringLiteral("invalid header name \"%1\"").arg(QString::fromLatin1(rawName));
    const QByteArray name = canonicalHeaderKey(rawName);
    if (!isValidFieldValue(value)) {
        return QStringLiteral("header %1 has a control character (CR, LF, NUL ...) in its value")
            .arg(QString::fromLatin1(name));
    }
    if (name == "Host" || name == "Content-Length" || name == "Transfer-Encoding"
        || name == "Trailer") {
        return QStringLiteral("header %1 cannot be set: it follows from the URL and the body size")
            .arg(QString::fromLatin1(name));
    }
    return {};
}

std::optional<HeaderList> parseHeaderLines(QStringView text, QString *error)
{
    HeaderList out;
    for (const QStringView line : text.split(u'\n', Qt::SkipEmptyParts)) {
        const QStringView trimmedLine = line.trimmed();
        if (trimmedLine.isEmpty())
            continue;
        const qsizetype colon = trimmedLine.indexOf(u':');
        if (colon < 0) {
            if (error) {
                *error = QStringLiteral("header \"%1\" has no colon: want Name: value")
                             .arg(trimmedLine);
            }
            return std::nullopt;
        }
        const QByteArray name = trimmedLine.first(colon).trimmed().toUtf8();
        const QByteArray value = trimmedLine.sliced(colon + 1).trimmed().toUtf8();
        const QString why = checkHeaderField(name, value);
        if (!why.isEmpty()) {
            if (error)
                *error = why;
            return std::nullopt;
        }
        out.append({ name, value });
    }
    return out;
}

bool isReplayable(const QByteArray &method, bool hasBody, const HeaderList &headers)
{
    if (hasBody)
        return false;
    // Go: valueOrDefault(r.Method, "GET"), compared case-sensitively.
    if (method.isEmpty() || method == "GET" || method == "HEAD" || method == "OPTIONS"
        || method == "TRACE") {
        return true;
    }
    // Non-standard but widely used to declare a POST idempotent (golang.org/issue/19943).
    return std::any_of(headers.begin(), headers.end(), [](const auto &header) {
        const QByteArray key = canonicalHeaderKey(header.first);
        return key == "Idempotency-Key" || key == "X-Idempotency-Key";
    });
}

std::optional<RequestTemplate> RequestTemplate::build(
    const Target &target, const RequestSpec &spec, QString *error)
{
    if (!isToken(spec.method)) {
        return fail(error,
            QStringLiteral("invalid method \"%1\": must be a token such as GET or POST")
                .arg(QString::fromLatin1(spec.method)));
    }
    if (spec.bodySize < 0 || spec.bodySize > kMaxBodySize) {
        return fail(error,
            QStringLiteral("request body size %1 is out of range (0 to %2 bytes)")
                .arg(spec.bodySize)
                .arg(kMaxBodySize));
    }
    std::optional<CallerHeaders> headers = callerHeaders(spec.extraHeaders, error);
    if (!headers)
        return std::nullopt;

    const bool hasBody = spec.bodySize > 0;
    // Go only honours Expect for requests with a body (Request.expectsContinue +
    // outgoingLength != 0); without one there is nothing to hold back.
    const bool expectContinue = spec.expectContinue && hasBody;
    addExpectAndSort(headers->fields, expectContinue);
    // Request.wantsClose(): a caller-supplied "Connection: close" already closes, and Go then
    // does not add its own.
    const bool userClose
        = std::any_of(headers->fields.begin(), headers->fields.end(), [](const auto &f) {
              return f.first == "Connection" && f.second.toLower().contains("close");
          });
    const bool requestedGzip = transportRequestsGzip(spec);

    RequestTemplate t;
    t.m_method = spec.method;
    t.m_expectContinue = expectContinue;
    t.m_closesConnection = spec.disableKeepAlives || userClose;
    t.m_requestedGzip = requestedGzip;
    t.m_bytes.reserve(256 + spec.bodySize);
    writeHead(t.m_bytes, target, spec, *headers, requestedGzip, userClose);
    t.m_headerSize = t.m_bytes.size();
    if (hasBody)
        t.m_bytes += QByteArray(spec.bodySize, 'x');
    t.m_replayable = isReplayable(spec.method, false, headers->fields);
    return t;
}

} // namespace poolscope
