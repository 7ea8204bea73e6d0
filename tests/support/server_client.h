#pragma once

// A blocking raw HTTP/1.1 client for tests of the embedded server, and the set-up most of
// them share: a server on 127.0.0.1 port 0 with one client connected. Every assertion can
// then be about bytes on the wire and the server's counters.
#include "server/embedded_server.h"

#include <QDeadlineTimer>
#include <QMap>
#include <QTcpSocket>
#include <memory>
#include <optional>
#include <utility>

namespace poolscope::testsupport {

// How long a client waits for the server, in milliseconds.
inline constexpr int kTimeoutMs = 10000;

struct Response
{
    QByteArray statusLine;
    QMap<QByteArray, QByteArray> headers; // lower-case names
    QByteArray body;
    bool chunked = false;

    QByteArray header(const char *name) const { return headers.value(QByteArray(name)); }
};

// A blocking HTTP/1.1 client on one connection. The server runs in its own thread, so
// blocking here never stalls it.
class Client
{
public:
    explicit Client(std::unique_ptr<QTcpSocket> socket = std::make_unique<QTcpSocket>())
        : m_socket(std::move(socket))
    {
    }

    bool connectTo(quint16 port)
    {
        m_socket->connectToHost(QHostAddress::LocalHost, port);
        return m_socket->waitForConnected(kTimeoutMs);
    }

    QTcpSocket *socket() { return m_socket.get(); }

    void send(const QByteArray &bytes)
    {
        m_socket->write(bytes);
        m_socket->flush();
    }

    void get(const QByteArray &extraHeaders = {})
    {
        send("GET / HTTP/1.1\r\nHost: test\r\n" + extraHeaders + "\r\n");
    }

    // get(), then readResponse().
    std::optional<Response> roundTrip(const QByteArray &extraHeaders = {})
    {
        get(extraHeaders);
        return readResponse();
    }

    // Reads one response; nullopt on timeout, close before a whole response, or bad framing.
    std::optional<Response> readResponse(bool headRequest = false)
    {
        QDeadlineTimer deadline(kTimeoutMs);
        std::optional<Response> response = readHead(deadline);
        if (!response || response->statusLine.contains(" 100 ") || headRequest)
            return response; // no body: an interim response, or the answer to a HEAD
        bool complete = false;
        if (response->header("transfer-encoding").toLower() == "chunked") {
            response->chunked = true;
            complete = readChunkedBody(deadline, &response->body);
        } else if (response->headers.contains("content-length")) {
            complete = readBytes(
                deadline, response->header("content-length").toLongLong(), &response->body);
        } else {
            complete = readUntilClose(deadline, &response->body);
        }
        if (!complete)
            return std::nullopt;
        return response;
    }

    // Reads until the server closes the connection; the bytes received meanwhile are returned
    // through *rest. False on timeout.
    bool waitForServerClose(QByteArray *rest = nullptr, int timeoutMs = kTimeoutMs)
    {
        QDeadlineTimer deadline(timeoutMs);
        while (fill(deadline)) { }
        if (rest)
            *rest = m_buffer;
        return serverClosed();
    }

    // Everything received so far (for raw checks).
    QByteArray readRaw(qsizetype atLeast)
    {
        QDeadlineTimer deadline(kTimeoutMs);
        while (m_buffer.size() < atLeast && fill(deadline)) { }
        return m_buffer;
    }

private:
    // The status line and header fields, up to the blank line.
    std::optional<Response> readHead(const QDeadlineTimer &deadline)
    {
        qsizetype headEnd = -1;
        while ((headEnd = m_buffer.indexOf("\r\n\r\n")) < 0) {
            if (!fill(deadline))
                return std::nullopt;
        }
        Response response;
        const QList<QByteArray> lines = m_buffer.left(headEnd).split('\n');
        response.statusLine = lines.first().trimmed();
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const qsizetype colon = lines[i].indexOf(':');
            if (colon > 0)
                response.headers.insert(
                    lines[i].left(colon).trimmed().toLower(), lines[i].mid(colon + 1).trimmed());
        }
        m_buffer.remove(0, headEnd + 4);
        return response;
    }

    // A chunked body up to its last chunk, appended to *body; false on bad framing.
    bool readChunkedBody(const QDeadlineTimer &deadline, QByteArray *body)
    {
        for (;;) {
            qsizetype lineEnd = -1;
            while ((lineEnd = m_buffer.indexOf("\r\n")) < 0) {
                if (!fill(deadline))
                    return false;
            }
            bool ok = false;
            const qsizetype size = m_buffer.left(lineEnd).toLongLong(&ok, 16);
            if (!ok)
                return false;
            while (m_buffer.size() < lineEnd + 2 + size + 2) {
                if (!fill(deadline))
                    return false;
            }
            if (m_buffer.mid(lineEnd + 2 + size, 2) != "\r\n")
                return false;
            *body += m_buffer.mid(lineEnd + 2, size);
            m_buffer.remove(0, lineEnd + 2 + size + 2);
            if (size == 0)
                return true; // no trailers from our server
        }
    }

    // A body of exactly length bytes (Content-Length).
    bool readBytes(const QDeadlineTimer &deadline, qsizetype length, QByteArray *body)
    {
        while (m_buffer.size() < length) {
            if (!fill(deadline))
                return false;
        }
        *body = m_buffer.left(length);
        m_buffer.remove(0, length);
        return true;
    }

    // A body delimited by the server closing the connection.
    bool readUntilClose(const QDeadlineTimer &deadline, QByteArray *body)
    {
        while (fill(deadline)) { }
        if (!serverClosed())
            return false;
        *body = std::exchange(m_buffer, QByteArray());
        return true;
    }

    bool serverClosed() const
    {
        return m_sawEof || m_socket->state() == QAbstractSocket::UnconnectedState;
    }

    // Appends newly arrived bytes; false once the connection is closed or the deadline passed.
    bool fill(const QDeadlineTimer &deadline)
    {
        if (m_socket->bytesAvailable() > 0) {
            m_buffer += m_socket->readAll();
            return true;
        }
        if (serverClosed() || deadline.hasExpired())
            return false;
        if (m_socket->waitForReadyRead(int(qMax<qint64>(1, deadline.remainingTime())))) {
            m_buffer += m_socket->readAll();
            return true;
        }
        if (m_socket->bytesAvailable() > 0) {
            m_buffer += m_socket->readAll();
            return true;
        }
        if (m_socket->error() == QAbstractSocket::RemoteHostClosedError
            || m_socket->state() != QAbstractSocket::ConnectedState)
            m_sawEof = true;
        return false;
    }

    std::unique_ptr<QTcpSocket> m_socket;
    QByteArray m_buffer;
    bool m_sawEof = false;
};

// The embedded server on 127.0.0.1, on a port the kernel picks.
inline ServerConfig localServerConfig()
{
    ServerConfig config;
    config.listenAddress = QHostAddress::LocalHost;
    config.port = 0;
    return config;
}

// Starts server with config and connects client to it. False, with a warning that says
// which step failed, if either fails.
[[nodiscard]] inline bool startAndConnect(
    EmbeddedServer &server, Client &client, const ServerConfig &config = localServerConfig())
{
    QString error;
    if (!server.start(config, &error)) {
        qWarning("server did not start: %s", qPrintable(error));
        return false;
    }
    if (!client.connectTo(server.port())) {
        qWarning("cannot connect to port %u: %s", unsigned(server.port()),
            qPrintable(client.socket()->errorString()));
        return false;
    }
    return true;
}

} // namespace poolscope::testsupport
