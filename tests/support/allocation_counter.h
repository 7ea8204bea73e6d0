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
// The nothrow forms too (zlib allocates through them, core/http/gzip_decoder.cpp): left to
// the runtime, ASan's own nothrow new would pair with the free() below, which it reports as
// alloc-dealloc-mismatch, and the counter would miss those allocations.
void *operator new(std::size_t size, const std::nothrow_t &) noexcept
{
    poolscope::testsupport::g_allocations.fetch_add(1, std::memory_order_relaxed);
    return std::malloc(size ? size : 1);
}
void *operator new[](std::size_t size, const std::nothrow_t &tag) noexcept
{
    return ::operator new(size, tag);
}
void operator delete(void *p, const std::nothrow_t &) noexcept
{
    std::free(p);
}
void operator delete[](void *p, const std::nothrow_t &) noexcept
{
    std::free(p);
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
