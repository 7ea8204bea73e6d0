#pragma once

// The embedded server started afresh for each test, so its counters are that test's
// alone: shared by the engine tests that load it through the real engine.
#include "server/embedded_server.h"

#include <QtGlobal>
#include <memory>

namespace poolscope::testsupport {

class FreshServer
{
public:
    // Starts a new server with `cfg` (dropping the previous one); its URL, or "" when it
    // could not start (the reason goes to the log).
    QString start(const ServerConfig &cfg)
    {
        m_server = std::make_unique<EmbeddedServer>();
        QString error;
        if (!m_server->start(cfg, &error)) {
            qWarning("embedded server: %s", qPrintable(error));
            return {};
        }
        return m_server->url();
    }
    // Stops it (a test's cleanup()).
    void reset() { m_server.reset(); }

    EmbeddedServer &operator*() const { return *m_server; }
    EmbeddedServer *operator->() const { return m_server.get(); }

private:
    std::unique_ptr<EmbeddedServer> m_server;
};

} // namespace poolscope::testsupport
