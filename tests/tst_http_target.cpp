#include "http/target.h"

#include <QTest>

using namespace poolscope;

class TestTarget final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void good_data();
    void good();
    void bad_data();
    void bad();
    void hostHeader_data();
    void hostHeader();
};

void TestTarget::good_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("scheme");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::addColumn<QByteArray>("pathAndQuery");
    QTest::addColumn<QString>("poolKey");
    QTest::addColumn<bool>("tls");
    QTest::addColumn<QString>("display");

    QTest::newRow("loopback with port")
        << "http://127.0.0.1:8080/x"
        << "http"
        << "127.0.0.1" << 8080 << QByteArray("/x") << "http://127.0.0.1:8080" << false
        << "http://127.0.0.1:8080/x";
    QTest::newRow("no path") << "http://localhost"
                             << "http"
                             << "localhost" << 80 << QByteArray("/") << "http://localhost:80"
                             << false << "http://localhost/";
    QTest::newRow("https default port")
        << "https://example.com/a/b?q=1&r=2"
        << "https"
        << "example.com" << 443 << QByteArray("/a/b?q=1&r=2") << "https://example.com:443" << true
        << "https://example.com/a/b?q=1&r=2";
    QTest::newRow("explicit default port")
        << "http://example.com:80/"
        << "http"
        << "example.com" << 80 << QByteArray("/") << "http://example.com:80" << false
        << "http://example.com/";
    QTest::newRow("https non-default port")
        << "https://127.0.0.1:8443"
        << "https"
        << "127.0.0.1" << 8443 << QByteArray("/") << "https://127.0.0.1:8443" << true
        << "https://127.0.0.1:8443/";
    QTest::newRow("upper case scheme and host")
        << "HTTP://LocalHost:9000/Path"
        << "http"
        << "localhost" << 9000 << QByteArray("/Path") << "http://localhost:9000" << false
        << "http://localhost:9000/Path";
    QTest::newRow("ipv6 with port")
        << "http://[::1]:8080/"
        << "http"
        << "::1" << 8080 << QByteArray("/") << "http://[::1]:8080" << false << "http://[::1]:8080/";
    QTest::newRow("ipv6 without port")
        << "https://[2001:DB8::1]/p"
        << "https"
        << "2001:db8::1" << 443 << QByteArray("/p") << "https://[2001:db8::1]:443" << true
        << "https://[2001:db8::1]/p";
    QTest::newRow("query only") << "http://h:1?x=y"
                                << "http"
                                << "h" << 1 << QByteArray("/?x=y") << "http://h:1" << false
                                << "http://h:1/?x=y";
    QTest::newRow("fragment dropped")
        << "http://h/p?q#frag"
        << "http"
        << "h" << 80 << QByteArray("/p?q") << "http://h:80" << false << "http://h/p?q";
    QTest::newRow("empty port means default")
        << "http://h:/p"
        << "http"
        << "h" << 80 << QByteArray("/p") << "http://h:80" << false << "http://h/p";
    QTest::newRow("surrounding whitespace trimmed")
        << "  http://h:65535/ \n"
        << "http"
        << "h" << 65535 << QByteArray("/") << "http://h:65535" << false << "http://h:65535/";
    QTest::newRow("non-ascii path percent-encoded")
        << QString::fromUtf8("http://h/caf\u00e9") << "http"
        << "h" << 80 << QByteArray("/caf%C3%A9") << "http://h:80" << false << "http://h/caf%C3%A9";
    QTest::newRow("existing escapes kept")
        << "http://h/a%20b"
        << "http"
        << "h" << 80 << QByteArray("/a%20b") << "http://h:80" << false << "http://h/a%20b";
    QTest::newRow("encoded slash kept")
        << "http://h/a%2Fb"
        << "http"
        << "h" << 80 << QByteArray("/a%2Fb") << "http://h:80" << false << "http://h/a%2Fb";
    QTest::newRow("empty query kept")
        << "http://h/p?"
        << "http"
        << "h" << 80 << QByteArray("/p?") << "http://h:80" << false << "http://h/p?";
    // What Go's URL.EscapedPath escapes in a path, QUrl escapes too: the same request line.
    QTest::newRow("path characters Go escapes")
        << "http://h/a\"b<c>{d}|e^f`g"
        << "http"
        << "h" << 80 << QByteArray("/a%22b%3Cc%3E%7Bd%7D%7Ce%5Ef%60g") << "http://h:80" << false
        << "http://h/a%22b%3Cc%3E%7Bd%7D%7Ce%5Ef%60g";
    QTest::newRow("idn host in punycode")
        << QString::fromUtf8("http://caf\u00e9.example/") << "http"
        << "xn--caf-dma.example" << 80 << QByteArray("/") << "http://xn--caf-dma.example:80"
        << false << "http://xn--caf-dma.example/";
    // Where QUrl normalizes and Go sends the URL as typed (equivalent URLs, RFC 3986 6.2.2):
    // escapes of unreserved characters decoded, hex digits upper-cased (Go: /a%7Eb%3d?x=%7e).
    QTest::newRow("QUrl: escapes normalized") << "http://h/a%7Eb%3d?x=%7e"
                                              << "http"
                                              << "h" << 80 << QByteArray("/a~b%3D?x=~")
                                              << "http://h:80" << false << "http://h/a~b%3D?x=~";
    // The query is re-encoded: a stray '%' becomes %25, '"' %22 (Go: /?q=%zz&a"b).
    QTest::newRow("QUrl: query re-encoded") << "http://h/?q=%zz&a\"b"
                                            << "http"
                                            << "h" << 80 << QByteArray("/?q=%25zz&a%22b")
                                            << "http://h:80" << false << "http://h/?q=%25zz&a%22b";
    // IPv4 shorthand is read as inet_aton does (Go keeps the host "0x7f.1" and resolves it).
    QTest::newRow("QUrl: ipv4 shorthand")
        << "http://0x7f.1:8080/"
        << "http"
        << "127.0.0.1" << 8080 << QByteArray("/") << "http://127.0.0.1:8080" << false
        << "http://127.0.0.1:8080/";
}

void TestTarget::good()
{
    QFETCH(QString, url);
    QString error;
    const std::optional<Target> target = parseTarget(url, &error);
    QVERIFY2(target.has_value(), qPrintable(error));
    QTEST(target->scheme, "scheme");
    QTEST(target->host, "host");
    QTEST(int(target->port), "port");
    QTEST(target->pathAndQuery, "pathAndQuery");
    QTEST(target->poolKey, "poolKey");
    QTEST(target->tls, "tls");
    QTEST(target->display, "display");
    QVERIFY(error.isEmpty());
}

void TestTarget::bad_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("error");

    const QString noScheme = QStringLiteral(
        "URL has no scheme: write it as http://host[:port]/path or https://host[:port]/path");
    const QString noHost = QStringLiteral("URL has no host");
    QTest::newRow("empty") << ""
                           << "URL is empty";
    QTest::newRow("blank") << "   "
                           << "URL is empty";
    QTest::newRow("no scheme") << "localhost:8080/x" << noScheme;
    QTest::newRow("no scheme path") << "/just/a/path" << noScheme;
    QTest::newRow("empty scheme") << "://host/" << noScheme;
    QTest::newRow("scheme with slash") << "a/b://host/" << noScheme;
    QTest::newRow("ftp") << "ftp://host/"
                         << "unsupported scheme \"ftp\": only http and https are supported";
    QTest::newRow("ws") << "WS://host/"
                        << "unsupported scheme \"ws\": only http and https are supported";
    QTest::newRow("missing host") << "http:///path" << noHost;
    QTest::newRow("only port") << "http://:8080/" << noHost;
    QTest::newRow("empty ipv6") << "http://[]:80/" << noHost;
    QTest::newRow("port letters") << "http://h:abc/"
                                  << "invalid port \"abc\": must be a number from 1 to 65535";
    QTest::newRow("port zero") << "http://h:0/"
                               << "invalid port \"0\": must be a number from 1 to 65535";
    QTest::newRow("port too big") << "http://h:65536/"
                                  << "invalid port \"65536\": must be a number from 1 to 65535";
    QTest::newRow("port huge") << "http://h:99999999999/"
                               << "invalid port \"99999999999\": must be a number from 1 to "
                                  "65535";
    QTest::newRow("port negative") << "http://h:-1/"
                                   << "invalid port \"-1\": must be a number from 1 to 65535";
    QTest::newRow("inner space") << "http://h/a b"
                                 << "URL contains whitespace: encode spaces as %20";
    QTest::newRow("space in host") << "http://ho st/"
                                   << "URL contains whitespace: encode spaces as %20";
    QTest::newRow("tab") << "http://h/\tx"
                         << "URL contains whitespace: encode spaces as %20";
    QTest::newRow("unbracketed ipv6")
        << "http://::1:8080/"
        << "IPv6 addresses must be in brackets, e.g. http://[::1]:8080/";
    QTest::newRow("unclosed bracket") << "http://[::1:8080/"
                                      << "IPv6 address is missing its closing ']'";
    QTest::newRow("junk after ipv6") << "http://[::1]x/"
                                     << "unexpected \"x\" after the IPv6 address";
    QTest::newRow("bad ipv6") << "http://[::zz]/"
                              << "invalid IPv6 address \"::zz\"";
    QTest::newRow("ipv4 in brackets") << "http://[127.0.0.1]/"
                                      << "invalid IPv6 address \"127.0.0.1\"";
    QTest::newRow("credentials") << "http://user:pw@h/"
                                 << "user credentials in the URL are not supported";
    QTest::newRow("bad host char") << "http://h%41st/"
                                   << "invalid character '%' in host \"h%41st\"";
    QTest::newRow("empty credentials") << "http://@h/"
                                       << "user credentials in the URL are not supported";
    QTest::newRow("ipvfuture") << "http://[v1.x]/"
                               << "invalid IPv6 address \"v1.x\"";
    QTest::newRow("idn refused") << QString::fromUtf8("http://\u00e9..x/")
                                 << QString::fromUtf8("invalid host name \"\u00e9..x\"");
    // Go's url.Parse refuses these (QUrl would send "%25zz").
    QTest::newRow("bad escape") << "http://h/%zz"
                                << "invalid URL escape \"%zz\"";
    QTest::newRow("truncated escape") << "http://h/a%2"
                                      << "invalid URL escape \"%2\"";
}

void TestTarget::bad()
{
    QFETCH(QString, url);
    QString error;
    QVERIFY(!parseTarget(url, &error).has_value());
    QTEST(error, "error");
    QVERIFY(!parseTarget(url).has_value()); // the error pointer is optional
}

void TestTarget::hostHeader_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QByteArray>("hostHeader");
    QTest::addColumn<QString>("hostPort");
    QTest::newRow("default http") << "http://a.example/" << QByteArray("a.example")
                                  << "a.example:80";
    QTest::newRow("default https")
        << "https://a.example/" << QByteArray("a.example") << "a.example:443";
    QTest::newRow("http on 443") << "http://a.example:443/" << QByteArray("a.example:443")
                                 << "a.example:443";
    QTest::newRow("ipv6") << "http://[::1]:81/" << QByteArray("[::1]:81") << "[::1]:81";
}

void TestTarget::hostHeader()
{
    QFETCH(QString, url);
    const std::optional<Target> target = parseTarget(url);
    QVERIFY(target.has_value());
    QTEST(target->hostHeader(), "hostHeader");
    QTEST(target->hostPort(), "hostPort");
}

QTEST_GUILESS_MAIN(TestTarget)
#include "tst_http_target.moc"
