#!/usr/bin/env bash
# README command 1: install what is missing, build, and start PoolScope.
#   scripts/run.sh                      GUI against the embedded target server
#   scripts/run.sh --preset time-wait-storm --start
#   scripts/run.sh run --workers 10 --requests 100 --json    headless CLI
#   scripts/run.sh --headless --workers 10 --requests 100    the same
#   scripts/run.sh serve --idle-timeout 1s                    embedded server alone
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
"$ROOT/scripts/install-deps.sh"
"$ROOT/scripts/build.sh" >&2
BIN="${POOLSCOPE_BUILD_DIR:-$ROOT/build}/poolscope"
headless=0
for a in "$@"; do
    [ "$a" = "--headless" ] && headless=1
done
if [ $# -gt 0 ] && [[ "$1" == "run" || "$1" == "serve" || "$1" == "lab" || "$1" == "--help" || "$1" == "--version" ]]; then
    headless=1
fi
if [ "$headless" = 0 ]; then
    # GUI: needs a display; fall back to Xvfb when there is none.
    if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
        echo "run.sh: no display found, starting the GUI under xvfb-run" >&2
        exec xvfb-run -a -s "-screen 0 1600x1000x24" "$BIN" "$@"
    fi
fi
exec "$BIN" "$@"
