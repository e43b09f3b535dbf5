"""The reference page, line by line: each documented behaviour has a test, and recordings
are read back to check values, not just that no error was raised."""

from __future__ import annotations

import inspect
import logging
import multiprocessing
import os
import subprocess
import sys
import threading
import warnings

import numpy as np
import pytest

import reel as rr


@pytest.fixture(autouse=True)
def clean_defaults():
    """Every test starts without default recordings and with strict mode unset."""
    rr.set_global_data_recording(None)
    rr.set_thread_local_data_recording(None)
    rr._strict_mode = None
    yield
    rr.set_global_data_recording(None)
    rr.set_thread_local_data_recording(None)
    rr._strict_mode = None


def memory(app: str = "test", **kwargs):
    rec = rr.new_recording(application_id=app, **kwargs)
    return rec, rec.memory_recording()


def column(mem, entity: str, name: str) -> list:
    table = rr.load_recording(mem.drain_as_bytes()).to_arrow(entity)
    return table.column(name).to_pylist()


def run_python(code: str, env: dict | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=full_env, timeout=120)


# -- new_recording and init --------------------------------------------------------------


def test_new_recording_signature_matches_the_reference():
    sig = inspect.signature(rr.new_recording)
    assert list(sig.parameters) == [
        "application_id",
        "recording_id",
        "make_default",
        "make_thread_default",
        "spawn",
        "default_enabled",
    ]
    assert all(p.kind == p.KEYWORD_ONLY for p in sig.parameters.values())
    defaults = {k: p.default for k, p in sig.parameters.items() if k != "application_id"}
    assert defaults == {
        "recording_id": None,
        "make_default": False,
        "make_thread_default": False,
        "spawn": False,
        "default_enabled": True,
    }
    init = inspect.signature(rr.init)
    assert [(k, p.default) for k, p in init.parameters.items()][1:] == [
        ("recording_id", None),
        ("spawn", False),
        ("init_logging", True),
        ("default_enabled", True),
        ("strict", False),
    ]


def test_make_default_and_make_thread_default():
    plain = rr.new_recording(application_id="a")
    assert rr.get_global_data_recording() is None and rr.get_thread_local_data_recording() is None
    glob = rr.new_recording(application_id="a", make_default=True)
    assert rr.get_global_data_recording() == glob
    local = rr.new_recording(application_id="a", make_thread_default=True)
    assert rr.get_thread_local_data_recording() == local
    assert plain != glob


def test_explicit_recording_id_wins_and_default_follows_the_authkey():
    assert rr.new_recording(application_id="x", recording_id="mine").get_recording_id() == "mine"
    a = rr.new_recording(application_id="x").get_recording_id()
    b = rr.new_recording(application_id="x").get_recording_id()
    c = rr.new_recording(application_id="y").get_recording_id()
    assert a == b, "same process and application: same default id"
    assert a != c, "the application id is part of the default"
    import uuid

    assert uuid.UUID(a).version == 4


def _child_recording_id(queue):
    queue.put(rr.new_recording(application_id="mp").get_recording_id())


def test_multiprocessing_children_share_the_default_recording_id():
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_child_recording_id, args=(queue,)) for _ in range(2)]
    for p in procs:
        p.start()
    ids = [queue.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    assert ids[0] == ids[1] == rr.new_recording(application_id="mp").get_recording_id()


def test_default_enabled_and_the_reel_env_var():
    off = rr.new_recording(application_id="x", default_enabled=False)
    assert not off.is_enabled()
    mem = off.memory_recording()
    off.log_points("p", [[0, 0, 0]])
    assert mem.num_msgs() == 0
    code = "import reel as rr; print(rr.new_recording(application_id='e', default_enabled={}).is_enabled())"
    for value, default, expected in [("off", True, "False"), ("0", True, "False"), ("on", False, "True"), ("1", False, "True")]:
        out = run_python(code.format(default), {"REEL": value})
        assert out.stdout.strip() == expected, (value, out.stderr)


def test_init_makes_a_global_recording_with_strict_default():
    rr.init("init_app", recording_id="rid", strict=True)
    rec = rr.get_global_data_recording()
    assert rec is not None and rec.get_recording_id() == "rid"
    assert rr.get_recording_id() == "rid"
    with pytest.raises(ValueError):
        rr.log_points("p", [[0, 0, 0], [1, 1, 1]], radii=[1, 2, 3])


# -- default recordings ------------------------------------------------------------------


def test_get_data_recording_precedence():
    assert rr.get_data_recording() is None
    glob = rr.new_recording(application_id="g", make_default=True)
    assert rr.get_data_recording() == glob
    local = rr.new_recording(application_id="l", make_thread_default=True)
    assert rr.get_data_recording() == local
    explicit = rr.new_recording(application_id="e")
    assert rr.get_data_recording(explicit) == explicit
    assert rr.set_thread_local_data_recording(None) == local
    assert rr.get_data_recording() == glob
    assert rr.set_global_data_recording(None) == glob
    assert rr.get_data_recording() is None


def test_functions_without_a_recording_do_nothing():
    assert rr.is_enabled() is False
    assert rr.get_recording_id() is None
    rr.log_points("p", [[0, 0, 0]])
    rr.set_time_sequence("frame", 1)


def test_with_sets_the_thread_default_across_threads_and_flushes():
    rec, mem = memory("with")
    other, _ = memory("other")
    seen = {}
    with rr.new_recording(application_id="outer") as outer:
        with rec:
            assert rr.get_thread_local_data_recording() == rec
            rr.log_scalar("s", 1.0)

            def worker():
                seen["thread"] = rr.get_thread_local_data_recording()
                with other:
                    seen["inner"] = rr.get_thread_local_data_recording()
                seen["after"] = rr.get_thread_local_data_recording()

            t = threading.Thread(target=worker)
            t.start()
            t.join()
        assert rr.get_thread_local_data_recording() == outer, "restored on exit"
    assert rr.get_thread_local_data_recording() is None
    assert seen == {"thread": None, "inner": other, "after": None}, "thread defaults are per thread"
    assert column(mem, "s", "reel.components.Scalar") == [[1.0]]


def test_recording_streams_copy_and_share():
    import copy

    rec, mem = memory("copy")
    clone = copy.copy(rec)
    deep = copy.deepcopy(rec)
    assert clone == rec == deep
    threads = [threading.Thread(target=lambda i=i: clone.log_scalar("s", float(i))) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(v[0] for v in column(mem, "s", "reel.components.Scalar")) == [float(i) for i in range(8)]


# -- every recording= function is a method ----------------------------------------------


def test_functions_with_recording_are_methods():
    for name in [
        "is_enabled",
        "get_recording_id",
        "connect",
        "spawn",
        "save",
        "stdout",
        "memory_recording",
        "serve",
        "disconnect",
        "flush",
        "set_time_seconds",
        "set_time_sequence",
        "set_time_nanos",
        "reset_time",
        "log_points",
        "log_scalar",
        "log_text_entry",
        "log_components",
    ]:
        function = getattr(rr, name)
        method = getattr(rr.RecordingStream, name)
        params = list(inspect.signature(function).parameters)
        assert params[-1] == "recording", name
        assert params[:-1] == list(inspect.signature(method).parameters)[1:], name
        assert name in " ".join(dir(rr.RecordingStream))


def test_sink_and_time_defaults_match_the_reference():
    assert inspect.signature(rr.connect).parameters["addr"].default is None
    assert inspect.signature(rr.connect).parameters["flush_timeout_sec"].default == 2.0
    spawn = inspect.signature(rr.spawn).parameters
    assert (spawn["port"].default, spawn["connect"].default, spawn["memory_limit"].default) == (9876, True, "75%")


def test_web_signatures_match_the_reference():
    serve = inspect.signature(rr.serve).parameters
    assert [(p.name, p.default) for p in serve.values()][:3] == [
        ("open_browser", True),
        ("web_port", None),
        ("ws_port", None),
    ]
    port = inspect.signature(rr.start_web_viewer_server).parameters["port"]
    assert (port.default, port.kind) == (0, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    expected = {
        "width": rr.DEFAULT_WIDTH,
        "height": rr.DEFAULT_HEIGHT,
        "app_url": None,
        "timeout_ms": rr.DEFAULT_TIMEOUT,
        "other": None,
    }
    for method in (rr.MemoryRecording.as_html, rr.MemoryRecording.show):
        params = list(inspect.signature(method).parameters.values())[1:]
        assert all(p.kind == inspect.Parameter.KEYWORD_ONLY for p in params), method
        assert {p.name: p.default for p in params} == expected, method
    assert (rr.DEFAULT_WIDTH, rr.DEFAULT_HEIGHT) == (950, 712)


def test_as_html_flushes_and_carries_the_recording():
    rec = rr.new_recording(application_id="html")
    mem = rec.memory_recording()
    rec.log_scalar("s", 1.0)  # still in the batcher: as_html must flush it
    html = mem.as_html(width=300, height=200)
    assert html.startswith('<div class="reel-viewer"') and 'width="300" height="200"' in html
    assert mem._repr_html_().count("srcdoc") == 1
    assert mem.num_msgs() >= 2, "as_html reads without draining"


def test_time_functions_stamp_rows():
    rec, mem = memory("time")
    rec.set_time_sequence("frame", 7)
    rec.set_time_seconds("sensor", 1.5)
    rec.set_time_nanos("exact", 42)
    rec.log_scalar("s", 1.0)
    rec.reset_time()
    rec.log_scalar("s", 2.0)
    table = rr.load_recording(mem.drain_as_bytes()).to_arrow("s")
    assert table.column("frame").to_pylist() == [7, None]
    assert table.column("sensor").cast("int64").to_pylist() == [1_500_000_000, None]
    assert table.column("exact").cast("int64").to_pylist() == [42, None]


def test_save_writes_a_whole_file(tmp_path):
    rec = rr.new_recording(application_id="save")
    rec.log_scalar("s", 1.0)
    path = tmp_path / "out.reel"
    rec.save(path)
    rec.log_scalar("s", 2.0)
    rec.flush(blocking=True)
    del rec
    import gc

    gc.collect()
    loaded = rr.load_recording(path)
    assert loaded.application_id == "save"
    assert loaded.to_arrow("s").column("reel.components.Scalar").to_pylist() == [[1.0], [2.0]]


# -- log_components ----------------------------------------------------------------------


def test_log_components_signature():
    sig = inspect.signature(rr.log_components)
    assert [(k, p.default) for k, p in sig.parameters.items()] == [
        ("entity_path", inspect.Parameter.empty),
        ("components", inspect.Parameter.empty),
        ("num_instances", None),
        ("timeless", False),
        ("strict", None),
        ("recording", None),
    ]


def test_log_components_splat_clear_and_num_instances():
    rec, mem = memory("components")
    c = rr.components
    rec.log_components("p", [c.Position3DBatch(np.zeros((3, 3))), c.ColorBatch([255, 0, 0]), c.RadiusBatch([])])
    rec.log_components("p", [c.ColorBatch([0, 0, 255])], num_instances=5)
    rec.log_components("static", [c.TextBatch(["a", "b"])], timeless=True)
    b = mem.drain_as_bytes()
    table = rr.load_recording(b).to_arrow("p")
    positions = table.column("reel.components.Position3D").to_pylist()
    assert len(positions[0]) == 3 and positions[1] is None, "absent in the second row"
    assert table.column("reel.components.Color").to_pylist() == [[0xFF0000FF], [0x0000FFFF]], "splats"
    assert table.column("reel.components.Radius").to_pylist()[0] == [], "a clear"
    static = rr.load_recording(b).to_arrow("static")
    assert static.column_names == ["reel.components.Text"], "a timeless row is on no timeline"
    assert static.column("reel.components.Text").to_pylist() == [["a", "b"]]


def test_log_components_mismatch_strict_and_lenient():
    rec, mem = memory("mismatch")
    c = rr.components
    bad = [c.Position3DBatch(np.zeros((3, 3))), c.RadiusBatch([1.0, 2.0])]
    with pytest.raises(ValueError, match="Radius"):
        rec.log_components("p", bad, strict=True)
    with pytest.raises(ValueError, match="5 instances"):
        rec.log_components("p", [c.Position3DBatch(np.zeros((5, 3)))], num_instances=2, strict=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rec.log_components("p", bad, strict=False)
    assert len(caught) == 1 and issubclass(caught[0].category, rr.ReelWarning)
    rr.set_strict_mode(True)
    with pytest.raises(ValueError):
        rec.log_components("p", bad)
    rr.set_strict_mode(False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rec.log_components("p", bad)
    assert len(caught) == 1
    assert mem.num_msgs() == 1, "only the store info: nothing was logged"


def test_log_components_accepts_user_components_and_rejects_non_batches():
    import pyarrow as pa

    class Temperature:
        def component_name(self):
            return "my.Temperature"

        def as_arrow_array(self):
            return pa.array([20.5, 21.0])

    rec, mem = memory("user")
    rec.log_components("room", [Temperature()])
    with pytest.raises(TypeError, match="component batch"):
        rec.log_components("room", [42], strict=True)
    assert column(mem, "room", "my.Temperature") == [[20.5, 21.0]]


def test_strict_env_var():
    code = "import reel as rr; rec = rr.new_recording(application_id='s'); rec.log_components('p', [rr.components.RadiusBatch([1.0]), rr.components.Position3DBatch([[0,0,0],[1,1,1],[2,2,2]]), rr.components.ColorBatch([[1,2,3],[4,5,6]])])"
    assert run_python(code, {"REEL_STRICT": "on"}).returncode != 0
    assert run_python(code, {"REEL_STRICT": "off"}).returncode == 0


def test_bad_shapes_and_dtypes():
    rec, _ = memory("bad")
    with pytest.raises(ValueError, match=r"\(N, 2\) or \(N, 3\)"):
        rr.set_strict_mode(True)
        rec.log_points("p", np.zeros((4, 5)))
    with pytest.raises(TypeError, match="integers"):
        rec.log_points("p", np.zeros((1, 3)), class_ids=[1.5])


# -- micro-batching environment ----------------------------------------------------------


def test_flush_env_vars_shape_the_chunks():
    code = (
        "import reel as rr\n"
        "rec = rr.new_recording(application_id='b'); mem = rec.memory_recording()\n"
        "for i in range(7): rec.log_scalar('s', float(i))\n"
        "print(mem.num_msgs())\n"
    )
    base = {"REEL_FLUSH_TICK_SECS": "1000"}
    assert run_python(code, base).stdout.strip() == "2", "one chunk of 7 rows at the final flush"
    assert run_python(code, {**base, "REEL_FLUSH_NUM_ROWS": "3"}).stdout.strip() == "4", "3 + 3 + 1"
    assert run_python(code, {**base, "REEL_FLUSH_NUM_BYTES": "1"}).stdout.strip() == "8", "one chunk per row"
    out = run_python(code, {**base, "REEL_FLUSH_NUM_BYTES": "lots"})
    assert out.stdout.strip() == "2" and "REEL_FLUSH_NUM_BYTES" in out.stderr, "bad values warn and default"


# -- MemoryRecording ---------------------------------------------------------------------


def test_num_msgs_flushes_first():
    code = (
        "import reel as rr\n"
        "rec = rr.new_recording(application_id='n'); mem = rec.memory_recording()\n"
        "rec.log_scalar('s', 1.0)\n"
        "print(mem.num_msgs())\n"
    )
    assert run_python(code, {"REEL_FLUSH_TICK_SECS": "1000"}).stdout.strip() == "2"


def test_reset_data_and_reset_blueprint():
    rec, mem = memory("reset")
    rec.log_scalar("s", 1.0)
    assert mem.num_msgs() == 2
    mem.reset_data()
    assert mem.num_msgs() == 1, "the store info stays"
    mem.reset_blueprint()
    assert mem.num_msgs() == 3, "a fresh blueprint's info and activation"
    mem.reset_blueprint(add_to_app_default_blueprint=True)
    assert mem.num_msgs() == 3, "the old blueprint is replaced"
    assert inspect.signature(mem.reset_blueprint).parameters["add_to_app_default_blueprint"].default is False
    loaded = rr.load_recording(mem.drain_as_bytes())
    assert loaded.entity_paths() == []


# -- LoggingHandler ----------------------------------------------------------------------


def test_logging_handler_levels_and_prefix():
    rec, mem = memory("logging")
    rr.set_global_data_recording(rec)
    logger = logging.getLogger("app.camera")
    logger.setLevel(logging.DEBUG)
    plain = rr.LoggingHandler()
    logger.addHandler(plain)
    try:
        logger.critical("c")
        logger.error("e")
        logger.warning("w")
        logger.info("i")
        logger.debug("d %s", "arg")
    finally:
        logger.removeHandler(plain)
    prefixed = rr.LoggingHandler("logs")
    other = logging.getLogger("motor")
    other.setLevel(logging.INFO)
    other.addHandler(prefixed)
    try:
        other.info("spin")
    finally:
        other.removeHandler(prefixed)
    assert isinstance(plain, logging.Handler)
    b = mem.drain_as_bytes()
    loaded = rr.load_recording(b)
    assert loaded.entity_paths() == ["app/camera", "logs/motor"]
    cam = loaded.to_arrow("app/camera")
    assert cam.column("reel.components.TextLogLevel").to_pylist() == [["CRITICAL"], ["ERROR"], ["WARN"], ["INFO"], ["DEBUG"]]
    assert cam.column("reel.components.Text").to_pylist()[-1] == ["d arg"]
    assert loaded.to_arrow("logs/motor").column("reel.components.Text").to_pylist() == [["spin"]]


def test_logging_handler_keeps_custom_level_names():
    rec, mem = memory("custom_levels")
    rr.set_global_data_recording(rec)
    logging.addLevelName(42, "IMPORTANT")
    logger = logging.getLogger("custom")
    logger.setLevel(1)
    handler = rr.LoggingHandler()
    logger.addHandler(handler)
    try:
        logger.log(42, "a")
        logger.log(25, "b")  # never named: logging calls it "Level 25"
        logger.log(logging.WARNING, "c")
    finally:
        logger.removeHandler(handler)
    levels = rr.load_recording(mem.drain_as_bytes()).to_arrow("custom").column("reel.components.TextLogLevel")
    assert levels.to_pylist() == [["IMPORTANT"], ["Level 25"], ["WARN"]]


# -- reading back ------------------------------------------------------------------------


def test_load_recording_of_a_truncated_file_warns_once(tmp_path):
    rec, mem = memory("damaged")
    for i in range(3):
        rec.set_time_sequence("frame", i)
        rec.log_scalar("s", float(i))
        rec.flush(blocking=True)
    data = mem.drain_as_bytes()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        loaded = rr.load_recording(data[:-40])
    assert len(caught) == 1
    values = loaded.to_arrow("s").column("reel.components.Scalar").to_pylist()
    assert values and values == [[float(i)] for i in range(len(values))]
    assert loaded.application_id == "damaged"
    assert ("frame", "sequence") in loaded.timelines()


# -- process life ------------------------------------------------------------------------


def test_exit_flushes_every_recording(tmp_path):
    path = tmp_path / "exit.reel"
    code = (
        "import reel as rr\n"
        "rr.init('exit')\n"
        f"rr.save({str(path)!r})\n"
        "for i in range(500):\n"
        "    rr.set_time_sequence('frame', i); rr.log_scalar('s', float(i))\n"
        # No flush, no disconnect: interpreter exit must deliver everything.
    )
    out = run_python(code, {"REEL_FLUSH_TICK_SECS": "1000"})
    assert out.returncode == 0, out.stderr
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the file must be whole: no damage warning
        table = rr.load_recording(path).to_arrow("s")
    assert table.column("frame").to_pylist() == list(range(500))


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_forked_child_neither_hangs_nor_flushes_twice(tmp_path):
    path = tmp_path / "fork.reel"
    code = (
        "import os, reel as rr\n"
        "rr.init('fork')\n"
        f"rr.save({str(path)!r})\n"
        "for i in range(100): rr.log_scalar('s', float(i))\n"
        "pid = os.fork()\n"
        "if pid == 0:\n"
        "    assert not rr.is_enabled(), 'inherited recordings are inert in the child'\n"
        "    rr.log_scalar('s', -1.0)\n"
        "    raise SystemExit(0)\n"  # a normal exit: runs the exit hooks, which must skip
        "_, status = os.waitpid(pid, 0)\n"
        "assert status == 0, status\n"
        "for i in range(100, 150): rr.log_scalar('s', float(i))\n"
    )
    out = run_python(code, {"REEL_FLUSH_TICK_SECS": "1000"})
    assert out.returncode == 0, out.stderr
    values = [v[0] for v in rr.load_recording(path).to_arrow("s").column("reel.components.Scalar").to_pylist()]
    assert values == [float(i) for i in range(150)], "every row once, none from the child"


def test_exit_with_zero_copy_numpy_data_neither_hangs_nor_loses_data(tmp_path):
    # Arrays imported from numpy are released by Rust threads, which needs the GIL: exit must
    # not deadlock with the main thread holding it while it closes the recording.
    path = tmp_path / "numpy.reel"
    code = (
        "import numpy as np, reel as rr\n"
        "rec = rr.new_recording(application_id='np')\n"
        f"rec.save({str(path)!r})\n"
        "for i in range(20):\n"
        "    rec.set_time_sequence('frame', i)\n"
        "    rec.log_points('cloud', np.random.rand(1000, 3).astype(np.float32), colors=[255, 0, 0])\n"
        # A one-row chunk keeps the imported numpy buffer itself; once the memory recording
        # is gone, closing the sink at exit frees it on the batcher thread.
        "mem_rec = rr.new_recording(application_id='np2')\n"
        "mem = mem_rec.memory_recording()\n"
        "mem_rec.log_points('cloud', np.random.rand(100000, 3).astype(np.float32), colors=[0, 255, 0])\n"
        "assert mem.num_msgs() == 2\n"
        "del mem\n"
    )
    out = run_python(code)
    assert out.returncode == 0, out.stderr
    table = rr.load_recording(path).to_arrow("cloud")
    assert table.column("frame").to_pylist() == list(range(20))

    # Handles dropped when a function returns (the shape that used to deadlock).
    code = (
        "import numpy as np, reel as rr\n"
        "def main():\n"
        "    rec = rr.new_recording(application_id='h')\n"
        "    mem = rec.memory_recording()\n"
        "    rec.log_points('cloud', np.random.rand(1_000_000, 3).astype(np.float32))\n"
        "    rec.flush(blocking=True)\n"
        "    return mem.num_msgs()\n"
        "print(main())\n"
    )
    out = run_python(code)
    assert out.returncode == 0 and out.stdout.strip() == "2", out.stderr


# -- the module namespace of the reference generation -----------------------------------

NAMESPACE = """
init new_recording RecordingStream get_data_recording get_global_data_recording
get_thread_local_data_recording set_global_data_recording set_thread_local_data_recording
is_enabled get_application_id get_recording_id version strict_mode set_strict_mode
connect spawn save stdout serve memory_recording disconnect start_web_viewer_server
MemoryRecording set_time_sequence set_time_seconds set_time_nanos reset_time log_rigid3
log_line_strips_2d log_line_strips_3d log_components LoggingHandler LogLevel AnnotationInfo
ClassDescription ImageFormat MeshFormat RectFormat Transform3D Translation3D Scale3D
Quaternion RotationAxisAngle Rigid3D TranslationAndMat3 TranslationRotationScale3D
script_add_args script_setup script_teardown shutdown_at_exit unregister_shutdown
cleanup_if_forked_child reel_shutdown
""".split()


def test_the_whole_namespace_exists():
    missing = [name for name in NAMESPACE if not hasattr(rr, name)]
    assert missing == []
    assert set(NAMESPACE) <= set(rr.__all__)


P, K = inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY

# name -> [(parameter, default, kind)], as the reference generation writes them; `recording`
# may be passed by position wherever the reference signature allows it.
SIGNATURES = {
    "is_enabled": [("recording", None, P)],
    "get_recording_id": [("recording", None, P)],
    "get_application_id": [("recording", None, P)],
    "get_data_recording": [("recording", None, P)],
    "save": [("path", inspect.Parameter.empty, P), ("recording", None, P)],
    "stdout": [("recording", None, P)],
    "disconnect": [("recording", None, P)],
    "memory_recording": [("recording", None, P)],
    "reset_time": [("recording", None, P)],
    "set_time_sequence": [("timeline", inspect.Parameter.empty, P), ("sequence", inspect.Parameter.empty, P), ("recording", None, P)],
    "set_time_seconds": [("timeline", inspect.Parameter.empty, P), ("seconds", inspect.Parameter.empty, P), ("recording", None, P)],
    "set_time_nanos": [("timeline", inspect.Parameter.empty, P), ("nanos", inspect.Parameter.empty, P), ("recording", None, P)],
    "start_web_viewer_server": [("port", 0, P)],
    "serve": [("open_browser", True, P), ("web_port", None, P), ("ws_port", None, P), ("recording", None, P)],
    "connect": [("addr", None, P), ("flush_timeout_sec", 2.0, P), ("recording", None, P)],
    "spawn": [("port", 9876, P), ("connect", True, P), ("memory_limit", "75%", P), ("recording", None, P)],
    "init": [
        ("application_id", inspect.Parameter.empty, P),
        ("recording_id", None, P),
        ("spawn", False, P),
        ("init_logging", True, P),
        ("default_enabled", True, P),
        ("strict", False, P),
    ],
    "new_recording": [
        ("application_id", inspect.Parameter.empty, K),
        ("recording_id", None, K),
        ("make_default", False, K),
        ("make_thread_default", False, K),
        ("spawn", False, K),
        ("default_enabled", True, K),
    ],
    "get_global_data_recording": [],
    "get_thread_local_data_recording": [],
    "set_global_data_recording": [("recording", inspect.Parameter.empty, P)],
    "set_thread_local_data_recording": [("recording", inspect.Parameter.empty, P)],
    "log_components": [
        ("entity_path", inspect.Parameter.empty, P),
        ("components", inspect.Parameter.empty, P),
        ("num_instances", None, K),
        ("timeless", False, K),
        ("strict", None, K),
        ("recording", None, K),
    ],
    # Methods (without self).
    "LoggingHandler.__init__": [("path_prefix", None, P)],
    "LoggingHandler.emit": [("record", inspect.Parameter.empty, P)],
    "MemoryRecording.num_msgs": [],
    "MemoryRecording.reset_data": [],
    "MemoryRecording.reset_blueprint": [("add_to_app_default_blueprint", False, K)],
}


def test_signatures_match_the_reference_table():
    for name, expected in SIGNATURES.items():
        owner, _, attr = name.rpartition(".")
        params = list(inspect.signature(getattr(getattr(rr, owner) if owner else rr, attr)).parameters.values())
        if owner:
            params = params[1:]
        got = [(p.name, p.default, p.kind) for p in params]
        assert got == expected, name


def test_recording_by_position_answers_for_that_recording():
    rr.init("positional_default")
    off = rr.new_recording(application_id="off", default_enabled=False)
    on = rr.new_recording(application_id="on")
    assert rr.is_enabled(off) is False and rr.is_enabled(on) is True
    assert rr.get_recording_id(on) == on.get_recording_id() != rr.get_recording_id()
    assert rr.get_application_id(on) == "on"
    assert rr.get_data_recording(on) is on
    mem = rr.memory_recording(on)
    rr.set_time_sequence("frame", 7, on)
    on.log_scalar("s", 1.0)
    assert mem.num_msgs() >= 2
    with pytest.raises(TypeError):
        rr.is_enabled(on, on)
    assert rr.version().startswith("reel ")


def test_transform_forms_and_log_rigid3():
    rec = rr.new_recording(application_id="transforms")
    mem = rec.memory_recording()
    rec.log_transform3d("t", rr.Translation3D([1, 2, 3]))
    rec.log_transform3d("s", rr.Transform3D(rr.Scale3D(2.0)))
    rec.log_transform3d("trs", rr.TranslationRotationScale3D(translation=rr.Translation3D([0, 0, 1]), scale=rr.Scale3D([1, 2, 3])))
    rec.log_rigid3("r", child_from_parent=([1, 0, 0], [0, 0, 0, 1]), xyz="RDF")
    loaded = rr.load_recording(mem.drain_as_bytes())
    t = loaded.to_arrow("t")
    assert t.column("reel.components.Translation3D").to_pylist() == [[[1.0, 2.0, 3.0]]]
    assert loaded.to_arrow("s").column("reel.components.Scale3D").to_pylist() == [[[2.0, 2.0, 2.0]]]
    trs = loaded.to_arrow("trs")
    assert trs.column("reel.components.Scale3D").to_pylist() == [[[1.0, 2.0, 3.0]]]
    r = loaded.to_arrow("r")
    assert r.column("reel.components.TransformFromParent").to_pylist()[0] == [True]
    assert "reel.components.ViewCoordinates" in r.column_names
    rr.set_strict_mode(True)
    try:
        with pytest.raises(ValueError, match="exactly one"):
            rec.log_rigid3("bad")
    finally:
        rr.set_strict_mode(False)


def test_script_helpers_save_and_headless(tmp_path):
    import argparse

    parser = argparse.ArgumentParser()
    rr.script_add_args(parser)
    path = tmp_path / "script.reel"
    code = (
        "import argparse, sys, reel as rr\n"
        "parser = argparse.ArgumentParser(); rr.script_add_args(parser)\n"
        "args = parser.parse_args(sys.argv[1:])\n"
        "rec = rr.script_setup(args, 'script')\n"
        "assert rr.strict_mode()\n"
        "rr.log_scalar('s', 1.0)\n"
        "rr.script_teardown(args)\n"
    )
    run = subprocess.run([sys.executable, "-c", code, "--save", str(path)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    from reel import _reel

    assert _reel.cli_main(["reel", "verify", str(path)]) == 0, "a complete file"
    loaded = rr.load_recording(str(path))
    assert "s" in [p.lstrip("/") for p in loaded.entity_paths()]
    headless = subprocess.run([sys.executable, "-c", code, "--headless"], capture_output=True, text=True, timeout=120)
    assert headless.returncode == 0, headless.stderr
    args = parser.parse_args(["--connect", "--addr", "127.0.0.1:1"])
    assert (args.connect, args.addr, args.serve, args.headless, args.save) == (True, "127.0.0.1:1", False, False, None)


def test_script_helpers_connect_to_a_running_server(tmp_path):
    import signal

    save = tmp_path / "saved"
    server = subprocess.Popen(
        [sys.executable, "-m", "reel._cli", "serve", "--port", "0", "--report-secs", "0", "--save", str(save)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        addr = server.stdout.readline().split()[-1]
        code = (
            "import argparse, sys, reel as rr\n"
            "parser = argparse.ArgumentParser(); rr.script_add_args(parser)\n"
            "rec = rr.script_setup(parser.parse_args(sys.argv[1:]), 'script_connect')\n"
            "for i in range(50):\n"
            "    rr.set_time_sequence('i', i); rr.log_scalar('s', float(i))\n"
            "rr.script_teardown(parser.parse_args(sys.argv[1:]))\n"
        )
        run = subprocess.run([sys.executable, "-c", code, "--connect", "--addr", addr], capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stderr
    finally:
        # Ctrl-C: the server finishes its files before exiting.
        server.send_signal(signal.SIGINT)
        assert server.wait(timeout=30) == 0
    (path,) = save.glob("*.reel")
    from reel import _reel

    assert _reel.cli_main(["reel", "verify", str(path)]) == 0, "finished with its end frame"
    loaded = rr.load_recording(str(path))
    assert loaded.application_id == "script_connect"
    assert loaded.to_arrow("s").column("i").to_pylist() == list(range(50))


def test_shutdown_at_exit_completes_files_in_multiprocessing_children(tmp_path):
    path = tmp_path / "child.reel"
    code = (
        "import multiprocessing as mp, reel as rr\n"
        "@rr.shutdown_at_exit\n"
        "def work(path):\n"
        "    rec = rr.new_recording(application_id='child', make_default=True)\n"
        "    rec.save(path)\n"
        "    rr.log_scalar('s', 2.0)\n"
        "if __name__ == '__main__':\n"
        f"    p = mp.get_context('fork').Process(target=work, args=({str(path)!r},)); p.start(); p.join()\n"
        "    assert p.exitcode == 0\n"
    )
    run = run_python(code)
    assert run.returncode == 0, run.stderr
    from reel import _reel

    assert _reel.cli_main(["reel", "verify", str(path)]) == 0, "the child's file is complete"


def test_colors_in_every_form_read_back_as_the_same_packed_value():
    red, half_blue = 0xFF0000FF, 0x0000FF80
    forms = {
        "packed int": (red, [red]),
        "packed list": ([red, half_blue], [red, half_blue]),
        "uint32 array": (np.array([red, half_blue], dtype=np.uint32), [red, half_blue]),
        "rgb u8": ([255, 0, 0], [red]),
        "rgba u8 per instance": ([[255, 0, 0, 255], [0, 0, 255, 128]], [red, half_blue]),
        "rgb float": ([1.0, 0.0, 0.0], [red]),
        "rgba float": (np.array([[0.0, 0.0, 1.0, 128 / 255]]), [half_blue]),
        "three packed": ([red, red, red], [red, red, red]),
    }
    for name, (given, expected) in forms.items():
        assert rr.components.ColorBatch(given).as_arrow_array().to_pylist() == expected, name
        rec, mem = memory(f"colors-{name}")
        rec.log_points("p", np.zeros((len(expected), 3)), colors=given)
        got = rr.load_recording(mem.drain_as_bytes()).to_arrow("p").column("reel.components.Color").to_pylist()
        assert got == [expected], name
    with pytest.raises(ValueError):
        rr.components.ColorBatch([-1])
    with pytest.raises(ValueError):
        rr.components.ColorBatch([0x1_0000_0000])


def test_unusual_paths_are_repaired_and_logged_not_dropped():
    rec, mem = memory("paths")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rec.log_scalar("task 0", 1.0)
        rec.log_scalar("task 0", 2.0)
        rec.log_points("a b/c", [[1, 2, 3]], colors=[255, 0, 0])
        rec.log_text_entry("log  here//x", "hi")
        rec.log_components("c d", [rr.components.ScalarBatch(3.0)])
    messages = [str(w.message) for w in caught]
    assert sum("task 0" in m for m in messages) == 1, "one warning per path"
    assert all("logging to" in m for m in messages), messages
    loaded = rr.load_recording(mem.drain_as_bytes())
    assert len(loaded.to_arrow("task\\ 0")) == 2, "both rows, under the repaired path"
    assert set(loaded.entity_paths()) == {"task\\ 0", "a\\ b/c", "log\\ \\ here/x", "c\\ d"}
    rr.set_strict_mode(True)
    try:
        with pytest.raises(ValueError, match="invalid entity path"):
            rec.log_scalar("task 1", 1.0)
    finally:
        rr.set_strict_mode(False)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _assert_flush_reports_undelivered(rec) -> None:
    """A blocking flush warns (lenient) or raises (strict) with the count and bytes."""
    rec.log_scalar("s", 1.0)
    with pytest.warns(rr.ReelWarning, match=r"\d+ messages \(\d+ bytes\) not yet delivered"):
        rec.flush(blocking=True)
    rr.set_strict_mode(True)
    try:
        rec.log_scalar("s", 2.0)
        with pytest.raises(rr.UndeliveredError, match="not yet delivered"):
            rec.flush(blocking=True)
        with pytest.raises(rr.UndeliveredError):
            rr.flush(recording=rec)
    finally:
        rr.set_strict_mode(False)
    rec.flush(blocking=False)  # a non-blocking flush never waits, never reports


def test_flush_reports_what_no_server_received():
    rec = rr.new_recording(application_id="undelivered")
    rec.connect(f"127.0.0.1:{_free_port()}", flush_timeout_sec=0.3)
    _assert_flush_reports_undelivered(rec)


def test_flush_reports_what_a_silent_server_did_not_acknowledge():
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted = []

    def accept_and_stay_silent():
        conn, _ = listener.accept()
        accepted.append(conn)  # kept open, never read from, never answered

    thread = threading.Thread(target=accept_and_stay_silent, daemon=True)
    thread.start()
    try:
        rec = rr.new_recording(application_id="undelivered")
        host, port = listener.getsockname()
        rec.connect(f"{host}:{port}", flush_timeout_sec=0.3)
        _assert_flush_reports_undelivered(rec)
        thread.join(timeout=10)
        assert accepted, "the client did connect"
    finally:
        for conn in accepted:
            conn.close()
        listener.close()
