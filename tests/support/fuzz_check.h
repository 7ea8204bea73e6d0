#pragma once

// How the libFuzzer targets (tests/fuzz) report a broken invariant: a message on stderr
// and abort(), which libFuzzer records as a crash with its input.
#include <QString>
#include <cstdio>
#include <cstdlib>

namespace poolscope::testsupport {

[[noreturn]] inline void violated(const char *what, const QString &detail = {})
{
    std::fprintf(stderr, "invariant violated: %s %s\n", what, qPrintable(detail));
    std::abort();
}

inline void check(bool ok, const char *what, const QString &detail = {})
{
    if (!ok) {
        violated(what, detail);
    }
}

} // namespace poolscope::testsupport
