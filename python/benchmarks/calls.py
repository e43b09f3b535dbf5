"""Python per-call costs: every log function with small data and its optional components,
called as user code calls it (module-level functions on the global recording, each after
``set_time_sequence``), into a memory recording.

Usage: build the package in release mode first (``cd python && maturin develop --release``
inside .venv), then ``.venv/bin/python python/benchmarks/calls.py [CALLS] [--methods]``. Prints one JSON
line per call (the best of three rounds of CALLS calls, in µs per call including
``set_time_sequence``), then the 10M-point numpy batch (flush included).
"""

from __future__ import annotations

import json
import sys
import time
import timeit
from typing import Any

import numpy as np

import reel as rr


def calls(api: Any) -> dict:
    """name -> one log call through `api` (the module, or a recording's methods)."""
    img = np.zeros((8, 8, 3), dtype=np.uint8)
    depth = np.zeros((8, 8), dtype=np.float32)
    classes = np.zeros((8, 8), dtype=np.uint8)
    tri = [[0, 0, 0], [1, 0, 0], [0, 1, 0]]
    strip = [[0, 0, 0], [1, 1, 1]]
    k = [[500, 0, 320], [0, 500, 240], [0, 0, 1]]
    pts10 = [[float(i), i * 0.5, 1.0] for i in range(10)]
    colors10 = [[255, i * 20, 0] for i in range(10)]
    labels10 = [f"point {i}" for i in range(10)]
    return {
        "log_scalar": lambda: api.log_scalar("s", 1.0),
        "log_scalar styled": lambda: api.log_scalar("s", 1.0, label="a", color=[255, 0, 0], radius=1.0, scattered=True),
        "log_point + color + radius": lambda: api.log_point("p", [1, 2, 3], color=[255, 0, 0], radius=0.1),
        "log_points 1 + colors + radii": lambda: api.log_points("p", [[1, 2, 3]], colors=[255, 0, 0], radii=0.1),
        "log_points 10 + colors + labels": lambda: api.log_points("p", pts10, colors=colors10, labels=labels10),
        "log_points + class/keypoint ids, draw order": lambda: api.log_points(
            "p", [[1, 2, 3]], class_ids=[1], keypoint_ids=[2], draw_order=1.0, identifiers=[7]
        ),
        "log_points + ext": lambda: api.log_points("p", [[1, 2, 3]], ext={"confidence": [0.5], "track": 3}),
        "log_extension_components": lambda: api.log_extension_components("e", {"confidence": [0.5]}),
        "log_rect": lambda: api.log_rect("r", [0, 0, 1, 1], color=[255, 0, 0], label="x"),
        "log_rects 2": lambda: api.log_rects("r", [[0, 0, 1, 1], [1, 1, 2, 2]], colors=[255, 0, 0], labels=["a", "b"]),
        "log_obb": lambda: api.log_obb("o", half_size=[1, 1, 1], position=[0, 0, 0], rotation_q=[0, 0, 0, 1], color=[255, 0, 0]),
        "log_obbs 2": lambda: api.log_obbs("o", half_sizes=[[1, 1, 1], [2, 2, 2]], positions=[[0, 0, 0], [1, 1, 1]]),
        "log_line_strip": lambda: api.log_line_strip("l", strip, color=[255, 0, 0], stroke_width=0.1),
        "log_line_strips_2d": lambda: api.log_line_strips_2d("l2", [[[0, 0], [1, 1]]], colors=[255, 0, 0]),
        "log_line_strips_3d": lambda: api.log_line_strips_3d("l", [strip], colors=[255, 0, 0], stroke_widths=0.1),
        "log_line_segments": lambda: api.log_line_segments("l", strip, color=[255, 0, 0], stroke_width=0.1),
        "log_arrow + color": lambda: api.log_arrow("a", [0, 0, 0], [1, 1, 1], color=[255, 0, 0]),
        "log_text_entry": lambda: api.log_text_entry("t", "hello", level="INFO"),
        "log_transform3d": lambda: api.log_transform3d("t", rr.Translation3D([1, 2, 3])),
        "log_rigid3": lambda: api.log_rigid3("t", parent_from_child=([1, 2, 3], [0, 0, 0, 1])),
        "log_pinhole": lambda: api.log_pinhole("c", child_from_parent=k, width=640, height=480),
        "log_view_coordinates": lambda: api.log_view_coordinates("v", xyz="RDF"),
        "log_disconnected_space": lambda: api.log_disconnected_space("d"),
        "log_cleared": lambda: api.log_cleared("c"),
        "log_mesh (triangle)": lambda: api.log_mesh("m", tri, indices=[0, 1, 2], albedo_factor=[255, 0, 0, 255]),
        "log_meshes (one triangle)": lambda: api.log_meshes("m", [tri], index_buffers=[[0, 1, 2]]),
        "log_image 8x8 RGB": lambda: api.log_image("i", img),
        "log_depth_image 8x8": lambda: api.log_depth_image("d", depth, meter=1.0),
        "log_segmentation_image 8x8": lambda: api.log_segmentation_image("s", classes),
        "log_tensor 8": lambda: api.log_tensor("tt", depth[0]),
        "log_annotation_context": lambda: api.log_annotation_context("ac", [(1, "a", [255, 0, 0])]),
    }


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(args[0]) if args else 20_000
    rr.init("bench_calls", spawn=False)
    mem = rr.memory_recording()
    # `--methods`: the recording's methods (`rec.log_points(...)`), as the peer harness
    # calls both SDKs; by default the module-level functions most scripts use.
    api: Any = rr.get_data_recording() if "--methods" in sys.argv else rr
    for name, call in calls(api).items():
        frame = iter(range(1 << 62))

        def one() -> None:
            api.set_time_sequence("frame", next(frame))
            call()

        seconds = min(timeit.repeat(one, number=n, repeat=3))
        print(json.dumps({"call": name, "us_per_call": round(seconds / n * 1e6, 2)}))
        mem.reset_data()

    cloud = np.random.rand(10_000_000, 3).astype(np.float32)
    start = time.perf_counter()
    rr.log_points("cloud", cloud)
    rr.flush(blocking=True)
    seconds = time.perf_counter() - start
    print(json.dumps({"call": "log_points 10M numpy", "seconds": round(seconds, 4), "points_per_s": round(len(cloud) / seconds)}))


if __name__ == "__main__":
    main()
