#include "go_duration.h"

#include <array>
#include <cstdint>

namespace poolscope {

namespace {

constexpr std::uint64_t kMaxMagnitude = std::uint64_t(1) << 63; // |INT64_MIN|

constexpr std::uint64_t kNanosecond = 1;
constexpr std::uint64_t kMicrosecond = 1000 * kNanosecond;
constexpr std::uint64_t kMillisecond = 1000 * kMicrosecond;
constexpr std::uint64_t kSecond = 1000 * kMillisecond;
constexpr std::uint64_t kMinute = 60 * kSecond;
constexpr std::uint64_t kHour = 60 * kMinute;

bool isDigit(QChar c)
{
    return c >= u'0' && c <= u'9';
}

// Go's time.quote: double quotes, backslash before '"' and '\\', and every byte of a
// non-ASCII or control character as \xNN, so our messages read exactly like Go's.
QString goQuote(QStringView text)
{
    static constexpr char kHex[] = "0123456789abcdef";
    const QByteArray utf8 = text.toUtf8();
    QString out;
    out.reserve(utf8.size() + 2);
    out += u'"';
    for (const char ch : utf8) {
        const auto byte = static_cast<unsigned char>(ch);
        if (byte >= 0x80 || byte < 0x20) {
            out += u"\\x";
            out += QLatin1Char(kHex[byte >> 4]);
            out += QLatin1Char(kHex[byte & 0xf]);
        } else {
            if (byte == '"' || byte == '\\')
                out += u'\\';
            out += QLatin1Char(ch);
        }
    }
    out += u'"';
    return out;
}

std::optional<std::uint64_t> unitValue(QStringView unit)
{
    if (unit == u"ns")
        return kNanosecond;
    if (unit == u"us" || unit == u"\u00b5s" || unit == u"\u03bcs")
        return kMicrosecond;
    if (unit == u"ms")
        return kMillisecond;
    if (unit == u"s")
        return kSecond;
    if (unit == u"m")
        return kMinute;
    if (unit == u"h")
        return kHour;
    return std::nullopt;
}

std::optional<std::chrono::nanoseconds> fail(QString *error, QString message)
{
    if (error)
        *error = std::move(message);
    return std::nullopt;
}

// Writes the fraction v / 10^precision (without trailing zeros, and without the point when
// it is zero) in front of *pos, and returns the integer part. Mirrors Go's fmtFrac.
std::uint64_t writeFraction(char *buf, int *pos, std::uint64_t v, int precision)
{
    bool printing = false;
    for (int i = 0; i < precision; ++i) {
        const auto digit = static_cast<char>(v % 10);
        printing = printing || digit != 0;
        if (printing)
            buf[--*pos] = static_cast<char>('0' + digit);
        v /= 10;
    }
    if (printing)
        buf[--*pos] = '.';
    return v;
}

void writeInteger(char *buf, int *pos, std::uint64_t v)
{
    do {
        buf[--*pos] = static_cast<char>('0' + v % 10);
        v /= 10;
    } while (v > 0);
}

} // namespace

std::optional<std::chrono::nanoseconds> parseGoDuration(QStringView text, QString *error)
{
    const QStringView original = text;
    const auto invalid = [&] {
        return fail(error, QStringLiteral("time: invalid duration %1").arg(goQuote(original)));
    };

    QStringView s = text;
    bool negative = false;
    if (!s.isEmpty() && (s.front() == u'-' || s.front() == u'+')) {
        negative = s.front() == u'-';
        s = s.mid(1);
    }
    if (s == u"0")
        return std::chrono::nanoseconds(0);
    if (s.isEmpty())
        return invalid();

    std::uint64_t total = 0;
    while (!s.isEmpty()) {
        if (!(s.front() == u'.' || isDigit(s.front())))
            return invalid();

        // Integer part; overflow is an error (unlike the fraction, below).
        std::uint64_t whole = 0;
        qsizetype i = 0;
        for (; i < s.size() && isDigit(s[i]); ++i) {
            if (whole > kMaxMagnitude / 10)
                return invalid();
            whole = whole * 10 + static_cast<std::uint64_t>(s[i].unicode() - u'0');
            if (whole > kMaxMagnitude)
                return invalid();
        }
        const bool digitsBefore = i > 0;
        s = s.mid(i);

        // Fraction: digits that no longer fit are ignored, they only add precision.
        std::uint64_t fraction = 0;
        double scale = 1;
        bool digitsAfter = false;
        if (!s.isEmpty() && s.front() == u'.') {
            s = s.mid(1);
            bool overflow = false;
            qsizetype j = 0;
            for (; j < s.size() && isDigit(s[j]); ++j) {
                if (overflow)
                    continue;
                if (fraction > (kMaxMagnitude - 1) / 10) {
                    overflow = true;
                    continue;
                }
                const std::uint64_t next
                    = fraction * 10 + static_cast<std::uint64_t>(s[j].unicode() - u'0');
                if (next > kMaxMagnitude) {
                    overflow = true;
                    continue;
                }
                fraction = next;
                scale *= 10;
            }
            digitsAfter = j > 0;
            s = s.mid(j);
        }
        if (!digitsBefore && !digitsAfter)
            return invalid();

        qsizetype unitLength = 0;
        while (unitLength < s.size() && s[unitLength] != u'.' && !isDigit(s[unitLength]))
            ++unitLength;
        if (unitLength == 0) {
            return fail(
                error, QStringLiteral("time: missing unit in duration %1").arg(goQuote(original)));
        }
        const QStringView unitText = s.first(unitLength);
        s = s.mid(unitLength);
        const std::optional<std::uint64_t> unit = unitValue(unitText);
        if (!unit) {
            return fail(error,
                QStringLiteral("time: unknown unit %1 in duration %2")
                    .arg(goQuote(unitText), goQuote(original)));
        }
        if (whole > kMaxMagnitude / *unit)
            return invalid();
        whole *= *unit;
        if (fraction > 0) {
            // Go computes this in float64: nanosecond-exact for fractions of an hour.
            whole += static_cast<std::uint64_t>(
                static_cast<double>(fraction) * (static_cast<double>(*unit) / scale));
            if (whole > kMaxMagnitude)
                return invalid();
        }
        total += whole;
        if (total > kMaxMagnitude)
            return invalid();
    }

    if (negative) {
        // total <= 2^63 here, so the negation fits (2^63 becomes INT64_MIN).
        return std::chrono::nanoseconds(static_cast<std::int64_t>(0 - total));
    }
    if (total > kMaxMagnitude - 1)
        return invalid();
    return std::chrono::nanoseconds(static_cast<std::int64_t>(total));
}

QString formatGoDuration(std::chrono::nanoseconds duration)
{
    // The longest output is "-2562047h47m16.854775808s".
    std::array<char, 32> buf {};
    int pos = static_cast<int>(buf.size());

    const std::int64_t count = duration.count();
    const bool negative = count < 0;
    std::uint64_t u = static_cast<std::uint64_t>(count);
    if (negative)
        u = 0 - u;

    if (u < kSecond) {
        // Below one second Go switches to the largest unit that keeps a non-zero leading digit.
        if (u == 0)
            return QStringLiteral("0s");
        int precision = 0;
        QString suffix;
        if (u < kMicrosecond) {
            suffix = QStringLiteral("ns");
        } else if (u < kMillisecond) {
            precision = 3;
            suffix = QStringLiteral("\u00b5s");
        } else {
            precision = 6;
            suffix = QStringLiteral("ms");
        }
        u = writeFraction(buf.data(), &pos, u, precision);
        writeInteger(buf.data(), &pos, u);
        if (negative)
            buf[--pos] = '-';
        return QString::fromLatin1(buf.data() + pos, static_cast<qsizetype>(buf.size()) - pos)
            + suffix;
    }

    buf[--pos] = 's';
    u = writeFraction(buf.data(), &pos, u, 9);
    writeInteger(buf.data(), &pos, u % 60);
    u /= 60;
    if (u > 0) {
        buf[--pos] = 'm';
        writeInteger(buf.data(), &pos, u % 60);
        u /= 60;
        // Hours are the largest unit: days have no fixed length.
        if (u > 0) {
            buf[--pos] = 'h';
            writeInteger(buf.data(), &pos, u);
        }
    }
    if (negative)
        buf[--pos] = '-';
    return QString::fromLatin1(buf.data() + pos, static_cast<qsizetype>(buf.size()) - pos);
}

} // namespace poolscope
