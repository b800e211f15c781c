#!/usr/bin/env bash
# On a machine with a GPU: runs the GPU tests, compute-sanitizer over the
# simulator's kernels and the GPU benchmarks, and records the benchmark
# results in bench/results/. Every stage runs even when an earlier one fails;
# the exit status is 1 if any failed.
#   tools/gpu_check.sh [BUILD_DIR]
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-${MMSIM_BUILD_DIR:-$root/build}}"
nvidia-smi || { echo "no GPU visible (nvidia-smi failed)"; exit 1; }
status=0
if [[ -f "$build/CTestTestfile.cmake" ]]; then
  ctest --test-dir "$build" -L gpu --output-on-failure || status=1
else
  # A bundle of programs (tools/gpu_bundle.sh): every GPU test program in turn.
  for program in "$build"/tests/gpu/test_*; do
    echo "[gpu_check] $(basename "$program")"
    "$program" || status=1
  done
fi
if command -v compute-sanitizer >/dev/null 2>&1; then
  for tool in memcheck racecheck; do
    for program in "$build"/tests/gpu/test_env_gpu "$build"/tests/gpu/test_features_gpu; do
      echo "[gpu_check] compute-sanitizer --tool $tool $(basename "$program")"
      compute-sanitizer --tool "$tool" --error-exitcode 1 "$program" --gtest_filter='-*4096*' || status=1
    done
  done
  # The trainer's own kernel (action uniforms); torch's kernels are not ours to check.
  if [[ -x "$build/tests/gpu/test_trainer_gpu" ]]; then
    echo "[gpu_check] compute-sanitizer --tool memcheck test_trainer_gpu (uniforms)"
    compute-sanitizer --tool memcheck --error-exitcode 1 "$build/tests/gpu/test_trainer_gpu" \
      --gtest_filter='*Uniforms*' || status=1
  fi
else
  echo "[gpu_check] compute-sanitizer not found: skipped"
fi
"$root/tools/bench.sh" "$build" --benchmark_filter='Cuda' || status=1
exit $status
