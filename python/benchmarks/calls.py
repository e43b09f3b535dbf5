"""Python per-call costs into a memory recording (the Python package's benchmark).

Usage: build the package in release mode first (``cd python && maturin develop --release``
inside .venv), then ``.venv/bin/python python/benchmarks/calls.py [CALLS]``. Prints one JSON
line per workload; each time includes the final blocking flush.
"""

from __future__ import annotations

import json
import sys
import time

import numpy as np

import reel as rr


def timed(name: str, rec: rr.RecordingStream, mem: rr.MemoryRecording, n: int, fn) -> None:
    start = time.perf_counter()
    fn(n)
    rec.flush(blocking=True)
    seconds = time.perf_counter() - start
    print(json.dumps({"workload": name, "n": n, "seconds": round(seconds, 4), "us_per_call": round(seconds / n * 1e6, 3)}))
    mem.reset_data()


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    rec = rr.new_recording(application_id="bench_calls")
    mem = rec.memory_recording()

    def scalars(count: int) -> None:
        for i in range(count):
            rec.set_time_sequence("frame", i)
            rec.log_scalar("scalar", float(i))

    def points(count: int) -> None:
        point = [[1.0, 2.0, 3.0]]
        for _ in range(count):
            rec.log_points("point", point)

    for _ in range(2):  # the first round warms up
        timed("set_time_sequence+log_scalar", rec, mem, n, scalars)
        timed("log_points_one_3d_point", rec, mem, n // 4, points)

    cloud = np.random.rand(10_000_000, 3).astype(np.float32)
    start = time.perf_counter()
    rec.log_points("cloud", cloud)
    rec.flush(blocking=True)
    seconds = time.perf_counter() - start
    print(json.dumps({"workload": "log_points_10M_numpy", "n": len(cloud), "seconds": round(seconds, 4), "points_per_s": round(len(cloud) / seconds)}))


if __name__ == "__main__":
    main()
