#include "server/server_cli.h"

#include "metrics/go_duration.h"
#include "os/process.h"
#include "server/embedded_server.h"
#include "server/prepared_responses.h"

#include <QCoreApplication>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>

namespace poolscope {

namespace {

const char kUsage[] = R"(Usage: poolscope serve [flags]

Runs the embedded target server until SIGINT or SIGTERM. The first line on stdout is
"listening on URL"; final counters go to stderr at exit.

Flags (also accepted as -flag and --flag=value; durations use Go syntax: 250ms, 1.5s, 1m30s):
  --listen HOST:PORT            address to listen on (default 127.0.0.1:0 = a free port;
                                ":PORT" listens on every interface)
  --latency DUR                 delay before each response (default 0)
  --jitter DUR                  uniform +/- jitter added to the latency (default 0)
  --header-delay DUR            flush the status line and headers after DUR, the body at
                                --latency (default 0: head and body together)
  --body-size N                 response body bytes (default 64)
  --chunked                     Transfer-Encoding: chunked instead of Content-Length
  --idle-timeout DUR            close keep-alive connections idle this long (default 0 = never)
  --max-requests-per-conn N     close after N requests on a connection (default 0 = unlimited)
  --close-probability P         probability in [0,1] of "Connection: close" on a response
  --http10                      answer HTTP/1.0 without keep-alive
  --drop-after-bytes N          close after writing N bytes of a response (default 0 = off)
  --malformed                   answer with a malformed status line and close
  --tls                         serve HTTPS with the test-only certificate (resources/tls)
  --help                        show this help
)";

struct Flag
{
    const char *name;
    bool takesValue;
    std::function<std::optional<QString>(const QString &value)> apply; // returns an error
};

std::optional<QString> parseDuration(const QString &value, std::chrono::nanoseconds *out)
{
    QString error;
    const auto duration = parseGoDuration(value, &error);
    if (!duration)
        return error;
    if (duration->count() < 0)
        return QStringLiteral("negative duration %1").arg(value);
    *out = *duration;
    return std::nullopt;
}

std::optional<QString> parseCount(const QString &value, int max, int *out)
{
    bool ok = false;
    const qlonglong n = value.toLongLong(&ok);
    if (!ok || n < 0 || n > max)
        return QStringLiteral("invalid value \"%1\": want an integer in [0, %2]")
            .arg(value)
            .arg(max);
    *out = int(n);
    return std::nullopt;
}

std::optional<QString> parseBool(const QString &value, bool *out)
{
    if (value.isEmpty() || value == QLatin1String("true") || value == QLatin1String("1")) {
        *out = true;
        return std::nullopt;
    }
    if (value == QLatin1String("false") || value == QLatin1String("0")) {
        *out = false;
        return std::nullopt;
    }
    return QStringLiteral("invalid boolean \"%1\"").arg(value);
}

std::optional<QString> parseListen(const QString &value, ServerConfig *config)
{
    const qsizetype colon = value.lastIndexOf(QLatin1Char(':'));
    if (colon < 0)
        return QStringLiteral("invalid address \"%1\": want HOST:PORT").arg(value);
    QString host = value.left(colon);
    const QString portText = value.mid(colon + 1);
    bool ok = false;
    const uint port = portText.toUInt(&ok);
    if (!ok || port > 65535)
        return QStringLiteral("invalid port \"%1\" in \"%2\"").arg(portText, value);
    if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
        host = host.mid(1, host.size() - 2);
    QHostAddress address;
    if (host.isEmpty())
        address = QHostAddress::Any;
    else if (host == QLatin1String("localhost"))
        address = QHostAddress::LocalHost;
    else if (!address.setAddress(host))
        return QStringLiteral("invalid host \"%1\": want an IP address or localhost").arg(host);
    config->listenAddress = address;
    config->port = quint16(port);
    return std::nullopt;
}

QString statsLine(const ServerStats &stats)
{
    return QStringLiteral("poolscope serve: %1 requests on %2 connections; closed by server %3 "
                          "(idle timeouts %4), by client %5; protocol errors %6")
        .arg(stats.requests)
        .arg(stats.accepted)
        .arg(stats.closedByServer)
        .arg(stats.idleTimeouts)
        .arg(stats.closedByClient)
        .arg(stats.errors);
}

int usageError(const QString &message)
{
    std::fprintf(stderr, "poolscope serve: %s (see poolscope serve --help)\n", qPrintable(message));
    return 2;
}

} // namespace

int runServeCommand(const QStringList &argsIn)
{
    QStringList args = argsIn;
    if (!args.isEmpty() && args.first() == QLatin1String("serve"))
        args.removeFirst();

    ServerConfig config;
    const Flag flags[] = {
        { "listen", true,
            [&](const QString &v) {
                return parseListen(v, &config);
            } },
        { "latency", true,
            [&](const QString &v) {
                return parseDuration(v, &config.latency);
            } },
        { "jitter", true,
            [&](const QString &v) {
                return parseDuration(v, &config.jitter);
            } },
        { "header-delay", true,
            [&](const QString &v) {
                return parseDuration(v, &config.headerDelay);
            } },
        { "idle-timeout", true,
            [&](const QString &v) {
                return parseDuration(v, &config.idleTimeout);
            } },
        { "body-size", true,
            [&](const QString &v) {
                return parseCount(v, PreparedResponses::kMaxBodySize, &config.bodySize);
            } },
        { "max-requests-per-conn", true,
            [&](const QString &v) {
                return parseCount(v, 1 << 30, &config.maxRequestsPerConn);
            } },
        { "drop-after-bytes", true,
            [&](const QString &v) {
                return parseCount(v, 1 << 30, &config.dropAfterBytes);
            } },
        { "close-probability", true,
            [&](const QString &v) -> std::optional<QString> {
                bool ok = false;
                const double p = v.toDouble(&ok);
                if (!ok || !(p >= 0.0 && p <= 1.0))
                    return QStringLiteral("invalid probability \"%1\": want a number in [0, 1]")
                        .arg(v);
                config.closeProbability = p;
                return std::nullopt;
            } },
        { "chunked", false,
            [&](const QString &v) {
                return parseBool(v, &config.chunked);
            } },
        { "http10", false,
            [&](const QString &v) {
                return parseBool(v, &config.http10);
            } },
        { "malformed", false,
            [&](const QString &v) {
                return parseBool(v, &config.malformed);
            } },
        { "tls", false,
            [&](const QString &v) {
                return parseBool(v, &config.tls);
            } },
    };

    for (qsizetype i = 0; i < args.size(); ++i) {
        const QString &arg = args.at(i);
        if (!arg.startsWith(QLatin1Char('-')) || arg == QLatin1String("-")
            || arg == QLatin1String("--"))
            return usageError(QStringLiteral("unexpected argument \"%1\"").arg(arg));
        QString name = arg.mid(arg.startsWith(QLatin1String("--")) ? 2 : 1);
        std::optional<QString> value;
        const qsizetype equals = name.indexOf(QLatin1Char('='));
        if (equals >= 0) {
            value = name.mid(equals + 1);
            name.truncate(equals);
        }
        if (name == QLatin1String("help") || name == QLatin1String("h")) {
            std::fputs(kUsage, stdout);
            return 0;
        }
        const Flag *flag = nullptr;
        for (const Flag &candidate : flags) {
            if (name == QLatin1String(candidate.name))
                flag = &candidate;
        }
        if (!flag)
            return usageError(QStringLiteral("unknown flag --%1").arg(name));
        if (flag->takesValue && !value) {
            if (i + 1 >= args.size())
                return usageError(QStringLiteral("flag --%1 needs a value").arg(name));
            value = args.at(++i);
        }
        if (const auto error = flag->apply(value.value_or(QString())))
            return usageError(QStringLiteral("--%1: %2").arg(name, *error));
    }

    std::unique_ptr<QCoreApplication> ownApp;
    static int argc = 1;
    static char arg0[] = "poolscope";
    static char *argv[] = { arg0, nullptr };
    if (!QCoreApplication::instance())
        ownApp = std::make_unique<QCoreApplication>(argc, argv);

    // Benchmarks hold thousands of connections: use the descriptor limit the system allows.
    raiseOpenFileLimit();

    EmbeddedServer server;
    QString error;
    if (!server.start(config, &error)) {
        std::fprintf(stderr, "poolscope serve: %s\n", qPrintable(error));
        return 1;
    }

    TerminationSignals termination;
    if (!termination.isActive()) {
        std::fprintf(stderr, "poolscope serve: cannot set up signal handling\n");
        return 1;
    }
    QObject::connect(&termination, &TerminationSignals::received, [] { QCoreApplication::quit(); });

    std::printf("listening on %s\n", qPrintable(server.url()));
    std::fflush(stdout);

    QCoreApplication::exec();

    server.stop();
    std::fprintf(stderr, "%s\n", qPrintable(statsLine(server.stats())));
    return 0;
}

} // namespace poolscope
