// Transport.MaxResponseHeaderBytes and Transport.DisableCompression through the real engine,
// against a scripted server on loopback. The expectations are what Go 1.19 does with the
// same responses (checked with a Go client: see the comments at each test).
#include "http/response_parser.h"
#include "load/engine_controller.h"
#include "support/engine_run.h"

#include <QFile>
#include <QSet>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <functional>

using namespace poolscope;
using namespace poolscope::testsupport;
using namespace std::chrono_literals;

Q_DECLARE_METATYPE(poolscope::EngineSnapshot)

namespace {

// Answers every request head with respond(head); keeps connections open (keep-alive).
class ScriptedServer final : public QObject
{
public:
    explicit ScriptedServer(std::function<QByteArray(const QByteArray &head)> respond)
        : m_respond(std::move(respond))
    {
        m_server.listen(QHostAddress::LocalHost, 0);
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *s = m_server.nextPendingConnection()) {
                ++accepted;
                connect(s, &QTcpSocket::readyRead, s, [this, s] { serve(s); });
                connect(s, &QTcpSocket::disconnected, s, &QObject::deleteLater);
            }
        });
    }

    QString url() const
    {
        return QStringLiteral("http://127.0.0.1:%1/").arg(m_server.serverPort());
    }

    int accepted = 0;
    QList<QByteArray> heads; // every request head received, in order

private:
    void serve(QTcpSocket *s)
    {
        QByteArray &pending = m_pending[s];
        pending += s->readAll();
        for (qsizetype end = pending.indexOf("\r\n\r\n"); end >= 0;
             end = pending.indexOf("\r\n\r\n")) {
            const QByteArray head = pending.first(end + 4);
            pending.remove(0, end + 4);
            heads.append(head);
            s->write(m_respond(head));
        }
    }

    std::function<QByteArray(const QByteArray &)> m_respond;
    QTcpServer m_server;
    QHash<QTcpSocket *, QByteArray> m_pending;
};

// A 200 response whose head (status line through the blank line) is exactly headBytes long.
QByteArray responseWithHead(qint64 headBytes, const QByteArray &body)
{
    const QByteArray start
        = "HTTP/1.1 200 OK\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\nX-Pad: ";
    const QByteArray end("\r\n\r\n");
    return start + QByteArray(headBytes - start.size() - end.size(), 'a') + end + body;
}

// A body Go 1.19's gzip.Writer made: "poolscope " x 100000 (1,000,000 bytes) in about 2 KB.
QByteArray goGzipBody(qint64 *decoded)
{
    QFile f(QStringLiteral(POOLSCOPE_SOURCE_DIR "/tests/fixtures/gzip/cases.txt"));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    while (!f.atEnd()) {
        const QList<QByteArray> fields = f.readLine().chopped(1).split('\t');
        if (fields.size() == 4 && fields[0] == "one MB decoded") {
            *decoded = fields[2].toLongLong();
            return QByteArray::fromHex(fields[1]);
        }
    }
    return {};
}

QByteArray acceptEncodingOf(const QByteArray &head)
{
    for (const QByteArray &line : head.split('\n')) {
        if (line.toLower().startsWith("accept-encoding:"))
            return line.mid(16).trimmed();
    }
    return {};
}

} // namespace

class TestEngineHttpKnobs final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { qRegisterMetaType<EngineSnapshot>(); }

    void defaultLimitIsTransportConfigs()
    {
        QCOMPARE(TransportConfig::zero().effectiveMaxResponseHeaderBytes(),
            ResponseParser::kDefaultMaxHeaderBytes);
        QCOMPARE(TransportConfig::goDefault().effectiveMaxResponseHeaderBytes(), qint64(10) << 20);
    }

    void maxResponseHeaderBytes_data()
    {
        QTest::addColumn<qint64>("limit");
        QTest::addColumn<qint64>("head");
        QTest::addColumn<bool>("fails");
        // Go 1.19, same server: "limit 4096 head 4096: 200 OK", "limit 4096 head 4097: ...
        // net/http: server response headers exceeded 4096 bytes; aborted", "limit 0 head
        // 2097152: 200 OK" (0 is 10 MiB on the client, not 1 MiB).
        QTest::newRow("head = limit") << qint64(4096) << qint64(4096) << false;
        QTest::newRow("head = limit + 1") << qint64(4096) << qint64(4097) << true;
        QTest::newRow("5000-byte head over 4096") << qint64(4096) << qint64(5000) << true;
        QTest::newRow("5000-byte head, limit 0") << qint64(0) << qint64(5000) << false;
        QTest::newRow("2 MiB head, limit 0") << qint64(0) << qint64(2) * 1024 * 1024 << false;
    }

    void maxResponseHeaderBytes()
    {
        QFETCH(qint64, limit);
        QFETCH(qint64, head);
        QFETCH(bool, fails);
        ScriptedServer server([head](const QByteArray &) { return responseWithHead(head, "ok"); });
        auto t = TransportConfig::goDefault();
        t.maxResponseHeaderBytes = limit;
        const int requests = 3;
        const auto s = runLoad(loadFor(server.url(), 1, requests), t);
        QCOMPARE(s.requestsDone, std::uint64_t(requests));
        if (!fails) {
            QCOMPARE(s.errors, 0u);
            QCOMPARE(s.bytesRead, std::uint64_t(2 * requests));
            QCOMPARE(s.pool.dials, 1u); // one connection, reused
            return;
        }
        // Every request fails (Go does not retry it: not a transportReadFromServerError),
        // and its connection is closed.
        QCOMPARE(s.errors, std::uint64_t(requests));
        QCOMPARE(errorsOf(s, CloseReason::ProtocolError), std::uint64_t(requests));
        QCOMPARE(s.pool.closes(CloseReason::ProtocolError), std::uint64_t(requests));
        QCOMPARE(s.pool.dials, std::uint64_t(requests));
        // Go's RoundTrip error, word for word (Client.Do adds `Get "url": ` in front).
        QCOMPARE(s.lastError,
            QStringLiteral("net/http: HTTP/1.x transport connection broken: net/http: server "
                           "response headers exceeded %1 bytes; aborted")
                .arg(limit));
        QCOMPARE(s.bytesRead, 0u);
    }

    void disableCompression_data()
    {
        QTest::addColumn<bool>("disable");
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QByteArray>("acceptEncoding");
        // Go 1.19: DisableCompression=false GET -> server saw "Accept-Encoding: gzip", read
        // the decoded length, Uncompressed=true; HEAD -> no Accept-Encoding;
        // DisableCompression=true -> no Accept-Encoding, plain body.
        QTest::newRow("off, GET") << false << QByteArray("GET") << QByteArray("gzip");
        QTest::newRow("off, POST") << false << QByteArray("POST") << QByteArray("gzip");
        QTest::newRow("off, HEAD") << false << QByteArray("HEAD") << QByteArray();
        QTest::newRow("on, GET") << true << QByteArray("GET") << QByteArray();
    }

    void disableCompression()
    {
        QFETCH(bool, disable);
        QFETCH(QByteArray, method);
        QFETCH(QByteArray, acceptEncoding);
        qint64 decoded = 0;
        const QByteArray gz = goGzipBody(&decoded);
        QVERIFY2(!gz.isEmpty() && decoded == 1000000, "tests/fixtures/gzip/cases.txt");
        const QByteArray plain = QByteArray("poolscope ").repeated(1000);
        // Gzips its body when asked to, like nginx with gzip on.
        ScriptedServer server([&](const QByteArray &head) {
            const bool gzip = acceptEncodingOf(head).contains("gzip");
            const QByteArray body = gzip ? gz : plain;
            QByteArray out = "HTTP/1.1 200 OK\r\nContent-Length: " + QByteArray::number(body.size())
                + "\r\n" + (gzip ? "Content-Encoding: gzip\r\n" : "") + "\r\n";
            if (!head.startsWith("HEAD "))
                out += body;
            return out;
        });
        auto t = TransportConfig::goDefault();
        t.disableCompression = disable;
        LoadConfig l = loadFor(server.url(), 1, 4);
        l.method = method;
        const auto s = runLoad(l, t);
        QCOMPARE(s.requestsDone, 4u);
        QCOMPARE(s.errors, 0u);
        QCOMPARE(server.heads.size(), 4);
        for (const QByteArray &head : std::as_const(server.heads))
            QCOMPARE(acceptEncodingOf(head), acceptEncoding);
        // Bytes read are what the caller reads: decoded when the Transport asked for gzip.
        const qint64 perRequest
            = method == "HEAD" ? 0 : (acceptEncoding.isEmpty() ? plain.size() : decoded);
        QCOMPARE(s.bytesRead, std::uint64_t(4 * perRequest));
        QCOMPARE(s.pool.dials, 1u); // decoded to EOF: the connection is reused
    }

    void corruptGzipFailsTheRequest()
    {
        // Go 1.19: io.ReadAll(resp.Body) returns "gzip: invalid header" after Do succeeded.
        ScriptedServer server([](const QByteArray &) {
            return QByteArray("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 20\r\n"
                              "\r\nthis is not gzip!!!!");
        });
        const auto s = runLoad(loadFor(server.url(), 1, 3), TransportConfig::goDefault());
        QCOMPARE(s.requestsDone, 3u);
        QCOMPARE(s.errors, 3u);
        QCOMPARE(errorsOf(s, CloseReason::ProtocolError), 3u);
        QCOMPARE(s.lastError, QStringLiteral("gzip: invalid header"));
        QCOMPARE(s.bytesRead, 0u);
    }

    void togglingDisableCompressionMidRun()
    {
        ScriptedServer server([](const QByteArray &) {
            return QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        });
        EngineController engine;
        engine.setKernelView(false);
        bool finished = false;
        QObject::connect(&engine, &EngineController::runFinished, [&] { finished = true; });
        LoadConfig l = loadFor(server.url(), 1, 0);
        l.duration = 30s;
        l.think = 1ms;
        engine.start(l, TransportConfig::goDefault());
        QTRY_VERIFY_WITH_TIMEOUT(server.heads.size() >= 3, 10000);
        auto t = TransportConfig::goDefault();
        t.disableCompression = true;
        engine.setTransportConfig(t);
        // The request is rebuilt: later requests stop asking for gzip.
        QTRY_VERIFY_WITH_TIMEOUT(acceptEncodingOf(server.heads.last()).isEmpty(), 10000);
        engine.stop();
        QTRY_VERIFY_WITH_TIMEOUT(finished, 10000);
        QCOMPARE(acceptEncodingOf(server.heads.first()), QByteArray("gzip"));
    }

    // --mix-method mid-run: the mixed share (worker 1 of 2) switches to HEAD from the next
    // request it writes, and back to the run's method when the knob is emptied.
    void mixedMethodChangesMidRun()
    {
        ScriptedServer server([](const QByteArray &head) {
            return head.startsWith("HEAD ")
                ? QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n")
                : QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        });
        EngineController engine;
        engine.setKernelView(false);
        bool finished = false;
        QObject::connect(&engine, &EngineController::runFinished, [&] { finished = true; });
        LoadConfig l = loadFor(server.url(), 2, 0);
        l.duration = 30s;
        l.think = 1ms;
        l.mixShare = 0.5;
        l.mixBodyPolicy = BodyPolicy::ReadToEof;
        engine.start(l, TransportConfig::goDefault());
        QTRY_VERIFY_WITH_TIMEOUT(server.heads.size() >= 4, 10000);
        const auto methods = [&server](qsizetype from) {
            QSet<QByteArray> seen;
            for (qsizetype i = from; i < server.heads.size(); ++i) {
                seen.insert(server.heads[i].left(server.heads[i].indexOf(' ')));
            }
            return seen;
        };
        QCOMPARE(methods(0), QSet<QByteArray> { "GET" }); // empty: the same as the method
        l.mixMethod = "HEAD";
        engine.setLoadConfig(l);
        QTRY_VERIFY_WITH_TIMEOUT(methods(0).contains("HEAD"), 10000);
        l.mixMethod.clear();
        engine.setLoadConfig(l);
        const qsizetype back = server.heads.size() + 4; // past what was written before
        QTRY_VERIFY_WITH_TIMEOUT(
            server.heads.size() >= back + 4 && methods(back) == QSet<QByteArray> { "GET" }, 10000);
        engine.stop();
        QTRY_VERIFY_WITH_TIMEOUT(finished, 10000);
    }
};

QTEST_GUILESS_MAIN(TestEngineHttpKnobs)
#include "tst_engine_http_knobs.moc"
