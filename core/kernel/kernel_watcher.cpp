#include "kernel/kernel_watcher.h"

#include <QLoggingCategory>
#include <QtEndian>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>
#include <vector>

#ifdef POOLSCOPE_HAVE_MNL
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#endif

Q_LOGGING_CATEGORY(lcKernelWatcher, "poolscope.kernel")

namespace poolscope {

namespace {

constexpr int kTcpListen = 10; // include/net/tcp_states.h

TcpState stateFromKernel(unsigned v)
{
    if (v >= 1 && v < static_cast<unsigned>(kTcpStateCount)) {
        return static_cast<TcpState>(v);
    }
    return TcpState::Unknown; // e.g. TCP_NEW_SYN_RECV, TCP_BOUND_INACTIVE
}

TcpTimer timerFromKernel(unsigned v)
{
    return v <= 4 ? static_cast<TcpTimer>(v) : TcpTimer::None;
}

// The target reduced to what both code paths compare against.
struct TargetMatch
{
    enum class Kind : std::uint8_t { Any, V4, V6 } kind = Kind::Any;
    quint32 v4 = 0; // host order
    Q_IPV6ADDR v6 {};
};

TargetMatch targetMatch(const QHostAddress &addr)
{
    TargetMatch m;
    if (addr.isNull() || addr == QHostAddress(QHostAddress::Any)
        || addr == QHostAddress(QHostAddress::AnyIPv4)
        || addr == QHostAddress(QHostAddress::AnyIPv6)) {
        return m;
    }
    bool isV4 = false;
    const quint32 v4 = addr.toIPv4Address(&isV4); // also true for ::ffff:a.b.c.d
    if (isV4) {
        m.kind = TargetMatch::Kind::V4;
        m.v4 = v4;
        return m;
    }
    m.kind = TargetMatch::Kind::V6;
    m.v6 = addr.toIPv6Address();
    return m;
}

int hexDigit(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return -1;
}

// Parses exactly n hex digits at p. Returns false on a non-hex character.
bool parseHex(const char *p, int n, quint64 *out)
{
    quint64 v = 0;
    for (int i = 0; i < n; ++i) {
        const int d = hexDigit(p[i]);
        if (d < 0) {
            return false;
        }
        v = (v << 4) | static_cast<quint64>(d);
    }
    *out = v;
    return true;
}

// One endpoint of a /proc/net/tcp{,6} line: "0100007F:1F90" or 32 hex digits + ":PORT".
// The kernel prints each 32-bit word of the address as the native integer whose memory
// holds the network-order bytes, so copying the parsed word back to memory restores them.
struct ProcEndpoint
{
    bool v6 = false;
    quint8 bytes[16] = {};
    quint16 port = 0;
};

const char *parseEndpoint(const char *p, bool ipv6, ProcEndpoint *ep)
{
    const int words = ipv6 ? 4 : 1;
    for (int w = 0; w < words; ++w) {
        quint64 v = 0;
        if (!parseHex(p, 8, &v)) {
            return nullptr;
        }
        const quint32 word = static_cast<quint32>(v);
        std::memcpy(ep->bytes + 4 * w, &word, 4);
        p += 8;
    }
    if (*p != ':') {
        return nullptr;
    }
    ++p;
    quint64 port = 0;
    if (!parseHex(p, 4, &port)) {
        return nullptr;
    }
    ep->port = static_cast<quint16>(port);
    ep->v6 = ipv6;
    return p + 4;
}

bool endpointMatches(const ProcEndpoint &ep, const TargetMatch &t)
{
    static constexpr quint8 kMappedPrefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
    switch (t.kind) {
    case TargetMatch::Kind::Any:
        return true;
    case TargetMatch::Kind::V4: {
        const quint8 *v4bytes = ep.bytes;
        if (ep.v6) {
            if (std::memcmp(ep.bytes, kMappedPrefix, 12) != 0) {
                return false;
            }
            v4bytes = ep.bytes + 12;
        }
        return qFromBigEndian<quint32>(v4bytes) == t.v4;
    }
    case TargetMatch::Kind::V6:
        return ep.v6 && std::memcmp(ep.bytes, &t.v6, 16) == 0;
    }
    return false;
}

const char *skipSpaces(const char *p)
{
    while (*p == ' ') {
        ++p;
    }
    return p;
}

// Reads a hex field ending at a delimiter; returns the position after it or nullptr.
const char *parseHexField(const char *p, quint64 *out)
{
    quint64 v = 0;
    int n = 0;
    while (hexDigit(*p) >= 0 && n < 16) {
        v = (v << 4) | static_cast<quint64>(hexDigit(*p));
        ++p;
        ++n;
    }
    if (n == 0) {
        return nullptr;
    }
    *out = v;
    return p;
}

const char *parseDecField(const char *p, qint64 *out)
{
    bool neg = false;
    if (*p == '-') {
        neg = true;
        ++p;
    }
    qint64 v = 0;
    int n = 0;
    while (*p >= '0' && *p <= '9' && n < 19) {
        v = v * 10 + (*p - '0');
        ++p;
        ++n;
    }
    if (n == 0) {
        return nullptr;
    }
    *out = neg ? -v : v;
    return p;
}

// The fields of one /proc/net/tcp{,6} socket line that a sample reports.
struct ProcLine
{
    ProcEndpoint local;
    ProcEndpoint remote;
    quint64 state = 0;
    quint64 timer = 0; // "tr"
    quint64 timerWhen = 0; // "tm->when", in clock ticks
    qint64 probes = 0; // "timeout", which is icsk_probes_out
};

// Parses "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt
//   uid  timeout inode ..."; false for a line that does not have that shape.
bool parseProcLine(const char *line, bool ipv6, ProcLine *out)
{
    const char *q = skipSpaces(line);
    while (*q && *q != ':') {
        ++q;
    }
    qint64 uid = 0;
    quint64 ignored = 0;
    return *q == ':' && (q = parseEndpoint(skipSpaces(q + 1), ipv6, &out->local))
        && (q = parseEndpoint(skipSpaces(q), ipv6, &out->remote))
        && (q = parseHexField(skipSpaces(q), &out->state))
        && (q = parseHexField(skipSpaces(q), &ignored)) && *q == ':'
        && (q = parseHexField(q + 1, &ignored)) && (q = parseHexField(skipSpaces(q), &out->timer))
        && *q == ':' && (q = parseHexField(q + 1, &out->timerWhen))
        && (q = parseHexField(skipSpaces(q), &ignored)) && (q = parseDecField(skipSpaces(q), &uid))
        && (q = parseDecField(skipSpaces(q), &out->probes));
}

KernelSocket socketFromProcLine(const ProcLine &line)
{
    KernelSocket s;
    s.localPort = line.local.port;
    s.remotePort = line.remote.port;
    s.state = stateFromKernel(static_cast<unsigned>(line.state));
    s.timer = timerFromKernel(static_cast<unsigned>(line.timer));
    // tm->when is in clock ticks (USER_HZ, 100 on Linux).
    s.timerExpires = std::chrono::milliseconds(s.timer == TcpTimer::None ? 0 : line.timerWhen * 10);
    if (s.timer == TcpTimer::KeepAlive) {
        s.keepAliveProbes = static_cast<int>(line.probes);
    }
    return s;
}

QString cannotRead(const QString &path)
{
    return QStringLiteral("cannot read %1: %2").arg(path, QString::fromLocal8Bit(strerror(errno)));
}

// Calls onLine(char *) with each line of buf[0, have), NUL-terminated in place and without
// its '\n'; at eof also the last line when it has no newline. Returns where the first
// line not passed on (an incomplete one) starts.
template<typename OnLine>
std::size_t splitLines(char *buf, std::size_t have, bool eof, OnLine &onLine)
{
    std::size_t lineStart = 0;
    for (;;) {
        char *begin = buf + lineStart;
        char *nl = static_cast<char *>(std::memchr(begin, '\n', have - lineStart));
        if (!nl) {
            if (eof && lineStart < have) {
                nl = buf + have; // last line without newline
            } else {
                return lineStart;
            }
        }
        *nl = '\0';
        onLine(begin);
        lineStart = static_cast<std::size_t>(nl - buf) + 1;
        if (lineStart >= have) {
            return lineStart;
        }
    }
}

// Reads fd to its end and calls onLine for each line (see splitLines). Streamed through a
// fixed buffer: the file can be megabytes with many sockets. False, with *error set, when
// a read fails.
template<typename OnLine>
bool forEachLine(int fd, const QString &path, QString *error, OnLine onLine)
{
    static constexpr std::size_t kChunk = 64 * 1024;
    std::vector<char> buf(kChunk + 1); // + 1: room for the NUL after a last line at eof
    std::size_t have = 0;
    for (;;) {
        const ssize_t n = ::read(fd, buf.data() + have, kChunk - have);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            *error = cannotRead(path);
            return false;
        }
        have += static_cast<std::size_t>(n);
        const bool eof = n == 0;
        const std::size_t lineStart = splitLines(buf.data(), have, eof, onLine);
        if (eof) {
            return true;
        }
        // Keep the partial last line; a line longer than the buffer is dropped (never
        // happens: lines are ~150 bytes).
        if (lineStart == 0 && have == kChunk) {
            have = 0;
        } else {
            std::memmove(buf.data(), buf.data() + lineStart, have - lineStart);
            have -= lineStart;
        }
    }
}

} // namespace

#ifdef POOLSCOPE_HAVE_MNL

namespace {

// The persistent netlink socket and its buffers, reused across samples.
struct NetlinkState
{
    // The kernel sizes dump messages to at most 32 KiB; a bigger receive buffer never
    // truncates one.
    static constexpr std::size_t kRecvBufferSize = 64 * 1024;

    mnl_socket *socket = nullptr;
    unsigned portId = 0;
    unsigned seq = 0;
    std::vector<char> recvBuffer = std::vector<char>(kRecvBufferSize);
    std::vector<char> requestBuffer = std::vector<char>(MNL_SOCKET_BUFFER_SIZE);
    bool openFailed = false; // permanent: e.g. EPROTONOSUPPORT, EPERM

    ~NetlinkState() { close(); }

    void close()
    {
        if (socket) {
            mnl_socket_close(socket);
            socket = nullptr;
        }
    }

    bool open(QString *error)
    {
        if (socket) {
            return true;
        }
        socket = mnl_socket_open2(NETLINK_SOCK_DIAG, SOCK_CLOEXEC);
        if (!socket) {
            *error
                = QStringLiteral("netlink socket: %1").arg(QString::fromLocal8Bit(strerror(errno)));
            openFailed = true;
            return false;
        }
        if (mnl_socket_bind(socket, 0, MNL_SOCKET_AUTOPID) < 0) {
            *error
                = QStringLiteral("netlink bind: %1").arg(QString::fromLocal8Bit(strerror(errno)));
            close();
            openFailed = true;
            return false;
        }
        // A safety net: the kernel answers a dump at once, but a sample must never hang.
        timeval tv { 1, 0 };
        setsockopt(mnl_socket_get_fd(socket), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        portId = mnl_socket_get_portid(socket);
        return true;
    }
};

struct DumpContext
{
    KernelSample *out;
    int cap;
    quint16 serverPort = 0; // non-zero: sockets with this local port are the server's end
    bool malformed = false;
};

// One SOCK_DIAG_BY_FAMILY dump: which table, which states, the id's port prefilter (0 =
// none) and the bytecode that decides.
struct DumpRequest
{
    int family = AF_INET;
    std::uint32_t states = 0;
    quint16 sport = 0;
    quint16 dport = 0;
    const std::vector<char> *bytecode = nullptr; // nullptr: every socket of those states
    quint16 serverPort = 0; // see DumpContext
};

// Every state but LISTEN (bit 0 is unused); the kernel adds NEW_SYN_RECV for SYN_RECV.
constexpr std::uint32_t kAllButListen = ((1u << 12) - 1) & ~(1u << kTcpListen) & ~1u;

int onDiagMessage(const nlmsghdr *nlh, void *data)
{
    auto *ctx = static_cast<DumpContext *>(data);
    if (mnl_nlmsg_get_payload_len(nlh) < sizeof(inet_diag_msg)) {
        ctx->malformed = true;
        return MNL_CB_OK;
    }
    const auto *msg = static_cast<const inet_diag_msg *>(mnl_nlmsg_get_payload(nlh));
    const TcpState state = stateFromKernel(msg->idiag_state);
    if (ctx->serverPort != 0 && ntohs(msg->id.idiag_sport) == ctx->serverPort) {
        ctx->out->serverCounts.byState[static_cast<std::size_t>(state)] += 1;
        return MNL_CB_OK;
    }
    ctx->out->counts.byState[static_cast<std::size_t>(state)] += 1;
    if (static_cast<int>(ctx->out->sockets.size()) >= ctx->cap) {
        return MNL_CB_OK;
    }
    KernelSocket s;
    s.localPort = ntohs(msg->id.idiag_sport);
    s.remotePort = ntohs(msg->id.idiag_dport);
    s.state = state;
    s.timer = timerFromKernel(msg->idiag_timer);
    s.timerExpires = std::chrono::milliseconds(s.timer == TcpTimer::None ? 0 : msg->idiag_expires);
    if (s.timer == TcpTimer::KeepAlive) {
        s.keepAliveProbes = static_cast<int>(msg->idiag_retrans);
    }
    // mnl_attr_for_each() relies on C's implicit void* conversion, so walk by hand.
    const auto *tail = static_cast<const char *>(mnl_nlmsg_get_payload_tail(nlh));
    for (auto *attr
         = static_cast<const nlattr *>(mnl_nlmsg_get_payload_offset(nlh, sizeof(inet_diag_msg)));
         mnl_attr_ok(attr, static_cast<int>(tail - reinterpret_cast<const char *>(attr)));
         attr = mnl_attr_next(attr)) {
        if (mnl_attr_get_type(attr) != INET_DIAG_INFO) {
            continue;
        }
        tcp_info info {};
        // Older or newer kernels send a shorter or longer tcp_info: take the common prefix.
        std::memcpy(&info, mnl_attr_get_payload(attr),
            std::min<std::size_t>(mnl_attr_get_payload_len(attr), sizeof info));
        s.rttUs = info.tcpi_rtt;
        s.retransmits = info.tcpi_total_retrans;
    }
    ctx->out->sockets.push_back(s);
    return MNL_CB_OK;
}

// One inet_diag_hostcond op (S_COND: the socket's source, D_COND: its destination) for
// the target, appended to bc with its jumps: `yes` and `no` are byte offsets from the op's
// start; landing exactly on the program's end accepts, 4 bytes past it rejects (ss's trick).
void appendHostCond(std::vector<char> &bc, unsigned char code, const TargetMatch &t, quint16 port,
    unsigned char yes, unsigned short no)
{
    int addrLen = 0;
    inet_diag_hostcond cond {};
    cond.port = port;
    switch (t.kind) {
    case TargetMatch::Kind::Any:
        cond.family = AF_UNSPEC;
        cond.prefix_len = 0;
        break;
    case TargetMatch::Kind::V4:
        cond.family = AF_INET;
        cond.prefix_len = 32;
        addrLen = 4;
        break;
    case TargetMatch::Kind::V6:
        cond.family = AF_INET6;
        cond.prefix_len = 128;
        addrLen = 16;
        break;
    }
    const std::size_t at = bc.size();
    bc.resize(at + sizeof(inet_diag_bc_op) + sizeof cond + static_cast<std::size_t>(addrLen));
    inet_diag_bc_op op {};
    op.code = code;
    op.yes = yes;
    op.no = no;
    std::memcpy(bc.data() + at, &op, sizeof op);
    std::memcpy(bc.data() + at + sizeof op, &cond, sizeof cond);
    char *addr = bc.data() + at + sizeof op + sizeof cond;
    if (t.kind == TargetMatch::Kind::V4) {
        const quint32 be = qToBigEndian(t.v4);
        std::memcpy(addr, &be, 4);
    } else if (t.kind == TargetMatch::Kind::V6) {
        std::memcpy(addr, &t.v6, 16);
    }
}

int hostCondSize(const TargetMatch &t)
{
    const int addrLen
        = t.kind == TargetMatch::Kind::V4 ? 4 : (t.kind == TargetMatch::Kind::V6 ? 16 : 0);
    return static_cast<int>(sizeof(inet_diag_bc_op) + sizeof(inet_diag_hostcond)) + addrLen;
}

// Accepts a socket whose destination (or source, matchLocal) is the target; `both`: whose
// source OR destination is (our client sockets and the server's end in one walk).
std::vector<char> buildBytecode(const TargetMatch &t, quint16 port, bool matchLocal, bool both)
{
    const int one = hostCondSize(t);
    std::vector<char> bc;
    if (both) {
        // ss's "A or B": A; JMP; B. The kernel audits jumps along the chain of "yes"
        // offsets, so A's yes falls through to an unconditional JMP (it always takes "no")
        // to the end (accept); A's no lands on B; B's yes is the end, its no past it.
        appendHostCond(bc, INET_DIAG_BC_S_COND, t, port, static_cast<unsigned char>(one),
            static_cast<unsigned short>(one + 4));
        inet_diag_bc_op jump {};
        jump.code = INET_DIAG_BC_JMP;
        jump.yes = 4;
        jump.no = static_cast<unsigned short>(4 + one);
        const std::size_t at = bc.size();
        bc.resize(at + sizeof jump);
        std::memcpy(bc.data() + at, &jump, sizeof jump);
        appendHostCond(bc, INET_DIAG_BC_D_COND, t, port, static_cast<unsigned char>(one),
            static_cast<unsigned short>(one + 4));
        return bc;
    }
    appendHostCond(bc, matchLocal ? INET_DIAG_BC_S_COND : INET_DIAG_BC_D_COND, t, port,
        static_cast<unsigned char>(one), static_cast<unsigned short>(one + 4));
    return bc;
}

bool dumpFamily(NetlinkState &nl, const DumpRequest &r, KernelSample &out, int cap, QString *error)
{
    nlmsghdr *nlh = mnl_nlmsg_put_header(nl.requestBuffer.data());
    nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
    nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    nlh->nlmsg_seq = ++nl.seq;
    auto *req = static_cast<inet_diag_req_v2 *>(
        mnl_nlmsg_put_extra_header(nlh, sizeof(inet_diag_req_v2)));
    req->sdiag_family = static_cast<quint8>(r.family);
    req->sdiag_protocol = IPPROTO_TCP;
    req->idiag_states = r.states;
    req->idiag_ext = 1u << (INET_DIAG_INFO - 1);
    // A dump compares a non-zero id port with each socket before running the bytecode: a
    // cheap prefilter while the kernel walks its whole table.
    req->id.idiag_sport = htons(r.sport);
    req->id.idiag_dport = htons(r.dport);
    if (r.bytecode) {
        mnl_attr_put(nlh, INET_DIAG_REQ_BYTECODE, r.bytecode->size(), r.bytecode->data());
    }

    if (mnl_socket_sendto(nl.socket, nlh, nlh->nlmsg_len) < 0) {
        *error = QStringLiteral("netlink send: %1").arg(QString::fromLocal8Bit(strerror(errno)));
        return false;
    }
    DumpContext ctx { &out, cap, r.serverPort };
    for (;;) {
        const ssize_t n
            = mnl_socket_recvfrom(nl.socket, nl.recvBuffer.data(), nl.recvBuffer.size());
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            *error = QStringLiteral("netlink receive: %1")
                         .arg(QString::fromLocal8Bit(strerror(errno)));
            return false;
        }
        const int ret = mnl_cb_run(
            nl.recvBuffer.data(), static_cast<size_t>(n), nl.seq, nl.portId, onDiagMessage, &ctx);
        if (ret == MNL_CB_ERROR) {
            // errno EINTR here means NLM_F_DUMP_INTR: the table changed mid-dump.
            *error
                = QStringLiteral("netlink dump: %1").arg(QString::fromLocal8Bit(strerror(errno)));
            return false;
        }
        if (ret == MNL_CB_STOP) {
            break;
        }
    }
    if (ctx.malformed) {
        *error = QStringLiteral("netlink dump: malformed inet_diag message");
        return false;
    }
    return true;
}

} // namespace

struct KernelWatcher::Netlink : NetlinkState
{
};

#else // !POOLSCOPE_HAVE_MNL

struct KernelWatcher::Netlink
{
};

#endif

KernelWatcher::KernelWatcher() = default;
KernelWatcher::~KernelWatcher() = default;

void KernelWatcher::setTarget(const QHostAddress &addr, quint16 port, MatchSide side)
{
    m_address = addr;
    m_port = port;
    m_side = side;
    m_bytecode.clear(); // rebuilt on the next netlink sample
    m_serverOnV6.reset();
}

void KernelWatcher::setCountServerSide(bool on)
{
    m_countServer = on;
    m_bytecode.clear();
}

void KernelWatcher::setIncludeV4Mapped(bool include)
{
    m_includeV4Mapped = include;
}

bool KernelWatcher::includeV4Mapped() const
{
    return m_includeV4Mapped.value_or(m_side == MatchSide::Local);
}

void KernelWatcher::setMode(Mode mode)
{
    m_mode = mode;
}

void KernelWatcher::setMaxSockets(int cap)
{
    m_maxSockets = std::clamp(cap, 0, kMaxSockets);
}

void KernelWatcher::setProcNetDir(const QString &dir)
{
    m_procNetDir = dir;
}

void KernelWatcher::addSocket(KernelSample &out, const KernelSocket &s) const
{
    out.counts.byState[static_cast<std::size_t>(s.state)] += 1;
    if (static_cast<int>(out.sockets.size()) < m_maxSockets) {
        out.sockets.push_back(s);
    }
}

KernelSample KernelWatcher::sample()
{
    const auto start = std::chrono::steady_clock::now();
    KernelSample out;
    if (m_port == 0) {
        out.unavailableReason = QStringLiteral("no target set");
        return out;
    }
    out.sockets.reserve(
        std::min<std::size_t>(m_lastSocketCount, static_cast<std::size_t>(m_maxSockets)));

    bool ok = false;
    if (m_mode == Mode::Auto) {
        ok = sampleNetlink(out);
        if (!ok) {
            out.counts = {};
            out.serverCounts = {};
            out.sockets.clear();
        }
    } else {
        m_netlinkError = QStringLiteral("netlink not used: /proc mode forced");
    }
    QString procError;
    if (!ok) {
        ok = sampleProc(out);
        if (!ok) {
            procError = out.unavailableReason;
        }
    }
    if (ok) {
        out.available = true;
        out.unavailableReason.clear();
        m_lastReported.clear();
        m_lastSocketCount = out.sockets.size();
    } else {
        out.available = false;
        out.serverSide = false;
        out.serverCounts = {};
        out.counts = {};
        out.sockets.clear();
        out.source.clear();
        out.unavailableReason = m_mode == Mode::Auto
            ? QStringLiteral("kernel view unavailable: %1; %2").arg(m_netlinkError, procError)
            : QStringLiteral("kernel view unavailable: %1").arg(procError);
        reportUnavailable(out.unavailableReason);
    }
    out.sampleCost = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - start);
    return out;
}

void KernelWatcher::reportUnavailable(const QString &reason)
{
    if (reason == m_lastReported) {
        return;
    }
    m_lastReported = reason;
    qCWarning(lcKernelWatcher).noquote() << reason;
}

#ifdef POOLSCOPE_HAVE_MNL
namespace {

// The dumps of one sample: AF_INET and/or AF_INET6, each filtered to the target (and the
// server's end of it when `server` is set, v6 only when that server listens there).
std::vector<DumpRequest> dumpPlan(const TargetMatch &t, quint16 port, bool matchLocal,
    bool includeV4Mapped, bool server, bool serverOnV6, const std::vector<char> &bytecode)
{
    DumpRequest base;
    base.states = kAllButListen;
    base.bytecode = &bytecode;
    if (server) {
        base.serverPort = port; // no id prefilter: source OR destination decides
    } else if (matchLocal) {
        base.sport = port;
    } else {
        base.dport = port;
    }
    std::vector<DumpRequest> plan;
    // Each dump walks the kernel's whole TCP table, so a family is dumped only when it can
    // hold a match: v4-mapped sockets ("::ffff:a.b.c.d") live in the AF_INET6 table, and
    // the kernel's hostcond matches them against an AF_INET cond.
    if (t.kind != TargetMatch::Kind::V6) {
        plan.push_back(base);
    }
    if (t.kind != TargetMatch::Kind::V4 || includeV4Mapped || (server && serverOnV6)) {
        DumpRequest v6 = base;
        v6.family = AF_INET6;
        plan.push_back(v6);
    }
    return plan;
}

} // namespace
#endif

bool KernelWatcher::serverListensOnV6()
{
#ifdef POOLSCOPE_HAVE_MNL
    if (!m_serverOnV6) {
        // LISTEN sockets come from the small listening hash: this dump is cheap.
        DumpRequest r;
        r.family = AF_INET6;
        r.states = 1u << kTcpListen;
        r.sport = m_port;
        KernelSample listeners;
        QString error;
        m_serverOnV6 = dumpFamily(*m_netlink, r, listeners, 0, &error)
            && listeners.counts.count(TcpState::Listen) > 0;
    }
    return *m_serverOnV6;
#else
    return false;
#endif
}

bool KernelWatcher::sampleNetlink(KernelSample &out)
{
#ifdef POOLSCOPE_HAVE_MNL
    if (!m_netlink) {
        m_netlink = std::make_unique<Netlink>();
    }
    Netlink &nl = *m_netlink;
    if (nl.openFailed) {
        return false; // m_netlinkError still says why
    }
    const TargetMatch t = targetMatch(m_address);
    const bool server = m_countServer && m_side == MatchSide::Remote;
    if (m_bytecode.empty()) {
        m_bytecode = buildBytecode(t, m_port, m_side == MatchSide::Local, server);
    }
    QString error;
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (!nl.open(&error)) {
            break;
        }
        const std::vector<DumpRequest> plan = dumpPlan(t, m_port, m_side == MatchSide::Local,
            includeV4Mapped(), server, server && serverListensOnV6(), m_bytecode);
        out.counts = {};
        out.serverCounts = {};
        out.sockets.clear();
        bool ok = true;
        for (const DumpRequest &r : plan) {
            ok = ok && dumpFamily(nl, r, out, m_maxSockets, &error);
        }
        if (ok) {
            out.source = QStringLiteral("netlink");
            out.serverSide = server;
            m_netlinkError.clear();
            return true;
        }
        // A failed dump can leave the rest of it queued on the socket: start over on a
        // fresh one (once) rather than parse stale messages.
        nl.close();
    }
    if (!error.isEmpty() && error != m_netlinkError) {
        qCInfo(lcKernelWatcher).noquote() << "netlink sampling failed, using /proc:" << error;
    }
    m_netlinkError = error;
    return false;
#else
    Q_UNUSED(out);
    m_netlinkError = QStringLiteral("built without libmnl (netlink sock_diag)");
    return false;
#endif
}

bool KernelWatcher::sampleProc(KernelSample &out)
{
    out.counts = {};
    out.serverCounts = {};
    out.sockets.clear();
    QString error4;
    QString error6;
    const bool ok4 = parseProcFile(m_procNetDir + QStringLiteral("/tcp"), false, out, &error4);
    const bool server = m_countServer && m_side == MatchSide::Remote;
    const bool wantV6
        = targetMatch(m_address).kind != TargetMatch::Kind::V4 || includeV4Mapped() || server;
    const bool ok6
        = !wantV6 || parseProcFile(m_procNetDir + QStringLiteral("/tcp6"), true, out, &error6);
    // A kernel without IPv6 has no tcp6: the IPv4 table alone is still the full answer.
    if (!ok4) {
        out.unavailableReason = error4;
        return false;
    }
    Q_UNUSED(ok6);
    out.source = QStringLiteral("/proc/net/tcp");
    out.serverSide = server;
    return true;
}

bool KernelWatcher::parseProcFile(const QString &path, bool ipv6, KernelSample &out, QString *error)
{
    const QByteArray p = path.toLocal8Bit();
    const int fd = ::open(p.constData(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        *error = cannotRead(path);
        return false;
    }
    const TargetMatch target = targetMatch(m_address);
    const bool matchLocal = m_side == MatchSide::Local;
    const bool server = m_countServer && !matchLocal;
    bool header = true;
    const bool ok = forEachLine(fd, path, error, [&](const char *text) {
        if (header) {
            header = false;
            return;
        }
        ProcLine line;
        if (!parseProcLine(text, ipv6, &line)) {
            return;
        }
        if (line.state == static_cast<quint64>(kTcpListen)) {
            return;
        }
        const ProcEndpoint &ep = matchLocal ? line.local : line.remote;
        if (ep.port == m_port && endpointMatches(ep, target)) {
            addSocket(out, socketFromProcLine(line));
        } else if (server && line.local.port == m_port && endpointMatches(line.local, target)) {
            const TcpState st = stateFromKernel(static_cast<unsigned>(line.state));
            out.serverCounts.byState[static_cast<std::size_t>(st)] += 1;
        }
    });
    ::close(fd);
    return ok;
}

} // namespace poolscope
