#!/usr/bin/env bash
# README command 1: install the Debian packages, build Loupe and launch it. With no model
# argument Loupe opens its built-in model (trained offline on first launch, ~1.5 min).
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/install-deps.sh
build=${LOUPE_BUILD_DIR:-build}
export CCACHE_BASEDIR="$PWD"
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DLOUPE_BUILD_TESTS=OFF
cmake --build "$build" -j "$(nproc)" --target loupe loupe-cli
exec "$build/bin/loupe" "$@"
