#!/usr/bin/env bash
# Runs the benchmark programs of a build (the CUDA ones only with a GPU) and
# records each result in
# bench/results/: the raw Google Benchmark JSON plus a note with the machine,
# the driver, the commit, the date and the exact command.
#
#   tools/bench.sh [BUILD_DIR] [extra Google Benchmark flags...]
# A program that fails (or runs past MMSIM_BENCH_TIMEOUT seconds, when set)
# is reported and the others still run; the exit status is then 1.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-${MMSIM_BUILD_DIR:-$root/build}}"
shift || true
results="$root/bench/results"
mkdir -p "$results"

if [[ -f "$build/commit" ]]; then
  # A bundle of programs built elsewhere (tools/gpu_bundle.sh) names its commit.
  commit="$(cat "$build/commit")"
else
  commit="$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  if ! git -C "$root" diff --quiet HEAD 2>/dev/null; then commit="$commit+uncommitted"; fi
fi
date_utc="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//' || echo unknown)"
gpu="none"
driver="none"
if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi >/dev/null 2>&1; then
  gpu="$(nvidia-smi --query-gpu=name --format=csv,noheader | head -1)"
  driver="$(nvidia-smi --query-gpu=driver_version --format=csv,noheader | head -1)"
fi
tag="$(date -u +%Y%m%d-%H%M%S)"
device_tag="cpu"
[[ "$gpu" != "none" ]] && device_tag="$(echo "$gpu" | tr ' ' '-' | tr -cd 'A-Za-z0-9_-')"

failed=0
for program in "$build"/bench/bench_*; do
  [[ -x "$program" ]] || continue
  name="$(basename "$program")"
  if [[ "$name" == *cuda* && "$gpu" == "none" ]]; then
    echo "[bench] $name skipped: no GPU"
    continue
  fi
  json="$results/$tag-$device_tag-$name.json"
  command=("$program" --benchmark_out="$json" --benchmark_out_format=json "$@")
  echo "[bench] ${command[*]}"
  log="$(mktemp)"
  limit=()
  [[ -n "${MMSIM_BENCH_TIMEOUT:-}" ]] && limit=(timeout "$MMSIM_BENCH_TIMEOUT")
  # The output goes out as it comes, so a run cut short still shows its lines.
  if ! "${limit[@]}" "${command[@]}" 2>&1 | tee "$log"; then
    echo "[bench] FAILED: $name (its output is above; nothing recorded)"
    failed=1
    rm -f "$log" "$json"
    continue
  fi
  output="$(cat "$log")"
  rm -f "$log"
  # A filter that matches none of this program's benchmarks leaves an empty
  # file or an empty list: nothing to record.
  if ! python3 -c 'import json, sys; text = open(sys.argv[1]).read(); sys.exit(0 if text.strip() and json.loads(text)["benchmarks"] else 1)' "$json"; then
    rm -f "$json"
    continue
  fi
  cat > "${json%.json}.md" <<NOTE
# $name, $date_utc

- commit: $commit
- CPU: $cpu ($(nproc) cores)
- GPU: $gpu
- driver: $driver
- command: \`${command[*]#"$root/"}\`
- raw JSON: $(basename "$json")

\`\`\`
$output
\`\`\`
NOTE
done
echo "[bench] results in $results"
exit "$failed"
