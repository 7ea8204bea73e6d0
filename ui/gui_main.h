#pragma once

namespace poolscope {

// The desktop application: `poolscope [--preset NAME] [--start] [--url URL]
// [--screenshot FILE [--after DUR]]`. Returns the process exit code: 0, 1 when
// the screenshot cannot be written, 2 for bad arguments (unknown preset, bad
// duration or URL).
int runGui(int argc, char **argv);

} // namespace poolscope
