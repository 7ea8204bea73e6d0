// Issue 15, first-minute friction and destructive actions: Space and the other
// shortcuts work wherever the focus is, Enter in the URL starts the run, focus
// starts on Start; knob edits undo and redo (each step a knob edit with its
// marker); nothing that wipes a run, the knobs or a typed URL happens unasked,
// and the status bar and error line never go stale.
#include "charts_panel.h"
#include "kernel/dead_peer_lab.h"
#include "knob_widget.h"
#include "lab_panel.h"
#include "load/derived_figures.h"
#include "load/engine_controller.h"
#include "main_window.h"
#include "settings_panel.h"
#include "support/lab_requirements.h"

#include <QAction>
#include <QApplication>
#include <QDoubleSpinBox>
#include <QFile>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QSlider>
#include <QStatusBar>
#include <QTest>
#include <QTimer>
#include <QUndoStack>

using namespace poolscope;
using namespace std::chrono_literals;

namespace {

struct Question
{
    QString action;
    QStringList losses;
};

// Records every question the window asks and answers with `answer`.
struct Asker
{
    explicit Asker(MainWindow &w, bool answer = false)
    {
        w.setConfirmHandler([this, answer](const QString &action, const QStringList &losses) {
            asked << Question { action, losses };
            return answer;
        });
    }
    QList<Question> asked;
};

bool anyContains(const QStringList &items, const QString &text)
{
    for (const QString &item : items) {
        if (item.contains(text)) {
            return true;
        }
    }
    return false;
}

void showActive(MainWindow &w)
{
    w.resize(1280, 720);
    w.show();
    QApplication::setActiveWindow(&w);
    QVERIFY(QTest::qWaitForWindowActive(&w));
}

KnobWidget *knob(MainWindow &w, const char *key)
{
    return w.settings()->knob(QLatin1String(key));
}

// A run with a few snapshots on the charts.
void runBriefly(MainWindow &w)
{
    w.startRun();
    QVERIFY(w.isRunning());
    QTRY_VERIFY_WITH_TIMEOUT(w.lastSnapshot().time >= 1s, 20000);
}

} // namespace

class TestUiWindowKeys : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void focusStartsOnStart()
    {
        MainWindow w;
        showActive(w);
        QCOMPARE(QApplication::focusWidget(), w.startButton());
        QVERIFY(!w.urlEdit()->hasFocus());
        // Space on the focused Start starts once (the shortcut, not also a click).
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Space);
        QVERIFY(w.isRunning());
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Space);
        QVERIFY(!w.isRunning());
    }

    // Space starts and stops from the URL box, a spin box, a slider and the button,
    // and types nothing.
    void spaceWorksWhereverTheFocusIs()
    {
        MainWindow w;
        showActive(w);
        const QString url = w.urlEdit()->text();
        KnobWidget *idle = knob(w, "IdleConnTimeout");
        for (QWidget *target :
            { static_cast<QWidget *>(w.urlEdit()), static_cast<QWidget *>(idle->spinBox()),
                static_cast<QWidget *>(idle->slider()), static_cast<QWidget *>(w.startButton()) }) {
            target->setFocus();
            QVERIFY(target->hasFocus());
            const bool running = w.isRunning();
            QTest::keyClick(target, Qt::Key_Space);
            QVERIFY2(w.isRunning() != running, target->metaObject()->className());
        }
        w.stopRun();
        QCOMPARE(w.urlEdit()->text(), url);
        QCOMPARE(idle->value(), 90.0);
    }

    void enterInTheUrlStarts()
    {
        MainWindow w;
        showActive(w);
        w.urlEdit()->setFocus();
        QTest::keyClick(w.urlEdit(), Qt::Key_Return);
        QVERIFY(w.isRunning());
        w.stopRun();
        // A typed URL that is not one: the error line says so, nothing runs.
        w.urlEdit()->selectAll();
        QTest::keyClicks(w.urlEdit(), QStringLiteral("ftp://example.org/"));
        QTest::keyClick(w.urlEdit(), Qt::Key_Enter);
        QVERIFY(!w.isRunning());
        QVERIFY2(w.errorText().contains(QStringLiteral("is not an http:// or https:// URL")),
            qPrintable(w.errorText()));
    }

    // Enter on another URL while a run goes: a restart, asked first because it clears
    // the run.
    void enterOnANewUrlAsksBeforeRestarting()
    {
        MainWindow w;
        showActive(w);
        Asker no(w, false);
        runBriefly(w);
        w.urlEdit()->setFocus();
        QTest::keyClick(w.urlEdit(), Qt::Key_Return); // the same target: nothing to do
        QCOMPARE(no.asked.size(), 0);
        const QString other = w.embeddedUrl() + QStringLiteral("other");
        w.urlEdit()->setText(other);
        QTest::keyClick(w.urlEdit(), Qt::Key_Return);
        QCOMPARE(no.asked.size(), 1);
        QCOMPARE(no.asked[0].action, QStringLiteral("Restart against %1").arg(other));
        QVERIFY(anyContains(no.asked[0].losses, QStringLiteral("The run in progress")));
        QVERIFY(w.isRunning());
        QVERIFY(!w.charts()->history().empty());

        Asker yes(w, true);
        QTest::keyClick(w.urlEdit(), Qt::Key_Return);
        QCOMPARE(yes.asked.size(), 1);
        QVERIFY(w.isRunning());
        QTRY_VERIFY_WITH_TIMEOUT(w.charts()->history().empty() || w.lastSnapshot().time < 1s, 5000);
        QCOMPARE(w.loadConfig().url, other);
        w.stopRun();
    }

    void shortcutsReachTheWindowFromAKnob()
    {
        MainWindow w;
        showActive(w);
        Asker asker(w, true);
        knob(w, "MaxIdleConnsPerHost")->spinBox()->setFocus();
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_2, Qt::ControlModifier);
        QCOMPARE(w.currentPresetId(), builtinPresets()[1].id);
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_F11);
        QVERIFY(w.isPresentationMode());
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_F11);
        QVERIFY(!w.isPresentationMode());
        QCOMPARE(asker.asked.size(), 0); // nothing to lose: nothing asked
    }

    // Each undo and redo is a knob edit: the knob moves back, a marker drops and
    // the engine gets the value, exactly as if the user had moved it.
    void undoAndRedoKnobEditsWithTheKeyboard()
    {
        MainWindow w;
        showActive(w);
        QVERIFY(w.loadPreset(u"time-wait-storm"));
        runBriefly(w);
        QSignalSpy applied(&w, &MainWindow::changesApplied);
        KnobWidget *cap = knob(w, "MaxIdleConnsPerHost");
        cap->slider()->setFocus();
        QTest::keyClick(cap->slider(), Qt::Key_PageUp);
        QTest::keyClick(cap->slider(), Qt::Key_PageUp); // 0 (=2) -> 5 -> 10: one settled edit
        QVERIFY(applied.wait(2000));
        QCOMPARE(applied.takeFirst().at(0).toStringList(),
            QStringList { QStringLiteral("MaxIdleConnsPerHost 0 (=2) -> 10") });
        QCOMPARE(w.charts()->markerCount(), std::size_t(1));
        QCOMPARE(w.undoStack()->count(), 1);

        // From a spin box too: Ctrl+Z is the knob's undo, not the text field's.
        knob(w, "IdleConnTimeout")->spinBox()->setFocus();
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(applied.size(), 1);
        QCOMPARE(applied.at(0).at(0).toStringList(),
            QStringList { QStringLiteral("MaxIdleConnsPerHost 10 -> 0 (=2)") });
        QCOMPARE(applied.takeFirst().at(1).toBool(), true); // sent to the running engine
        QCOMPARE(cap->value(), 0.0);
        QCOMPARE(w.transportConfig().maxIdleConnsPerHost, 0);
        QCOMPARE(w.charts()->markerCount(), std::size_t(2));
        QVERIFY(!w.undoStack()->canUndo());

        QTest::keyClick(
            QApplication::focusWidget(), Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
        QCOMPARE(applied.size(), 1);
        QCOMPARE(applied.takeFirst().at(0).toStringList(),
            QStringList { QStringLiteral("MaxIdleConnsPerHost 0 (=2) -> 10") });
        QCOMPARE(w.transportConfig().maxIdleConnsPerHost, 10);
        QCOMPARE(w.charts()->markerCount(), std::size_t(3));
        QCOMPARE(w.action(QStringLiteral("undo"))->text(),
            QStringLiteral("&Undo MaxIdleConnsPerHost 0 (=2) -> 10"));

        // An edit still settling is undone at once, not lost.
        knob(w, "load.think")->spinBox()->setValue(1);
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(applied.size(), 2);
        QCOMPARE(applied.at(1).at(0).toStringList(),
            QStringList { QStringLiteral("think time 1 ms -> 5 ms") });
        QCOMPARE(w.loadConfig().think, Duration(5ms));
        w.stopRun();
    }

    void resetAsksBeforeItWipesTheRunAndTheKnobs()
    {
        MainWindow w;
        showActive(w);
        Asker no(w, false);
        w.action(QStringLiteral("reset"))->trigger(); // nothing to lose
        QCOMPARE(no.asked.size(), 0);

        runBriefly(w);
        knob(w, "MaxIdleConnsPerHost")->editAsUser(10);
        w.applyPendingChanges();
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_R, Qt::ControlModifier);
        QCOMPARE(no.asked.size(), 1);
        QCOMPARE(no.asked[0].action, QStringLiteral("Reset"));
        QVERIFY(anyContains(no.asked[0].losses, QStringLiteral("The run in progress")));
        QVERIFY(anyContains(no.asked[0].losses,
            QStringLiteral("Your changes to 1 knob(s) are discarded: MaxIdleConnsPerHost.")));
        // Declined: nothing happened.
        QVERIFY(w.isRunning());
        QCOMPARE(w.transportConfig().maxIdleConnsPerHost, 10);
        QVERIFY(!w.charts()->history().empty());

        Asker yes(w, true);
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_R, Qt::ControlModifier);
        QCOMPARE(yes.asked.size(), 1);
        QVERIFY(!w.isRunning());
        QCOMPARE(w.transportConfig().maxIdleConnsPerHost, 0);
        QVERIFY(w.charts()->history().empty());
    }

    void pickingAPresetAsksBeforeItDiscardsATypedUrl()
    {
        MainWindow w;
        showActive(w);
        Asker no(w, false);
        const QString typed = QStringLiteral("http://127.0.0.1:1/");
        w.setTargetUrl(typed);
        QVERIFY(!w.requestPreset(QStringLiteral("time-wait-storm-fixed")));
        QCOMPARE(no.asked.size(), 1);
        QVERIFY(anyContains(no.asked[0].losses, typed));
        QCOMPARE(w.targetUrl(), typed);
        QCOMPARE(w.currentPresetId(), QStringLiteral("time-wait-storm"));

        Asker yes(w, true);
        QVERIFY(w.requestPreset(QStringLiteral("time-wait-storm-fixed")));
        QCOMPARE(w.currentPresetId(), QStringLiteral("time-wait-storm-fixed"));
        QCOMPARE(w.targetUrl(), w.embeddedUrl());
    }

    // The question a user sees without a handler: a box whose Cancel keeps everything.
    void theDefaultQuestionIsABoxThatCancels()
    {
        MainWindow w;
        showActive(w);
        knob(w, "MaxConnsPerHost")->editAsUser(4);
        w.applyPendingChanges();
        QString text;
        QTimer::singleShot(0, &w, [&text] {
            auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
            QVERIFY(box);
            text = box->text() + u'\n' + box->informativeText();
            box->button(QMessageBox::Cancel)->click();
        });
        w.requestReset();
        QVERIFY2(text.contains(QStringLiteral("MaxConnsPerHost")), qPrintable(text));
        QCOMPARE(w.transportConfig().maxConnsPerHost, 4);
    }

    void setUpLabAsksBeforeItClearsTheRun()
    {
        LabPanel::setUnavailableReasonOverride(QString()); // available, nothing set up
        MainWindow w;
        showActive(w);
        Asker no(w, false);
        runBriefly(w);
        w.labPanel()->setUpButton()->click();
        QCOMPARE(no.asked.size(), 1);
        QVERIFY(anyContains(no.asked[0].losses, QStringLiteral("The run in progress")));
        QCOMPARE(w.labPanel()->phase(), LabPanel::Phase::Down); // nothing was set up
        QVERIFY(w.isRunning());
        w.stopRun();
        LabPanel::setUnavailableReasonOverride(std::nullopt);
    }

    void tearDownAsksBeforeItDiscardsKnobChanges()
    {
        if (const QString why = poolscope::testsupport::labSkipReason(true); !why.isEmpty()) {
            QSKIP(qPrintable(why));
        }
        const QString bin = qEnvironmentVariable("POOLSCOPE_BIN");
        MainWindow w;
        showActive(w);
        Asker no(w, false);
        LabPanel *lab = w.labPanel();
        lab->setServerProgram(bin);
        lab->setUpLab(); // a fresh window has nothing to lose: no question
        QCOMPARE(no.asked.size(), 0);
        QTRY_VERIFY_WITH_TIMEOUT(lab->phase() == LabPanel::Phase::Up, 15000);
        KnobWidget *idle = knob(w, "KeepAliveConfig.Idle");
        const double before = idle->value();
        idle->editAsUser(before + 1);
        w.applyPendingChanges();
        lab->tearDownButton()->click();
        QCOMPARE(no.asked.size(), 1);
        QVERIFY2(anyContains(no.asked[0].losses, idle->title()),
            qPrintable(no.asked[0].losses.join(u'|')));
        QCOMPARE(lab->phase(), LabPanel::Phase::Up); // declined: the lab stays
        QCOMPARE(idle->value(), before + 1);

        Asker yes(w, true);
        lab->tearDownButton()->click();
        QCOMPARE(yes.asked.size(), 1);
        QCOMPARE(lab->phase(), LabPanel::Phase::Down);
        QCOMPARE(w.targetUrl(), w.embeddedUrl());
        QCOMPARE(idle->value(), before); // the scenario from before the lab
    }

    // A start that fails keeps the run the charts showed.
    void aFailedStartKeepsThePreviousRun()
    {
        MainWindow w;
        showActive(w);
        runBriefly(w);
        w.stopRun();
        const std::size_t samples = w.charts()->history().size();
        QVERIFY(samples > 0);
        w.setTargetUrl(QStringLiteral("http://no-such-host.invalid/"));
        // Not on this machine: the window asks first (issue 16 #12); this user said yes.
        Asker yes(w, true);
        w.startRun();
        QCOMPARE(yes.asked.size(), 1);
        QTRY_VERIFY_WITH_TIMEOUT(!w.isRunning(), 30000);
        QVERIFY2(w.errorText().contains(QStringLiteral("no-such-host.invalid")),
            qPrintable(w.errorText()));
        QVERIFY(w.charts()->history().size() >= samples);
    }

    void statusUsesCoresRequestsPerConnection()
    {
        MainWindow w;
        showActive(w);
        runBriefly(w);
        QTRY_VERIFY_WITH_TIMEOUT(w.statusText().contains(QStringLiteral("(last 5 s: ")), 5000);
        w.stopRun();
        const EngineSnapshot s = w.lastSnapshot();
        const std::optional<double> figure = requestsPerConnection(s.pool);
        QVERIFY(figure);
        QVERIFY2(w.statusText().contains(
                     QStringLiteral("requests/connection %1").arg(*figure, 0, 'f', 1)),
            qPrintable(w.statusText()));
    }

    // Against a port where nothing listens every request fails: the status bar says
    // why while it runs, and Stop, Reset and a preset change clear it.
    void statusAndErrorLineClearOnStopResetAndPreset()
    {
        MainWindow w;
        showActive(w);
        Asker yes(w, true);
        w.setTargetUrl(QStringLiteral("http://127.0.0.1:1/"));
        w.startRun();
        QTRY_VERIFY_WITH_TIMEOUT(
            w.statusBar()->currentMessage().startsWith(QStringLiteral("Last error: ")), 20000);
        w.stopRun();
        QCOMPARE(w.statusBar()->currentMessage(), QString());
        QVERIFY2(w.statusText().contains(QStringLiteral("– req/s")), qPrintable(w.statusText()));
        QVERIFY(w.statusText().contains(QStringLiteral("open – / idle –")));

        w.requestReset();
        QVERIFY2(w.statusText().contains(QStringLiteral("errors 0")), qPrintable(w.statusText()));
        QCOMPARE(w.statusBar()->currentMessage(), QStringLiteral("Reset to the preset's settings"));

        w.setTargetUrl(QStringLiteral("gopher://x/"));
        w.startRun();
        QVERIFY(!w.errorText().isEmpty());
        QVERIFY(w.requestPreset(QStringLiteral("time-wait-storm-fixed")));
        QCOMPARE(w.errorText(), QString());
        QVERIFY(w.statusText().contains(QStringLiteral("errors 0")));
    }
};

QTEST_MAIN(TestUiWindowKeys)
#include "tst_ui_window_keys.moc"
