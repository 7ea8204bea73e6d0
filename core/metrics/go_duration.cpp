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

std::nullopt_t fail(QString *error, QString message)
{
    if (error)
        *error = std::move(message);
    return std::nullopt;
}

std::nullopt_t failInvalid(QString *error, QStringView original)
{
    return fail(error, QStringLiteral("time: invalid duration %1").arg(goQuote(original)));
}

// Go's leadingInt: the decimal digits at the front of *s and how many there were; nullopt
// when the value passes 2^63 (an error, unlike in the fraction).
struct Digits
{
    std::uint64_t value = 0;
    qsizetype count = 0;
};

std::optional<Digits> leadingInt(QStringView *s)
{
    Digits d;
    for (; d.count < s->size() && isDigit((*s)[d.count]); ++d.count) {
        if (d.value > kMaxMagnitude / 10)
            return std::nullopt;
        d.value = d.value * 10 + static_cast<std::uint64_t>((*s)[d.count].unicode() - u'0');
        if (d.value > kMaxMagnitude)
            return std::nullopt;
    }
    *s = s->mid(d.count);
    return d;
}

// Go's leadingFraction: the digits after a decimal point as value / scale. Digits that no
// longer fit are consumed but ignored: they only add precision.
struct Fraction
{
    Digits digits;
    double scale = 1;
};

Fraction leadingFraction(QStringView *s)
{
    Fraction f;
    bool overflow = false;
    for (; f.digits.count < s->size() && isDigit((*s)[f.digits.count]); ++f.digits.count) {
        if (overflow)
            continue;
        if (f.digits.value > (kMaxMagnitude - 1) / 10) {
            overflow = true;
            continue;
        }
        const std::uint64_t next = f.digits.value * 10
            + static_cast<std::uint64_t>((*s)[f.digits.count].unicode() - u'0');
        if (next > kMaxMagnitude) {
            overflow = true;
            continue;
        }
        f.digits.value = next;
        f.scale *= 10;
    }
    *s = s->mid(f.digits.count);
    return f;
}

// One "<number>[.<fraction>]<unit>" element at the front of *s, in nanoseconds (at most
// 2^63); nullopt, with Go's message in *error, when it is malformed or too large.
std::optional<std::uint64_t> parseElement(QStringView *s, QStringView original, QString *error)
{
    if (!(s->front() == u'.' || isDigit(s->front())))
        return failInvalid(error, original);
    const std::optional<Digits> whole = leadingInt(s);
    if (!whole)
        return failInvalid(error, original);
    Fraction fraction;
    if (!s->isEmpty() && s->front() == u'.') {
        *s = s->mid(1);
        fraction = leadingFraction(s);
    }
    if (whole->count == 0 && fraction.digits.count == 0)
        return failInvalid(error, original);

    qsizetype unitLength = 0;
    while (unitLength < s->size() && (*s)[unitLength] != u'.' && !isDigit((*s)[unitLength]))
        ++unitLength;
    if (unitLength == 0) {
        return fail(
            error, QStringLiteral("time: missing unit in duration %1").arg(goQuote(original)));
    }
    const QStringView unitText = s->first(unitLength);
    *s = s->mid(unitLength);
    const std::optional<std::uint64_t> unit = unitValue(unitText);
    if (!unit) {
        return fail(error,
            QStringLiteral("time: unknown unit %1 in duration %2")
                .arg(goQuote(unitText), goQuote(original)));
    }
    if (whole->value > kMaxMagnitude / *unit)
        return failInvalid(error, original);
    std::uint64_t value = whole->value * *unit;
    if (fraction.digits.value > 0) {
        // Go computes this in float64: nanosecond-exact for fractions of an hour.
        value += static_cast<std::uint64_t>(static_cast<double>(fraction.digits.value)
            * (static_cast<double>(*unit) / fraction.scale));
        if (value > kMaxMagnitude)
            return failInvalid(error, original);
    }
    return value;
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
    QStringView s = text;
    bool negative = false;
    if (!s.isEmpty() && (s.front() == u'-' || s.front() == u'+')) {
        negative = s.front() == u'-';
        s = s.mid(1);
    }
    if (s == u"0")
        return std::chrono::nanoseconds(0);
    if (s.isEmpty())
        return failInvalid(error, text);

    std::uint64_t total = 0;
    while (!s.isEmpty()) {
        const std::optional<std::uint64_t> element = parseElement(&s, text, error);
        if (!element)
            return std::nullopt;
        total += *element;
        if (total > kMaxMagnitude)
            return failInvalid(error, text);
    }

    if (negative) {
        // total <= 2^63 here, so the negation fits (2^63 becomes INT64_MIN).
        return std::chrono::nanoseconds(static_cast<std::int64_t>(0 - total));
    }
    if (total > kMaxMagnitude - 1)
        return failInvalid(error, text);
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
