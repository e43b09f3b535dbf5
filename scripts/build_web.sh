#!/usr/bin/env bash
# Builds the web viewer (crates/reel_web for wasm32, bound with wasm-bindgen) into
# target/web_viewer, where crates/reel_web_viewer embeds it into the `reel` binary and the
# Python package. Installs what it needs: the wasm32 target and the wasm-bindgen CLI whose
# version matches Cargo.lock. Prints the wasm's size raw and gzipped.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/ensure.sh
ensure_rust
ensure_web_toolchain

out=target/web_viewer
mkdir -p "$out"
echo "building the web viewer (wasm32, profile web)" >&2
cargo build --locked -p reel_web --target wasm32-unknown-unknown --profile web
wasm-bindgen --target no-modules --no-typescript --out-dir "$out.tmp" \
    target/wasm32-unknown-unknown/web/reel_web.wasm
gzip -9 -n -c "$out.tmp/reel_web_bg.wasm" > "$out.tmp/reel_web_bg.wasm.gz"
# Replace only what changed, so Cargo rebuilds the crates that embed it only then.
for f in reel_web.js reel_web_bg.wasm.gz; do
    cmp -s "$out.tmp/$f" "$out/$f" || mv "$out.tmp/$f" "$out/$f"
done
raw=$(stat -c %s "$out.tmp/reel_web_bg.wasm")
gz=$(stat -c %s "$out/reel_web_bg.wasm.gz")
rm -rf "$out.tmp"
awk -v out="$out" -v raw="$raw" -v gz="$gz" \
    'BEGIN { printf "web viewer: %s (wasm %.1f MiB raw, %.1f MiB gzip)\n", out, raw / 1048576, gz / 1048576 }' >&2
