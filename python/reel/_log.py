"""The reference-era log_* family as methods of `RecordingStream` (module-level twins are
generated in `reel/__init__.py`), with the enums and helper types their parameters use.

Each method turns array-likes into component batches plus the archetype's indicator and
logs them as one row. Bad input raises ``ValueError``/``TypeError`` in strict mode and warns
once (logging nothing) otherwise.
"""

from __future__ import annotations

import enum
import functools
import math
import os
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Sequence

import numpy as np

from . import _reel
from . import components as c

__all__ = [
    "AnnotationInfo",
    "ClassDescription",
    "ImageFormat",
    "LogLevel",
    "MeshFormat",
    "Quaternion",
    "RectFormat",
    "Rigid3D",
    "RotationAxisAngle",
    "TranslationAndMat3",
    "TranslationRotationScale3D",
]


class RectFormat(enum.Enum):
    """How the four numbers of a rectangle are laid out."""

    XYWH = "XYWH"
    """[x, y, w, h], x and y the corner with the smallest coordinates."""
    YXHW = "YXHW"
    """[y, x, h, w]."""
    XYXY = "XYXY"
    """[x0, y0, x1, y1]: two opposite corners."""
    YXYX = "YXYX"
    """[y0, x0, y1, x1]."""
    XCYCWH = "XCYCWH"
    """[center x, center y, w, h]."""
    XCYCW2H2 = "XCYCW2H2"
    """[center x, center y, w/2, h/2]."""


class MeshFormat(enum.Enum):
    """Mesh file formats."""

    GLB = "GLB"
    GLTF = "GLTF"
    OBJ = "OBJ"


class ImageFormat(enum.Enum):
    """Encoded image formats."""

    JPEG = "jpeg"
    PNG = "png"


class LogLevel:
    """Text log levels (plain strings: any string is accepted)."""

    CRITICAL = "CRITICAL"
    ERROR = "ERROR"
    WARN = "WARN"
    INFO = "INFO"
    DEBUG = "DEBUG"
    TRACE = "TRACE"


@dataclass
class Quaternion:
    """A rotation as a unit quaternion ``[x, y, z, w]``."""

    xyzw: Sequence[float]


@dataclass
class RotationAxisAngle:
    """A rotation about ``axis`` by ``degrees`` or ``radians`` (exactly one)."""

    axis: Sequence[float]
    degrees: Optional[float] = None
    radians: Optional[float] = None

    def angle_radians(self) -> float:
        if (self.degrees is None) == (self.radians is None):
            raise ValueError("RotationAxisAngle: give exactly one of degrees and radians")
        return float(np.deg2rad(self.degrees)) if self.degrees is not None else float(self.radians)


@dataclass
class TranslationAndMat3:
    """A translation and a 3x3 matrix (row-major)."""

    translation: Optional[Sequence[float]] = None
    mat3x3: Optional[Any] = None


@dataclass
class TranslationRotationScale3D:
    """Translation, rotation (Quaternion or RotationAxisAngle) and scale (one or three)."""

    translation: Optional[Sequence[float]] = None
    rotation: Optional[Any] = None
    scale: Optional[Any] = None


@dataclass
class Translation3D:
    """A translation ``[x, y, z]`` on its own."""

    xyz: Sequence[float]


@dataclass
class Scale3D:
    """A scale: one factor for all axes, or ``[x, y, z]``."""

    scale: Any


@dataclass
class Transform3D:
    """Any of the transform forms, as one value (unwrapped by `log_transform3d`)."""

    transform: Any


@dataclass
class Rigid3D:
    """A translation and a rotation."""

    translation: Optional[Sequence[float]] = None
    rotation: Optional[Any] = None


@dataclass
class AnnotationInfo:
    """The label and color of a class or keypoint id."""

    id: int
    label: Optional[str] = None
    color: Optional[Any] = None


@dataclass
class ClassDescription:
    """What a class id means: its info, keypoints and keypoint connections."""

    info: Any
    keypoint_annotations: Sequence[Any] = field(default_factory=list)
    keypoint_connections: Sequence[Sequence[int]] = field(default_factory=list)


def _info(value: Any) -> AnnotationInfo:
    if isinstance(value, AnnotationInfo):
        return value
    if isinstance(value, (int, np.integer)):
        return AnnotationInfo(int(value))
    if isinstance(value, (tuple, list)) and 1 <= len(value) <= 3:
        return AnnotationInfo(*value)
    raise TypeError(f"expected an AnnotationInfo, an id or (id, label[, color]), got {value!r}")


def _plain_info(value: Any) -> tuple:
    """An annotation info, an id or (id, label[, color]) as `_reel.class_descriptions`
    takes it."""
    if isinstance(value, (int, np.integer)):
        return (c._u16(value, "class id"), None, None)
    if isinstance(value, (tuple, list)) and 1 <= len(value) <= 3:
        id_, label, color = (*value, None, None)[:3]
        return (c._u16(id_, "class id"), label, color)
    return c._plain_info(_info(value))


def _plain_class(value: Any) -> tuple:
    """A class description (or just its info) as `_reel.class_descriptions` takes it."""
    if not isinstance(value, ClassDescription):
        return (_plain_info(value), [], [])
    return (
        _plain_info(value.info),
        [_plain_info(k) for k in value.keypoint_annotations],
        [c._keypoint_pair(pair) for pair in value.keypoint_connections],
    )


# Helpers of the package (`reel/__init__.py`), which imports this module before defining
# them; `_bind` hands them over once, so log calls do not import on every call.
_handle_bad_input: Callable[..., Any]
_ext_batches: Callable[..., Any]
_pairs: Callable[..., Any]
_repaired_path: Callable[..., Any]


def _bind(**helpers: Callable[..., Any]) -> None:
    globals().update(helpers)


# What a log function raises for bad input (see `_lenient`).
_BAD_INPUT = (ValueError, TypeError, OSError)


def _lenient(method: Callable[..., Any]) -> Callable[..., Any]:
    """Bad input: raise in strict mode, warn once (nothing logged) otherwise."""

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        if not self._handle.is_enabled():
            return None
        try:
            return method(self, *args, **kwargs)
        except _BAD_INPUT as e:
            return _handle_bad_input(e, None, stacklevel=4)

    wrapper._lenient_body = method  # type: ignore[attr-defined]  # for the module functions
    return wrapper


def _translation(t: Any) -> Any:
    """A transform's translation (a `Translation3D` or three numbers) as one row, if any."""
    if isinstance(t, Translation3D):
        t = t.xyz
    return None if t is None else [t]


def _add_scale(batches: list, s: Any) -> None:
    """A transform's scale (a `Scale3D`, one number or three), if any."""
    if isinstance(s, Scale3D):
        s = s.scale
    if s is not None:
        s = np.atleast_1d(np.asarray(s, dtype=np.float32))
        batches.append(c.Scale3DBatch([np.repeat(s, 3) if s.size == 1 else s]))


def _rotation(batches: list, r: Any) -> Any:
    """A transform's rotation: a `Quaternion` as one row of `xyzw` (returned), a
    `RotationAxisAngle` as a batch (added to `batches`), or none."""
    if isinstance(r, Quaternion):
        return [r.xyzw]
    if isinstance(r, RotationAxisAngle):
        batches.append(c.RotationAxisAngleBatch([r.axis], [r.angle_radians()]))
    elif r is not None:
        raise TypeError(f"rotation: expected Quaternion or RotationAxisAngle, got {type(r).__name__}")
    return None


def _fallback_pair(cls: type, value: Any) -> tuple:
    """How `_reel.Parts` converts a value it does not take natively (numpy and pyarrow
    arrays, batch objects): ``(component name, batch)``."""
    return _pairs((c.pair(cls, value),))[0]


def _parts(indicator: Optional[str], *classes: type, aligned: bool = True) -> Any:
    """The components of a log function, in the order it hands their values over (see
    `_reel.Parts`): one native call converts and logs them."""
    return _reel.Parts(indicator, list(classes), _fallback_pair, aligned)


_RECTS = _parts("Boxes2D", c.HalfSizes2DBatch, c.Position2DBatch, c.InstanceKeyBatch, c.ColorBatch, c.TextBatch, c.ClassIdBatch, c.DrawOrderBatch)
_OBB_STYLE = (c.Position3DBatch, c.RotationQuatBatch, c.ColorBatch, c.RadiusBatch, c.TextBatch, c.ClassIdBatch)
_OBBS = {True: _parts("Boxes3D", c.HalfSizes3DBatch, *_OBB_STYLE), False: _parts(None, c.HalfSizes3DBatch, *_OBB_STYLE)}
_STRIP_STYLE = (c.InstanceKeyBatch, c.RadiusBatch, c.ColorBatch, c.DrawOrderBatch)
# By indicator and the size of a point.
_STRIPS = {
    (name, width): _parts(name, c.LineStrip2DBatch if width == 2 else c.LineStrip3DBatch, *_STRIP_STYLE)
    for name, width in (("LineStrips2D", 2), ("LineStrips3D", 3), ("LineSegments3D", 2), ("LineSegments3D", 3))
}


class _PinholeColumns(c.ComponentBatchLike):
    """Pinhole intrinsics already flattened column-major (the stored layout), for `_PINHOLE`."""

    _NAME = c.PinholeProjectionBatch._NAME
    _KIND = _reel.BatchKind("f32x9")


_ANNOTATION_CONTEXT = _parts("AnnotationContext")
_MESH = _parts("Mesh3D", c.Position3DBatch, c.TriangleIndicesBatch, c.AlbedoFactorBatch, aligned=False)
# Images and tensors: the tensor itself is handed over as a batch (small ones are native).
_IMAGE = _parts("Image", c.DrawOrderBatch)
_DEPTH_IMAGE = _parts("DepthImage", c.DepthMeterBatch, c.DrawOrderBatch)
_SEGMENTATION_IMAGE = _parts("SegmentationImage", c.DrawOrderBatch)
_TENSOR = _parts("Tensor", c.DepthMeterBatch)
_PINHOLE = _parts("Pinhole", _PinholeColumns, c.ResolutionBatch, c.ViewCoordinatesBatch)
_TRANSFORM3D = _parts("Transform3D", c.Translation3DBatch, c.RotationQuatBatch, c.TransformFromParentBatch)
_ARROW_STYLE = (c.ColorBatch, c.TextBatch, c.RadiusBatch)
_ARROWS = {True: _parts("Arrows3D", c.Position3DBatch, c.Vector3DBatch, *_ARROW_STYLE), False: _parts(None, c.Position3DBatch, c.Vector3DBatch, *_ARROW_STYLE)}


def _half_or_none(widths: Any) -> Any:
    """Line widths as radii, if given."""
    return None if widths is None else _half(widths)


def _size(value: Any) -> int:
    """How many numbers a flat list holds, without numpy's conversion; else `np.size`."""
    if isinstance(value, (list, tuple)) and not any(isinstance(v, (list, tuple)) for v in value):
        return len(value)
    return int(np.size(value))


def _half(widths: Any) -> Any:
    """Line widths as radii."""
    if isinstance(widths, (int, float)):
        return widths / 2
    return np.asarray(widths, dtype=np.float32) / 2


# Center x, center y, half width, half height of rectangles in each format: of plain
# floats for a few rectangles, of numpy columns for many.
_RECT_CENTERS: dict = {
    RectFormat.XYWH: lambda x, y, w, h: (x + w / 2, y + h / 2, abs(w) / 2, abs(h) / 2),
    RectFormat.YXHW: lambda y, x, h, w: (x + w / 2, y + h / 2, abs(w) / 2, abs(h) / 2),
    RectFormat.XYXY: lambda x0, y0, x1, y1: ((x0 + x1) / 2, (y0 + y1) / 2, abs(x1 - x0) / 2, abs(y1 - y0) / 2),
    RectFormat.YXYX: lambda y0, x0, y1, x1: ((x0 + x1) / 2, (y0 + y1) / 2, abs(x1 - x0) / 2, abs(y1 - y0) / 2),
    RectFormat.XCYCWH: lambda x, y, w, h: (x, y, abs(w) / 2, abs(h) / 2),
    RectFormat.XCYCW2H2: lambda x, y, w2, h2: (x, y, abs(w2), abs(h2)),
}


def _rects_to_centers(rects: Any, fmt: RectFormat) -> tuple:
    fmt = RectFormat(fmt) if not isinstance(fmt, RectFormat) else fmt
    if isinstance(rects, (list, tuple)) and 0 < len(rects) <= 64:
        # A few rectangles: plain floats, no numpy round trips.
        rows = rects if isinstance(rects[0], (list, tuple, np.ndarray)) else [rects]
        if all(len(r) == 4 for r in rows):
            to_center = _RECT_CENTERS[fmt]
            centers, halves = [], []
            for r in rows:
                a, b, w, h = map(float, r)
                cx, cy, hw, hh = to_center(a, b, w, h)
                centers.append((cx, cy))
                halves.append((hw, hh))
            return centers, halves
    r = np.asarray(rects, dtype=np.float32)
    if r.ndim == 1 and r.size == 4:
        r = r.reshape(1, 4)
    if r.ndim != 2 or r.shape[1] != 4:
        raise ValueError(f"rects: expected shape (N, 4), got {r.shape}")
    cx, cy, hw, hh = _RECT_CENTERS[fmt](r[:, 0], r[:, 1], r[:, 2], r[:, 3])
    return np.stack([cx, cy], 1), np.stack([hw, hh], 1)


def _triangles(indices: Any, n: int) -> Any:
    """Triangle indices as (N, 3), each in 0..n: a short flat or nested list of ints as
    rows, anything else as an array."""
    if isinstance(indices, (list, tuple)) and 0 < len(indices) <= 768:
        flat = indices if not isinstance(indices[0], (list, tuple)) else [i for t in indices for i in t]
        if len(flat) % 3 == 0 and all(type(i) is int for i in flat):
            if min(flat) < 0 or max(flat) >= n:
                raise ValueError(f"mesh indices must be in 0..{n}, got {min(flat)}..{max(flat)}")
            return [flat[i : i + 3] for i in range(0, len(flat), 3)]
    idx = np.asarray(indices).reshape(-1, 3)
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        raise ValueError(f"mesh indices must be in 0..{n}, got {idx.min()}..{idx.max()}")
    return idx


def _matrix_rows(value: Any, n: int) -> list:
    """An (n, n) matrix as rows of floats."""
    if isinstance(value, (list, tuple)) and len(value) == n and all(
        isinstance(row, (list, tuple)) and len(row) == n for row in value
    ):
        return [[float(v) for v in row] for row in value]
    arr = np.asarray(value, dtype=np.float32)
    if arr.shape != (n, n):
        raise ValueError(f"expected a ({n}, {n}) matrix, got shape {arr.shape}")
    return arr.tolist()  # type: ignore[no-any-return]


def _point_rows(positions: Any) -> tuple:
    """Points of 2 or 3 numbers: a short plain list as it is (converted natively), anything
    else as an (N, 2|3) float32 array; and the size of a point."""
    if isinstance(positions, (list, tuple)) and positions and isinstance(positions[0], (list, tuple)):
        width = len(positions[0])
        if width in (2, 3) and _plain_rows(positions, width):
            return positions, width
    pos = np.asarray(positions, dtype=np.float32)
    if pos.ndim != 2 or pos.shape[1] not in (2, 3):
        raise ValueError(f"positions: expected shape (N, 2) or (N, 3), got {pos.shape}")
    return pos, pos.shape[1]


def _plain_rows(value: Any, width: int) -> bool:
    """Whether `value` is a short list (or tuple) of rows of `width` plain numbers or
    sequences; the native conversion checks the numbers themselves."""
    return (
        isinstance(value, (list, tuple))
        and 0 < len(value) <= 256
        and all(isinstance(row, (list, tuple)) and len(row) == width for row in value)
    )


def _image(image: Any, shapes: str, allowed: Callable[[tuple], bool]) -> np.ndarray:
    arr = np.asarray(image)
    if not allowed(arr.shape):
        raise ValueError(f"image: expected {shapes}, got shape {arr.shape}")
    return arr


class LogFamily:
    """The log_* methods of `RecordingStream`."""

    _handle: Any

    def _log_parts(
        self, entity_path: str, parts: Any, values: tuple, ext: Optional[dict], timeless: bool, batches: Sequence = ()
    ) -> None:
        """Logs one row of `parts` (see `_reel.Parts`) from the log function's argument
        values, and any further `batches`, in one native call."""
        extra = _pairs([*batches, *_ext_batches(ext)]) if batches or ext else None
        try:
            self._handle.log_parts(entity_path, parts, values, extra, timeless)
        except ValueError as e:
            self._handle.log_parts(_repaired_path(e, entity_path, None), parts, values, extra, timeless)

    def _log_row(self, entity_path: str, batches: list, ext: Optional[dict], timeless: bool, aligned: bool = True) -> None:
        pairs = _pairs(batches + _ext_batches(ext))
        try:
            self._handle.log_components(entity_path, pairs, None, timeless, aligned)
        except ValueError as e:
            self._handle.log_components(_repaired_path(e, entity_path, None), pairs, None, timeless, aligned)

    @_lenient
    def log_point(
        self,
        entity_path: str,
        position: Any = None,
        *,
        radius: Optional[float] = None,
        color: Any = None,
        label: Optional[str] = None,
        class_id: Optional[int] = None,
        keypoint_id: Optional[int] = None,
        draw_order: Optional[float] = None,
        ext: Optional[dict] = None,
        timeless: bool = False,
    ) -> None:
        """Logs one 2D or 3D point."""
        if position is not None and _size(position) not in (2, 3):
            raise ValueError(f"position: expected 2 or 3 numbers, got {np.shape(position)}")
        self.log_points(  # type: ignore[attr-defined]
            entity_path,
            None if position is None else [position],
            colors=color,
            radii=radius,
            labels=None if label is None else [label],
            class_ids=class_id,
            keypoint_ids=keypoint_id,
            draw_order=draw_order,
            ext=ext,
            timeless=timeless,
        )

    @_lenient
    def log_rects(
        self,
        entity_path: str,
        rects: Any,
        *,
        rect_format: RectFormat = RectFormat.XYWH,
        identifiers: Any = None,
        colors: Any = None,
        labels: Any = None,
        class_ids: Any = None,
        draw_order: Optional[float] = None,
        ext: Optional[dict] = None,
        timeless: bool = False,
    ) -> None:
        """Logs 2D rectangles (N, 4) in any `RectFormat`."""
        centers, half = _rects_to_centers(rects, rect_format)
        values = (half, centers, identifiers, colors, labels, class_ids, draw_order)
        self._log_parts(entity_path, _RECTS, values, ext, timeless)

    @_lenient
    def log_rect(
        self,
        entity_path: str,
        rect: Any,
        *,
        rect_format: RectFormat = RectFormat.XYWH,
        color: Any = None,
        label: Optional[str] = None,
        class_id: Optional[int] = None,
        draw_order: Optional[float] = None,
        ext: Optional[dict] = None,
        timeless: bool = False,
    ) -> None:
        """Logs one 2D rectangle."""
        if isinstance(rect, (list, tuple)) and len(rect) != 4:
            raise ValueError(f"rect: expected 4 numbers, got {np.shape(rect)}")
        centers, half = _rects_to_centers([rect], rect_format)
        values = (half, centers, None, color, None if label is None else [label], class_id, draw_order)
        self._log_parts(entity_path, _RECTS, values, ext, timeless)

    @_lenient
    def log_obbs(
        self,
        entity_path: str,
        *,
        half_sizes: Any = None,
        positions: Any = None,
        rotations_q: Any = None,
        colors: Any = None,
        stroke_widths: Any = None,
        labels: Any = None,
        class_ids: Any = None,
        ext: Optional[dict] = None,
        timeless: bool = False,
    ) -> None:
        """Logs oriented 3D boxes: half sizes (N, 3), centers, quaternion rotations."""
        values = (half_sizes, positions, rotations_q, colors, _half_or_none(stroke_widths), labels, class_ids)
        self._log_parts(entity_path, _OBBS[half_sizes is not None], values, ext, timeless)

    @_lenient
    def log_obb(
        self,
        entity_path: str,
        *,
        half_size: Any = None,
        position: Any = None,
        rotation_q: Any = None,
        color: Any = None,
        stroke_width: Optional[float] = None,
        label: Optional[str] = None,
        class_id: Optional[int] = None,
        ext: Optional[dict] = None,
        timeless: bool = False,
    ) -> None:
        """Logs one oriented 3D box."""
        self.log_obbs(
            entity_path,
            half_sizes=None if half_size is None else [half_size],
            positions=None if position is None else [position],
            rotations_q=None if rotation_q is None else [rotation_q],
            colors=color,
            stroke_widths=stroke_width,
            labels=None if label is None else [label],
            class_ids=class_id,
            ext=ext,
            timeless=timeless,
        )

    def _strips(
        self, entity_path: str, strips: list, width: int, identifiers: Any, stroke_widths: Any, colors: Any,
        draw_order: Any, ext: Optional[dict], timeless: bool, indicator: str,
    ) -> None:
        parts = _STRIPS[(indicator, width)]
        values = (strips, identifiers, _half_or_none(stroke_widths), colors, draw_order)
        self._log_parts(entity_path, parts, values, ext, timeless)

    @_lenient
    def log_line_strip(
        self,
        entity_path: str,
        positions: Any,
        *,
        stroke_width: Optional[float] = None,
        color: Any = None,
        draw_order: Optional[float] = None,
        ext: Optional[dict] = None,
        timeless: bool = False,
    ) -> None:
        """Logs one polyline: positions (N, 2) or (N, 3)."""
        pos, width = _point_rows(positions)
        kind = "LineStrips2D" if width == 2 else "LineStrips3D"
        self._strips(entity_path, [pos], width, None, stroke_width, color, draw_order, ext, timeless, kind)

    @_lenient
    def log_line_strips_2d(
        self,
        entity_path: str,
        line_strips: Any,
        *,
        identifiers: Any = None,
        stroke_widths: Any = None,
        colors: Any = None,
        draw_order: Optional[float] = None,
        ext: Optional[dict] = None,
        timeless: bool = False,
    ) -> None:
        """Logs 2D polylines: a list of (K, 2) arrays."""
        self._strips(entity_path, list(line_strips), 2, identifiers, stroke_widths, colors, draw_order, ext, timeless, "LineStrips2D")

    @_lenient
    def log_line_strips_3d(
        self,
        entity_path: str,
        line_strips: Any,
        *,
        identifiers: Any = None,
        stroke_widths: Any = None,
        colors: Any = None,
        draw_order: Optional[float] = None,
        ext: Optional[dict] = None,
        timeless: bool = False,
    ) -> None:
        """Logs 3D polylines: a list of (K, 3) arrays."""
        self._strips(entity_path, list(line_strips), 3, identifiers, stroke_widths, colors, draw_order, ext, timeless, "LineStrips3D")

    @_lenient
    def log_line_segments(
        self,
        entity_path: str,
        positions: Any,
        *,
        stroke_width: Optional[float] = None,
        color: Any = None,
        draw_order: Optional[float] = None,
        ext: Optional[dict] = None,
        timeless: bool = False,
    ) -> None:
        """Logs independent segments from pairs of points: 0-1, 2-3, ... ((2N, 2) or (2N, 3))."""
        pos, width = _point_rows(positions)
        if len(pos) % 2:
            raise ValueError(f"positions: expected an even number of points of 2 or 3 numbers, got {np.shape(pos)}")
        pairs = [pos[i : i + 2] for i in range(0, len(pos), 2)]
        self._strips(entity_path, pairs, width, None, stroke_width, color, draw_order, ext, timeless, "LineSegments3D")

    @_lenient
    def log_arrow(
        self,
        entity_path: str,
        origin: Any,
        vector: Any = None,
        *,
        color: Any = None,
        label: Optional[str] = None,
        width_scale: Optional[float] = None,
        ext: Optional[dict] = None,
        timeless: bool = False,
    ) -> None:
        """Logs one 3D arrow from ``origin`` along ``vector``."""
        values = ([origin], None if vector is None else [vector], color, label, _half_or_none(width_scale))
        self._log_parts(entity_path, _ARROWS[vector is not None], values, ext, timeless)

    @_lenient
    def log_mesh(
        self,
        entity_path: str,
        positions: Any,
        *,
        indices: Any = None,
        normals: Any = None,
        albedo_factor: Any = None,
        vertex_colors: Any = None,
        timeless: bool = False,
    ) -> None:
        """Logs a triangle mesh; without ``indices`` every three vertices form a triangle."""
        self._log_mesh(entity_path, positions, indices, normals, albedo_factor, vertex_colors, timeless)

    def _log_mesh(
        self, entity_path: str, positions: Any, indices: Any, normals: Any, albedo_factor: Any, vertex_colors: Any,
        timeless: bool,
    ) -> None:
        if _plain_rows(positions, 3):
            # A small mesh given as lists: checked here, converted natively.
            pos: Any = positions
            # One sum: NaN or infinity anywhere makes it non-finite.
            if not math.isfinite(sum(map(sum, positions))):
                raise ValueError("mesh positions contain a non-finite value")
        else:
            pos = np.asarray(positions, dtype=np.float32).reshape(-1, 3)
            if not np.isfinite(pos).all():
                raise ValueError("mesh positions contain a non-finite value")
        n = len(pos)
        triangles = None if indices is None else _triangles(indices, n)
        if indices is None and n % 3:
            raise ValueError(f"a mesh without indices needs a multiple of 3 vertices, got {n}")
        batches: list = []
        if normals is not None:
            nrm = np.asarray(normals, dtype=np.float32).reshape(-1, 3)
            if len(nrm) != n:
                raise ValueError(f"mesh has {n} vertices but {len(nrm)} normals")
            batches.append(c.Normal3DBatch(nrm))
        if vertex_colors is not None:
            colors = c.ColorBatch(vertex_colors)
            if len(colors) not in (1, n):
                raise ValueError(f"mesh has {n} vertices but {len(colors)} vertex colors")
            batches.append(colors)
        self._log_parts(entity_path, _MESH, (pos, triangles, albedo_factor), None, timeless, batches)

    @_lenient
    def log_meshes(
        self,
        entity_path: str,
        position_buffers: Sequence[Any],
        *,
        vertex_color_buffers: Optional[Sequence[Any]] = None,
        index_buffers: Optional[Sequence[Any]] = None,
        normal_buffers: Optional[Sequence[Any]] = None,
        albedo_factors: Optional[Sequence[Any]] = None,
        timeless: bool = False,
    ) -> None:
        """Logs several meshes (one row each, in order)."""
        count = len(position_buffers)
        for name, seq in [
            ("vertex_color_buffers", vertex_color_buffers),
            ("index_buffers", index_buffers),
            ("normal_buffers", normal_buffers),
            ("albedo_factors", albedo_factors),
        ]:
            if seq is not None and len(seq) != count:
                raise ValueError(f"{name}: expected {count} entries, got {len(seq)}")
        pick = lambda seq, i: None if seq is None else seq[i]  # noqa: E731
        for i, positions in enumerate(position_buffers):
            self._log_mesh(
                entity_path,
                positions,
                pick(index_buffers, i),
                pick(normal_buffers, i),
                pick(albedo_factors, i),
                pick(vertex_color_buffers, i),
                timeless,
            )

    @_lenient
    def log_mesh_file(
        self,
        entity_path: str,
        mesh_format: MeshFormat,
        *,
        mesh_bytes: Optional[bytes] = None,
        mesh_path: Optional[str] = None,
        transform: Any = None,
        timeless: bool = False,
    ) -> None:
        """Logs a glTF, GLB or OBJ file (from bytes or a path), validated and kept encoded;
        ``transform`` is an optional 3x4 affine matrix."""
        data = _bytes_or_path(mesh_bytes, mesh_path, "mesh")
        media = _reel.check_mesh_file(data, MeshFormat(mesh_format).value)
        batches = [c.BlobBatch(data), c.MediaTypeBatch(media), c.indicator("Asset3D")]
        if transform is not None:
            t = np.asarray(transform, dtype=np.float32)
            if t.shape != (3, 4):
                raise ValueError(f"transform: expected a 3x4 affine matrix, got {t.shape}")
            batches.append(c.Mat4x4Batch(np.vstack([t, [0, 0, 0, 1]])))
        self._log_row(entity_path, batches, None, timeless)

    @_lenient
    def log_image(
        self,
        entity_path: str,
        image: Any,
        *,
        draw_order: Optional[float] = None,
        ext: Optional[dict] = None,
        timeless: bool = False,
        jpeg_quality: Optional[int] = None,
    ) -> None:
        """Logs an image: HxW, HxWx1, HxWx3 or HxWx4; with ``jpeg_quality`` an 8-bit image
        is stored JPEG-encoded."""
        arr = _image(image, "HxW, HxWx1, HxWx3 or HxWx4", lambda s: len(s) == 2 or (len(s) == 3 and s[2] in (1, 3, 4)))
        if jpeg_quality is None:
            self._log_parts(entity_path, _IMAGE, (draw_order,), ext, timeless, (c.TensorDataBatch(arr),))
            return
        if arr.dtype != np.uint8 or (arr.ndim == 3 and arr.shape[2] not in (1, 3)):
            raise ValueError("jpeg_quality needs an 8-bit gray or RGB image")
        h, w = arr.shape[:2]
        channels = 1 if arr.ndim == 2 else arr.shape[2]
        data = _reel.encode_jpeg(np.ascontiguousarray(arr).tobytes(), h, w, channels, int(jpeg_quality))
        batches = [
            c.BlobBatch(data),
            c.MediaTypeBatch("image/jpeg"),
            c.ResolutionBatch([[w, h]]),
            c.indicator("EncodedImage"),
        ]
        if draw_order is not None:
            batches.append(c.DrawOrderBatch(draw_order))
        self._log_row(entity_path, batches, ext, timeless)

    @_lenient
    def log_image_file(
        self,
        entity_path: str,
        *,
        img_bytes: Optional[bytes] = None,
        img_path: Optional[str] = None,
        img_format: Optional[ImageFormat] = None,
        timeless: bool = False,
    ) -> None:
        """Logs a PNG or JPEG file (from bytes or a path), validated and kept encoded."""
        data = _bytes_or_path(img_bytes, img_path, "img")
        fmt = None if img_format is None else ImageFormat(img_format).value
        media, w, h = _reel.inspect_image_file(data, fmt)
        batches = [c.BlobBatch(data), c.MediaTypeBatch(media), c.ResolutionBatch([[w, h]]), c.indicator("EncodedImage")]
        self._log_row(entity_path, batches, None, timeless)

    @_lenient
    def log_depth_image(
        self,
        entity_path: str,
        image: Any,
        *,
        draw_order: Optional[float] = None,
        meter: Optional[float] = None,
        ext: Optional[dict] = None,
        timeless: bool = False,
    ) -> None:
        """Logs a depth image (HxW); ``meter`` is how many units make a meter."""
        arr = _image(image, "HxW or HxWx1", lambda s: len(s) == 2 or (len(s) == 3 and s[2] == 1))
        self._log_parts(entity_path, _DEPTH_IMAGE, (meter, draw_order), ext, timeless, (c.TensorDataBatch(arr),))

    @_lenient
    def log_segmentation_image(
        self,
        entity_path: str,
        image: Any,
        *,
        draw_order: Optional[float] = None,
        ext: Optional[dict] = None,
        timeless: bool = False,
    ) -> None:
        """Logs an image of integer class ids (HxW)."""
        arr = _image(image, "HxW or HxWx1", lambda s: len(s) == 2 or (len(s) == 3 and s[2] == 1))
        if arr.dtype.kind not in "iu":
            raise TypeError(f"segmentation image: expected integer class ids, got {arr.dtype}")
        self._log_parts(entity_path, _SEGMENTATION_IMAGE, (draw_order,), ext, timeless, (c.TensorDataBatch(arr),))

    @_lenient
    def log_tensor(
        self,
        entity_path: str,
        tensor: Any,
        *,
        names: Optional[Sequence[str]] = None,
        meter: Optional[float] = None,
        ext: Optional[dict] = None,
        timeless: bool = False,
    ) -> None:
        """Logs a tensor of any shape, with optional dimension names."""
        self._log_parts(entity_path, _TENSOR, (meter,), ext, timeless, (c.TensorDataBatch(tensor, names),))

    @_lenient
    def log_transform3d(
        self,
        entity_path: str,
        transform: Any,
        *,
        from_parent: bool = False,
        timeless: bool = False,
    ) -> None:
        """Logs a transform to the parent space (or from it, with ``from_parent``):
        TranslationAndMat3, TranslationRotationScale3D, Rigid3D, Translation3D, Scale3D,
        RotationAxisAngle, Quaternion, or any of them in a Transform3D."""
        batches: list = []
        translation = rotation = None
        while isinstance(transform, Transform3D):
            transform = transform.transform
        if isinstance(transform, (Quaternion, RotationAxisAngle)):
            rotation = _rotation(batches, transform)
        elif isinstance(transform, Translation3D):
            translation = _translation(transform)
        elif isinstance(transform, Scale3D):
            _add_scale(batches, transform)
        elif isinstance(transform, TranslationAndMat3):
            translation = _translation(transform.translation)
            if transform.mat3x3 is not None:
                batches.append(c.Mat3x3Batch(transform.mat3x3))
        elif isinstance(transform, (TranslationRotationScale3D, Rigid3D)):
            translation = _translation(transform.translation)
            rotation = _rotation(batches, transform.rotation)
            _add_scale(batches, getattr(transform, "scale", None))
        else:
            raise TypeError(f"unsupported transform {type(transform).__name__}")
        values = (translation, rotation, True if from_parent else None)
        self._log_parts(entity_path, _TRANSFORM3D, values, None, timeless, batches)

    @_lenient
    def log_rigid3(
        self,
        entity_path: str,
        *,
        parent_from_child: Any = None,
        child_from_parent: Any = None,
        xyz: str = "",
        right_handed: Optional[bool] = None,
        timeless: bool = False,
    ) -> None:
        """The older rigid transform: ``(translation, quaternion_xyzw)`` as
        ``parent_from_child`` or ``child_from_parent`` (exactly one), and optionally the
        entity's axis convention ``xyz`` (e.g. "RDF")."""
        if (parent_from_child is None) == (child_from_parent is None):
            raise ValueError("log_rigid3: give exactly one of parent_from_child and child_from_parent")
        t, q = parent_from_child if parent_from_child is not None else child_from_parent
        self.log_transform3d(
            entity_path,
            Rigid3D(translation=t, rotation=Quaternion(xyzw=q)),
            from_parent=child_from_parent is not None,
            timeless=timeless,
        )
        if xyz:
            self.log_view_coordinates(entity_path, xyz=xyz, right_handed=right_handed, timeless=timeless)

    @_lenient
    def log_pinhole(
        self,
        entity_path: str,
        *,
        width: int,
        height: int,
        focal_length_px: Any = None,
        principal_point_px: Any = None,
        child_from_parent: Any = None,
        camera_xyz: Optional[str] = None,
        timeless: bool = False,
    ) -> None:
        """Logs a pinhole camera: resolution, and focal length (one or [fx, fy]) with an
        optional principal point (default: the center), or the full 3x3
        ``child_from_parent`` matrix; ``camera_xyz`` is its axis convention (e.g. "RDF")."""
        if child_from_parent is not None:
            m = _matrix_rows(child_from_parent, 3)
        else:
            if focal_length_px is None:
                raise ValueError("log_pinhole needs focal_length_px or child_from_parent")
            if isinstance(focal_length_px, (int, float)):
                fx = fy = float(focal_length_px)
            else:
                f = np.atleast_1d(np.asarray(focal_length_px, dtype=np.float32))
                fx, fy = (float(f[0]), float(f[0])) if f.size == 1 else (float(f[0]), float(f[1]))
            cx, cy = (width / 2, height / 2) if principal_point_px is None else map(float, principal_point_px)
            m = [[fx, 0.0, cx], [0.0, fy, cy], [0.0, 0.0, 1.0]]
        if not all(math.isfinite(v) for row in m for v in row) or m[0][0] == 0 or m[1][1] == 0:
            raise ValueError("pinhole: the intrinsics need finite, non-zero focal lengths")
        columns = [m[0][0], m[1][0], m[2][0], m[0][1], m[1][1], m[2][1], m[0][2], m[1][2], m[2][2]]
        axes = None if camera_xyz is None else [list(_reel.view_coordinates(camera_xyz, "", None))]
        self._log_parts(entity_path, _PINHOLE, ([columns], [[width, height]], axes), None, timeless)

    @_lenient
    def log_view_coordinates(
        self,
        entity_path: str,
        *,
        xyz: str = "",
        up: str = "",
        right_handed: Optional[bool] = None,
        timeless: bool = False,
    ) -> None:
        """Logs what this space's axes mean: ``xyz`` like "RDF", or an ``up`` axis like "+Z"
        with handedness (default right-handed)."""
        codes = list(_reel.view_coordinates(xyz, up, right_handed))
        self._log_row(entity_path, [c.ViewCoordinatesBatch([codes]), c.indicator("ViewCoordinates")], None, timeless)

    @_lenient
    def log_disconnected_space(self, entity_path: str, *, timeless: bool = False) -> None:
        """Cuts this entity's space off from its parent's."""
        self._log_row(entity_path, [c.DisconnectedSpaceBatch(True), c.indicator("DisconnectedSpace")], None, timeless)

    @_lenient
    def log_annotation_context(
        self,
        entity_path: str,
        class_descriptions: Any,
        *,
        timeless: bool = True,
    ) -> None:
        """Logs what class ids (and their keypoints) mean at this entity and below. Each
        entry is a ClassDescription, an AnnotationInfo, an id, or (id, label[, color])."""
        items = [class_descriptions] if isinstance(class_descriptions, (ClassDescription, AnnotationInfo)) else list(class_descriptions)
        batch = _reel.class_descriptions([_plain_class(d) for d in items])
        self._log_parts(entity_path, _ANNOTATION_CONTEXT, (), None, timeless, ((c.ClassDescriptionBatch._NAME, batch),))

    @_lenient
    def log_cleared(self, entity_path: str, *, recursive: bool = False) -> None:
        """Clears the entity from now on (with ``recursive``, everything below it too)."""
        self._log_row(entity_path, [c.ClearIsRecursiveBatch(bool(recursive)), c.indicator("Clear")], None, False)

    @_lenient
    def log_extension_components(
        self,
        entity_path: str,
        ext: dict,
        *,
        identifiers: Any = None,
        timeless: bool = False,
    ) -> None:
        """Logs user components ``{name: array-like}`` with optional instance ids."""
        batches = [] if identifiers is None else [c.InstanceKeyBatch(identifiers)]
        self._log_row(entity_path, batches, ext, timeless)

    @_lenient
    def log(self, entity_path: str, archetype: Any) -> None:
        """Logs any archetype-like object: one with ``as_component_batches()`` returning
        component batches (and optionally ``instance_aligned = False``)."""
        if not hasattr(archetype, "as_component_batches"):
            raise TypeError(f"expected an archetype (as_component_batches()), got {type(archetype).__name__}")
        aligned = bool(getattr(archetype, "instance_aligned", True))
        self._log_row(entity_path, list(archetype.as_component_batches()), None, False, aligned)


def _bytes_or_path(data: Optional[bytes], path: Optional[Any], what: str) -> bytes:
    if (data is None) == (path is None):
        raise ValueError(f"give exactly one of {what}_bytes and {what}_path")
    if data is not None:
        return bytes(data)
    with open(os.fspath(path), "rb") as f:
        return f.read()
