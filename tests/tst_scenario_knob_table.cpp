// The knob table: every row is complete and consistent, its accessors touch
// exactly their own field, and its text and JSON forms round-trip and reject
// what they must (the surfaces built on it have their own tests).
#include "scenario/knob_table.h"
#include "support/knob_values.h"

#include <QJsonArray>
#include <QJsonValue>
#include <QSet>
#include <QTest>
#include <cmath>

using namespace poolscope;

class TestKnobTable final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void rowsAreCompleteAndUnique()
    {
        QSet<QString> keys;
        QSet<QString> flags;
        QSet<QString> paths;
        for (const Knob &k : knobTable()) {
            const QString key = QLatin1String(k.key);
            QVERIFY2(!keys.contains(key), qPrintable(key));
            QVERIFY2(!flags.contains(QLatin1String(k.flag)), k.flag);
            QVERIFY2(!paths.contains(knobJsonPath(k)), qPrintable(knobJsonPath(k)));
            keys.insert(key);
            flags.insert(QLatin1String(k.flag));
            paths.insert(knobJsonPath(k));
            QVERIFY2(qstrlen(k.flag) > 0 && qstrlen(k.jsonKey) > 0, k.key);
            QVERIFY2(qstrlen(k.label) > 0 && qstrlen(k.help) > 0, k.key);
            QVERIFY2(k.min <= k.max, k.key);
            QCOMPARE(findKnob(key), &k);
            QCOMPARE(findKnobByFlag(QLatin1String(k.flag)), &k);
            if (k.kind == KnobKind::Choice) {
                QVERIFY2(!k.choices.empty(), k.key);
            }
            // A Go knob's scenario key is its Go field's own name.
            if (k.isGo()) {
                QVERIFY2(QLatin1String(k.goField).endsWith(u'.' + QLatin1String(k.jsonKey)), k.key);
            }
        }
        QVERIFY(findKnob(u"NoSuchKnob") == nullptr);
    }

    // The slider's range lies inside what validation accepts.
    void sliderRangeIsValid()
    {
        for (const Knob &k : knobTable()) {
            if (k.kind == KnobKind::Int || k.kind == KnobKind::Real
                || k.kind == KnobKind::Duration) {
                QVERIFY2(checkKnobValue(k, knobFromDisplay(k, k.uiMin)).isEmpty(), k.key);
                QVERIFY2(checkKnobValue(k, knobFromDisplay(k, k.uiMax)).isEmpty(), k.key);
            }
        }
    }

    void defaultsAreValidAndRoundTrip()
    {
        for (const Knob &k : knobTable()) {
            const KnobValue def = knobGoDefault(k);
            QVERIFY2(checkKnobValue(k, def).isEmpty(), k.key);
            KnobValue back;
            QString why;
            QVERIFY2(parseKnobText(k, knobText(k, def), &back, &why), qPrintable(why));
            QVERIFY2(back == def, k.key);
            QVERIFY2(knobFromJson(k, knobToJson(k, def), &back, &why), qPrintable(why));
            QVERIFY2(back == def, k.key);
        }
    }

    // Setting one knob changes that knob and no other: catches an accessor
    // that reads or writes the wrong field.
    void accessorsTouchOnlyTheirField()
    {
        const Settings base;
        for (const Knob &k : knobTable()) {
            Settings s = base;
            const KnobValue v = testsupport::otherKnobValue(k);
            QVERIFY2(checkKnobValue(k, v).isEmpty(), k.key);
            k.set(s, v);
            QVERIFY2(k.get(s) == v, k.key);
            QVERIFY2(!(s == base), k.key);
            for (const Knob &other : knobTable()) {
                if (&other != &k) {
                    QVERIFY2(other.get(s) == other.get(base),
                        qPrintable(QStringLiteral("%1 moved %2").arg(k.key, other.key)));
                }
            }
        }
    }

    void goDefaultsAreGos()
    {
        QCOMPARE(std::get<qint64>(knobGoDefault(*findKnob(u"MaxIdleConns"))), 100);
        QCOMPARE(std::get<qint64>(knobZeroDefault(*findKnob(u"MaxIdleConns"))), 0);
        QCOMPARE(std::get<Duration>(knobGoDefault(*findKnob(u"IdleConnTimeout"))),
            Duration(std::chrono::seconds(90)));
        QCOMPARE(std::get<Duration>(knobGoDefault(*findKnob(u"Dialer.KeepAlive"))),
            Duration(std::chrono::seconds(30)));
        QCOMPARE(std::get<qint64>(knobGoDefault(*findKnob(u"MaxResponseHeaderBytes"))), 0);
        QCOMPARE(std::get<bool>(knobGoDefault(*findKnob(u"DisableCompression"))), false);
    }

    void textRejectsWhatItMust_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("why");
        QTest::newRow("nan rate") << "load.rate"
                                  << "nan"
                                  << "not a finite number";
        QTest::newRow("inf rate") << "load.rate"
                                  << "inf"
                                  << "not a finite number";
        QTest::newRow("negative rate") << "load.rate"
                                       << "-1"
                                       << "out of range";
        QTest::newRow("fraction int") << "MaxIdleConnsPerHost"
                                      << "2.5"
                                      << "not an integer";
        QTest::newRow("int overflow") << "MaxConnsPerHost"
                                      << "3000000000"
                                      << "out of range";
        QTest::newRow("no unit") << "IdleConnTimeout"
                                 << "10"
                                 << "missing unit";
        QTest::newRow("negative timeout") << "Client.Timeout"
                                          << "-1s"
                                          << "negative";
        QTest::newRow("huge timeout") << "Client.Timeout"
                                      << "1193h2m48.296s"
                                      << "out of range";
        QTest::newRow("bad bool") << "DisableKeepAlives"
                                  << "yes"
                                  << "not true or false";
        QTest::newRow("bad choice") << "load.bodyPolicy"
                                    << "drain"
                                    << "is not one of";
        QTest::newRow("bad method") << "load.method"
                                    << "GE T"
                                    << "not a valid HTTP method";
        QTest::newRow("bad address") << "server.listenAddress"
                                     << "localhost"
                                     << "not an IPv4";
        QTest::newRow("zero workers") << "load.workers"
                                      << "0"
                                      << "out of range";
        QTest::newRow("probability") << "server.closeProbability"
                                     << "1.5"
                                     << "out of range";
    }
    void textRejectsWhatItMust()
    {
        QFETCH(QString, key);
        QFETCH(QString, text);
        QFETCH(QString, why);
        const Knob *k = findKnob(key);
        QVERIFY(k);
        KnobValue v;
        QString error;
        QVERIFY(!parseKnobText(*k, text, &v, &error));
        QVERIFY2(error.contains(why), qPrintable(error));
    }

    void jsonIsStrict()
    {
        const Knob &idle = *findKnob(u"MaxIdleConnsPerHost");
        KnobValue v;
        QString why;
        QVERIFY(!knobFromJson(idle, QJsonValue(QStringLiteral("10")), &v, &why));
        QVERIFY(!knobFromJson(idle, QJsonValue(2.5), &v, &why));
        QVERIFY(knobFromJson(idle, QJsonValue(10), &v, &why));
        QCOMPARE(std::get<qint64>(v), 10);
        const Knob &timeout = *findKnob(u"IdleConnTimeout");
        QVERIFY(!knobFromJson(timeout, QJsonValue(90), &v, &why));
        QVERIFY(why.contains(u"Go duration"));
        QVERIFY(knobFromJson(timeout, QJsonValue(QStringLiteral("1m30s")), &v, &why));
        QCOMPARE(std::get<Duration>(v), Duration(std::chrono::seconds(90)));
        QVERIFY(!knobFromJson(*findKnob(u"DisableKeepAlives"), QJsonValue(1), &v, &why));
    }

    // load.url is a list: several targets through the row alone, one URL as before.
    void severalTargetsRoundTripThroughTheRow()
    {
        const Knob &url = *findKnob(u"load.url");
        QCOMPARE(url.kind, KnobKind::TextList);
        const QString a = QStringLiteral("http://127.0.0.1:8081/");
        const QString b = QStringLiteral("http://127.0.0.1:8082/x");
        Settings s;
        url.set(s, a + u'\n' + b);
        QCOMPARE(s.load.url, a); // worker 0's target, the window's URL box
        QCOMPARE(s.load.urls, QStringList({ a, b }));
        QCOMPARE(s.load.targets(), QStringList({ a, b }));
        const QJsonValue json = knobToJson(url, url.get(s));
        QVERIFY(json.isArray());
        QCOMPARE(json.toArray().size(), 2);
        KnobValue back;
        QString why;
        QVERIFY2(knobFromJson(url, json, &back, &why), qPrintable(why));
        Settings read;
        url.set(read, back);
        QCOMPARE(read.load, s.load);

        // One target: a plain string in the file, and no list beside it.
        url.set(s, a);
        QCOMPARE(s.load.url, a);
        QVERIFY(s.load.urls.isEmpty());
        QCOMPARE(knobToJson(url, url.get(s)), QJsonValue(a));
        // None: the embedded server.
        url.set(s, QString());
        QVERIFY(s.load.url.isEmpty() && s.load.urls.isEmpty());
        QCOMPARE(knobToJson(url, url.get(s)), QJsonValue(QString()));

        // Strict: every item is a URL, an array holds non-empty strings only.
        QVERIFY(!knobFromJson(url, QJsonArray { a, QStringLiteral("ftp://x/") }, &back, &why));
        QVERIFY2(why.contains(u"ftp"), qPrintable(why));
        QVERIFY(!knobFromJson(url, QJsonArray { a, 7 }, &back, &why));
        QVERIFY(!knobFromJson(url, QJsonArray { a, QString() }, &back, &why));
        QVERIFY(!knobFromJson(url, QJsonValue(3), &back, &why));
    }

    void displayValues()
    {
        const Knob &think = *findKnob(u"load.think");
        QCOMPARE(knobDisplayValue(think, Duration(std::chrono::milliseconds(5))), 5.0);
        QCOMPARE(std::get<Duration>(knobFromDisplay(think, 2.5)),
            Duration(std::chrono::microseconds(2500)));
        const Knob &p = *findKnob(u"server.closeProbability");
        QCOMPARE(knobDisplayValue(p, 0.25), 25.0);
        QCOMPARE(std::get<double>(knobFromDisplay(p, 50)), 0.5);
        const Knob &ka = *findKnob(u"Dialer.KeepAlive");
        QCOMPARE(std::get<Duration>(knobFromDisplay(ka, -1)), Duration(-1));
        QCOMPARE(knobDisplayValue(ka, Duration(-1)), -1.0); // Go's -1 (ns) shows as -1
        QCOMPARE(knobDisplayValue(ka, Duration(std::chrono::seconds(-5))), -1.0);
        const Knob &policy = *findKnob(u"load.bodyPolicy");
        QCOMPARE(knobDisplayValue(policy, QStringLiteral("leak")), 2.0);
        QCOMPARE(std::get<QString>(knobFromDisplay(policy, 1)), QStringLiteral("close-early"));
    }

    // What a spin box shows comes back as that many (milli)seconds, not a
    // nanosecond less: truncating 4.1 s gave 4.099999999 s.
    void displayDurationsRoundToTheNanosecond()
    {
        for (const Knob &k : knobTable()) {
            if (k.kind != KnobKind::Duration) {
                continue;
            }
            const double nsPerUnit = 1e9 / k.displayScale();
            for (int tenths = 0; tenths <= 100000; tenths += 7) {
                const double display = tenths / 10.0;
                const Duration d = std::get<Duration>(knobFromDisplay(k, display));
                QVERIFY2(d.count() == std::llround(display * nsPerUnit),
                    qPrintable(QStringLiteral("%1: %2 %3").arg(k.key).arg(display).arg(k.unit)));
                QCOMPARE(knobDisplayValue(k, d), display);
            }
        }
    }

    void zeroAliasComesFromZeroMeans()
    {
        QCOMPARE(knobZeroAlias(*findKnob(u"MaxIdleConnsPerHost")), QStringLiteral("2"));
        QCOMPARE(knobZeroAlias(*findKnob(u"Dialer.KeepAlive")), QStringLiteral("15 s"));
        QCOMPARE(knobZeroAlias(*findKnob(u"KeepAliveConfig.Count")), QStringLiteral("9"));
        QCOMPARE(knobZeroAlias(*findKnob(u"MaxResponseHeaderBytes")), QStringLiteral("10 MiB"));
        QCOMPARE(knobZeroAlias(*findKnob(u"MaxConnsPerHost")), QString()); // "0 = unlimited"
        QCOMPARE(knobZeroAlias(*findKnob(u"DisableKeepAlives")), QString());
        // Every zero meaning uses one of the two forms.
        for (const Knob &k : knobTable()) {
            const QLatin1String zero(k.zeroMeans);
            QVERIFY2(zero.isEmpty() || zero.startsWith(QLatin1String("0 = "))
                    || !knobZeroAlias(k).isEmpty() || zero.startsWith(QLatin1String("empty")),
                k.key);
        }
    }

    void panelDefaults()
    {
        for (const Knob &k : knobTable()) {
            const KnobValue def = knobPanelDefault(k);
            QVERIFY2(checkKnobValue(k, def).isEmpty(), k.key);
            if (k.isGo()) {
                // A Go knob's badge is Go's default, always.
                QVERIFY2(qstrlen(k.panelDefault) == 0, k.key);
            }
            if (qstrlen(k.panelDefault) == 0) {
                QVERIFY2(def == knobGoDefault(k), k.key);
            } else {
                // Only where Settings{}'s value is not one the panel can show.
                QVERIFY2(k.inPanel, k.key);
                QVERIFY2(knobText(k, def) == QLatin1String(k.panelDefault), k.key);
                QVERIFY2(knobDisplayValue(k, knobGoDefault(k)) < k.uiMin, k.key);
            }
        }
        QCOMPARE(std::get<Duration>(knobPanelDefault(*findKnob(u"load.duration"))),
            Duration(std::chrono::minutes(5)));
    }

    void rangeText()
    {
        QCOMPARE(knobRangeText(*findKnob(u"load.workers")), QStringLiteral("[1, 100000]"));
        QCOMPARE(knobRangeText(*findKnob(u"Client.Timeout")), QStringLiteral("[0s, 576h0m0s]"));
        KnobValue v;
        QString why;
        QVERIFY(!parseKnobText(*findKnob(u"load.workers"), u"0", &v, &why));
        QCOMPARE(why, QStringLiteral("0 is out of range [1, 100000]"));
    }
};

QTEST_GUILESS_MAIN(TestKnobTable)
#include "tst_scenario_knob_table.moc"
