#include "hostile_responses.h"

#include <QtGlobal>
#include <algorithm>
#include <array>

namespace poolscope {

namespace {

using namespace std::chrono_literals;
using Action = HostileStep::Action;

constexpr std::array<HostileModeInfo, static_cast<std::size_t>(HostileMode::Count_)> kModes { {
    { HostileMode::None, "none" },
    { HostileMode::Garbage, "garbage" },
    { HostileMode::TruncatedHead, "truncated-head" },
    { HostileMode::TruncatedBody, "truncated-body" },
    { HostileMode::LengthLonger, "length-longer" },
    { HostileMode::LengthShorter, "length-shorter" },
    { HostileMode::BadChunkSize, "bad-chunk-size" },
    { HostileMode::HugeHeaders, "huge-headers" },
    { HostileMode::TrickleHead, "trickle-head" },
    { HostileMode::TrickleBody, "trickle-body" },
    { HostileMode::Reset, "reset" },
    { HostileMode::ResetMidBody, "reset-mid-body" },
    { HostileMode::NeverAnswer, "never-answer" },
    { HostileMode::InformationalStorm, "1xx-storm" },
    { HostileMode::LengthAndChunked, "length-and-chunked" },
    { HostileMode::TwoLengths, "two-lengths" },
} };

constexpr auto kTrickleGap = 10ms;
// Go's default Transport.MaxResponseHeaderBytes is 10 << 20; one 8 KiB line more.
constexpr qsizetype kHugeHeadBytes = (qsizetype(10) << 20) + 8192;

HostileStep send(QByteArray bytes)
{
    return { Action::Send, std::move(bytes), {} };
}

HostileStep act(Action action)
{
    return { action, {}, {} };
}

HostileStep wait(std::chrono::nanoseconds d)
{
    return { Action::Wait, {}, d };
}

QByteArray statusLine(const ServerConfig &config)
{
    return QByteArrayLiteral("HTTP/1.1 ") + QByteArray::number(config.status)
        + QByteArrayLiteral(" Hostile\r\n");
}

QByteArray head(const ServerConfig &config, const QByteArray &fields)
{
    return statusLine(config) + fields + QByteArrayLiteral("\r\n");
}

QByteArray contentLength(qint64 n)
{
    return QByteArrayLiteral("Content-Length: ") + QByteArray::number(n)
        + QByteArrayLiteral("\r\n");
}

QByteArray body(int size)
{
    return QByteArray(std::max(size, 0), 'x');
}

// At least two body bytes, so "half" is a real part of it.
int bodySizeOf(const ServerConfig &config)
{
    return std::max(config.bodySize, 2);
}

// Built once: a 10 MiB head is shared by every response that sends it.
const QByteArray &hugeHead()
{
    static const QByteArray bytes = [] {
        QByteArray out = QByteArrayLiteral("HTTP/1.1 200 Hostile\r\n");
        const QByteArray line = QByteArrayLiteral("X-Huge: ") + QByteArray(8182, 'h')
            + QByteArrayLiteral("\r\n"); // 8192 bytes
        out.reserve(kHugeHeadBytes + 64);
        while (out.size() < kHugeHeadBytes) {
            out += line;
        }
        return out + contentLength(0) + QByteArrayLiteral("\r\n");
    }();
    return bytes;
}

void trickle(HostilePlan *plan, const QByteArray &bytes)
{
    for (qsizetype i = 0; i < bytes.size(); ++i) {
        if (i > 0) {
            plan->steps.push_back(wait(kTrickleGap));
        }
        plan->steps.push_back(send(bytes.mid(i, 1)));
    }
}

QByteArray garbage(QRandomGenerator *random)
{
    // Printable, no spaces: Go quotes the whole line in its error.
    QByteArray out(48, '\0');
    for (char &c : out) {
        c = static_cast<char>(random->bounded(0x21, 0x7f));
    }
    // Not "HTTP/..." by chance: the first byte is never 'H'.
    if (out[0] == 'H') {
        out[0] = '?';
    }
    return out + QByteArrayLiteral("\r\n");
}

} // namespace

std::span<const HostileModeInfo> hostileModes()
{
    return kModes;
}

const char *hostileModeKey(HostileMode mode)
{
    const auto i = static_cast<std::size_t>(mode);
    return i < kModes.size() ? kModes[i].key : "none";
}

bool parseHostileMode(const QString &key, HostileMode *out)
{
    for (const HostileModeInfo &m : kModes) {
        if (key == QLatin1String(m.key)) {
            *out = m.mode;
            return true;
        }
    }
    return false;
}

HostilePlan hostilePlan(HostileMode mode, const ServerConfig &config, QRandomGenerator *random)
{
    HostilePlan plan;
    auto &s = plan.steps;
    const int n = bodySizeOf(config);
    switch (mode) {
    case HostileMode::None:
    case HostileMode::Count_:
        break;
    case HostileMode::Garbage:
        s = { send(garbage(random)), act(Action::Close) };
        break;
    case HostileMode::TruncatedHead:
        // Cut at a line end: Go's textproto then meets EOF, not a half line.
        s = { send(statusLine(config) + contentLength(n)), act(Action::Close) };
        break;
    case HostileMode::TruncatedBody:
        s = { send(head(config, contentLength(n)) + body(n / 2)), act(Action::Close) };
        break;
    case HostileMode::LengthLonger:
        s = { send(head(config, contentLength(qint64(n) + 1000)) + body(n)), act(Action::Hang) };
        break;
    case HostileMode::LengthShorter:
        s = { send(head(config, contentLength(n / 2)) + body(n)), act(Action::Close) };
        break;
    case HostileMode::BadChunkSize:
        s = { send(head(config, QByteArrayLiteral("Transfer-Encoding: chunked\r\n"))
                  + QByteArrayLiteral("zz\r\n") + body(n) + QByteArrayLiteral("\r\n0\r\n\r\n")),
            act(Action::Close) };
        break;
    case HostileMode::HugeHeaders:
        s = { send(hugeHead()), act(Action::Close) };
        break;
    case HostileMode::TrickleHead:
        trickle(&plan, head(config, contentLength(n)));
        s.push_back(send(body(n)));
        s.push_back(act(Action::Close));
        break;
    case HostileMode::TrickleBody:
        s.push_back(send(head(config, contentLength(n))));
        s.push_back(wait(kTrickleGap));
        trickle(&plan, body(n));
        s.push_back(act(Action::Close));
        break;
    case HostileMode::Reset:
        s = { act(Action::Reset) };
        break;
    case HostileMode::ResetMidBody:
        // The pause lets the client read the head before the RST discards its queue.
        s = { send(head(config, contentLength(n)) + body(n / 2)), wait(50ms), act(Action::Reset) };
        break;
    case HostileMode::NeverAnswer:
        s = { act(Action::Hang) };
        break;
    case HostileMode::InformationalStorm: {
        QByteArray storm;
        for (int i = 0; i < 10; ++i) {
            storm
                += QByteArrayLiteral("HTTP/1.1 103 Early Hints\r\nLink: </x>; rel=preload\r\n\r\n");
        }
        s = { send(storm + head(config, contentLength(n)) + body(n)), act(Action::Close) };
        break;
    }
    case HostileMode::LengthAndChunked: {
        const QByteArray fields
            = contentLength(3) + QByteArrayLiteral("Transfer-Encoding: chunked\r\n");
        s = { send(head(config, fields) + QByteArray::number(n, 16) + QByteArrayLiteral("\r\n")
                  + body(n) + QByteArrayLiteral("\r\n0\r\n\r\n")),
            act(Action::Close) };
        break;
    }
    case HostileMode::TwoLengths:
        s = { send(head(config, contentLength(n) + contentLength(qint64(n) + 1)) + body(n)),
            act(Action::Close) };
        break;
    }
    return plan;
}

} // namespace poolscope
