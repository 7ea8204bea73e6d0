#pragma once

#include "load/transport.h"

#include <QObject>
#include <functional>
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

    // Fires after `timeout` unless disarmed; timeout <= 0 arms nothing.
    void arm(int caller, RoundTripId trip, Duration timeout);
    void disarm(int caller);
    // Disarms every timer (the run ends); they are kept for reuse.
    void disarmAll();
    // Deletes every timer (a new run).
    void clear();

private:
    struct Slot
    {
        QTimer *timer = nullptr;
        RoundTripId trip = 0;
    };

    Handler m_handler;
    std::vector<Slot> m_slots;
};

} // namespace poolscope
