#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace poolscope {

// Fixed-capacity FIFO that overwrites its oldest element when full and counts how many it
// overwrote. Storage is reserved once at construction; push() never allocates afterwards
// (for element types that do not allocate themselves), so a long run cannot grow memory.
//
// Not thread-safe: one thread owns it, or the owner guards it with its own mutex (e.g. the
// engine pushes under a lock and the UI copies out with copyTo() under the same lock).
template<typename T>
class RingBuffer final
{
public:
    // capacity 0 is treated as 1: a ring must be able to hold its newest element.
    explicit RingBuffer(std::size_t capacity) : m_capacity(capacity ? capacity : 1)
    {
        m_data.reserve(m_capacity);
    }

    void push(const T &value) { emplace(value); }
    void push(T &&value) { emplace(std::move(value)); }

    template<typename... Args>
    T &emplace(Args &&...args)
    {
        if (m_data.size() < m_capacity) {
            m_data.emplace_back(std::forward<Args>(args)...);
            return m_data.back();
        }
        // Full: the oldest slot becomes the newest.
        T &slot = m_data[m_head];
        slot = T(std::forward<Args>(args)...);
        m_head = (m_head + 1) % m_capacity;
        ++m_dropped;
        return slot;
    }

    [[nodiscard]] std::size_t size() const { return m_data.size(); }
    [[nodiscard]] std::size_t capacity() const { return m_capacity; }
    [[nodiscard]] bool isEmpty() const { return m_data.empty(); }
    [[nodiscard]] bool isFull() const { return m_data.size() == m_capacity; }
    // Elements overwritten because the ring was full, since construction or clear().
    [[nodiscard]] std::uint64_t dropped() const { return m_dropped; }

    // Oldest first: [0] is the oldest element, [size() - 1] the newest. No bounds check.
    [[nodiscard]] const T &operator[](std::size_t i) const { return m_data[physical(i)]; }
    [[nodiscard]] T &operator[](std::size_t i) { return m_data[physical(i)]; }
    [[nodiscard]] const T &front() const { return (*this)[0]; }
    // Newest element. The ring must not be empty.
    [[nodiscard]] const T &back() const { return (*this)[m_data.size() - 1]; }
    [[nodiscard]] T &back() { return (*this)[m_data.size() - 1]; }

    // Empties the ring and resets dropped(); the reserved storage is kept.
    void clear()
    {
        m_data.clear();
        m_head = 0;
        m_dropped = 0;
    }

    // Moves the elements out, oldest first, and empties the ring (dropped() is kept: the
    // consumer can compare it with the last value it saw to learn what it missed).
    [[nodiscard]] std::vector<T> drain()
    {
        std::vector<T> out;
        out.reserve(m_data.size());
        for (std::size_t i = 0; i < m_data.size(); ++i)
            out.push_back(std::move((*this)[i]));
        m_data.clear();
        m_head = 0;
        return out;
    }

    // Replaces out's contents with a copy of the elements, oldest first. Reusing the same
    // vector for every snapshot avoids allocating once it has grown to capacity().
    void copyTo(std::vector<T> &out) const
    {
        out.clear();
        out.reserve(m_data.size());
        for (std::size_t i = 0; i < m_data.size(); ++i)
            out.push_back((*this)[i]);
    }

private:
    [[nodiscard]] std::size_t physical(std::size_t i) const
    {
        const std::size_t p = m_head + i;
        return p < m_capacity ? p : p - m_capacity;
    }

    std::size_t m_capacity;
    std::vector<T> m_data; // size() grows to m_capacity once, then stays
    std::size_t m_head = 0; // index of the oldest element once full; 0 before
    std::uint64_t m_dropped = 0;
};

} // namespace poolscope
