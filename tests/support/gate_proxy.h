#pragma once

// A TCP relay on 127.0.0.1 port 0 in front of a server (the embedded server, with TLS or
// without) that lets the first `open` connections through and holds every later one: its
// bytes wait in the relay, so that connection's TLS handshake stays in flight for as long
// as the test wants. Pins the dial race (a request served by another connection while its
// own dial is still in the handshake) without timing luck. Header-only, runs in the test's
// thread.
#include <QHostAddress>
#include <QObject>
#include <QTcpServer>
#include <QTcpSocket>
#include <memory>
#include <vector>

namespace poolscope::testsupport {

class GateProxy : public QObject
{
public:
    GateProxy(quint16 backendPort, int open) : m_backendPort(backendPort), m_open(open)
    {
        m_server.listen(QHostAddress::LocalHost, 0);
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *s = m_server.nextPendingConnection()) {
                accept(s);
            }
        });
    }
    ~GateProxy() override
    {
        // Quietly: no relay callback may run while the sockets go.
        for (const auto &p : m_pipes) {
            QObject::disconnect(p->client, nullptr, nullptr, nullptr);
            if (p->backend) {
                QObject::disconnect(p->backend.get(), nullptr, nullptr, nullptr);
            }
        }
        m_server.close();
    }
    GateProxy(const GateProxy &) = delete;
    GateProxy &operator=(const GateProxy &) = delete;

    [[nodiscard]] quint16 port() const { return m_server.serverPort(); }

    int accepted = 0; // connections the client opened
    int closedByClientWhileHeld = 0; // held connections the client gave up on

private:
    struct Pipe
    {
        QTcpSocket *client = nullptr; // a child of m_server
        std::unique_ptr<QTcpSocket> backend;
        bool held = false;
    };

    void accept(QTcpSocket *client)
    {
        m_pipes.push_back(std::make_unique<Pipe>());
        Pipe *pipe = m_pipes.back().get(); // lives as long as the relay
        pipe->client = client;
        pipe->held = ++accepted > m_open;
        connect(client, &QTcpSocket::disconnected, this, [this, pipe] {
            if (pipe->held) {
                ++closedByClientWhileHeld;
            }
            if (pipe->backend) {
                pipe->backend->disconnectFromHost();
            }
        });
        if (pipe->held) {
            return; // its ClientHello waits in the client socket's buffer
        }
        pipe->backend = std::make_unique<QTcpSocket>();
        QTcpSocket *backend = pipe->backend.get();
        connect(client, &QTcpSocket::readyRead, backend, [client, backend] {
            if (backend->state() == QAbstractSocket::ConnectedState) {
                backend->write(client->readAll());
            }
        });
        connect(backend, &QTcpSocket::connected, client,
            [client, backend] { backend->write(client->readAll()); });
        connect(backend, &QTcpSocket::readyRead, client,
            [client, backend] { client->write(backend->readAll()); });
        connect(
            backend, &QTcpSocket::disconnected, client, [client] { client->disconnectFromHost(); });
        backend->connectToHost(QHostAddress::LocalHost, m_backendPort);
    }

    QTcpServer m_server;
    quint16 m_backendPort;
    int m_open;
    std::vector<std::unique_ptr<Pipe>> m_pipes;
};

} // namespace poolscope::testsupport
