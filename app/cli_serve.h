#pragma once

#include <QStringList>

namespace poolscope {

// `poolscope serve [flags]`: runs the embedded target server in the foreground until SIGINT
// or SIGTERM. `args` are the words after "serve" (a leading "serve" is skipped too). Prints
// "listening on URL" as the first stdout line, final stats on stderr at exit. Returns the
// process exit code: 0 after a clean stop, 1 when the server cannot start, 2 for bad flags.
// Creates a QCoreApplication if there is none yet.
int runServeCommand(const QStringList &args);

} // namespace poolscope
