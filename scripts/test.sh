#!/usr/bin/env bash
# reel's whole test suite: formatting, lints, API docs, the demo end to end, bounded
# fuzzing of the decoder, every unit, property and integration test of the workspace, then
# the Python package's tests (pytest against the built extension, including the web viewer in
# headless Chromium and a notebook run by a real Jupyter kernel).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/ensure.sh
ensure_rust
ensure_viewer_runtime
ensure_browser
# The web viewer first: the reel binary and the Python extension embed it.
scripts/build_web.sh
ensure_python

step() { printf '\n==> %s\n' "$*"; }

step "formatting (cargo fmt --check)"
cargo fmt --all -- --check

step "lints (cargo clippy -D warnings, natively and for the web viewer's wasm32)"
cargo clippy --workspace --all-targets --all-features --locked -- -D warnings
cargo clippy -p reel_web --target wasm32-unknown-unknown --locked -- -D warnings

step "API docs (rustdoc -D warnings: broken and private links), natively and for wasm32"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --all-features --locked --quiet
RUSTDOCFLAGS="-D warnings" cargo doc -p reel_web --no-deps --target wasm32-unknown-unknown --locked --quiet

step "demo (scripts/demo.sh, headless: rendered to a PNG) and reel verify on its output"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
REEL_HEADLESS=1 scripts/demo.sh "$tmp/demo.reel" > "$tmp/demo.txt"
grep -q "drawn in $tmp/demo.png" "$tmp/demo.txt"
[ "$(stat -c %s "$tmp/demo.png")" -gt 20000 ] || { echo "the demo's PNG is suspiciously small" >&2; exit 1; }
grep -q "(complete)" "$tmp/demo.txt"
for archetype in Points3D Mesh3D Image DepthImage Transform3D Pinhole Boxes2D LineStrips3D Scalar TextLog; do
    grep -q "reel.indicators.$archetype" "$tmp/demo.txt" || { echo "the demo logged no $archetype" >&2; exit 1; }
done
cargo run --quiet --locked -p reel_cli --bin reel -- verify "$tmp/demo.reel"

step "benchmark smoke (reel-bench, every workload and sink at 1/5000 scale, outputs verified)"
for sink in memory file tcp; do
    cargo run --quiet --locked -p reel_bench -- --workload all --sink "$sink" --scale 0.0002 --out-dir "$tmp/bench" > /dev/null
done

step "decoder fuzzing (bounded: ${REEL_FUZZ_ITERATIONS:=50000} mutated streams)"
REEL_FUZZ_ITERATIONS="$REEL_FUZZ_ITERATIONS" \
    cargo test --locked -p reel_format --test corruption mutation_fuzz_never_panics

step "tests (cargo test --workspace --all-features)"
cargo test --workspace --all-features --locked 2>&1 | tee "$tmp/cargo-test.txt"

# One closing line with the totals over every test binary (cargo prints one per binary).
awk '/^test result:/ { p += $4; f += $6; i += $8 }
     END { printf "\nreel: %d passed, %d failed, %d skipped\n", p, f, i; exit (p == 0 || f > 0) }' \
    "$tmp/cargo-test.txt"

step "Python package (pytest)"
.venv/bin/python -m pytest python/tests -q
