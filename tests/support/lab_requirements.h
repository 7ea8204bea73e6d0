#pragma once

// Why the dead-peer lab cannot run here, "" when it can: the tests that build the real
// lab (a network namespace and a veth pair) skip with this reason. The lab needs root and
// `ip` (DeadPeerLab::unavailableReason) and, when `needsBinary`, the poolscope binary
// (POOLSCOPE_BIN) to serve inside the namespace.
#include "kernel/dead_peer_lab.h"

#include <QFile>
#include <QString>

namespace poolscope::testsupport {

inline QString labSkipReason(bool needsBinary)
{
    const QString reason = DeadPeerLab::unavailableReason();
    if (!reason.isEmpty()) {
        return QStringLiteral("dead-peer lab unavailable: ") + reason;
    }
    const QString bin = qEnvironmentVariable("POOLSCOPE_BIN");
    if (needsBinary && (bin.isEmpty() || !QFile::exists(bin))) {
        return QStringLiteral("POOLSCOPE_BIN not set: needs the poolscope binary to serve in "
                              "the namespace");
    }
    return {};
}

} // namespace poolscope::testsupport
