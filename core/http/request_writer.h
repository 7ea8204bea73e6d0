#pragma once

#include "http/target.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QPair>
#include <QString>
#include <optional>

namespace poolscope {

using HeaderList = QList<QPair<QByteArray, QByteArray>>;

// What one configured request looks like; the engine builds a RequestTemplate from it once
// per configuration and writes that template for every request.
struct RequestSpec
{
    // Method token, sent as given (Go compares methods case-sensitively too).
    QByteArray method = QByteArrayLiteral("GET");
    // Body size in bytes; the body is that many 'x'. 0 = no body.
    qint64 bodySize = 0;
    // Transport.DisableKeepAlives: Go adds "Connection: close" to every request.
    bool disableKeepAlives = false;
    // Transport.DisableCompression: false = Go adds "Accept-Encoding: gzip" (see
    // RequestTemplate::requestedGzip()); true = it asks for nothing.
    bool disableCompression = false;
    // Send "Expect: 100-continue" and hold the body back until "100 Continue" arrives or
    // Transport.ExpectContinueTimeout expires. Ignored without a body (Go does the same).
    bool expectContinue = false;
    // Additional header fields. Names are canonicalized like Go's Header.Set; User-Agent
    // replaces the default. Host, Content-Length, Transfer-Encoding and Trailer are derived
    // from the target and the body and are rejected here.
    HeaderList extraHeaders;

    bool operator==(const RequestSpec &) const = default;
};

// Prebuilt request bytes, written repeatedly without rebuilding. Laid out like Go's
// Request.write: request line, Host, User-Agent, Content-Length, the other fields sorted
// by name, then the Transport's own fields (Go's extraHeaders, sorted):
// "Accept-Encoding: gzip" and "Connection: close".
class RequestTemplate final
{
public:
    static constexpr qint64 kMaxBodySize = 64 << 20;
    static constexpr QByteArrayView kUserAgent = "PoolScope/0.1";

    // Returns nullopt and a one-line *error for an invalid method, header or body size.
    [[nodiscard]] static std::optional<RequestTemplate> build(
        const Target &target, const RequestSpec &spec, QString *error = nullptr);

    // Header section plus body: what the engine writes when not waiting for 100-continue.
    [[nodiscard]] const QByteArray &bytes() const { return m_bytes; }
    // Request line and headers, up to and including the blank line.
    [[nodiscard]] QByteArrayView headers() const
    {
        return QByteArrayView(m_bytes).first(m_headerSize);
    }
    // The body alone (sent after "100 Continue" when expectContinue()).
    [[nodiscard]] QByteArrayView body() const
    {
        return QByteArrayView(m_bytes).sliced(m_headerSize);
    }
    [[nodiscard]] const QByteArray &method() const { return m_method; }
    [[nodiscard]] bool headRequest() const { return m_method == "HEAD"; }
    [[nodiscard]] bool hasBody() const { return m_bytes.size() > m_headerSize; }
    [[nodiscard]] bool expectContinue() const { return m_expectContinue; }
    [[nodiscard]] bool closesConnection() const { return m_closesConnection; }
    // Go's requestedGzip (persistConn.roundTrip): the Transport added "Accept-Encoding: gzip"
    // itself, because DisableCompression is off, the request has no Accept-Encoding and no
    // Range value and its method is not HEAD. Only then is a gzip response decoded
    // transparently (ResponseParser::begin); a gzip the caller asked for stays encoded.
    [[nodiscard]] bool requestedGzip() const { return m_requestedGzip; }
    // Go's Request.isReplayable() for this request (its body is an in-memory, rewindable
    // buffer, like http.NewRequest with a bytes.Reader, which sets GetBody).
    [[nodiscard]] bool replayable() const { return m_replayable; }

private:
    RequestTemplate() = default;

    QByteArray m_bytes;
    qsizetype m_headerSize = 0;
    QByteArray m_method;
    bool m_expectContinue = false;
    bool m_closesConnection = false;
    bool m_requestedGzip = false;
    bool m_replayable = false;
};

// Go's Request.isReplayable(): a request whose body is absent or rewindable (hasBody ==
// false means "no body, or a body Go could get again through GetBody") is replayable when
// its method is GET, HEAD, OPTIONS or TRACE, or when it carries an Idempotency-Key or
// X-Idempotency-Key header. Only replayable requests are retried after failing on a reused
// connection once bytes were written.
[[nodiscard]] bool isReplayable(const QByteArray &method, bool hasBody, const HeaderList &headers);

// Why a caller's header field cannot be sent, "" when it can: the name must be a token,
// the value free of control characters (CR, LF, NUL ...), and Host, Content-Length,
// Transfer-Encoding and Trailer follow from the URL and the body (RequestSpec::extraHeaders).
[[nodiscard]] QString checkHeaderField(const QByteArray &name, const QByteArray &value);

// Header fields written as text, one "Name: value" per line (curl's -H, our --header):
// the name before the first colon, surrounding spaces trimmed. nullopt and a one-line
// *error on the first line checkHeaderField refuses or that has no colon; empty lines are
// skipped.
[[nodiscard]] std::optional<HeaderList> parseHeaderLines(QStringView text, QString *error);

// Go's textproto.CanonicalMIMEHeaderKey: "content-type" -> "Content-Type". Names with bytes
// outside the token alphabet are returned unchanged, as Go does.
[[nodiscard]] QByteArray canonicalHeaderKey(const QByteArray &name);

} // namespace poolscope
