"""Headless Chromium as reel's web tests and benchmarks launch it (no GPU, no sandbox)."""

from __future__ import annotations

import shutil
from typing import Optional

EXECUTABLE: Optional[str] = shutil.which("chromium") or shutil.which("chromium-browser")

# Software WebGL through SwiftShader (no GPU); the sandbox needs privileges CI lacks.
FLAGS = [
    "--no-sandbox",
    "--enable-unsafe-swiftshader",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
