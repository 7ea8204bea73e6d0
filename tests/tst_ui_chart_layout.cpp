// The charts through the sizes that docks give them: plot areas line up, no
// label is elided or clipped, nothing is squashed, and nothing drawn at an
// earlier size is left on screen.
#include "chart_canvas.h"
#include "chart_legend.h"
#include "charts_panel.h"
#include "support/chart_texts.h"
#include "support/save_shot.h"

#include <QAbstractButton>
#include <QChart>
#include <QDir>
#include <QDockWidget>
#include <QGraphicsScene>
#include <QGraphicsSimpleTextItem>
#include <QGraphicsTextItem>
#include <QLabel>
#include <QMainWindow>
#include <QScrollArea>
#include <QScrollBar>
#include <QTest>
#include <QTextEdit>
#include <QValueAxis>

using namespace poolscope;
using testsupport::saveShot;

namespace {

constexpr ChartsPanel::Chart kCharts[] = { ChartsPanel::Chart::Connections,
    ChartsPanel::Chart::DialsCloses, ChartsPanel::Chart::Kernel, ChartsPanel::Chart::Latency };

// 45 s of the storm and its fix, with every chart carrying data; an error-only
// stretch (no responses) leaves a gap in the latency lines.
void feedStorm(ChartsPanel &panel)
{
    panel.setLimits(2, 0);
    std::uint64_t dials = 0;
    std::uint64_t closes = 0;
    std::uint64_t reqs = 0;
    for (int i = 1; i <= 450; ++i) {
        const bool fixed = i > 300;
        EngineSnapshot s;
        s.time = std::chrono::duration_cast<TimePoint>(std::chrono::duration<double>(i * 0.1));
        s.running = true;
        const int open = fixed ? 10 : 2 + i % 9;
        const int idle = fixed ? 3 + i % 7 : 2;
        s.pool.now.active = open - idle;
        s.pool.now.idle = idle;
        s.pool.now.waiting = i % 3;
        dials += fixed ? 0 : 80;
        closes += fixed ? 0 : 78;
        reqs += 150;
        s.pool.dials = dials;
        s.pool.gets = reqs;
        s.pool.closesByReason[static_cast<std::size_t>(CloseReason::TooManyIdleHost)] = closes;
        s.requestsDone = reqs;
        s.successes = s.requestsDone;
        if (i < 200 || i > 220) {
            s.latencyWindow = { 1.2, 1.6, 2.5 + (i % 5) * 0.2, 4, 90 };
        }
        s.kernel.available = true;
        s.kernel.counts.byState[static_cast<std::size_t>(TcpState::TimeWait)]
            = static_cast<int>(std::min<std::uint64_t>(closes, 6000));
        s.kernel.counts.byState[static_cast<std::size_t>(TcpState::Established)] = open;
        if (i == 301) {
            panel.setLimits(10, 0);
            panel.addMarker(QStringLiteral("MaxIdleConnsPerHost 0 (=2) -> 10"));
        }
        panel.addSnapshot(s);
    }
    panel.refresh();
}

// A steady storm: 4 connections, 600 dials/s, p99 19 ms at 1,400 req/s. At room for two
// value intervals these made axes labelled only 0 and 5 (connections) and 0 and 25 (ms).
void feedSteady(ChartsPanel &panel)
{
    panel.setLimits(2, 0);
    for (int i = 1; i <= 100; ++i) {
        EngineSnapshot s;
        s.time = std::chrono::duration_cast<TimePoint>(std::chrono::duration<double>(i * 0.1));
        s.running = true;
        s.pool.now.active = 2;
        s.pool.now.idle = 2;
        s.pool.dials = static_cast<std::uint64_t>(i) * 60;
        s.pool.closesByReason[static_cast<std::size_t>(CloseReason::TooManyIdleHost)]
            = s.pool.dials;
        s.requestsDone = static_cast<std::uint64_t>(i) * 140;
        s.successes = s.requestsDone;
        s.latencyWindow = { 1.2, 1.6, 19, 25, 140 };
        s.kernel.available = true;
        s.kernel.counts.byState[static_cast<std::size_t>(TcpState::TimeWait)] = i * 50;
        s.kernel.counts.byState[static_cast<std::size_t>(TcpState::Established)] = 4;
        panel.addSnapshot(s);
    }
    panel.refresh();
}

using testsupport::elided;
using testsupport::sceneTexts;

// Everything a user would call clipped, squashed or elided, for the panel as laid out now.
QStringList layoutProblems(ChartsPanel &panel)
{
    QStringList problems;
    const QRect inWindow(panel.mapTo(panel.window(), QPoint(0, 0)), panel.size());
    if (!panel.window()->rect().contains(inWindow)) {
        problems << QStringLiteral("the panel (%1 px wide, minimum %2) does not fit the window")
                        .arg(panel.width())
                        .arg(panel.minimumSizeHint().width());
    }
    const QRectF first = panel.chart(ChartsPanel::Chart::Connections)->plotArea();
    for (ChartsPanel::Chart c : kCharts) {
        const int n = static_cast<int>(c);
        ChartCanvas *canvas = panel.canvas(c);
        const QRectF plot = panel.chart(c)->plotArea();
        if (std::abs(plot.left() - first.left()) > 0.01
            || std::abs(plot.right() - first.right()) > 0.01) {
            problems << QStringLiteral("chart %1 plot %2..%3, chart 0 %4..%5")
                            .arg(n)
                            .arg(plot.left())
                            .arg(plot.right())
                            .arg(first.left())
                            .arg(first.right());
        }
        // Scrolling up and down is fine when the panel is short; cut off at the side is not.
        const QWidget *viewport = panel.findChild<QScrollArea *>()->viewport();
        for (QWidget *w :
            { static_cast<QWidget *>(canvas), static_cast<QWidget *>(panel.legend(c)) }) {
            const QRect r(w->mapTo(viewport, QPoint(0, 0)), w->size());
            if (r.left() < 0 || r.right() >= viewport->width()) {
                problems << QStringLiteral("chart %1: %2 at x %3..%4, the view is %5 px wide")
                                .arg(n)
                                .arg(QLatin1String(w->metaObject()->className()))
                                .arg(r.left())
                                .arg(r.right())
                                .arg(viewport->width());
            }
        }
        if (plot.height() < 30 || plot.width() < 100) {
            problems << QStringLiteral("chart %1 plot squashed to %2x%3")
                            .arg(n)
                            .arg(plot.width())
                            .arg(plot.height());
        }
        if (canvas->height() < canvas->minimumSizeHint().height()) {
            problems << QStringLiteral("chart %1 is %2 px, below its minimum %3")
                            .arg(n)
                            .arg(canvas->height())
                            .arg(canvas->minimumSizeHint().height());
        }
        if (canvas->yAxis()->tickCount() < 3) {
            problems << QStringLiteral("chart %1 has only %2 value labels")
                            .arg(n)
                            .arg(canvas->yAxis()->tickCount());
        }
        for (const QString &t : sceneTexts(panel.chart(c))) {
            if (elided(t)) {
                problems << QStringLiteral("chart %1 axis label elided: %2").arg(n).arg(t);
            }
        }
        QRectF previous;
        for (const auto &[text, rect] : canvas->timeLabels()) {
            if (!QRectF(canvas->rect()).contains(rect) || rect.intersects(previous)) {
                problems << QStringLiteral("chart %1 time label %2 clipped or overlapping")
                                .arg(n)
                                .arg(text);
            }
            previous = rect;
        }
        problems << testsupport::legendProblems(panel, c);
    }
    return problems;
}

void settle(QWidget *w)
{
    for (int i = 0; i < 3; ++i) {
        QCoreApplication::processEvents();
    }
    w->grab(); // paints: the charts align before their first paint at a size
}

// Pixels that differ by more than antialiasing noise.
int differingPixels(const QImage &a, const QImage &b)
{
    if (a.size() != b.size()) {
        return a.width() * a.height();
    }
    const QImage x = a.convertToFormat(QImage::Format_RGB32);
    const QImage y = b.convertToFormat(QImage::Format_RGB32);
    int n = 0;
    for (int row = 0; row < x.height(); ++row) {
        const auto *p = reinterpret_cast<const QRgb *>(x.constScanLine(row));
        const auto *q = reinterpret_cast<const QRgb *>(y.constScanLine(row));
        for (int col = 0; col < x.width(); ++col) {
            const int d = std::max(
                { std::abs(qRed(p[col]) - qRed(q[col])), std::abs(qGreen(p[col]) - qGreen(q[col])),
                    std::abs(qBlue(p[col]) - qBlue(q[col])) });
            n += d > 48 ? 1 : 0;
        }
    }
    return n;
}

} // namespace

class TestUiChartLayout : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void linesUpAndElidesNothingAtEverySize()
    {
        QMainWindow window;
        auto *panel = new ChartsPanel;
        window.setCentralWidget(panel);
        auto *side = new QDockWidget(QStringLiteral("Settings"), &window);
        side->setWidget(new QTextEdit);
        window.addDockWidget(Qt::LeftDockWidgetArea, side);
        auto *bottom = new QDockWidget(QStringLiteral("Connections"), &window);
        bottom->setWidget(new QTextEdit);
        window.addDockWidget(Qt::BottomDockWidgetArea, bottom);
        bottom->hide();
        feedStorm(*panel);
        window.resize(1600, 1000);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));

        struct Step
        {
            const char *what;
            QSize window;
            bool side;
            bool bottom;
            int bottomHeight;
        };
        const Step steps[] = {
            { "1600x1000", { 1600, 1000 }, true, false, 0 },
            { "bottom dock opened", { 1600, 1000 }, true, true, 300 },
            { "bottom dock tall", { 1600, 1000 }, true, true, 600 },
            { "1024x768", { 1024, 768 }, true, true, 250 },
            { "1024x768 side dock closed", { 1024, 768 }, false, true, 250 },
            { "1280x720 docks closed", { 1280, 720 }, false, false, 0 },
            { "narrow 700x900", { 700, 900 }, true, false, 0 },
            { "1920x1080", { 1920, 1080 }, true, true, 280 },
        };
        for (const Step &step : steps) {
            window.resize(step.window);
            side->setVisible(step.side);
            bottom->setVisible(step.bottom);
            if (step.bottom) {
                window.resizeDocks({ bottom }, { step.bottomHeight }, Qt::Vertical);
            }
            settle(&window);
            const QStringList problems = layoutProblems(*panel);
            QVERIFY2(problems.isEmpty(),
                qPrintable(QStringLiteral("%1 (panel %2x%3): %4")
                               .arg(QLatin1String(step.what))
                               .arg(panel->width())
                               .arg(panel->height())
                               .arg(problems.join(QStringLiteral("; ")))));
            saveShot(&window,
                QStringLiteral("chart_layout_%1")
                    .arg(QLatin1String(step.what))
                    .replace(u' ', u'_')
                    .toLatin1()
                    .constData());
        }
    }

    void tooShortScrollsInsteadOfSquashing_data()
    {
        QTest::addColumn<double>("textScale");
        QTest::newRow("normal text") << 1.0;
        // Presentation mode's text (MainWindow::kPresentationFontScale) and Ctrl++ above it.
        QTest::newRow("presentation text") << 1.25;
        QTest::newRow("larger text") << 1.5;
    }

    void tooShortScrollsInsteadOfSquashing()
    {
        QFETCH(double, textScale);
        ChartsPanel panel;
        QFont f = panel.font();
        f.setPointSizeF(f.pointSizeF() * textScale);
        panel.setFont(f);
        feedStorm(panel);
        panel.resize(900, 260);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        settle(&panel);
        const QStringList problems = layoutProblems(panel);
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QStringLiteral("; "))));
        auto *scroll = panel.findChild<QScrollArea *>();
        QVERIFY(scroll->verticalScrollBar()->isVisible());
        QVERIFY(scroll->verticalScrollBar()->maximum() > 0);
    }

    void shortChartsStillLabelAValueBetween()
    {
        ChartsPanel panel;
        feedSteady(panel);
        panel.resize(900, 540);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        settle(&panel);
        panel.refresh();
        settle(&panel);
        for (ChartsPanel::Chart c : kCharts) {
            ChartCanvas *canvas = panel.canvas(c);
            // The case: room for two intervals, not more.
            QCOMPARE(canvas->maxIntervals(), 2);
            for (QValueAxis *axis : { canvas->yAxis(), canvas->rightAxis() }) {
                if (axis) {
                    QVERIFY2(axis->tickCount() >= 3,
                        qPrintable(QStringLiteral("chart %1: %2 labels, 0 to %3")
                                       .arg(static_cast<int>(c))
                                       .arg(axis->tickCount())
                                       .arg(axis->max())));
                }
            }
        }
        saveShot(&panel, "chart_layout_short_axes");
    }

    void noTextLeftFromAnEarlierSize()
    {
        const QSize size(1100, 820);
        ChartsPanel panel;
        feedStorm(panel);
        panel.resize(size);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        // What opening and closing docks does to the central widget.
        for (const QSize s : { QSize(1100, 420), QSize(480, 820), QSize(1500, 900), QSize(600, 300),
                 QSize(1100, 560) }) {
            panel.resize(s);
            settle(&panel);
            panel.refresh();
            settle(&panel);
        }
        panel.resize(size);
        settle(&panel);
        panel.refresh();
        const QImage after = panel.grab().toImage();

        ChartsPanel fresh;
        feedStorm(fresh);
        fresh.resize(size);
        fresh.show();
        QVERIFY(QTest::qWaitForWindowExposed(&fresh));
        settle(&fresh);
        fresh.refresh();
        const QImage expected = fresh.grab().toImage();
        const int differing = differingPixels(after, expected);
        if (differing > 0) {
            after.save(QDir::temp().filePath(QStringLiteral("charts_after_resizes.png")));
            expected.save(QDir::temp().filePath(QStringLiteral("charts_fresh.png")));
        }
        // Antialiasing may differ in a handful of pixels; a leftover label is hundreds.
        QVERIFY2(differing <= 20,
            qPrintable(QStringLiteral("%1 pixels differ from a fresh panel at the same size "
                                      "(images in %2)")
                           .arg(differing)
                           .arg(QDir::tempPath())));
    }
};

QTEST_MAIN(TestUiChartLayout)
#include "tst_ui_chart_layout.moc"
