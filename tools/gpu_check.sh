#!/usr/bin/env bash
# On a machine with a GPU: runs the GPU tests, compute-sanitizer over the
# simulator's kernels and the GPU benchmarks, and records the benchmark
# results in bench/results/. Every stage runs even when an earlier one fails;
# the exit status is 1 if any failed.
#   tools/gpu_check.sh [BUILD_DIR] [STAGE ...]    STAGE: tests, sanitize, bench (default: all three)
# Each program runs under a time limit (MMSIM_GPU_PROGRAM_TIMEOUT seconds,
# default 300), so one that hangs or crawls is reported and the rest still run.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-${MMSIM_BUILD_DIR:-$root/build}}"
shift || true
stages=("$@")
[[ ${#stages[@]} -gt 0 ]] || stages=(tests sanitize bench)
limit="${MMSIM_GPU_PROGRAM_TIMEOUT:-300}"
nvidia-smi || { echo "no GPU visible (nvidia-smi failed)"; exit 1; }
# A GPU test that cannot use the device fails here instead of skipping.
export MMSIM_REQUIRE_GPU=1
status=0

# Runs a command under the time limit; a failure or timeout sets the exit status.
check() {
  echo "[gpu_check] $*"
  timeout "$limit" "$@"
  local rc=$?
  if [[ $rc -eq 124 ]]; then echo "[gpu_check] timed out after $limit s: $*"; fi
  if [[ $rc -ne 0 ]]; then
    echo "[gpu_check] FAILED (exit $rc): $*"
    status=1
  fi
}

run_tests() {
  if [[ -f "$build/CTestTestfile.cmake" ]]; then
    check ctest --test-dir "$build" -L gpu --output-on-failure
  else
    # A bundle of programs (tools/gpu_bundle.sh): every GPU test program in turn.
    for program in "$build"/tests/gpu/test_*; do check "$program"; done
  fi
}

run_sanitizers() {
  if ! command -v compute-sanitizer >/dev/null 2>&1; then
    echo "[gpu_check] compute-sanitizer not found: skipped"
    status=1
    return
  fi
  for tool in memcheck racecheck; do
    for program in "$build"/tests/gpu/test_env_gpu "$build"/tests/gpu/test_features_gpu; do
      # The 4096-env parity case repeats the small ones' kernels at length.
      check compute-sanitizer --tool "$tool" --error-exitcode 1 "$program" --gtest_filter='-*/n4096'
    done
  done
  # The trainer's own kernel (action uniforms); torch's kernels are not ours to check.
  if [[ -x "$build/tests/gpu/test_trainer_gpu" ]]; then
    check compute-sanitizer --tool memcheck --error-exitcode 1 "$build/tests/gpu/test_trainer_gpu" \
      --gtest_filter='*Uniforms*'
  fi
}

for stage in "${stages[@]}"; do
  case "$stage" in
    tests) run_tests ;;
    sanitize) run_sanitizers ;;
    bench) MMSIM_BENCH_TIMEOUT="$limit" "$root/tools/bench.sh" "$build" --benchmark_filter='Cuda' || status=1 ;;
    *) echo "[gpu_check] unknown stage $stage (tests, sanitize, bench)"; status=1 ;;
  esac
done
exit $status
