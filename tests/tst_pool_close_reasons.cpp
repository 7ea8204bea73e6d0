// The close-reason table: one complete, consistent row per CloseReason.
#include "pool/close_reason.h"

#include <QFile>
#include <QRegularExpression>
#include <QSet>
#include <QTest>

using namespace poolscope;

namespace {

QString str(std::string_view s)
{
    return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}

} // namespace

class TestPoolCloseReasons : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void everyReasonHasItsOwnRow()
    {
        QCOMPARE(static_cast<int>(kCloseReasonTable.size()), kCloseReasonCount);
        for (int i = 0; i < kCloseReasonCount; ++i) {
            const auto r = static_cast<CloseReason>(i);
            const CloseReasonInfo &row = closeReasonInfo(r);
            QCOMPARE(row.reason, r);
            QVERIFY2(&row == &kCloseReasonTable[static_cast<std::size_t>(i)], row.key);
            QVERIFY(row.key != nullptr && row.label != nullptr && row.goName != nullptr);
        }
    }

    void keysAreUniqueSnakeCase()
    {
        const QRegularExpression snake(
            QStringLiteral("^[a-z][a-z0-9]*(_[a-z0-9]+)*$")); // h2_goaway
        QSet<QString> keys;
        for (const CloseReasonInfo &row : kCloseReasonTable) {
            const QString key = QString::fromUtf8(row.key);
            QVERIFY2(snake.match(key).hasMatch(), row.key);
            QVERIFY2(!keys.contains(key), row.key);
            keys.insert(key);
        }
        // Recordings and scenario files store these keys: they never change.
        QCOMPARE(str(closeReasonKey(CloseReason::TooManyIdleHost)),
            QStringLiteral("too_many_idle_host"));
        QCOMPARE(str(closeReasonKey(CloseReason::KeepAlivesDisabled)),
            QStringLiteral("keep_alives_disabled"));
        QCOMPARE(str(closeReasonKey(CloseReason::KeepAliveTimeout)),
            QStringLiteral("keep_alive_timeout"));
    }

    void labelsAndGoNamesAreFilledAndLabelsUnique()
    {
        QSet<QString> labels;
        for (const CloseReasonInfo &row : kCloseReasonTable) {
            const QString label = QString::fromUtf8(row.label);
            QVERIFY2(!label.isEmpty(), row.key);
            QVERIFY2(!labels.contains(label), row.key); // a legend must tell reasons apart
            labels.insert(label);
            QCOMPARE(QString::fromUtf8(row.goName).isEmpty(), row.reason == CloseReason::None);
        }
    }

    void chartColoursAreDistinct()
    {
        QSet<std::uint32_t> colours;
        for (const CloseReasonInfo &row : kCloseReasonTable) {
            QVERIFY2(row.rgb <= 0xffffff, row.key);
            if (row.reason == CloseReason::None) {
                continue; // never charted
            }
            QVERIFY2(!colours.contains(row.rgb), row.key); // stacked areas must stay apart
            colours.insert(row.rgb);
        }
        QCOMPARE(closeReasonInfo(CloseReason::TooManyIdleHost).rgb, 0xd62728u); // the storm: red
    }

    // Who sends the first FIN holds TIME_WAIT: the pool's own closes leave it on the
    // client, the server's hang-ups on the server, failed dials nowhere.
    void firstCloserMatchesWhoHangsUp_data()
    {
        QTest::addColumn<int>("reason");
        QTest::addColumn<QString>("closer");
        auto row = [](CloseReason r, const char *closer) {
            QTest::newRow(closeReasonInfo(r).key) << int(r) << QString::fromLatin1(closer);
        };
        row(CloseReason::None, "none");
        row(CloseReason::TooManyIdleHost, "client");
        row(CloseReason::TooManyIdle, "client");
        row(CloseReason::IdleTimeout, "client");
        row(CloseReason::BodyNotRead, "client");
        row(CloseReason::ClientTimeout, "client");
        row(CloseReason::TransportClosed, "client");
        row(CloseReason::ServerClosedIdle, "server");
        row(CloseReason::ConnectionCloseResponse, "server");
        row(CloseReason::KeepAlivesDisabled, "server");
        row(CloseReason::DialFailed, "none");
        row(CloseReason::DialTimeout, "none");
        row(CloseReason::KeepAliveTimeout, "none");
    }
    void firstCloserMatchesWhoHangsUp()
    {
        QFETCH(int, reason);
        QTEST(str(firstCloserName(closeReasonInfo(static_cast<CloseReason>(reason)).closer)),
            "closer");
    }

    void lookupsReadTheTable()
    {
        for (const CloseReasonInfo &row : kCloseReasonTable) {
            QCOMPARE(closeReasonKey(row.reason), std::string_view(row.key));
            QCOMPARE(closeReasonLabel(row.reason), std::string_view(row.label));
            QCOMPARE(closeReasonGoName(row.reason), std::string_view(row.goName));
        }
        const auto bogus = static_cast<CloseReason>(200);
        QCOMPARE(closeReasonKey(bogus), std::string_view("unknown"));
        QCOMPARE(closeReasonLabel(CloseReason::Count_), std::string_view("unknown"));
        QCOMPARE(closeReasonGoName(bogus), std::string_view(""));
    }

    // Every Go identifier a row names (errTooManyIdleHost, nothingWrittenError ...) exists
    // in Go 1.19's transport.go, so the legend points at real code.
    void goNamesExistInGoSource()
    {
        QFile go(QStringLiteral("/usr/lib/go-1.19/src/net/http/transport.go"));
        if (!go.open(QIODevice::ReadOnly)) {
            QSKIP("Go 1.19 sources not installed");
        }
        const QString source = QString::fromUtf8(go.readAll());
        const QRegularExpression ident(QStringLiteral("\\b(err[A-Z]\\w*|[a-z]\\w*Error)\\b"));
        int checked = 0;
        for (const CloseReasonInfo &row : kCloseReasonTable) {
            auto it = ident.globalMatch(QString::fromUtf8(row.goName));
            while (it.hasNext()) {
                const QString name = it.next().captured(1);
                QVERIFY2(source.contains(QRegularExpression(QStringLiteral("\\b%1\\b").arg(name))),
                    qPrintable(name));
                ++checked;
            }
        }
        QVERIFY(checked >= 10);
    }
};

QTEST_GUILESS_MAIN(TestPoolCloseReasons)
#include "tst_pool_close_reasons.moc"
