// Expected values are literals produced by Go 1.19's time.ParseDuration and
// Duration.String() (a throw-away Go program printed them); the test never runs Go.
#include "metrics/go_duration.h"

#include <QTest>
#include <limits>

using namespace poolscope;
using namespace std::chrono_literals;

class TestGoDuration final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parseValid_data();
    void parseValid();
    void parseInvalid_data();
    void parseInvalid();
    void format_data();
    void format();
    void roundTrip_data();
    void roundTrip();
    void errorPointerOptional();
};

void TestGoDuration::parseValid_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("nanoseconds");
    QTest::newRow("0") << QString::fromUtf8("0") << qint64(0LL);
    QTest::newRow("+0") << QString::fromUtf8("+0") << qint64(0LL);
    QTest::newRow("-0") << QString::fromUtf8("-0") << qint64(0LL);
    QTest::newRow("5s") << QString::fromUtf8("5s") << qint64(5000000000LL);
    QTest::newRow("30s") << QString::fromUtf8("30s") << qint64(30000000000LL);
    QTest::newRow("1478s") << QString::fromUtf8("1478s") << qint64(1478000000000LL);
    QTest::newRow("-5s") << QString::fromUtf8("-5s") << qint64(-5000000000LL);
    QTest::newRow("+5s") << QString::fromUtf8("+5s") << qint64(5000000000LL);
    QTest::newRow("-0s") << QString::fromUtf8("-0s") << qint64(0LL);
    QTest::newRow("1.5s") << QString::fromUtf8("1.5s") << qint64(1500000000LL);
    QTest::newRow(".5s") << QString::fromUtf8(".5s") << qint64(500000000LL);
    QTest::newRow("5.s") << QString::fromUtf8("5.s") << qint64(5000000000LL);
    QTest::newRow("1.004s") << QString::fromUtf8("1.004s") << qint64(1004000000LL);
    QTest::newRow("1.0040s") << QString::fromUtf8("1.0040s") << qint64(1004000000LL);
    QTest::newRow("100.00100s") << QString::fromUtf8("100.00100s") << qint64(100001000000LL);
    QTest::newRow("10ns") << QString::fromUtf8("10ns") << qint64(10LL);
    QTest::newRow("11us") << QString::fromUtf8("11us") << qint64(11000LL);
    QTest::newRow("12µs") << QString::fromUtf8("12µs") << qint64(12000LL);
    QTest::newRow("12μs") << QString::fromUtf8("12μs") << qint64(12000LL);
    QTest::newRow("13ms") << QString::fromUtf8("13ms") << qint64(13000000LL);
    QTest::newRow("14s") << QString::fromUtf8("14s") << qint64(14000000000LL);
    QTest::newRow("15m") << QString::fromUtf8("15m") << qint64(900000000000LL);
    QTest::newRow("16h") << QString::fromUtf8("16h") << qint64(57600000000000LL);
    QTest::newRow("3h30m") << QString::fromUtf8("3h30m") << qint64(12600000000000LL);
    QTest::newRow("10.5s4m") << QString::fromUtf8("10.5s4m") << qint64(250500000000LL);
    QTest::newRow("-2m3.4s") << QString::fromUtf8("-2m3.4s") << qint64(-123400000000LL);
    QTest::newRow("1h2m3s4ms5us6ns")
        << QString::fromUtf8("1h2m3s4ms5us6ns") << qint64(3723004005006LL);
    QTest::newRow("39h9m14.425s") << QString::fromUtf8("39h9m14.425s") << qint64(140954425000000LL);
    QTest::newRow("52763797000ns") << QString::fromUtf8("52763797000ns") << qint64(52763797000LL);
    QTest::newRow("0.3333333333333333333h")
        << QString::fromUtf8("0.3333333333333333333h") << qint64(1200000000000LL);
    QTest::newRow("9007199254740993ns")
        << QString::fromUtf8("9007199254740993ns") << qint64(9007199254740993LL);
    QTest::newRow("9223372036854775807ns")
        << QString::fromUtf8("9223372036854775807ns") << qint64(9223372036854775807LL);
    QTest::newRow("9223372036854775.807us")
        << QString::fromUtf8("9223372036854775.807us") << qint64(9223372036854775807LL);
    QTest::newRow("9223372036854.775807ms")
        << QString::fromUtf8("9223372036854.775807ms") << qint64(9223372036854775807LL);
    QTest::newRow("-9223372036854775808ns") << QString::fromUtf8("-9223372036854775808ns")
                                            << qint64(std::numeric_limits<qint64>::min());
    QTest::newRow("-9223372036854775.808us") << QString::fromUtf8("-9223372036854775.808us")
                                             << qint64(std::numeric_limits<qint64>::min());
    QTest::newRow("0.100000000000000000000h")
        << QString::fromUtf8("0.100000000000000000000h") << qint64(360000000000LL);
    QTest::newRow("0.830103483285477580700h")
        << QString::fromUtf8("0.830103483285477580700h") << qint64(2988372539827LL);
    QTest::newRow("300ms") << QString::fromUtf8("300ms") << qint64(300000000LL);
    QTest::newRow("-1.5h") << QString::fromUtf8("-1.5h") << qint64(-5400000000000LL);
    QTest::newRow("2h45m") << QString::fromUtf8("2h45m") << qint64(9900000000000LL);
    QTest::newRow("1us") << QString::fromUtf8("1us") << qint64(1000LL);
}

void TestGoDuration::parseValid()
{
    QFETCH(QString, text);
    QFETCH(qint64, nanoseconds);
    QString error = QStringLiteral("untouched");
    const auto parsed = parseGoDuration(text, &error);
    QVERIFY2(parsed.has_value(), qPrintable(error));
    QCOMPARE(qint64(parsed->count()), nanoseconds);
    QCOMPARE(error, QStringLiteral("untouched"));
}

void TestGoDuration::parseInvalid_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("message");
    QTest::newRow("(empty)") << QString::fromUtf8("")
                             << QStringLiteral("time: invalid duration \"\"");
    QTest::newRow("3") << QString::fromUtf8("3")
                       << QStringLiteral("time: missing unit in duration \"3\"");
    QTest::newRow("-") << QString::fromUtf8("-") << QStringLiteral("time: invalid duration \"-\"");
    QTest::newRow("s") << QString::fromUtf8("s") << QStringLiteral("time: invalid duration \"s\"");
    QTest::newRow(".") << QString::fromUtf8(".") << QStringLiteral("time: invalid duration \".\"");
    QTest::newRow("-.") << QString::fromUtf8("-.")
                        << QStringLiteral("time: invalid duration \"-.\"");
    QTest::newRow(".s") << QString::fromUtf8(".s")
                        << QStringLiteral("time: invalid duration \".s\"");
    QTest::newRow("+.s") << QString::fromUtf8("+.s")
                         << QStringLiteral("time: invalid duration \"+.s\"");
    QTest::newRow("1d") << QString::fromUtf8("1d")
                        << QStringLiteral("time: unknown unit \"d\" in duration \"1d\"");
    QTest::newRow("1.1.1s") << QString::fromUtf8("1.1.1s")
                            << QStringLiteral("time: missing unit in duration \"1.1.1s\"");
    QTest::newRow("3000000h") << QString::fromUtf8("3000000h")
                              << QStringLiteral("time: invalid duration \"3000000h\"");
    QTest::newRow("9223372036854775808ns")
        << QString::fromUtf8("9223372036854775808ns")
        << QStringLiteral("time: invalid duration \"9223372036854775808ns\"");
    QTest::newRow("9223372036854775.808us")
        << QString::fromUtf8("9223372036854775.808us")
        << QStringLiteral("time: invalid duration \"9223372036854775.808us\"");
    QTest::newRow("-9223372036854775809ns")
        << QString::fromUtf8("-9223372036854775809ns")
        << QStringLiteral("time: invalid duration \"-9223372036854775809ns\"");
    QTest::newRow("10 s") << QString::fromUtf8("10 s")
                          << QStringLiteral("time: unknown unit \" s\" in duration \"10 s\"");
    QTest::newRow("1h-1m") << QString::fromUtf8("1h-1m")
                           << QStringLiteral("time: unknown unit \"h-\" in duration \"1h-1m\"");
    QTest::newRow("1\"s") << QString::fromUtf8("1\"s")
                          << QStringLiteral("time: unknown unit \"\\\"s\" in duration \"1\\\"s\"");
    QTest::newRow("1µ") << QString::fromUtf8(
        "1µ") << QStringLiteral("time: unknown unit \"\\xc2\\xb5\" in duration \"1\\xc2\\xb5\"");
    QTest::newRow("1x") << QString::fromUtf8("1x")
                        << QStringLiteral("time: unknown unit \"x\" in duration \"1x\"");
    QTest::newRow("12 ") << QString::fromUtf8("12 ")
                         << QStringLiteral("time: unknown unit \" \" in duration \"12 \"");
    QTest::newRow("-1") << QString::fromUtf8("-1")
                        << QStringLiteral("time: missing unit in duration \"-1\"");
    QTest::newRow("1e3s") << QString::fromUtf8("1e3s")
                          << QStringLiteral("time: unknown unit \"e\" in duration \"1e3s\"");
    QTest::newRow("1S") << QString::fromUtf8("1S")
                        << QStringLiteral("time: unknown unit \"S\" in duration \"1S\"");
}

void TestGoDuration::parseInvalid()
{
    QFETCH(QString, text);
    QFETCH(QString, message);
    QString error;
    const auto parsed = parseGoDuration(text, &error);
    QVERIFY(!parsed.has_value());
    QCOMPARE(error, message);
}

void TestGoDuration::format_data()
{
    QTest::addColumn<qint64>("nanoseconds");
    QTest::addColumn<QString>("text");
    QTest::newRow("0s") << qint64(0LL) << QString::fromUtf8("0s");
    QTest::newRow("1ns") << qint64(1LL) << QString::fromUtf8("1ns");
    QTest::newRow("1.1µs") << qint64(1100LL) << QString::fromUtf8("1.1µs");
    QTest::newRow("2.2ms") << qint64(2200000LL) << QString::fromUtf8("2.2ms");
    QTest::newRow("3.3s") << qint64(3300000000LL) << QString::fromUtf8("3.3s");
    QTest::newRow("1m15s") << qint64(75000000000LL) << QString::fromUtf8("1m15s");
    QTest::newRow("1m30s") << qint64(90000000000LL) << QString::fromUtf8("1m30s");
    QTest::newRow("250ms") << qint64(250000000LL) << QString::fromUtf8("250ms");
    QTest::newRow("1.5s") << qint64(1500000000LL) << QString::fromUtf8("1.5s");
    QTest::newRow("2h0m0s") << qint64(7200000000000LL) << QString::fromUtf8("2h0m0s");
    QTest::newRow("2h45m0s") << qint64(9900000000000LL) << QString::fromUtf8("2h45m0s");
    QTest::newRow("4m5.001s") << qint64(245001000000LL) << QString::fromUtf8("4m5.001s");
    QTest::newRow("5h6m7.001s") << qint64(18367001000000LL) << QString::fromUtf8("5h6m7.001s");
    QTest::newRow("8m0.000000001s")
        << qint64(480000000001LL) << QString::fromUtf8("8m0.000000001s");
    QTest::newRow("2562047h47m16.854775807s")
        << qint64(9223372036854775807LL) << QString::fromUtf8("2562047h47m16.854775807s");
    QTest::newRow("-2562047h47m16.854775808s") << qint64(std::numeric_limits<qint64>::min())
                                               << QString::fromUtf8("-2562047h47m16.854775808s");
    QTest::newRow("-1ns") << qint64(-1LL) << QString::fromUtf8("-1ns");
    QTest::newRow("-1.5ms") << qint64(-1500000LL) << QString::fromUtf8("-1.5ms");
    QTest::newRow("-1m30s") << qint64(-90000000000LL) << QString::fromUtf8("-1m30s");
    QTest::newRow("999ns") << qint64(999LL) << QString::fromUtf8("999ns");
    QTest::newRow("1µs") << qint64(1000LL) << QString::fromUtf8("1µs");
    QTest::newRow("999.999µs") << qint64(999999LL) << QString::fromUtf8("999.999µs");
    QTest::newRow("1ms") << qint64(1000000LL) << QString::fromUtf8("1ms");
    QTest::newRow("999.999999ms") << qint64(999999999LL) << QString::fromUtf8("999.999999ms");
    QTest::newRow("1s") << qint64(1000000000LL) << QString::fromUtf8("1s");
    QTest::newRow("1m0s") << qint64(60000000000LL) << QString::fromUtf8("1m0s");
    QTest::newRow("1h0m0s") << qint64(3600000000000LL) << QString::fromUtf8("1h0m0s");
    QTest::newRow("20m34.567890123s")
        << qint64(1234567890123LL) << QString::fromUtf8("20m34.567890123s");
}

void TestGoDuration::format()
{
    QFETCH(qint64, nanoseconds);
    QFETCH(QString, text);
    QCOMPARE(formatGoDuration(std::chrono::nanoseconds(nanoseconds)), text);
}

void TestGoDuration::roundTrip_data()
{
    format_data();
}

void TestGoDuration::roundTrip()
{
    QFETCH(qint64, nanoseconds);
    QFETCH(QString, text);
    const auto parsed = parseGoDuration(text);
    QVERIFY(parsed.has_value());
    QCOMPARE(qint64(parsed->count()), nanoseconds);
}

void TestGoDuration::errorPointerOptional()
{
    QVERIFY(!parseGoDuration(u"nonsense").has_value());
    QCOMPARE(parseGoDuration(u"90s"), std::optional<std::chrono::nanoseconds>(90s));
}

QTEST_GUILESS_MAIN(TestGoDuration)
#include "tst_metrics_go_duration.moc"
