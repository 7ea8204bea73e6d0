// The settings panel is the knob table as controls: every row it shows, in
// table order and Go's grouping, with a tooltip that names the Go field and
// says what zero means, an editor that changes exactly that field, the default
// badge and reset of knobGoDefault, and a wheel that scrolls the panel unless
// the knob has focus.
#include "knob_widget.h"
#include "settings_panel.h"
#include "support/save_shot.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QDoubleSpinBox>
#include <QGroupBox>
#include <QLabel>
#include <QLayout>
#include <QProcess>
#include <QScrollArea>
#include <QScrollBar>
#include <QSignalSpy>
#include <QSlider>
#include <QSpontaneKeyEvent>
#include <QTest>
#include <QToolButton>
#include <QWheelEvent>

using namespace poolscope;
using testsupport::saveShot;
using namespace std::chrono_literals;

namespace {

QString knobTr(const char *text)
{
    return QCoreApplication::translate("Knob", text);
}

QString title(KnobGroup group)
{
    return knobTr(knobGroupTitle(group).toUtf8().constData());
}

// The group whose box a knob of this group sits in: the first group of its
// scenario-file section (Tls knobs in the Transport's box, KeepAliveConfig in the Dialer's).
KnobGroup boxGroup(KnobGroup group)
{
    for (const Knob &k : knobTable()) {
        if (k.inPanel && qstrcmp(knobSection(k.group), knobSection(group)) == 0) {
            return k.group;
        }
    }
    return group;
}

// A display value the knob's editor offers that differs from its current one.
double otherValue(const KnobWidget *w)
{
    const Knob &k = w->knob();
    if (w->checkBox()) {
        return w->value() != 0 ? 0 : 1;
    }
    if (w->comboBox()) {
        return (static_cast<int>(w->value()) + 1) % w->comboBox()->count();
    }
    const double step = k.decimals > 0 ? 1.5 : 1;
    return w->value() + step <= k.uiMax ? w->value() + step : w->value() - step;
}

// Edits the knob through its editor, as a user does; returns the display value it took.
double editEditor(KnobWidget *w, double value)
{
    if (QDoubleSpinBox *spin = w->spinBox()) {
        spin->setValue(value);
        return spin->value();
    }
    if (QCheckBox *check = w->checkBox()) {
        check->click();
        return check->isChecked() ? 1 : 0;
    }
    w->comboBox()->setCurrentIndex(static_cast<int>(value));
    return w->comboBox()->currentIndex();
}

// A mouse wheel notch over the middle of target, delivered as the window system's
// are: to the widget under the pointer (the spin box's line edit), spontaneous, so
// QApplication gives focus by focus policy and passes an ignored event to the parents.
void wheel(QWidget *target, int angle)
{
    const QPoint at(target->width() / 2, target->height() / 2);
    QWidget *under = target->childAt(at) ? target->childAt(at) : target;
    const QPointF pos = under->mapFrom(target, at);
    QWheelEvent event(pos, under->mapToGlobal(pos), QPoint(), QPoint(0, angle), Qt::NoButton,
        Qt::NoModifier, Qt::NoScrollPhase, false);
    QSpontaneKeyEvent::setSpontaneous(&event);
    QApplication::instance()->notify(under, &event);
}

} // namespace

class TestUiSettingsPanel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void offersEveryPanelKnobInTableOrder()
    {
        SettingsPanel panel;
        QStringList expected;
        for (const Knob &k : knobTable()) {
            const QString key = QLatin1String(k.key);
            KnobWidget *w = panel.knob(key);
            if (!k.inPanel) {
                QVERIFY2(!w, k.key);
                continue;
            }
            expected << key;
            QVERIFY2(w, k.key);
            QCOMPARE(&w->knob(), &k);
            QCOMPARE(w->title(), knobTr(k.label));
        }
        QCOMPARE(panel.knobKeys(), expected);
        // The two Transport fields the table gained, there through the table alone.
        QVERIFY(panel.knob(QStringLiteral("MaxResponseHeaderBytes"))->spinBox());
        QVERIFY(panel.knob(QStringLiteral("DisableCompression"))->checkBox());
        QVERIFY(!panel.knob(QStringLiteral("think time"))); // labels are not keys
        panel.resize(panel.sizeHint());
        saveShot(&panel, "settings_panel_all");
    }

    void groupsAsGoGroupsThem()
    {
        SettingsPanel panel;
        QStringList boxes;
        for (const QGroupBox *box : panel.findChildren<QGroupBox *>()) {
            boxes << box->title();
        }
        QCOMPARE(boxes,
            QStringList({ title(KnobGroup::Transport), title(KnobGroup::Dialer),
                title(KnobGroup::Client), title(KnobGroup::Load), title(KnobGroup::Server) }));
        for (const QString &key : panel.knobKeys()) {
            KnobWidget *w = panel.knob(key);
            const auto *box = qobject_cast<QGroupBox *>(w->parentWidget());
            QVERIFY2(box, qPrintable(key));
            QCOMPARE(box->title(), title(boxGroup(w->knob().group)));
            if (boxGroup(w->knob().group) != w->knob().group) {
                // A field of the box's group (TLSClientConfig, KeepAliveConfig): under a heading.
                QLabel *heading = nullptr;
                for (QLabel *l : box->findChildren<QLabel *>(
                         QStringLiteral("knobSubgroupTitle"), Qt::FindDirectChildrenOnly)) {
                    if (l->text() == title(w->knob().group)) {
                        heading = l;
                    }
                }
                QVERIFY2(heading, qPrintable(key));
                QVERIFY(box->layout()->indexOf(heading) < box->layout()->indexOf(w));
            }
        }
    }

    void toolTipsExplainTheRow()
    {
        SettingsPanel panel;
        for (const QString &key : panel.knobKeys()) {
            const KnobWidget *w = panel.knob(key);
            const Knob &k = w->knob();
            const QString tip = w->toolTip();
            const auto says = [&tip](const QString &text) {
                return tip.contains(text.toHtmlEscaped());
            };
            QVERIFY2(says(w->title()), qPrintable(key));
            QVERIFY2(says(QLatin1String(k.isGo() ? k.goField : k.key)), qPrintable(key));
            QVERIFY2(says(knobTr(k.help)), qPrintable(key));
            if (k.zeroMeans[0] != '\0') {
                QVERIFY2(says(knobTr(k.zeroMeans)), qPrintable(key));
            }
            if (k.negativeMeans[0] != '\0') {
                QVERIFY2(says(knobTr(k.negativeMeans)), qPrintable(key));
            }
            const QString def = w->displayText(knobDisplayValue(k, knobPanelDefault(k)));
            QVERIFY2(says((k.isGo() ? QStringLiteral("Go default: ") : QStringLiteral("Default: "))
                         + def),
                qPrintable(tip));
            if (w->spinBox()) {
                QVERIFY2(says(QStringLiteral("Range: ")), qPrintable(key));
                QVERIFY2(tip.contains(QLatin1String(k.unit)), qPrintable(key));
            }
            // Every part of the knob explains itself, not just its label.
            QCOMPARE(w->resetButton()->toolTip().isEmpty(), false);
            for (const QWidget *part : { static_cast<const QWidget *>(w->spinBox()),
                     static_cast<const QWidget *>(w->slider()),
                     static_cast<const QWidget *>(w->checkBox()),
                     static_cast<const QWidget *>(w->comboBox()) }) {
                if (part) {
                    QCOMPARE(part->toolTip(), tip);
                }
            }
        }
        const QString tip = panel.knob(QStringLiteral("MaxIdleConnsPerHost"))->toolTip();
        QVERIFY2(tip.contains(QStringLiteral("Range: -1 to 100 conns")), qPrintable(tip));
        QVERIFY2(tip.contains(QStringLiteral("[-2147483647, 2147483647]")), qPrintable(tip));
    }

    void editorsMatchTheTable()
    {
        SettingsPanel panel;
        for (const QString &key : panel.knobKeys()) {
            const KnobWidget *w = panel.knob(key);
            const Knob &k = w->knob();
            switch (k.kind) {
            case KnobKind::Int:
            case KnobKind::Real:
            case KnobKind::Duration:
                QVERIFY2(w->spinBox() && w->slider(), qPrintable(key));
                QCOMPARE(w->spinBox()->minimum(), k.uiMin);
                QCOMPARE(w->spinBox()->maximum(), k.uiMax);
                QCOMPARE(w->spinBox()->decimals(), k.decimals);
                QCOMPARE(w->spinBox()->suffix().trimmed(), QLatin1String(k.unit));
                break;
            case KnobKind::Bool:
                QVERIFY2(w->checkBox(), qPrintable(key));
                break;
            case KnobKind::Choice:
            case KnobKind::Text:
            case KnobKind::TextList:
                QVERIFY2(w->comboBox(), qPrintable(key));
                QCOMPARE(std::size_t(w->comboBox()->count()), k.choices.size());
                for (std::size_t i = 0; i < k.choices.size(); ++i) {
                    QCOMPARE(w->comboBox()->itemText(int(i)), knobTr(k.choices[i].label));
                }
                break;
            }
        }
    }

    // Each editor changes its own field of the Settings and nothing else, and says
    // so once with the knob's key and display texts.
    void editingAKnobChangesExactlyItsField()
    {
        SettingsPanel panel;
        QSignalSpy edited(&panel, &SettingsPanel::knobEdited);
        for (const QString &key : panel.knobKeys()) {
            KnobWidget *w = panel.knob(key);
            const Knob &k = w->knob();
            const Settings before = panel.settings();
            const double old = w->value();
            const double now = editEditor(w, otherValue(w));
            QVERIFY2(now != old, qPrintable(key));
            Settings expected = before;
            k.set(expected, knobFromDisplay(k, now));
            QVERIFY2(k.get(panel.settings()) == knobFromDisplay(k, now), qPrintable(key));
            QVERIFY2(panel.settings() == expected, qPrintable(key + QStringLiteral(" moved more")));
            QVERIFY2(!(panel.settings() == before), qPrintable(key));
            QCOMPARE(edited.count(), 1);
            const QList<QVariant> args = edited.takeFirst();
            QCOMPARE(args.at(0).value<SettingsPanel::Section>(), SettingsPanel::sectionOf(k.group));
            QCOMPARE(args.at(1).toString(), key);
            QCOMPARE(args.at(2).toString(), w->displayText(old));
            QCOMPARE(args.at(3).toString(), w->displayText(now));
        }
    }

    void setSettingsShowsThemWithoutEdits()
    {
        SettingsPanel panel;
        QSignalSpy edited(&panel, &SettingsPanel::knobEdited);
        Settings s;
        s.transport.maxIdleConnsPerHost = 10;
        s.transport.keepAlive = Duration(-1); // Go's -1: keep-alive off
        s.load.think = 2500us;
        s.load.bodyPolicy = BodyPolicy::Leak;
        s.server.closeProbability = 0.25;
        s.load.linger = 3s; // not in the panel, kept
        panel.setSettings(s);
        QVERIFY(panel.settings() == s);
        QCOMPARE(edited.count(), 0);
        QCOMPARE(panel.knob(QStringLiteral("MaxIdleConnsPerHost"))->spinBox()->value(), 10.0);
        QCOMPARE(panel.knob(QStringLiteral("Dialer.KeepAlive"))->spinBox()->value(), -1.0);
        QCOMPARE(panel.knob(QStringLiteral("Dialer.KeepAlive"))->meaningText(),
            knobTr(findKnob(u"Dialer.KeepAlive")->negativeMeans));
        QCOMPARE(panel.knob(QStringLiteral("load.think"))->spinBox()->value(), 2.5);
        QCOMPARE(panel.knob(QStringLiteral("load.bodyPolicy"))->comboBox()->currentText(),
            knobTr("leak (never close)"));
        QCOMPARE(panel.knob(QStringLiteral("server.closeProbability"))->spinBox()->value(), 25.0);
        // An edit elsewhere keeps what the panel does not show.
        panel.knob(QStringLiteral("load.workers"))->spinBox()->setValue(3);
        QCOMPARE(panel.settings().load.linger, Duration(3s));
        QCOMPARE(panel.settings().load.workers, 3);
    }

    // On Go's defaults every Go knob says "✓ Go default"; moved, the badge names
    // knobGoDefault and reset returns to it.
    void defaultBadgesAndResetFollowTheTable()
    {
        SettingsPanel panel;
        for (const QString &key : panel.knobKeys()) {
            KnobWidget *w = panel.knob(key);
            const Knob &k = w->knob();
            const KnobValue def = knobPanelDefault(k);
            if (k.isGo()) {
                QVERIFY2(def == knobGoDefault(k), qPrintable(key));
            }
            QCOMPARE(w->defaultValue(), knobDisplayValue(k, def));
            const QString badge
                = k.isGo() ? QStringLiteral("Go default") : QStringLiteral("default");
            if (k.get(panel.settings()) == def) {
                QVERIFY2(w->isDefault(), qPrintable(key));
                QCOMPARE(w->markerText(), QStringLiteral("✓ ") + badge);
                QVERIFY(!w->resetButton()->isEnabled());
            }
            editEditor(w, otherValue(w));
            QVERIFY2(!w->isDefault(), qPrintable(key));
            QCOMPARE(w->markerText(),
                badge + QStringLiteral(": ") + w->displayText(knobDisplayValue(k, def)));
            QVERIFY(w->resetButton()->isEnabled());
            w->resetButton()->click();
            QVERIFY2(k.get(panel.settings()) == def, qPrintable(key));
            QVERIFY(w->isDefault());
        }
        // Zero that stands for another value says which, on the badge and in markers.
        KnobWidget *idle = panel.knob(QStringLiteral("MaxIdleConnsPerHost"));
        idle->spinBox()->setValue(10);
        QCOMPARE(idle->markerText(), QStringLiteral("Go default: 0 (=2)"));
        QCOMPARE(idle->displayText(0), QStringLiteral("0 (=2)"));
        // Ours: the run length's panel default is the presets' 5 minutes, not LoadConfig's 0.
        QCOMPARE(
            panel.knob(QStringLiteral("load.duration"))->displayText(300), QStringLiteral("300 s"));
        QCOMPARE(panel.settings().load.duration, Duration(5min));
    }

    void meaningLinesComeFromZeroAndNegativeMeans()
    {
        SettingsPanel panel;
        for (const QString &key : panel.knobKeys()) {
            KnobWidget *w = panel.knob(key);
            const Knob &k = w->knob();
            if (!w->spinBox()) {
                QCOMPARE(w->meaningText(), QString());
                continue;
            }
            if (k.uiMin <= 0 && k.uiMax > 0) {
                w->spinBox()->setValue(0);
                QCOMPARE(w->meaningText(), k.zeroMeans[0] ? knobTr(k.zeroMeans) : QString());
            }
            if (k.uiMin < 0) {
                w->spinBox()->setValue(-1);
                QCOMPARE(
                    w->meaningText(), k.negativeMeans[0] ? knobTr(k.negativeMeans) : QString());
            }
            w->spinBox()->setValue(k.uiMax);
            QCOMPARE(w->meaningText(), QString());
        }
    }

    void displayTextsAsMarkersShowThem()
    {
        SettingsPanel panel;
        const auto text = [&panel](const char *key, double v) {
            return panel.knob(QLatin1String(key))->displayText(v);
        };
        QCOMPARE(text("load.think", 5), QStringLiteral("5 ms"));
        QCOMPARE(text("load.think", 2.5), QStringLiteral("2.5 ms"));
        QCOMPARE(text("IdleConnTimeout", 90), QStringLiteral("90 s"));
        QCOMPARE(text("Dialer.KeepAlive", 0), QStringLiteral("0 s (=15 s)"));
        QCOMPARE(text("MaxConnsPerHost", 4), QStringLiteral("4"));
        QCOMPARE(text("server.closeProbability", 25), QStringLiteral("25 %"));
        QCOMPARE(text("DisableKeepAlives", 1), QStringLiteral("on"));
        QCOMPARE(text("load.bodyPolicy", 1), QStringLiteral("close early"));
        QCOMPARE(text("load.method", 2), QStringLiteral("POST"));
    }

    // Issue 15: scrolling the panel over a slider moved Dialer.Timeout from 30 s to 19.3 s.
    void wheelScrollsThePanelUnlessTheKnobHasFocus()
    {
        QScrollArea area;
        auto *panel = new SettingsPanel;
        area.setWidget(panel);
        area.setWidgetResizable(true);
        area.resize(420, 320);
        area.show();
        QVERIFY(QTest::qWaitForWindowExposed(&area));
        KnobWidget *k = panel->knob(QStringLiteral("Dialer.Timeout"));
        area.ensureWidgetVisible(k, 0, 100);
        QScrollBar *bar = area.verticalScrollBar();
        QVERIFY(bar->value() > 0 && bar->value() < bar->maximum());
        QSignalSpy edited(panel, &SettingsPanel::knobEdited);
        const double value = k->value();
        for (QWidget *target :
            { static_cast<QWidget *>(k->slider()), static_cast<QWidget *>(k->spinBox()),
                static_cast<QWidget *>(panel->knob(QStringLiteral("load.timers"))->comboBox()) }) {
            area.ensureWidgetVisible(target, 0, 100);
            // The wheel does not give focus, so a scroll passing over a knob stays a scroll.
            QCOMPARE(target->focusPolicy(), Qt::StrongFocus);
            QVERIFY(!target->hasFocus());
            const int scrolled = bar->value();
            wheel(target, -120);
            QVERIFY2(bar->value() > scrolled, target->metaObject()->className());
            wheel(target, 120);
            QCOMPARE(bar->value(), scrolled);
        }
        QCOMPARE(k->value(), value);
        QCOMPARE(edited.count(), 0);
        QCOMPARE(panel->settings().transport.dialTimeout, Duration(30s));

        // A knob the user picked (clicked, tabbed to) takes the wheel.
        area.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&area));
        k->spinBox()->setFocus();
        QVERIFY(k->spinBox()->hasFocus());
        const int scrolled = bar->value();
        wheel(k->spinBox(), 120);
        QCOMPARE(bar->value(), scrolled);
        QCOMPARE(edited.count(), 1);
        // One notch is one round step, as the arrow keys: 30 s -> 50 s on the 1-2-5 ladder.
        QCOMPARE(panel->settings().transport.dialTimeout, Duration(50s));
        saveShot(&area, "settings_panel");
    }

    // Issue 15: landing on exactly 10 took pixel precision. Steps land on round values.
    void roundStepsWalkTheLadder()
    {
        const Knob *idleCap = findKnob(u"MaxIdleConnsPerHost"); // -1..100, one step per value
        QVERIFY(idleCap);
        QCOMPARE(KnobWidget::roundStep(*idleCap, 2, 1, true), 5.0);
        QCOMPARE(KnobWidget::roundStep(*idleCap, 5, 1, true), 10.0);
        QCOMPARE(KnobWidget::roundStep(*idleCap, 10, 1, false), 11.0);
        QCOMPARE(KnobWidget::roundStep(*idleCap, 12, -1, true), 10.0);
        QCOMPARE(KnobWidget::roundStep(*idleCap, 1, -1, true), 0.0);
        QCOMPARE(KnobWidget::roundStep(*idleCap, 0, -1, false), -1.0);
        QCOMPARE(KnobWidget::roundStep(*idleCap, -1, -1, true), -1.0); // the range's end
        QCOMPARE(KnobWidget::roundStep(*idleCap, 0, 2, true), 10.0); // 0 (=2) -> 5 -> 10
        QCOMPARE(KnobWidget::roundStep(*idleCap, 0, 1, false), 3.0);
        QCOMPARE(KnobWidget::roundStep(*idleCap, idleCap->uiMax, 1, true), idleCap->uiMax);

        const Knob *idle = findKnob(u"IdleConnTimeout"); // seconds with one decimal
        QVERIFY(idle && idle->decimals == 1);
        QCOMPARE(KnobWidget::roundStep(*idle, 90, 1, false), 100.0);
        QCOMPARE(KnobWidget::roundStep(*idle, 90, -1, false), 50.0);
        QCOMPARE(KnobWidget::roundStep(*idle, 1, -1, false), 0.5);
        QCOMPARE(KnobWidget::roundStep(*idle, 0, 1, false), 0.1);
        QCOMPARE(KnobWidget::roundStep(*idle, 0.1, -1, false), 0.0);
        QCOMPARE(KnobWidget::roundStep(*idle, 1, 1, true), 10.0); // a page is a decade
        QCOMPARE(KnobWidget::roundStep(*idle, 20, -1, true), 2.0);
    }

    // Every number knob, walked end to end with both step sizes, stops only on round
    // values: 0, the range's ends, and m x 10^k with m in {1, 2, 5} (or any integer
    // on the arrows of a small integer range).
    void everyStepOfEveryKnobIsRound()
    {
        const auto round = [](const Knob &k, double v, bool unit) {
            if (v == 0 || v == k.uiMin || v == k.uiMax || (unit && v == std::round(v))) {
                return true;
            }
            const double mantissa
                = std::abs(v) / std::pow(10.0, std::floor(std::log10(std::abs(v))));
            return std::abs(mantissa - 1) < 1e-6 || std::abs(mantissa - 2) < 1e-6
                || std::abs(mantissa - 5) < 1e-6;
        };
        for (const Knob &k : knobTable()) {
            if (!k.inPanel
                || (k.kind != KnobKind::Int && k.kind != KnobKind::Real
                    && k.kind != KnobKind::Duration)) {
                continue;
            }
            const bool small = k.decimals == 0 && k.uiMax - k.uiMin <= 200;
            for (const bool page : { false, true }) {
                for (const int dir : { 1, -1 }) {
                    double v = dir > 0 ? k.uiMin : k.uiMax;
                    for (int i = 0; i < 200; ++i) {
                        const double next = KnobWidget::roundStep(k, v, dir, page);
                        QVERIFY2(round(k, next, small && !page),
                            qPrintable(QStringLiteral("%1: %2 -> %3")
                                           .arg(QLatin1String(k.key))
                                           .arg(v)
                                           .arg(next)));
                        QVERIFY2(dir > 0 ? next >= v : next <= v, k.key);
                        if (next == v) {
                            break;
                        }
                        v = next;
                    }
                    QCOMPARE(v, dir > 0 ? k.uiMax : k.uiMin); // every step moved, to the end
                }
            }
        }
    }

    // The keys a user presses on a focused slider and spin box, and a typed value.
    void keysAndTypingOnAKnob()
    {
        SettingsPanel panel;
        panel.show();
        QVERIFY(QTest::qWaitForWindowActive(&panel));
        QSignalSpy edited(&panel, &SettingsPanel::knobEdited);
        KnobWidget *k = panel.knob(QStringLiteral("MaxIdleConnsPerHost"));
        k->slider()->setFocus();
        QTest::keyClick(k->slider(), Qt::Key_PageUp);
        QTest::keyClick(k->slider(), Qt::Key_PageUp);
        QCOMPARE(k->value(), 10.0); // 0 (=2) -> 5 -> 10
        QCOMPARE(panel.settings().transport.maxIdleConnsPerHost, 10);
        QTest::keyClick(k->slider(), Qt::Key_Right);
        QCOMPARE(k->value(), 11.0);
        QTest::keyClick(k->slider(), Qt::Key_Left);
        QCOMPARE(k->value(), 10.0);
        QCOMPARE(edited.count(), 4);

        KnobWidget *idle = panel.knob(QStringLiteral("IdleConnTimeout"));
        idle->spinBox()->setFocus();
        QTest::keyClick(idle->spinBox(), Qt::Key_Up);
        QCOMPARE(idle->value(), 100.0); // 90 s -> 100 s
        QTest::keyClick(idle->spinBox(), Qt::Key_PageDown);
        QCOMPARE(idle->value(), 10.0);
        QCOMPARE(panel.settings().transport.idleConnTimeout, Duration(10s));

        // Typed: nothing happens until Enter, then one edit with the typed value.
        edited.clear();
        KnobWidget *workers = panel.knob(QStringLiteral("load.workers"));
        workers->spinBox()->setFocus();
        workers->spinBox()->selectAll();
        QTest::keyClicks(workers->spinBox(), QStringLiteral("37"));
        QCOMPARE(edited.count(), 0);
        QTest::keyClick(workers->spinBox(), Qt::Key_Return);
        QCOMPARE(edited.count(), 1);
        QCOMPARE(workers->value(), 37.0);
        QCOMPARE(panel.settings().load.workers, 37);
        QCOMPARE(edited.at(0).at(3).toString(), QStringLiteral("37"));
        QCOMPARE(edited.at(0).at(5).toDouble(), 37.0);
    }

    // `poolscope --set KEY=VALUE@DUR` takes the table's keys and lists them when it
    // does not know one.
    void setFlagNamesTheValidKeys()
    {
        const QString bin = qEnvironmentVariable("POOLSCOPE_BIN");
        if (bin.isEmpty()) {
            QSKIP("POOLSCOPE_BIN not set: needs the poolscope binary");
        }
        // The one line poolscope writes (Qt may add its own warnings).
        const auto error = [&bin](const QString &set) {
            QProcess p;
            p.start(bin, { QStringLiteral("--set"), set });
            if (!p.waitForFinished(30000) || p.exitCode() != 2) {
                return QString();
            }
            for (const QString &line : QString::fromUtf8(p.readAllStandardError()).split(u'\n')) {
                if (line.startsWith(QStringLiteral("poolscope: "))) {
                    return line;
                }
            }
            return QString();
        };
        const QString unknown = error(QStringLiteral("think time=1@1s"));
        QVERIFY2(unknown.startsWith(
                     QStringLiteral("poolscope: --set: no knob \"think time\"; valid keys: ")),
            qPrintable(unknown));
        SettingsPanel panel;
        QVERIFY(unknown.endsWith(panel.knobKeys().join(QStringLiteral(", "))));
        const QString hidden = error(QStringLiteral("load.url=1@1s"));
        QVERIFY2(hidden.startsWith(
                     QStringLiteral("poolscope: --set: load.url is not in the settings panel")),
            qPrintable(hidden));
    }
};

QTEST_MAIN(TestUiSettingsPanel)
#include "tst_ui_settings_panel.moc"
