#pragma once

#include <QString>
#include <QtGlobal>
#include <cstdint>
#include <memory>

struct z_stream_s; // zlib's z_stream; <zlib.h> stays out of our headers

namespace poolscope {

// Go's net/http gzipReader over compress/gzip.Reader (Go 1.19), fed incrementally: decodes
// a gzip response body as its bytes arrive, counts the decoded bytes and discards them.
//
// The gzip framing is parsed here exactly as compress/gzip does (zlib's own gzip wrapper
// differs: it rejects reserved flag bits, has no 512-byte name limit and reports a bad
// magic after 2 bytes instead of 10); zlib only inflates the raw deflate data and computes
// CRC-32. Errors carry Go's text:
// - "gzip: invalid header": not 1f 8b 08, a name or comment over 511 bytes, a bad FHCRC,
//   or anything after a complete member that is not another member (multistream, Go's
//   default: concatenated members decode as one body);
// - "gzip: invalid checksum": the trailer's CRC-32 or size does not match;
// - "flate: corrupt input before offset N": the deflate data is invalid, N counting from
//   the first byte after the member's header;
// - "unexpected EOF": the body ended inside a member (including 1 to 9 bytes of a header).
// An empty body is a valid, empty stream (gzip.NewReader returns io.EOF, the body reads
// as empty).
// Checked against Go 1.19 (tests/fixtures/gzip): 160 of 161 fixture bodies give Go's exact
// text and decoded length. Over ~36,000 single-byte corruptions of five small streams the
// text is Go's for 98%; otherwise zlib stops one byte before Go's flate on an invalid
// distance (offset N-1), or, for 0.05%, zlib finds nothing wrong where Go's flate does and
// the body ends in "unexpected EOF" instead.
class GzipDecoder final
{
public:
    GzipDecoder();
    ~GzipDecoder();
    GzipDecoder(const GzipDecoder &) = delete;
    GzipDecoder &operator=(const GzipDecoder &) = delete;

    // A decoder from this thread's spares, reset; a new one when there is none. A zlib
    // inflater holds a 32 KiB window, so connections borrow one per gzip response instead
    // of keeping one each.
    [[nodiscard]] static std::unique_ptr<GzipDecoder> take();
    // Gives a decoder back to this thread's spares (at most kMaxSpares are kept).
    static void giveBack(std::unique_ptr<GzipDecoder> decoder);
    static constexpr int kMaxSpares = 32;

    // Starts a new body.
    void reset();
    // Decodes the next compressed bytes. false: the body is invalid, see errorMessage().
    // Sticky: once failed, every call returns false.
    [[nodiscard]] bool feed(const char *data, qsizetype len);
    // The body ended. false when it ended inside a member ("unexpected EOF").
    [[nodiscard]] bool finish();

    [[nodiscard]] bool failed() const { return m_stage == Stage::Failed; }
    // Decoded bytes so far: what a Go caller reading resp.Body has read.
    [[nodiscard]] qint64 decodedBytes() const { return m_decoded; }
    [[nodiscard]] const QString &errorMessage() const { return m_error; }

private:
    enum class Stage : std::uint8_t {
        MemberStart, // before a member's first byte (at body start or after a trailer)
        FixedHeader, // the 10 fixed bytes
        ExtraLength,
        Extra,
        Name,
        Comment,
        HeaderCrc,
        Deflate,
        Trailer,
        Failed,
    };

    qsizetype feedHeader(const unsigned char *data, qsizetype len);
    qsizetype feedDeflate(const unsigned char *data, qsizetype len);
    qsizetype feedTrailer(const unsigned char *data, qsizetype len);
    void afterFixedHeader();
    void nextOptionalField();
    bool fail(QString message);

    std::unique_ptr<z_stream_s> m_zs;
    bool m_zsReady = false;
    Stage m_stage = Stage::MemberStart;
    unsigned char m_buf[10] {}; // fixed header, FEXTRA length, FHCRC or trailer in progress
    int m_have = 0; // bytes of m_buf filled
    int m_need = 0; // bytes of the current fixed-size field
    unsigned char m_flags = 0;
    quint32 m_extraLeft = 0;
    int m_stringLength = 0; // bytes of FNAME / FCOMMENT so far, NUL included
    quint32 m_headerCrc = 0; // CRC-32 of the header so far, for FHCRC
    quint32 m_crc = 0; // CRC-32 of the member's decoded bytes
    quint32 m_size = 0; // decoded bytes of the member, mod 2^32 (ISIZE)
    qint64 m_decoded = 0;
    QString m_error;
};

} // namespace poolscope
