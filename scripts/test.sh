#!/usr/bin/env bash
# README command 2: install what is missing, build (warnings as errors), run every test.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
"$ROOT/scripts/install-deps.sh"
export POOLSCOPE_BUILD_DIR="${POOLSCOPE_BUILD_DIR:-$ROOT/build}"
"$ROOT/scripts/build.sh" -DPOOLSCOPE_WERROR=ON
cd "$POOLSCOPE_BUILD_DIR"
export QT_QPA_PLATFORM=offscreen
ctest --output-on-failure --timeout 600 "$@"
