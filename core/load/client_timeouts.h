#pragma once

#include "load/transport.h"

#include <QObject>
#include <functional>
#include <optional>
#include <vector>

class QTimer;

namespace poolscope {

// http.Client.Timeout, one timer per caller: armed when a caller's request starts, fired
// with the round trip it was armed for (the caller then cancels it, as Go's Client
// cancels the request's context). Timers are made on demand and kept for the run.
class ClientTimeouts final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ClientTimeouts)

public:
    using Handler = std::function<void(int caller, RoundTripId trip)>;

    explicit ClientTimeouts(Handler handler, QObject *parent = nullptr);

    // Fires after `timeout` unless disarmed; timeout <= 0 arms nothing. Any Duration
    // works, also those beyond one QTimer interval (24.8 days).
    void arm(int caller, RoundTripId trip, Duration timeout);
    void disarm(int caller);
    // Disarms every timer (the run ends); they are kept for reuse.
    void disarmAll();
    // Deletes every timer (a new run).
    void clear();
    // Time left before `caller`'s timer fires (to the millisecond); none if not armed.
    [[nodiscard]] std::optional<Duration> remaining(int caller) const;

private:
    struct Slot
    {
        QTimer *timer = nullptr;
        RoundTripId trip = 0;
        Duration left { 0 }; // still to wait after the running QTimer interval
    };

    void startSlice(Slot &s);

    Handler m_handler;
    std::vector<Slot> m_slots;
};

} // namespace poolscope
