#pragma once

#include "server/server_config.h"

#include <QHostAddress>
#include <QObject>
#include <QString>
#include <memory>

class QThread;

namespace poolscope {

class ServerWorker;
struct ServerSharedState;

// The embedded target server: an HTTP/1.1 keep-alive server (optionally HTTPS with the
// test certificate) whose misbehaviour knobs (ServerConfig) each demonstrate a pool behaviour.
// It runs in its own thread with its own event loop, so a busy engine or UI never slows it and
// vice versa. start() and stop() belong to the owning thread; every other function may be
// called from any thread.
class EmbeddedServer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EmbeddedServer)

public:
    explicit EmbeddedServer(QObject *parent = nullptr);
    // Stops the server and joins its thread.
    ~EmbeddedServer() override;

    // Starts listening in the server's thread and returns once it listens. On failure (port in
    // use, TLS unavailable, already running) returns false with a one-line *error.
    [[nodiscard]] bool start(const ServerConfig &config, QString *error = nullptr);
    // Closes every connection and the listening socket; start() may be called again.
    void stop();
    [[nodiscard]] bool isListening() const;
    // The bound port (the chosen one when the config asked for 0); 0 when not listening.
    [[nodiscard]] quint16 port() const;
    [[nodiscard]] QHostAddress address() const;
    // "http://127.0.0.1:PORT/" or "https://..."; a wildcard listen address is shown as the
    // loopback address of its family. Empty when not listening.
    [[nodiscard]] QString url() const;

    // Takes effect for the next request and connection at once; the listen address and port
    // are only read by start().
    void setConfig(const ServerConfig &config);
    [[nodiscard]] ServerConfig config() const;
    // Counters since construction; they carry on across stop() and start().
    [[nodiscard]] ServerStats stats() const;
    // Closes every keep-alive connection now (FIN); a connection with a response in progress is
    // closed right after that response, which then says "Connection: close". Returns once
    // the closes are issued.
    void closeAllConnections();

private:
    std::unique_ptr<ServerSharedState> m_shared;
    std::unique_ptr<QThread> m_thread;
    // Guarded by m_shared->mutex (written only by start() and stop()).
    ServerWorker *m_worker = nullptr; // lives in m_thread; deleted by stop()
    bool m_listening = false;
    QHostAddress m_address;
    quint16 m_port = 0;
    bool m_tls = false;
};

} // namespace poolscope
