"""A window-manager-free X server (Xvfb) of a given size, for tests that use the real window."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

TOOLS = ("Xvfb", "xdotool", "xclip")
MISSING = [tool for tool in TOOLS if shutil.which(tool) is None]
if MISSING and os.environ.get("CI") == "true":
    raise RuntimeError(f"CI must run the real-window tests; missing: {', '.join(MISSING)}")


@contextmanager
def xvfb(size: str = "1366x768") -> Iterator[str]:
    read, write = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", f"{size}x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with os.fdopen(read) as pipe:
        number = pipe.readline().strip()
    if not number:
        server.kill()
        raise RuntimeError("Xvfb did not start")
    try:
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(10)


def start_window(display: str, workspace: Path, data_dir: Path, *, lang: str, scale: str, today: str) -> tuple:
    """The real window on ``display`` (xcb, no window manager), its output captured: (process, environment
    for xdotool)."""
    env = {
        **os.environ,
        "DISPLAY": display,
        "QT_QPA_PLATFORM": "xcb",
        "CARBONDESK_DATA_DIR": str(data_dir),
        "QT_ACCESSIBILITY": "0",
        "QT_SCALE_FACTOR": scale,
    }
    app = subprocess.Popen(
        [sys.executable, "-m", "desktop.ui.app", "--workspace", str(workspace), "--lang", lang, "--today", today],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    return app, env
