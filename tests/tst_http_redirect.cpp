// Go 1.19's http.Client redirect rules as functions (core/http/redirect.h): each expected
// value is what client.go's redirectBehavior, req.URL.Parse, refererForURL and
// shouldCopyHeaderOnRedirect give for the same input.
#include "http/redirect.h"
#include "support/must_parse.h"

#include <QTest>

using namespace poolscope;

using poolscope::testsupport::mustParse;

class TestHttpRedirect final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void behavior_data()
    {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<int>("status");
        QTest::addColumn<bool>("follow");
        QTest::addColumn<QByteArray>("next");
        QTest::addColumn<bool>("body");
        QTest::newRow("GET 302") << QByteArray("GET") << 302 << true << QByteArray("GET") << false;
        QTest::newRow("HEAD 301") << QByteArray("HEAD") << 301 << true << QByteArray("HEAD")
                                  << false;
        QTest::newRow("POST 303") << QByteArray("POST") << 303 << true << QByteArray("GET")
                                  << false;
        QTest::newRow("PUT 302") << QByteArray("PUT") << 302 << true << QByteArray("GET") << false;
        QTest::newRow("POST 307") << QByteArray("POST") << 307 << true << QByteArray("POST")
                                  << true;
        QTest::newRow("DELETE 308")
            << QByteArray("DELETE") << 308 << true << QByteArray("DELETE") << true;
        QTest::newRow("300") << QByteArray("GET") << 300 << false << QByteArray() << false;
        QTest::newRow("304") << QByteArray("GET") << 304 << false << QByteArray() << false;
        QTest::newRow("200") << QByteArray("GET") << 200 << false << QByteArray() << false;
    }
    void behavior()
    {
        QFETCH(QByteArray, method);
        QFETCH(int, status);
        const RedirectBehavior b = redirectBehavior(method, status);
        QTEST(b.follow, "follow");
        QTEST(b.method, "next");
        QTEST(b.includeBody, "body");
    }

    void location_data()
    {
        QTest::addColumn<QString>("from");
        QTest::addColumn<QByteArray>("location");
        QTest::addColumn<QString>("to"); // the next hop's URL, or "error: ..."
        QTest::newRow("absolute path")
            << QStringLiteral("http://127.0.0.1:8080/a/b?q=1") << QByteArray("/redirect/1")
            << QStringLiteral("http://127.0.0.1:8080/redirect/1");
        QTest::newRow("relative path") << QStringLiteral("http://h/a/b") << QByteArray("c?x=2")
                                       << QStringLiteral("http://h/a/c?x=2");
        QTest::newRow("other host")
            << QStringLiteral("http://h/a") << QByteArray("https://other:8443/z")
            << QStringLiteral("https://other:8443/z");
        QTest::newRow("scheme relative")
            << QStringLiteral("https://h/a") << QByteArray("//cdn.example/x")
            << QStringLiteral("https://cdn.example/x");
        QTest::newRow("unsupported scheme")
            << QStringLiteral("http://h/") << QByteArray("ftp://h/file")
            << QStringLiteral("error: unsupported protocol scheme \"ftp\"");
    }
    void location()
    {
        QFETCH(QString, from);
        QFETCH(QByteArray, location);
        QFETCH(QString, to);
        const RedirectLocation r = resolveRedirect(mustParse(from), location);
        QVERIFY(r.parsed);
        if (to.startsWith(u"error: ")) {
            QVERIFY(!r.target);
            QCOMPARE(r.error, to.mid(7));
            return;
        }
        QVERIFY2(r.target, qPrintable(r.error));
        QCOMPARE(r.target->display, to);
    }

    void badLocationFailsToParse()
    {
        const RedirectLocation r = resolveRedirect(mustParse(u"http://h/"_qs), "http://[::1/x");
        QVERIFY(!r.parsed);
        QVERIFY(!r.target);
        QVERIFY2(r.error.startsWith(u"failed to parse Location header \"http://[::1/x\": "_qs),
            qPrintable(r.error));
    }

    void referer()
    {
        QCOMPARE(redirectReferer(mustParse(u"http://h:81/a?b"_qs), mustParse(u"http://x/"_qs)),
            QByteArray("http://h:81/a?b"));
        QCOMPARE(redirectReferer(mustParse(u"https://h/a"_qs), mustParse(u"https://x/"_qs)),
            QByteArray("https://h/a"));
        QCOMPARE(redirectReferer(mustParse(u"https://h/a"_qs), mustParse(u"http://x/"_qs)),
            QByteArray());
    }

    void sensitiveHeaders_data()
    {
        QTest::addColumn<QByteArray>("name");
        QTest::addColumn<QString>("from");
        QTest::addColumn<QString>("to");
        QTest::addColumn<bool>("copied");
        QTest::newRow("same host") << QByteArray("Authorization") << QStringLiteral("http://a.io/")
                                   << QStringLiteral("http://a.io/x") << true;
        QTest::newRow("subdomain") << QByteArray("cookie") << QStringLiteral("http://a.io/")
                                   << QStringLiteral("http://www.a.io/") << true;
        QTest::newRow("parent domain")
            << QByteArray("Authorization") << QStringLiteral("http://www.a.io/")
            << QStringLiteral("http://a.io/") << false;
        QTest::newRow("other port")
            << QByteArray("Www-Authenticate") << QStringLiteral("http://127.0.0.1:1/")
            << QStringLiteral("http://127.0.0.1:2/") << false;
        QTest::newRow("suffix, not a subdomain")
            << QByteArray("Cookie2") << QStringLiteral("http://a.io/")
            << QStringLiteral("http://evila.io/") << false;
        QTest::newRow("other headers always")
            << QByteArray("X-Trace") << QStringLiteral("http://a.io/")
            << QStringLiteral("http://b.io/") << true;
    }
    void sensitiveHeaders()
    {
        QFETCH(QByteArray, name);
        QFETCH(QString, from);
        QFETCH(QString, to);
        QTEST(shouldCopyHeaderOnRedirect(name, mustParse(from), mustParse(to)), "copied");
    }

    void urlErrorOp()
    {
        QCOMPARE(goUrlErrorOp("GET"), QStringLiteral("Get"));
        QCOMPARE(goUrlErrorOp("POST"), QStringLiteral("Post"));
    }
};

QTEST_GUILESS_MAIN(TestHttpRedirect)
#include "tst_http_redirect.moc"
