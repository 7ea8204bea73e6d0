#pragma once

// One nginx process for the tests, serving several sites, each on its own
// loopback port. nginx must bind ports it did not choose: a port probed free
// may be taken by another process before nginx listens on it, so a start that
// fails with "Address already in use" is retried with new ports.
#include <QDeadlineTimer>
#include <QFile>
#include <QProcess>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <memory>
#include <utility>
#include <vector>

namespace poolscope::testsupport {

class NginxProcess
{
public:
    // Built as { keepaliveRequests [, keepaliveTimeout [, tls [, maxConcurrentStreams]]] }.
    struct Site
    {
        Site(int requests = 1000, QString timeout = QStringLiteral("75s"), QString tlsMode = {},
            int maxStreams = 128)
            : keepaliveRequests(requests)
            , keepaliveTimeout(std::move(timeout))
            , tls(std::move(tlsMode))
            , maxConcurrentStreams(maxStreams)
        {
        }
        int keepaliveRequests; // nginx keepalive_requests
        QString keepaliveTimeout; // nginx keepalive_timeout
        // HTTPS with the test certificate (resources/tls): "" = plain HTTP, "h1" = TLS
        // speaking HTTP/1.1 only, "h2" = `listen ... ssl http2` (ALPN h2 and http/1.1).
        QString tls;
        int maxConcurrentStreams; // nginx http2_max_concurrent_streams (h2 only)
    };

    ~NginxProcess() { stop(); }

    bool start(const QString &bin, const std::vector<Site> &sites, QString *why)
    {
        if (bin.isEmpty() || !QFile::exists(bin)) {
            *why = QStringLiteral("nginx not installed (POOLSCOPE_NGINX unset)");
            return false;
        }
        constexpr int kAttempts = 5;
        for (int attempt = 0; attempt < kAttempts; ++attempt) {
            if (startOnce(bin, sites, why)) {
                return true;
            }
            stop();
            if (!why->contains(QStringLiteral("Address already in use"))) {
                return false;
            }
        }
        return false;
    }

    [[nodiscard]] quint16 port(std::size_t site) const { return m_ports.at(site); }
    [[nodiscard]] QString url(std::size_t site = 0) const
    {
        return QStringLiteral("%1://127.0.0.1:%2/")
            .arg(m_tls.at(site) ? QStringLiteral("https") : QStringLiteral("http"))
            .arg(port(site));
    }

private:
    // A free loopback port, held by `probes` until every site has one: probes closed one
    // after the other may get the same port, and two sites on one port would both answer
    // with the first one's settings.
    static quint16 probeFreePort(std::vector<std::unique_ptr<QTcpServer>> *probes)
    {
        auto probe = std::make_unique<QTcpServer>();
        probe->listen(QHostAddress::LocalHost, 0);
        const quint16 port = probe->serverPort();
        probes->push_back(std::move(probe));
        return port;
    }

    bool startOnce(const QString &bin, const std::vector<Site> &sites, QString *why)
    {
        m_ports.clear();
        m_tls.clear();
        QString servers;
        std::vector<std::unique_ptr<QTcpServer>> probes; // released before nginx binds
        for (const Site &site : sites) {
            m_ports.push_back(probeFreePort(&probes));
            m_tls.push_back(!site.tls.isEmpty());
            servers += QStringLiteral(" server { listen 127.0.0.1:%1%4; keepalive_requests %2; "
                                      "keepalive_timeout %3; location / { return 200 \"hello from "
                                      "nginx\\n\"; } }\n")
                           .arg(m_ports.back())
                           .arg(site.keepaliveRequests)
                           .arg(site.keepaliveTimeout)
                           .arg(listenOptions(site));
        }
        probes.clear();
        const QString d = m_dir.path();
        const QString log = d + QStringLiteral("/error.log");
        QFile::remove(log);
        QFile conf(d + QStringLiteral("/nginx.conf"));
        if (!conf.open(QIODevice::WriteOnly)) {
            *why = QStringLiteral("cannot write nginx.conf");
            return false;
        }
        conf.write(
            QStringLiteral("daemon off; master_process off; worker_processes 1; pid %1/nginx.pid;\n"
                           "error_log %2 warn;\n"
                           "events { worker_connections 4096; }\n"
                           "http { access_log off; client_body_temp_path %1; proxy_temp_path %1;\n"
                           " fastcgi_temp_path %1; uwsgi_temp_path %1; scgi_temp_path %1;\n%3}\n")
                .arg(d, log, servers)
                .toUtf8());
        conf.close();
        m_proc.setProcessChannelMode(QProcess::MergedChannels);
        m_proc.start(bin,
            { QStringLiteral("-e"), log, QStringLiteral("-p"), d, QStringLiteral("-c"),
                conf.fileName() });
        if (!m_proc.waitForStarted(5000)) {
            *why = QStringLiteral("nginx did not start: %1").arg(m_proc.errorString());
            return false;
        }
        for (const quint16 p : m_ports) {
            if (!waitListening(p)) {
                QFile errors(log);
                errors.open(QIODevice::ReadOnly);
                *why = QStringLiteral("nginx not listening on %1: %2 %3")
                           .arg(p)
                           .arg(QString::fromUtf8(m_proc.readAll()),
                               QString::fromUtf8(errors.readAll()));
                return false;
            }
        }
        return true;
    }

    // After the port: " ssl http2; ssl_certificate ...; http2_max_concurrent_streams N".
    static QString listenOptions(const Site &site)
    {
        if (site.tls.isEmpty()) {
            return {};
        }
        const QString dir = QStringLiteral(POOLSCOPE_SOURCE_DIR "/resources/tls/");
        QString o
            = QStringLiteral(" ssl%1; ssl_certificate %2poolscope-test.crt; "
                             "ssl_certificate_key %2poolscope-test.key")
                  .arg(site.tls == QLatin1String("h2") ? QStringLiteral(" http2") : QString(), dir);
        if (site.tls == QLatin1String("h2")) {
            o += QStringLiteral("; http2_max_concurrent_streams %1").arg(site.maxConcurrentStreams);
        }
        return o;
    }

    // True once `port` accepts a connection; false when nginx exits first or after 10 s.
    bool waitListening(quint16 port)
    {
        QDeadlineTimer deadline(10000);
        return QTest::qWaitFor(
                   [&] {
                       QTcpSocket s;
                       s.connectToHost(QHostAddress::LocalHost, port);
                       return s.waitForConnected(200) || m_proc.state() != QProcess::Running;
                   },
                   static_cast<int>(deadline.remainingTime()))
            && m_proc.state() == QProcess::Running;
    }

    void stop()
    {
        if (m_proc.state() == QProcess::NotRunning) {
            return;
        }
        m_proc.terminate();
        if (!m_proc.waitForFinished(3000)) {
            m_proc.kill();
            m_proc.waitForFinished(3000);
        }
    }

    QTemporaryDir m_dir;
    QProcess m_proc;
    std::vector<quint16> m_ports;
    std::vector<bool> m_tls; // by site: https
};

} // namespace poolscope::testsupport
