#!/usr/bin/env bash
# Configures, builds and runs every test suite (README command 2).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${LOUPE_BUILD_DIR:-build}
export CCACHE_BASEDIR="$PWD"
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build "$build" -j "$(nproc)"
cd "$build"
QT_QPA_PLATFORM=offscreen ctest --output-on-failure -j 2 --timeout 900
