// Hostile modes of the embedded server (ServerConfig::hostile, `run --server-hostile`,
// `serve --hostile`), one row each: what `poolscope run --json` makes of the mode (the
// error kind, the error text, every request accounted for, the books balanced at every
// snapshot), and, with Go installed (POOLSCOPE_GO), what Go 1.19's client says against
// `poolscope serve --hostile MODE` (tests/gohostile): the same text, the same count.
// The real binary; loopback only.
#include "scenario/knob_table.h"
#include "server/hostile_mode.h"
#include "support/go_build.h"
#include "support/run_cli.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTest>

using namespace poolscope;

namespace {

constexpr int kRequests = 3;

// "Get \"http://127.0.0.1:4711/\": read tcp 127.0.0.1:5000->127.0.0.1:4711: ..." ->
// "read tcp 127.0.0.1:PORT->127.0.0.1:SPORT: ...": comparable across runs and sides. The
// url.Error around Do's errors ("Get \"URL\": ") is left out: PoolScope writes it for the
// errors http.Client makes itself (Client.Timeout, redirects), not for the Transport's.
QString normalized(QString text, const QString &url)
{
    text.replace(url, QStringLiteral("URL"));
    if (text.startsWith(QLatin1String("Get \"URL\": "))) {
        text.remove(0, 11);
    }
    static const QRegularExpression ports(
        QStringLiteral("127\\.0\\.0\\.1:(\\d+|PORT)->127\\.0\\.0\\.1:\\d+"));
    text.replace(ports, QStringLiteral("127.0.0.1:PORT->127.0.0.1:SPORT"));
    return text;
}

} // namespace

class TestCliHostile final : public QObject
{
    Q_OBJECT

    QString m_bin;
    QString m_gohostile; // empty: no Go here
    qint64 m_hostileSent = 0; // hostile responses the server sent, over every row

    // Go's client against `poolscope serve --hostile mode`; the JSON gohostile prints.
    QJsonObject goAgainst(const QString &mode, const QStringList &goFlags)
    {
        QProcess serve;
        serve.start(m_bin, { QStringLiteral("serve"), QStringLiteral("--hostile"), mode });
        if (!serve.waitForStarted(10000) || !serve.waitForReadyRead(10000)) {
            return {};
        }
        const QString line = QString::fromUtf8(serve.readLine()).trimmed();
        const QString url = line.section(u' ', 2);
        QProcess go;
        go.start(m_gohostile,
            QStringList { QStringLiteral("--url"), url, QStringLiteral("--requests"),
                QString::number(kRequests) }
                + goFlags);
        const bool done = go.waitForFinished(60000);
        serve.terminate();
        serve.waitForFinished(10000);
        if (!done) {
            go.kill();
            go.waitForFinished();
            return {};
        }
        return QJsonDocument::fromJson(go.readAllStandardOutput()).object();
    }

    bool buildGo()
    {
        const QString go = qEnvironmentVariable("POOLSCOPE_GO");
        if (go.isEmpty() || !QFile::exists(go)) {
            return false;
        }
        const QString dir = QStringLiteral(POOLSCOPE_BINARY_DIR "/gohostile");
        QDir().mkpath(dir);
        const testsupport::GoBuild b
            = testsupport::goBuild(go, QStringLiteral(POOLSCOPE_SOURCE_DIR "/tests/gohostile"), dir,
                dir + QStringLiteral("/gohostile"));
        if (!b.ok) {
            qWarning("go build of tests/gohostile failed: %s", qPrintable(b.output));
            return false;
        }
        m_gohostile = dir + QStringLiteral("/gohostile");
        return true;
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_bin = qEnvironmentVariable("POOLSCOPE_BIN");
        if (m_bin.isEmpty()) {
            QSKIP("POOLSCOPE_BIN not set: needs the poolscope binary");
        }
        if (!buildGo()) {
            qInfo("no Go (POOLSCOPE_GO): PoolScope's side only");
        }
    }

    void cleanupTestCase()
    {
        qInfo("hostile responses sent by the embedded server in this test: %lld", m_hostileSent);
    }

    void everyModeHasARow()
    {
        QCOMPARE(hostileModes().size(), std::size_t(HostileMode::Count_));
        // The knob table's list (the settings panel, --server-hostile, --hostile) is the
        // same, in the same order.
        const Knob *knob = findKnob(u"server.hostile");
        QVERIFY(knob);
        QCOMPARE(knob->choices.size(), hostileModes().size());
        for (std::size_t i = 0; i < hostileModes().size(); ++i) {
            QCOMPARE(std::size_t(hostileModes()[i].mode), i);
            QCOMPARE(QLatin1String(knob->choices[i].key), QLatin1String(hostileModes()[i].key));
        }
    }

    void modeEndsTheRequestInGosWords_data()
    {
        QTest::addColumn<QString>("mode");
        QTest::addColumn<QStringList>("flags"); // client flags, the same for run and gohostile
        QTest::addColumn<QString>("kind"); // errors_by_kind key, "" = no error
        QTest::addColumn<QString>("text"); // Go's text, normalized(); a prefix of it
        QTest::addColumn<int>("responses"); // Do returned a response, of kRequests

        const QString broken = QStringLiteral("net/http: HTTP/1.x transport connection broken: ");
        const QStringList none;
        const QStringList timeout { QStringLiteral("--timeout"), QStringLiteral("300ms") };
        // Go: `malformed HTTP response "<the 48 bytes>"`; the bytes follow the seed.
        QTest::newRow("garbage") << "garbage" << none << "protocol_error"
                                 << broken + QStringLiteral("malformed HTTP response \"") << 0;
        QTest::newRow("truncated-head") << "truncated-head" << none << "read_error"
                                        << broken + QStringLiteral("unexpected EOF") << 0;
        QTest::newRow("truncated-body") << "truncated-body" << none << "read_error"
                                        << QStringLiteral("unexpected EOF") << kRequests;
        QTest::newRow("length-longer")
            << "length-longer" << timeout << "client_timeout_reading_body"
            << QStringLiteral("context deadline exceeded (Client.Timeout or context cancellation "
                              "while reading body)")
            << kRequests;
        // Go reads the 32 bytes, then sees the rest as an unsolicited response and drops the
        // connection (readLoopPeekFailLocked): no error, no reuse.
        QTest::newRow("length-shorter") << "length-shorter" << none << ""
                                        << "" << kRequests;
        QTest::newRow("bad-chunk-size")
            << "bad-chunk-size" << none << "protocol_error"
            << QStringLiteral("invalid byte in chunk length") << kRequests;
        QTest::newRow("huge-headers") << "huge-headers" << none << "protocol_error"
                                      << broken
                + QStringLiteral(
                    "net/http: server response headers exceeded 10485760 bytes; aborted")
                                      << 0;
        QTest::newRow("trickle-head")
            << "trickle-head"
            << QStringList { QStringLiteral("--response-header-timeout"), QStringLiteral("100ms") }
            << "response_header_timeout"
            << QStringLiteral("net/http: timeout awaiting response headers") << 0;
        QTest::newRow("trickle-body")
            << "trickle-body" << timeout << "client_timeout_reading_body"
            << QStringLiteral("context deadline exceeded (Client.Timeout or context cancellation "
                              "while reading body)")
            << kRequests;
        QTest::newRow("reset") << "reset" << none << "read_error"
                               << QStringLiteral("read tcp 127.0.0.1:PORT->127.0.0.1:SPORT: "
                                                 "read: connection reset by peer")
                               << 0;
        QTest::newRow("reset-mid-body")
            << "reset-mid-body" << none << "read_error"
            << QStringLiteral(
                   "read tcp 127.0.0.1:PORT->127.0.0.1:SPORT: read: connection reset by peer")
            << kRequests;
        QTest::newRow("never-answer")
            << "never-answer" << timeout << "client_timeout"
            << QStringLiteral("context deadline exceeded (Client.Timeout exceeded while "
                              "awaiting headers)")
            << 0;
        QTest::newRow("1xx-storm")
            << "1xx-storm" << none << "protocol_error"
            << broken + QStringLiteral("net/http: too many 1xx informational responses") << 0;
        // Go drops Content-Length when the response is chunked (transfer.go fixLength).
        QTest::newRow("length-and-chunked") << "length-and-chunked" << none << ""
                                            << "" << kRequests;
        QTest::newRow("two-lengths") << "two-lengths" << none << "protocol_error"
                                     << broken
                + QStringLiteral("http: message cannot contain multiple Content-Length headers; "
                                 "got [\"64\" \"65\"]")
                                     << 0;
    }

    void modeEndsTheRequestInGosWords()
    {
        QFETCH(QString, mode);
        QFETCH(QStringList, flags);
        QFETCH(QString, kind);
        QFETCH(QString, text);
        QFETCH(int, responses);

        const auto r = testsupport::runCli(m_bin,
            QStringList { QStringLiteral("run"), QStringLiteral("--json"),
                QStringLiteral("--no-kernel"), QStringLiteral("--quiet"),
                QStringLiteral("--workers"), QStringLiteral("1"), QStringLiteral("--requests"),
                QString::number(kRequests), QStringLiteral("--server-hostile"), mode }
                + flags,
            60000);
        QVERIFY2(r.code == 0 || (r.code == 1 && responses == 0), qPrintable(r.err));
        const QJsonObject &o = r.json;
        const QString url = o.value(u"target").toString();
        QCOMPARE(o.value(u"requests").toInt(), kRequests);
        QCOMPARE(o.value(u"responses").toInt(), responses);
        const QJsonObject errors = o.value(u"errors_by_kind").toObject();
        if (kind.isEmpty()) {
            QCOMPARE(o.value(u"errors").toInt(), 0);
        } else {
            QCOMPARE(errors.keys(), QStringList { kind });
            QCOMPARE(errors.value(kind).toInt(), kRequests);
            const QString ours = normalized(o.value(u"last_error").toString(), url);
            QVERIFY2(ours.startsWith(text), qPrintable(ours));
        }
        if (mode == u"length-shorter") {
            // Stray bytes after a response: Go's readLoopPeekFailLocked closes the connection,
            // a protocol matter, not "Connection: close" (issue 16 #11).
            const QJsonObject reasons = o.value(u"close_reasons").toObject();
            QCOMPARE(reasons.keys(), QStringList { QStringLiteral("protocol_error") });
            QCOMPARE(reasons.value(u"protocol_error").toInt(), kRequests);
        }
        // Every connection accounted for, at every snapshot and at the end.
        const QJsonObject books = o.value(u"books").toObject();
        QVERIFY(books.value(u"snapshots").toInt() >= 1);
        QCOMPARE(books.value(u"unbalanced").toInt(), 0);
        QCOMPARE(o.value(u"dials").toInt(),
            o.value(u"closed").toInt() + o.value(u"open_at_end").toInt());
        // The server sent one hostile response per request (Go retries none of these: each
        // fails on a fresh connection, or after Do returned).
        const qint64 sent = o.value(u"server").toObject().value(u"requests").toInteger();
        QCOMPARE(sent, qint64(kRequests));
        m_hostileSent += sent;

        if (m_gohostile.isEmpty()) {
            return;
        }
        const QJsonObject go = goAgainst(mode, flags);
        QVERIFY2(!go.isEmpty(), "gohostile did not answer");
        QCOMPARE(go.value(u"responses").toInt(), responses);
        const QJsonObject goErrors = go.value(u"errors").toObject();
        if (kind.isEmpty()) {
            QCOMPARE(goErrors.size(), 0);
        } else {
            // Go's text for every request (one text, or one per draw of random bytes), and
            // ours is one of them.
            int count = 0;
            QStringList goTexts;
            for (auto it = goErrors.begin(); it != goErrors.end(); ++it) {
                goTexts << normalized(it.key(), QStringLiteral("URL"));
                QVERIFY2(goTexts.last().startsWith(text), qPrintable(goTexts.last()));
                count += it.value().toInt();
            }
            QCOMPARE(count, kRequests);
            const QString ours = normalized(o.value(u"last_error").toString(), url);
            QVERIFY2(goTexts.contains(ours),
                qPrintable(ours + QStringLiteral(" not in ") + goTexts.join(u'|')));
        }
        QCOMPARE(o.value(u"dials").toInt(), go.value(u"dials").toInt());
        m_hostileSent += kRequests;
    }
};

QTEST_GUILESS_MAIN(TestCliHostile)
#include "tst_cli_hostile.moc"
