#!/usr/bin/env bash
# Installs every Debian package PoolScope needs to build, test and benchmark.
# Runs `apt-get update` once and installs only what is missing, so a second
# run on a prepared machine takes about a second.
set -euo pipefail

PACKAGES=(
    # build
    cmake ninja-build g++ pkg-config
    qt6-base-dev qt6-base-dev-tools qt6-charts-dev qt6-svg-dev libgl1-mesa-dev
    libqt6opengl6-dev  # Qt6Charts' CMake config requires Qt6OpenGL
    libqt6svg6 qt6-qpa-plugins
    node-llhttp libmnl-dev zlib1g-dev libnghttp2-dev
    # translations: lupdate/lrelease (/usr/lib/qt6/bin; the build runs lrelease on
    # resources/i18n/*.ts), and Qt's own texts (OK, Cancel ...) for the zh_CN window
    qt6-l10n-tools qt6-translations-l10n
    # tests: offscreen/Xvfb GUI, Go reference client, reference servers, kernel view
    xvfb xauth imagemagick golang-go nginx-light iproute2 procps
    # tests: fuzzing (scripts/test.sh --fuzz): clang 14 and its runtimes, where libFuzzer
    # (libclang_rt.fuzzer) and clang's ASan/UBSan live; clang only recommends them
    clang-14 libclang-rt-14-dev
    # tests: tests/tsan (ThreadSanitizer runtime for g++; g++ pulls it in already, named here)
    libtsan2
    # benchmarks
    wrk hey apache2-utils jq
    # scripts/screenshots.sh: a window manager under Xvfb, and xprop to wait for it
    openbox x11-utils
    # CJK glyphs for the zh_CN window (tests/tst_ui_i18n.cpp, the zh_CN screenshot); without a
    # CJK font the window still runs, with boxes for the Chinese characters
    fonts-wqy-microhei
    # profiling (bench/README.md)
    linux-perf valgrind heaptrack
)

missing=()
for p in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "install-deps: all ${#PACKAGES[@]} packages present"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends "${missing[@]}"
