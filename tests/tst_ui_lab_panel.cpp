// The dead-peer lab panel: disabled with the reason when the lab cannot run, keep-alive
// figures taken from the Settings dock, and (as root) the whole lab through the window:
// set up, pooled idle connections, vanish, the kernel closes them after keep-alive
// probes, tear down leaves no namespace behind.
#include "connections_view.h"
#include "kernel/dead_peer_lab.h"
#include "kernel/kernel_settings.h"
#include "knob_widget.h"
#include "lab_panel.h"
#include "main_window.h"
#include "settings_panel.h"
#include "support/lab_requirements.h"
#include "support/save_shot.h"

#include <QCheckBox>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QProcess>
#include <QPushButton>
#include <QTest>

using namespace poolscope;
using testsupport::saveShot;
using namespace std::chrono_literals;

namespace {

QStringList namespaces()
{
    QProcess ip;
    ip.start(DeadPeerLab::ipProgram(), { QStringLiteral("netns"), QStringLiteral("list") });
    if (!ip.waitForFinished(5000)) {
        return {};
    }
    QStringList out;
    for (const QByteArray &line : ip.readAllStandardOutput().split('\n')) {
        if (!line.trimmed().isEmpty()) {
            out << QString::fromLatin1(line.trimmed().split(' ').first());
        }
    }
    return out;
}

void setKnob(SettingsPanel *s, const char *key, double value)
{
    KnobWidget *k = s->knob(QString::fromLatin1(key));
    QVERIFY2(k, key);
    if (k->checkBox()) {
        k->checkBox()->setChecked(value != 0);
    } else {
        QVERIFY(k->spinBox());
        k->spinBox()->setValue(value);
    }
}

} // namespace

class TestUiLabPanel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void cleanup() { LabPanel::setUnavailableReasonOverride(std::nullopt); }

    void unavailableDisablesEveryButtonAndSaysWhy()
    {
        const QString reason = QStringLiteral("needs root: run as root to create a network "
                                              "namespace (test)");
        LabPanel::setUnavailableReasonOverride(reason);
        MainWindow w;
        LabPanel *lab = w.labPanel();
        QVERIFY(lab);
        QCOMPARE(lab->phase(), LabPanel::Phase::Unavailable);
        for (QPushButton *b : { lab->setUpButton(), lab->vanishButton(), lab->restoreButton(),
                 lab->tearDownButton(), lab->shortKeepAliveButton() }) {
            QVERIFY2(!b->isEnabled(), qPrintable(b->text()));
        }
        QVERIFY2(lab->statusText().contains(reason), qPrintable(lab->statusText()));
        QVERIFY(lab->statusText().contains(QStringLiteral("unavailable")));
        // Clicking a disabled button (or calling the slot) changes nothing.
        lab->setUpLab();
        QCOMPARE(lab->phase(), LabPanel::Phase::Unavailable);
        QVERIFY(lab->namespaceName().isEmpty());
        QCOMPARE(w.targetUrl(), w.embeddedUrl());
    }

    void showsTheEffectiveKeepAliveOfTheSettings()
    {
        LabPanel::setUnavailableReasonOverride(QString()); // available, nothing is set up
        MainWindow w;
        LabPanel *lab = w.labPanel();
        QCOMPARE(lab->phase(), LabPanel::Phase::Down);
        QVERIFY(lab->setUpButton()->isEnabled());
        QVERIFY(!lab->vanishButton()->isEnabled());
        QVERIFY(!lab->restoreButton()->isEnabled());
        QVERIFY(!lab->tearDownButton()->isEnabled());

        // Go 1.19's DefaultTransport dialer: KeepAlive 30 s -> idle and interval 30 s, the
        // kernel's probe count.
        const int probes = KernelSettings::read().keepaliveProbes;
        QVERIFY2(lab->keepAliveText().contains(QStringLiteral("first probe after 30 s idle, then "
                                                              "every 30 s, give up after %1 "
                                                              "(kernel default)")
                                                   .arg(probes)),
            qPrintable(lab->keepAliveText()));
        QVERIFY(lab->keepAliveText().contains(QStringLiteral("= %1 s").arg(30 + 30 * probes)));
        // DefaultTransport's IdleConnTimeout (90 s) closes idle connections first.
        QVERIFY(lab->keepAliveText().contains(QStringLiteral("IdleConnTimeout (90 s) is shorter")));

        lab->shortKeepAliveButton()->click();
        const TransportConfig t = w.transportConfig();
        QCOMPARE(t.keepAliveConfig, (KeepAliveConfig { true, 1s, 1s, 3 }));
        QVERIFY2(lab->keepAliveText().contains(QStringLiteral("Idle + Interval × Count = 4 s")),
            qPrintable(lab->keepAliveText()));
        QVERIFY(!lab->keepAliveText().contains(QStringLiteral("IdleConnTimeout")));

        // Keep-alive off: the panel says the dead peer goes unnoticed.
        setKnob(w.settings(), "KeepAliveConfig.Enable", 0);
        setKnob(w.settings(), "Dialer.KeepAlive", -1);
        w.applyPendingChanges();
        QVERIFY2(lab->keepAliveText().contains(QStringLiteral("TCP keep-alive is off")),
            qPrintable(lab->keepAliveText()));
    }

    void endToEndTheKernelClosesTheDeadConnections()
    {
        if (const QString why = poolscope::testsupport::labSkipReason(true); !why.isEmpty()) {
            QSKIP(qPrintable(why));
        }
        const QString bin = qEnvironmentVariable("POOLSCOPE_BIN");
        MainWindow w;
        w.resize(1600, 1000);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        const QString embedded = w.embeddedUrl();
        LabPanel *lab = w.labPanel();
        lab->setServerProgram(bin);
        w.labDock()->toggleViewAction()->trigger(); // View > Dead-peer lab
        QVERIFY(w.labDock()->isVisible());
        QCOMPARE(lab->phase(), LabPanel::Phase::Down);

        // Keep-alive 1 s / 1 s / 3 through the Settings dock, as a user sets it.
        setKnob(w.settings(), "KeepAliveConfig.Enable", 1);
        setKnob(w.settings(), "KeepAliveConfig.Idle", 1);
        setKnob(w.settings(), "KeepAliveConfig.Interval", 1);
        setKnob(w.settings(), "KeepAliveConfig.Count", 3);
        w.applyPendingChanges();
        QCOMPARE(w.transportConfig().keepAliveConfig, (KeepAliveConfig { true, 1s, 1s, 3 }));

        lab->setUpButton()->click();
        QVERIFY2(lab->phase() == LabPanel::Phase::Starting, qPrintable(lab->statusText()));
        const QString ns = lab->namespaceName();
        QVERIFY(ns.startsWith(QStringLiteral("poolscope-")));
        QVERIFY(namespaces().contains(ns));
        QTRY_VERIFY2_WITH_TIMEOUT(
            lab->phase() == LabPanel::Phase::Up, qPrintable(lab->statusText()), 15000);
        QVERIFY(lab->labUrl().startsWith(QStringLiteral("http://10.")));
        QCOMPARE(w.targetUrl(), lab->labUrl());
        QVERIFY(w.isRunning());
        QVERIFY(w.connectionsDock()->isVisible());

        // The run's connections sit idle in the pool, ESTABLISHED with a keep-alive timer.
        const ConnectionsModel *m = w.connectionsView()->model();
        // The preset's MaxIdleConnsPerHost (Go's default, 2) decides how many stay pooled.
        const int n = lab->labConnections();
        QCOMPARE(n, 2);
        QTRY_VERIFY_WITH_TIMEOUT(w.lastSnapshot().pool.now.idle == n, 15000);
        auto allRows = [m, n](int column, const QString &prefix) {
            if (m->rowCount() != n) {
                return false;
            }
            for (int r = 0; r < n; ++r) {
                if (!m->data(m->index(r, column), Qt::DisplayRole).toString().startsWith(prefix)) {
                    return false;
                }
            }
            return true;
        };
        QTRY_VERIFY_WITH_TIMEOUT(
            allRows(ConnectionsModel::KernelTimerColumn, QStringLiteral("keepalive in ")), 10000);
        QVERIFY(allRows(ConnectionsModel::StateColumn, QStringLiteral("idle")));
        QVERIFY(allRows(ConnectionsModel::KernelStateColumn, QStringLiteral("ESTABLISHED")));
        // The status follows at the panel's tick.
        QTRY_VERIFY2_WITH_TIMEOUT(
            lab->statusText().contains(QStringLiteral("%1 connections idle").arg(n)),
            qPrintable(lab->statusText()), 2000);
        QVERIFY(lab->vanishButton()->isEnabled());

        lab->vanishButton()->click();
        QCOMPARE(lab->phase(), LabPanel::Phase::Vanished);
        QVERIFY(lab->restoreButton()->isEnabled());
        QVERIFY(!lab->vanishButton()->isEnabled());
        // Unanswered probes show up in the view before the kernel gives up.
        auto everyRowProbed = [m, n] {
            if (m->rowCount() != n) {
                return false;
            }
            for (int r = 0; r < n; ++r) {
                const QString probes
                    = m->data(m->index(r, ConnectionsModel::ProbesColumn), Qt::DisplayRole)
                          .toString();
                if (probes.toInt() < 1 || m->conn(r).keepAliveProbes != probes.toInt()) {
                    return false;
                }
            }
            return true;
        };
        QTRY_VERIFY_WITH_TIMEOUT(everyRowProbed(), 10000);
        QTRY_VERIFY2_WITH_TIMEOUT(lab->statusText().contains(QStringLiteral(
                                      "expect the kernel to close the connections at ~4 s")),
            qPrintable(lab->statusText()), 2000);
        QVERIFY2(lab->statusText().contains(QStringLiteral("keep-alive probes sent: ")),
            qPrintable(lab->statusText()));
        saveShot(&w, "lab_probing");

        QTRY_VERIFY_WITH_TIMEOUT(
            w.lastSnapshot().pool.closes(CloseReason::KeepAliveTimeout) == std::uint64_t(n), 30000);
        const EngineSnapshot s = w.lastSnapshot();
        QCOMPARE(s.pool.closed, std::uint64_t(n));
        QCOMPARE(s.pool.now.open(), 0);
        QTRY_COMPARE_WITH_TIMEOUT(m->rowCount(), 0, 5000);
        QTRY_VERIFY2_WITH_TIMEOUT(
            lab->statusText().contains(QStringLiteral("All %1 connections closed").arg(n)),
            qPrintable(lab->statusText()), 5000);
        QVERIFY2(lab->statusText().contains(QStringLiteral("%1 by the kernel").arg(n)),
            qPrintable(lab->statusText()));
        const QString summary = w.connectionsView()->summaryText();
        QVERIFY2(summary.contains(QStringLiteral("%1 %2")
                                      .arg(QString::fromUtf8(
                                          closeReasonLabel(CloseReason::KeepAliveTimeout).data()))
                                      .arg(n)),
            qPrintable(summary));
        saveShot(&w, "lab_closed");

        lab->restoreButton()->click();
        QCOMPARE(lab->phase(), LabPanel::Phase::Up);
        lab->tearDownButton()->click();
        QCOMPARE(lab->phase(), LabPanel::Phase::Down);
        QVERIFY(!w.isRunning());
        QCOMPARE(w.targetUrl(), embedded);
        QCOMPARE(w.currentPresetId(), QStringLiteral("time-wait-storm"));
        const QStringList left = namespaces();
        QVERIFY2(!left.contains(ns), qPrintable(left.join(u' ')));
        const QString ours
            = QStringLiteral("poolscope-%1-").arg(QCoreApplication::applicationPid());
        for (const QString &name : left) {
            QVERIFY2(!name.startsWith(ours), qPrintable(name));
        }
    }

    void closingTheWindowTearsTheLabDown()
    {
        if (const QString why = poolscope::testsupport::labSkipReason(true); !why.isEmpty()) {
            QSKIP(qPrintable(why));
        }
        const QString bin = qEnvironmentVariable("POOLSCOPE_BIN");
        QString ns;
        {
            MainWindow w;
            w.show();
            QVERIFY(QTest::qWaitForWindowExposed(&w));
            w.labPanel()->setServerProgram(bin);
            w.labPanel()->setUpLab();
            ns = w.labPanel()->namespaceName();
            QVERIFY(namespaces().contains(ns));
            QTRY_VERIFY_WITH_TIMEOUT(w.labPanel()->phase() == LabPanel::Phase::Up, 15000);
            w.close();
            QVERIFY(!namespaces().contains(ns));
            QCOMPARE(w.labPanel()->phase(), LabPanel::Phase::Down);
        }
        QVERIFY(!namespaces().contains(ns));
    }
};

QTEST_MAIN(TestUiLabPanel)
#include "tst_ui_lab_panel.moc"
