#!/usr/bin/env bash
# Sets up the machine (tools/setup.sh), builds mmsim with its tests, runs them all.
# GPU tests skip without a usable CUDA device; `ctest -L gpu` runs only them.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${MMSIM_BUILD_DIR:-$root/build}"
"$root/tools/setup.sh"
MMSIM_BUILD_DIR="$build" "$root/tools/build.sh"
ctest --test-dir "$build" --output-on-failure --parallel "$(nproc)"
