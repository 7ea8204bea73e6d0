#include "latency_histogram.h"

#include <algorithm>
#include <cmath>

namespace poolscope {

namespace {

// Lower bounds of every bucket plus the upper bound of the last tracked one, computed once:
// bucket i starts at 1 µs * 10^(i / 40).
struct Layout
{
    std::array<qint64, LatencyHistogram::kBucketCount + 1> bounds {};
    std::array<qint64, LatencyHistogram::kBucketCount> representatives {};

    Layout()
    {
        for (std::size_t i = 0; i < bounds.size(); ++i) {
            const double exponent = double(i) / LatencyHistogram::kBucketsPerDecade;
            bounds[i] = std::llround(
                double(LatencyHistogram::kLowestTrackedNs) * std::pow(10.0, exponent));
        }
        for (std::size_t i = 0; i < representatives.size(); ++i)
            representatives[i] = std::llround(std::sqrt(double(bounds[i]) * double(bounds[i + 1])));
    }
};

const Layout &layout()
{
    static const Layout instance;
    return instance;
}

} // namespace

qint64 LatencyHistogram::bucketLowerBound(int bucket)
{
    return layout().bounds[std::size_t(std::clamp(bucket, 0, kBucketCount))];
}

qint64 LatencyHistogram::bucketRepresentative(int bucket)
{
    return layout().representatives[std::size_t(std::clamp(bucket, 0, kBucketCount - 1))];
}

int LatencyHistogram::bucketIndex(qint64 nanoseconds)
{
    const auto &bounds = layout().bounds;
    // First bound above the value, minus one, is the bucket; clamp both ends.
    const auto it = std::upper_bound(bounds.begin(), bounds.end(), nanoseconds);
    const auto index = static_cast<int>(it - bounds.begin()) - 1;
    return std::clamp(index, 0, kBucketCount - 1);
}

void LatencyHistogram::record(qint64 nanoseconds)
{
    nanoseconds = std::max<qint64>(nanoseconds, 0);
    ++m_buckets[std::size_t(bucketIndex(nanoseconds))];
    if (m_count == 0) {
        m_min = m_max = nanoseconds;
    } else {
        m_min = std::min(m_min, nanoseconds);
        m_max = std::max(m_max, nanoseconds);
    }
    ++m_count;
    m_sum += double(nanoseconds);
}

qint64 LatencyHistogram::percentile(double q) const
{
    if (m_count == 0)
        return 0;
    if (!(q > 0.0)) // also catches NaN
        return m_min;
    if (q >= 1.0)
        return m_max;
    const auto rank = std::max<qint64>(1, static_cast<qint64>(std::ceil(q * double(m_count))));
    qint64 seen = 0;
    for (int i = 0; i < kBucketCount; ++i) {
        seen += static_cast<qint64>(m_buckets[std::size_t(i)]);
        if (seen >= rank)
            return std::clamp(bucketRepresentative(i), m_min, m_max);
    }
    return m_max;
}

void LatencyHistogram::merge(const LatencyHistogram &other)
{
    if (other.m_count == 0)
        return;
    for (std::size_t i = 0; i < m_buckets.size(); ++i)
        m_buckets[i] += other.m_buckets[i];
    m_min = m_count ? std::min(m_min, other.m_min) : other.m_min;
    m_max = m_count ? std::max(m_max, other.m_max) : other.m_max;
    m_count += other.m_count;
    m_sum += other.m_sum;
}

void LatencyHistogram::reset()
{
    m_buckets.fill(0);
    m_count = 0;
    m_min = 0;
    m_max = 0;
    m_sum = 0.0;
}

} // namespace poolscope
