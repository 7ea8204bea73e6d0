// The connections view (swimlanes): what a row shows for a synthetic snapshot, in-place
// updates without model resets, and the cap at kMaxSnapshotConns rows.
#include "connections_view.h"
#include "load/engine_controller.h"
#include "main_window.h"

#include <QAction>
#include <QDockWidget>
#include <QImage>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>

using namespace poolscope;
using namespace std::chrono_literals;

namespace {

ConnInfo conn(ConnId id, ConnState state, std::uint32_t requests, TimePoint opened, TimePoint since,
    quint16 port)
{
    ConnInfo c;
    c.id = id;
    c.state = state;
    c.requests = requests;
    c.opened = opened;
    c.since = since;
    c.localPort = port;
    return c;
}

ConnInfo kernel(
    ConnInfo c, TcpState state, TcpTimer timer, std::chrono::milliseconds expires, int probes)
{
    c.kernelState = state;
    c.kernelTimer = timer;
    c.kernelTimerExpires = expires;
    c.keepAliveProbes = probes;
    return c;
}

QString cell(const ConnectionsModel *m, int row, int column)
{
    return m->data(m->index(row, column), Qt::DisplayRole).toString();
}

QStringList row(const ConnectionsModel *m, int r)
{
    QStringList out;
    for (int c = 0; c < ConnectionsModel::LaneColumn; ++c) {
        out << cell(m, r, c);
    }
    return out;
}

EngineSnapshot synthetic()
{
    EngineSnapshot s;
    s.time = 10s;
    s.running = true;
    s.conns = {
        kernel(conn(1, ConnState::Idle, 5, 2s, 7s, 40001), TcpState::Established,
            TcpTimer::KeepAlive, 600ms, 0),
        kernel(conn(2, ConnState::Active, 1, 9500ms, 9900ms, 40002), TcpState::Established,
            TcpTimer::None, 0ms, 0),
        conn(3, ConnState::Dialing, 0, 9950ms, 9950ms, 0),
        kernel(conn(4, ConnState::Idle, 12, 0s, 8s, 40004), TcpState::Established,
            TcpTimer::KeepAlive, 1000ms, 2),
        kernel(conn(5, ConnState::Idle, 3, -65s, 9s, 40005), TcpState::CloseWait, TcpTimer::None,
            0ms, 0),
    };
    s.pool.now.dialing = 1;
    s.pool.now.active = 1;
    s.pool.now.idle = 3;
    s.pool.closed = 7;
    s.pool.closesByReason[std::size_t(CloseReason::TooManyIdleHost)] = 4;
    s.pool.closesByReason[std::size_t(CloseReason::KeepAliveTimeout)] = 3;
    s.kernel.available = true;
    return s;
}

} // namespace

class TestUiConnectionsView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void showsTheSnapshotsRowsExactly()
    {
        ConnectionsView view;
        view.setSnapshot(synthetic());
        const ConnectionsModel *m = view.model();
        QCOMPARE(m->rowCount(), 5);
        QCOMPARE(m->columnCount(), int(ConnectionsModel::ColumnCount));
        const QString dash = QStringLiteral("–");
        // conn, state, requests, age, in state, local port, kernel state, timer, probes
        QCOMPARE(row(m, 0),
            QStringList({ "#1", "idle", "5", "8.0 s", "3.0 s", "40001", "ESTABLISHED",
                "keepalive in 0.6 s", "0" }));
        QCOMPARE(row(m, 1),
            QStringList(
                { "#2", "active", "1", "500 ms", "100 ms", "40002", "ESTABLISHED", "none", "0" }));
        QCOMPARE(row(m, 2),
            QStringList({ "#3", "dialing", "0", "50 ms", "50 ms", dash, dash, dash, dash }));
        QCOMPARE(row(m, 3),
            QStringList({ "#4", "idle", "12", "10.0 s", "2.0 s", "40004", "ESTABLISHED",
                "keepalive in 1.0 s", "2" }));
        QCOMPARE(row(m, 4),
            QStringList(
                { "#5", "idle", "3", "1 min 15 s", "1.0 s", "40005", "CLOSE_WAIT", "none", "0" }));

        // States are coloured as on the connections chart; trouble is red.
        const auto fg = [m](int r, int c) {
            return m->data(m->index(r, c), Qt::ForegroundRole).value<QColor>();
        };
        QCOMPARE(fg(0, ConnectionsModel::StateColumn),
            ConnectionsModel::stateColor(ConnState::Idle).darker(115));
        QCOMPARE(fg(1, ConnectionsModel::StateColumn),
            ConnectionsModel::stateColor(ConnState::Active).darker(115));
        QVERIFY(ConnectionsModel::stateColor(ConnState::Idle)
            != ConnectionsModel::stateColor(ConnState::Active));
        QCOMPARE(fg(4, ConnectionsModel::KernelStateColumn), QColor(0xb0, 0x00, 0x20));
        QCOMPARE(fg(3, ConnectionsModel::ProbesColumn), QColor(0xb0, 0x00, 0x20));
        QVERIFY(!m->data(m->index(0, ConnectionsModel::KernelStateColumn), Qt::ForegroundRole)
                     .isValid());

        const QString summary = view.summaryText();
        // Open as the status bar counts it (active + idle): the dial in flight is apart.
        QVERIFY2(
            summary.contains(QStringLiteral("4 connections open (active 1, idle 3), 1 dialing")),
            qPrintable(summary));
        QVERIFY2(summary.contains(QStringLiteral("Closed so far: 7")), qPrintable(summary));
        QVERIFY2(summary.contains(
                     QString::fromUtf8(closeReasonLabel(CloseReason::KeepAliveTimeout).data())),
            qPrintable(summary));
    }

    void kernelTimerText()
    {
        ConnInfo c;
        QCOMPARE(ConnectionsModel::kernelTimerText(c), QStringLiteral("–"));
        c = kernel(c, TcpState::TimeWait, TcpTimer::TimeWait, 59240ms, 0);
        QCOMPARE(ConnectionsModel::kernelTimerText(c), QStringLiteral("timewait in 59.2 s"));
        c = kernel(c, TcpState::Established, TcpTimer::Retransmit, 200ms, 0);
        QCOMPARE(ConnectionsModel::kernelTimerText(c), QStringLiteral("retransmit in 0.2 s"));
        c = kernel(c, TcpState::Established, TcpTimer::KeepAlive, -5ms, 3);
        QCOMPARE(ConnectionsModel::kernelTimerText(c), QStringLiteral("keepalive in 0.0 s"));
    }

    void updatesRowsInPlace()
    {
        ConnectionsView view;
        EngineSnapshot s = synthetic();
        view.setSnapshot(s);
        const ConnectionsModel *m = view.model();
        QSignalSpy resets(m, &QAbstractItemModel::modelReset);
        QSignalSpy removed(m, &QAbstractItemModel::rowsRemoved);
        QSignalSpy inserted(m, &QAbstractItemModel::rowsInserted);
        QSignalSpy changed(m, &QAbstractItemModel::dataChanged);

        // #2 and #3 close, #1 serves another request, #6 is dialed.
        s.time = 11s;
        s.conns.erase(s.conns.begin() + 1, s.conns.begin() + 3);
        s.conns[0].state = ConnState::Active;
        s.conns[0].requests = 6;
        s.conns[0].since = 10900ms;
        s.conns.push_back(conn(6, ConnState::Dialing, 0, 10950ms, 10950ms, 0));
        view.setSnapshot(s);

        QCOMPARE(resets.count(), 0);
        QCOMPARE(removed.count(), 1); // one contiguous block
        QCOMPARE(removed.at(0).at(1).toInt(), 1);
        QCOMPARE(removed.at(0).at(2).toInt(), 2);
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(m->rowCount(), 4);
        QCOMPARE(cell(m, 0, ConnectionsModel::ConnColumn), QStringLiteral("#1"));
        QCOMPARE(cell(m, 0, ConnectionsModel::StateColumn), QStringLiteral("active"));
        QCOMPARE(cell(m, 0, ConnectionsModel::RequestsColumn), QStringLiteral("6"));
        QCOMPARE(cell(m, 0, ConnectionsModel::InStateColumn), QStringLiteral("100 ms"));
        QCOMPARE(cell(m, 1, ConnectionsModel::ConnColumn), QStringLiteral("#4"));
        QCOMPARE(cell(m, 2, ConnectionsModel::ConnColumn), QStringLiteral("#5"));
        QCOMPARE(cell(m, 3, ConnectionsModel::ConnColumn), QStringLiteral("#6"));

        // A reordering the diff cannot express falls back to a reset, still exact.
        std::swap(s.conns[0], s.conns[1]);
        view.setSnapshot(s);
        QCOMPARE(resets.count(), 1);
        QCOMPARE(cell(m, 0, ConnectionsModel::ConnColumn), QStringLiteral("#4"));
        QCOMPARE(cell(m, 1, ConnectionsModel::ConnColumn), QStringLiteral("#1"));

        view.clear();
        QCOMPARE(m->rowCount(), 0);
        QVERIFY(view.summaryText().contains(QStringLiteral("0 connections open")));
    }

    void staysAtTheCapAndSaysSo()
    {
        ConnectionsView view;
        view.resize(1200, 600);
        const ConnectionsModel *m = view.model();
        ConnId next = 1;
        std::vector<ConnInfo> open;
        // 200 ticks of churn with more connections than the cap: the oldest half of the
        // list closes and new ones are dialed every tick.
        for (int tick = 0; tick < 200; ++tick) {
            if (open.size() > 300) {
                open.erase(open.begin(), open.begin() + 150);
            }
            while (open.size() < 700) {
                open.push_back(kernel(conn(next, ConnState::Active, 1, 0s, 0s, quint16(next)),
                    TcpState::Established, TcpTimer::None, 0ms, 0));
                ++next;
            }
            EngineSnapshot s;
            s.time = std::chrono::milliseconds(100 * tick);
            s.conns = open; // the engine caps at kMaxSnapshotConns; the view does as well
            s.pool.now.active = static_cast<int>(open.size());
            view.setSnapshot(s);
            QCOMPARE(m->rowCount(), kMaxSnapshotConns);
        }
        QCOMPARE(
            cell(m, 0, ConnectionsModel::ConnColumn), QStringLiteral("#%1").arg(open.front().id));
        QCOMPARE(cell(m, kMaxSnapshotConns - 1, ConnectionsModel::ConnColumn),
            QStringLiteral("#%1").arg(open[kMaxSnapshotConns - 1].id));
        const QString summary = view.summaryText();
        QVERIFY2(summary.contains(QStringLiteral("Showing the oldest 512 of 700 connections")),
            qPrintable(summary));
        QVERIFY2(summary.contains(QStringLiteral("capped at 512")), qPrintable(summary));
    }

    void paintsTheLanesInStateColours()
    {
        ConnectionsView view;
        view.resize(1400, 400);
        EngineSnapshot s = synthetic();
        view.setSnapshot(s);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        const QImage image = view.grab().toImage();
        const QRect lane
            = view.table()->visualRect(view.model()->index(0, ConnectionsModel::LaneColumn));
        QVERIFY(lane.isValid());
        // Row 0 is idle: its lane ends (now, right edge) in the idle colour.
        const QPoint inLane
            = view.table()->viewport()->mapTo(&view, QPoint(lane.right() - 6, lane.center().y()));
        QCOMPARE(image.pixelColor(inLane * image.devicePixelRatio()),
            ConnectionsModel::stateColor(ConnState::Idle));
        // Its lane starts 8 s back (it was dialed at 2 s): the minute before that is empty.
        const QPoint beforeDial
            = view.table()->viewport()->mapTo(&view, QPoint(lane.left() + 6, lane.center().y()));
        QCOMPARE(image.pixelColor(beforeDial * image.devicePixelRatio()), QColor(0xf2, 0xf2, 0xf2));
        const QString dir = qEnvironmentVariable("POOLSCOPE_SCREENSHOT_DIR");
        if (!dir.isEmpty()) {
            image.save(dir + QStringLiteral("/connections_view.png"));
        }
    }

    void followsTheEngineInTheWindow()
    {
        // The TIME_WAIT storm against the embedded server: connections churn, the view
        // shows exactly the snapshot's open connections at every tick.
        MainWindow w;
        w.resize(1600, 1000);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(w.loadPreset(u"time-wait-storm"));
        w.connectionsDock()->toggleViewAction()->trigger(); // View > Connections
        QVERIFY(w.connectionsDock()->isVisible());
        w.startRun();
        QVERIFY(w.isRunning());
        const ConnectionsModel *m = w.connectionsView()->model();
        QTRY_VERIFY_WITH_TIMEOUT(w.lastSnapshot().pool.closed >= 50, 15000);
        int ticks = 0;
        int maxRows = 0;
        QString mismatch;
        QObject::connect(w.engine(), &EngineController::snapshotReady, &w, [&] {
            const EngineSnapshot &s = w.lastSnapshot(); // the window has fed the view already
            ++ticks;
            maxRows = std::max(maxRows, m->rowCount());
            if (m->rowCount() != int(s.conns.size())) {
                mismatch = QStringLiteral("%1 rows for %2 connections")
                               .arg(m->rowCount())
                               .arg(s.conns.size());
                return;
            }
            for (int r = 0; r < m->rowCount(); ++r) {
                const ConnInfo &c = s.conns[std::size_t(r)];
                const QString state
                    = m->data(m->index(r, ConnectionsModel::StateColumn), Qt::DisplayRole)
                          .toString();
                if (m->conn(r).id != c.id
                    || state != QString::fromLatin1(connStateName(c.state).data())) {
                    mismatch = QStringLiteral("row %1: #%2 %3, snapshot #%4")
                                   .arg(r)
                                   .arg(m->conn(r).id)
                                   .arg(state)
                                   .arg(c.id);
                    return;
                }
            }
        });
        QTRY_VERIFY_WITH_TIMEOUT(ticks >= 10 || !mismatch.isEmpty(), 10000);
        QVERIFY2(mismatch.isEmpty(), qPrintable(mismatch));
        QVERIFY(maxRows > 0);
        QVERIFY(w.connectionsView()->summaryText().contains(QStringLiteral("Closed so far")));
        const QString dir = qEnvironmentVariable("POOLSCOPE_SCREENSHOT_DIR");
        if (!dir.isEmpty()) {
            w.grab().save(dir + QStringLiteral("/connections_storm.png"));
        }
        w.stopRun();
    }
};

QTEST_MAIN(TestUiConnectionsView)
#include "tst_ui_connections_view.moc"
