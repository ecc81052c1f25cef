#!/usr/bin/env bash
# Installs the Debian 12 packages Loupe builds and tests with. Run as root (or with sudo available).
set -euo pipefail
packages=(
  build-essential cmake ninja-build ccache pkg-config
  qt6-base-dev qt6-svg-dev libqt6sql6-sqlite libqcustomplot-dev
  libtorch-dev libopencv-dev libsqlite3-dev
  libssl-dev  # SHA-256 of model files (OpenSSL's libcrypto)
  libopenmpi-dev openmpi-bin  # sharded scans: `mpirun loupe-cli scan` (optional at build time)
  libopenblas0-pthread  # LibTorch's BLAS: replaces netlib's reference BLAS (5-8x faster GEMM, e.g. the atlas's k-NN)
  xvfb xauth
  dpkg-dev file  # cpack -G DEB: dpkg-shlibdeps computes the package's dependencies, `file` finds the ELF files
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# With recommends: the configuration tested here (Qt6Gui's CMake config wants the OpenGL dev
# packages qt6-base-dev only recommends).
$SUDO apt-get install -y -qq "${missing[@]}"
