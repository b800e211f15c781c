#!/usr/bin/env bash
# On a machine with a GPU: runs the GPU tests, compute-sanitizer over them and
# the GPU benchmarks, and records the benchmark results in bench/results/.
#   tools/gpu_check.sh [BUILD_DIR]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-${MMSIM_BUILD_DIR:-$root/build}}"
nvidia-smi || { echo "no GPU visible (nvidia-smi failed)"; exit 1; }
ctest --test-dir "$build" -L gpu --output-on-failure
if command -v compute-sanitizer >/dev/null 2>&1; then
  for tool in memcheck racecheck; do
    for program in "$build"/tests/gpu/test_*_gpu; do
      echo "[gpu_check] compute-sanitizer --tool $tool $(basename "$program")"
      compute-sanitizer --tool "$tool" --error-exitcode 1 "$program" --gtest_filter='-*4096*'
    done
  done
else
  echo "[gpu_check] compute-sanitizer not found: skipped"
fi
"$root/tools/bench.sh" "$build" --benchmark_filter='Cuda'
