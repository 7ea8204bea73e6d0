#include "pool_types.h"

namespace poolscope {

std::string_view closeReasonLabel(CloseReason r)
{
    switch (r) {
    case CloseReason::None:
        return "none";
    case CloseReason::TooManyIdleHost:
        return "idle pool full (per host)";
    case CloseReason::TooManyIdle:
        return "idle pool full (global LRU)";
    case CloseReason::IdleTimeout:
        return "idle timeout";
    case CloseReason::ServerClosedIdle:
        return "server closed idle";
    case CloseReason::ConnectionCloseResponse:
        return "Connection: close (server)";
    case CloseReason::ConnectionCloseRequest:
        return "Connection: close (client)";
    case CloseReason::KeepAlivesDisabled:
        return "keep-alives disabled";
    case CloseReason::BodyNotRead:
        return "body not read to EOF";
    case CloseReason::ReadError:
        return "read error";
    case CloseReason::WriteError:
        return "write error";
    case CloseReason::DialFailed:
        return "dial failed";
    case CloseReason::DialTimeout:
        return "dial timeout";
    case CloseReason::TlsHandshakeTimeout:
        return "TLS handshake timeout";
    case CloseReason::TlsError:
        return "TLS error";
    case CloseReason::ResponseHeaderTimeout:
        return "response header timeout";
    case CloseReason::ClientTimeout:
        return "client timeout";
    case CloseReason::Canceled:
        return "canceled";
    case CloseReason::ProtocolError:
        return "protocol error";
    case CloseReason::TransportClosed:
        return "transport closed";
    case CloseReason::KeepAliveTimeout:
        return "keep-alive probes unanswered";
    case CloseReason::Count_:
        break;
    }
    return "unknown";
}

std::string_view closeReasonKey(CloseReason r)
{
    switch (r) {
    case CloseReason::None:
        return "none";
    case CloseReason::TooManyIdleHost:
        return "too_many_idle_host";
    case CloseReason::TooManyIdle:
        return "too_many_idle";
    case CloseReason::IdleTimeout:
        return "idle_timeout";
    case CloseReason::ServerClosedIdle:
        return "server_closed_idle";
    case CloseReason::ConnectionCloseResponse:
        return "connection_close_response";
    case CloseReason::ConnectionCloseRequest:
        return "connection_close_request";
    case CloseReason::KeepAlivesDisabled:
        return "keep_alives_disabled";
    case CloseReason::BodyNotRead:
        return "body_not_read";
    case CloseReason::ReadError:
        return "read_error";
    case CloseReason::WriteError:
        return "write_error";
    case CloseReason::DialFailed:
        return "dial_failed";
    case CloseReason::DialTimeout:
        return "dial_timeout";
    case CloseReason::TlsHandshakeTimeout:
        return "tls_handshake_timeout";
    case CloseReason::TlsError:
        return "tls_error";
    case CloseReason::ResponseHeaderTimeout:
        return "response_header_timeout";
    case CloseReason::ClientTimeout:
        return "client_timeout";
    case CloseReason::Canceled:
        return "canceled";
    case CloseReason::ProtocolError:
        return "protocol_error";
    case CloseReason::TransportClosed:
        return "transport_closed";
    case CloseReason::KeepAliveTimeout:
        return "keep_alive_timeout";
    case CloseReason::Count_:
        break;
    }
    return "unknown";
}

std::string_view closeReasonGoName(CloseReason r)
{
    switch (r) {
    case CloseReason::None:
        return "";
    case CloseReason::TooManyIdleHost:
        return "errTooManyIdleHost";
    case CloseReason::TooManyIdle:
        return "errTooManyIdle";
    case CloseReason::IdleTimeout:
        return "errIdleConnTimeout";
    case CloseReason::ServerClosedIdle:
        return "errServerClosedIdle";
    case CloseReason::ConnectionCloseResponse:
        return "resp.Close (errReadLoopExiting)";
    case CloseReason::ConnectionCloseRequest:
        return "req.Close (errReadLoopExiting)";
    case CloseReason::KeepAlivesDisabled:
        return "errKeepAlivesDisabled";
    case CloseReason::BodyNotRead:
        return "body closed early (errReadLoopExiting)";
    case CloseReason::ReadError:
        return "transportReadFromServerError";
    case CloseReason::WriteError:
        return "nothingWrittenError / write error";
    case CloseReason::DialFailed:
        return "net.OpError (dial)";
    case CloseReason::DialTimeout:
        return "net.OpError i/o timeout (Dialer.Timeout)";
    case CloseReason::TlsHandshakeTimeout:
        return "tlsHandshakeTimeoutError";
    case CloseReason::TlsError:
        return "tls handshake error";
    case CloseReason::ResponseHeaderTimeout:
        return "timeout awaiting response headers";
    case CloseReason::ClientTimeout:
        return "Client.Timeout exceeded";
    case CloseReason::Canceled:
        return "context.Canceled (errRequestCanceled)";
    case CloseReason::ProtocolError:
        return "malformed HTTP response";
    case CloseReason::TransportClosed:
        return "errCloseIdleConns";
    case CloseReason::KeepAliveTimeout:
        return "ETIMEDOUT (TCP keep-alive)";
    case CloseReason::Count_:
        break;
    }
    return "";
}

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
