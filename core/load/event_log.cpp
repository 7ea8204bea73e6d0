#include "event_log.h"

namespace poolscope {

bool EventLog::begin(const QString &path, QString *error)
{
    close();
    m_batch.clear(); // and its dropped count
    m_error.clear();
    if (path.isEmpty()) {
        return true;
    }
    m_file = std::make_unique<QFile>(path);
    if (!m_file->open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        if (error) {
            *error
                = QStringLiteral("cannot write events to %1: %2").arg(path, m_file->errorString());
        }
        m_file.reset();
        return false;
    }
    m_buffer.reserve(1 << 17);
    return true;
}

void EventLog::close()
{
    if (!m_file) {
        return;
    }
    flush();
    m_file->close();
    m_file.reset();
}

void EventLog::onPoolEvent(const PoolEvent &event)
{
    if (m_file) {
        writeLine(event);
    }
    if (m_recording) {
        m_batch.push(event); // the UI not keeping up loses the oldest
    }
}

void EventLog::writeLine(const PoolEvent &e)
{
    // Hand-written NDJSON: this runs for every event at full rate.
    QByteArray &b = m_buffer;
    b.append("{\"t_ns\":").append(QByteArray::number(static_cast<qint64>(e.time.count())));
    b.append(",\"type\":\"")
        .append(eventTypeName(e.type).data(), static_cast<qsizetype>(eventTypeName(e.type).size()));
    b.append("\",\"conn\":").append(QByteArray::number(static_cast<qulonglong>(e.conn)));
    b.append(",\"req\":").append(QByteArray::number(static_cast<qulonglong>(e.req)));
    if (e.type == EventType::GotConn) {
        b.append(",\"reused\":").append(e.reused ? "true" : "false");
        b.append(",\"was_idle\":").append(e.wasIdle ? "true" : "false");
        b.append(",\"idle_ns\":")
            .append(QByteArray::number(static_cast<qint64>(e.idleTime.count())));
    }
    if (e.type == EventType::RequestDone) {
        b.append(",\"latency_ns\":")
            .append(QByteArray::number(static_cast<qint64>(e.idleTime.count())));
    }
    if (e.reason != CloseReason::None) {
        const auto label = closeReasonLabel(e.reason);
        const auto go = closeReasonGoName(e.reason);
        b.append(",\"reason\":\"").append(label.data(), static_cast<qsizetype>(label.size()));
        b.append("\",\"go\":\"").append(go.data(), static_cast<qsizetype>(go.size())).append('"');
    }
    b.append("}\n");
    if (b.size() > (1 << 16)) {
        flush();
    }
}

void EventLog::flush()
{
    if (!m_file) {
        return;
    }
    if (!m_buffer.isEmpty()) {
        if (m_file->write(m_buffer) < 0) {
            m_error = QStringLiteral("event log: %1").arg(m_file->errorString());
        }
        m_buffer.clear();
    }
    m_file->flush();
}

} // namespace poolscope
