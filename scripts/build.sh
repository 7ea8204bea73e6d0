#!/usr/bin/env bash
# Configure and build PoolScope into build/ or $POOLSCOPE_BUILD_DIR (shared by run.sh and test.sh).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD_DIR="${POOLSCOPE_BUILD_DIR:-$ROOT/build}"
JOBS="${POOLSCOPE_JOBS:-$(nproc)}"
GENERATOR=()
if command -v ninja >/dev/null 2>&1; then
    GENERATOR=(-G Ninja)
fi
if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
    cmake -S "$ROOT" -B "$BUILD_DIR" "${GENERATOR[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@"
elif [ $# -gt 0 ]; then
    cmake -S "$ROOT" -B "$BUILD_DIR" "$@"
fi
# POOLSCOPE_BUILD_TARGETS: space-separated targets to build instead of everything.
TARGETS=()
for t in ${POOLSCOPE_BUILD_TARGETS:-}; do
    TARGETS+=(--target "$t")
done
cmake --build "$BUILD_DIR" -j "$JOBS" "${TARGETS[@]}"
