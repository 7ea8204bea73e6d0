#pragma once

#include <QStringList>

namespace poolscope {

// `poolscope run [flags]`: loads a target with the engine and prints the result
// (a table, or one JSON object with --json). Returns the process exit code:
// 0 done, 1 the run failed (bad target, every request failed), 2 bad flags.
int runRunCommand(const QStringList &args);

// Text of `poolscope run --help`.
QString runCommandHelp();

// `poolscope snippet [run flags]`: prints the Go snippet (goSnippet) for the Transport the
// same flags would run with. Returns 0, or 2 for bad flags.
int runSnippetCommand(const QStringList &args);

} // namespace poolscope
