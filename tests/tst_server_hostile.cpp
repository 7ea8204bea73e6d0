// The embedded server's hostile modes on the server side: every connection a hostile
// response leaves open (the modes that hang) closes when the client closes it, so the
// server's books balance too (found by bench/long_run.sh: never-answer and length-longer
// kept every connection the client had given up on). Loopback only.
#include "server/embedded_server.h"

#include <QTcpSocket>
#include <QTest>

using namespace poolscope;

class TestServerHostile final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void hangingModesCloseWithTheClient_data()
    {
        QTest::addColumn<QString>("mode");
        for (const char *mode : { "never-answer", "length-longer", "trickle-body" }) {
            QTest::newRow(mode) << QString::fromLatin1(mode);
        }
    }

    void hangingModesCloseWithTheClient()
    {
        QFETCH(QString, mode);
        ServerConfig config;
        QVERIFY(parseHostileMode(mode, &config.hostile));
        config.bodySize = 1000; // trickle-body: 10 s of body, the client leaves long before
        EmbeddedServer server;
        QString error;
        QVERIFY2(server.start(config, &error), qPrintable(error));
        constexpr int kClients = 3;
        std::vector<std::unique_ptr<QTcpSocket>> clients;
        for (int i = 0; i < kClients; ++i) {
            auto s = std::make_unique<QTcpSocket>();
            s->connectToHost(QHostAddress::LocalHost, server.port());
            QVERIFY(s->waitForConnected(5000));
            s->write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            QVERIFY(s->waitForBytesWritten(5000));
            clients.push_back(std::move(s));
        }
        QTRY_COMPARE_WITH_TIMEOUT(server.stats().requests, std::uint64_t(kClients), 5000);
        QCOMPARE(server.stats().open, kClients); // still hanging
        for (auto &s : clients) {
            s->disconnectFromHost(); // the client gives up (a timeout, in a real client)
        }
        QTRY_COMPARE_WITH_TIMEOUT(server.stats().open, 0, 5000);
        const ServerStats stats = server.stats();
        QCOMPARE(stats.closedByClient, std::uint64_t(kClients));
        QCOMPARE(stats.accepted, stats.closedByClient + stats.closedByServer);
    }

    void resetClosesWithoutAnswering()
    {
        ServerConfig config;
        config.hostile = HostileMode::Reset;
        EmbeddedServer server;
        QString error;
        QVERIFY2(server.start(config, &error), qPrintable(error));
        QTcpSocket s;
        s.connectToHost(QHostAddress::LocalHost, server.port());
        QVERIFY(s.waitForConnected(5000));
        s.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        QVERIFY(s.waitForBytesWritten(5000));
        QTRY_COMPARE_WITH_TIMEOUT(s.state(), QAbstractSocket::UnconnectedState, 5000);
        // (Qt reports ECONNRESET as RemoteHostClosedError too; tests/tst_cli_hostile checks
        // the client's "connection reset by peer".)
        QVERIFY(s.readAll().isEmpty()); // not a byte of an answer
        QTRY_COMPARE_WITH_TIMEOUT(server.stats().open, 0, 5000);
        QCOMPARE(server.stats().closedByServer, std::uint64_t(1));
    }
};

QTEST_GUILESS_MAIN(TestServerHostile)
#include "tst_server_hostile.moc"
