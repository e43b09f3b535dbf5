"""Python workloads, reel against the leading peer (rerun-sdk), side by side.

Run `bench/setup_python_peer.sh` first, then `python3 bench/python_peer.py [ROUNDS [TEXT]]`
(TEXT: only the workloads whose name contains it; the results file is then left alone). Each
(SDK, workload) runs in a fresh process with that SDK's environment, alternating A B A B
for ROUNDS rounds (default 3); the medians go to bench/results/python.md and stdout.
Every run logs into the SDK's in-memory recording and its time includes the final
blocking flush.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHONS = {"reel": ROOT / ".venv/bin/python", "rerun": ROOT / "bench/.venv-peer/bin/python"}
WORKLOADS = {
    "scalars (set time + 1 scalar)": 200_000,
    "scalars on 600 entities (x 100 steps)": 60_000,
    "points (1 point per call)": 50_000,
    "points + colors + radii (set time + 1 point)": 50_000,
    "points + colors + labels (set time + 10 points)": 50_000,
    "arrow with a color (set time + 1 arrow)": 50_000,
    "text entry (set time + log_text_entry)": 50_000,
    "points (10M-point numpy batch)": 1,
    "image 1024x1024 RGBA": 100,
    "transform3d (10 entities x 2000 steps)": 20_000,
    "text through logging": 50_000,
}

# One run, executed inside the SDK's environment: prints seconds.
RUNNER = r"""
import sys, time, numpy as np
sdk, workload, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
if sdk == "reel":
    import reel
    rec = reel.new_recording(application_id="bench")
    mem = rec.memory_recording()
    set_time = lambda i: rec.set_time_sequence("frame", i)
    log_scalar = lambda v, path="scalar": rec.log_scalar(path, v)
    log_points = lambda p: rec.log_points("points", p)
    log_styled = lambda p, c, r=None, l=None: rec.log_points("points", p, colors=c, radii=r, labels=l)
    log_arrow = lambda o, v, c: rec.log_arrow("arrow", o, v, color=c)
    log_text = lambda t: rec.log_text_entry("log", t, level="INFO")
    log_image = lambda img: rec.log_image("image", img)
    log_translation = lambda path, t: rec.log_transform3d(path, reel.TranslationAndMat3(translation=t))
    handler = reel.LoggingHandler()
    reel.set_global_data_recording(rec)
    flush = lambda: rec.flush(blocking=True)
else:
    import rerun as rr
    rec = rr.RecordingStream("bench")
    mem = rec.memory_recording()
    set_time = lambda i: rec.set_time("frame", sequence=i)
    log_scalar = lambda v, path="scalar": rec.log(path, rr.Scalars(v))
    log_points = lambda p: rec.log("points", rr.Points3D(p))
    log_styled = lambda p, c, r=None, l=None: rec.log("points", rr.Points3D(p, colors=c, radii=r, labels=l))
    log_arrow = lambda o, v, c: rec.log("arrow", rr.Arrows3D(origins=[o], vectors=[v], colors=[c]))
    log_text = lambda t: rec.log("log", rr.TextLog(t, level="INFO"))
    log_image = lambda img: rec.log("image", rr.Image(img))
    log_translation = lambda path, t: rec.log(path, rr.Transform3D(translation=t))
    rr.set_global_data_recording(rec)
    handler = rr.LoggingHandler()
    flush = lambda: rec.flush()
import logging
cloud = np.random.rand(10_000_000, 3).astype(np.float32) if "10M" in workload else None
point = [[1.0, 2.0, 3.0]]
pixels = np.zeros((1024, 1024, 4), np.uint8)
paths = [f"scalars/{e}" for e in range(600)]
logger = logging.getLogger("bench")
logger.setLevel(logging.INFO)
logger.propagate = False
logger.addHandler(handler)
start = time.perf_counter()
if workload.startswith("scalars on 600"):
    for step in range(n // 600):
        set_time(step)
        for e, path in enumerate(paths):
            log_scalar(float(step * e), path)
elif workload.startswith("scalars"):
    for i in range(n):
        set_time(i)
        log_scalar(float(i))
elif workload == "points (1 point per call)":
    for _ in range(n):
        log_points(point)
elif workload.startswith("points + colors + radii"):
    for i in range(n):
        set_time(i)
        log_styled(point, [255, 0, 0], 0.1)
elif workload.startswith("points + colors + labels"):
    ten = [[float(k), 2.0, 3.0] for k in range(10)]
    colors = [[255, 0, k * 20] for k in range(10)]
    labels = [f"point {k}" for k in range(10)]
    for i in range(n):
        set_time(i)
        log_styled(ten, colors, None, labels)
elif workload.startswith("arrow"):
    for i in range(n):
        set_time(i)
        log_arrow([0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [255, 0, 0])
elif workload.startswith("text entry"):
    for i in range(n):
        set_time(i)
        log_text("text entry")
elif "10M" in workload:
    log_points(cloud)
elif workload.startswith("image"):
    for i in range(n):
        pixels.flat[(i * 4) % pixels.size] = 255
        set_time(i)
        log_image(pixels.copy())
elif workload.startswith("transform3d"):
    for step in range(n // 10):
        set_time(step)
        for e in range(10):
            log_translation(f"transforms/{e}", [float(step), float(e), 0.0])
else:
    for i in range(n):
        logger.info("text entry number %d", i)
flush()
print(time.perf_counter() - start)
"""


def run(sdk: str, workload: str, n: int) -> float:
    out = subprocess.run(
        [str(PYTHONS[sdk]), "-c", RUNNER, sdk, workload, str(n)],
        capture_output=True, text=True, timeout=1800, check=True,
    )
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    only = sys.argv[2] if len(sys.argv) > 2 else None
    workloads = {w: n for w, n in WORKLOADS.items() if only is None or only in w}
    for sdk, python in PYTHONS.items():
        if not python.exists():
            sys.exit(f"{python} is missing: run bench/setup_python_peer.sh")
    times: dict = {(s, w): [] for s in PYTHONS for w in workloads}
    for r in range(rounds):
        for workload, n in workloads.items():
            for sdk in (["reel", "rerun"] if r % 2 == 0 else ["rerun", "reel"]):
                times[(sdk, workload)].append(run(sdk, workload, n))
                print(json.dumps({"round": r, "sdk": sdk, "workload": workload, "seconds": times[(sdk, workload)][-1]}), flush=True)
    lines = [
        f"Python, in-memory recording, median of {rounds} alternating runs (seconds; per row where n > 1).",
        "",
        "| workload | n | reel | rerun-sdk | reel speed-up |",
        "|---|---|---|---|---|",
    ]
    for workload, n in workloads.items():
        a, b = (statistics.median(times[(s, workload)]) for s in ("reel", "rerun"))
        per = (lambda t: f"{t:.3f} s ({t / n * 1e6:.2f} µs/row)") if n > 1 else (lambda t: f"{t:.3f} s")
        lines.append(f"| {workload} | {n:,} | {per(a)} | {per(b)} | {b / a:.1f}x |")
    table = "\n".join(lines) + "\n"
    if only is None:
        out = ROOT / "bench/results"
        out.mkdir(parents=True, exist_ok=True)
        (out / "python.md").write_text(table)
    print(table)


if __name__ == "__main__":
    main()
