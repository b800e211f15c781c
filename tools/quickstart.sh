#!/usr/bin/env bash
# Sets up the machine (tools/setup.sh), builds the mmsim command and runs the
# main job on the shipped GOOG sample: a summary of the data, the feature
# table and the env; the quickstart training run (A2C on the CPU, validated
# against a random policy); then the evaluation of its best checkpoint against
# the baselines on the test split. Extra arguments go to `mmsim train`.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${MMSIM_BUILD_DIR:-$root/build}"
"$root/tools/setup.sh"
MMSIM_BUILD_DIR="$build" "$root/tools/build.sh" --target mmsim
"$build/mmsim" summary --config "$root/configs/quickstart.yaml"
if ! "$build/mmsim" train --help >/dev/null 2>&1; then
  echo "mmsim was built without libtorch: training skipped (run tools/setup.sh without MMSIM_SKIP_TORCH)"
  exit 0
fi
run_dir="$root/runs"
name="quickstart-$(date +%Y%m%d-%H%M%S)"
"$build/mmsim" train --config "$root/configs/quickstart.yaml" \
  --set "train.run_dir=$run_dir" --set "train.name=$name" "$@"
"$build/mmsim" eval --checkpoint "$run_dir/$name/best" --split test --greedy --windows 100 --steps 1000
echo "run directory: $run_dir/$name (config.yaml, metrics.csv, eval.csv, checkpoint/, best/, tensorboard/, eval/)"
