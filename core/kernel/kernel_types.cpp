#include "kernel/kernel_types.h"

namespace poolscope {

const char *tcpStateName(TcpState s)
{
    switch (s) {
    case TcpState::Unknown:
        return "UNKNOWN";
    case TcpState::Established:
        return "ESTABLISHED";
    case TcpState::SynSent:
        return "SYN_SENT";
    case TcpState::SynRecv:
        return "SYN_RECV";
    case TcpState::FinWait1:
        return "FIN_WAIT1";
    case TcpState::FinWait2:
        return "FIN_WAIT2";
    case TcpState::TimeWait:
        return "TIME_WAIT";
    case TcpState::Close:
        return "CLOSE";
    case TcpState::CloseWait:
        return "CLOSE_WAIT";
    case TcpState::LastAck:
        return "LAST_ACK";
    case TcpState::Listen:
        return "LISTEN";
    case TcpState::Closing:
        return "CLOSING";
    case TcpState::Count_:
        break;
    }
    return "UNKNOWN";
}

const char *tcpTimerName(TcpTimer t)
{
    switch (t) {
    case TcpTimer::None:
        return "none";
    case TcpTimer::Retransmit:
        return "retransmit";
    case TcpTimer::KeepAlive:
        return "keepalive";
    case TcpTimer::TimeWait:
        return "timewait";
    case TcpTimer::ZeroWindowProbe:
        return "zerowindowprobe";
    }
    return "none";
}

} // namespace poolscope
