// goSocketErrorText: socket errors in Go's words, the errno cause kept (issue 16 #8).
#include "net/socket_error_text.h"

#include <QTest>
#include <cerrno>

using namespace poolscope;


class TestSocketErrorText : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void mapping_data()
    {
        QTest::addColumn<QAbstractSocket::SocketError>("qt");
        QTest::addColumn<int>("err");
        QTest::addColumn<QString>("qtText");
        QTest::addColumn<bool>("dialing");
        QTest::addColumn<QString>("go");
        using S = QAbstractSocket;
        // Qt 6.4 reports a connect() that failed with EADDRNOTAVAIL as "Unknown error".
        QTest::newRow("port exhaustion")
            << S::UnknownSocketError << EADDRNOTAVAIL << "Unknown error" << true
            << "connect: cannot assign requested address";
        QTest::newRow("refused") << S::ConnectionRefusedError << ECONNREFUSED
                                 << "Connection refused" << true << "connect: connection refused";
        QTest::newRow("refused, errno lost")
            << S::ConnectionRefusedError << 0 << "Connection refused" << true
            << "connect: connection refused";
        QTest::newRow("connect timed out")
            << S::SocketTimeoutError << ETIMEDOUT << "Connection timed out" << true
            << "connect: connection timed out";
        QTest::newRow("unreachable") << S::NetworkError << ENETUNREACH << "Network unreachable"
                                     << true << "connect: network is unreachable";
        QTest::newRow("no route") << S::NetworkError << EHOSTUNREACH << "Host unreachable" << true
                                  << "connect: no route to host";
        // Qt reports a read that failed with ECONNRESET as RemoteHostClosedError.
        QTest::newRow("reset") << S::RemoteHostClosedError << ECONNRESET
                               << "The remote host closed the connection" << false
                               << "read: connection reset by peer";
        QTest::newRow("keep-alive gave up")
            << S::SocketTimeoutError << ETIMEDOUT << "Connection timed out" << false
            << "read: connection timed out";
        QTest::newRow("fin") << S::RemoteHostClosedError << 0
                             << "The remote host closed the connection" << false << "EOF";
        QTest::newRow("fin while dialing")
            << S::RemoteHostClosedError << 0 << "The remote host closed the connection" << true
            << "EOF";
        // errno is the thread's last failure: another socket's EADDRNOTAVAIL or a stray
        // EAGAIN must not name a read's EOF.
        QTest::newRow("stale dial errno on a read")
            << S::RemoteHostClosedError << EADDRNOTAVAIL << "The remote host closed the connection"
            << false << "EOF";
        QTest::newRow("EAGAIN") << S::UnknownSocketError << EAGAIN << "Unknown error" << true
                                << "EOF";
        QTest::newRow("anything else keeps Qt's text")
            << S::SslHandshakeFailedError << 0 << "TLS handshake failed" << true
            << "TLS handshake failed";
    }

    void mapping()
    {
        QFETCH(QAbstractSocket::SocketError, qt);
        QFETCH(int, err);
        QFETCH(QString, qtText);
        QFETCH(bool, dialing);
        QFETCH(QString, go);
        QCOMPARE(goSocketErrorText(qt, err, qtText, dialing), go);
    }
};

QTEST_GUILESS_MAIN(TestSocketErrorText)
#include "tst_net_socket_error_text.moc"
