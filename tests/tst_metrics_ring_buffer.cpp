#include "metrics/ring_buffer.h"

#include <QTest>
#include <atomic>
#include <cstdlib>
#include <memory>
#include <new>
#include <string>

#include "support/allocation_counter.h"

using poolscope::testsupport::g_allocations;

using namespace poolscope;

class TestRingBuffer final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void fillsInOrder();
    void overwritesOldest_data();
    void overwritesOldest();
    void millionPushesStayBounded();
    void drainAndCopy();
    void clearResets();
    void zeroCapacityHoldsOne();
    void moveOnlyElements();
};

void TestRingBuffer::fillsInOrder()
{
    RingBuffer<int> ring(4);
    QVERIFY(ring.isEmpty());
    QCOMPARE(ring.capacity(), 4u);
    for (int i = 1; i <= 3; ++i)
        ring.push(i);
    QCOMPARE(ring.size(), 3u);
    QVERIFY(!ring.isFull());
    QCOMPARE(ring.dropped(), 0u);
    QCOMPARE(ring[0], 1);
    QCOMPARE(ring[2], 3);
    QCOMPARE(ring.front(), 1);
    QCOMPARE(ring.back(), 3);
    ring[1] = 20; // operator[] is writable, oldest-first
    QCOMPARE(ring[1], 20);
}

void TestRingBuffer::overwritesOldest_data()
{
    QTest::addColumn<int>("capacity");
    QTest::addColumn<int>("pushes");
    QTest::newRow("exactly full") << 5 << 5;
    QTest::newRow("one over") << 5 << 6;
    QTest::newRow("wrap twice") << 5 << 13;
    QTest::newRow("capacity 1") << 1 << 10;
    QTest::newRow("large") << 1000 << 2501;
}

void TestRingBuffer::overwritesOldest()
{
    QFETCH(int, capacity);
    QFETCH(int, pushes);
    RingBuffer<int> ring(static_cast<std::size_t>(capacity));
    for (int i = 0; i < pushes; ++i)
        ring.push(i);
    const int kept = std::min(capacity, pushes);
    QCOMPARE(int(ring.size()), kept);
    QCOMPARE(ring.dropped(), std::uint64_t(pushes - kept));
    for (int i = 0; i < kept; ++i)
        QCOMPARE(ring[std::size_t(i)], pushes - kept + i);
    QCOMPARE(ring.back(), pushes - 1);
    QCOMPARE(ring.front(), pushes - kept);
}

void TestRingBuffer::millionPushesStayBounded()
{
    constexpr std::size_t kCapacity = 4096;
    RingBuffer<qint64> ring(kCapacity);
    ring.push(-1);
    const long long before = g_allocations.load();
    for (qint64 i = 0; i < 1'000'000; ++i)
        ring.push(i);
    QCOMPARE(g_allocations.load() - before, 0); // no growth, no reallocation
    QCOMPARE(ring.size(), kCapacity);
    QCOMPARE(ring.capacity(), kCapacity);
    QCOMPARE(ring.dropped(), std::uint64_t(1'000'001 - kCapacity));
    for (std::size_t i = 0; i < kCapacity; ++i)
        QCOMPARE(ring[i], qint64(1'000'000 - kCapacity + i));
}

void TestRingBuffer::drainAndCopy()
{
    RingBuffer<std::string> ring(3);
    for (const char *s : { "a", "b", "c", "d", "e" })
        ring.push(std::string(s));

    std::vector<std::string> copy;
    ring.copyTo(copy);
    QCOMPARE(copy, (std::vector<std::string> { "c", "d", "e" }));
    QCOMPARE(ring.size(), 3u); // copyTo leaves the ring alone

    copy.assign(10, "stale");
    ring.copyTo(copy); // replaces, does not append
    QCOMPARE(copy.size(), 3u);

    const std::vector<std::string> drained = ring.drain();
    QCOMPARE(drained, (std::vector<std::string> { "c", "d", "e" }));
    QVERIFY(ring.isEmpty());
    QCOMPARE(ring.dropped(), 2u); // kept across drain
    QCOMPARE(ring.capacity(), 3u);

    ring.push("f");
    ring.push("g");
    QCOMPARE(ring.size(), 2u);
    QCOMPARE(ring.front(), std::string("f"));
    QCOMPARE(ring.back(), std::string("g"));
    QVERIFY(ring.drain().size() == 2);
    QVERIFY(ring.drain().empty());
}

void TestRingBuffer::clearResets()
{
    RingBuffer<int> ring(2);
    for (int i = 0; i < 7; ++i)
        ring.push(i);
    QCOMPARE(ring.dropped(), 5u);
    ring.clear();
    QVERIFY(ring.isEmpty());
    QCOMPARE(ring.dropped(), 0u);
    ring.push(42);
    QCOMPARE(ring[0], 42);
    QCOMPARE(ring.back(), 42);
}

void TestRingBuffer::zeroCapacityHoldsOne()
{
    RingBuffer<int> ring(0);
    QCOMPARE(ring.capacity(), 1u);
    ring.push(1);
    ring.push(2);
    QCOMPARE(ring.size(), 1u);
    QCOMPARE(ring.back(), 2);
    QCOMPARE(ring.dropped(), 1u);
}

void TestRingBuffer::moveOnlyElements()
{
    RingBuffer<std::unique_ptr<int>> ring(2);
    for (int i = 0; i < 5; ++i)
        ring.push(std::make_unique<int>(i));
    QCOMPARE(*ring[0], 3);
    QCOMPARE(*ring.back(), 4);
    ring.emplace(new int(9));
    QCOMPARE(*ring.back(), 9);
    const auto out = ring.drain();
    QCOMPARE(out.size(), 2u);
    QCOMPARE(*out[0], 4);
    QCOMPARE(*out[1], 9);
}

QTEST_GUILESS_MAIN(TestRingBuffer)
#include "tst_metrics_ring_buffer.moc"
