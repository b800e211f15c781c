#!/usr/bin/env bash
# Builds the CPU code and its tests (no CUDA, no Torch) with AddressSanitizer
# and UndefinedBehaviorSanitizer in $MMSIM_SANITIZE_BUILD_DIR (default
# build-sanitize/) and runs the CPU tests there; a sanitizer report fails the
# test it happens in. CI runs it after tools/test.sh (.ci/run).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${MMSIM_SANITIZE_BUILD_DIR:-$root/build-sanitize}"
flags="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMMSIM_CUDA=OFF -DMMSIM_TORCH=OFF \
  -DMMSIM_BUILD_BENCH=OFF -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="$flags"
start=$(date +%s)
cmake --build "$build" --parallel "$(nproc)"
echo "sanitized build: $(( $(date +%s) - start )) s"
start=$(date +%s)
ASAN_OPTIONS=abort_on_error=1:detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir "$build" --output-on-failure --parallel "$(nproc)" -L cpu
echo "sanitized CPU tests: $(( $(date +%s) - start )) s"
