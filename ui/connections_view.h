#pragma once

#include "load/engine_snapshot.h"

#include <QAbstractTableModel>
#include <QColor>
#include <QWidget>
#include <vector>

class QLabel;
class QTableView;

namespace poolscope {

// Rows of the connections view: one per open connection of the latest snapshot
// (EngineSnapshot::conns, oldest first, at most kMaxSnapshotConns). setSnapshot()
// updates rows in place (removals, one dataChanged, appends) so the view keeps its
// scroll position and repaints only what it shows; memory is fixed by the cap.
class ConnectionsModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConnectionsModel)

public:
    enum Column {
        ConnColumn,
        StateColumn,
        RequestsColumn,
        AgeColumn,
        InStateColumn,
        LocalPortColumn,
        KernelStateColumn,
        KernelTimerColumn,
        ProbesColumn,
        LaneColumn,
        ColumnCount
    };

    explicit ConnectionsModel(QObject *parent = nullptr);

    [[nodiscard]] int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    [[nodiscard]] int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role) const override;
    [[nodiscard]] QVariant headerData(
        int section, Qt::Orientation orientation, int role) const override;

    void setSnapshot(const EngineSnapshot &snapshot);
    void clear();

    [[nodiscard]] const ConnInfo &conn(int row) const { return m_rows[std::size_t(row)]; }
    // Time of the snapshot the rows come from (since run start).
    [[nodiscard]] TimePoint now() const { return m_now; }
    // How many times setSnapshot fell back to a full model reset (rows reordered).
    [[nodiscard]] int resetCount() const { return m_resets; }

    // "keepalive in 0.6 s", "timewait in 59.2 s", "none", "–" (kernel not sampled).
    [[nodiscard]] static QString kernelTimerText(const ConnInfo &c);
    // "40 ms", "12.3 s", "3 min 05 s".
    [[nodiscard]] static QString durationText(TimePoint d);
    [[nodiscard]] static QColor stateColor(ConnState s);

private:
    std::vector<ConnInfo> m_rows; // at most kMaxSnapshotConns
    std::vector<ConnId> m_nextIds; // scratch, sorted ids of the incoming snapshot
    TimePoint m_now { 0 };
    int m_resets = 0;
};

// The live swimlanes: one row per open connection with its pool state, requests
// served, age, time in state, local port and the kernel's view of the same socket
// (state, timer countdown, keep-alive probes), above a one-line summary that says
// when the list is capped and how many connections closed by reason.
class ConnectionsView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConnectionsView)

public:
    explicit ConnectionsView(QWidget *parent = nullptr);

    // Called at the UI tick with the latest snapshot.
    void setSnapshot(const EngineSnapshot &snapshot);
    void clear();

    [[nodiscard]] ConnectionsModel *model() const { return m_model; }
    [[nodiscard]] QTableView *table() const { return m_table; }
    [[nodiscard]] QString summaryText() const;

private:
    ConnectionsModel *m_model = nullptr;
    QTableView *m_table = nullptr;
    QLabel *m_summary = nullptr;
};

} // namespace poolscope
