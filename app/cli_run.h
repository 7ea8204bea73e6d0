#pragma once

#include <QStringList>

namespace poolscope {

// `poolscope run [flags]`: loads a target with the engine and prints the result
// (a table, or one JSON object with --json). Returns the process exit code:
// 0 done, 1 the run failed (bad target, every request failed), 2 bad flags.
int runRunCommand(const QStringList &args);

// Text of `poolscope run --help`.
QString runCommandHelp();

} // namespace poolscope
