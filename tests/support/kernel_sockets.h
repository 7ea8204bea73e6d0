#pragma once

// Finding one of the test's own sockets in what the kernel watcher reports.
#include "kernel/kernel_watcher.h"

namespace poolscope::testsupport {

// The socket with this local port in a fresh sample; a default KernelSocket (state
// Unknown, no timer) when the sample does not hold it.
inline KernelSocket sampleSocket(KernelWatcher &watcher, quint16 localPort)
{
    const KernelSample s = watcher.sample();
    for (const KernelSocket &k : s.sockets) {
        if (k.localPort == localPort) {
            return k;
        }
    }
    return {};
}

} // namespace poolscope::testsupport
