#pragma once

#include <QAbstractSocket>
#include <QString>

namespace poolscope {

// What a socket error says, in Go's words (the text after "dial tcp HOST:PORT: " or, for a
// connection in use, the read error), keeping the cause: Qt 6.4 reports a connect() that
// failed with EADDRNOTAVAIL as UnknownSocketError ("Unknown error") and a read that failed
// with ECONNRESET as RemoteHostClosedError, both of which used to read "EOF".
//   `qtError`  QAbstractSocket::error()
//   `sysErrno` errno right after the failing call (0 = unknown); trusted only for the
//              causes listed in socket_error_text.cpp, which Qt leaves intact
//   `qtText`   QAbstractSocket::errorString(), the fallback
//   `dialing`  the error ends a dial (Go's syscall op "connect") rather than a read
// Examples: "connect: cannot assign requested address", "connect: connection refused",
// "read: connection reset by peer", "EOF".
[[nodiscard]] QString goSocketErrorText(
    QAbstractSocket::SocketError qtError, int sysErrno, const QString &qtText, bool dialing);

// Go's text for a syscall.Errno (syscall/zerrors_linux_amd64.go, glibc's strerror in lower
// case): "connection refused", "too many open files", "connection reset by peer".
[[nodiscard]] QString goErrnoText(int err);

} // namespace poolscope
