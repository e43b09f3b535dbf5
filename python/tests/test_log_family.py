"""The log_* family of ../shared/reference/log-family.md: signatures, values read back, and
invalid input in strict and lenient mode."""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
import threading
import warnings
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

import reel as rr

EMPTY = inspect.Parameter.empty

# (function, parameters after entity_path as (name, default)); every function also ends
# with recording=None. From log-family.md.
SIGNATURES = {
    "log_point": [("position", None), ("radius", None), ("color", None), ("label", None), ("class_id", None), ("keypoint_id", None), ("draw_order", None), ("ext", None), ("timeless", False)],
    "log_points": [("positions", None), ("identifiers", None), ("colors", None), ("radii", None), ("labels", None), ("class_ids", None), ("keypoint_ids", None), ("draw_order", None), ("ext", None), ("timeless", False)],
    "log_rect": [("rect", EMPTY), ("rect_format", rr.RectFormat.XYWH), ("color", None), ("label", None), ("class_id", None), ("draw_order", None), ("ext", None), ("timeless", False)],
    "log_rects": [("rects", EMPTY), ("rect_format", rr.RectFormat.XYWH), ("identifiers", None), ("colors", None), ("labels", None), ("class_ids", None), ("draw_order", None), ("ext", None), ("timeless", False)],
    "log_obb": [("half_size", None), ("position", None), ("rotation_q", None), ("color", None), ("stroke_width", None), ("label", None), ("class_id", None), ("ext", None), ("timeless", False)],
    "log_obbs": [("half_sizes", None), ("positions", None), ("rotations_q", None), ("colors", None), ("stroke_widths", None), ("labels", None), ("class_ids", None), ("ext", None), ("timeless", False)],
    "log_line_strip": [("positions", EMPTY), ("stroke_width", None), ("color", None), ("draw_order", None), ("ext", None), ("timeless", False)],
    "log_line_strips_2d": [("line_strips", EMPTY), ("identifiers", None), ("stroke_widths", None), ("colors", None), ("draw_order", None), ("ext", None), ("timeless", False)],
    "log_line_strips_3d": [("line_strips", EMPTY), ("identifiers", None), ("stroke_widths", None), ("colors", None), ("draw_order", None), ("ext", None), ("timeless", False)],
    "log_line_segments": [("positions", EMPTY), ("stroke_width", None), ("color", None), ("draw_order", None), ("ext", None), ("timeless", False)],
    "log_arrow": [("origin", EMPTY), ("vector", None), ("color", None), ("label", None), ("width_scale", None), ("ext", None), ("timeless", False)],
    "log_mesh": [("positions", EMPTY), ("indices", None), ("normals", None), ("albedo_factor", None), ("vertex_colors", None), ("timeless", False)],
    "log_meshes": [("position_buffers", EMPTY), ("vertex_color_buffers", None), ("index_buffers", None), ("normal_buffers", None), ("albedo_factors", None), ("timeless", False)],
    "log_mesh_file": [("mesh_format", EMPTY), ("mesh_bytes", None), ("mesh_path", None), ("transform", None), ("timeless", False)],
    "log_image": [("image", EMPTY), ("draw_order", None), ("ext", None), ("timeless", False), ("jpeg_quality", None)],
    "log_image_file": [("img_bytes", None), ("img_path", None), ("img_format", None), ("timeless", False)],
    "log_depth_image": [("image", EMPTY), ("draw_order", None), ("meter", None), ("ext", None), ("timeless", False)],
    "log_segmentation_image": [("image", EMPTY), ("draw_order", None), ("ext", None), ("timeless", False)],
    "log_tensor": [("tensor", EMPTY), ("names", None), ("meter", None), ("ext", None), ("timeless", False)],
    "log_scalar": [("scalar", EMPTY), ("label", None), ("color", None), ("radius", None), ("scattered", None), ("ext", None)],
    "log_text_entry": [("text", EMPTY), ("level", "INFO"), ("color", None), ("ext", None), ("timeless", False)],
    "log_transform3d": [("transform", EMPTY), ("from_parent", False), ("timeless", False)],
    "log_pinhole": [("width", EMPTY), ("height", EMPTY), ("focal_length_px", None), ("principal_point_px", None), ("child_from_parent", None), ("camera_xyz", None), ("timeless", False)],
    "log_view_coordinates": [("xyz", ""), ("up", ""), ("right_handed", None), ("timeless", False)],
    "log_disconnected_space": [("timeless", False)],
    "log_annotation_context": [("class_descriptions", EMPTY), ("timeless", True)],
    "log_cleared": [("recursive", False)],
    "log_extension_components": [("ext", EMPTY), ("identifiers", None), ("timeless", False)],
}


# How many parameters after entity_path each takes by position (log-family.md's `*`); the
# rest, `timeless` and `recording` included, are keyword-only.
POSITIONAL = {
    "log_point": 1, "log_points": 1, "log_rect": 1, "log_rects": 1, "log_line_strip": 1,
    "log_line_strips_2d": 1, "log_line_strips_3d": 1, "log_line_segments": 1, "log_arrow": 2,
    "log_mesh": 1, "log_meshes": 1, "log_mesh_file": 1, "log_image": 1, "log_depth_image": 1,
    "log_segmentation_image": 1, "log_tensor": 1, "log_scalar": 1, "log_text_entry": 1,
    "log_transform3d": 1, "log_annotation_context": 1, "log_extension_components": 1,
    "log_components": 1,
}


@pytest.fixture(autouse=True)
def strict_off_by_default():
    rr._strict_mode = None
    yield
    rr._strict_mode = None


@pytest.mark.parametrize("name", sorted(SIGNATURES))
def test_signatures_match_the_log_family(name):
    params = list(inspect.signature(getattr(rr, name)).parameters.values())
    assert params[0].name == "entity_path"
    assert params[-1].name == "recording" and params[-1].default is None
    got = [(p.name, p.default) for p in params[1:-1]]
    assert got == SIGNATURES[name]
    n = POSITIONAL.get(name, 0)
    kinds = [p.kind for p in params]
    assert kinds == [inspect.Parameter.POSITIONAL_OR_KEYWORD] * (n + 1) + [inspect.Parameter.KEYWORD_ONLY] * (len(params) - n - 1)
    method = list(inspect.signature(getattr(rr.RecordingStream, name)).parameters.values())[1:]
    assert [(p.name, p.kind) for p in method] == [(p.name, p.kind) for p in params[:-1]], "also a method"


def row(fn, entity: str):
    """Logs with fn(rec) in strict mode; returns the entity's table."""
    rec = rr.new_recording(application_id="family")
    mem = rec.memory_recording()
    rr.set_strict_mode(True)
    fn(rec)
    return rr.load_recording(mem.drain_as_bytes()).to_arrow(entity)


def value(table, component: str):
    return table.column(f"reel.components.{component}").to_pylist()


def has_indicator(table, archetype: str) -> bool:
    return f"reel.indicators.{archetype}" in table.column_names


def test_points_and_point():
    t = row(lambda r: r.log_point("p", [1, 2, 3], radius=0.5, color=[255, 0, 0], label="a", class_id=2, keypoint_id=3), "p")
    assert value(t, "Position3D") == [[[1.0, 2.0, 3.0]]]
    assert value(t, "Color") == [[0xFF0000FF]] and value(t, "Radius") == [[0.5]]
    assert value(t, "Text") == [["a"]] and value(t, "ClassId") == [[2]] and value(t, "KeypointId") == [[3]]
    assert has_indicator(t, "Points3D")
    t = row(lambda r: r.log_points("p", np.array([[1, 2], [3, 4]]), colors=[[0.0, 1.0, 0.0]], draw_order=2), "p")
    assert value(t, "Position2D") == [[[1.0, 2.0], [3.0, 4.0]]] and value(t, "Color") == [[0x00FF00FF]]
    assert value(t, "DrawOrder") == [[2.0]] and has_indicator(t, "Points2D")


def test_rects_and_obbs():
    t = row(lambda r: r.log_rects("r", [[1, 2, 5, 8]], rect_format=rr.RectFormat.XYXY, labels=["car"]), "r")
    assert value(t, "Position2D") == [[[3.0, 5.0]]] and value(t, "HalfSizes2D") == [[[2.0, 3.0]]]
    t = row(lambda r: r.log_rect("r", [3, 5, 2, 3], rect_format=rr.RectFormat.XCYCW2H2, color=[1, 2, 3]), "r")
    assert value(t, "Position2D") == [[[3.0, 5.0]]] and value(t, "HalfSizes2D") == [[[2.0, 3.0]]]
    t = row(lambda r: r.log_obb("o", half_size=[1, 2, 3], position=[4, 5, 6], rotation_q=[0, 0, 0, 1], stroke_width=0.5), "o")
    assert value(t, "HalfSizes3D") == [[[1.0, 2.0, 3.0]]] and value(t, "RotationQuat") == [[[0.0, 0.0, 0.0, 1.0]]]
    assert value(t, "Radius") == [[0.25]] and has_indicator(t, "Boxes3D")


def test_lines_and_arrows():
    t = row(lambda r: r.log_line_strip("l", [[0, 0, 0], [1, 1, 1], [2, 2, 2]], stroke_width=0.2), "l")
    assert value(t, "LineStrip3D") == [[[[0.0] * 3, [1.0] * 3, [2.0] * 3]]] and value(t, "Radius") == [[pytest.approx(0.1)]]
    t = row(lambda r: r.log_line_strips_2d("l", [[[0, 0], [1, 1]], [[2, 2], [3, 3], [4, 4]]], colors=[[1, 2, 3]]), "l")
    assert [len(s) for s in value(t, "LineStrip2D")[0]] == [2, 3]
    t = row(lambda r: r.log_line_strips_3d("l", [[[0, 0, 0], [1, 1, 1]]], identifiers=[7]), "l")
    assert value(t, "InstanceKey") == [[7]]
    t = row(lambda r: r.log_line_segments("s", [[0, 0, 0], [1, 1, 1], [2, 2, 2], [3, 3, 3]]), "s")
    assert len(value(t, "LineStrip3D")[0]) == 2 and has_indicator(t, "LineSegments3D")
    t = row(lambda r: r.log_arrow("a", [1, 1, 1], [0, 0, 2], label="up", width_scale=0.1), "a")
    assert value(t, "Vector3D") == [[[0.0, 0.0, 2.0]]] and value(t, "Position3D") == [[[1.0, 1.0, 1.0]]]
    # Every width of the family is stored as a radius of half of it, as the reference did.
    assert value(t, "Radius") == [[pytest.approx(0.05)]]
    t = row(lambda r: r.log_line_strip("w", [[0, 0, 0], [1, 1, 1]], stroke_width=0.4), "w")
    assert value(t, "Radius") == [[pytest.approx(0.2)]]
    t = row(lambda r: r.log_obb("o", half_size=[1, 1, 1], stroke_width=0.6), "o")
    assert value(t, "Radius") == [[pytest.approx(0.3)]]
    t = row(lambda r: r.log_obbs("o", half_sizes=[[1, 1, 1]] * 2, stroke_widths=[0.2, 0.4]), "o")
    assert value(t, "Radius") == [[pytest.approx(0.1), pytest.approx(0.2)]]
    t = row(lambda r: r.log_line_segments("s", [[0, 0, 0], [1, 1, 1]], stroke_width=0.8), "s")
    assert value(t, "Radius") == [[pytest.approx(0.4)]]
    t = row(lambda r: r.log_line_strips_3d("s", [[[0, 0, 0], [1, 1, 1]]] * 2, stroke_widths=[1.0, 2.0]), "s")
    assert value(t, "Radius") == [[pytest.approx(0.5), pytest.approx(1.0)]]
    t = row(lambda r: r.log_line_strips_2d("s", [[[0, 0], [1, 1]]], stroke_widths=[0.3]), "s")
    assert value(t, "Radius") == [[pytest.approx(0.15)]]
    # Radii are radii: stored as given.
    t = row(lambda r: r.log_points("p", [[0, 0, 0], [1, 1, 1]], radii=[0.5, 0.25]), "p")
    assert value(t, "Radius") == [[0.5, 0.25]]
    t = row(lambda r: r.log_point("p", [0, 0, 0], radius=0.7), "p")
    assert value(t, "Radius") == [[pytest.approx(0.7)]]
    t = row(lambda r: r.log_scalar("s", 1.0, radius=3.0), "s")
    assert value(t, "Radius") == [[3.0]]


PYRAMID = [[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0], [0.5, 0.5, 1]]
FACES = [[0, 1, 4], [1, 2, 4], [2, 3, 4], [3, 0, 4]]
OBJ = b"v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n"


def test_meshes_and_mesh_files(tmp_path):
    t = row(lambda r: r.log_mesh("m", PYRAMID, indices=FACES, albedo_factor=[1, 2, 3], vertex_colors=[[9, 9, 9]]), "m")
    assert len(value(t, "Position3D")[0]) == 5 and len(value(t, "TriangleIndices")[0]) == 4, "vertices and triangles"
    assert value(t, "AlbedoFactor") == [[0x010203FF]] and has_indicator(t, "Mesh3D")
    t = row(lambda r: r.log_meshes("m", [PYRAMID, PYRAMID[:3]], index_buffers=[FACES, None]), "m")
    assert [len(v) for v in value(t, "Position3D")] == [5, 3]
    path = tmp_path / "tri.obj"
    path.write_bytes(OBJ)
    t = row(lambda r: r.log_mesh_file("f", rr.MeshFormat.OBJ, mesh_path=str(path), transform=np.hstack([np.eye(3), [[1], [2], [3]]])), "f")
    assert value(t, "Blob") == [[OBJ]] and value(t, "MediaType") == [["model/obj"]]
    assert value(t, "Mat4x4")[0][0][12:] == [1.0, 2.0, 3.0, 1.0]


def test_images_and_tensors(tmp_path):
    rgb = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3)
    t = row(lambda r: r.log_image("img", rgb, draw_order=1), "img")
    tensor = value(t, "TensorData")[0][0]
    assert tensor["shape"] == [2, 3, 3] and tensor["dtype"] == "u8" and tensor["buffer"] == rgb.tobytes()
    t = row(lambda r: r.log_image("jpg", np.full((8, 8, 3), 128, np.uint8), jpeg_quality=80), "jpg")
    jpeg = value(t, "Blob")[0][0]
    assert jpeg[:2] == b"\xff\xd8" and value(t, "Resolution") == [[[8.0, 8.0]]]
    path = tmp_path / "x.jpg"
    path.write_bytes(jpeg)
    t = row(lambda r: r.log_image_file("file", img_path=str(path), img_format=rr.ImageFormat.JPEG), "file")
    assert value(t, "MediaType") == [["image/jpeg"]] and has_indicator(t, "EncodedImage")
    depth = np.array([[1000, 2000], [3000, 4000]], np.uint16)
    t = row(lambda r: r.log_depth_image("d", depth, meter=1000), "d")
    assert value(t, "DepthMeter") == [[1000.0]] and value(t, "TensorData")[0][0]["dtype"] == "u16"
    t = row(lambda r: r.log_segmentation_image("s", np.array([[1, 2], [3, 4]], np.uint8)), "s")
    assert has_indicator(t, "SegmentationImage")
    cube = np.arange(24, dtype=np.float64).reshape(2, 3, 4)
    t = row(lambda r: r.log_tensor("t", cube, names=["a", "b", "c"]), "t")
    got = value(t, "TensorData")[0][0]
    assert got["names"] == ["a", "b", "c"] and np.array_equal(np.frombuffer(got["buffer"], "<f8").reshape(2, 3, 4), cube)


def test_scalars_text_transforms_cameras_and_more():
    t = row(lambda r: r.log_scalar("s", 2.5, label="speed", color=[0, 0, 255], radius=2, scattered=True), "s")
    assert value(t, "Scalar") == [[2.5]] and value(t, "ScalarScattered") == [[True]]
    t = row(lambda r: r.log_text_entry("log", "hi", level=rr.LogLevel.WARN, color=[1, 2, 3]), "log")
    assert value(t, "TextLogLevel") == [["WARN"]]
    trs = rr.TranslationRotationScale3D([1, 2, 3], rr.RotationAxisAngle([0, 0, 1], degrees=180), 2.0)
    t = row(lambda r: r.log_transform3d("t", trs, from_parent=True), "t")
    assert value(t, "Translation3D") == [[[1.0, 2.0, 3.0]]] and value(t, "Scale3D") == [[[2.0, 2.0, 2.0]]]
    assert value(t, "RotationAxisAngle")[0][0]["angle"] == pytest.approx(np.pi)
    assert value(t, "TransformFromParent") == [[True]]
    m = [[0, -1, 0], [1, 0, 0], [0, 0, 1]]
    t = row(lambda r: r.log_transform3d("t", rr.TranslationAndMat3(None, m)), "t")
    assert value(t, "Mat3x3") == [[[0.0, 1.0, 0.0, -1.0, 0.0, 0.0, 0.0, 0.0, 1.0]]], "stored column-major"
    t = row(lambda r: r.log_pinhole("cam", width=640, height=480, focal_length_px=500, camera_xyz="RDF"), "cam")
    k = value(t, "PinholeProjection")[0][0]
    assert (k[0], k[4], k[6], k[7]) == (500.0, 500.0, 320.0, 240.0) and value(t, "Resolution") == [[[640.0, 480.0]]]
    t = row(lambda r: r.log_view_coordinates("w", up="+Z"), "w")
    assert value(t, "ViewCoordinates") == [[[3, 5, 1]]], "RFU"
    t = row(lambda r: r.log_disconnected_space("d"), "d")
    assert value(t, "DisconnectedSpace") == [[True]]
    t = row(lambda r: r.log_cleared("c", recursive=True), "c")
    assert value(t, "ClearIsRecursive") == [[True]]
    ctx = [(1, "car", [255, 0, 0]), rr.ClassDescription(rr.AnnotationInfo(2, "person"), [(0, "head")], [(0, 1)])]
    t = row(lambda r: r.log_annotation_context("ctx", ctx), "ctx")
    descriptions = value(t, "ClassDescription")[0]
    assert descriptions[0]["info"] == {"id": 1, "label": "car", "color": 0xFF0000FF}
    assert descriptions[1]["keypoint_connections"] == [[0, 1]]
    assert t.column_names == ["reel.components.ClassDescription", "reel.indicators.AnnotationContext"], "timeless"
    t = row(lambda r: r.log_extension_components("e", {"my.Temperature": [20.5, 21.0]}, identifiers=[1, 2]), "e")
    assert t.column("my.Temperature").to_pylist() == [[20.5, 21.0]] and value(t, "InstanceKey") == [[1, 2]]
    t = row(lambda r: r.log_points("p", [[0, 0, 0]], ext={"my.Note": ["hello"]}), "p")
    assert t.column("my.Note").to_pylist() == [["hello"]]


def test_modern_log_takes_archetype_like_objects():
    class Temperature:
        def as_component_batches(self):
            return [rr.components.ScalarBatch(21.5), rr.components.IndicatorBatch("Scalar")]

    t = row(lambda r: r.log("room", Temperature()), "room")
    assert value(t, "Scalar") == [[21.5]]


INVALID = {
    "points shape": lambda r: r.log_points("x", np.zeros((3, 5))),
    "point count": lambda r: r.log_point("x", [1, 2, 3, 4]),
    "color range": lambda r: r.log_points("x", [[0, 0, 0]], colors=[[300, 0, 0]]),
    "class id dtype": lambda r: r.log_points("x", [[0, 0, 0]], class_ids=[0.5]),
    "rect shape": lambda r: r.log_rects("x", [[1, 2, 3]]),
    "strip shape": lambda r: r.log_line_strip("x", [[1, 2, 3, 4]]),
    "odd segments": lambda r: r.log_line_segments("x", [[0, 0, 0]] * 3),
    "mesh index": lambda r: r.log_mesh("x", PYRAMID, indices=[[0, 1, 9]]),
    "mesh nan": lambda r: r.log_mesh("x", [[np.nan, 0, 0]] * 3),
    "mesh normals": lambda r: r.log_mesh("x", PYRAMID[:3], normals=[[0, 0, 1]]),
    "mesh file garbage": lambda r: r.log_mesh_file("x", rr.MeshFormat.GLB, mesh_bytes=b"junk"),
    "mesh file missing": lambda r: r.log_mesh_file("x", rr.MeshFormat.OBJ, mesh_path="/nonexistent.obj"),
    "mesh file both": lambda r: r.log_mesh_file("x", rr.MeshFormat.OBJ, mesh_bytes=OBJ, mesh_path="a.obj"),
    "image shape": lambda r: r.log_image("x", np.zeros((2, 2, 2))),
    "image file garbage": lambda r: r.log_image_file("x", img_bytes=b"junk"),
    "depth shape": lambda r: r.log_depth_image("x", np.zeros((2, 2, 3))),
    "float segmentation": lambda r: r.log_segmentation_image("x", np.zeros((2, 2), np.float32)),
    "tensor dtype": lambda r: r.log_tensor("x", np.array(["a", "b"])),
    "tensor names": lambda r: r.log_tensor("x", np.zeros((2, 2)), names=["only one"]),
    "jpeg of floats": lambda r: r.log_image("x", np.zeros((2, 2, 3), np.float32), jpeg_quality=80),
    "transform type": lambda r: r.log_transform3d("x", "not a transform"),
    "axis angle": lambda r: r.log_transform3d("x", rr.RotationAxisAngle([0, 0, 1])),
    "pinhole focal": lambda r: r.log_pinhole("x", width=1, height=1, focal_length_px=0),
    "pinhole not finite": lambda r: r.log_pinhole("x", width=1, height=1, child_from_parent=[[1, 0, 0], [0, float("inf"), 0], [0, 0, 1]]),
    "pinhole shape": lambda r: r.log_pinhole("x", width=1, height=1, child_from_parent=[[1, 0], [0, 1]]),
    "mesh index type": lambda r: r.log_mesh("x", PYRAMID, indices=[0.5, 1, 2]),
    "rect count": lambda r: r.log_rect("x", [1, 2, 3]),
    "annotation id": lambda r: r.log_annotation_context("x", [(70000, "big")]),
    "view coordinates": lambda r: r.log_view_coordinates("x", xyz="XYZ"),
    "annotation entry": lambda r: r.log_annotation_context("x", [object()]),
    "not an archetype": lambda r: r.log("x", 42),
}


@pytest.mark.parametrize("what", sorted(INVALID))
def test_invalid_input_raises_in_strict_mode_and_warns_otherwise(what):
    call = INVALID[what]
    rec = rr.new_recording(application_id="invalid")
    mem = rec.memory_recording()
    rr.set_strict_mode(True)
    with pytest.raises((ValueError, TypeError, OSError)):
        call(rec)
    rr.set_strict_mode(False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call(rec)
    assert len(caught) == 1 and issubclass(caught[0].category, rr.ReelWarning), [str(w.message) for w in caught]
    assert mem.num_msgs() == 1, "nothing but the store info"


def test_numpy_positions_are_not_copied():
    positions = np.random.rand(1000, 3).astype(np.float32)
    batch = rr.components.Position3DBatch(positions)
    values = batch.as_arrow_array().values
    assert values.buffers()[1].address == positions.ctypes.data, "the Arrow buffer is the numpy memory"
    # Tensors beyond 64 KiB are shared with numpy; smaller ones are copied natively.
    image = np.zeros((256, 256, 3), np.uint8)
    tensor = rr.components.TensorDataBatch(image).as_arrow_array()
    assert tensor.field("buffer").buffers()[2].address == image.ctypes.data
    small = np.arange(48, dtype=np.uint8).reshape(4, 4, 3)
    tensor = pa.array(rr.components.TensorDataBatch(small).as_arrow_array())
    assert tensor.field("buffer")[0].as_py() == small.tobytes()
    assert tensor.field("shape")[0].as_py() == [4, 4, 3]
    assert tensor.field("dtype")[0].as_py() == "u8"


def test_the_reel_command_is_installed():
    exe = Path(sys.executable).parent / "reel"
    out = subprocess.run([str(exe), "--version"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and out.stdout.strip() == f"reel {rr.__version__}"
    out = subprocess.run([str(exe), "verify", "/nonexistent.reel"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 2 and "cannot open" in out.stderr


def test_small_points_fast_path_matches_the_general_path():
    fast = row(lambda r: r.log_points("p", [[1, 2, 3], [4, 5, 6]], radii=[0.5, 0.25]), "p")
    general = row(lambda r: r.log_points("p", [[1, 2, 3], [4, 5, 6]], radii=[0.5, 0.25], labels=["a", "b"]), "p")
    for name in ["reel.components.Position3D", "reel.components.Radius", "reel.indicators.Points3D"]:
        assert fast.column(name).type == general.column(name).type, name
        assert fast.column(name).to_pylist() == general.column(name).to_pylist(), name
    assert row(lambda r: r.log_points("p", [[1, 2]]), "p").column("reel.components.Position2D").to_pylist() == [[[1.0, 2.0]]]
    rec = rr.new_recording(application_id="fast")
    rr.set_strict_mode(True)
    with pytest.raises(ValueError, match="Radius"):
        rec.log_points("p", [[0, 0, 0]] * 3, radii=[1.0, 2.0])


BATCH_SAMPLES = {
    "Position2DBatch": [[1, 2]],
    "Position3DBatch": [[1, 2, 3]],
    "Vector2DBatch": [[1, 2]],
    "Vector3DBatch": [[1, 2, 3]],
    "HalfSizes2DBatch": [[1, 2]],
    "HalfSizes3DBatch": [[1, 2, 3]],
    "Normal3DBatch": [[0, 0, 1]],
    "TexCoord2DBatch": [[0.5, 0.5]],
    "Translation3DBatch": [[1, 2, 3]],
    "Scale3DBatch": [[1, 1, 1]],
    "RotationQuatBatch": [[0, 0, 0, 1]],
    "Mat3x3Batch": np.eye(3),
    "Mat4x4Batch": np.eye(4),
    "PinholeProjectionBatch": np.eye(3),
    "ResolutionBatch": [[640, 480]],
    "TriangleIndicesBatch": [[0, 1, 2]],
    "ViewCoordinatesBatch": [[3, 2, 5]],
    "ColorBatch": [[1, 2, 3]],
    "AlbedoFactorBatch": [[1, 2, 3]],
    "RadiusBatch": [0.5],
    "DrawOrderBatch": [1.0],
    "DepthMeterBatch": [1000.0],
    "ScalarBatch": [1.0],
    "ClassIdBatch": [1],
    "KeypointIdBatch": [2],
    "InstanceKeyBatch": [3],
    "TextBatch": ["a"],
    "TextLogLevelBatch": ["INFO"],
    "MediaTypeBatch": ["image/png"],
    "BlobBatch": [b"\x00\x01"],
    "TransformFromParentBatch": [True],
    "DisconnectedSpaceBatch": [True],
    "ClearIsRecursiveBatch": [False],
    "ScalarScatteredBatch": [True],
    "LineStrip2DBatch": [[[0, 0], [1, 1]]],
    "LineStrip3DBatch": [[[0, 0, 0], [1, 1, 1]]],
    "TensorDataBatch": np.zeros((2, 2), np.uint8),
    "ClassDescriptionBatch": [rr.ClassDescription(rr.AnnotationInfo(1, "a"))],
}


@pytest.mark.parametrize("name", sorted(BATCH_SAMPLES))
def test_every_batch_class_has_the_rust_arrow_type(name):
    batch = getattr(rr.components, name)(BATCH_SAMPLES[name])
    rec = rr.new_recording(application_id="types")
    mem = rec.memory_recording()
    # Strict: the extension refuses a built-in component whose Arrow type differs from Rust's.
    rec.log_components("e", [batch], strict=True)
    assert mem.num_msgs() == 2


def test_rotation_axis_angle_batch_has_the_rust_arrow_type():
    rec = rr.new_recording(application_id="types")
    mem = rec.memory_recording()
    rec.log_components("e", [rr.components.RotationAxisAngleBatch([[0, 0, 1]], [1.0])], strict=True)
    assert mem.num_msgs() == 2


def test_every_builtin_component_has_a_batch_class():
    names = {getattr(rr.components, n)._NAME for n in rr.components.__all__ if n.endswith("Batch") and n != "IndicatorBatch"}
    assert len(names) == 39, sorted(names)


def test_native_conversion_agrees_with_the_pyarrow_path(monkeypatch):
    """Small values are converted in Rust; numpy beyond a size goes through pyarrow. Both
    must give the same arrays for every accepted form."""
    c = rr.components
    red = 0xFF0000FF
    cases = [
        (c.Position3DBatch, [[1, 2, 3], [4.5, 5, 6]]),
        (c.Position3DBatch, [1, 2, 3]),
        (c.Position3DBatch, (1.5, 2, 3)),
        (c.Position3DBatch, np.ones((4, 3), dtype=np.float64)),
        (c.Position3DBatch, [np.ones(3), np.zeros(3)]),
        (c.Position3DBatch, []),
        (c.Position2DBatch, [[1, 2]]),
        (c.Vector3DBatch, np.arange(6, dtype=np.int32).reshape(2, 3)),
        (c.RadiusBatch, 0.5),
        (c.RadiusBatch, [1, 2]),
        (c.RadiusBatch, np.float32(2)),
        (c.ScalarBatch, 1),
        (c.DrawOrderBatch, 2.0),
        (c.ClassIdBatch, [1, 2]),
        (c.ClassIdBatch, np.array([3], dtype=np.int64)),
        (c.KeypointIdBatch, 7),
        (c.InstanceKeyBatch, [2**40]),
        (c.TriangleIndicesBatch, [[0, 1, 2], [2, 3, 0]]),
        (c.ViewCoordinatesBatch, [1, 2, 3]),
        (c.HalfSizes3DBatch, [[0.5, 0.5, 0.5]]),
        (c.RotationQuatBatch, [0, 0, 0, 1]),
        (c.TransformFromParentBatch, [True]),
        (c.ColorBatch, red),
        (c.ColorBatch, [red, 0x00FF00FF]),
        (c.ColorBatch, np.array([red], dtype=np.uint32)),
        (c.ColorBatch, [255, 0, 0]),
        (c.ColorBatch, [[255, 0, 0, 128], [0, 0, 255, 255]]),
        (c.ColorBatch, [0.5, 0.25, 1.0]),
        (c.ColorBatch, np.array([[0.0, 1.0, 0.5, 1.0]])),
        (c.ColorBatch, [[1.0, 0.0, 0.0], [0, 128, 255]]),
        (c.ColorBatch, [[np.nan, 2.0, -1.0]]),
        (c.ColorBatch, np.array([[255, 0, 0]], dtype=np.uint8)),
    ]
    natives = [cls(value) for cls, value in cases]
    assert all(isinstance(n._array, rr._reel.NativeBatch) for n in natives), "small values go native"
    monkeypatch.setattr(c, "_NATIVE_MAX_ELEMENTS", -1)
    for (cls, value), native in zip(cases, natives):
        reference = cls(np.asarray(value) if not isinstance(value, np.ndarray) else value)
        assert isinstance(reference._array, pa.Array), "numpy beyond the size goes through pyarrow"
        got, want = native.as_arrow_array(), reference.as_arrow_array()
        assert got.type == want.type and got.equals(want), f"{cls.__name__}({value!r}): {got} != {want}"
        assert len(native) == len(want)
    # Line strips: lists of rows (or flat numbers), natively; lists of big arrays through pyarrow.
    strips = [
        (c.LineStrip3DBatch, [[[0, 0, 0], [1, 1, 1]], [[2, 2, 2]]]),
        (c.LineStrip3DBatch, [[0, 0, 0, 1, 1, 1]]),
        (c.LineStrip3DBatch, [np.zeros((2, 3)), []]),
        (c.LineStrip2DBatch, [[[0, 1], [2, 3], [4, 5]]]),
    ]
    natives = [cls(value) for cls, value in strips]
    monkeypatch.setattr(c, "_NATIVE_MAX_ELEMENTS", -1)
    for (cls, value), native in zip(strips, natives):
        reference = cls([np.asarray(s, dtype=np.float32) for s in value])
        got, want = native.as_arrow_array(), reference.as_arrow_array()
        assert got.type == want.type and got.equals(want), f"{cls.__name__}({value!r}): {got} != {want}"
    monkeypatch.undo()
    with pytest.raises(ValueError):
        c.LineStrip3DBatch([[[0, 0], [1, 1]]])
    # A few rectangles are computed in plain floats, many with numpy: the same boxes, and
    # the right ones in every format.
    rects = [[1.0, 2.0, 4.0, 8.0], [-3.0, 5.0, 2.0, -6.0]]
    expected = {  # center and half size of [1, 2, 4, 8]
        rr.RectFormat.XYWH: ([3, 6], [2, 4]),
        rr.RectFormat.YXHW: ([6, 3], [4, 2]),
        rr.RectFormat.XYXY: ([2.5, 5], [1.5, 3]),
        rr.RectFormat.YXYX: ([5, 2.5], [3, 1.5]),
        rr.RectFormat.XCYCWH: ([1, 2], [2, 4]),
        rr.RectFormat.XCYCW2H2: ([1, 2], [4, 8]),
    }
    assert set(expected) == set(rr.RectFormat)
    for fmt in rr.RectFormat:
        small = row(lambda rec: rec.log_rects("r", rects, rect_format=fmt), "r")
        big = row(lambda rec: rec.log_rects("r", np.array(rects * 40), rect_format=fmt), "r")
        for i, component in enumerate(("reel.components.Position2D", "reel.components.HalfSizes2D")):
            a = small.column(component).to_pylist()[0]
            b = big.column(component).to_pylist()[0][:2]
            assert np.allclose(a, b), (fmt, component, a, b)
            assert a[0] == expected[fmt][i], (fmt, component, a[0])
    # The same errors as the pyarrow path: type errors for the wrong kind of value, value
    # errors for the wrong shape or range.
    bad = [
        (c.ClassIdBatch, [1.5], TypeError),
        (c.TriangleIndicesBatch, [[0.0, 1.0, 2.0]], TypeError),
        (c.Position3DBatch, [[1, 2]], ValueError),
        (c.Position3DBatch, [1, 2], ValueError),
        (c.RadiusBatch, [[1.0]], ValueError),
        (c.RadiusBatch, ["a"], TypeError),
        (c.TextBatch, [1], TypeError),
        (c.TransformFromParentBatch, [1], TypeError),
        (c.ColorBatch, [[300, 0, 0]], ValueError),
        (c.ColorBatch, [[1, 2]], ValueError),
        (c.ColorBatch, [-1], ValueError),
        (c.ClassIdBatch, [70000], ValueError),
    ]
    for cls, value, error in bad:
        with pytest.raises(error):
            cls(value)


def _plain(value):
    """numpy values as the lists and numbers a user would write instead."""
    if isinstance(value, (np.ndarray, np.generic)):
        return value.tolist()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def test_log_calls_give_the_same_rows_from_plain_values_and_from_arrays():
    """A log call converts plain values in one native call (`_reel.Parts`) and hands numpy
    values to the Python batch classes: both must log the same row."""
    f32, u8 = np.float32, np.uint8
    pts = np.array([[1, 2, 3], [4, 5, 6]], f32)
    colors = np.array([[255, 0, 0], [0, 255, 0]], u8)
    calls = [
        ("log_points", (pts,), dict(colors=colors, radii=np.array([0.5, 0.25], f32), labels=["a", "b"],
                                     class_ids=np.array([1, 2]), keypoint_ids=np.array([3, 4]),
                                     identifiers=np.array([7, 8]), draw_order=f32(2))),
        ("log_points", (pts[:, :2],), dict(colors=np.array([255, 0, 0, 128], u8))),
        ("log_points", (None,), dict(colors=colors)),
        ("log_rects", (np.array([[0, 0, 2, 4], [1, 1, 2, 2]], f32),), dict(colors=colors, labels=["a", "b"],
                                                                        class_ids=np.array([1, 2]), draw_order=f32(1))),
        ("log_obbs", (), dict(half_sizes=pts, positions=pts, rotations_q=np.array([[0, 0, 0, 1]] * 2, f32),
                              colors=colors, stroke_widths=np.array([0.5, 1.0], f32), labels=["a", "b"])),
        ("log_obbs", (), dict(positions=pts)),
        ("log_line_strips_3d", ([pts, pts[:1]],), dict(colors=colors, stroke_widths=np.array([1.0, 2.0], f32))),
        ("log_line_strips_2d", ([pts[:, :2]],), dict(draw_order=f32(3))),
        ("log_line_segments", (pts[:2],), dict(color=np.array([0, 0, 255], u8), stroke_width=f32(0.5))),
        ("log_arrow", (np.zeros(3, f32), np.ones(3, f32)), dict(color=np.array([255, 0, 0], u8), label="up",
                                                                 width_scale=f32(0.2))),
        ("log_arrow", (np.zeros(3, f32),), dict()),
        ("log_scalar", (np.float64(2.5),), dict(label="speed", color=np.array([255, 0, 0], u8), radius=f32(2),
                                                scattered=np.bool_(True))),
        ("log_text_entry", ("hello",), dict(level="WARN", color=np.array([0, 255, 0], u8))),
        ("log_points", (pts,), dict(ext={"confidence": np.array([0.5, 0.25]), "track": np.array([3, 4]),
                                         "seen": np.array([True, False]), "name": np.array(["a", "b"]),
                                         "weight": np.float64(2.0)})),
        ("log_rect", (np.array([0, 0, 2, 4], f32),), dict(color=np.array([255, 0, 0], u8), label="car")),
        ("log_line_strip", (pts,), dict(color=np.array([0, 0, 255], u8), stroke_width=f32(0.5))),
        ("log_pinhole", (), dict(child_from_parent=np.array([[500, 0, 320], [0, 400, 240], [0, 0, 1]], f32),
                                 width=640, height=480, camera_xyz="RDF")),
        ("log_mesh", (np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0], [1, 1, 0]], f32),),
         dict(indices=np.array([[0, 1, 2], [2, 1, 3]]), albedo_factor=np.array([255, 0, 0, 255], u8),
              normals=np.array([[0, 0, 1]] * 4, f32), vertex_colors=colors[:1])),
        ("log_mesh", (np.array([0, 0, 0, 1, 0, 0, 0, 1, 0], f32),), dict(indices=np.array([0, 1, 2]))),
    ]
    for name, args, kwargs in calls:
        arrays = row(lambda r: getattr(r, name)("e", *args, **kwargs), "e")
        plain = row(lambda r: getattr(r, name)("e", *_plain(list(args)), **{k: _plain(v) for k, v in kwargs.items()}), "e")
        columns = sorted(c for c in arrays.column_names if c.startswith("reel."))
        assert columns == sorted(c for c in plain.column_names if c.startswith("reel.")), name
        assert any(c.startswith("reel.components.") for c in columns), name
        for column in columns:
            a, p = arrays.column(column), plain.column(column)
            assert a.type == p.type, (name, column)
            assert a.to_pylist() == p.to_pylist(), (name, column)


def test_parts_refuse_the_wrong_number_of_values():
    rec = rr.new_recording(application_id="parts")
    parts = rr._log._parts("Points3D", rr.components.Position3DBatch, rr.components.ColorBatch)
    assert len(parts) == 2
    with pytest.raises(ValueError, match="expected 2 values, got 1"):
        rec._handle.log_parts("p", parts, ([[1, 2, 3]],), None, False)


def test_transforms_log_every_part():
    t = row(lambda r: r.log_transform3d("t", rr.TranslationAndMat3([1, 2, 3], np.eye(3))), "t")
    assert value(t, "Translation3D") == [[[1.0, 2.0, 3.0]]]
    assert value(t, "Mat3x3") == [[np.eye(3).reshape(-1).tolist()]]
    assert "reel.indicators.Transform3D" in t.column_names
    assert "reel.components.TransformFromParent" not in t.column_names
    q = row(lambda r: r.log_transform3d("t", rr.Rigid3D(rr.Translation3D([0, 0, 1]), rr.Quaternion([0, 0, 0, 1])), from_parent=True), "t")
    assert value(q, "Translation3D") == [[[0.0, 0.0, 1.0]]]
    assert value(q, "RotationQuat") == [[[0.0, 0.0, 0.0, 1.0]]]
    assert value(q, "TransformFromParent") == [[True]]
    with pytest.raises(TypeError, match="rotation"):
        row(lambda r: r.log_transform3d("t", rr.Rigid3D([0, 0, 0], "a quarter turn")), "t")


def test_small_tensors_and_matrices_agree_with_the_pyarrow_path(monkeypatch):
    """Small tensors and plain matrices are converted natively: the same arrays as the
    pyarrow path, for every element type."""
    c = rr.components
    tensors = [np.arange(n, dtype=dtype).reshape(shape) for n, dtype, shape in [
        (12, np.uint8, (2, 2, 3)), (6, np.uint16, (2, 3)), (4, np.int8, (4,)), (4, np.int64, (2, 2)),
        (8, np.float16, (2, 4)), (9, np.float32, (3, 3)), (2, np.float64, (2,)), (6, np.uint64, (1, 6)),
    ]]
    tensors += [np.zeros((2, 2), ">f4"), np.arange(6, dtype=np.int32).reshape(2, 3).T, np.array([True, False])]
    natives = [c.TensorDataBatch(t).as_arrow_array() for t in tensors]
    named = c.TensorDataBatch(tensors[0], names=["h", "w", "c"]).as_arrow_array()
    monkeypatch.setattr(c, "_NATIVE_TENSOR_BYTES", -1)
    for tensor, native in zip(tensors, natives):
        want = c.TensorDataBatch(tensor).as_arrow_array()
        got = pa.array(native)
        assert got.type == want.type and got.equals(want), (tensor.dtype, got, want)
    want = c.TensorDataBatch(tensors[0], names=["h", "w", "c"]).as_arrow_array()
    assert pa.array(named).equals(want)
    monkeypatch.undo()
    with pytest.raises(TypeError):
        c.TensorDataBatch(np.array(["a"]))
    # Row-major matrices: plain lists natively, numpy through pyarrow; the same columns.
    m3 = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    m4 = [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [13, 14, 15, 16]]
    for cls, plain in [(c.Mat3x3Batch, m3), (c.PinholeProjectionBatch, m3), (c.Mat4x4Batch, m4)]:
        got = pa.array(cls(plain).as_arrow_array())
        want = cls(np.array(plain, np.float32)).as_arrow_array()
        assert got.type == want.type and got.equals(want), cls.__name__
        assert got.to_pylist()[0][:3] == [1.0, float(len(plain) + 1), float(2 * len(plain) + 1)], "column-major"
    many = cls([m4, m4]).as_arrow_array()
    assert len(many) == 2


def test_annotation_contexts_and_bad_ids():
    ctx = [rr.ClassDescription(info=(1, "person", [255, 0, 0]), keypoint_annotations=[(0, "nose"), (1, "eye", 0x00FF00FF)],
                               keypoint_connections=[(0, 1)]), (2, "car"), 3,
           rr.AnnotationInfo(4, "tree", [0.0, 1.0, 0.0]), (5, None, np.array([0, 0, 255, 128], np.uint8))]
    t = row(lambda r: r.log_annotation_context("a", ctx), "a")
    (classes,) = value(t, "ClassDescription")
    assert classes[0]["info"] == {"id": 1, "label": "person", "color": 0xFF0000FF}
    assert [k["label"] for k in classes[0]["keypoint_annotations"]] == ["nose", "eye"]
    assert classes[0]["keypoint_annotations"][1]["color"] == 0x00FF00FF
    assert classes[0]["keypoint_connections"] == [[0, 1]]
    assert classes[1]["info"] == {"id": 2, "label": "car", "color": None} and classes[2]["info"]["id"] == 3
    assert classes[3]["info"]["color"] == 0x00FF00FF and classes[4]["info"]["color"] == 0x0000FF80
    rr.set_strict_mode(True)
    rec = rr.new_recording(application_id="ctx")
    for bad in [[(70000, "big")], [rr.ClassDescription(info=1, keypoint_connections=[(0, -1)])], [(1, 2)],
                [(1, "two colors", [[255, 0, 0], [0, 255, 0]])], [(1, "bad color", [300, 0, 0])]]:
        with pytest.raises((ValueError, TypeError)):
            rec.log_annotation_context("a", bad)


def test_module_functions_follow_the_default_recording():
    """Module-level functions remember the default recording per thread until a default
    is replaced anywhere."""
    first, second = rr.new_recording(application_id="first"), rr.new_recording(application_id="second")
    mems = {"first": first.memory_recording(), "second": second.memory_recording()}
    previous = rr.set_global_data_recording(first)
    try:
        rr.log_scalar("s", 1.0)
        rr.set_global_data_recording(second)
        rr.log_scalar("s", 2.0)
        with first:
            rr.log_scalar("s", 3.0)
        rr.log_scalar("s", 4.0)
        seen = []
        worker = threading.Thread(target=lambda: (rr.log_scalar("s", 5.0), seen.append(rr.get_data_recording())))
        worker.start()
        worker.join()
        assert seen == [second]
    finally:
        rr.set_global_data_recording(previous)
    values = {
        name: [v[0] for v in rr.load_recording(mem.drain_as_bytes()).to_arrow("s").column("reel.components.Scalar").to_pylist()]
        for name, mem in mems.items()
    }
    assert values == {"first": [1.0, 3.0], "second": [2.0, 4.0, 5.0]}


def test_module_level_warnings_point_at_the_caller():
    rec = rr.new_recording(application_id="warn")
    rec.memory_recording()
    previous = rr.set_global_data_recording(rec)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            rr.log_rect("r", [1, 2, 3])
        assert len(caught) == 1 and caught[0].filename == __file__, [(w.filename, str(w.message)) for w in caught]
        rr.set_strict_mode(True)
        with pytest.raises(ValueError):
            rr.log_rect("r", [1, 2, 3])
    finally:
        rr.set_global_data_recording(previous)
