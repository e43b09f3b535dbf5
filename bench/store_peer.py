"""Loading a recording and selecting it as a dataframe: reel against the leading peer
(rerun-sdk 0.41, through its local catalog server and DataFusion), side by side.

Run `bench/setup_python_peer.sh` first, then `python3 bench/store_peer.py [ROUNDS]`. Each
SDK writes the same logical data to its own file format (once, cached in bench/results/),
logged the same way — one log call per row, as scripts of the reference's era do: 1M scalar
rows on one entity, and 600 entities x 1000 steps. Then, for ROUNDS rounds
alternating reel and the peer, a fresh process loads the file and selects everything into
one Arrow table indexed by `frame`, and reports its seconds, its peak RSS, and the RSS it
started from (after imports), so the growth can be compared with the table's size and with
the data's decoded size (what reel's store holds once loaded, `Recording.memory_bytes`:
row ids, times and component values, each buffer exactly; the same logical data for both).
Medians go to bench/results/store.md and stdout.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench/results"
PYTHONS = {"reel": ROOT / ".venv/bin/python", "rerun": ROOT / "bench/.venv-peer/bin/python"}
DATASETS = {"1M scalars, one entity": (1, 1_000_000), "600 entities x 1000 steps": (600, 1000)}

WRITE = r"""
import sys, numpy as np
sdk, path, entities, steps = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
values = np.random.default_rng(7).random((entities, steps))
if sdk == "reel":
    import reel
    rec = reel.new_recording(application_id="store_bench")
    rec.save(path)
    for step in range(steps):
        rec.set_time_sequence("frame", step)
        for e in range(entities):
            rec.log_scalar(f"e{e}", float(values[e, step]))
    rec.flush(blocking=True)
else:
    import rerun as rr
    rr.init("store_bench", spawn=False)
    rr.save(path)
    for step in range(steps):
        rr.set_time("frame", sequence=step)
        for e in range(entities):
            rr.log(f"e{e}", rr.Scalars(float(values[e, step])))
    rr.disconnect()
"""

LOAD = r"""
import json, resource, sys, time

def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 1e6

sdk, path = sys.argv[1], sys.argv[2]
if sdk == "reel":
    import pyarrow, reel
else:
    import pyarrow, rerun as rr
base = rss_mb()
start = time.perf_counter()
decoded = None
if sdk == "reel":
    recording = reel.load_recording(path)
    table = recording.view(index="frame", contents="/**").select().read_all()
    decoded = recording.memory_bytes / 1e6
else:
    server = rr.server.Server(host="127.0.0.1", datasets={"d": [path]})
    client = server.client()
    dataset = client.get_dataset("d")
    frame = dataset.reader(index="frame")
    table = frame.to_arrow_table()
seconds = time.perf_counter() - start
peak = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss + resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
print(json.dumps({"seconds": seconds, "peak_mb": peak, "base_mb": base, "rows": table.num_rows, "decoded_mb": decoded,
                  "columns": table.num_columns, "table_mb": table.nbytes / 1e6}))
"""


def run(sdk: str, script: str, *args: object) -> str:
    out = subprocess.run([str(PYTHONS[sdk]), "-c", script, sdk, *map(str, args)], check=True, capture_output=True, text=True)
    return out.stdout


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    RESULTS.mkdir(parents=True, exist_ok=True)
    lines = [
        "| data | SDK | file MB | load + select s | peak RSS MB | RSS growth MB | growth / decoded | table MB | rows |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, (entities, steps) in DATASETS.items():
        files = {}
        for sdk, ext in (("reel", "reel"), ("rerun", "rrd")):
            files[sdk] = RESULTS / f"store-{entities}x{steps}.{ext}"
            if not files[sdk].exists():
                run(sdk, WRITE, files[sdk], entities, steps)
        samples = {"reel": [], "rerun": []}
        for _ in range(rounds):
            for sdk in ("reel", "rerun"):
                samples[sdk].append(json.loads(run(sdk, LOAD, files[sdk])))
        decoded = samples["reel"][0]["decoded_mb"]
        for sdk, runs in samples.items():
            med = {k: statistics.median(r[k] for r in runs) for k in ("seconds", "peak_mb", "base_mb", "table_mb")}
            growth = med["peak_mb"] - med["base_mb"]
            row = (
                f"| {name} | {sdk} | {files[sdk].stat().st_size / 1e6:.1f} | {med['seconds']:.3f} | {med['peak_mb']:.0f} | "
                f"{growth:.0f} | {growth / decoded:.1f}x of {decoded:.1f} MB | {med['table_mb']:.1f} | {runs[0]['rows']} |"
            )
            lines.append(row)
            print(row, flush=True)
    (RESULTS / "store.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
