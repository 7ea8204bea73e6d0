#pragma once

// Counting replacements of the global allocation functions, so a test can prove
// that a steady-state path never allocates. Include it from exactly one source
// file per test executable (each tst_*.cpp is its own executable).
#include <atomic>
#include <cstdlib>
#include <new>

namespace poolscope::testsupport {
inline std::atomic<long long> g_allocations{0};
} // namespace poolscope::testsupport

void *operator new(std::size_t size)
{
    poolscope::testsupport::g_allocations.fetch_add(1, std::memory_order_relaxed);
    if (void *p = std::malloc(size ? size : 1)) {
        return p;
    }
    throw std::bad_alloc();
}
void *operator new[](std::size_t size)
{
    return ::operator new(size);
}
void operator delete(void *p) noexcept
{
    std::free(p);
}
void operator delete[](void *p) noexcept
{
    std::free(p);
}
void operator delete(void *p, std::size_t) noexcept
{
    std::free(p);
}
void operator delete[](void *p, std::size_t) noexcept
{
    std::free(p);
}
