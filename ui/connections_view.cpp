#include "connections_view.h"

#include "close_reason_text.h"

#include <QApplication>
#include <QHeaderView>
#include <QLabel>
#include <QPainter>
#include <QStyledItemDelegate>
#include <QTableView>
#include <QVBoxLayout>
#include <algorithm>

namespace poolscope {

namespace {

// The lane column shows the last minute of each connection's life.
constexpr TimePoint kLaneWindow = std::chrono::seconds(60);

double seconds(TimePoint d)
{
    return std::chrono::duration<double>(d).count();
}

QString dash()
{
    return QStringLiteral("–");
}

// Paints a connection's lane: its age over the last kLaneWindow, the current state's
// stretch in the state's colour, earlier states grey, unanswered keep-alive probes as red
// ticks at the right end. Cheap: a few rectangles per visible row.
class LaneDelegate final : public QStyledItemDelegate
{
public:
    explicit LaneDelegate(const ConnectionsModel *model, QObject *parent)
        : QStyledItemDelegate(parent), m_model(model)
    {
    }

    void paint(
        QPainter *p, const QStyleOptionViewItem &option, const QModelIndex &index) const override
    {
        // Background and selection as the style draws them, no text.
        QStyleOptionViewItem opt = option;
        initStyleOption(&opt, index);
        const QStyle *style = opt.widget ? opt.widget->style() : QApplication::style();
        style->drawPrimitive(QStyle::PE_PanelItemViewItem, &opt, p, opt.widget);
        const ConnInfo &c = m_model->conn(index.row());
        const TimePoint now = m_model->now();
        const QRectF r = QRectF(option.rect).adjusted(2, 4, -2, -4);
        if (r.width() <= 4 || r.height() <= 2) {
            return;
        }
        auto x = [&](TimePoint t) {
            const double back = std::clamp(seconds(now - t) / seconds(kLaneWindow), 0.0, 1.0);
            return r.right() - back * r.width();
        };
        p->save();
        p->fillRect(r, QColor(0xf2, 0xf2, 0xf2));
        const double xOpen = x(c.opened);
        const double xSince = x(std::max(c.since, c.opened));
        p->fillRect(QRectF(xOpen, r.top(), xSince - xOpen, r.height()), QColor(0xc8, 0xc8, 0xc8));
        p->fillRect(QRectF(xSince, r.top(), std::max(1.0, r.right() - xSince), r.height()),
            ConnectionsModel::stateColor(c.state));
        const bool kernelAlarm = c.kernelState != TcpState::Unknown
            && c.kernelState != TcpState::Established && c.kernelState != TcpState::SynSent;
        for (int i = 0; i < std::min(c.keepAliveProbes, 20); ++i) {
            const double px = r.right() - 3.0 - 4.0 * i;
            p->fillRect(QRectF(px, r.top() - 2, 2, r.height() + 4), QColor(0xd6, 0x27, 0x28));
        }
        if (kernelAlarm) {
            p->setPen(QPen(QColor(0xd6, 0x27, 0x28), 1.5));
            p->drawRect(r);
        }
        p->restore();
    }

private:
    const ConnectionsModel *m_model;
};

} // namespace

ConnectionsModel::ConnectionsModel(QObject *parent) : QAbstractTableModel(parent)
{
    m_rows.reserve(kMaxSnapshotConns);
    m_nextIds.reserve(kMaxSnapshotConns);
}

int ConnectionsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int ConnectionsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QColor ConnectionsModel::stateColor(ConnState s)
{
    // The same colours as the connections chart.
    switch (s) {
    case ConnState::Dialing:
        return QColor(0x94, 0x67, 0xbd);
    case ConnState::Active:
        return QColor(0x2c, 0xa0, 0x2c);
    case ConnState::Idle:
        return QColor(0xff, 0x7f, 0x0e);
    case ConnState::Closed:
        break;
    }
    return QColor(0x7f, 0x7f, 0x7f);
}

QString ConnectionsModel::durationText(TimePoint d)
{
    const double s = std::max(0.0, seconds(d));
    if (s < 1.0) {
        // Churning connections live milliseconds: "0.0 s" would hide that.
        return ConnectionsModel::tr("%1 ms").arg(
            std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
    }
    if (s < 60.0) {
        return ConnectionsModel::tr("%1 s").arg(s, 0, 'f', 1);
    }
    const auto whole = static_cast<long long>(s);
    return ConnectionsModel::tr("%1 min %2 s")
        .arg(whole / 60)
        .arg(whole % 60, 2, 10, QLatin1Char('0'));
}

QString ConnectionsModel::kernelTimerText(const ConnInfo &c)
{
    if (c.kernelState == TcpState::Unknown && c.kernelTimer == TcpTimer::None) {
        return dash(); // not matched to a kernel socket (yet)
    }
    if (c.kernelTimer == TcpTimer::None) {
        return ConnectionsModel::tr("none");
    }
    const double in = std::max(0.0, std::chrono::duration<double>(c.kernelTimerExpires).count());
    return ConnectionsModel::tr("%1 in %2 s")
        .arg(QLatin1String(tcpTimerName(c.kernelTimer)))
        .arg(in, 0, 'f', 1);
}

QVariant ConnectionsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount() || index.column() >= ColumnCount) {
        return {};
    }
    const ConnInfo &c = m_rows[std::size_t(index.row())];
    const bool kernelSeen = c.kernelState != TcpState::Unknown;
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case ConnColumn:
            return QStringLiteral("#%1").arg(c.id);
        case StateColumn:
            return QString::fromLatin1(connStateName(c.state));
        case RequestsColumn:
            return QString::number(c.requests);
        case AgeColumn:
            return durationText(m_now - c.opened);
        case InStateColumn:
            return durationText(m_now - c.since);
        case LocalPortColumn:
            return c.localPort != 0 ? QString::number(c.localPort) : dash();
        case KernelStateColumn:
            return kernelSeen ? QString::fromLatin1(tcpStateName(c.kernelState)) : dash();
        case KernelTimerColumn:
            return kernelTimerText(c);
        case ProbesColumn:
            return kernelSeen ? QString::number(c.keepAliveProbes) : dash();
        default:
            return {};
        }
    }
    if (role == Qt::ForegroundRole) {
        if (index.column() == StateColumn) {
            return stateColor(c.state).darker(115);
        }
        if (index.column() == KernelStateColumn && kernelSeen
            && c.kernelState != TcpState::Established) {
            return QColor(0xb0, 0x00, 0x20); // CLOSE_WAIT, FIN_WAIT... on a pooled connection
        }
        if (index.column() == ProbesColumn && c.keepAliveProbes > 0) {
            return QColor(0xb0, 0x00, 0x20); // probes went unanswered
        }
        return {};
    }
    if (role == Qt::TextAlignmentRole) {
        switch (index.column()) {
        case RequestsColumn:
        case AgeColumn:
        case InStateColumn:
        case LocalPortColumn:
        case ProbesColumn:
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        default:
            return QVariant(Qt::AlignLeft | Qt::AlignVCenter);
        }
    }
    return {};
}

QVariant ConnectionsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal) {
        return {};
    }
    if (role == Qt::DisplayRole) {
        static const char *const names[ColumnCount]
            = { QT_TR_NOOP("conn"), QT_TR_NOOP("state"), QT_TR_NOOP("requests"), QT_TR_NOOP("age"),
                  QT_TR_NOOP("in state"), QT_TR_NOOP("local port"), QT_TR_NOOP("kernel state"),
                  QT_TR_NOOP("kernel timer"), QT_TR_NOOP("probes"), QT_TR_NOOP("last 60 s") };
        return section >= 0 && section < ColumnCount ? tr(names[section]) : QVariant();
    }
    if (role == Qt::ToolTipRole) {
        static const char *const tips[ColumnCount] = {
            QT_TR_NOOP("Connection number, in dial order"),
            QT_TR_NOOP("Pool state: dialing, active (serving a request) or idle (pooled, waiting "
                       "for reuse)"),
            QT_TR_NOOP("Requests this connection has served"),
            QT_TR_NOOP("Time since the dial started"),
            QT_TR_NOOP("Time since the connection entered its current state"),
            QT_TR_NOOP("Our end's port: the key that joins the pool's connection to the kernel's "
                       "socket"),
            QT_TR_NOOP("The kernel's TCP state of the same socket (sock_diag)"),
            QT_TR_NOOP("The kernel's timer on the socket and when it fires: keepalive (next "
                       "keep-alive probe), retransmit, timewait"),
            QT_TR_NOOP("Keep-alive probes sent without an answer; after Count of them the kernel "
                       "closes the connection"),
            QT_TR_NOOP("The connection's last minute: grey = earlier states, colour = current "
                       "state, red ticks = unanswered keep-alive probes"),
        };
        return section >= 0 && section < ColumnCount ? tr(tips[section]) : QVariant();
    }
    return {};
}

void ConnectionsModel::clear()
{
    if (m_rows.empty()) {
        return;
    }
    beginResetModel();
    m_rows.clear();
    m_now = TimePoint { 0 };
    endResetModel();
}

void ConnectionsModel::setSnapshot(const EngineSnapshot &snapshot)
{
    const std::size_t n
        = std::min(snapshot.conns.size(), static_cast<std::size_t>(kMaxSnapshotConns));
    const auto next = snapshot.conns.begin();
    m_now = snapshot.time;

    m_nextIds.clear();
    for (std::size_t i = 0; i < n; ++i) {
        m_nextIds.push_back(next[std::ptrdiff_t(i)].id);
    }
    std::sort(m_nextIds.begin(), m_nextIds.end());
    auto present = [this](ConnId id) {
        return std::binary_search(m_nextIds.begin(), m_nextIds.end(), id);
    };

    // In place only if the survivors keep their order and lead the new list (new
    // connections are appended at the end); anything else is a full reset.
    std::size_t kept = 0;
    bool inPlace = true;
    for (const ConnInfo &c : m_rows) {
        if (!present(c.id)) {
            continue;
        }
        if (kept >= n || next[std::ptrdiff_t(kept)].id != c.id) {
            inPlace = false;
            break;
        }
        ++kept;
    }
    if (!inPlace) {
        ++m_resets;
        beginResetModel();
        m_rows.assign(next, next + std::ptrdiff_t(n));
        endResetModel();
        return;
    }

    // Closed connections leave, bottom-up in contiguous blocks.
    int row = static_cast<int>(m_rows.size()) - 1;
    while (row >= 0) {
        if (present(m_rows[std::size_t(row)].id)) {
            --row;
            continue;
        }
        const int last = row;
        while (row >= 0 && !present(m_rows[std::size_t(row)].id)) {
            --row;
        }
        beginRemoveRows(QModelIndex(), row + 1, last);
        m_rows.erase(m_rows.begin() + (row + 1), m_rows.begin() + (last + 1));
        endRemoveRows();
    }
    // Survivors get their new values: one dataChanged for all of them.
    std::copy(next, next + std::ptrdiff_t(kept), m_rows.begin());
    if (kept > 0) {
        Q_EMIT dataChanged(index(0, 0), index(static_cast<int>(kept) - 1, ColumnCount - 1));
    }
    // New connections join at the end.
    if (kept < n) {
        beginInsertRows(QModelIndex(), static_cast<int>(kept), static_cast<int>(n) - 1);
        m_rows.insert(m_rows.end(), next + std::ptrdiff_t(kept), next + std::ptrdiff_t(n));
        endInsertRows();
    }
}

ConnectionsView::ConnectionsView(QWidget *parent)
    : QWidget(parent), m_model(new ConnectionsModel(this))
{
    auto *v = new QVBoxLayout(this);
    v->setContentsMargins(4, 4, 4, 4);
    v->setSpacing(4);
    m_summary = new QLabel(this);
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    v->addWidget(m_summary);

    m_table = new QTableView(this);
    m_table->setModel(m_model);
    m_table->setItemDelegateForColumn(
        ConnectionsModel::LaneColumn, new LaneDelegate(m_model, m_table));
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setAlternatingRowColors(true);
    m_table->setShowGrid(false);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    // Fixed row heights and column widths: no per-tick measuring of 512 rows.
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    QHeaderView *h = m_table->horizontalHeader();
    h->setSectionResizeMode(QHeaderView::Interactive);
    h->setStretchLastSection(true);
    // Each column as wide as its widest usual text (or its header), the lane takes the rest.
    const char *const widest[ConnectionsModel::ColumnCount]
        = { "#00000", "dialing", "requests", "0 min 00 s", "0 min 00 s", "local port",
              "ESTABLISHED", "keepalive in 00.0 s", "probes", "" };
    const QFontMetrics fm = m_table->fontMetrics();
    const QFontMetrics hm = h->fontMetrics();
    for (int c = 0; c + 1 < ConnectionsModel::ColumnCount; ++c) {
        const QString header = m_model->headerData(c, Qt::Horizontal, Qt::DisplayRole).toString();
        m_table->setColumnWidth(c,
            std::max(fm.horizontalAdvance(QLatin1String(widest[c])), hm.horizontalAdvance(header))
                + 20);
    }
    v->addWidget(m_table, 1);
    setSnapshot(EngineSnapshot {});
}

void ConnectionsView::clear()
{
    setSnapshot(EngineSnapshot {});
}

void ConnectionsView::setSnapshot(const EngineSnapshot &s)
{
    m_model->setSnapshot(s);

    const HostCounters &now = s.pool.now;
    const int total = now.dialing + now.open();
    const int shown = m_model->rowCount();
    QString text;
    if (shown < total && shown >= kMaxSnapshotConns) {
        text = tr("Showing the oldest %1 of %2 connections (the view is capped at %3). ")
                   .arg(shown)
                   .arg(total)
                   .arg(kMaxSnapshotConns);
    } else {
        // Open as the status bar and the pool chart count it: active plus idle; a dial
        // in flight is not a connection yet ("9 open" beside the status bar's "open 2").
        text = (now.open() == 1 ? tr("%1 connection open") : tr("%1 connections open"))
                   .arg(now.open());
        text += tr(" (active %1, idle %2), %3 dialing.")
                    .arg(now.active)
                    .arg(now.idle)
                    .arg(now.dialing);
    }
    if (shown < total && shown >= kMaxSnapshotConns) {
        text
            += tr("Dialing %1, active %2, idle %3.").arg(now.dialing).arg(now.active).arg(now.idle);
    }
    if (s.pool.closed > 0) {
        std::vector<std::pair<std::uint64_t, CloseReason>> reasons;
        for (int r = 1; r < kCloseReasonCount; ++r) {
            const auto n = s.pool.closesByReason[std::size_t(r)];
            if (n > 0) {
                reasons.emplace_back(n, static_cast<CloseReason>(r));
            }
        }
        std::sort(reasons.begin(), reasons.end(),
            [](const auto &a, const auto &b) { return a.first > b.first; });
        QStringList parts;
        for (std::size_t i = 0; i < std::min<std::size_t>(reasons.size(), 4); ++i) {
            parts << QStringLiteral("%1 %2")
                         .arg(closeReasonText(reasons[i].second))
                         .arg(reasons[i].first);
        }
        if (reasons.size() > 4) {
            parts << QStringLiteral("…");
        }
        text += tr(" Closed so far: %1 (%2).")
                    .arg(s.pool.closed)
                    .arg(parts.join(QStringLiteral(", ")));
    }
    if (s.running && !s.kernel.available && !s.kernel.unavailableReason.isEmpty()) {
        text += tr(" Kernel view unavailable: %1.").arg(s.kernel.unavailableReason);
    }
    m_summary->setText(text);
}

QString ConnectionsView::summaryText() const
{
    return m_summary->text();
}

} // namespace poolscope
