"""Component batches for `reel.log_components`: one class per component, built from
array-likes (numpy arrays, lists, scalars).

Any object with the same protocol is accepted by `log_components` too: a
`component_name()` method and an `as_arrow_array()` method returning a pyarrow array. That
is how users log their own components.
"""

from __future__ import annotations

import sys
from typing import Any, Optional

import numpy as np
import pyarrow as pa

from . import _reel

__all__ = [
    "ComponentBatchLike",
    "ClassIdBatch",
    "ColorBatch",
    "DrawOrderBatch",
    "InstanceKeyBatch",
    "KeypointIdBatch",
    "Position2DBatch",
    "Position3DBatch",
    "RadiusBatch",
    "ScalarBatch",
    "TextBatch",
    "TextLogLevelBatch",
    "Vector3DBatch",
]


class ComponentBatchLike:
    """The protocol of a component batch: a name and an Arrow array of instances."""

    _NAME = ""
    # How `_reel` converts plain values of this component natively (None: it does not).
    _KIND: Optional[Any] = None  # a `_reel.BatchKind`

    def __init__(self, array: Any) -> None:
        # A pyarrow array, or a batch converted natively (`_reel.NativeBatch`), which
        # `log_components` takes as is and which becomes pyarrow only when asked.
        self._array = array

    def component_name(self) -> str:
        """The component's stable name, e.g. ``reel.components.Position3D``."""
        return self._NAME

    def as_arrow_array(self) -> pa.Array:
        """The instances as one Arrow array."""
        if isinstance(self._array, _reel.NativeBatch):
            self._array = pa.array(self._array)
        return self._array

    def __len__(self) -> int:
        return len(self._array)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(len={len(self)})"


# numpy arrays with more elements than this keep the zero-copy path through pyarrow; all
# other values are converted by `_reel.native_batch`, in well under a microsecond.
_NATIVE_MAX_ELEMENTS = 256


def _native(data: Any) -> bool:
    """Whether `data` goes through the native conversion (see `_NATIVE_MAX_ELEMENTS`)."""
    if isinstance(data, (np.ndarray, np.generic)):
        return data.size <= _NATIVE_MAX_ELEMENTS and data.dtype.kind in "biuf"
    if isinstance(data, (list, tuple)):
        # A list of arrays (line strips, rows): native unless its first array is large.
        first = data[0] if data else None
        return not (isinstance(first, np.ndarray) and first.size > _NATIVE_MAX_ELEMENTS)
    return isinstance(data, (int, float, str))


def pair(cls: type, value: Any) -> Any:
    """What the log functions hand to `_reel` for ``cls(value)``: ``(name, (kind, value))``
    when the value converts natively — no batch object, converted within the log call —
    else the batch itself."""
    kind = getattr(cls, "_KIND", None)  # `cls` may be any maker of a batch
    if kind is not None and _native(value):
        return (cls._NAME, (kind, value))
    return cls(value)


def _floats(data: Any, width: int, name: str) -> pa.Array:
    """An (N, width) float32 array as FixedSizeList<float32, width> (no copy when the input is
    already contiguous float32)."""
    arr = np.asarray(data, dtype=np.float32)
    if arr.ndim == 1 and arr.size == width:
        arr = arr.reshape(1, width)
    if arr.size == 0:
        arr = arr.reshape(0, width)
    if arr.ndim != 2 or arr.shape[1] != width:
        raise ValueError(f"{name}: expected shape (N, {width}), got {arr.shape}")
    flat = pa.array(np.ascontiguousarray(arr).reshape(-1))
    return pa.FixedSizeListArray.from_arrays(
        flat, type=pa.list_(pa.field("item", pa.float32(), nullable=False), width)
    )


# Kinds, parsed once: a `BatchKind` costs the log call nothing to read.
_UTF8, _COLOR, _BOOL = _reel.BatchKind("utf8"), _reel.BatchKind("color"), _reel.BatchKind("bool")


def _fixed_floats(width: int):
    kind = _reel.BatchKind(f"f32x{width}")

    def make(cls_name: str, doc: str) -> type:
        def __init__(self, data: Any) -> None:
            if _native(data):
                array = _reel.native_batch(kind, data, cls_name)
            else:
                array = _floats(data, width, cls_name)
            ComponentBatchLike.__init__(self, array)

        cls = type(cls_name, (ComponentBatchLike,), {"__init__": __init__, "__doc__": doc})
        cls._KIND = kind
        return cls

    return make


Position2DBatch = _fixed_floats(2)("Position2DBatch", "Positions in 2D: shape (N, 2).")
Position2DBatch._NAME = "reel.components.Position2D"
Position3DBatch = _fixed_floats(3)("Position3DBatch", "Positions in 3D: shape (N, 3).")
Position3DBatch._NAME = "reel.components.Position3D"
Vector3DBatch = _fixed_floats(3)("Vector3DBatch", "Vectors in 3D: shape (N, 3).")
Vector3DBatch._NAME = "reel.components.Vector3D"


_KINDS = {np.float32: "f32", np.float64: "f64", np.uint8: "u8", np.uint16: "u16", np.uint32: "u32", np.uint64: "u64"}


def _primitive(cls_name: str, name: str, arrow_type: pa.DataType, np_type: Any, doc: str) -> type:
    kind = _reel.BatchKind(_KINDS[np_type])

    def __init__(self, data: Any) -> None:
        if _native(data):
            return ComponentBatchLike.__init__(self, _reel.native_batch(kind, data, cls_name))
        arr = np.atleast_1d(np.asarray(data))
        if arr.ndim != 1:
            raise ValueError(f"{cls_name}: expected a scalar or a 1-D array, got shape {arr.shape}")
        if np.issubdtype(np.dtype(np_type), np.integer) and arr.size and not np.issubdtype(arr.dtype, np.integer):
            raise TypeError(f"{cls_name}: expected integers, got {arr.dtype}")
        ComponentBatchLike.__init__(self, pa.array(arr.astype(np_type, copy=False), type=arrow_type))

    cls = type(cls_name, (ComponentBatchLike,), {"__init__": __init__, "__doc__": doc})
    cls._NAME = name
    cls._KIND = kind
    return cls


RadiusBatch = _primitive("RadiusBatch", "reel.components.Radius", pa.float32(), np.float32, "Radii: shape (N,).")
DrawOrderBatch = _primitive("DrawOrderBatch", "reel.components.DrawOrder", pa.float32(), np.float32, "Draw order.")
ScalarBatch = _primitive("ScalarBatch", "reel.components.Scalar", pa.float64(), np.float64, "Scalars.")
ClassIdBatch = _primitive("ClassIdBatch", "reel.components.ClassId", pa.uint16(), np.uint16, "Class ids.")
KeypointIdBatch = _primitive("KeypointIdBatch", "reel.components.KeypointId", pa.uint16(), np.uint16, "Keypoint ids.")
InstanceKeyBatch = _primitive(
    "InstanceKeyBatch", "reel.components.InstanceKey", pa.uint64(), np.uint64, "Stable instance ids."
)


def _strings(cls_name: str, name: str, doc: str) -> type:
    def __init__(self, data: Any) -> None:
        if isinstance(data, (str, list, tuple)):
            return ComponentBatchLike.__init__(self, _reel.native_batch(_UTF8, data, cls_name))
        values = list(data)
        if not all(isinstance(v, str) for v in values):
            raise TypeError(f"{cls_name}: expected strings")
        ComponentBatchLike.__init__(self, pa.array(values, type=pa.utf8()))

    cls = type(cls_name, (ComponentBatchLike,), {"__init__": __init__, "__doc__": doc})
    cls._NAME = name
    cls._KIND = _UTF8
    return cls


TextBatch = _strings("TextBatch", "reel.components.Text", "Texts (labels, log bodies).")
TextLogLevelBatch = _strings("TextLogLevelBatch", "reel.components.TextLogLevel", "Log levels.")


def colors_to_u32(colors: Any) -> np.ndarray:
    """Colors as packed ``0xRRGGBBAA``. Accepted, as the reference generation accepts them:
    a packed int, a list or uint32 array of packed ints, or RGB/RGBA as uint8 0-255 or
    floats 0-1, one for all or one per instance. A flat list of 3 or 4 integers that all
    fit a byte is one RGB(A) color; any other flat list of integers is packed colors."""
    arr = np.asarray(colors)
    if arr.ndim == 0 and np.issubdtype(arr.dtype, np.integer):
        arr = arr.reshape(1)
        if arr.dtype != np.uint32:
            return _packed(arr)
    if arr.dtype == np.uint32 and arr.ndim == 1:
        return arr
    if arr.ndim == 1 and np.issubdtype(arr.dtype, np.integer) and arr.size:
        fits_a_byte = 0 <= arr.min() and arr.max() <= 255
        if not (arr.shape[0] in (3, 4) and fits_a_byte):
            return _packed(arr)
    if arr.ndim == 1 and arr.shape[0] in (3, 4):
        arr = arr.reshape(1, -1)
    if arr.ndim != 2 or arr.shape[1] not in (3, 4):
        raise ValueError(f"colors: expected shape (N, 3) or (N, 4), got {arr.shape}")
    if np.issubdtype(arr.dtype, np.floating):
        arr = np.round(np.clip(np.nan_to_num(arr), 0.0, 1.0) * 255.0).astype(np.uint8)
    elif np.issubdtype(arr.dtype, np.integer):
        if arr.size and (arr.min() < 0 or arr.max() > 255):
            raise ValueError("colors: integer colors must be in 0..=255")
        arr = arr.astype(np.uint8)
    else:
        raise TypeError(f"colors: expected numbers, got {arr.dtype}")
    if arr.shape[1] == 3:
        arr = np.concatenate([arr, np.full((arr.shape[0], 1), 255, np.uint8)], axis=1)
    a = arr.astype(np.uint32)
    return (a[:, 0] << 24) | (a[:, 1] << 16) | (a[:, 2] << 8) | a[:, 3]


def _packed(arr: np.ndarray) -> np.ndarray:
    """Integers as packed ``0xRRGGBBAA`` colors (each must fit 32 bits)."""
    if arr.size and (arr.min() < 0 or arr.max() > 0xFFFFFFFF):
        raise ValueError("colors: a packed color is an integer in 0..=0xFFFFFFFF (0xRRGGBBAA)")
    return arr.astype(np.uint32)


class ColorBatch(ComponentBatchLike):
    """Colors: packed 0xRRGGBBAA ints (one, a list, or a uint32 array), or RGB/RGBA as
    uint8 0-255 or float 0-1; one for all or one per instance."""

    _NAME = "reel.components.Color"
    _KIND = _COLOR

    def __init__(self, data: Any) -> None:
        super().__init__(_colors(data))


def _colors(data: Any) -> Any:
    if _native(data):
        return _reel.native_batch(_COLOR, data, "colors")
    return pa.array(colors_to_u32(data), type=pa.uint32())


# -- the rest of the built-in components ---------------------------------------------------


def _fixed(data: Any, width: int, np_type: Any, pa_type: pa.DataType, name: str, kind: str = "numbers") -> pa.Array:
    """An (N, width) array as FixedSizeList<pa_type, width>, items non-null (as in Rust)."""
    arr = np.asarray(data)
    if arr.size and not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise TypeError(f"{name}: expected {kind}, got {arr.dtype}")
    if np.issubdtype(np.dtype(np_type), np.integer) and arr.size and not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"{name}: expected integers, got {arr.dtype}")
    arr = arr.astype(np_type, copy=False)
    if arr.ndim == 1 and arr.size == width:
        arr = arr.reshape(1, width)
    if arr.size == 0:
        arr = arr.reshape(0, width)
    if arr.ndim != 2 or arr.shape[1] != width:
        raise ValueError(f"{name}: expected shape (N, {width}), got {arr.shape}")
    flat = pa.array(np.ascontiguousarray(arr).reshape(-1), type=pa_type)
    return pa.FixedSizeListArray.from_arrays(flat, type=pa.list_(pa.field("item", pa_type, nullable=False), width))


def _fixed_batch(cls_name: str, component: str, width: int, np_type: Any, pa_type: pa.DataType, doc: str) -> type:
    kind = _reel.BatchKind(f"{_KINDS[np_type]}x{width}")

    def __init__(self, data: Any) -> None:
        if _native(data):
            return ComponentBatchLike.__init__(self, _reel.native_batch(kind, data, cls_name))
        ComponentBatchLike.__init__(self, _fixed(data, width, np_type, pa_type, cls_name))

    cls = type(cls_name, (ComponentBatchLike,), {"__init__": __init__, "__doc__": doc})
    cls._NAME = f"reel.components.{component}"
    cls._KIND = kind
    return cls


_f32 = (np.float32, pa.float32())
Vector2DBatch = _fixed_batch("Vector2DBatch", "Vector2D", 2, *_f32, "2D vectors: shape (N, 2).")
HalfSizes2DBatch = _fixed_batch("HalfSizes2DBatch", "HalfSizes2D", 2, *_f32, "Half sizes of 2D boxes.")
HalfSizes3DBatch = _fixed_batch("HalfSizes3DBatch", "HalfSizes3D", 3, *_f32, "Half sizes of 3D boxes.")
Normal3DBatch = _fixed_batch("Normal3DBatch", "Normal3D", 3, *_f32, "Vertex normals.")
TexCoord2DBatch = _fixed_batch("TexCoord2DBatch", "TexCoord2D", 2, *_f32, "Texture coordinates.")
Translation3DBatch = _fixed_batch("Translation3DBatch", "Translation3D", 3, *_f32, "Translations.")
Scale3DBatch = _fixed_batch("Scale3DBatch", "Scale3D", 3, *_f32, "Per-axis scales.")
RotationQuatBatch = _fixed_batch("RotationQuatBatch", "RotationQuat", 4, *_f32, "Quaternions [x, y, z, w].")
ResolutionBatch = _fixed_batch("ResolutionBatch", "Resolution", 2, *_f32, "Image [width, height].")
TriangleIndicesBatch = _fixed_batch(
    "TriangleIndicesBatch", "TriangleIndices", 3, np.uint32, pa.uint32(), "Triangle vertex indices: (N, 3)."
)
ViewCoordinatesBatch = _fixed_batch(
    "ViewCoordinatesBatch", "ViewCoordinates", 3, np.uint8, pa.uint8(), "Axis direction codes."
)


def _matrices(data: Any, n: int, name: str) -> np.ndarray:
    """(N, n, n) or (n, n) row-major matrices, flattened column-major as reel stores them."""
    arr = np.asarray(data, dtype=np.float32)
    if arr.ndim == 2:
        arr = arr[None]
    if arr.ndim != 3 or arr.shape[1:] != (n, n):
        raise ValueError(f"{name}: expected shape ({n}, {n}) or (N, {n}, {n}), got {arr.shape}")
    return arr.transpose(0, 2, 1).reshape(-1, n * n)


# Not the classes' `_KIND`: their values are row-major matrices, not rows of the kind.
_MAT3, _MAT4 = _reel.BatchKind("f32x9"), _reel.BatchKind("f32x16")


def _plain_matrix(data: Any, n: int) -> Any:
    """One row-major (n, n) matrix as nested lists or tuples, flattened column-major as
    reel stores it (its numbers are checked by the native conversion); None otherwise."""
    if not (isinstance(data, (list, tuple)) and len(data) == n):
        return None
    if not all(isinstance(row, (list, tuple)) and len(row) == n for row in data):
        return None
    if isinstance(data[0][0], (list, tuple, np.ndarray)):
        return None  # (n, n, n): n matrices
    return [[data[r][c] for c in range(n) for r in range(n)]]


class Mat3x3Batch(ComponentBatchLike):
    """3x3 matrices, given row-major as (3, 3) or (N, 3, 3)."""

    _NAME = "reel.components.Mat3x3"

    def __init__(self, data: Any) -> None:
        name = type(self).__name__
        plain = _plain_matrix(data, 3)
        if plain is not None:
            return super().__init__(_reel.native_batch(_MAT3, plain, name))
        super().__init__(_fixed(_matrices(data, 3, name), 9, np.float32, pa.float32(), name))


class Mat4x4Batch(ComponentBatchLike):
    """4x4 matrices, given row-major as (4, 4) or (N, 4, 4)."""

    _NAME = "reel.components.Mat4x4"

    def __init__(self, data: Any) -> None:
        name = type(self).__name__
        plain = _plain_matrix(data, 4)
        if plain is not None:
            return super().__init__(_reel.native_batch(_MAT4, plain, name))
        super().__init__(_fixed(_matrices(data, 4, name), 16, np.float32, pa.float32(), name))


class PinholeProjectionBatch(Mat3x3Batch):
    """Pinhole intrinsics (image from camera), given row-major as (3, 3)."""

    _NAME = "reel.components.PinholeProjection"


def _bools(cls_name: str, component: str, doc: str) -> type:
    def __init__(self, data: Any) -> None:
        if isinstance(data, (bool, list, tuple)):
            return ComponentBatchLike.__init__(self, _reel.native_batch(_BOOL, data, cls_name))
        arr = np.atleast_1d(np.asarray(data))
        if arr.dtype != bool:
            raise TypeError(f"{cls_name}: expected booleans, got {arr.dtype}")
        ComponentBatchLike.__init__(self, pa.array(arr, type=pa.bool_()))

    cls = type(cls_name, (ComponentBatchLike,), {"__init__": __init__, "__doc__": doc})
    cls._NAME = f"reel.components.{component}"
    cls._KIND = _BOOL
    return cls


TransformFromParentBatch = _bools("TransformFromParentBatch", "TransformFromParent", "Transform direction.")
DisconnectedSpaceBatch = _bools("DisconnectedSpaceBatch", "DisconnectedSpace", "Disconnected spaces.")
ClearIsRecursiveBatch = _bools("ClearIsRecursiveBatch", "ClearIsRecursive", "Whether clears are recursive.")
ScalarScatteredBatch = _bools("ScalarScatteredBatch", "ScalarScattered", "Scatter plots instead of lines.")
DepthMeterBatch = _primitive("DepthMeterBatch", "reel.components.DepthMeter", pa.float32(), np.float32, "Depth units per meter.")
MediaTypeBatch = _strings("MediaTypeBatch", "reel.components.MediaType", "Media types, e.g. image/png.")


class AlbedoFactorBatch(ComponentBatchLike):
    """A mesh's base color (like `ColorBatch`)."""

    _NAME = "reel.components.AlbedoFactor"
    _KIND = _COLOR

    def __init__(self, data: Any) -> None:
        super().__init__(_colors(data))


class BlobBatch(ComponentBatchLike):
    """Encoded bytes (a file's contents): one `bytes` or a list of them."""

    _NAME = "reel.components.Blob"

    def __init__(self, data: Any) -> None:
        values = [data] if isinstance(data, (bytes, bytearray, memoryview)) else list(data)
        super().__init__(pa.array([bytes(v) for v in values], type=pa.large_binary()))


def _line_strips(strips: Any, width: int, name: str) -> pa.Array:
    arrays = [np.asarray(s, dtype=np.float32).reshape(-1, width) if np.size(s) else np.zeros((0, width), np.float32) for s in strips]
    for a in arrays:
        if a.ndim != 2 or a.shape[1] != width:
            raise ValueError(f"{name}: each strip must have shape (K, {width})")
    flat = np.concatenate(arrays) if arrays else np.zeros((0, width), np.float32)
    points = _fixed(flat, width, np.float32, pa.float32(), name)
    offsets = pa.array(np.concatenate([[0], np.cumsum([len(a) for a in arrays])]).astype(np.int32))
    item = pa.field("item", points.type, nullable=False)
    return pa.ListArray.from_arrays(offsets, points, type=pa.list_(item))


class LineStrip2DBatch(ComponentBatchLike):
    """2D polylines: a list of (K, 2) arrays."""

    _NAME = "reel.components.LineStrip2D"
    _KIND = _reel.BatchKind("f32x2[]")

    def __init__(self, strips: Any) -> None:
        if _native(strips):
            return super().__init__(_reel.native_batch(self._KIND, strips, "LineStrip2DBatch"))
        super().__init__(_line_strips(strips, 2, "LineStrip2DBatch"))


class LineStrip3DBatch(ComponentBatchLike):
    """3D polylines: a list of (K, 3) arrays."""

    _NAME = "reel.components.LineStrip3D"
    _KIND = _reel.BatchKind("f32x3[]")

    def __init__(self, strips: Any) -> None:
        if _native(strips):
            return super().__init__(_reel.native_batch(self._KIND, strips, "LineStrip3DBatch"))
        super().__init__(_line_strips(strips, 3, "LineStrip3DBatch"))


class RotationAxisAngleBatch(ComponentBatchLike):
    """Rotations by an angle in radians about an axis: lists of axes (N, 3) and angles (N,)."""

    _NAME = "reel.components.RotationAxisAngle"

    def __init__(self, axes: Any, angles: Any) -> None:
        axis = _fixed(axes, 3, np.float32, pa.float32(), "RotationAxisAngleBatch")
        angle = pa.array(np.atleast_1d(np.asarray(angles, dtype=np.float32)), type=pa.float32())
        fields = [pa.field("axis", axis.type, nullable=False), pa.field("angle", pa.float32(), nullable=False)]
        super().__init__(pa.StructArray.from_arrays([axis, angle], fields=fields))


_TENSOR_DTYPES = {
    np.dtype(np.uint8): "u8",
    np.dtype(np.uint16): "u16",
    np.dtype(np.uint32): "u32",
    np.dtype(np.uint64): "u64",
    np.dtype(np.int8): "i8",
    np.dtype(np.int16): "i16",
    np.dtype(np.int32): "i32",
    np.dtype(np.int64): "i64",
    np.dtype(np.float16): "f16",
    np.dtype(np.float32): "f32",
    np.dtype(np.float64): "f64",
}


# Tensors up to this size are copied into a native batch; larger ones are shared with
# numpy through pyarrow.
_NATIVE_TENSOR_BYTES = 64 << 10
_LITTLE_ENDIAN = sys.byteorder == "little"


def tensor_array(tensor: Any, names: Any = None) -> Any:
    """One tensor as reel's TensorData struct (shape, names, dtype, little-endian buffer):
    a native batch for a small one, else a pyarrow array whose buffer is shared with the
    numpy array when it is contiguous and little-endian."""
    arr = np.asarray(tensor)
    element = _TENSOR_DTYPES.get(arr.dtype)
    if _LITTLE_ENDIAN and element is not None and names is None and arr.nbytes <= _NATIVE_TENSOR_BYTES and arr.flags.c_contiguous:
        # The common small case, already in the stored layout.
        return _reel.tensor_batch(arr.shape, element, arr.tobytes())
    if arr.dtype == bool:
        arr = arr.astype(np.uint8)
    dtype = np.dtype(arr.dtype.newbyteorder("=")) if arr.dtype.byteorder not in "=|" else arr.dtype
    if dtype not in _TENSOR_DTYPES:
        raise TypeError(f"tensor: unsupported element type {arr.dtype} (use u8..u64, i8..i64, f16, f32, f64)")
    arr = np.ascontiguousarray(arr.astype(dtype.newbyteorder("<"), copy=False))
    if names is not None:
        names = [str(n) for n in names]
        if len(names) != arr.ndim:
            raise ValueError(f"tensor: {arr.ndim} dimensions but {len(names)} names")
    if arr.nbytes <= _NATIVE_TENSOR_BYTES:
        # Copying a small tensor natively costs far less than assembling pyarrow's struct.
        return _reel.tensor_batch(arr.shape, _TENSOR_DTYPES[dtype], arr.tobytes(), names)
    shape = pa.array([list(arr.shape)], type=pa.list_(pa.field("item", pa.uint64(), nullable=False)))
    names_arr = pa.array([names], type=pa.list_(pa.field("item", pa.utf8(), nullable=False)))
    dtype_arr = pa.array([_TENSOR_DTYPES[dtype]], type=pa.utf8())
    offsets = pa.py_buffer(np.array([0, arr.nbytes], dtype=np.int64))
    buffer = pa.Array.from_buffers(pa.large_binary(), 1, [None, offsets, pa.py_buffer(arr.reshape(-1).view(np.uint8))])
    fields = [
        pa.field("shape", shape.type, nullable=False),
        pa.field("names", names_arr.type, nullable=True),
        pa.field("dtype", pa.utf8(), nullable=False),
        pa.field("buffer", pa.large_binary(), nullable=False),
    ]
    return pa.StructArray.from_arrays([shape, names_arr, dtype_arr, buffer], fields=fields)


class TensorDataBatch(ComponentBatchLike):
    """One tensor (any numpy array of a supported element type)."""

    _NAME = "reel.components.TensorData"

    def __init__(self, tensor: Any, names: Any = None) -> None:
        super().__init__(tensor_array(tensor, names))


class ClassDescriptionBatch(ComponentBatchLike):
    """Class descriptions of an annotation context (see `reel.ClassDescription`)."""

    _NAME = "reel.components.ClassDescription"

    def __init__(self, descriptions: list) -> None:
        classes = [
            (
                _plain_info(d.info),
                [_plain_info(k) for k in d.keypoint_annotations],
                [_keypoint_pair(p) for p in d.keypoint_connections],
            )
            for d in descriptions
        ]
        super().__init__(_reel.class_descriptions(classes))


def _u16(value: Any, what: str) -> int:
    if not (isinstance(value, (int, np.integer)) and 0 <= value <= 0xFFFF):
        raise ValueError(f"{what}: expected an integer in 0..=65535, got {value!r}")
    return int(value)


def _plain_info(info: Any) -> tuple:
    """An annotation info as `_reel.class_descriptions` takes it: (id, label, color)."""
    return (_u16(info.id, "class id"), info.label, info.color)


def _keypoint_pair(pair: Any) -> tuple:
    a, b = (int(i) for i in pair)
    return (_u16(a, "keypoint id"), _u16(b, "keypoint id"))


_NULL = _reel.native_batch("null", None, "IndicatorBatch")


_INDICATORS: dict = {}


def indicator(archetype: str) -> tuple:
    """The indicator of ``archetype`` as the pair the log functions hand to `_reel`, made
    once per archetype (an `IndicatorBatch` object per log call cost more than its use)."""
    made = _INDICATORS.get(archetype)
    if made is None:
        made = _INDICATORS[archetype] = (f"reel.indicators.{archetype}", _NULL)
    return made


class IndicatorBatch(ComponentBatchLike):
    """The one-element indicator that says which archetype a row is."""

    def __init__(self, archetype: str) -> None:
        super().__init__(_NULL)
        self._name = f"reel.indicators.{archetype}"

    def component_name(self) -> str:
        return self._name


__all__ += [
    "AlbedoFactorBatch",
    "BlobBatch",
    "ClassDescriptionBatch",
    "ClearIsRecursiveBatch",
    "DepthMeterBatch",
    "DisconnectedSpaceBatch",
    "HalfSizes2DBatch",
    "HalfSizes3DBatch",
    "IndicatorBatch",
    "LineStrip2DBatch",
    "LineStrip3DBatch",
    "Mat3x3Batch",
    "Mat4x4Batch",
    "MediaTypeBatch",
    "Normal3DBatch",
    "PinholeProjectionBatch",
    "ResolutionBatch",
    "RotationAxisAngleBatch",
    "RotationQuatBatch",
    "Scale3DBatch",
    "ScalarScatteredBatch",
    "TensorDataBatch",
    "TexCoord2DBatch",
    "TransformFromParentBatch",
    "Translation3DBatch",
    "TriangleIndicesBatch",
    "Vector2DBatch",
    "ViewCoordinatesBatch",
]
