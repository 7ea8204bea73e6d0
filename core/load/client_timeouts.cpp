#include "client_timeouts.h"

#include <QTimer>

namespace poolscope {

ClientTimeouts::ClientTimeouts(Handler handler, QObject *parent)
    : QObject(parent), m_handler(std::move(handler))
{
}

void ClientTimeouts::arm(int caller, RoundTripId trip, Duration timeout)
{
    if (timeout <= Duration::zero() || caller < 0) {
        return;
    }
    const auto i = static_cast<std::size_t>(caller);
    if (i >= m_slots.size()) {
        m_slots.resize(i + 1);
    }
    Slot &s = m_slots[i];
    if (!s.timer) {
        s.timer = new QTimer(this);
        s.timer->setSingleShot(true);
        connect(s.timer, &QTimer::timeout, this, [this, caller] {
            const RoundTripId id = std::exchange(m_slots[static_cast<std::size_t>(caller)].trip, 0);
            if (id != 0) {
                m_handler(caller, id);
            }
        });
    }
    s.trip = trip;
    s.timer->start(std::chrono::ceil<std::chrono::milliseconds>(timeout));
}

void ClientTimeouts::disarm(int caller)
{
    const auto i = static_cast<std::size_t>(caller);
    if (caller < 0 || i >= m_slots.size() || !m_slots[i].timer) {
        return;
    }
    m_slots[i].timer->stop();
    m_slots[i].trip = 0;
}

void ClientTimeouts::disarmAll()
{
    for (std::size_t i = 0; i < m_slots.size(); ++i) {
        disarm(static_cast<int>(i));
    }
}

void ClientTimeouts::clear()
{
    for (Slot &s : m_slots) {
        delete s.timer;
    }
    m_slots.clear();
}

} // namespace poolscope
