#!/usr/bin/env bash
# Sets up the machine (tools/setup.sh), builds the mmsim command and runs the
# main job on the shipped GOOG sample: load it, build the order-book tensor
# and the feature table, print a summary.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${MMSIM_BUILD_DIR:-$root/build}"
"$root/tools/setup.sh"
MMSIM_BUILD_DIR="$build" "$root/tools/build.sh" --target mmsim
"$build/mmsim" summary --config "$root/configs/quickstart.yaml" "$@"
