"""The web viewer in a real browser: headless Chromium (software WebGL) opens the viewer
served by `start_web_viewer_server` with ``?url=``, follows `serve()` live over WebSocket,
renders `as_html()` snippets from file:// with the network off, renders a notebook executed
by a real Jupyter kernel and exported to HTML, and shows the timeout message when the viewer
cannot load. Every check looks at pixels: a solid image of a known colour must appear as a
filled rectangle of the image's shape in the middle of the viewer."""

from __future__ import annotations

import http.server
import io
import os
import socket
import threading
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import reel as rr
from reel import _reel

from chromium import EXECUTABLE as CHROMIUM
from chromium import FLAGS

MAGENTA = (230, 20, 140)
TEAL = (20, 200, 190)
# Compiling ~10 MB of wasm and starting WebGL on a software rasterizer takes a while on two
# busy cores: generous bounds, which only matter when something is broken.
READY_MS = 120_000


@pytest.fixture(scope="module")
def browser():
    assert CHROMIUM, "Chromium is missing: scripts/lib/ensure.sh installs it (apt-get install chromium)"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def no_web_servers():
    """Each test starts from no web viewer server, so snippets embed the viewer."""
    _reel.stop_web_servers()
    yield
    _reel.stop_web_servers()


def solid_recording(colour, app="web") -> "rr.MemoryRecording":
    rec = rr.new_recording(application_id=app)
    mem = rec.memory_recording()
    rec.log_image("image", np.full((48, 64, 3), colour, dtype=np.uint8))
    return mem


def wait_ready(frame, *, messages: int = 1) -> None:
    """Waits until the viewer drew a frame and decoded at least ``messages`` messages."""
    frame.wait_for_function(
        f"""() => {{
            const state = document.body && document.body.dataset.reel;
            if (state === 'failed' || state === 'timeout')
                throw new Error(document.getElementById('status').textContent);
            const h = window.reelHandle;
            return state === 'ready' && h.messages() >= {messages};
        }}""",
        timeout=READY_MS,
        polling=100,
    )


def settle(page, name: str) -> Image.Image:
    """A screenshot after the viewer drew the data (a few frames after it arrived); kept as
    ``reel-web-NAME.png`` in ``$REEL_WEB_SHOTS`` when that is set, to look at."""
    page.wait_for_timeout(1500)
    shot = Image.open(io.BytesIO(page.screenshot())).convert("RGB")
    if os.environ.get("REEL_WEB_SHOTS"):
        shot.save(Path(os.environ["REEL_WEB_SHOTS"]) / f"reel-web-{name}.png")
    return shot


def colour_box(shot: Image.Image, colour, tolerance: int = 12):
    """The bounding box of pixels of ``colour`` and the fraction of it they fill."""
    px = np.asarray(shot).astype(np.int16)
    mask = (np.abs(px - np.array(colour, dtype=np.int16)) <= tolerance).all(axis=2)
    ys, xs = np.nonzero(mask)
    if len(xs) == 0:
        return None, 0.0
    box = (xs.min(), ys.min(), xs.max() + 1, ys.max() + 1)
    area = (box[2] - box[0]) * (box[3] - box[1])
    return box, mask[box[1] : box[3], box[0] : box[2]].sum() / area


def assert_image_shown(shot: Image.Image, colour, region=None, name="shot") -> None:
    """The 64x48 solid image appears as a filled 4:3 rectangle of a sensible size, inside
    ``region`` (left, top, right, bottom; default the whole shot)."""
    if region is not None:
        shot = shot.crop(region)
    box, filled = colour_box(shot, colour)
    if box is None or filled < 0.9:
        path = Path(os.environ.get("REEL_WEB_SHOTS", "/tmp")) / f"reel-web-{name}-failed.png"
        shot.save(path)
        pytest.fail(f"the image ({colour}) is not shown (box {box}, filled {filled:.2f}); see {path}")
    w, h = box[2] - box[0], box[3] - box[1]
    assert abs(w / h - 64 / 48) < 0.08, f"aspect {w}x{h}"
    assert w * h > 0.03 * shot.width * shot.height, f"too small: {w}x{h} in {shot.size}"
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    assert shot.width * 0.15 < cx < shot.width * 0.85 and shot.height * 0.1 < cy < shot.height * 0.9, box


class _Files(http.server.BaseHTTPRequestHandler):
    files: dict = {}

    def do_GET(self):  # noqa: N802 (http.server's naming)
        body = self.files.get(self.path.split("?")[0])
        self.send_response(200 if body is not None else 404)
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Content-Length", str(len(body or b"")))
        self.end_headers()
        self.wfile.write(body or b"")

    def log_message(self, *args):
        pass


def serve_files(files: dict):
    handler = type("Files", (_Files,), {"files": files})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_served_viewer_streams_a_recording_from_a_url(browser):
    data = solid_recording(MAGENTA).drain_as_bytes()
    files = serve_files({"/solid.reel": data})
    viewer = rr.start_web_viewer_server(0)
    assert viewer.startswith("http://127.0.0.1:")
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    try:
        page.goto(f"{viewer}/?renderer=webgl&url=http://127.0.0.1:{files.server_port}/solid.reel")
        wait_ready(page, messages=2)
        page.wait_for_function("() => window.reelHandle.sources_done()", timeout=READY_MS)
        assert "solid.reel" in page.evaluate("() => window.reelHandle.status()")
        assert_image_shown(settle(page, "url"), MAGENTA, name="url")
    finally:
        page.close()
        files.shutdown()


def test_a_page_follows_data_logged_after_it_opened(browser):
    rec = rr.new_recording(application_id="web-live")
    url = rec.serve(open_browser=False, web_port=0, ws_port=0)
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    try:
        page.goto(f"{url}/?renderer=webgl")
        wait_ready(page, messages=0)
        assert colour_box(settle(page, "live-empty"), TEAL)[0] is None, "nothing logged yet"
        rec.log_image("image", np.full((48, 64, 3), TEAL, dtype=np.uint8))
        rec.flush(blocking=True)
        wait_ready(page, messages=2)
        assert_image_shown(settle(page, "live"), TEAL, name="live")
        assert page.evaluate("() => window.reelHandle.status()").startswith("following ws://127.0.0.1:")
    finally:
        page.close()
        rec.disconnect()


def write_page(tmp_path: Path, *snippets: str) -> Path:
    path = tmp_path / "notebook.html"
    path.write_text("<!doctype html><html><body style='margin:0'>" + "".join(snippets) + "</body></html>")
    return path


def offline_page(browser):
    """A page that can reach nothing but file:// URLs."""
    context = browser.new_context(viewport={"width": 1000, "height": 1600}, offline=True)
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(("file:", "data:", "blob:")) else route.abort())
    return context, context.new_page()


def viewer_frames(page, count: int):
    page.wait_for_function(f"() => document.querySelectorAll('iframe').length === {count}")
    frames = [f for f in page.frames if f != page.main_frame]
    assert len(frames) == count
    return frames


def test_as_html_renders_offline_from_a_file_and_snippets_are_independent(browser, tmp_path):
    first = solid_recording(MAGENTA).as_html(width=640, height=480)
    second = solid_recording(TEAL).as_html(width=640, height=480)
    print(f"\nas_html snippet: {len(first) / 1e6:.2f} MB")
    assert "http://" not in first.split("srcdoc")[0], "nothing to fetch"
    context, page = offline_page(browser)
    try:
        page.goto(write_page(tmp_path, first, second).as_uri())
        for frame in viewer_frames(page, 2):
            wait_ready(frame, messages=2)
        shot = settle(page, "offline")
        # Each frame shows its own recording, at its own place.
        assert_image_shown(shot, MAGENTA, region=(0, 0, 640, 480), name="offline-1")
        assert_image_shown(shot, TEAL, region=(0, 480, 640, 960), name="offline-2")
        assert colour_box(shot.crop((0, 0, 640, 480)), TEAL)[0] is None
    finally:
        context.close()


def test_as_html_merges_other_and_uses_a_running_web_viewer_server(browser, tmp_path):
    mem, other = solid_recording(MAGENTA, "a"), solid_recording(TEAL, "b")
    inline = mem.as_html(other=other)
    viewer = rr.start_web_viewer_server(0)
    hosted = mem.as_html(other=other)
    assert viewer in hosted and len(hosted) < len(inline) / 10, "the viewer is not inline"
    page = browser.new_page(viewport={"width": 1000, "height": 800})
    try:
        page.goto(write_page(tmp_path, hosted).as_uri())
        (frame,) = viewer_frames(page, 1)
        wait_ready(frame, messages=4)
        assert frame.evaluate("() => window.reelHandle.status()").count("recording") == 2
    finally:
        page.close()


def test_the_viewer_explains_why_it_did_not_load(browser, tmp_path):
    # Refused: nothing listens there; the page says so at once with the fix.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        refused = s.getsockname()[1]
    # Stuck: a port that accepts connections and never answers.
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)
    try:
        mem = solid_recording(MAGENTA)
        snippets = [
            mem.as_html(app_url=f"http://127.0.0.1:{refused}", timeout_ms=3000),
            mem.as_html(app_url=f"http://127.0.0.1:{silent.getsockname()[1]}", timeout_ms=1500),
        ]
        page = browser.new_page()
        page.goto(write_page(tmp_path, *snippets).as_uri(), wait_until="domcontentloaded")
        texts = []
        for frame in viewer_frames(page, 2):
            frame.wait_for_function("() => ['failed', 'timeout'].includes(document.body.dataset.reel)", timeout=30_000)
            texts.append((frame.evaluate("() => document.body.dataset.reel"), frame.inner_text("#status")))
        page.close()
    finally:
        silent.close()
    for state, text in texts:
        assert "start_web_viewer_server" in text and "app_url" in text, text
    assert texts[1][0] == "timeout" and "did not start within 1500 ms" in texts[1][1], texts[1]


def test_a_viewer_that_starts_after_the_timeout_replaces_the_message(browser, tmp_path):
    html = solid_recording(MAGENTA).as_html(width=640, height=480, timeout_ms=1)
    context, page = offline_page(browser)
    try:
        page.goto(write_page(tmp_path, html).as_uri(), wait_until="domcontentloaded")
        (frame,) = viewer_frames(page, 1)
        frame.wait_for_function("() => document.body.dataset.reel === 'timeout'", timeout=30_000, polling=1)
        assert "did not start within 1 ms" in frame.inner_text("#status")
        frame.wait_for_function(
            "() => document.body.dataset.reel === 'ready' && window.reelHandle.messages() >= 2",
            timeout=READY_MS,
            polling=100,
        )
        assert not frame.is_visible("#status"), "the message goes once the viewer runs"
        assert_image_shown(settle(page, "late"), MAGENTA, region=(0, 0, 640, 480), name="late")
    finally:
        context.close()


def test_a_notebook_calling_show_renders_after_export(browser, tmp_path):
    nbformat = pytest.importorskip("nbformat")
    from nbclient import NotebookClient
    from nbconvert import HTMLExporter

    source = (
        "import numpy as np\nimport reel as rr\n"
        "rec = rr.new_recording(application_id='notebook')\n"
        "mem = rec.memory_recording()\n"
        f"rec.log_image('image', np.full((48, 64, 3), {MAGENTA}, dtype=np.uint8))\n"
        "mem.show(width=700, height=500)\n"
    )
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source), nbformat.v4.new_code_cell("mem")])
    NotebookClient(notebook, timeout=300, kernel_name="python3").execute()
    outputs = [o for cell in notebook.cells for o in cell.outputs]
    assert [o.output_type for o in outputs] == ["display_data", "execute_result"], outputs
    assert all("srcdoc" in o.data["text/html"] for o in outputs), "show() and a cell ending in mem"
    html, _ = HTMLExporter().from_notebook_node(notebook)
    path = tmp_path / "exported.html"
    path.write_text(html)
    context, page = offline_page(browser)
    try:
        page.goto(path.as_uri())
        frames = viewer_frames(page, 2)
        for frame in frames:
            wait_ready(frame, messages=2)
        box = page.locator("iframe").first.bounding_box()
        region = tuple(int(v) for v in (box["x"], box["y"], box["x"] + box["width"], box["y"] + box["height"]))
        assert_image_shown(settle(page, "notebook"), MAGENTA, region=region, name="notebook")
    finally:
        context.close()
