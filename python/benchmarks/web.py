"""The web viewer in headless Chromium (software WebGL): time to the first frame and to the
whole recording, served over HTTP and from a self-contained `reel html` page, plus sizes.

Usage: ``scripts/build_web.sh``, build the package (``scripts/test.sh`` does both), then
``.venv/bin/python python/benchmarks/web.py RECORDING.reel [RUNS]`` (e.g. the demo's
``out/demo.reel``). Prints one JSON line per run; times are from navigation start.
"""

from __future__ import annotations

import functools
import http.server
import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

import reel as rr

# The same Chromium as the web tests (python/tests/chromium.py).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from chromium import EXECUTABLE as CHROMIUM  # noqa: E402
from chromium import FLAGS  # noqa: E402


class _Cors(http.server.SimpleHTTPRequestHandler):
    def end_headers(self):
        self.send_header("Access-Control-Allow-Origin", "*")
        super().end_headers()

    def log_message(self, *args):
        pass


def timed_load(browser, url: str) -> dict:
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    start = time.perf_counter()
    page.goto(url, wait_until="commit")
    frame = page.main_frame
    if "file:" in url:
        page.wait_for_function("() => document.querySelector('iframe')")
        frame = page.frames[1]
    frame.wait_for_function("() => document.body && document.body.dataset.reel === 'ready'", timeout=300_000, polling=10)
    first = time.perf_counter() - start
    frame.wait_for_function("() => window.reelHandle.sources_done()", timeout=300_000, polling=10)
    done = time.perf_counter() - start
    messages = frame.evaluate("() => window.reelHandle.messages()")
    page.close()
    return {"first_frame_s": round(first, 3), "all_data_s": round(done, 3), "messages": messages}


def main() -> None:
    recording = Path(sys.argv[1]).resolve()
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    viewer = rr.start_web_viewer_server(0)
    handler = functools.partial(_Cors, directory=str(recording.parent))
    files = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=files.serve_forever, daemon=True).start()
    page = Path(tempfile.mkdtemp()) / "page.html"
    reel = shutil.which("reel", path=str(Path(sys.executable).parent)) or "reel"
    subprocess.run([reel, "html", "--out", str(page), str(recording)], check=True, capture_output=True)
    print(json.dumps({"recording_mb": round(recording.stat().st_size / 1e6, 2), "html_page_mb": round(page.stat().st_size / 1e6, 2)}))
    served = f"{viewer}/?url=http://127.0.0.1:{files.server_port}/{recording.name}"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        for run in range(runs):
            # Alternating, so that both see the same machine.
            for how, url in (("http", served), ("html", page.as_uri())):
                print(json.dumps({"run": run, "how": how, **timed_load(browser, url)}))
        browser.close()


if __name__ == "__main__":
    main()
