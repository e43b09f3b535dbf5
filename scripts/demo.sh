#!/usr/bin/env bash
# reel's main job: logs a synthetic robot scene (200 frames, two timelines, points, a lidar
# scan, scalars, text logs, static ground) to a reel file and prints a summary of it.
# Usage: scripts/demo.sh [OUTPUT.reel]   (default: out/demo.reel)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/ensure.sh
ensure_rust

out="${1:-out/demo.reel}"
cargo run --quiet --locked -p reel --example demo -- "$out"
cargo run --quiet --locked -p reel_cli --bin reel -- print "$out"
