"""Rust workloads, reel against the leading peer (the `rerun` crate), side by side.

Builds `reel-bench` and the peer program (bench/peer_rust, outside reel's workspace), then
runs every workload on the memory and file sinks alternating A B A B for ROUNDS rounds and
writes the medians to bench/results/rust.md and stdout.

Usage: `python3 bench/rust_peer.py [ROUNDS] [SCALE]` (defaults 3 and 0.2; SCALE shrinks
every workload, as reel-bench's --scale does).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKLOADS = [
    "points3d_large_batch",
    "points3d_many_individual",
    "scalars",
    "scalars_many_entities",
    "image",
    "transform3d",
    "text_log",
]
SINKS = ["memory", "file"]


def build() -> None:
    subprocess.run(["cargo", "build", "--release", "--quiet", "-p", "reel_bench"], cwd=ROOT, check=True)
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT / "bench/peer_rust", check=True)


def run(sdk: str, workload: str, sink: str, scale: float) -> dict:
    out_dir = ROOT / "bench/results/out"
    if sdk == "reel":
        cmd = [str(ROOT / "target/release/reel-bench"), "--workload", workload, "--sink", sink, "--scale", str(scale), "--out-dir", str(out_dir)]
    else:
        cmd = [str(ROOT / "bench/peer_rust/target/release/peer_rust"), workload, sink, str(scale), str(out_dir)]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=3600, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    scale = float(sys.argv[2]) if len(sys.argv) > 2 else 0.2
    build()
    results: dict = {}
    for r in range(rounds):
        for sink in SINKS:
            for workload in WORKLOADS:
                for sdk in (["reel", "rerun"] if r % 2 == 0 else ["rerun", "reel"]):
                    line = run(sdk, workload, sink, scale)
                    results.setdefault((sdk, workload, sink), []).append(line)
                    print(json.dumps({"round": r, "sdk": sdk, **line}), flush=True)
    lines = [
        f"Rust, scale {scale}, median of {rounds} alternating runs; seconds include the final flush.",
        "",
        "| workload | sink | n | reel | rerun crate | reel speed-up | reel output | rerun output |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for sink in SINKS:
        for workload in WORKLOADS:
            a = results[("reel", workload, sink)]
            b = results[("rerun", workload, sink)]
            ta = statistics.median(x["seconds"] for x in a)
            tb = statistics.median(x["seconds"] for x in b)
            mb = lambda runs: f"{statistics.median(x['output_bytes'] for x in runs) / 1e6:.1f} MB"  # noqa: E731
            lines.append(f"| {workload} | {sink} | {a[0]['n']:,} | {ta:.3f} s | {tb:.3f} s | {tb / ta:.1f}x | {mb(a)} | {mb(b)} |")
    table = "\n".join(lines) + "\n"
    (ROOT / "bench/results").mkdir(parents=True, exist_ok=True)
    (ROOT / "bench/results/rust.md").write_text(table)
    print(table)


if __name__ == "__main__":
    main()
