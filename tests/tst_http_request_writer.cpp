#include "http/request_writer.h"
#include "support/must_parse.h"

#include <QTest>

using namespace poolscope;

using poolscope::testsupport::mustParse;

class TestRequestWriter final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void bytes_data();
    void bytes();
    void gzipRule_data();
    void gzipRule();
    void expectContinueSplitsHeadersAndBody();
    void bigBodyIsExact();
    void invalid_data();
    void invalid();
    void replayable_data();
    void replayable();
    void canonicalKeys_data();
    void canonicalKeys();
    void headerLines_data();
    void headerLines();
};

void TestRequestWriter::bytes_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<qint64>("bodySize");
    QTest::addColumn<bool>("disableKeepAlives");
    QTest::addColumn<bool>("expectContinue");
    QTest::addColumn<HeaderList>("extra");
    QTest::addColumn<QByteArray>("expected");

    // Go's wire layout, checked against Go 1.19 (User-Agent aside): the Transport's own
    // "Accept-Encoding: gzip" and "Connection: close" come last, in that (sorted) order.
    QTest::newRow("plain GET, non-default port")
        << "http://127.0.0.1:8080/x?y=1" << QByteArray("GET") << qint64(0) << false << false
        << HeaderList {}
        << QByteArray("GET /x?y=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: PoolScope/0.1\r\n"
                      "Accept-Encoding: gzip\r\n\r\n");
    QTest::newRow("default port omitted")
        << "http://example.com/" << QByteArray("GET") << qint64(0) << false << false
        << HeaderList {}
        << QByteArray("GET / HTTP/1.1\r\nHost: example.com\r\n"
                      "User-Agent: PoolScope/0.1\r\nAccept-Encoding: gzip\r\n\r\n");
    QTest::newRow("https default port omitted, HEAD asks no gzip")
        << "https://example.com:443/a" << QByteArray("HEAD") << qint64(0) << false << false
        << HeaderList {}
        << QByteArray("HEAD /a HTTP/1.1\r\nHost: example.com\r\nUser-Agent: PoolScope/0.1\r\n\r\n");
    QTest::newRow("ipv6 host") << "http://[::1]:9000/" << QByteArray("GET") << qint64(0) << false
                               << false << HeaderList {}
                               << QByteArray("GET / HTTP/1.1\r\nHost: [::1]:9000\r\n"
                                             "User-Agent: PoolScope/0.1\r\n"
                                             "Accept-Encoding: gzip\r\n\r\n");
    QTest::newRow("keep-alives disabled")
        << "http://h:81/" << QByteArray("GET") << qint64(0) << true << false << HeaderList {}
        << QByteArray("GET / HTTP/1.1\r\nHost: h:81\r\nUser-Agent: PoolScope/0.1\r\n"
                      "Accept-Encoding: gzip\r\nConnection: close\r\n\r\n");
    QTest::newRow("POST with body")
        << "http://h:81/p" << QByteArray("POST") << qint64(5) << false << false << HeaderList {}
        << QByteArray("POST /p HTTP/1.1\r\nHost: h:81\r\nUser-Agent: "
                      "PoolScope/0.1\r\nContent-Length: 5\r\nAccept-Encoding: gzip\r\n\r\nxxxxx");
    QTest::newRow("empty POST gets Content-Length 0")
        << "http://h:81/" << QByteArray("POST") << qint64(0) << false << false << HeaderList {}
        << QByteArray("POST / HTTP/1.1\r\nHost: h:81\r\nUser-Agent: PoolScope/0.1\r\n"
                      "Content-Length: 0\r\nAccept-Encoding: gzip\r\n\r\n");
    QTest::newRow("empty PUT") << "http://h:81/" << QByteArray("PUT") << qint64(0) << false << false
                               << HeaderList {}
                               << QByteArray("PUT / HTTP/1.1\r\nHost: h:81\r\nUser-Agent: "
                                             "PoolScope/0.1\r\nContent-Length: 0\r\n"
                                             "Accept-Encoding: gzip\r\n\r\n");
    QTest::newRow("empty PATCH") << "http://h:81/" << QByteArray("PATCH") << qint64(0) << false
                                 << false << HeaderList {}
                                 << QByteArray("PATCH / HTTP/1.1\r\nHost: h:81\r\nUser-Agent: "
                                               "PoolScope/0.1\r\nContent-Length: 0\r\n"
                                               "Accept-Encoding: gzip\r\n\r\n");
    QTest::newRow("empty DELETE has no length")
        << "http://h:81/" << QByteArray("DELETE") << qint64(0) << false << false << HeaderList {}
        << QByteArray("DELETE / HTTP/1.1\r\nHost: h:81\r\nUser-Agent: PoolScope/0.1\r\n"
                      "Accept-Encoding: gzip\r\n\r\n");
    QTest::newRow("GET with body")
        << "http://h:81/" << QByteArray("GET") << qint64(2) << false << false << HeaderList {}
        << QByteArray("GET / HTTP/1.1\r\nHost: h:81\r\nUser-Agent: "
                      "PoolScope/0.1\r\nContent-Length: 2\r\nAccept-Encoding: gzip\r\n\r\nxx");
    QTest::newRow("expect continue, sorted headers, close last")
        << "http://h:81/" << QByteArray("PUT") << qint64(3) << true << true
        << HeaderList { { "x-trace", "abc" }, { "accept", "*/*" } }
        << QByteArray("PUT / HTTP/1.1\r\nHost: h:81\r\nUser-Agent: PoolScope/0.1\r\n"
                      "Content-Length: 3\r\nAccept: */*\r\nExpect: 100-continue\r\n"
                      "X-Trace: abc\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\nxxx");
    QTest::newRow("expect without body is dropped")
        << "http://h:81/" << QByteArray("GET") << qint64(0) << false << true << HeaderList {}
        << QByteArray("GET / HTTP/1.1\r\nHost: h:81\r\nUser-Agent: PoolScope/0.1\r\n"
                      "Accept-Encoding: gzip\r\n\r\n");
    QTest::newRow("user agent override")
        << "http://h:81/" << QByteArray("GET") << qint64(0) << false << false
        << HeaderList { { "user-agent", "Go-http-client/1.1" } }
        << QByteArray("GET / HTTP/1.1\r\nHost: h:81\r\nUser-Agent: Go-http-client/1.1\r\n"
                      "Accept-Encoding: gzip\r\n\r\n");
    QTest::newRow("empty user agent suppresses it")
        << "http://h:81/" << QByteArray("GET") << qint64(0) << false << false
        << HeaderList { { "User-Agent", "" } }
        << QByteArray("GET / HTTP/1.1\r\nHost: h:81\r\nAccept-Encoding: gzip\r\n\r\n");
    QTest::newRow("user Connection: close not doubled")
        << "http://h:81/" << QByteArray("GET") << qint64(0) << true << false
        << HeaderList { { "connection", "close" } }
        << QByteArray("GET / HTTP/1.1\r\nHost: h:81\r\nUser-Agent: PoolScope/0.1\r\n"
                      "Connection: close\r\nAccept-Encoding: gzip\r\n\r\n");
    QTest::newRow("empty Accept-Encoding counts as none (Go writes both)")
        << "http://h:81/" << QByteArray("GET") << qint64(0) << true << false
        << HeaderList { { "Accept-Encoding", "" } }
        << QByteArray("GET / HTTP/1.1\r\nHost: h:81\r\nUser-Agent: PoolScope/0.1\r\n"
                      "Accept-Encoding: \r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n");
}

void TestRequestWriter::bytes()
{
    QFETCH(QString, url);
    QFETCH(QByteArray, method);
    QFETCH(qint64, bodySize);
    QFETCH(bool, disableKeepAlives);
    QFETCH(bool, expectContinue);
    QFETCH(HeaderList, extra);
    QFETCH(QByteArray, expected);

    RequestSpec spec;
    spec.method = method;
    spec.bodySize = bodySize;
    spec.disableKeepAlives = disableKeepAlives;
    spec.expectContinue = expectContinue;
    spec.extraHeaders = extra;
    QString error;
    const auto t = RequestTemplate::build(mustParse(url), spec, &error);
    QVERIFY2(t.has_value(), qPrintable(error));
    QCOMPARE(t->bytes(), expected);
    QCOMPARE(t->headers().size() + t->body().size(), expected.size());
    QVERIFY(t->headers().endsWith("\r\n\r\n"));
    QCOMPARE(t->body().size(), bodySize);
    QCOMPARE(t->hasBody(), bodySize > 0);
    QCOMPARE(t->headRequest(), method == "HEAD");
    QCOMPARE(t->requestedGzip(), expected.contains("Accept-Encoding: gzip\r\n"));
    QCOMPARE(t->closesConnection(), expected.contains("Connection: close\r\n"));

    // DisableCompression: the same request without the Transport's Accept-Encoding.
    spec.disableCompression = true;
    const auto plain = RequestTemplate::build(mustParse(url), spec, &error);
    QVERIFY2(plain.has_value(), qPrintable(error));
    QByteArray withoutGzip = expected;
    withoutGzip.replace("Accept-Encoding: gzip\r\n", "");
    QCOMPARE(plain->bytes(), withoutGzip);
    QVERIFY(!plain->requestedGzip());
}

void TestRequestWriter::gzipRule_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<HeaderList>("extra");
    QTest::addColumn<bool>("disableCompression");
    QTest::addColumn<bool>("requestedGzip");
    // The Accept-Encoding field on the wire, "" = none.
    QTest::addColumn<QByteArray>("acceptEncoding");

    // Go 1.19 against a local server (persistConn.roundTrip's requestedGzip):
    //   GET, POST                         -> "Accept-Encoding: gzip", decoded
    //   HEAD, GET + Range                 -> nothing
    //   explicit Accept-Encoding: gzip    -> sent as given, NOT decoded (Uncompressed=false)
    //   DisableCompression                -> nothing
    const HeaderList none;
    QTest::newRow("GET") << QByteArray("GET") << none << false << true << QByteArray("gzip");
    QTest::newRow("POST") << QByteArray("POST") << none << false << true << QByteArray("gzip");
    QTest::newRow("DELETE") << QByteArray("DELETE") << none << false << true << QByteArray("gzip");
    QTest::newRow("HEAD") << QByteArray("HEAD") << none << false << false << QByteArray();
    QTest::newRow("lower-case head is not HEAD")
        << QByteArray("head") << none << false << true << QByteArray("gzip");
    QTest::newRow("Range") << QByteArray("GET") << HeaderList { { "range", "bytes=0-10" } } << false
                           << false << QByteArray();
    QTest::newRow("explicit gzip is the caller's")
        << QByteArray("GET") << HeaderList { { "accept-encoding", "gzip" } } << false << false
        << QByteArray("gzip");
    QTest::newRow("explicit identity")
        << QByteArray("GET") << HeaderList { { "Accept-Encoding", "identity" } } << false << false
        << QByteArray("identity");
    QTest::newRow("empty Range counts as none")
        << QByteArray("GET") << HeaderList { { "Range", "" } } << false << true
        << QByteArray("gzip");
    QTest::newRow("blank Range is a value (Go trims only when writing)")
        << QByteArray("GET") << HeaderList { { "Range", " " } } << false << false << QByteArray();
    QTest::newRow("DisableCompression GET")
        << QByteArray("GET") << none << true << false << QByteArray();
    QTest::newRow("DisableCompression POST")
        << QByteArray("POST") << none << true << false << QByteArray();
    QTest::newRow("DisableCompression, explicit gzip still sent")
        << QByteArray("GET") << HeaderList { { "Accept-Encoding", "gzip" } } << true << false
        << QByteArray("gzip");
}

void TestRequestWriter::gzipRule()
{
    QFETCH(QByteArray, method);
    QFETCH(HeaderList, extra);
    QFETCH(bool, disableCompression);
    QFETCH(QByteArray, acceptEncoding);
    RequestSpec spec;
    spec.method = method;
    spec.extraHeaders = extra;
    spec.disableCompression = disableCompression;
    const auto t = RequestTemplate::build(mustParse(QStringLiteral("http://h/")), spec);
    QVERIFY(t.has_value());
    QTEST(t->requestedGzip(), "requestedGzip");
    const QByteArray head = t->headers().toByteArray();
    QCOMPARE(head.count("Accept-Encoding:"), acceptEncoding.isEmpty() ? 0 : 1);
    if (!acceptEncoding.isEmpty())
        QVERIFY2(
            head.contains("\r\nAccept-Encoding: " + acceptEncoding + "\r\n"), head.constData());
}

void TestRequestWriter::expectContinueSplitsHeadersAndBody()
{
    RequestSpec spec;
    spec.method = "POST";
    spec.bodySize = 1000;
    spec.expectContinue = true;
    const auto t = RequestTemplate::build(mustParse(QStringLiteral("http://127.0.0.1:1/")), spec);
    QVERIFY(t.has_value());
    QVERIFY(t->expectContinue());
    QVERIFY(t->headers().endsWith("Expect: 100-continue\r\nAccept-Encoding: gzip\r\n\r\n"));
    QCOMPARE(t->body(), QByteArray(1000, 'x'));
    QCOMPARE(t->headers().toByteArray() + t->body().toByteArray(), t->bytes());
}

void TestRequestWriter::bigBodyIsExact()
{
    RequestSpec spec;
    spec.method = "PUT";
    spec.bodySize = RequestTemplate::kMaxBodySize;
    const auto t = RequestTemplate::build(mustParse(QStringLiteral("http://h/")), spec);
    QVERIFY(t.has_value());
    QCOMPARE(t->body().size(), RequestTemplate::kMaxBodySize);
    QVERIFY(t->headers().contains("Content-Length: 67108864\r\n"));
}

void TestRequestWriter::invalid_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<qint64>("bodySize");
    QTest::addColumn<HeaderList>("extra");
    QTest::addColumn<QString>("error");
    QTest::newRow("empty method") << QByteArray() << qint64(0) << HeaderList {}
                                  << "invalid method \"\": must be a token such as GET or POST";
    QTest::newRow("method with space")
        << QByteArray("GE T") << qint64(0) << HeaderList {}
        << "invalid method \"GE T\": must be a token such as GET or POST";
    QTest::newRow("negative body") << QByteArray("POST") << qint64(-1) << HeaderList {}
                                   << "request body size -1 is out of range (0 to 67108864 bytes)";
    QTest::newRow("huge body")
        << QByteArray("POST") << qint64(RequestTemplate::kMaxBodySize + 1) << HeaderList {}
        << "request body size 67108865 is out of range (0 to 67108864 bytes)";
    QTest::newRow("bad header name")
        << QByteArray("GET") << qint64(0) << HeaderList { { "X Y", "1" } }
        << "invalid header name \"X Y\"";
    QTest::newRow("header injection")
        << QByteArray("GET") << qint64(0) << HeaderList { { "x-a", "1\r\nEvil: 1" } }
        << "header X-A has a control character (CR, LF, NUL ...) in its value";
    QTest::newRow("host header") << QByteArray("GET") << qint64(0)
                                 << HeaderList { { "host", "other" } }
                                 << "header Host cannot be set: it follows from the URL and the "
                                    "body size";
    QTest::newRow("content-length header")
        << QByteArray("POST") << qint64(0) << HeaderList { { "Content-Length", "5" } }
        << "header Content-Length cannot be set: it follows from the URL and the body size";
}

void TestRequestWriter::invalid()
{
    QFETCH(QByteArray, method);
    QFETCH(qint64, bodySize);
    QFETCH(HeaderList, extra);
    RequestSpec spec;
    spec.method = method;
    spec.bodySize = bodySize;
    spec.extraHeaders = extra;
    QString error;
    QVERIFY(!RequestTemplate::build(mustParse(QStringLiteral("http://h/")), spec, &error));
    QTEST(error, "error");
}

void TestRequestWriter::replayable_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<bool>("hasBody");
    QTest::addColumn<HeaderList>("headers");
    QTest::addColumn<bool>("replayable");
    QTest::newRow("GET") << QByteArray("GET") << false << HeaderList {} << true;
    QTest::newRow("HEAD") << QByteArray("HEAD") << false << HeaderList {} << true;
    QTest::newRow("OPTIONS") << QByteArray("OPTIONS") << false << HeaderList {} << true;
    QTest::newRow("TRACE") << QByteArray("TRACE") << false << HeaderList {} << true;
    QTest::newRow("empty method is GET") << QByteArray() << false << HeaderList {} << true;
    QTest::newRow("lower-case get") << QByteArray("get") << false << HeaderList {} << false;
    QTest::newRow("POST") << QByteArray("POST") << false << HeaderList {} << false;
    QTest::newRow("PUT") << QByteArray("PUT") << false << HeaderList {} << false;
    QTest::newRow("DELETE") << QByteArray("DELETE") << false << HeaderList {} << false;
    QTest::newRow("POST idempotency key")
        << QByteArray("POST") << false << HeaderList { { "Idempotency-Key", "k1" } } << true;
    QTest::newRow("POST x-idempotency-key lower case")
        << QByteArray("POST") << false << HeaderList { { "x-idempotency-key", "k1" } } << true;
    QTest::newRow("GET with one-shot body") << QByteArray("GET") << true << HeaderList {} << false;
    QTest::newRow("POST key with one-shot body")
        << QByteArray("POST") << true << HeaderList { { "Idempotency-Key", "k" } } << false;
}

void TestRequestWriter::replayable()
{
    QFETCH(QByteArray, method);
    QFETCH(bool, hasBody);
    QFETCH(HeaderList, headers);
    QTEST(isReplayable(method, hasBody, headers), "replayable");

    // Template bodies are rewindable, so a template is replayable exactly when the same
    // request without a one-shot body would be.
    if (!method.isEmpty() && method == method.toUpper()) {
        RequestSpec spec;
        spec.method = method;
        spec.bodySize = hasBody ? 10 : 0;
        spec.extraHeaders = headers;
        const auto t = RequestTemplate::build(mustParse(QStringLiteral("http://h/")), spec);
        QVERIFY(t.has_value());
        QCOMPARE(t->replayable(), isReplayable(method, false, headers));
    }
}

void TestRequestWriter::canonicalKeys_data()
{
    QTest::addColumn<QByteArray>("in");
    QTest::addColumn<QByteArray>("out");
    QTest::newRow("lower") << QByteArray("content-type") << QByteArray("Content-Type");
    QTest::newRow("upper") << QByteArray("X-IDEMPOTENCY-KEY") << QByteArray("X-Idempotency-Key");
    QTest::newRow("single") << QByteArray("accept") << QByteArray("Accept");
    QTest::newRow("leading dash") << QByteArray("-foo") << QByteArray("-Foo");
    QTest::newRow("invalid kept") << QByteArray("bad key") << QByteArray("bad key");
}

void TestRequestWriter::canonicalKeys()
{
    QFETCH(QByteArray, in);
    QTEST(canonicalHeaderKey(in), "out");
}

// --header's text: one "Name: value" per line, trimmed; the request's own rules apply.
void TestRequestWriter::headerLines_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("fields"); // "name=value|..." or "error: ..."
    QTest::newRow("empty") << QString() << QString();
    QTest::newRow("one") << QStringLiteral("Idempotency-Key: abc")
                         << QStringLiteral("Idempotency-Key=abc");
    QTest::newRow("no space, colon in value")
        << QStringLiteral("X-T:a:b") << QStringLiteral("X-T=a:b");
    QTest::newRow("two lines, blank skipped")
        << QStringLiteral(" A : 1 \n\nb:2") << QStringLiteral("A=1|b=2");
    QTest::newRow("no colon") << QStringLiteral(
        "Accept") << QStringLiteral("error: header \"Accept\" has no colon: want Name: value");
    QTest::newRow("bad name") << QStringLiteral("a b: 1")
                              << QStringLiteral("error: invalid header name \"a b\"");
    QTest::newRow("Host") << QStringLiteral("host: x")
                          << QStringLiteral("error: header Host cannot be set: it follows from the "
                                            "URL and the body size");
}

void TestRequestWriter::headerLines()
{
    QFETCH(QString, text);
    QFETCH(QString, fields);
    QString error;
    const auto parsed = parseHeaderLines(text, &error);
    if (fields.startsWith(u"error: ")) {
        QVERIFY(!parsed);
        QCOMPARE(error, fields.mid(7));
        return;
    }
    QVERIFY2(parsed, qPrintable(error));
    QStringList got;
    for (const auto &[name, value] : *parsed) {
        got << QString::fromLatin1(name + '=' + value);
    }
    QCOMPARE(got.join(u'|'), fields);
}

QTEST_GUILESS_MAIN(TestRequestWriter)
#include "tst_http_request_writer.moc"
