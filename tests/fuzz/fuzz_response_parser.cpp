// libFuzzer target: arbitrary bytes from a "server" through ResponseParser, as a connection
// feeds them (tests/fuzz/README.md).
//
// The first bytes of the input choose how the client asked (HEAD, Accept-Encoding: gzip),
// MaxResponseHeaderBytes and how the stream is cut into reads; the rest is the stream. The
// stream is parsed twice: split into reads of varying sizes, and one read per response. After
// each Complete the parser is reused for the bytes that follow (pipelined responses on one
// connection); at the end of the stream the peer closes (feedEof) when the input says so.
//
// Invariants (any violation aborts, which libFuzzer reports as a crash):
// - never crashes, leaks or trips ASan/UBSan;
// - feed() consumes 0..len bytes; NeedMore consumes all of them; Complete and Error are sticky;
// - wire body bytes never exceed the bytes fed for that response, and never exceed
//   Content-Length; without gzip, bodyBytes() is the wire count;
// - a Complete response reports consistent state: final status (not 1xx, not 101), headers
//   complete, no error, Content-Length body read exactly, no body for HEAD/204/304,
//   not chunked and Content-Length at once, at most 5 1xx before it;
// - an Error names its kind and has a message;
// - how the bytes are split into reads does not change any response's outcome.
#include "../support/fuzz_check.h"
#include "../support/parser_outcome.h"
#include "http/response_parser.h"

#include <QByteArray>
#include <QString>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

using poolscope::ResponseParser;
using Result = ResponseParser::Result;
using ErrorKind = ResponseParser::ErrorKind;

namespace {

using poolscope::testsupport::check;

using Outcome = poolscope::testsupport::ParserOutcome;
using poolscope::testsupport::describe;

struct Options
{
    uint8_t headMask = 0; // bit i: response i answers a HEAD
    uint8_t gzipMask = 0; // bit i: request i asked for gzip itself
    bool eofAtEnd = false;
    qint64 maxHeaderBytes = 0;
    uint32_t splitSeed = 1;
};

constexpr int kMaxResponses = 8;
constexpr size_t kOptionBytes = 8;

Options readOptions(const uint8_t *data)
{
    // Small limits make the header-size accounting reachable; 0 is Go's default (10 MiB).
    static constexpr qint64 kLimits[] = { 0, 1, 16, 40, 64, 100, 256, 4096 };
    Options o;
    o.headMask = data[0];
    o.gzipMask = data[1];
    o.eofAtEnd = (data[2] & 1) != 0;
    o.maxHeaderBytes = kLimits[(data[2] >> 1) & 7];
    o.splitSeed = uint32_t(data[3]) | uint32_t(data[4]) << 8 | uint32_t(data[5]) << 16
        | uint32_t(data[6]) << 24 | 1u;
    // data[7] reserved so the layout can grow without invalidating the corpus.
    return o;
}

// Read sizes as a socket delivers them: mostly small, sometimes large.
class Splitter
{
public:
    explicit Splitter(uint32_t seed) : m_state(seed) { }
    qsizetype next()
    {
        m_state = m_state * 1664525u + 1013904223u;
        const uint32_t r = m_state >> 8;
        switch (r & 3) {
        case 0:
            return 1;
        case 1:
            return 1 + qsizetype((r >> 2) % 7);
        case 2:
            return 1 + qsizetype((r >> 2) % 64);
        default:
            return 1 + qsizetype((r >> 2) % 4096);
        }
    }

private:
    uint32_t m_state;
};

// Holds at every step, whatever the state.
void checkAlways(const ResponseParser &p, qsizetype fed)
{
    check(p.wireBodyBytes() >= 0 && p.wireBodyBytes() <= fed, "wire body bytes within what was fed",
        QStringLiteral("wire=%1 fed=%2").arg(p.wireBodyBytes()).arg(fed));
    check(p.contentLength() < 0 || p.wireBodyBytes() <= p.contentLength(),
        "wire body bytes within Content-Length");
    check(p.uncompressed() || p.bodyBytes() == p.wireBodyBytes(), "bodyBytes is the wire count");
    check(!p.chunked() || p.contentLength() == -1, "chunked has no Content-Length");
    check(p.informationalCount() >= 0
            && p.informationalCount() <= ResponseParser::kMaxInformational + 1,
        "1xx count bounded");
    check(!p.uncompressed() || p.headersComplete(), "gzip decided with the headers");
    check(p.state() != Result::NeedMore || p.errorKind() == ErrorKind::None, "no error while open");
}

void checkComplete(const ResponseParser &p, bool head)
{
    const int status = p.statusCode();
    check(p.errorKind() == ErrorKind::None && p.errorMessage().isEmpty(), "Complete has no error",
        p.errorMessage());
    check(p.headersComplete(), "Complete has its headers");
    check(p.firstByteSeen(), "Complete saw a byte");
    // Go accepts any three digits ("000" too); llhttp reads at most three.
    check(status >= 0 && status <= 999, "status is three digits", QString::number(status));
    check(status != 101 && (status < 100 || status > 199), "final status is not 1xx or 101",
        QString::number(status));
    check(p.informationalCount() <= ResponseParser::kMaxInformational, "at most 5 1xx");
    const bool noBody = head || status == 204 || status == 304;
    if (noBody)
        check(p.wireBodyBytes() == 0, "no body for HEAD/204/304");
    else if (p.contentLength() >= 0)
        check(p.wireBodyBytes() == p.contentLength(), "Content-Length body read exactly",
            QStringLiteral("wire=%1 cl=%2").arg(p.wireBodyBytes()).arg(p.contentLength()));
}

void checkError(const ResponseParser &p)
{
    check(p.errorKind() != ErrorKind::None, "Error has a kind");
    check(!p.errorMessage().isEmpty(), "Error has a message");
    check(std::string_view(ResponseParser::errorKindName(p.errorKind())) != "unknown",
        "Error kind has a name");
}

// Parses `stream` as one connection would; oneRead: each response gets all remaining bytes
// in one feed() (otherwise reads are cut by the splitter).
std::vector<Outcome> parseStream(
    ResponseParser &p, const Options &o, const char *stream, qsizetype size, bool oneRead)
{
    std::vector<Outcome> outcomes;
    Splitter split(o.splitSeed);
    p.setMaxHeaderBytes(o.maxHeaderBytes);
    qsizetype pos = 0;
    for (int i = 0; i < kMaxResponses; ++i) {
        const bool head = (o.headMask >> i) & 1;
        p.begin(head, (o.gzipMask >> i) & 1);
        check(p.state() == Result::NeedMore && !p.firstByteSeen() && !p.headersComplete()
                && p.errorKind() == ErrorKind::None,
            "begin() resets");
        qsizetype fed = 0;
        Result r = Result::NeedMore;
        while (r == Result::NeedMore && pos < size) {
            const qsizetype len = oneRead ? size - pos : std::min(split.next(), size - pos);
            const auto fr = p.feed(stream + pos, len);
            check(fr.consumed >= 0 && fr.consumed <= len, "consumed within the read");
            check(fr.result != Result::NeedMore || fr.consumed == len, "NeedMore consumes all");
            check(fr.result == p.state(), "feed result is the state");
            pos += fr.consumed;
            fed += fr.consumed;
            r = fr.result;
            checkAlways(p, fed);
        }
        if (r == Result::NeedMore && pos == size) {
            if (!o.eofAtEnd || !p.firstByteSeen())
                break; // the connection stays open (or closes before this response began)
            r = p.feedEof();
            check(r != Result::NeedMore, "EOF decides");
            check(r != Result::Complete || !p.keepAlive(), "EOF-delimited body is not keep-alive");
            checkAlways(p, fed);
        }
        if (r == Result::Complete)
            checkComplete(p, head);
        else if (r == Result::Error)
            checkError(p);
        // Sticky until the next begin().
        const char probe = 'x';
        const auto again = p.feed(&probe, 1);
        check(again.result == r && again.consumed == 0, "Complete/Error are sticky");
        check(p.feedEof() == r, "feedEof after the end is sticky");
        outcomes.push_back(poolscope::testsupport::outcomeOf(p, r, fed));
        if (r != Result::Complete || pos == size)
            break;
    }
    return outcomes;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < kOptionBytes)
        return 0;
    const Options options = readOptions(data);
    const char *stream = reinterpret_cast<const char *>(data + kOptionBytes);
    const auto streamSize = static_cast<qsizetype>(size - kOptionBytes);

    static ResponseParser split; // reused across inputs, like a connection's parser
    static ResponseParser whole;
    const std::vector<Outcome> a = parseStream(split, options, stream, streamSize, false);
    const std::vector<Outcome> b = parseStream(whole, options, stream, streamSize, true);
    check(a.size() == b.size(), "the same number of responses whatever the reads",
        QStringLiteral("%1 vs %2").arg(a.size()).arg(b.size()));
    for (size_t i = 0; i < a.size(); ++i) {
        Outcome x = a[i];
        Outcome y = b[i];
        if (x.result == Result::Error && y.result == Result::Error) {
            // Where an error is noticed (how many bytes and body bytes it took) may depend on
            // the reads; that it is one, and which, may not.
            x.consumed = y.consumed = 0;
            x.bodyBytes = y.bodyBytes = 0;
            x.wireBodyBytes = y.wireBodyBytes = 0;
            x.errorMessage = y.errorMessage = QString(); // it may name those counts
        }
        check(x == y, "outcome does not depend on the reads",
            QStringLiteral("\n split: %1\n whole: %2").arg(describe(x), describe(y)));
    }
    return 0;
}
