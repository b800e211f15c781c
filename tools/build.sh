#!/usr/bin/env bash
# Configures and builds mmsim in $MMSIM_BUILD_DIR (default: build/).
# Arguments are passed to `cmake --build` (e.g. --target mmsim).
# MMSIM_CUDA_ARCHITECTURES overrides the CUDA architectures (default 75;80;86;89;90).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${MMSIM_BUILD_DIR:-$root/build}"
configure=(-S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release)
if [[ -n "${MMSIM_CUDA_ARCHITECTURES:-}" ]]; then
  configure+=("-DCMAKE_CUDA_ARCHITECTURES=${MMSIM_CUDA_ARCHITECTURES}")
fi
cmake "${configure[@]}"
cmake --build "$build" --parallel "$(nproc)" "$@"
