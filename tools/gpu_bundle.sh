#!/usr/bin/env bash
# GPU checks on a machine that has a GPU, its driver and a python3 with the
# pinned torch, but no compiler toolchain or -dev packages: build here for its
# architecture, pack, and run there.
#
#   tools/gpu_bundle.sh pack BUILD_DIR   # here: copies the GPU test and benchmark
#                                        # programs, mmsim and the system shared
#                                        # libraries they use into build-gpu-bundle/
#   tools/gpu_bundle.sh run [OUT_DIR [STAGE ...]]
#                                        # there, from the checkout: tools/gpu_check.sh
#                                        # over the bundle (stages tests, sanitize,
#                                        # bench; default all); copies the new
#                                        # benchmark records and the log to OUT_DIR
#
# The bundle mirrors a build directory (tests/gpu/, bench/), so gpu_check.sh
# and bench.sh run on it unchanged. The programs read the sample data and
# configs at the checkout path they were built in; `run` links that path to
# the checkout it runs in when they differ.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bundle="$root/build-gpu-bundle"

# The python that holds the build's torch: the project's environment (tools/setup.sh).
torch_python() {
  local venv="${MMSIM_VENV:-${XDG_DATA_HOME:-$HOME/.local/share}/mmsim/venv}"
  if [[ -x "$venv/bin/python" ]]; then echo "$venv/bin/python"; else echo python3; fi
}

pack() {
  local build="$1"
  [[ -x "$build/tests/gpu/test_env_gpu" ]] || { echo "no CUDA build in $build (tests/gpu/test_env_gpu missing)"; exit 1; }
  rm -rf "$bundle"
  mkdir -p "$bundle/tests/gpu" "$bundle/bench" "$bundle/lib"
  cp "$build"/tests/gpu/test_* "$bundle/tests/gpu/" 2>/dev/null || true
  find "$bundle/tests/gpu" -type f ! -perm -u+x -delete
  cp "$build"/bench/bench_*cuda* "$bundle/bench/"
  cp "$build/mmsim" "$bundle/"
  # Shared libraries from this machine's system, except glibc's (the GPU
  # machine's must be at least as new as this one's) and what the GPU
  # machine's torch brings (its libgomp included). libstdc++ and libgcc_s
  # travel: they are backward compatible, torch's needs included.
  for program in "$bundle"/tests/gpu/* "$bundle"/bench/* "$bundle/mmsim"; do
    ldd "$program" | awk '/=> \// {print $3}'
  done | sort -u | grep -vE '/(libc|libm|libdl|librt|libpthread|libutil|ld-linux[^/]*|libgomp)\.so' |
    grep -vE '/torch/lib/|/nvidia/' | while read -r lib; do cp -L "$lib" "$bundle/lib/"; done
  # The checkout the build was configured from: its programs read data there.
  grep '^CMAKE_HOME_DIRECTORY:' "$build/CMakeCache.txt" | cut -d= -f2- > "$bundle/source_dir"
  ldd --version | head -1 | awk '{print $NF}' > "$bundle/glibc"
  "$(torch_python)" -c 'import torch; print(torch.__version__)' > "$bundle/torch"
  local commit
  commit="$(git -C "$root" rev-parse --short HEAD)"
  git -C "$root" diff --quiet HEAD || commit="$commit+uncommitted"
  echo "$commit" > "$bundle/commit"
  du -sh "$bundle"
  echo "packed $(ls "$bundle"/tests/gpu | wc -l) test and $(ls "$bundle"/bench | wc -l) benchmark programs;" \
       "on the GPU machine: tools/gpu_bundle.sh run \$OUT"
}

run() {
  local out="${1:-$root/gpu-check-out}"
  shift || true
  mkdir -p "$out"
  [[ -f "$bundle/source_dir" ]] || { echo "no bundle: run tools/gpu_bundle.sh pack BUILD_DIR first"; exit 1; }
  # The machine must run what was built here: glibc at least as new, the same torch.
  local glibc torch_version
  glibc="$(ldd --version | head -1 | awk '{print $NF}')"
  if [[ "$(printf '%s\n%s\n' "$(cat "$bundle/glibc")" "$glibc" | sort -V | head -1)" != "$(cat "$bundle/glibc")" ]]; then
    echo "glibc $glibc here, but the bundle was built against $(cat "$bundle/glibc"): build on an older system"; exit 1
  fi
  torch_version="$(python3 -c 'import torch; print(torch.__version__)')" ||
    { echo "python3 here has no torch: the GPU programs need torch $(cat "$bundle/torch")'s libraries"; exit 1; }
  if [[ "$torch_version" != "$(cat "$bundle/torch")" ]]; then
    echo "torch $torch_version here, but the bundle was built against torch $(cat "$bundle/torch")"; exit 1
  fi
  # The programs read data and configs at the checkout path they were built in.
  local source_dir
  source_dir="$(cat "$bundle/source_dir")"
  if [[ "$source_dir" != "$root" ]]; then
    if [[ -e "$source_dir" && ! "$source_dir" -ef "$root" ]]; then
      echo "$source_dir exists and is not this checkout: the programs would read its data; move it away"; exit 1
    fi
    if [[ ! -e "$source_dir" ]]; then
      mkdir -p "$(dirname "$source_dir")" && ln -s "$root" "$source_dir" ||
        { echo "cannot link $source_dir to this checkout (the programs read their data there)"; exit 1; }
    fi
  fi
  local torch_lib
  torch_lib="$(python3 -c 'import os, torch; print(os.path.join(os.path.dirname(torch.__file__), "lib"))')"
  export LD_LIBRARY_PATH="$bundle/lib:$torch_lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  local before
  before="$(ls "$root/bench/results" 2>/dev/null | sort)"
  local status=0
  local stages="${*:-all}"
  "$root/tools/gpu_check.sh" "$bundle" "$@" 2>&1 | tee "$out/gpu_check-${stages// /-}.log" || status=1
  comm -13 <(echo "$before") <(ls "$root/bench/results" | sort) | while read -r file; do
    cp "$root/bench/results/$file" "$out/"
  done
  exit $status
}

case "${1:-}" in
  pack) pack "${2:?usage: tools/gpu_bundle.sh pack BUILD_DIR}" ;;
  run) shift; run "$@" ;;
  *) echo "usage: tools/gpu_bundle.sh pack BUILD_DIR | run [OUT_DIR [STAGE ...]]"; exit 2 ;;
esac
