#include "gzip_decoder.h"

#include <algorithm>
#include <new>
#include <vector>
#include <zlib.h>

namespace poolscope {

namespace {

// RFC 1952 / compress/gzip constants.
constexpr unsigned char kId1 = 0x1f;
constexpr unsigned char kId2 = 0x8b;
constexpr unsigned char kDeflate = 8;
constexpr unsigned char kFlagHeaderCrc = 1 << 1;
constexpr unsigned char kFlagExtra = 1 << 2;
constexpr unsigned char kFlagName = 1 << 3;
constexpr unsigned char kFlagComment = 1 << 4;
// compress/gzip reads FNAME and FCOMMENT into a 512-byte buffer, NUL included.
constexpr int kMaxStringBytes = 512;

// Decoded bytes are counted and dropped; one scratch buffer per thread.
thread_local unsigned char t_scratch[32 * 1024];

// zlib allocates through operator new, so allocation counters in tests see it.
voidpf zAlloc(voidpf, uInt items, uInt size)
{
    return ::operator new(static_cast<std::size_t>(items) * size, std::nothrow);
}

void zFree(voidpf, voidpf address)
{
    ::operator delete(address);
}

quint32 readLe32(const unsigned char *p)
{
    return quint32(p[0]) | quint32(p[1]) << 8 | quint32(p[2]) << 16 | quint32(p[3]) << 24;
}

quint32 crcOf(quint32 crc, const unsigned char *data, qsizetype len)
{
    return static_cast<quint32>(crc32(crc, data, static_cast<uInt>(len)));
}

std::vector<std::unique_ptr<GzipDecoder>> &spares()
{
    thread_local std::vector<std::unique_ptr<GzipDecoder>> list = [] {
        std::vector<std::unique_ptr<GzipDecoder>> v;
        v.reserve(GzipDecoder::kMaxSpares);
        return v;
    }();
    return list;
}

} // namespace

GzipDecoder::GzipDecoder() : m_zs(std::make_unique<z_stream>())
{
    m_zs->zalloc = &zAlloc;
    m_zs->zfree = &zFree;
    m_zs->opaque = nullptr;
}

GzipDecoder::~GzipDecoder()
{
    if (m_zsReady)
        inflateEnd(m_zs.get());
}

std::unique_ptr<GzipDecoder> GzipDecoder::take()
{
    auto &list = spares();
    if (list.empty())
        return std::make_unique<GzipDecoder>();
    std::unique_ptr<GzipDecoder> d = std::move(list.back());
    list.pop_back();
    d->reset();
    return d;
}

void GzipDecoder::giveBack(std::unique_ptr<GzipDecoder> decoder)
{
    auto &list = spares();
    if (decoder && list.size() < static_cast<std::size_t>(kMaxSpares))
        list.push_back(std::move(decoder));
}

void GzipDecoder::reset()
{
    m_stage = Stage::MemberStart;
    m_have = 0;
    m_need = 0;
    m_decoded = 0;
    if (!m_error.isEmpty())
        m_error.clear();
}

bool GzipDecoder::fail(QString message)
{
    m_stage = Stage::Failed;
    m_error = std::move(message);
    return false;
}

bool GzipDecoder::feed(const char *data, qsizetype len)
{
    auto *p = reinterpret_cast<const unsigned char *>(data);
    while (len > 0 && m_stage != Stage::Failed) {
        qsizetype used = 0;
        switch (m_stage) {
        case Stage::Deflate:
            used = feedDeflate(p, len);
            break;
        case Stage::Trailer:
            used = feedTrailer(p, len);
            break;
        default:
            used = feedHeader(p, len);
            break;
        }
        p += used;
        len -= used;
    }
    return m_stage != Stage::Failed;
}

bool GzipDecoder::finish()
{
    if (m_stage == Stage::Failed)
        return false;
    if (m_stage != Stage::MemberStart)
        return fail(QStringLiteral("unexpected EOF"));
    return true;
}

qsizetype GzipDecoder::feedHeader(const unsigned char *data, qsizetype len)
{
    if (m_stage == Stage::MemberStart) {
        m_stage = Stage::FixedHeader;
        m_have = 0;
        m_need = 10;
    }
    if (m_stage == Stage::Extra) {
        const auto n = static_cast<qsizetype>(std::min<qint64>(m_extraLeft, len));
        m_headerCrc = crcOf(m_headerCrc, data, n);
        m_extraLeft -= static_cast<quint32>(n);
        if (m_extraLeft == 0)
            nextOptionalField();
        return n;
    }
    if (m_stage == Stage::Name || m_stage == Stage::Comment) {
        // compress/gzip's readString: byte by byte up to a NUL, at most 512 bytes.
        qsizetype n = 0;
        while (n < len) {
            const unsigned char c = data[n++];
            ++m_stringLength;
            if (c == 0) {
                m_headerCrc = crcOf(m_headerCrc, data, n);
                m_flags &= m_stage == Stage::Name ? ~kFlagName : ~kFlagComment;
                nextOptionalField();
                return n;
            }
            if (m_stringLength >= kMaxStringBytes) {
                fail(QStringLiteral("gzip: invalid header"));
                return n;
            }
        }
        m_headerCrc = crcOf(m_headerCrc, data, n);
        return n;
    }
    // A fixed-size field: the 10 fixed bytes, FEXTRA's length or FHCRC.
    const auto n = static_cast<qsizetype>(std::min<qint64>(m_need - m_have, len));
    std::copy_n(data, n, m_buf + m_have);
    m_have += static_cast<int>(n);
    if (m_have < m_need)
        return n;
    switch (m_stage) {
    case Stage::FixedHeader:
        afterFixedHeader();
        break;
    case Stage::ExtraLength:
        m_headerCrc = crcOf(m_headerCrc, m_buf, 2);
        m_extraLeft = quint32(m_buf[0]) | quint32(m_buf[1]) << 8;
        m_stage = Stage::Extra;
        if (m_extraLeft == 0)
            nextOptionalField();
        break;
    case Stage::HeaderCrc:
        if ((quint32(m_buf[0]) | quint32(m_buf[1]) << 8) != (m_headerCrc & 0xffff)) {
            fail(QStringLiteral("gzip: invalid header"));
            break;
        }
        m_flags &= ~kFlagHeaderCrc;
        nextOptionalField();
        break;
    default:
        break;
    }
    return n;
}

void GzipDecoder::afterFixedHeader()
{
    // Go checks the magic and the method only; reserved flag bits are ignored.
    if (m_buf[0] != kId1 || m_buf[1] != kId2 || m_buf[2] != kDeflate) {
        fail(QStringLiteral("gzip: invalid header"));
        return;
    }
    m_flags = m_buf[3];
    m_headerCrc = crcOf(0, m_buf, 10);
    if (m_flags & kFlagExtra) {
        m_flags &= ~kFlagExtra;
        m_stage = Stage::ExtraLength;
        m_have = 0;
        m_need = 2;
        return;
    }
    nextOptionalField();
}

void GzipDecoder::nextOptionalField()
{
    m_have = 0;
    m_stringLength = 0;
    if (m_flags & kFlagName) {
        m_stage = Stage::Name;
        return;
    }
    if (m_flags & kFlagComment) {
        m_stage = Stage::Comment;
        return;
    }
    if (m_flags & kFlagHeaderCrc) {
        m_stage = Stage::HeaderCrc;
        m_need = 2;
        return;
    }
    // Header done: raw deflate data follows.
    if (!m_zsReady) {
        if (inflateInit2(m_zs.get(), -MAX_WBITS) != Z_OK) {
            fail(QStringLiteral("gzip: out of memory"));
            return;
        }
        m_zsReady = true;
    } else {
        inflateReset(m_zs.get());
    }
    m_crc = static_cast<quint32>(crc32(0, nullptr, 0));
    m_size = 0;
    m_stage = Stage::Deflate;
}

qsizetype GzipDecoder::feedDeflate(const unsigned char *data, qsizetype len)
{
    z_stream &zs = *m_zs;
    zs.next_in = const_cast<Bytef *>(data);
    zs.avail_in = static_cast<uInt>(len);
    for (;;) {
        zs.next_out = t_scratch;
        zs.avail_out = sizeof t_scratch;
        const int ret = inflate(&zs, Z_NO_FLUSH);
        const auto produced = static_cast<qsizetype>(sizeof t_scratch - zs.avail_out);
        m_crc = crcOf(m_crc, t_scratch, produced);
        m_size += static_cast<quint32>(produced);
        m_decoded += produced;
        if (ret == Z_STREAM_END) {
            m_stage = Stage::Trailer;
            m_have = 0;
            m_need = 8;
            break;
        }
        if (ret == Z_DATA_ERROR) {
            // Go's flate.CorruptInputError: the offset of the bytes the decompressor has
            // read from the member's deflate data.
            fail(QStringLiteral("flate: corrupt input before offset %1").arg(zs.total_in));
            break;
        }
        if (ret != Z_OK && ret != Z_BUF_ERROR) {
            fail(QStringLiteral("flate: %1").arg(QString::fromLatin1(zs.msg ? zs.msg : "error")));
            break;
        }
        if (ret == Z_BUF_ERROR || (zs.avail_in == 0 && zs.avail_out != 0))
            break; // all input used, all output flushed
    }
    return len - static_cast<qsizetype>(zs.avail_in);
}

qsizetype GzipDecoder::feedTrailer(const unsigned char *data, qsizetype len)
{
    const auto n = static_cast<qsizetype>(std::min<qint64>(m_need - m_have, len));
    std::copy_n(data, n, m_buf + m_have);
    m_have += static_cast<int>(n);
    if (m_have < m_need)
        return n;
    if (readLe32(m_buf) != m_crc || readLe32(m_buf + 4) != m_size) {
        fail(QStringLiteral("gzip: invalid checksum"));
        return n;
    }
    // Multistream: another member may follow; the body may also end here.
    m_stage = Stage::MemberStart;
    return n;
}

} // namespace poolscope
