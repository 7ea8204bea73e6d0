#!/usr/bin/env bash
# Regenerates the README's screenshots with the GUI's own automation flags, under Xvfb
# with a window manager (openbox), so the window opens at the size it picks for the
# screen, as on a real desktop. Usage: scripts/screenshots.sh [build-dir] [--quick]
#   --quick: only the window at each screen size (no storm-fix and dock pictures).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="${POOLSCOPE_BUILD_DIR:-$ROOT/build}"
QUICK=0
for a in "$@"; do
    case "$a" in
    --quick) QUICK=1 ;;
    *) BUILD="$a" ;;
    esac
done
BIN="$BUILD/poolscope"
OUT="$ROOT/resources/screenshots"
mkdir -p "$OUT"

# shot WxH poolscope-args...: one run on a screen of that size, openbox managing it.
shot() {
    local size="$1"
    shift
    xvfb-run -a -s "-screen 0 ${size}x24" bash -c '
        openbox >/dev/null 2>&1 &
        wm=$!
        # openbox takes the screen before the window maps (it needs well under a second)
        for _ in $(seq 50); do xprop -root _NET_SUPPORTING_WM_CHECK 2>/dev/null | grep -q window && break; sleep 0.1; done
        "$@"
        rc=$?
        kill "$wm" 2>/dev/null
        exit $rc' shot "$BIN" "$@"
}

# English whatever LANG or a saved View > Language says (the zh_CN shot below asks for Chinese).
STORM=(--preset time-wait-storm --start --lang en)
for size in 1024x768 1280x720 1366x768 1920x1080; do
    # The storm running, the window as it opens on that screen.
    shot "$size" "${STORM[@]}" --screenshot "$OUT/window-$size.png" --after 12s
    [ "$QUICK" = 1 ] && continue
    # Every dock open: settings and Go code (open by default), connections and the lab.
    shot "$size" "${STORM[@]}" --show connections,lab --screenshot "$OUT/window-$size-docks.png" --after 12s
    # Presentation mode (F11): full screen, larger text, the Go code tabbed with the settings.
    shot "$size" "${STORM[@]}" --presentation --screenshot "$OUT/window-$size-presentation.png" --after 12s
done
if [ "$QUICK" = 0 ]; then
    # The README's story: the storm, then the fix live (MaxIdleConnsPerHost 10 at 15 s).
    shot 1600x1000 "${STORM[@]}" --screenshot "$OUT/time-wait-storm.png" --after 20s
    shot 1600x1000 "${STORM[@]}" --set MaxIdleConnsPerHost=10@15s --screenshot "$OUT/time-wait-storm-fix.png" --after 35s
    # The Connections dock a few seconds after the fix: ten long-lived connections.
    shot 1600x1000 "${STORM[@]}" --set MaxIdleConnsPerHost=10@5s --show connections --screenshot "$OUT/connections.png" --after 12s
    # A URL nothing listens on (port 1 on loopback): the banner, not throughput.
    shot 1280x720 --url http://127.0.0.1:1/ --start --lang en --screenshot "$OUT/failure-banner.png" --after 8s
fi
# The window in Simplified Chinese (README, Language / 语言); needs a CJK font (install-deps).
shot 1280x720 --preset time-wait-storm --start --lang zh_CN --screenshot "$OUT/window-1280x720-zh_CN.png" --after 12s
echo "screenshots written to $OUT"
