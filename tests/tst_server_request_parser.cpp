// The embedded server's request parser, fed byte by byte and in one piece: every split of the
// input must give the same requests, and every malformed input the same error.
#include "server/request_parser.h"

#include <QTest>
#include <vector>

using namespace poolscope;

namespace {

struct Parsed
{
    RequestParser::Request request;
    bool continueExpected = false;
};

struct Outcome
{
    std::vector<Parsed> requests;
    RequestParser::Error error = RequestParser::Error::None;
    bool inProgress = false;
};

// Feeds `input` in pieces of `step` bytes (0 = all at once) and records what came out.
Outcome run(const QByteArray &input, qsizetype step)
{
    RequestParser parser;
    Outcome outcome;
    bool continueSeen = false;
    const qsizetype piece = step > 0 ? step : input.size();
    for (qsizetype offset = 0; offset < input.size(); offset += piece) {
        const char *data = input.constData() + offset;
        const qsizetype size = std::min(piece, input.size() - offset);
        qsizetype pos = 0;
        while (pos < size) {
            const auto result = parser.feed(data + pos, size - pos);
            pos += result.consumed;
            if (result.status == RequestParser::Status::Error) {
                outcome.error = parser.error();
                return outcome;
            }
            if (result.status == RequestParser::Status::ContinueExpected)
                continueSeen = true;
            if (result.status == RequestParser::Status::RequestComplete) {
                outcome.requests.push_back({ parser.request(), continueSeen });
                continueSeen = false;
            }
            if (result.status == RequestParser::Status::NeedMore && pos < size) {
                qWarning("parser returned NeedMore without consuming its input");
                outcome.error = RequestParser::Error::BadRequest;
                return outcome;
            }
        }
    }
    outcome.inProgress = parser.inProgress();
    return outcome;
}

} // namespace

class TestServerRequestParser final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void pipelinedRequestsInAnySplit()
    {
        const QByteArray input
            = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
              "\r\n" // a stray CRLF between requests is ignored
              "HEAD /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
              "POST /c HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello"
              "PUT /d HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
              "3\r\nabc\r\n10;name=value\r\n0123456789abcdef\r\n0\r\nTrailer: t\r\n\r\n"
              "GET /e HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
              "GET /f HTTP/1.0\n\n" // bare LF line endings
              "PUT /g HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok";
        for (const qsizetype step : { qsizetype(0), qsizetype(1), qsizetype(2), qsizetype(7) }) {
            const Outcome outcome = run(input, step);
            QCOMPARE(outcome.error, RequestParser::Error::None);
            QCOMPARE(outcome.requests.size(), size_t(7));
            QVERIFY(!outcome.inProgress);
            const auto &r = outcome.requests;
            QVERIFY(!r[0].request.head && r[0].request.keepAlive && !r[0].request.http10);
            QVERIFY(r[1].request.head && !r[1].request.keepAlive);
            QVERIFY(!r[2].request.head && r[2].request.keepAlive);
            QVERIFY(r[3].request.keepAlive);
            QVERIFY(r[4].request.http10 && r[4].request.keepAlive);
            QVERIFY(r[5].request.http10 && !r[5].request.keepAlive);
            QVERIFY(r[6].request.expectContinue && r[6].continueExpected);
            QVERIFY(!r[0].continueExpected);
        }
    }

    void partialRequestIsInProgress()
    {
        const Outcome outcome = run("GET / HTTP/1.1\r\nHost:", 0);
        QCOMPARE(outcome.requests.size(), size_t(0));
        QCOMPARE(outcome.error, RequestParser::Error::None);
        QVERIFY(outcome.inProgress);
    }

    void expectContinueWithoutBodyNeedsNoInterimResponse()
    {
        const Outcome outcome = run("GET / HTTP/1.1\r\nExpect: 100-continue\r\n\r\n", 1);
        QCOMPARE(outcome.requests.size(), size_t(1));
        QVERIFY(!outcome.requests[0].continueExpected);
    }

    void malformedInput_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<RequestParser::Error>("error");
        using E = RequestParser::Error;
        QTest::newRow("not http") << QByteArray("THIS IS NOT HTTP\r\n\r\n") << E::BadRequest;
        QTest::newRow("no target") << QByteArray("GET  HTTP/1.1\r\n\r\n") << E::BadRequest;
        QTest::newRow("bad version") << QByteArray("GET / HTTQ/1.1\r\n\r\n") << E::BadRequest;
        QTest::newRow("http/2.0") << QByteArray("GET / HTTP/2.0\r\n\r\n") << E::UnsupportedVersion;
        QTest::newRow("space before colon")
            << QByteArray("GET / HTTP/1.1\r\nHost : x\r\n\r\n") << E::BadRequest;
        QTest::newRow("obs-fold") << QByteArray("GET / HTTP/1.1\r\nX-A: 1\r\n  continued\r\n\r\n")
                                  << E::BadRequest;
        QTest::newRow("bad content-length")
            << QByteArray("POST / HTTP/1.1\r\nContent-Length: 12a\r\n\r\n") << E::BadRequest;
        QTest::newRow("conflicting content-length")
            << QByteArray("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n")
            << E::BadRequest;
        QTest::newRow("te and cl") << QByteArray(
            "POST / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n")
                                   << E::BadRequest;
        QTest::newRow("te gzip") << QByteArray("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n")
                                 << E::NotImplemented;
        QTest::newRow("chunked not last")
            << QByteArray("POST / HTTP/1.1\r\nTransfer-Encoding: chunked, chunked\r\n\r\n")
            << E::BadRequest;
        QTest::newRow("bad chunk size")
            << QByteArray("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")
            << E::BadRequest;
        QTest::newRow("chunk without crlf")
            << QByteArray("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\naXY\r\n")
            << E::BadRequest;
        QTest::newRow("huge chunk size") << QByteArray(
            "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n")
                                         << E::BadRequest;
        QByteArray tooLarge = "GET / HTTP/1.1\r\nX-Big: ";
        tooLarge += QByteArray(RequestParser::kMaxHeadBytes, 'a');
        tooLarge += "\r\n\r\n";
        QTest::newRow("head over limit") << tooLarge << E::HeadTooLarge;
        QTest::newRow("endless head")
            << QByteArray(RequestParser::kMaxHeadBytes + 10, 'a') << E::HeadTooLarge;
        // Decided by us on top of llhttp (see request_parser.h).
        QTest::newRow("te gzip, chunked")
            << QByteArray("POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n")
            << E::NotImplemented;
        QTest::newRow("te chunked, gzip")
            << QByteArray("POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n")
            << E::BadRequest;
        QTest::newRow("te empty") << QByteArray("POST / HTTP/1.1\r\nTransfer-Encoding:\r\n\r\n")
                                  << E::BadRequest;
        QTest::newRow("http/0.9") << QByteArray("GET /\r\n\r\n") << E::BadRequest;
        QTest::newRow("http/3.1") << QByteArray("GET / HTTP/3.1\r\n\r\n") << E::UnsupportedVersion;
        QTest::newRow("obs-fold after empty value")
            << QByteArray("GET / HTTP/1.1\r\nX-A:\r\n continued\r\n\r\n") << E::BadRequest;
        QTest::newRow("space after method")
            << QByteArray("GET\t/ HTTP/1.1\r\n\r\n") << E::BadRequest;
        QByteArray longExtension = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1;x=";
        longExtension += QByteArray(RequestParser::kMaxChunkLineBytes, 'e');
        QTest::newRow("chunk extension over limit") << longExtension << E::BadRequest;
        QByteArray bigTrailer = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nT: ";
        bigTrailer += QByteArray(RequestParser::kMaxHeadBytes, 't');
        QTest::newRow("trailers over limit") << bigTrailer << E::HeadTooLarge;
        // What llhttp refuses where the hand-written parser (and Go) accepted it.
        QTest::newRow("llhttp: equal content-lengths")
            << QByteArray("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx")
            << E::BadRequest;
        QTest::newRow("llhttp: bare lf inside headers")
            << QByteArray("GET / HTTP/1.1\r\nHost: x\nX: y\r\n\r\n") << E::BadRequest;
    }

    void malformedInput()
    {
        QFETCH(QByteArray, input);
        QFETCH(RequestParser::Error, error);
        for (const qsizetype step : { qsizetype(0), qsizetype(1), qsizetype(1000) }) {
            const Outcome outcome = run(input, step);
            QCOMPARE(outcome.error, error);
            QCOMPARE(outcome.requests.size(), size_t(0));
        }
    }

    void headJustUnderTheLimitIsAccepted()
    {
        QByteArray input = "GET / HTTP/1.1\r\nX-Big: ";
        const qsizetype fixed = input.size() + 4; // "\r\n\r\n"
        input += QByteArray(RequestParser::kMaxHeadBytes - fixed, 'a');
        input += "\r\n\r\n";
        QCOMPARE(input.size(), RequestParser::kMaxHeadBytes);
        for (const qsizetype step : { qsizetype(0), qsizetype(1000) }) {
            const Outcome outcome = run(input, step);
            QCOMPARE(outcome.error, RequestParser::Error::None);
            QCOMPARE(outcome.requests.size(), size_t(1));
        }
    }

    void anyTokenIsAMethodAndNothingUpgrades()
    {
        // llhttp alone knows only its method table and would switch to tunnel mode after
        // CONNECT or an Upgrade request; the server answers each like GET.
        const QByteArray input = "FROB /x HTTP/1.1\r\n\r\n"
                                 "CONNECT h:1 HTTP/1.1\r\nContent-Length: 2\r\n\r\nab"
                                 "GET / HTTP/1.1\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n"
                                 "GET / HTTP/1.2\r\n\r\n"; // any 1.x is HTTP/1.1 to us
        for (const qsizetype step : { qsizetype(0), qsizetype(1) }) {
            const Outcome outcome = run(input, step);
            QCOMPARE(outcome.error, RequestParser::Error::None);
            QCOMPARE(outcome.requests.size(), size_t(4));
            QVERIFY(!outcome.requests[3].request.http10);
            QVERIFY(!outcome.inProgress);
        }
    }

    void headMethodIsCaseSensitive()
    {
        const Outcome outcome = run("head / HTTP/1.1\r\n\r\n", 0);
        QCOMPARE(outcome.requests.size(), size_t(1));
        QVERIFY(!outcome.requests[0].request.head); // an unknown method, answered like GET
    }
};

QTEST_GUILESS_MAIN(TestServerRequestParser)
#include "tst_server_request_parser.moc"
