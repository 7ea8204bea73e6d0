#include "snapshot_builder.h"

#include "load/transport.h"

#include <QNetworkInterface>
#include <algorithm>
#include <unordered_map>

namespace poolscope {

namespace {

// A target on this machine: its end of our connections is in this kernel too.
bool isLocalAddress(const QHostAddress &address)
{
    return address.isLoopback() || QNetworkInterface::allAddresses().contains(address);
}

} // namespace

SnapshotBuilder::SnapshotBuilder() = default;
SnapshotBuilder::~SnapshotBuilder() = default;

void SnapshotBuilder::beginRun(const QHostAddress &address, quint16 port)
{
    m_seq = 0;
    m_timeWaitPeak = 0;
    m_serverTimeWaitPeak = 0;
    m_lastKernel = KernelSample {};
    if (m_kernelEnabled) {
        if (!m_kernel) {
            m_kernel = std::make_unique<KernelWatcher>();
        }
        m_kernel->setTarget(address, port);
        m_kernel->setCountServerSide(isLocalAddress(address));
    }
}

EngineSnapshot SnapshotBuilder::build(TimePoint now, const Transport &transport)
{
    EngineSnapshot s;
    s.time = now;
    s.seq = ++m_seq;
    s.pool = transport.counters();
    s.bytesRead = transport.bytesRead();
    s.responsesByProto = transport.responsesByProto();
    s.h2 = transport.h2StreamStats();
    s.h2Streams = s.h2.streams;
    s.h2StreamsWaiting = s.h2.waiting;
    addConnections(s, transport);
    addKernelView(s);
    return s;
}

void SnapshotBuilder::addConnections(EngineSnapshot &s, const Transport &transport) const
{
    const HostCounters &now = transport.counters().now;
    s.conns.reserve(std::min<std::size_t>(
        kMaxSnapshotConns, static_cast<std::size_t>(now.dialing + now.active + now.idle)));
    transport.forEachConn([&](const Pool::ConnView &v, quint16 localPort) {
        if (s.conns.size() >= static_cast<std::size_t>(kMaxSnapshotConns)) {
            return;
        }
        ConnInfo info;
        info.id = v.id;
        info.host = v.host;
        info.state = v.state;
        info.requests = v.requests;
        info.since = v.since;
        info.opened = v.opened;
        info.localPort = localPort;
        s.conns.push_back(info);
    });
    std::sort(s.conns.begin(), s.conns.end(),
        [](const ConnInfo &a, const ConnInfo &b) { return a.id < b.id; });
}

void SnapshotBuilder::addKernelView(EngineSnapshot &s)
{
    if (m_kernel && m_kernelEnabled) {
        m_lastKernel = m_kernel->sample();
        const auto tw = static_cast<std::uint64_t>(m_lastKernel.counts.count(TcpState::TimeWait));
        m_timeWaitPeak = std::max(m_timeWaitPeak, tw);
        m_serverTimeWaitPeak = std::max(m_serverTimeWaitPeak,
            static_cast<std::uint64_t>(m_lastKernel.serverCounts.count(TcpState::TimeWait)));
        // Join the kernel's sockets to our connections by local port.
        std::unordered_map<quint16, const KernelSocket *> byPort;
        byPort.reserve(m_lastKernel.sockets.size());
        for (const KernelSocket &k : m_lastKernel.sockets) {
            if (k.state != TcpState::TimeWait) {
                byPort[k.localPort] = &k;
            }
        }
        for (ConnInfo &c : s.conns) {
            const auto it = byPort.find(c.localPort);
            if (c.localPort != 0 && it != byPort.end()) {
                c.kernelState = it->second->state;
                c.kernelTimer = it->second->timer;
                c.kernelTimerExpires = it->second->timerExpires;
                c.keepAliveProbes = it->second->keepAliveProbes;
            }
        }
    }
    s.kernel = m_lastKernel;
    s.timeWaitPeak = m_timeWaitPeak;
    s.serverTimeWaitPeak = m_serverTimeWaitPeak;
}

} // namespace poolscope
