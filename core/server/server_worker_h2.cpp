// ServerWorker's HTTP/2 hooks: where a connection turns into an h2 session (ALPN after the
// TLS handshake, or the h2c preface on a cleartext connection) and how the session's input,
// output, timers and idle state reach the worker. The session itself is H2ServerSession.
#include "server/h2_server_session.h"
#include "server/server_worker.h"

#include <QSslSocket>

namespace poolscope {

QSslConfiguration ServerWorker::tlsConfigurationFor(const ServerConfig &config) const
{
    QSslConfiguration configuration = m_sslConfiguration;
    // Go's client offers "h2" first; a server that lists it picks h2 (RFC 7301: the server's
    // choice among the client's offers).
    if (config.http2)
        configuration.setAllowedNextProtocols(
            { QByteArrayLiteral("h2"), QByteArrayLiteral("http/1.1") });
    return configuration;
}

void ServerWorker::onEncrypted(Connection *c)
{
    if (c->finished || c->closing || !c->ssl)
        return;
    if (c->ssl->sslConfiguration().nextNegotiatedProtocol() == QByteArrayLiteral("h2"))
        startH2(c);
}

bool ServerWorker::maybeStartH2c(Connection *c, const char *data, qsizetype size)
{
    if (c->prefaceChecked)
        return false;
    c->prefaceChecked = true;
    if (c->ssl || !m_responses->config().h2c || !H2ServerSession::startsWithPreface(data, size))
        return false;
    startH2(c);
    if (!c->finished && !c->closing && c->h2)
        c->h2->receive(data, size);
    if (!c->finished && !c->closing)
        processH2Input(c);
    return true;
}

void ServerWorker::startH2(Connection *c)
{
    H2ServerSession::Hooks hooks;
    hooks.write = [this, c](const char *data, qsizetype size) {
        send(c, data, size);
        return !c->finished;
    };
    hooks.pendingOutput = [this, c] {
        return pendingOutput(c);
    };
    hooks.wakeAt = [this, c](H2ServerSession::Clock::time_point at) {
        if (!c->finished)
            armConnectionTimer(c, at);
    };
    hooks.responses = [this] {
        refreshConfig();
        return m_responses;
    };
    hooks.busyChanged = [this, c](bool busy) {
        if (c->finished || c->closing)
            return;
        if (busy)
            m_idle.remove(c);
        else
            markIdle(c);
    };
    // Called after nghttp2 returned (never from inside its callbacks); the worker's callers
    // of the session check c->closing / c->finished afterwards.
    hooks.finished = [this, c] {
        closeByServer(c, false);
    };
    c->h2 = std::make_unique<H2ServerSession>(std::move(hooks), m_shared, &m_random);
    c->h2->start();
}

void ServerWorker::processH2Input(Connection *c)
{
    bool touched = false;
    while (!c->finished && !c->closing) {
        if (pendingOutput(c) > kOutputHighWater) {
            setReading(c, false); // resumed by onOutputDrained()
            return;
        }
        setReading(c, true);
        const qint64 size = readSome(c, m_readBuffer.data(), qint64(m_readBuffer.size()));
        if (size < 0) {
            onGone(c);
            return;
        }
        if (size == 0)
            return;
        if (!touched && c->list == &m_idle) {
            touched = true;
            markIdle(c); // activity: move to the back of the idle list
        }
        c->h2->receive(m_readBuffer.data(), size);
    }
}

} // namespace poolscope
