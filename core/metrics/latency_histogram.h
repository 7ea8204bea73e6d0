#pragma once

#include <QtGlobal>
#include <array>
#include <chrono>

namespace poolscope {

// Log-bucket histogram of durations in nanoseconds, 1 µs to 100 s, with a fixed array of
// counters: recording never allocates and the memory is the same after ten records or ten
// billion. Each bucket spans a ratio of 10^(1/40) ~ 1.059, so reporting a bucket's geometric
// middle is within 2.9 % of any value in it. Values below 1 µs land in the first bucket and
// values above 100 s in the last, but min() and max() stay exact. Negative durations count
// as 0. Not thread-safe: one writer, and readers copy it (it is a plain value type).
class LatencyHistogram final
{
public:
    static constexpr qint64 kLowestTrackedNs = 1'000; // 1 µs
    static constexpr qint64 kHighestTrackedNs = 100'000'000'000; // 100 s
    static constexpr int kBucketsPerDecade = 40;
    static constexpr int kDecades = 8; // 1 µs .. 100 s
    static constexpr int kBucketCount = kBucketsPerDecade * kDecades;

    void record(qint64 nanoseconds);
    void record(std::chrono::nanoseconds duration) { record(qint64(duration.count())); }

    [[nodiscard]] qint64 count() const { return m_count; }
    [[nodiscard]] bool isEmpty() const { return m_count == 0; }
    // Exact smallest / largest recorded value; 0 when empty.
    [[nodiscard]] qint64 min() const { return m_count ? m_min : 0; }
    [[nodiscard]] qint64 max() const { return m_count ? m_max : 0; }
    // Exact arithmetic mean (from a running sum); 0 when empty.
    [[nodiscard]] double mean() const { return m_count ? m_sum / double(m_count) : 0.0; }
    // Value at quantile q in [0, 1] (clamped): the representative of the bucket holding the
    // ceil(q * count)-th smallest value, clamped to [min, max]. q = 0 gives min(), q = 1
    // gives max(), both exact. 0 when empty.
    [[nodiscard]] qint64 percentile(double q) const;

    void merge(const LatencyHistogram &other);
    void reset();

    // Number of counters; fixed at compile time (the histogram never grows).
    [[nodiscard]] static constexpr int capacity() { return kBucketCount; }
    [[nodiscard]] quint64 bucketCount(int bucket) const { return m_buckets[std::size_t(bucket)]; }
    // Bucket layout, for charts: bucket i holds [lowerBound(i), lowerBound(i + 1)), except
    // that the first and last buckets also take everything below and above the range.
    [[nodiscard]] static qint64 bucketLowerBound(int bucket);
    [[nodiscard]] static qint64 bucketRepresentative(int bucket);
    [[nodiscard]] static int bucketIndex(qint64 nanoseconds);

private:
    std::array<quint64, kBucketCount> m_buckets {};
    qint64 m_count = 0;
    qint64 m_min = 0;
    qint64 m_max = 0;
    double m_sum = 0.0;
};

} // namespace poolscope
