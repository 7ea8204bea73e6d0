#include "charts_panel.h"
#include "go_code_panel.h"
#include "knob_widget.h"
#include "load/engine_controller.h"
#include "main_window.h"
#include "scenario/go_snippet.h"
#include "scenario/presets.h"
#include "settings_panel.h"
#include "support/save_shot.h"

#include <QAreaSeries>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLineEdit>
#include <QLineSeries>
#include <QSignalSpy>
#include <QTest>
#include <QToolButton>

using namespace poolscope;
using testsupport::saveShot;
using namespace std::chrono_literals;

namespace {

double lastY(const QXYSeries *s)
{
    return s->count() > 0 ? s->at(s->count() - 1).y() : -1;
}

} // namespace

class TestUiMainWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void startsEmbeddedServerAndTargetsIt()
    {
        MainWindow w;
        QVERIFY2(w.embeddedUrl().startsWith(QStringLiteral("http://127.0.0.1:")),
            qPrintable(w.embeddedUrl()));
        QCOMPARE(w.targetUrl(), w.embeddedUrl());
        QCOMPARE(w.currentPresetId(), QStringLiteral("time-wait-storm"));
        QVERIFY(w.explanationText().contains(QStringLiteral("MaxIdleConnsPerHost")));
    }

    void urlTooLongForItsBoxShowsItsStart()
    {
        MainWindow w;
        w.resize(1024, 700);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        const QString url = QStringLiteral("http://127.0.0.1:65000/") + QString(120, u'x');
        w.setTargetUrl(url);
        QCOMPARE(w.urlEdit()->text(), url);
        // The scheme and host are what tell the user the target: the box shows the start.
        QVERIFY(w.urlEdit()->fontMetrics().horizontalAdvance(url) > w.urlEdit()->width());
        QCOMPARE(w.urlEdit()->cursorPosition(), 0);
        // The same URL again (a preset that sets the URL it already shows): QLineEdit puts
        // the cursor at the end without a textChanged signal.
        w.setTargetUrl(url);
        QCOMPARE(w.urlEdit()->cursorPosition(), 0);
    }

    void presetLoadsEveryFieldIntoTheKnobs()
    {
        MainWindow w;
        for (const Preset &p : builtinPresets()) {
            QVERIFY(w.loadPreset(p.id));
            QCOMPARE(w.transportConfig(), p.transport);
            LoadConfig load = w.loadConfig();
            load.url.clear(); // the window fills in the embedded server's URL
            QCOMPARE(load, p.load);
            QCOMPARE(w.serverConfig(), p.server);
            QCOMPARE(w.explanationText(), p.explanation);
            SettingsPanel *s = w.settings();
            // What the knobs show is what the preset says.
            QCOMPARE(s->knob(QStringLiteral("MaxIdleConnsPerHost"))->spinBox()->value(),
                double(p.transport.maxIdleConnsPerHost));
            QCOMPARE(s->knob(QStringLiteral("MaxConnsPerHost"))->spinBox()->value(),
                double(p.transport.maxConnsPerHost));
            QCOMPARE(s->knob(QStringLiteral("IdleConnTimeout"))->spinBox()->value(),
                std::chrono::duration<double>(p.transport.idleConnTimeout).count());
            QCOMPARE(s->knob(QStringLiteral("DisableKeepAlives"))->value(),
                p.transport.disableKeepAlives ? 1.0 : 0.0);
            QCOMPARE(s->knob(QStringLiteral("load.workers"))->spinBox()->value(),
                double(p.load.workers));
            const double thinkMs = std::chrono::duration<double, std::milli>(p.load.think).count();
            QCOMPARE(s->knob(QStringLiteral("load.think"))->spinBox()->value(), thinkMs);
            QCOMPARE(s->knob(QStringLiteral("load.bodyPolicy"))->value(),
                double(static_cast<int>(p.load.bodyPolicy)));
            const double serverIdleMs
                = std::chrono::duration<double, std::milli>(p.server.idleTimeout).count();
            QCOMPARE(
                s->knob(QStringLiteral("server.idleTimeout"))->spinBox()->value(), serverIdleMs);
            QCOMPARE(s->knob(QStringLiteral("server.maxRequestsPerConn"))->spinBox()->value(),
                double(p.server.maxRequestsPerConn));
            QCOMPARE(w.goCode()->text(), goSnippet(p.transport));
        }
        QVERIFY(!w.loadPreset(u"no-such-preset"));
        QCOMPARE(w.currentPresetId(), builtinPresets().back().id);
    }

    void goDefaultMarkersAndReset()
    {
        MainWindow w;
        QVERIFY(w.loadPreset(u"time-wait-storm-fixed"));
        KnobWidget *k = w.settings()->knob(QStringLiteral("MaxIdleConnsPerHost"));
        QVERIFY(!k->isDefault());
        QCOMPARE(k->markerText(), QStringLiteral("Go default: 0 (=2)"));
        QVERIFY(k->toolTip().contains(QStringLiteral("http.Transport.MaxIdleConnsPerHost")));
        QVERIFY(k->toolTip().contains(QStringLiteral("negative")));
        k->resetButton()->click();
        QVERIFY(k->isDefault());
        QCOMPARE(w.transportConfig().maxIdleConnsPerHost, 0);
        QCOMPARE(w.goCode()->text(), goSnippet(TransportConfig::goDefault()));
    }

    void timerModelKnobAndWhatThinkZeroMeans()
    {
        MainWindow w;
        KnobWidget *timers = w.settings()->knob(QStringLiteral("load.timers"));
        QVERIFY(timers);
        QVERIFY(timers->comboBox());
        QCOMPARE(timers->comboBox()->count(), 2);
        QCOMPARE(w.loadConfig().timers, TimerModel::Go); // like time.Sleep by default
        QSignalSpy applied(&w, &MainWindow::changesApplied);
        timers->comboBox()->setCurrentIndex(1);
        QVERIFY(applied.wait(2000));
        QCOMPARE(w.loadConfig().timers, TimerModel::Precise);

        // Zero think time models one P: the knob says so in plain words where a user
        // sets it, and names GOMAXPROCS in its tooltip.
        KnobWidget *think = w.settings()->knob(QStringLiteral("load.think"));
        think->spinBox()->setValue(0);
        QVERIFY(think->meaningText().contains(QStringLiteral("fewer new connections than Go")));
        QVERIFY(think->toolTip().contains(QStringLiteral("GOMAXPROCS=1")));
        think->spinBox()->setValue(5);
        QCOMPARE(think->meaningText(), QString());
    }

    void spinBoxEditWhileIdleUpdatesCodeWithoutMarker()
    {
        MainWindow w;
        QSignalSpy applied(&w, &MainWindow::changesApplied);
        w.settings()->knob(QStringLiteral("MaxConnsPerHost"))->spinBox()->setValue(4);
        QVERIFY(applied.wait(2000));
        QCOMPARE(applied.at(0).at(0).toStringList(),
            QStringList({ QStringLiteral("MaxConnsPerHost 0 -> 4") }));
        QCOMPARE(applied.at(0).at(1).toBool(), false); // nothing running: nothing sent
        QCOMPARE(w.charts()->markerCount(), std::size_t(0));
        QCOMPARE(w.goCode()->text(), goSnippet(w.transportConfig()));
        // Set on the DefaultTransport clone the code starts from.
        QVERIFY(w.goCode()->text().contains(QStringLiteral("t.MaxConnsPerHost = 4")));
    }

    // Mixed callers with a method of their own: the Go code panel adds the method each
    // worker sends as soon as the share and its method are picked in the settings panel.
    void mixedMethodShowsInTheGoCode()
    {
        MainWindow w;
        KnobWidget *method = w.settings()->knob(QStringLiteral("load.mixMethod"));
        QVERIFY(method && method->comboBox());
        QCOMPARE(method->comboBox()->currentText(), QStringLiteral("same as the method"));
        QSignalSpy applied(&w, &MainWindow::changesApplied);
        w.settings()->knob(QStringLiteral("load.mixShare"))->spinBox()->setValue(25);
        method->comboBox()->setCurrentIndex(method->comboBox()->findText(QStringLiteral("HEAD")));
        QVERIFY(applied.wait(2000));
        QCOMPARE(w.loadConfig().mixMethod, QByteArray("HEAD"));
        const QString code = w.goCode()->text();
        QCOMPARE(code, goSnippet(w.transportConfig(), w.loadConfig()));
        QVERIFY2(
            code.contains(QStringLiteral("func requestMethod(w int) string {")), qPrintable(code));
        QVERIFY2(code.contains(QStringLiteral("const mixShare = 0.25")), qPrintable(code));
        QVERIFY2(code.contains(QStringLiteral("return \"HEAD\"")), qPrintable(code));
        method->comboBox()->setCurrentIndex(0); // the run's method again: nothing to add
        QTRY_VERIFY_WITH_TIMEOUT(!w.goCode()->text().contains(u"requestMethod"), 2000);
    }

    // Markers name Go knobs by their Go name and ours by their label, with the
    // values as the spin boxes show them.
    void markersNameTheKnob()
    {
        MainWindow w;
        QVERIFY(w.loadPreset(u"time-wait-storm")); // think 5 ms, server latency 1 ms
        QSignalSpy applied(&w, &MainWindow::changesApplied);
        w.settings()->knob(QStringLiteral("load.think"))->spinBox()->setValue(1);
        w.settings()->knob(QStringLiteral("server.latency"))->spinBox()->setValue(2.5);
        w.settings()->knob(QStringLiteral("Dialer.Timeout"))->spinBox()->setValue(19.3);
        w.applyPendingChanges();
        QCOMPARE(applied.count(), 1);
        QCOMPARE(applied.at(0).at(0).toStringList(),
            QStringList({ QStringLiteral("think time 5 ms -> 1 ms"),
                QStringLiteral("server latency 1 ms -> 2.5 ms"),
                QStringLiteral("Dialer.Timeout 30 s -> 19.3 s") }));
        QCOMPARE(w.loadConfig().think, Duration(1ms));
        QCOMPARE(w.serverConfig().latency, Duration(2500us));
        QCOMPARE(w.transportConfig().dialTimeout, Duration(19300ms)); // not 19.299999999 s
    }

    // End to end against the embedded server: the storm, then the fix.
    void timeWaitStormThenFix()
    {
        MainWindow w;
        w.resize(1600, 1000);
        w.show();
        QVERIFY(w.loadPreset(u"time-wait-storm"));
        QSignalSpy snapshots(w.engine(), &EngineController::snapshotReady);
        w.startRun();
        QVERIFY(w.isRunning());
        // A few seconds of churn.
        QTRY_VERIFY_WITH_TIMEOUT(w.lastSnapshot().time >= 3s, 20000);
        ChartsPanel *charts = w.charts();
        charts->refresh();
        const QXYSeries *idle = charts->series(QStringLiteral("idle"));
        const QXYSeries *cap = charts->series(QStringLiteral("idleCap"));
        QVERIFY(idle->count() >= 10);
        QCOMPARE(idle->count(), cap->count());
        for (int i = 0; i < idle->count(); ++i) {
            QCOMPARE(cap->at(i).y(), 2.0);
            QVERIFY2(idle->at(i).y() <= cap->at(i).y(),
                qPrintable(QStringLiteral("idle %1 above the cap at %2 s")
                               .arg(idle->at(i).y())
                               .arg(idle->at(i).x())));
        }
        const EngineSnapshot storm = w.lastSnapshot();
        QVERIFY2(storm.pool.closes(CloseReason::TooManyIdleHost) > 10,
            "the default cap closes connections (errTooManyIdleHost)");
        QVERIFY(charts->closeArea(CloseReason::TooManyIdleHost)->isVisible());
        saveShot(&w, "main_window_storm");

        // The fix: raise MaxIdleConnsPerHost to 10 with the spin box.
        QSignalSpy applied(&w, &MainWindow::changesApplied);
        w.settings()->knob(QStringLiteral("MaxIdleConnsPerHost"))->spinBox()->setValue(10);
        QVERIFY(applied.wait(2000));
        const QStringList labels = applied.at(0).at(0).toStringList();
        QCOMPARE(labels, QStringList({ QStringLiteral("MaxIdleConnsPerHost 0 (=2) -> 10") }));
        QCOMPARE(applied.at(0).at(1).toBool(), true); // sent to the running engine
        QCOMPARE(w.goCode()->text(), goSnippet(w.transportConfig()));
        QCOMPARE(w.transportConfig().maxIdleConnsPerHost, 10);
        charts->refresh();
        QCOMPARE(charts->visibleMarkerLabels(ChartsPanel::Chart::Connections), labels);
        QCOMPARE(charts->visibleMarkerLabels(ChartsPanel::Chart::Kernel), labels);

        // Open connections reach the new cap and the cap line follows.
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                charts->refresh();
                return lastY(charts->series(QStringLiteral("open"))) >= 10.0;
            }(),
            20000);
        QCOMPARE(lastY(charts->series(QStringLiteral("idleCap"))), 10.0);
        // Once settled, the pool stops closing for the per-host cap.
        const auto closesAfterFix = w.lastSnapshot().pool.closes(CloseReason::TooManyIdleHost);
        const auto t0 = w.lastSnapshot().time;
        QTRY_VERIFY_WITH_TIMEOUT(w.lastSnapshot().time >= t0 + 1s, 10000);
        QVERIFY2(w.lastSnapshot().pool.closes(CloseReason::TooManyIdleHost) - closesAfterFix <= 10,
            "with the cap at the concurrency, connections stay pooled");
        QVERIFY(w.statusText().contains(QStringLiteral("requests/connection")));
        saveShot(&w, "main_window_fixed");

        QSignalSpy state(&w, &MainWindow::runStateChanged);
        w.stopRun();
        QVERIFY(!w.isRunning());
        QVERIFY(snapshots.count() > 10);
    }
};

QTEST_MAIN(TestUiMainWindow)
#include "tst_ui_main_window.moc"
