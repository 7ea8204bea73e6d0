#include "pool_types.h"

namespace poolscope {

std::string_view connStateName(ConnState s)
{
    switch (s) {
    case ConnState::Dialing:
        return "dialing";
    case ConnState::Active:
        return "active";
    case ConnState::Idle:
        return "idle";
    case ConnState::Closed:
        return "closed";
    }
    return "unknown";
}

bool isLegalConnTransition(std::optional<ConnState> from, ConnState to)
{
    if (!from) {
        return to == ConnState::Dialing;
    }
    switch (*from) {
    case ConnState::Dialing:
        return to == ConnState::Active || to == ConnState::Closed;
    case ConnState::Active:
        return to == ConnState::Idle || to == ConnState::Closed;
    case ConnState::Idle:
        return to == ConnState::Active || to == ConnState::Closed;
    case ConnState::Closed:
        return false;
    }
    return false;
}

std::string_view eventTypeName(EventType t)
{
    switch (t) {
    case EventType::GetConn:
        return "GetConn";
    case EventType::GotConn:
        return "GotConn";
    case EventType::PutIdleConn:
        return "PutIdleConn";
    case EventType::ConnectStart:
        return "ConnectStart";
    case EventType::ConnectDone:
        return "ConnectDone";
    case EventType::TlsHandshakeStart:
        return "TLSHandshakeStart";
    case EventType::TlsHandshakeDone:
        return "TLSHandshakeDone";
    case EventType::WroteRequest:
        return "WroteRequest";
    case EventType::GotFirstResponseByte:
        return "GotFirstResponseByte";
    case EventType::ConnClosed:
        return "ConnClosed";
    case EventType::WaitQueued:
        return "WaitQueued";
    case EventType::Retry:
        return "Retry";
    case EventType::RequestDone:
        return "RequestDone";
    case EventType::IdleHandoff:
        return "IdleHandoff";
    case EventType::Count_:
        break;
    }
    return "unknown";
}

} // namespace poolscope
