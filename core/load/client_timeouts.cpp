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
            Slot &slot = m_slots[static_cast<std::size_t>(caller)];
            if (slot.left > Duration::zero()) {
                startSlice(slot); // a timeout longer than one QTimer interval goes on
                return;
            }
            const RoundTripId id = std::exchange(slot.trip, 0);
            if (id != 0) {
                m_handler(caller, id);
            }
        });
    }
    s.trip = trip;
    s.left = timeout;
    startSlice(s);
}

void ClientTimeouts::startSlice(Slot &s)
{
    // Qt 6.4's QTimer::start(ms) takes an int: 1193h2m48.296s (2^32 ms + 1 s) fired after
    // 1 s. Wait at most one QTimer interval at a time.
    const std::chrono::milliseconds slice = timerInterval(s.left);
    s.left = saturatingSub(s.left, Duration(slice));
    s.timer->start(slice);
}

std::optional<Duration> ClientTimeouts::remaining(int caller) const
{
    const auto i = static_cast<std::size_t>(caller);
    if (caller < 0 || i >= m_slots.size() || !m_slots[i].timer || !m_slots[i].timer->isActive()) {
        return std::nullopt;
    }
    const Slot &s = m_slots[i];
    return saturatingAdd(Duration(s.timer->remainingTimeAsDuration()), s.left);
}

void ClientTimeouts::disarm(int caller)
{
    const auto i = static_cast<std::size_t>(caller);
    if (caller < 0 || i >= m_slots.size() || !m_slots[i].timer) {
        return;
    }
    m_slots[i].timer->stop();
    m_slots[i].trip = 0;
    m_slots[i].left = Duration::zero();
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
