"""reel: log points, meshes, images, tensors, scalars and text from a running program into
time-indexed recordings, and look at them live or later.

    import reel as rr

    rr.init("my_app")
    rr.save("run.reel")
    rr.set_time_sequence("frame", 0)
    rr.log_points("world/points", [[0, 0, 0], [1, 1, 1]], colors=[255, 0, 0])

Every function that takes ``recording=None`` is also a method of `RecordingStream`.
Environment: ``REEL=off`` disables logging; ``REEL_FLUSH_TICK_SECS``,
``REEL_FLUSH_NUM_BYTES`` and ``REEL_FLUSH_NUM_ROWS`` tune micro-batching;
``REEL_RECORDING_ID`` sets the default recording id; ``REEL_STRICT`` the strict default.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import inspect
import logging
import multiprocessing
import os
import sys
import threading
import uuid
import warnings
from typing import Any, Callable, Iterable, Mapping, Optional, Sequence

import numpy as np

from . import _log, _reel, components
from ._log import (
    _parts,
    AnnotationInfo,
    ClassDescription,
    ImageFormat,
    LogFamily,
    LogLevel,
    MeshFormat,
    Quaternion,
    RectFormat,
    Rigid3D,
    RotationAxisAngle,
    Scale3D,
    Transform3D,
    Translation3D,
    TranslationAndMat3,
    TranslationRotationScale3D,
)
from .components import ComponentBatchLike

__version__ = _reel.version()

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
    "Scale3D",
    "Transform3D",
    "Translation3D",
    "TranslationAndMat3",
    "TranslationRotationScale3D",
    "log",
    "log_annotation_context",
    "log_arrow",
    "log_cleared",
    "log_depth_image",
    "log_disconnected_space",
    "log_extension_components",
    "log_image",
    "log_image_file",
    "log_line_segments",
    "log_line_strip",
    "log_line_strips_2d",
    "log_line_strips_3d",
    "log_mesh",
    "log_mesh_file",
    "log_meshes",
    "log_obb",
    "log_obbs",
    "log_pinhole",
    "log_point",
    "log_rect",
    "log_rects",
    "log_segmentation_image",
    "log_tensor",
    "log_rigid3",
    "log_transform3d",
    "log_view_coordinates",
    "LoggingHandler",
    "MemoryRecording",
    "Recording",
    "RecordingView",
    "RecordingStream",
    "ReelWarning",
    "UndeliveredError",
    "components",
    "connect",
    "disconnect",
    "flush",
    "get_data_recording",
    "get_global_data_recording",
    "get_application_id",
    "get_recording_id",
    "get_thread_local_data_recording",
    "init",
    "is_enabled",
    "load_recording",
    "log_components",
    "log_points",
    "log_scalar",
    "log_text_entry",
    "memory_recording",
    "new_recording",
    "reset_time",
    "save",
    "set_global_data_recording",
    "set_strict_mode",
    "set_thread_local_data_recording",
    "set_time_nanos",
    "set_time_seconds",
    "set_time_sequence",
    "cleanup_if_forked_child",
    "reel_shutdown",
    "script_add_args",
    "script_setup",
    "script_teardown",
    "serve",
    "shutdown_at_exit",
    "spawn",
    "start_web_viewer_server",
    "stdout",
    "strict_mode",
    "unregister_shutdown",
    "version",
]

#: The default port of `spawn` and `connect`.
DEFAULT_PORT = 9876

#: The default width of `MemoryRecording.as_html` / `show`, in pixels.
DEFAULT_WIDTH: int = _reel.DEFAULT_WIDTH
#: The default height of `MemoryRecording.as_html` / `show`, in pixels.
DEFAULT_HEIGHT: int = _reel.DEFAULT_HEIGHT
#: Milliseconds a notebook viewer may take to draw its first frame before it says why not.
DEFAULT_TIMEOUT: int = _reel.DEFAULT_TIMEOUT


# Deliver every recording while the interpreter is whole: arrays handed to Rust are released
# through Python, which is no longer possible once finalization has begun.
import atexit as _atexit

_atexit.register(_reel.shutdown_all)

# A forked child must never flush or wait on its parent's recordings (reel also hooks
# fork() natively; this covers it from Python's side, as the reference does).
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reel.notify_forked_child)

#: Up to this many points, `log_points` without colors, labels or ids takes the native path.
_BatchLike = components.ComponentBatchLike
# log_points' optional components, in the order of its parameters.
_POINT_STYLE = (
    components.InstanceKeyBatch,
    components.ColorBatch,
    components.RadiusBatch,
    components.TextBatch,
    components.ClassIdBatch,
    components.KeypointIdBatch,
    components.DrawOrderBatch,
)
# By the size of a point; 0: no positions given (and so no indicator).
_POINT_PARTS = {
    0: _parts(None, components.Position3DBatch, *_POINT_STYLE),
    2: _parts("Points2D", components.Position2DBatch, *_POINT_STYLE),
    3: _parts("Points3D", components.Position3DBatch, *_POINT_STYLE),
}
_SCALAR = _parts(
    "Scalar",
    components.ScalarBatch,
    components.TextBatch,
    components.ColorBatch,
    components.RadiusBatch,
    components.ScalarScatteredBatch,
)
_TEXT_ENTRY = _parts("TextLog", components.TextBatch, components.TextLogLevelBatch, components.ColorBatch)


def _point_dim(positions: Any) -> Optional[int]:
    """2 or 3 when a point's size is plain to see (a list of points, one point, or an (N, 2|3)
    array), else None."""
    if isinstance(positions, np.ndarray):
        if positions.ndim == 2:
            return positions.shape[1] if positions.shape[1] in (2, 3) else None
        return positions.size if positions.ndim == 1 and positions.size in (2, 3) else None
    if isinstance(positions, (list, tuple)) and positions:
        first = positions[0]
        n = len(first) if isinstance(first, (list, tuple, np.ndarray)) else len(positions)
        return n if n in (2, 3) else None
    return None


def _point_positions(positions: Any) -> tuple:
    """The parts of a points row by the size of a point, and the positions (made an
    (N, 2|3) array when their shape is not plain to see)."""
    if positions is None:
        return _POINT_PARTS[0], None
    dim = _point_dim(positions)
    if dim is None:
        positions = np.asarray(positions, dtype=np.float32)
        if positions.ndim == 1 and positions.size in (2, 3):
            positions = positions.reshape(1, -1)
        if positions.ndim != 2 or positions.shape[1] not in (2, 3):
            raise ValueError(f"positions: expected shape (N, 2) or (N, 3), got {positions.shape}")
        dim = positions.shape[1]
    return _POINT_PARTS[dim], positions


class ReelWarning(UserWarning):
    """Bad input that was not logged, or data that was not delivered (outside strict mode)."""


class UndeliveredError(RuntimeError):
    """A blocking flush could not deliver everything (strict mode)."""


# ----------------------------------------------------------------------------------------
# Strict mode

_strict_mode: Optional[bool] = None


def _env_on(name: str) -> Optional[bool]:
    value = os.environ.get(name)
    if value is None:
        return None
    v = value.strip().lower()
    if v in ("1", "on", "true", "yes"):
        return True
    if v in ("0", "off", "false", "no"):
        return False
    warnings.warn(f"ignoring {name}={value!r}: expected on or off", ReelWarning, stacklevel=3)
    return None


def set_strict_mode(strict: bool) -> None:
    """Sets the default for strict mode: raise on bad input (True) or warn (False)."""
    global _strict_mode
    _strict_mode = bool(strict)


def strict_mode() -> bool:
    """The default for strict mode (`set_strict_mode`, else ``REEL_STRICT``, else False)."""
    if _strict_mode is None:
        return bool(_env_on("REEL_STRICT"))
    return _strict_mode


_REPAIRED_PATHS: set = set()


def _repaired_path(error: ValueError, entity_path: str, strict: Optional[bool]) -> str:
    """After a log call failed with ``error``: the path to log to instead, when the error is
    a path that does not parse and strict mode is off — repaired as the reference generation
    did (e.g. ``"task 0"``), with one warning per path saying where the data went, so data is
    never dropped for an unusual path. Re-raises ``error`` otherwise. Called only on the
    error path, so logging to valid paths pays nothing for it."""
    if not str(error).startswith("invalid entity path") or (strict if strict is not None else strict_mode()):
        raise error
    repaired = _reel.repair_entity_path(entity_path)
    if entity_path not in _REPAIRED_PATHS and len(_REPAIRED_PATHS) < 10_000:
        _REPAIRED_PATHS.add(entity_path)
        warnings.warn(f"{error}; logging to {repaired!r}", ReelWarning, stacklevel=5)
    return repaired


def _handle_bad_input(error: Exception, strict: Optional[bool], stacklevel: int = 4) -> None:
    if strict if strict is not None else strict_mode():
        raise error
    warnings.warn(f"{error}; nothing was logged", ReelWarning, stacklevel=stacklevel)


# ----------------------------------------------------------------------------------------
# Recordings

_scopes = threading.local()


class RecordingStream(LogFamily):
    """A handle to a recording. Safe to copy and to share between threads; copies share
    the recording. ``with rec:`` makes it the thread's default recording for the block (and
    flushes on exit).

    Every function that takes ``recording=None`` is also a method of this class.
    """

    def __init__(self, handle: "_reel.RecordingHandle") -> None:
        self._handle = handle

    # -- identity and context ----------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RecordingStream) and self._handle.same(other._handle)

    def __hash__(self) -> int:
        return hash(self._handle.recording_id())

    def __copy__(self) -> "RecordingStream":
        return RecordingStream(self._handle)

    def __deepcopy__(self, memo: Any) -> "RecordingStream":
        return RecordingStream(self._handle)

    def __repr__(self) -> str:
        return f"RecordingStream(application_id={self._handle.application_id()!r}, recording_id={self._handle.recording_id()!r})"

    def __enter__(self) -> "RecordingStream":
        stack = getattr(_scopes, "stack", None)
        if stack is None:
            stack = _scopes.stack = []
        stack.append(_reel.set_thread_local(self._handle))
        return self

    def __exit__(self, *exc: Any) -> None:
        try:
            self.flush(blocking=True)
        finally:
            previous = _scopes.stack.pop()
            _reel.set_thread_local(previous)

    # -- metadata ------------------------------------------------------------------------

    def is_enabled(self) -> bool:
        """Whether this recording logs anything (see ``REEL=off``)."""
        return self._handle.is_enabled()

    def get_recording_id(self) -> Optional[str]:
        """The recording id this recording logs to."""
        return self._handle.recording_id()

    def get_application_id(self) -> Optional[str]:
        """The application id this recording was created with."""
        return self._handle.application_id()

    # -- sinks ---------------------------------------------------------------------------

    def connect(self, addr: Optional[str] = None, flush_timeout_sec: float = 2.0) -> None:
        """Streams to a reel server at ``addr`` ("host:port", default 127.0.0.1:9876)."""
        self._handle.connect(addr, flush_timeout_sec)

    def spawn(self, port: int = DEFAULT_PORT, connect: bool = True, memory_limit: str = "75%") -> None:
        """Starts the reel viewer on ``port`` (or reuses a viewer or server already there) and,
        with ``connect``, streams to it. Without a display (or with ``REEL_HEADLESS=1``) it
        starts a headless ``reel serve`` instead and says so once."""
        self._handle.spawn(port, connect, memory_limit)

    def save(self, path: "str | os.PathLike[str]") -> None:
        """Writes the recording to a file from now on (with everything logged so far)."""
        self._handle.save(os.fspath(path))

    def stdout(self) -> None:
        """Writes the recording to standard output from now on."""
        self._handle.stdout()

    def serve(self, open_browser: bool = True, web_port: Optional[int] = None, ws_port: Optional[int] = None) -> str:
        """Serves this recording to web browsers from now on: the web viewer over HTTP on
        ``web_port`` (default 9090) and the data, live, over WebSocket on ``ws_port``
        (default 9877), both on loopback; 0 picks a free port. Opens the viewer in a browser
        with ``open_browser``. Returns (and prints) the viewer's URL; serving lasts until the
        process exits."""
        url = self._handle.serve(open_browser, web_port, ws_port)
        print(f"reel: web viewer at {url}", file=sys.stderr)
        return url

    def memory_recording(self) -> "MemoryRecording":
        """Keeps the recording in memory from now on; returns the memory recording."""
        return MemoryRecording(self._handle.memory(), self)

    def disconnect(self) -> None:
        """Closes the current sink (after delivering to it) and buffers again."""
        self._handle.disconnect()

    def flush(self, blocking: bool = True) -> None:
        """Delivers everything logged so far; with ``blocking``, waits for the sink (for a
        server, at most ``connect``'s ``flush_timeout_sec``). When something could not be
        delivered — a server that is unreachable or does not acknowledge in time, a failed
        file, rows dropped under the memory bound — it says so: `UndeliveredError` in strict
        mode, else a `ReelWarning`."""
        problem = self._handle.flush(blocking)
        if problem is not None:
            if strict_mode():
                raise UndeliveredError(problem)
            warnings.warn(problem, ReelWarning, stacklevel=2)

    # -- time ----------------------------------------------------------------------------

    def set_time_sequence(self, timeline: str, sequence: int) -> None:
        """Sets the current thread's time on a sequence timeline (frame numbers)."""
        self._handle.set_time_sequence(timeline, int(sequence))

    def set_time_seconds(self, timeline: str, seconds: float) -> None:
        """Sets the current thread's time in seconds (since the Unix epoch or any origin)."""
        self._handle.set_time_seconds(timeline, float(seconds))

    def set_time_nanos(self, timeline: str, nanos: int) -> None:
        """Sets the current thread's time in nanoseconds."""
        self._handle.set_time_nanos(timeline, int(nanos))

    def reset_time(self) -> None:
        """Clears the current thread's time on every timeline."""
        self._handle.reset_time()

    # -- logging -------------------------------------------------------------------------

    def log_components(
        self,
        entity_path: str,
        components: Iterable[Any],
        *,
        num_instances: Optional[int] = None,
        timeless: bool = False,
        strict: Optional[bool] = None,
    ) -> None:
        """Logs component batches (`reel.components.*Batch` or any object with
        ``component_name()`` and ``as_arrow_array()``) as one row.

        Each batch has ``num_instances`` values (default: the longest), 1 (a splat), or 0 (a
        clear). Otherwise: an error in strict mode, one warning and nothing logged if not.
        """
        try:
            batches = _pairs(components)
            try:
                self._handle.log_components(entity_path, batches, num_instances, timeless)
            except ValueError as e:
                path = _repaired_path(e, entity_path, strict)
                self._handle.log_components(path, batches, num_instances, timeless)
        except (ValueError, TypeError) as e:
            _handle_bad_input(e, strict)

    def log_points(
        self,
        entity_path: str,
        positions: Any = None,
        *,
        identifiers: Any = None,
        colors: Any = None,
        radii: Any = None,
        labels: Any = None,
        class_ids: Any = None,
        keypoint_ids: Any = None,
        draw_order: Optional[float] = None,
        ext: Optional[dict] = None,
        timeless: bool = False,
    ) -> None:
        """Logs 2D or 3D points (positions of shape (N, 2) or (N, 3)) with optional
        per-point or splatted colors, radii, labels, class and keypoint ids."""
        try:
            parts, positions = _point_positions(positions)
            values = (positions, identifiers, colors, radii, labels, class_ids, keypoint_ids, draw_order)
            self._log_parts(entity_path, parts, values, ext, timeless)
        except (ValueError, TypeError) as e:
            _handle_bad_input(e, None)

    def log_scalar(
        self,
        entity_path: str,
        scalar: float,
        *,
        label: Optional[str] = None,
        color: Any = None,
        radius: Optional[float] = None,
        scattered: Optional[bool] = None,
        ext: Optional[dict] = None,
    ) -> None:
        """Logs one value of a time series."""
        if label is None and color is None and radius is None and scattered is None and not ext:
            try:
                value = float(scalar)
                try:
                    return self._handle.log_scalar(entity_path, value)
                except ValueError as e:
                    return self._handle.log_scalar(_repaired_path(e, entity_path, None), value)
            except (ValueError, TypeError) as e:
                return _handle_bad_input(e, None)
        try:
            values = (scalar, label, color, radius, None if scattered is None else bool(scattered))
            self._log_parts(entity_path, _SCALAR, values, ext, False)
        except (ValueError, TypeError) as e:
            _handle_bad_input(e, None)

    def log_text_entry(
        self,
        entity_path: str,
        text: str,
        *,
        level: Optional[str] = LogLevel.INFO,
        color: Any = None,
        ext: Optional[dict] = None,
        timeless: bool = False,
    ) -> None:
        """Logs one entry of a text log."""
        try:
            if level is not None and type(level) is not str:
                level = str(level)
            self._log_parts(entity_path, _TEXT_ENTRY, (text, level, color), ext, timeless)
        except (ValueError, TypeError) as e:
            _handle_bad_input(e, None)


def _pairs(batches: Iterable[Any]) -> list:
    """``(component name, array)`` for each batch, as `_reel` takes them: reel's own batches
    hand over their array as is (converted natively, or pyarrow), others through
    ``as_arrow_array()``."""
    pairs = []
    for b in batches:
        if isinstance(b, tuple):  # already a pair (`components.pair`)
            pairs.append(b)
        elif isinstance(b, _BatchLike):
            pairs.append((b.component_name(), b._array))
        elif hasattr(b, "component_name") and hasattr(b, "as_arrow_array"):
            pairs.append((b.component_name(), b.as_arrow_array()))
        else:
            raise TypeError(
                f"expected a component batch (component_name() and as_arrow_array()), got {type(b).__name__}"
            )
    return pairs


def _ext_batches(ext: Optional[dict]) -> list:
    """User components from ``ext={name: array-like or batch}``: a few plain values are
    converted natively, with the types numpy would give them; anything else through
    numpy and pyarrow."""
    if not ext:
        return []
    out: list = []
    for name, value in ext.items():
        if hasattr(value, "as_arrow_array"):
            out.append(_Named(name, value.as_arrow_array()))
            continue
        kind = _plain_ext_kind(value)
        if kind is not None:
            out.append((name, (kind, value)))
        else:
            import pyarrow as pa

            out.append(_Named(name, pa.array(np.atleast_1d(np.asarray(value)))))
    return out


_EXT_KINDS = {bool: _reel.BatchKind("bool"), int: _reel.BatchKind("i64"), float: _reel.BatchKind("f64"), str: _reel.BatchKind("utf8")}


def _plain_ext_kind(value: Any) -> Any:
    """The native kind of a scalar or a short flat list of one plain Python type (ints
    and floats together are floats, as in numpy); None for anything else."""
    if type(value) in _EXT_KINDS:
        values: Any = (value,)
        types = {type(value)}
    elif isinstance(value, (list, tuple)) and 0 < len(value) <= 256:
        values = value
        types = set(map(type, value))
    else:
        return None
    if types == {int}:
        # Beyond int64 numpy picks another type; leave those to it.
        return _EXT_KINDS[int] if all(-(1 << 63) <= v < (1 << 63) for v in values) else None
    if len(types) == 1:
        return _EXT_KINDS.get(types.pop())
    return _EXT_KINDS[float] if types == {int, float} else None


class _Named(ComponentBatchLike):
    def __init__(self, name: str, array: Any) -> None:
        super().__init__(array)
        self._name = name

    def component_name(self) -> str:
        return self._name


class MemoryRecording:
    """A recording kept in memory (from `memory_recording`)."""

    def __init__(self, handle: "_reel.MemoryHandle", recording: RecordingStream) -> None:
        self._handle = handle
        self._recording = recording

    def num_msgs(self) -> int:
        """The number of messages held; flushes the batcher first so the count is exact."""
        return self._handle.num_msgs()

    def reset_data(self) -> None:
        """Removes the logged data (store announcements and blueprints stay)."""
        self._handle.reset_data()

    def reset_blueprint(self, *, add_to_app_default_blueprint: bool = False) -> None:
        """Replaces the blueprint with a fresh one, activated at once; with
        ``add_to_app_default_blueprint`` it also becomes the application's default."""
        self._handle.reset_blueprint(add_to_app_default_blueprint)

    def drain_as_bytes(self) -> bytes:
        """Takes everything held, as bytes of the reel format."""
        return self._handle.drain_as_bytes()

    def as_html(
        self,
        *,
        width: int = DEFAULT_WIDTH,
        height: int = DEFAULT_HEIGHT,
        app_url: Optional[str] = None,
        timeout_ms: int = DEFAULT_TIMEOUT,
        other: Optional["MemoryRecording"] = None,
    ) -> str:
        """An HTML snippet showing this recording (with ``other`` merged in) in the web
        viewer; flushes first (blocking). The viewer and the data are inline, so the snippet
        needs no network and survives exporting the notebook; with ``app_url``, or while
        `start_web_viewer_server` runs, the viewer is loaded from there instead. If the viewer
        has not drawn within ``timeout_ms``, the snippet says why and what to do."""
        return self._handle.as_html(
            width, height, app_url, timeout_ms, other._handle if other is not None else None
        )

    def show(
        self,
        *,
        other: Optional["MemoryRecording"] = None,
        width: int = DEFAULT_WIDTH,
        height: int = DEFAULT_HEIGHT,
        app_url: Optional[str] = None,
        timeout_ms: int = DEFAULT_TIMEOUT,
    ) -> None:
        """Displays `as_html` in the notebook (through IPython)."""
        try:
            from IPython.display import HTML, display
        except ImportError as e:
            raise ImportError(
                "MemoryRecording.show() needs IPython (run it in a notebook); "
                "use as_html() to get the HTML instead"
            ) from e
        display(HTML(self.as_html(width=width, height=height, app_url=app_url, timeout_ms=timeout_ms, other=other)))

    def _repr_html_(self) -> str:
        return self.as_html()


class Recording:
    """A recording read back with `load_recording`."""

    def __init__(self, loaded: "_reel.LoadedRecording") -> None:
        self._loaded = loaded

    @property
    def application_id(self) -> Optional[str]:
        """The application id of the recording."""
        return self._loaded.application_id

    @property
    def recording_id(self) -> Optional[str]:
        """The recording id."""
        return self._loaded.recording_id

    @property
    def memory_bytes(self) -> int:
        """Bytes of memory the recording's data occupies once loaded (every buffer
        counted once)."""
        return self._loaded.memory_bytes()

    def entity_paths(self) -> list:
        """Every entity that has data, sorted."""
        return self._loaded.entity_paths()

    def timelines(self) -> list:
        """The timelines as ``(name, type)`` pairs; type is sequence, time or duration."""
        return self._loaded.timelines()

    def to_arrow(self, entity_path: str) -> "Any":
        """The entity's rows as a pyarrow Table: one row per logged row, one column per
        timeline (null for timeless rows), one column per component (a list per row; null
        where the row did not log it, empty where it cleared it)."""
        import pyarrow as pa

        return pa.RecordBatchReader.from_stream(self._loaded.to_arrow(entity_path)).read_all()

    def view(self, *, index: str, contents: "str | Sequence[str] | Mapping[str, Any]" = "/**") -> "RecordingView":
        """A dataframe view: one row per value of the timeline ``index``, one column per
        (entity, component) of ``contents``, named ``/entity/path:ComponentShortName``.

        ``contents`` is a path expression (``"/world/**"`` for a subtree, ``"/world/points"``
        for one entity, several separated by spaces, a leading ``-`` to exclude) or a dict of
        entity path to component names (short or full; ``None`` or ``[]`` for all)."""
        if isinstance(contents, str):
            exprs, explicit = contents.split(), None
        elif isinstance(contents, Mapping):
            explicit = {}
            for path, comps in contents.items():
                if comps is None:
                    comps = []
                elif isinstance(comps, str):
                    comps = [comps]
                explicit[str(path)] = [str(c) for c in comps]
            exprs = None
        else:
            exprs, explicit = [str(c) for c in contents], None
        view = RecordingView(self._loaded, index, exprs, explicit)
        view.schema()  # Fail now on an unknown timeline or a bad expression.
        return view

    def latest_at(self, entity_path: str, timeline: str, time: "int | float") -> "Any":
        """The components of ``entity_path`` at ``time`` on ``timeline`` as a one-row
        pyarrow Table (the timeline, then ``/entity:ComponentShortName`` columns). ``time``
        is a sequence number or nanoseconds; a float is taken as seconds."""
        import pyarrow as pa

        raw = int(round(time * 1e9)) if isinstance(time, float) else int(time)
        return pa.RecordBatchReader.from_stream(self._loaded.latest_at(entity_path, timeline, raw)).read_all()


def _index_ints(values: "Any") -> list:
    """Index values (ints, a numpy or pyarrow array, datetimes as numpy datetime64) as ints."""
    if hasattr(values, "to_numpy") and not hasattr(values, "dtype"):
        values = values.to_numpy()
    if hasattr(values, "dtype") and getattr(values.dtype, "kind", "") in "mM":
        values = values.astype("int64")
    if hasattr(values, "tolist"):
        values = values.tolist()
    return [int(v) for v in values]


class RecordingView:
    """A dataframe view of a loaded recording. Every filter returns a new view; `select`
    runs the query."""

    def __init__(self, loaded: "Any", index: str, exprs: "Optional[list]", explicit: "Optional[dict]") -> None:
        self._loaded = loaded
        self._index = index
        self._exprs = exprs
        self._explicit = explicit
        self._range: "Optional[tuple]" = None
        self._filter_values: "Optional[list]" = None
        self._using_values: "Optional[list]" = None
        self._fill = False

    def _with(self, **changes: "Any") -> "RecordingView":
        view = copy.copy(self)
        for key, value in changes.items():
            setattr(view, key, value)
        return view

    def schema(self) -> list:
        """The column names: the index, then one per (entity, component)."""
        return self._loaded.view_columns(self._index, self._exprs, self._explicit)

    def filter_range_sequence(self, start: int, end: int) -> "RecordingView":
        """Keeps rows whose sequence index lies in ``[start, end]``."""
        return self._with(_range=(int(start), int(end)))

    def filter_range_secs(self, start: float, end: float) -> "RecordingView":
        """Keeps rows whose time index lies in ``[start, end]`` seconds."""
        return self._with(_range=(int(round(start * 1e9)), int(round(end * 1e9))))

    def filter_range_nanos(self, start: int, end: int) -> "RecordingView":
        """Keeps rows whose time index lies in ``[start, end]`` nanoseconds."""
        return self._with(_range=(int(start), int(end)))

    def filter_index_values(self, values: "Any") -> "RecordingView":
        """Keeps only rows whose index is one of ``values``."""
        return self._with(_filter_values=_index_ints(values))

    def using_index_values(self, values: "Any") -> "RecordingView":
        """Uses exactly ``values`` as the rows (usually with `fill_latest_at`)."""
        return self._with(_using_values=_index_ints(values))

    def fill_latest_at(self) -> "RecordingView":
        """Fills each cell with the latest value at or before its row's index."""
        return self._with(_fill=True)

    def select(self, *columns: str) -> "Any":
        """Runs the view; returns a ``pyarrow.RecordBatchReader``. Without ``columns``
        every column is returned. Batches are computed as they are read, so reading them
        one by one holds one batch at a time."""
        import pyarrow as pa

        stream = self._loaded.view_select(
            self._index,
            self._exprs,
            self._explicit,
            self._range,
            self._filter_values,
            self._using_values,
            self._fill,
            [str(c) for c in columns],
        )
        return pa.RecordBatchReader.from_stream(stream)


def load_recording(path_or_bytes: "str | os.PathLike[str] | bytes") -> Recording:
    """Reads a recording from a file or from bytes of the reel format. A truncated or partly
    corrupt input loads everything before the damage and warns once."""
    if isinstance(path_or_bytes, (bytes, bytearray, memoryview)):
        loaded = _reel.load(bytes(path_or_bytes))
    else:
        # Read in Rust as the file streams in: its bytes are never held whole.
        loaded = _reel.load_file(os.fspath(path_or_bytes))
    if loaded.error is not None:
        warnings.warn(f"the recording is damaged; loaded what came before: {loaded.error}", ReelWarning, stacklevel=2)
    return Recording(loaded)


def _default_recording_id(application_id: str) -> str:
    """``REEL_RECORDING_ID``, else an id derived from this process's multiprocessing
    authkey and the application id: processes started with multiprocessing share it."""
    env = os.environ.get("REEL_RECORDING_ID")
    if env:
        return env
    authkey = bytes(multiprocessing.current_process().authkey)
    digest = hashlib.sha256(authkey + application_id.encode("utf-8")).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


def new_recording(
    *,
    application_id: str,
    recording_id: Optional[str] = None,
    make_default: bool = False,
    make_thread_default: bool = False,
    spawn: bool = False,
    default_enabled: bool = True,
) -> RecordingStream:
    """Creates a recording of ``application_id``.

    ``recording_id`` defaults to one derived from ``multiprocessing.current_process().authkey``
    (so multiprocessing children share it); ``make_default`` / ``make_thread_default`` make
    it the global / thread default; ``spawn`` starts a server and streams to it;
    ``default_enabled`` is overridden by ``REEL=on|off``.
    """
    rid = recording_id if recording_id is not None else _default_recording_id(application_id)
    version = "{}.{}.{}".format(*sys.version_info[:3])
    rec = RecordingStream(_reel.new_recording(application_id, str(rid), default_enabled, version))
    if make_default:
        set_global_data_recording(rec)
    if make_thread_default:
        set_thread_local_data_recording(rec)
    if spawn:
        rec.spawn()
    return rec


def init(
    application_id: str,
    recording_id: Optional[str] = None,
    spawn: bool = False,
    init_logging: bool = True,
    default_enabled: bool = True,
    strict: bool = False,
) -> None:
    """Creates a recording and makes it the global default (see `new_recording`).

    ``init_logging=False`` silences reel's own diagnostics on stderr; ``strict`` sets the
    default strict mode (`set_strict_mode`).
    """
    _reel.set_stderr_diagnostics(bool(init_logging))
    set_strict_mode(strict)
    new_recording(
        application_id=application_id,
        recording_id=recording_id,
        make_default=True,
        spawn=spawn,
        default_enabled=default_enabled,
    )


def _wrap(handle: Any) -> Optional[RecordingStream]:
    return None if handle is None else RecordingStream(handle)


def get_global_data_recording() -> Optional[RecordingStream]:
    """Returns the currently active global recording, if any."""
    return _wrap(_reel.get_global())


def get_thread_local_data_recording() -> Optional[RecordingStream]:
    """Returns the currently active thread-local recording, if any."""
    return _wrap(_reel.get_thread_local())


def set_global_data_recording(recording: Optional[RecordingStream]) -> Optional[RecordingStream]:
    """Replaces the currently active global recording; returns the previous one."""
    return _wrap(_reel.set_global(None if recording is None else recording._handle))


def set_thread_local_data_recording(recording: Optional[RecordingStream]) -> Optional[RecordingStream]:
    """Replaces the currently active thread-local recording; returns the previous one."""
    return _wrap(_reel.set_thread_local(None if recording is None else recording._handle))


def get_data_recording(recording: Optional[RecordingStream] = None) -> Optional[RecordingStream]:
    """The most appropriate recording to log to: ``recording`` if given, else the thread's,
    else the global one, else None."""
    if recording is not None:
        return recording
    # Remembered per thread until a default is replaced anywhere: the lookup (two native
    # calls and a wrapper) was a third of a module-level set_time_sequence.
    generation = _reel.defaults_generation()
    cached = _default_cache
    if getattr(cached, "generation", None) == generation:
        return cached.recording  # type: ignore[no-any-return]
    rec = _wrap(_reel.get_thread_local() or _reel.get_global())
    cached.generation, cached.recording = generation, rec
    return rec


_default_cache = threading.local()


def _module_function(method: Callable[..., Any], default: Any = None, positional: bool = False) -> Callable[..., Any]:
    """The module-level twin of a `RecordingStream` method: same parameters plus
    ``recording=None``; uses `get_data_recording` and does nothing without a recording.

    With ``positional``, ``recording`` may also be passed by position after the method's
    parameters (``is_enabled(rec)``, ``save(path, rec)``), as the reference's signatures of
    these functions allow; otherwise it is keyword-only, as for the log functions."""
    sig = inspect.signature(method)
    params = list(sig.parameters.values())[1:]
    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD if positional else inspect.Parameter.KEYWORD_ONLY
    params.append(inspect.Parameter("recording", kind, default=None))
    own = len(params) - 1

    name = method.__name__
    # A lenient log method's body, called here directly (one forwarding of the arguments
    # less) when the recording is a plain `RecordingStream`, with `_log._lenient`'s check.
    body = getattr(method, "_lenient_body", None)

    @functools.wraps(method)
    def function(*args: Any, recording: Optional[RecordingStream] = None, **kwargs: Any) -> Any:
        if positional and len(args) > own:
            if recording is not None or len(args) > own + 1:
                raise TypeError(f"{name}() takes at most {own + 1} positional arguments")
            *args, recording = args  # type: ignore[assignment]
        if recording is None:
            # `get_data_recording` inlined for its common case: every log call passes here.
            cached = _default_cache
            if getattr(cached, "generation", None) == _reel.defaults_generation():
                recording = cached.recording
            else:
                recording = get_data_recording()
            if recording is None:
                return default
        if body is not None and type(recording) is RecordingStream:
            if not recording._handle.is_enabled():
                return None
            try:
                return body(recording, *args, **kwargs)
            except _log._BAD_INPUT as e:
                return _handle_bad_input(e, None, stacklevel=3)
        return getattr(recording, name)(*args, **kwargs)

    function.__signature__ = sig.replace(parameters=params)  # type: ignore[attr-defined]
    del function.__wrapped__  # the signature above is the truth, not the method's
    return function


_log._bind(
    _handle_bad_input=_handle_bad_input,
    _ext_batches=_ext_batches,
    _pairs=_pairs,
    _repaired_path=_repaired_path,
)

is_enabled = _module_function(RecordingStream.is_enabled, default=False, positional=True)
get_recording_id = _module_function(RecordingStream.get_recording_id, positional=True)
get_application_id = _module_function(RecordingStream.get_application_id, positional=True)
connect = _module_function(RecordingStream.connect, positional=True)
spawn = _module_function(RecordingStream.spawn, positional=True)
save = _module_function(RecordingStream.save, positional=True)
stdout = _module_function(RecordingStream.stdout, positional=True)
memory_recording = _module_function(RecordingStream.memory_recording, positional=True)
serve = _module_function(RecordingStream.serve, positional=True)
disconnect = _module_function(RecordingStream.disconnect, positional=True)
flush = _module_function(RecordingStream.flush, positional=True)
set_time_sequence = _module_function(RecordingStream.set_time_sequence, positional=True)
set_time_seconds = _module_function(RecordingStream.set_time_seconds, positional=True)
set_time_nanos = _module_function(RecordingStream.set_time_nanos, positional=True)
reset_time = _module_function(RecordingStream.reset_time, positional=True)
log_components = _module_function(RecordingStream.log_components)
log_points = _module_function(RecordingStream.log_points)
log_scalar = _module_function(RecordingStream.log_scalar)
log_text_entry = _module_function(RecordingStream.log_text_entry)
log = _module_function(RecordingStream.log)
log_point = _module_function(RecordingStream.log_point)
log_rect = _module_function(RecordingStream.log_rect)
log_rects = _module_function(RecordingStream.log_rects)
log_obb = _module_function(RecordingStream.log_obb)
log_obbs = _module_function(RecordingStream.log_obbs)
log_line_strip = _module_function(RecordingStream.log_line_strip)
log_line_strips_2d = _module_function(RecordingStream.log_line_strips_2d)
log_line_strips_3d = _module_function(RecordingStream.log_line_strips_3d)
log_line_segments = _module_function(RecordingStream.log_line_segments)
log_arrow = _module_function(RecordingStream.log_arrow)
log_mesh = _module_function(RecordingStream.log_mesh)
log_meshes = _module_function(RecordingStream.log_meshes)
log_mesh_file = _module_function(RecordingStream.log_mesh_file)
log_image = _module_function(RecordingStream.log_image)
log_image_file = _module_function(RecordingStream.log_image_file)
log_depth_image = _module_function(RecordingStream.log_depth_image)
log_segmentation_image = _module_function(RecordingStream.log_segmentation_image)
log_tensor = _module_function(RecordingStream.log_tensor)
log_transform3d = _module_function(RecordingStream.log_transform3d)
log_rigid3 = _module_function(RecordingStream.log_rigid3)
log_pinhole = _module_function(RecordingStream.log_pinhole)
log_view_coordinates = _module_function(RecordingStream.log_view_coordinates)
log_disconnected_space = _module_function(RecordingStream.log_disconnected_space)
log_annotation_context = _module_function(RecordingStream.log_annotation_context)
log_cleared = _module_function(RecordingStream.log_cleared)
log_extension_components = _module_function(RecordingStream.log_extension_components)


def start_web_viewer_server(port: int = 0) -> str:
    """Hosts the web viewer over HTTP on ``port`` of loopback (0: a free port) — the viewer
    only, no data. While it runs, `MemoryRecording.as_html` loads the viewer from it instead of
    embedding it (smaller notebooks). Returns (and prints) its URL; it runs until the process
    exits."""
    url = _reel.start_web_viewer_server(port)
    print(f"reel: web viewer hosted at {url}", file=sys.stderr)
    return url


def version() -> str:
    """The package and its version, e.g. ``reel 0.1.0``."""
    return f"reel {__version__}"


def reel_shutdown() -> None:
    """Flushes and closes every recording (files get their end frame) and stops the web
    servers this process started. Runs by itself at interpreter exit."""
    _reel.shutdown_all()


def unregister_shutdown() -> None:
    """Stops reel from flushing at interpreter exit, for programs that call
    `reel_shutdown` themselves."""
    _atexit.unregister(_reel.shutdown_all)


def cleanup_if_forked_child() -> None:
    """Makes recordings inherited through ``fork()`` inert in the child. reel does this by
    itself at every fork (a native fork hook and ``os.register_at_fork``), so calling it is
    never needed and always harmless; it exists for scripts written for the reference."""


def shutdown_at_exit(func: Callable[..., Any]) -> Callable[..., Any]:
    """Decorator: when ``func`` returns (or raises), flushes and closes every recording.
    For multiprocessing targets, whose processes end without running exit hooks."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        finally:
            _reel.shutdown_all()

    return wrapper


def script_add_args(parser: Any) -> None:
    """Adds reel's standard script flags to an ``argparse`` parser: ``--headless``,
    ``--connect``, ``--serve``, ``--addr ADDR`` and ``--save PATH`` (see `script_setup`)."""
    parser.add_argument("--headless", action="store_true", help="Don't show the viewer: log without one")
    parser.add_argument("--connect", dest="connect", action="store_true", help="Connect to a running viewer or reel serve")
    parser.add_argument("--serve", dest="serve", action="store_true", help="Serve the web viewer and the data to browsers")
    parser.add_argument("--addr", type=str, default=None, help="Connect to this host:port")
    parser.add_argument("--save", type=str, default=None, help="Save the recording to this .reel file")


def script_setup(args: Any, application_id: str, recording_id: Optional[str] = None) -> RecordingStream:
    """Creates the global recording (strict) for a script and sends it where the flags of
    `script_add_args` say, first match wins: ``--serve`` the web viewer, ``--connect`` (to
    ``--addr`` or the default address), ``--save PATH``, else a viewer unless ``--headless``.
    Returns the recording."""
    init(application_id=application_id, recording_id=recording_id, default_enabled=True, strict=True)
    rec = get_global_data_recording()
    assert rec is not None  # init just made it
    if getattr(args, "serve", False):
        rec.serve()
    elif getattr(args, "connect", False) or getattr(args, "addr", None):
        rec.connect(getattr(args, "addr", None))
    elif getattr(args, "save", None) is not None:
        rec.save(args.save)
    elif not getattr(args, "headless", False):
        rec.spawn()
    return rec


def script_teardown(args: Any) -> None:
    """Ends a script started with `script_setup`: with ``--serve``, keeps serving until
    Ctrl-C (the page keeps its data only while this process lives)."""
    if getattr(args, "serve", False):
        import time

        print("reel: serving the web viewer; press Ctrl-C to stop", file=sys.stderr)
        try:
            while True:
                time.sleep(1)
        except KeyboardInterrupt:
            print("reel: stopped", file=sys.stderr)


class LoggingHandler(logging.Handler):
    """A `logging.Handler` that records every log record as a text log entry, under the
    logger's name (dots become path separators), below an optional ``path_prefix``."""

    # The standard levels by the names text logs use; any other level (one registered with
    # `logging.addLevelName`, or a bare number) keeps the record's own level name.
    _LEVELS = {
        logging.CRITICAL: "CRITICAL",
        logging.ERROR: "ERROR",
        logging.WARNING: "WARN",
        logging.INFO: "INFO",
        logging.DEBUG: "DEBUG",
    }

    def __init__(self, path_prefix: Optional[str] = None) -> None:
        """``path_prefix``: a common prefix for every entity path (default none)."""
        super().__init__()
        self.path_prefix = path_prefix
        # Entity path per (prefix, logger name): loggers are few, records many.
        self._paths: dict = {}

    def emit(self, record: logging.LogRecord) -> None:
        """Records ``record`` as a text log entry."""
        try:
            rec = get_data_recording()
            if rec is None:
                return
            key = (self.path_prefix, record.name)
            path = self._paths.get(key)
            if path is None:
                path = record.name.replace(".", "/")
                if self.path_prefix:
                    path = f"{self.path_prefix.rstrip('/')}/{path}"
                self._paths[key] = path
            rec.log_text_entry(path, record.getMessage(), level=self._LEVELS.get(record.levelno, record.levelname))
        except Exception:  # a logging handler must not raise
            self.handleError(record)
