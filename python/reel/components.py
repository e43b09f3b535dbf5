"""Component batches for `reel.log_components`: one class per component, built from
array-likes (numpy arrays, lists, scalars).

Any object with the same protocol is accepted by `log_components` too: a
`component_name()` method and an `as_arrow_array()` method returning a pyarrow array. That
is how users log their own components.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

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

    def __init__(self, array: pa.Array) -> None:
        self._array = array

    def component_name(self) -> str:
        """The component's stable name, e.g. ``reel.components.Position3D``."""
        return self._NAME

    def as_arrow_array(self) -> pa.Array:
        """The instances as one Arrow array."""
        return self._array

    def __len__(self) -> int:
        return len(self._array)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(len={len(self)})"


def _floats(data: Any, width: int, name: str) -> pa.Array:
    """An (N, width) float32 array as FixedSizeList<float32, width> (no copy when the input is
    already contiguous float32)."""
    arr = np.asarray(data, dtype=np.float32)
    if arr.ndim == 1 and arr.size == width:
        arr = arr.reshape(1, width)
    if arr.ndim != 2 or arr.shape[1] != width:
        raise ValueError(f"{name}: expected shape (N, {width}), got {arr.shape}")
    flat = pa.array(np.ascontiguousarray(arr).reshape(-1))
    return pa.FixedSizeListArray.from_arrays(
        flat, type=pa.list_(pa.field("item", pa.float32(), nullable=False), width)
    )


def _fixed_floats(width: int):
    def make(cls_name: str, doc: str) -> type:
        def __init__(self, data: Any) -> None:
            ComponentBatchLike.__init__(self, _floats(data, width, cls_name))

        return type(cls_name, (ComponentBatchLike,), {"__init__": __init__, "__doc__": doc})

    return make


Position2DBatch = _fixed_floats(2)("Position2DBatch", "Positions in 2D: shape (N, 2).")
Position2DBatch._NAME = "reel.components.Position2D"
Position3DBatch = _fixed_floats(3)("Position3DBatch", "Positions in 3D: shape (N, 3).")
Position3DBatch._NAME = "reel.components.Position3D"
Vector3DBatch = _fixed_floats(3)("Vector3DBatch", "Vectors in 3D: shape (N, 3).")
Vector3DBatch._NAME = "reel.components.Vector3D"


def _primitive(cls_name: str, name: str, arrow_type: pa.DataType, np_type: Any, doc: str) -> type:
    def __init__(self, data: Any) -> None:
        arr = np.atleast_1d(np.asarray(data))
        if arr.ndim != 1:
            raise ValueError(f"{cls_name}: expected a scalar or a 1-D array, got shape {arr.shape}")
        if np.issubdtype(np.dtype(np_type), np.integer) and arr.size and not np.issubdtype(arr.dtype, np.integer):
            raise TypeError(f"{cls_name}: expected integers, got {arr.dtype}")
        ComponentBatchLike.__init__(self, pa.array(arr.astype(np_type, copy=False), type=arrow_type))

    cls = type(cls_name, (ComponentBatchLike,), {"__init__": __init__, "__doc__": doc})
    cls._NAME = name
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
        values = [data] if isinstance(data, str) else list(data)
        if not all(isinstance(v, str) for v in values):
            raise TypeError(f"{cls_name}: expected strings")
        ComponentBatchLike.__init__(self, pa.array(values, type=pa.utf8()))

    cls = type(cls_name, (ComponentBatchLike,), {"__init__": __init__, "__doc__": doc})
    cls._NAME = name
    return cls


TextBatch = _strings("TextBatch", "reel.components.Text", "Texts (labels, log bodies).")
TextLogLevelBatch = _strings("TextLogLevelBatch", "reel.components.TextLogLevel", "Log levels.")


def colors_to_u32(colors: Any) -> np.ndarray:
    """Colors as packed ``0xRRGGBBAA``: RGB or RGBA, as uint8 0-255 or floats 0-1, one or N."""
    arr = np.asarray(colors)
    if arr.ndim == 1 and arr.shape[0] in (3, 4) and arr.dtype != np.uint32:
        arr = arr.reshape(1, -1)
    if arr.dtype == np.uint32 and arr.ndim == 1:
        return arr
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


class ColorBatch(ComponentBatchLike):
    """Colors: RGB or RGBA, uint8 0-255 or float 0-1, one for all or one per instance."""

    _NAME = "reel.components.Color"

    def __init__(self, data: Any) -> None:
        super().__init__(pa.array(colors_to_u32(data), type=pa.uint32()))
