#pragma once

#include "metrics/ring_buffer.h"
#include "pool/pool.h"

#include <QByteArray>
#include <QFile>
#include <QString>
#include <memory>
#include <vector>

namespace poolscope {

// Where a run's events go: an NDJSON file (--events FILE) and a bounded batch the engine
// hands to its controller at each snapshot. Receives the pool's and the transport's events.
class EventLog final : public PoolEventSink
{
public:
    // The batch holds at most `batchCapacity` events between two takeBatch() calls; beyond
    // it the oldest are dropped and counted, the one policy of every ring (RingBuffer).
    explicit EventLog(std::size_t batchCapacity) : m_batch(batchCapacity) { }
    EventLog(const EventLog &) = delete;
    EventLog &operator=(const EventLog &) = delete;
    ~EventLog() override { close(); }

    // Starts a run: opens (truncates) `path` ("" = no file), empties the batch. Returns
    // false with *error when the file cannot be written.
    bool begin(const QString &path, QString *error);
    // Flushes and closes the file.
    void close();
    // Keep events for the batch (the UI's event list). Off by default.
    void setRecording(bool on) { m_recording = on; }
    // Anyone wants events at all: callers may skip building them otherwise.
    [[nodiscard]] bool enabled() const { return m_recording || m_file; }

    void onPoolEvent(const PoolEvent &event) override;

    // Writes what is buffered to the file.
    void flush();
    // Events since the last call, oldest first; empties the batch.
    [[nodiscard]] std::vector<PoolEvent> takeBatch() { return m_batch.drain(); }
    [[nodiscard]] std::size_t batchSize() const { return m_batch.size(); }
    // Events this run dropped from the batch because nobody took them in time.
    [[nodiscard]] std::uint64_t dropped() const { return m_batch.dropped(); }
    // A write error since the last call ("" = none).
    [[nodiscard]] QString takeError() { return std::exchange(m_error, QString()); }

private:
    void writeLine(const PoolEvent &e);

    bool m_recording = false;
    RingBuffer<PoolEvent> m_batch;
    std::unique_ptr<QFile> m_file;
    QByteArray m_buffer;
    QString m_error;
};

} // namespace poolscope
