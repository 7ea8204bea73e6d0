#include "cli_serve.h"

#include "os/process.h"
#include "scenario/command_line.h"
#include "server/embedded_server.h"

#include <QCoreApplication>
#include <cstdio>
#include <memory>
#include <optional>

namespace poolscope {

namespace {

const char kServeIntro[]
    = "Usage: poolscope serve [flags]\n"
      "Runs the embedded target server until SIGINT or SIGTERM. The first line on stdout is\n"
      "\"listening on URL\"; final counters go to stderr at exit. Durations use Go syntax (250ms,\n"
      "1.5s, 1m30s); switches also take =true or =false. The knobs are `poolscope run`'s\n"
      "--server-* flags without the prefix.\n";

const FlagSpec kListenFlag[] = {
    { "listen", "HOST:PORT",
        "address to listen on (default 127.0.0.1:0 = a free port; \":PORT\" listens on every "
        "interface)" },
};

std::optional<QString> parseListen(const QString &value, ServerConfig *config)
{
    const qsizetype colon = value.lastIndexOf(QLatin1Char(':'));
    if (colon < 0)
        return QStringLiteral("want HOST:PORT");
    QString host = value.left(colon);
    const QString portText = value.mid(colon + 1);
    bool ok = false;
    const uint port = portText.toUInt(&ok);
    if (!ok || port > 65535)
        return QStringLiteral("\"%1\" is not a port (0 to 65535)").arg(portText);
    if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
        host = host.mid(1, host.size() - 2);
    QHostAddress address;
    if (host.isEmpty())
        address = QHostAddress::Any;
    else if (host == QLatin1String("localhost"))
        address = QHostAddress::LocalHost;
    else if (!address.setAddress(host))
        return QStringLiteral("\"%1\" is not an IP address or localhost").arg(host);
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

// The server knobs `serve` offers: run's --server-* rows under their names
// without the prefix; --listen stands for the address and the port.
void addServeFlags(CommandLine *cl)
{
    cl->addFlags(kListenFlag, QStringLiteral("Listening"));
    for (const Knob &k : knobTable()) {
        const QString flag = QLatin1String(k.flag);
        if (k.group != KnobGroup::Server || flag == u"listen" || flag == u"server-port") {
            continue;
        }
        cl->addKnob(k, knobGroupTitle(k.group), flag.mid(flag.indexOf(u'-') + 1));
    }
}

// Parses the flags into *config; an exit code when the command ends here.
std::optional<int> parseServeFlags(const QStringList &args, ServerConfig *config)
{
    CommandLine cl("serve", QLatin1String(kServeIntro));
    addServeFlags(&cl);
    if (const auto done = cl.parseOrFinish(args)) {
        return done;
    }
    Settings settings;
    QString error;
    const QString listen = cl.value(QStringLiteral("listen"));
    if (cl.applyKnobs(&settings, &error) && cl.isSet(QStringLiteral("listen"))) {
        if (const auto why = parseListen(listen, &settings.server)) {
            error = QStringLiteral("invalid value \"%1\" for --listen: %2").arg(listen, *why);
        }
    }
    if (!error.isEmpty()) {
        std::fprintf(stderr, "poolscope serve: %s\n", qPrintable(error));
        return 2;
    }
    *config = settings.server;
    return std::nullopt;
}

} // namespace

int runServeCommand(const QStringList &argsIn)
{
    QStringList args = argsIn;
    if (!args.isEmpty() && args.first() == QLatin1String("serve"))
        args.removeFirst();

    ServerConfig config;
    if (const auto done = parseServeFlags(args, &config)) {
        return *done;
    }

    std::unique_ptr<QCoreApplication> ownApp;
    static int argc = 1;
    static char arg0[] = "poolscope";
    static char *argv[] = { arg0, nullptr };
    if (!QCoreApplication::instance())
        ownApp = std::make_unique<QCoreApplication>(argc, argv);

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
