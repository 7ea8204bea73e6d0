#pragma once

#include <QObject>
#include <cstdint>

class QSocketNotifier;

namespace poolscope {

// Raises the open-file soft limit to the hard limit, as Go does at start since 1.19
// (os/rlimit.go): a pool laboratory opens thousands of sockets, and the usual soft limit of
// 1024 would make "too many open files" the first thing it shows. An atLeast above the hard
// limit raises the hard limit too, which needs CAP_SYS_RESOURCE. Never lowers a limit.
// True when the soft limit is now at least max(hard limit, atLeast).
bool raiseOpenFileLimit(std::uint64_t atLeast = 0);

// SIGINT and SIGTERM, delivered to the event loop while this object lives: the handler only
// writes the signal number to a socket pair (async-signal-safe), received() is emitted from
// the loop. The previous handlers come back on destruction. One instance at a time.
class TerminationSignals final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TerminationSignals)

public:
    explicit TerminationSignals(QObject *parent = nullptr);
    ~TerminationSignals() override;

    // False when the socket pair could not be made: the signals keep their old handlers.
    [[nodiscard]] bool isActive() const { return m_notifier != nullptr; }

Q_SIGNALS:
    void received(int signal);

private:
    QSocketNotifier *m_notifier = nullptr;
};

} // namespace poolscope
