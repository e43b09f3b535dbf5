#!/usr/bin/env bash
# reel's main job: logs a synthetic robot scene (300 frames, two timelines, points, a lidar
# scan, images with detections, scalars, text logs, static ground) to a reel file, prints a
# summary of it, then shows it: in the viewer window when a display is available, else
# rendered to a PNG next to the recording (no window needed).
# Usage: scripts/demo.sh [OUTPUT.reel]   (default: out/demo.reel)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/ensure.sh
ensure_rust
ensure_viewer_runtime

out="${1:-out/demo.reel}"
cargo run --quiet --locked -p reel --example demo -- "$out"
cargo run --quiet --locked -p reel_cli --bin reel -- print "$out"
if have_display; then
    echo "opening the viewer (close the window to finish)"
    cargo run --quiet --locked -p reel_cli --bin reel -- "$out"
else
    png="${out%.reel}.png"
    cargo run --quiet --locked -p reel_cli --bin reel -- render "$out" --out "$png" --time frame=150
    echo "no display here: the recording at frame 150 is drawn in $png (open it, or run the viewer where a display exists: reel $out)"
fi
