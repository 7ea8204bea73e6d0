// ResponseParser against Go 1.19's client, one row per case where llhttp alone and Go
// disagree (issue 16 #11). Each row says what Go does (checked with a Go 1.19 program
// against a server sending exactly these bytes; the row's `go` column is its output with
// the URL left out) and asserts we do the same: accept, or fail with Go's text. Every row
// is fed whole and byte by byte, so a split read decides nothing.
#include "http/response_parser.h"

#include <QTest>

using namespace poolscope;
using Result = ResponseParser::Result;

namespace {

struct Outcome
{
    Result result = Result::NeedMore;
    bool headersComplete = false;
    QString error;
    qint64 bodyBytes = 0;
};

// The body Go printed with %q in a `go` cell ("200, body \"...\""), unquoted; -1 if none.
qsizetype goBodyLength(const QString &go)
{
    const QString marker = QStringLiteral("body \"");
    const qsizetype at = go.indexOf(marker);
    if (at < 0 || !go.endsWith(u'"'))
        return -1;
    const QString quoted = go.mid(at + marker.size()).chopped(1);
    qsizetype n = 0;
    for (qsizetype i = 0; i < quoted.size(); ++i, ++n) {
        if (quoted[i] != u'\\')
            continue;
        ++i; // \r \n \" \\ are one byte, \xNN is one byte
        if (i < quoted.size() && quoted[i] == u'x')
            i += 2;
    }
    return n;
}

Outcome parse(const QByteArray &bytes, qsizetype piece)
{
    ResponseParser p;
    p.begin(false);
    Outcome o;
    for (qsizetype at = 0; at < bytes.size() && o.result == Result::NeedMore; at += piece) {
        o.result = p.feed(bytes.constData() + at, std::min(piece, bytes.size() - at)).result;
    }
    if (o.result == Result::NeedMore) {
        o.result = p.feedEof(); // the server closes after its bytes
    }
    o.headersComplete = p.headersComplete();
    o.error = p.errorMessage();
    o.bodyBytes = p.bodyBytes();
    return o;
}

} // namespace

class TestHttpGoParity final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void decidedLikeGo_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("go"); // what Go 1.19 prints ("Do: ..." or "body read: ...")
        QTest::addColumn<bool>("accepted"); // Go returns the response and reads the body
        QTest::addColumn<bool>("afterHeaders"); // Go's error comes from Body.Read
        QTest::addColumn<QString>("error"); // Go's error text, without "Get URL: ... broken: "

        const QByteArray ok = "Content-Length: 2\r\n\r\nok";
        QTest::newRow("two-digit status") << "HTTP/1.1 20 OK\r\n" + ok
                                          << "Do: net/http: HTTP/1.x transport connection broken: "
                                             "malformed HTTP status code \"20\""
                                          << false << false << "malformed HTTP status code \"20\"";
        QTest::newRow("four-digit status")
            << "HTTP/1.1 2000 OK\r\n" + ok << "Do: ... malformed HTTP status code \"2000\"" << false
            << false << "malformed HTTP status code \"2000\"";
        QTest::newRow("status 099")
            << "HTTP/1.1 099 OK\r\n" + ok << "99, body \"ok\"" << true << false << "";
        QTest::newRow("leading CRLF")
            << "\r\nHTTP/1.1 200 OK\r\n" + ok << "Do: ... malformed HTTP response \"\"" << false
            << false << "malformed HTTP response \"\"";
        QTest::newRow("bad version") << QByteArray("HTTQ/1.1 200 OK\r\n\r\n")
                                     << "Do: ... malformed HTTP version \"HTTQ/1.1\"" << false
                                     << false << "malformed HTTP version \"HTTQ/1.1\"";
        QTest::newRow("random bytes")
            << QByteArray("\x8fzz?q\r\n") << "Do: ... malformed HTTP response \"\\x8fzz?q\""
            << false << false << "malformed HTTP response \"\\x8fzz?q\"";
        QTest::newRow("Transfer-Encoding: gzip")
            << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nok")
            << "Do: ... unsupported transfer encoding: \"gzip\"" << false << false
            << "unsupported transfer encoding: \"gzip\"";
        QTest::newRow("Transfer-Encoding: gzip, chunked")
            << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, "
                          "chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n")
            << "Do: ... unsupported transfer encoding: \"gzip, chunked\"" << false << false
            << "unsupported transfer encoding: \"gzip, chunked\"";
        QTest::newRow("two Transfer-Encodings")
            << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: "
                          "chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n")
            << "Do: ... too many transfer encodings: [\"chunked\" \"chunked\"]" << false << false
            << "too many transfer encodings: [\"chunked\" \"chunked\"]";
        QTest::newRow("Transfer-Encoding: Chunked") << QByteArray(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n")
                                                    << "200, body \"ok\"" << true << false << "";
        QTest::newRow("1 MB chunk extension")
            << "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2;" + QByteArray(1 << 20, 'a')
                + "\r\nok\r\n0\r\n\r\n"
            << "200, body read: header line too long" << false << true << "header line too long";
        QTest::newRow("4000-byte chunk extension")
            << "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2;" + QByteArray(4000, 'a')
                + "\r\nok\r\n0\r\n\r\n"
            << "200, body \"ok\"" << true << false << "";
        QTest::newRow("1 MB trailer")
            << "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\nX-T: "
                + QByteArray(1 << 20, 'b') + "\r\n\r\n"
            << "200, body read: http: suspiciously long trailer after chunked body" << false << true
            << "http: suspiciously long trailer after chunked body";
        QTest::newRow("small trailer") << QByteArray(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\nX-T: 1\r\n\r\n")
                                       << "200, body \"ok\"" << true << false << "";
        QTest::newRow("NUL in a header name")
            << "HTTP/1.1 200 OK\r\nX-A" + QByteArray(1, '\0') + "b: 1\r\n" + ok
            << "200, body \"ok\"" << true << false << "";
        QTest::newRow("truncated head")
            << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n")
            << "Do: net/http: HTTP/1.x transport connection broken: unexpected EOF" << false
            << false << "unexpected EOF";
        QTest::newRow("truncated body")
            << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nhello")
            << "200, body read: unexpected EOF" << false << true << "unexpected EOF";
        QTest::newRow("Content-Length with chunked")
            << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: "
                          "chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
            << "200, body \"hello\"" << true << false << "";
        QTest::newRow("chunked on HTTP/1.0 is ignored (body until close)")
            << QByteArray(
                   "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n")
            << "200, body \"2\\r\\nok\\r\\n0\\r\\n\\r\\n\"" << true << false << "";
        QTest::newRow("chunked and Content-Length on HTTP/1.0: the length frames") << QByteArray(
            "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: "
            "3\r\n\r\nabcdef") << "200, body \"abc\"" << true << false << "";
        QTest::newRow("empty line after a 1xx")
            << QByteArray("HTTP/1.1 100 Continue\r\n\r\n\r\nHTTP/1.1 200 OK\r\n\r\n")
            << "Do: ... malformed HTTP response \"\"" << false << false
            << "malformed HTTP response \"\"";
        QTest::newRow("NUL in a header after a 1xx")
            << QByteArray("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nX-Bin: a")
                + QByteArray(1, '\0') + "b\r\n" + ok
            << "200, body \"ok\"" << true << false << "";
        QTest::newRow("two identical Content-Lengths (fixLength keeps one)")
            << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello")
            << "200, body \"hello\"" << true << false << "";
        QTest::newRow("two Content-Lengths")
            << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\nhello")
            << "Do: ... http: message cannot contain multiple Content-Length headers; got [\"3\" "
               "\"5\"]"
            << false << false
            << "http: message cannot contain multiple Content-Length headers; got [\"3\" \"5\"]";
        QTest::newRow("a second Content-Length that is not a number")
            << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: x\r\n\r\nhello")
            << "Do: ... http: message cannot contain multiple Content-Length headers; got [\"5\" "
               "\"x\"]"
            << false << false
            << "http: message cannot contain multiple Content-Length headers; got [\"5\" \"x\"]";
        QTest::newRow("two identical non-numbers")
            << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: x\r\nContent-Length: x\r\n\r\nhello")
            << "Do: ... bad Content-Length \"x\"" << false << false << "bad Content-Length \"x\"";
        QTest::newRow("a list in one Content-Length")
            << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n\r\nhello")
            << "Do: ... bad Content-Length \"5, 5\"" << false << false
            << "bad Content-Length \"5, 5\"";
        QTest::newRow("a signed Content-Length")
            << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\nhello")
            << "Do: ... bad Content-Length \"+5\"" << false << false << "bad Content-Length \"+5\"";
        QTest::newRow("a negative Content-Length")
            << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\nhello")
            << "Do: ... bad Content-Length \"-1\"" << false << false << "bad Content-Length \"-1\"";
        QTest::newRow("a Content-Length beyond int64")
            << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\nhello")
            << "Do: ... bad Content-Length \"99999999999999999999\"" << false << false
            << "bad Content-Length \"99999999999999999999\"";
        QTest::newRow("an empty second Content-Length")
            << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: \r\n\r\nhello")
            << "Do: ... http: message cannot contain multiple Content-Length headers; got [\"5\" "
               "\"\"]"
            << false << false
            << "http: message cannot contain multiple Content-Length headers; got [\"5\" \"\"]";
        QTest::newRow("spaces around a Content-Length")
            << QByteArray("HTTP/1.1 200 OK\r\nContent-Length:  5 \r\n\r\nhello")
            << "200, body \"hello\"" << true << false << "";
        QTest::newRow("a leading zero")
            << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 05\r\n\r\nhello")
            << "200, body \"hello\"" << true << false << "";
        QTest::newRow("an empty Content-Length: read to the close")
            << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\nhello")
            << "200, body \"hello\"" << true << false << "";
        QTest::newRow("a bad Content-Length on a 304 (no body: never parsed)")
            << QByteArray("HTTP/1.1 304 Not Modified\r\nContent-Length: x\r\n\r\n")
            << "304, body \"\"" << true << false << "";
        QTest::newRow("a negative Content-Length on a 204")
            << QByteArray("HTTP/1.1 204 No Content\r\nContent-Length: -1\r\n\r\n")
            << "204, body \"\"" << true << false << "";
        QTest::newRow("a bad Content-Length beside chunked")
            << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: "
                          "x\r\n\r\n2\r\nok\r\n0\r\n\r\n")
            << "200, body \"ok\"" << true << false << "";
        QTest::newRow("a bad Content-Length on a 1xx")
            << QByteArray("HTTP/1.1 100 Continue\r\nContent-Length: x\r\n\r\nHTTP/1.1 200 "
                          "OK\r\nContent-Length: 2\r\n\r\nok")
            << "200, body \"ok\"" << true << false << "";
    }

    void decidedLikeGo()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(bool, accepted);
        QFETCH(bool, afterHeaders);
        QFETCH(QString, error);
        for (const qsizetype piece : { bytes.size(), qsizetype(1) }) {
            const Outcome o = parse(bytes, piece);
            const QString where = QStringLiteral("fed in pieces of %1: %2").arg(piece).arg(o.error);
            if (accepted) {
                QVERIFY2(o.result == Result::Complete, qPrintable(where));
                QFETCH(QString, go);
                QCOMPARE(o.bodyBytes, qint64(goBodyLength(go))); // the body Go read
                continue;
            }
            QVERIFY2(o.result == Result::Error, qPrintable(where));
            QCOMPARE(o.headersComplete, afterHeaders);
            QCOMPARE(o.error, error);
        }
    }
};

QTEST_GUILESS_MAIN(TestHttpGoParity)
#include "tst_http_go_parity.moc"
