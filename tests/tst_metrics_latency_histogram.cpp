#include "metrics/latency_histogram.h"

#include <QTest>
#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <new>
#include <random>
#include <vector>

#include "support/allocation_counter.h"

using poolscope::testsupport::g_allocations;

using namespace poolscope;

namespace {

// Exact percentile with the histogram's definition: the ceil(q * n)-th smallest value.
qint64 exactPercentile(std::vector<qint64> sorted, double q)
{
    std::sort(sorted.begin(), sorted.end());
    const auto rank = std::max<qint64>(1, qint64(std::ceil(q * double(sorted.size()))));
    return sorted[std::size_t(rank - 1)];
}

std::vector<qint64> distribution(const QString &name, std::size_t n)
{
    std::mt19937_64 rng(20240601);
    std::vector<qint64> values;
    values.reserve(n);
    if (name == u"uniform 1ms..100ms") {
        std::uniform_int_distribution<qint64> d(1'000'000, 100'000'000);
        for (std::size_t i = 0; i < n; ++i)
            values.push_back(d(rng));
    } else if (name == u"exponential mean 5ms") {
        std::exponential_distribution<double> d(1.0 / 5e6);
        for (std::size_t i = 0; i < n; ++i)
            values.push_back(qint64(d(rng)) + 1000);
    } else if (name == u"lognormal 2us..10s") {
        std::lognormal_distribution<double> d(std::log(2e6), 2.5);
        for (std::size_t i = 0; i < n; ++i)
            values.push_back(std::clamp(qint64(d(rng)), qint64(2000), qint64(10'000'000'000)));
    } else if (name == u"bimodal 1ms/1s") {
        std::normal_distribution<double> fast(1e6, 5e4);
        std::normal_distribution<double> slow(1e9, 5e7);
        std::bernoulli_distribution pickSlow(0.1);
        for (std::size_t i = 0; i < n; ++i)
            values.push_back(qint64(pickSlow(rng) ? slow(rng) : fast(rng)));
    } else if (name == u"constant 250us") {
        values.assign(n, 250'000);
    }
    return values;
}

} // namespace

class TestLatencyHistogram final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void empty();
    void bucketLayout();
    void percentilesWithinThreePercent_data();
    void percentilesWithinThreePercent();
    void meanMinMaxExact();
    void outOfRangeClamps();
    void neverAboveMax();
    void mergeEqualsCombinedRecording();
    void reset();
    void constantMemory();
};

void TestLatencyHistogram::empty()
{
    const LatencyHistogram h;
    QCOMPARE(h.count(), 0);
    QVERIFY(h.isEmpty());
    QCOMPARE(h.min(), 0);
    QCOMPARE(h.max(), 0);
    QCOMPARE(h.mean(), 0.0);
    QCOMPARE(h.percentile(0.5), 0);
    QCOMPARE(h.percentile(1.0), 0);
}

void TestLatencyHistogram::bucketLayout()
{
    QCOMPARE(LatencyHistogram::capacity(), 320);
    QCOMPARE(LatencyHistogram::bucketLowerBound(0), 1'000);
    QCOMPARE(LatencyHistogram::bucketLowerBound(40), 10'000);
    QCOMPARE(LatencyHistogram::bucketLowerBound(320), 100'000'000'000);
    for (int i = 0; i < LatencyHistogram::capacity(); ++i) {
        const qint64 lo = LatencyHistogram::bucketLowerBound(i);
        const qint64 hi = LatencyHistogram::bucketLowerBound(i + 1);
        const qint64 rep = LatencyHistogram::bucketRepresentative(i);
        QVERIFY(lo < rep && rep < hi);
        // Worst case: a value at either edge of its bucket.
        QVERIFY2(double(rep) / double(lo) - 1.0 <= 0.03, qPrintable(QString::number(i)));
        QVERIFY2(double(hi) / double(rep) - 1.0 <= 0.03, qPrintable(QString::number(i)));
        QCOMPARE(LatencyHistogram::bucketIndex(lo), i);
        QCOMPARE(LatencyHistogram::bucketIndex(hi - 1), i);
    }
    QCOMPARE(LatencyHistogram::bucketIndex(0), 0);
    QCOMPARE(LatencyHistogram::bucketIndex(999), 0);
    QCOMPARE(LatencyHistogram::bucketIndex(std::numeric_limits<qint64>::max()), 319);
}

void TestLatencyHistogram::percentilesWithinThreePercent_data()
{
    QTest::addColumn<QString>("name");
    for (const char *name : { "uniform 1ms..100ms", "exponential mean 5ms", "lognormal 2us..10s",
             "bimodal 1ms/1s", "constant 250us" }) {
        QTest::newRow(name) << QString::fromLatin1(name);
    }
}

void TestLatencyHistogram::percentilesWithinThreePercent()
{
    QFETCH(QString, name);
    const std::vector<qint64> values = distribution(name, 200'000);
    LatencyHistogram h;
    for (const qint64 v : values)
        h.record(v);
    QCOMPARE(h.count(), qint64(values.size()));
    for (const double q : { 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 0.9999 }) {
        const qint64 exact = exactPercentile(values, q);
        const qint64 got = h.percentile(q);
        const double error = std::abs(double(got) - double(exact)) / double(exact);
        QVERIFY2(error <= 0.03,
            qPrintable(QStringLiteral("q=%1 exact=%2 got=%3 error=%4")
                           .arg(q)
                           .arg(exact)
                           .arg(got)
                           .arg(error)));
    }
}

void TestLatencyHistogram::meanMinMaxExact()
{
    LatencyHistogram h;
    for (const qint64 v :
        std::initializer_list<qint64> { 1'234'567, 2'000'000, 3'333, 98'765'432'100 })
        h.record(v);
    QCOMPARE(h.min(), 3'333);
    QCOMPARE(h.max(), 98'765'432'100);
    QCOMPARE(h.mean(), (1'234'567.0 + 2'000'000.0 + 3'333.0 + 98'765'432'100.0) / 4.0);
    QCOMPARE(h.percentile(0.0), 3'333);
    QCOMPARE(h.percentile(1.0), 98'765'432'100);
    h.record(std::chrono::milliseconds(5));
    QCOMPARE(h.count(), 5);
}

void TestLatencyHistogram::outOfRangeClamps()
{
    LatencyHistogram h;
    h.record(10); // 10 ns: below 1 µs
    h.record(-5); // negative counts as 0
    h.record(500'000'000'000); // 500 s: above 100 s
    QCOMPARE(h.count(), 3);
    QCOMPARE(h.min(), 0);
    QCOMPARE(h.max(), 500'000'000'000);
    QCOMPARE(h.bucketCount(0), 2u);
    QCOMPARE(h.bucketCount(LatencyHistogram::capacity() - 1), 1u);
    // The lowest bucket's representative (~1.03 µs) is clamped to the exact maximum below it.
    LatencyHistogram small;
    small.record(400);
    small.record(500);
    QCOMPARE(small.percentile(0.5), 500);
    QCOMPARE(small.percentile(0.99), 500);
}

void TestLatencyHistogram::neverAboveMax()
{
    LatencyHistogram h;
    // All values at the bottom edge of one bucket: its representative is above them.
    const qint64 edge = LatencyHistogram::bucketLowerBound(100);
    for (int i = 0; i < 1000; ++i)
        h.record(edge);
    for (const double q : { 0.001, 0.5, 0.9, 0.999 })
        QCOMPARE(h.percentile(q), edge);
    QCOMPARE(h.percentile(-1.0), edge);
    QCOMPARE(h.percentile(2.0), edge);
}

void TestLatencyHistogram::mergeEqualsCombinedRecording()
{
    const std::vector<qint64> a = distribution(QStringLiteral("exponential mean 5ms"), 5000);
    const std::vector<qint64> b = distribution(QStringLiteral("bimodal 1ms/1s"), 3000);
    LatencyHistogram ha;
    LatencyHistogram hb;
    LatencyHistogram all;
    for (const qint64 v : a) {
        ha.record(v);
        all.record(v);
    }
    for (const qint64 v : b) {
        hb.record(v);
        all.record(v);
    }
    LatencyHistogram merged;
    merged.merge(ha); // into an empty one: min/max come from the other side
    merged.merge(hb);
    merged.merge(LatencyHistogram()); // merging an empty one changes nothing
    QCOMPARE(merged.count(), all.count());
    QCOMPARE(merged.min(), all.min());
    QCOMPARE(merged.max(), all.max());
    QVERIFY(qFuzzyCompare(merged.mean(), all.mean()));
    for (int i = 0; i < LatencyHistogram::capacity(); ++i)
        QCOMPARE(merged.bucketCount(i), all.bucketCount(i));
    for (const double q : { 0.5, 0.9, 0.99 })
        QCOMPARE(merged.percentile(q), all.percentile(q));
}

void TestLatencyHistogram::reset()
{
    LatencyHistogram h;
    h.record(5'000'000);
    h.reset();
    QCOMPARE(h.count(), 0);
    QCOMPARE(h.max(), 0);
    QCOMPARE(h.bucketCount(LatencyHistogram::bucketIndex(5'000'000)), 0u);
    h.record(7'000);
    QCOMPARE(h.min(), 7'000);
    QCOMPARE(h.max(), 7'000);
}

void TestLatencyHistogram::constantMemory()
{
    static_assert(sizeof(LatencyHistogram) < 4096, "histogram must stay a small fixed block");
    LatencyHistogram h;
    h.record(1); // first use builds the shared bucket table
    const long long allocationsBefore = g_allocations.load();
    {
        // The counter itself works: a vector allocation is seen.
        std::vector<qint64> probe(std::size_t(h.count()) + 10);
        probe[3] = h.count();
        QVERIFY(g_allocations.load() > allocationsBefore);
        QCOMPARE(probe[3], 1);
    }
    const long long allocationsBeforeLoop = g_allocations.load();

    // Ten million records over the whole range and beyond.
    std::uint64_t x = 88172645463325252ull;
    for (int i = 0; i < 10'000'000; ++i) {
        x ^= x << 13; // xorshift: cheap, allocation-free spread of values
        x ^= x >> 7;
        x ^= x << 17;
        h.record(qint64(x % 200'000'000'000ull));
    }
    QCOMPARE(g_allocations.load() - allocationsBeforeLoop, 0);
    QCOMPARE(h.count(), 10'000'001);
    QCOMPARE(LatencyHistogram::capacity(), 320);
    // Every record lives in the fixed counters: nothing is kept anywhere else.
    quint64 total = 0;
    for (int i = 0; i < LatencyHistogram::capacity(); ++i)
        total += h.bucketCount(i);
    QCOMPARE(total, quint64(h.count()));
}

QTEST_GUILESS_MAIN(TestLatencyHistogram)
#include "tst_metrics_latency_histogram.moc"
