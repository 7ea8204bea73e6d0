// Issue 15: below 1600x1000 the window was unusable. It must fit and work from
// 1024x768 up: nothing off the window, Start, Help and the Go code's Copy on
// screen, the four charts without scrolling, docks that give way, every dock in
// the View menu with a close button, a charts-only view and a presentation mode.
#include "chart_canvas.h"
#include "chart_legend.h"
#include "charts_panel.h"
#include "go_code_panel.h"
#include "main_window.h"
#include "support/save_shot.h"

#include <QAbstractButton>
#include <QAction>
#include <QDockWidget>
#include <QLabel>
#include <QMenuBar>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QStatusBar>
#include <QTest>
#include <QToolBar>
#include <QValueAxis>

using namespace poolscope;
using testsupport::saveShot;

namespace {

// Where w sits in the window, in window coordinates.
QRect inWindow(const QWidget *w, const QWidget *window)
{
    return QRect(w->mapTo(window, QPoint(0, 0)), w->size());
}

// Visible to the user: shown (not in the toolbar's » menu, not behind a tab) and
// wholly inside the window.
bool onScreen(const QWidget *w, const QWidget *window)
{
    return w->isVisibleTo(window) && w->width() > 0 && w->height() > 0
        && window->rect().contains(inWindow(w, window));
}

QList<QDockWidget *> docks(const MainWindow &w)
{
    return { w.settingsDock(), w.goCodeDock(), w.connectionsDock(), w.labDock() };
}

// Resizes and lets the layout (and the dock arrangement it triggers) settle.
void resizeAndSettle(MainWindow &w, const QSize &size)
{
    w.resize(size);
    for (int i = 0; i < 3; ++i) {
        QCoreApplication::sendPostedEvents();
        QCoreApplication::processEvents();
    }
}

} // namespace

class TestUiWindowLayout : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void fitsEveryScreen_data()
    {
        QTest::addColumn<QSize>("screen");
        QTest::addColumn<Qt::DockWidgetArea>("goArea");
        QTest::newRow("1024x768") << QSize(1024, 768) << Qt::LeftDockWidgetArea;
        QTest::newRow("1280x720") << QSize(1280, 720) << Qt::LeftDockWidgetArea;
        QTest::newRow("1366x768") << QSize(1366, 768) << Qt::LeftDockWidgetArea;
        QTest::newRow("1920x1080") << QSize(1920, 1080) << Qt::RightDockWidgetArea;
    }

    void fitsEveryScreen()
    {
        QFETCH(QSize, screen);
        QFETCH(Qt::DockWidgetArea, goArea);
        MainWindow w;
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        // Room for a window manager's title bar and frame.
        const QSize window = screen - QSize(8, 36);
        const QSize min = w.minimumSizeHint();
        QVERIFY2(min.width() <= window.width() && min.height() <= window.height(),
            qPrintable(QStringLiteral("minimum %1x%2").arg(min.width()).arg(min.height())));
        resizeAndSettle(w, window);
        QCOMPARE(w.size(), window);

        for (QWidget *part :
            { static_cast<QWidget *>(w.menuBar()), static_cast<QWidget *>(w.runBar()),
                static_cast<QWidget *>(w.statusBar()), static_cast<QWidget *>(w.settingsDock()),
                static_cast<QWidget *>(w.goCodeDock()), w.centralWidget() }) {
            QVERIFY2(onScreen(part, &w), part->metaObject()->className());
        }
        QVERIFY2(onScreen(w.startButton(), &w), "Start");
        QVERIFY2(onScreen(w.helpButton(), &w), "Help");
        QVERIFY2(onScreen(w.goCode()->copyButton(), &w), "Copy");
        QCOMPARE(w.dockWidgetArea(w.goCodeDock()), goArea);
        // The charts get the room the window promises and exactly its width; if
        // they need more height they scroll, never off the window.
        QVERIFY(onScreen(w.chartsArea(), &w));
        if (screen.height() <= 768) {
            QVERIFY2(w.chartsArea()->viewport()->height() >= MainWindow::kChartsRoom,
                qPrintable(QString::number(w.chartsArea()->viewport()->height())));
        }
        QTRY_COMPARE(w.charts()->width(), w.chartsArea()->viewport()->width());
        const bool scrolls = w.chartsArea()->verticalScrollBar()->maximum() > 0;
        QCOMPARE(
            scrolls, w.charts()->minimumSizeHint().height() > w.chartsArea()->viewport()->height());
        // The status bar keeps its most important figures.
        QVERIFY(w.statusBar()->findChild<QWidget *>(QStringLiteral("status_errors"))->isVisible());
        QVERIFY(
            w.statusBar()->findChild<QWidget *>(QStringLiteral("status_reqPerConn"))->isVisible());

        // The bottom docks fit too, the charts scroll above them.
        w.labDock()->toggleViewAction()->trigger();
        resizeAndSettle(w, window);
        for (QDockWidget *d : docks(w)) {
            QVERIFY2(onScreen(d, &w), qPrintable(d->objectName()));
        }
        QVERIFY(onScreen(w.startButton(), &w));
        QVERIFY(onScreen(w.statusBar(), &w));
        saveShot(&w,
            qPrintable(QStringLiteral("window_%1x%2").arg(screen.width()).arg(screen.height())));
    }

    void opensAtASizeThatFitsTheScreen()
    {
        MainWindow w;
        const QRect avail = w.screen()->availableGeometry();
        QVERIFY(w.width() <= std::max(avail.width(), w.minimumSizeHint().width()));
        QVERIFY(w.height() <= std::max(avail.height(), w.minimumSizeHint().height()));
        QVERIFY(w.width() <= 1600 && w.height() <= 1000);
    }

    void everyDockInTheViewMenuWithACloseButton()
    {
        MainWindow w;
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QMenu *view = nullptr;
        for (QAction *a : w.menuBar()->actions()) {
            if (a->text() == QStringLiteral("&View")) {
                view = a->menu();
            }
        }
        QVERIFY(view);
        for (QDockWidget *d : docks(w)) {
            QVERIFY2(view->actions().contains(d->toggleViewAction()), qPrintable(d->objectName()));
            QVERIFY(d->features().testFlag(QDockWidget::DockWidgetClosable));
            QVERIFY(!d->toggleViewAction()->shortcut().isEmpty());
            const bool open = d->isVisible();
            d->toggleViewAction()->trigger();
            QCOMPARE(d->isVisible(), !open);
            d->toggleViewAction()->trigger();
            QCOMPARE(d->isVisible(), open);
        }
        // The close button closes the settings: View brings them back.
        w.settingsDock()->close();
        QVERIFY(!w.settingsDock()->isVisible());
        QVERIFY(!w.settingsDock()->toggleViewAction()->isChecked());
        w.settingsDock()->toggleViewAction()->trigger();
        QVERIFY(w.settingsDock()->isVisible());
    }

    void goCodeDockGivesWay()
    {
        MainWindow w;
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        resizeAndSettle(w, QSize(1600, 1000));
        QCOMPARE(w.dockWidgetArea(w.goCodeDock()), Qt::RightDockWidgetArea);
        resizeAndSettle(w, QSize(1200, 800)); // automatic: under the settings
        QCOMPARE(w.dockWidgetArea(w.goCodeDock()), Qt::LeftDockWidgetArea);
        QVERIFY(w.goCodeDock()->y() > w.settingsDock()->y());

        w.setDockLayout(MainWindow::DockLayout::Tabbed);
        resizeAndSettle(w, QSize(1200, 800));
        QVERIFY(w.tabifiedDockWidgets(w.settingsDock()).contains(w.goCodeDock()));
        QVERIFY(w.settingsDock()->isVisible()); // the settings tab is in front
        w.setDockLayout(MainWindow::DockLayout::Beside);
        resizeAndSettle(w, QSize(1200, 800));
        QVERIFY(w.tabifiedDockWidgets(w.settingsDock()).isEmpty());
        QCOMPARE(w.dockWidgetArea(w.goCodeDock()), Qt::RightDockWidgetArea);
        resizeAndSettle(w, QSize(1600, 1000)); // a chosen layout stays
        QCOMPARE(w.dockWidgetArea(w.goCodeDock()), Qt::RightDockWidgetArea);
        w.setDockLayout(MainWindow::DockLayout::Stacked);
        resizeAndSettle(w, QSize(1600, 1000));
        QCOMPARE(w.dockWidgetArea(w.goCodeDock()), Qt::LeftDockWidgetArea);
        QVERIFY(onScreen(w.goCode()->copyButton(), &w));
    }

    void chartsOnlyHidesAndRestores()
    {
        MainWindow w;
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        resizeAndSettle(w, QSize(1024, 768));
        w.connectionsDock()->show();
        const int chartsWidth = w.chartsArea()->width();
        QAction *chartsOnly = w.action(QStringLiteral("chartsOnly"));
        QVERIFY(chartsOnly);
        chartsOnly->trigger();
        QVERIFY(w.isChartsOnly());
        resizeAndSettle(w, QSize(1024, 768));
        for (QDockWidget *d : docks(w)) {
            QVERIFY2(!d->isVisible(), qPrintable(d->objectName()));
        }
        QVERIFY(w.chartsArea()->width() > chartsWidth);
        QVERIFY(onScreen(w.startButton(), &w));
        saveShot(&w, "window_charts_only");
        chartsOnly->trigger();
        QVERIFY(!w.isChartsOnly());
        QVERIFY(w.settingsDock()->isVisible());
        QVERIFY(w.goCodeDock()->isVisible());
        QVERIFY(w.connectionsDock()->isVisible());
        QVERIFY(!w.labDock()->isVisible()); // was closed before: stays closed
    }

    void presentationModeEnlargesTextAndFits()
    {
        MainWindow w;
        w.show();
        QVERIFY(QTest::qWaitForWindowActive(&w));
        const qreal normal = w.startButton()->font().pointSizeF();
        const qreal normalKnob
            = w.settings()->knob(QStringLiteral("MaxIdleConnsPerHost"))->font().pointSizeF();
        // What a projector's audience reads: the charts' legend, axis and time labels and
        // the explanation above them (all of these kept their size before).
        const auto chartText = [&w] {
            ChartsPanel *charts = w.charts();
            const auto c = ChartsPanel::Chart::Connections;
            const QList<QPair<QString, QRectF>> labels = charts->canvas(c)->timeLabels();
            return QList<qreal> {
                qreal(charts->legend(c)->entry(QStringLiteral("open"))->sizeHint().height()),
                labels.isEmpty() ? 0.0 : labels.first().second.height(),
                charts->canvas(c)->yAxis()->labelsFont().pointSizeF(),
            };
        };
        const auto explanationSize = [&w] {
            for (const QLabel *l : w.findChildren<QLabel *>()) {
                if (l->text() == w.explanationText()) {
                    return l->font().pointSizeF();
                }
            }
            return 0.0;
        };
        const QList<qreal> normalChart = chartText();
        const qreal normalExplanation = explanationSize();
        QVERIFY(normalExplanation > 0);
        QTest::keyClick(&w, Qt::Key_F11);
        QVERIFY(w.isPresentationMode());
        QVERIFY(w.windowState().testFlag(Qt::WindowFullScreen));
        QCOMPARE(w.fontScale(), MainWindow::kPresentationFontScale);
        QVERIFY(w.startButton()->font().pointSizeF() > normal * 1.2);
        QVERIFY(w.startButton()->font().bold());
        QVERIFY(w.settings()->knob(QStringLiteral("MaxIdleConnsPerHost"))->font().pointSizeF()
            > normalKnob * 1.2);
        QVERIFY(w.tabifiedDockWidgets(w.settingsDock()).contains(w.goCodeDock()));
        QVERIFY2(explanationSize() > normalExplanation * 1.2,
            qPrintable(QStringLiteral("explanation %1 pt, was %2")
                           .arg(explanationSize())
                           .arg(normalExplanation)));
        const QList<qreal> presentingChart = chartText();
        for (int i = 0; i < normalChart.size(); ++i) {
            QVERIFY2(presentingChart[i] > normalChart[i] * 1.1,
                qPrintable(QStringLiteral("chart text %1: %2, was %3 (legend entry height, "
                                          "time label height, value label points)")
                               .arg(i)
                               .arg(presentingChart[i])
                               .arg(normalChart[i])));
        }
        // A 1024x768 projector still takes the whole window.
        const QSize min = w.minimumSizeHint();
        QVERIFY2(min.width() <= 1024 && min.height() <= 768,
            qPrintable(QStringLiteral("minimum %1x%2").arg(min.width()).arg(min.height())));
        resizeAndSettle(w, QSize(1024, 768));
        QVERIFY(onScreen(w.startButton(), &w));
        QVERIFY(onScreen(w.helpButton(), &w));
        QVERIFY(onScreen(w.statusBar(), &w));
        saveShot(&w, "window_presentation");

        w.action(QStringLiteral("largerText"))->trigger();
        QCOMPARE(w.fontScale(), MainWindow::kPresentationFontScale + 0.125);
        QTest::keyClick(&w, Qt::Key_F11);
        QVERIFY(!w.isPresentationMode());
        QVERIFY(!w.windowState().testFlag(Qt::WindowFullScreen));
        QCOMPARE(w.fontScale(), 1.0);
        QCOMPARE(w.startButton()->font().pointSizeF(), normal);
        QVERIFY(w.tabifiedDockWidgets(w.settingsDock()).isEmpty());
    }
};

QTEST_MAIN(TestUiWindowLayout)
#include "tst_ui_window_layout.moc"
