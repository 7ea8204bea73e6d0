#!/usr/bin/env bash
# README command 2: install what is missing, build (warnings as errors), run every test.
#   scripts/test.sh [ctest args]             build/: the normal build and the whole suite
#   scripts/test.sh --sanitize [ctest args]  build-sanitize/: ASan+UBSan build, the whole suite
#   scripts/test.sh --fuzz [ctest args]      build-fuzz/: clang libFuzzer targets (tests/fuzz/),
#                                            each fuzzed for POOLSCOPE_FUZZ_SECONDS (default 60)
# POOLSCOPE_BUILD_DIR overrides the build directory. .ci/run runs all three.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"

mode=normal
case "${1:-}" in
    --sanitize) mode=sanitize; shift ;;
    --fuzz) mode=fuzz; shift ;;
esac

"$ROOT/scripts/install-deps.sh"
export QT_QPA_PLATFORM=offscreen

case "$mode" in
normal)
    export POOLSCOPE_BUILD_DIR="${POOLSCOPE_BUILD_DIR:-$ROOT/build}"
    "$ROOT/scripts/build.sh" -DPOOLSCOPE_WERROR=ON
    cd "$POOLSCOPE_BUILD_DIR"
    ctest --output-on-failure --timeout 600 -LE sweep "$@"
    ;;
sanitize)
    # tests/sanitizers/README.md explains every option and suppression.
    export POOLSCOPE_BUILD_DIR="${POOLSCOPE_BUILD_DIR:-$ROOT/build-sanitize}"
    "$ROOT/scripts/build.sh" -DPOOLSCOPE_WERROR=ON -DPOOLSCOPE_SANITIZE=ON
    export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1:detect_stack_use_after_return=1:strict_string_checks=1:check_initialization_order=1"
    export UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1"
    export LSAN_OPTIONS="suppressions=$ROOT/tests/sanitizers/lsan.supp:print_suppressions=0"
    cd "$POOLSCOPE_BUILD_DIR"
    # Instrumented code runs 2-3x slower: a longer per-test ceiling than the normal build's.
    ctest --output-on-failure --timeout 900 -LE sweep "$@"
    ;;
fuzz)
    export POOLSCOPE_BUILD_DIR="${POOLSCOPE_BUILD_DIR:-$ROOT/build-fuzz}"
    targets=()
    for f in "$ROOT"/tests/fuzz/fuzz_*.cpp; do
        targets+=("$(basename "$f" .cpp)")
    done
    # Only the fuzz targets and the core parts they link: no GUI, no Qt Test suite.
    POOLSCOPE_BUILD_TARGETS="${targets[*]}" "$ROOT/scripts/build.sh" \
        -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 -DPOOLSCOPE_WERROR=ON \
        -DPOOLSCOPE_FUZZ=ON -DPOOLSCOPE_BUILD_GUI=OFF -DPOOLSCOPE_BUILD_TESTS=OFF \
        -DPOOLSCOPE_FUZZ_SECONDS="${POOLSCOPE_FUZZ_SECONDS:-60}"
    cd "$POOLSCOPE_BUILD_DIR"
    # One core per target: on 2 cores both fuzz at once, the step takes POOLSCOPE_FUZZ_SECONDS.
    ctest --output-on-failure -L fuzz -j "${POOLSCOPE_JOBS:-$(nproc)}" "$@"
    ;;
esac
