#!/usr/bin/env bash
# Regenerates the README's screenshots with the GUI's own automation flags,
# under Xvfb. Usage: scripts/screenshots.sh [build-dir]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BIN="${1:-${POOLSCOPE_BUILD_DIR:-$ROOT/build}}/poolscope"
OUT="$ROOT/resources/screenshots"
mkdir -p "$OUT"
shot() {
    xvfb-run -a -s "-screen 0 1600x1000x24" "$BIN" "$@"
}
# The storm: default per-host idle cap 2 with 10 workers.
shot --preset time-wait-storm --start --screenshot "$OUT/time-wait-storm.png" --after 20s
# The fix, live: MaxIdleConnsPerHost raised to 10 at 15 s.
shot --preset time-wait-storm --start --set MaxIdleConnsPerHost=10@15s --screenshot "$OUT/time-wait-storm-fix.png" --after 35s
echo "screenshots written to $OUT"
