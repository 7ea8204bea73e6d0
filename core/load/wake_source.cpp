#include "wake_source.h"

#include "timing/wake_queue.h"

namespace poolscope {

WakeQueueSource::WakeQueueSource(const Clock &clock, TimerModel model)
    : m_clock(clock), m_model(model)
{
}

WakeQueueSource::~WakeQueueSource() = default;

void WakeQueueSource::setModel(TimerModel model)
{
    m_model = model;
    if (m_queue) {
        m_queue->setModel(model);
    }
}

void WakeQueueSource::schedule(int key, TimePoint due)
{
    if (!m_queue) {
        m_queue = std::make_unique<WakeQueue>(m_clock, [this](int k) {
            if (m_handler) {
                m_handler(k);
            }
        });
        m_queue->setModel(m_model);
    }
    m_queue->schedule(key, due);
}

void WakeQueueSource::clear()
{
    if (m_queue) {
        m_queue->clear();
    }
}

} // namespace poolscope
