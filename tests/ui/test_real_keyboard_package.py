"""The signed package built from the real window with real X key events (xdotool under Xvfb), as a user does:
Ctrl+Shift+S, the checks dialog passed over with the keyboard, a new signer's name and passphrase typed (in
Chinese too), the file name typed in the save dialog. The package must verify, the key must open with the
passphrase exactly as typed, the certificate must carry the name as typed, and the PDF must come from the
package's second process (the fallback in the window's process says so on its output)."""

from __future__ import annotations

import subprocess
import time
from datetime import date
from pathlib import Path

import pytest

from desktop.services import package
from desktop.services.demo import create_demo_workspace
from desktop.signing.core import load_signer
from tests.ui.test_real_keyboard import KEY_DELAY_MS
from tests.ui.xserver import MISSING, start_window, xvfb

pytestmark = pytest.mark.skipif(bool(MISSING), reason=f"needs {', '.join(MISSING)}")

WORDS = {
    "en": ("Before the package is built", "Signed package", "Build signed package"),
    "zh": ("生成提交包前的检查", "签名提交包", "生成签名提交包"),
}


@pytest.mark.parametrize(
    ("lang", "size", "scale"),
    [("en", "1366x768", "1"), ("zh", "1920x1080", "1.5")],  # a laptop; a desktop screen at 150 %
)
def test_a_package_built_with_the_keyboard(lang: str, size: str, scale: str, tmp_path: Path) -> None:
    create_demo_workspace(tmp_path / "demo.sqlite", today=date(2026, 11, 23)).close()
    target = tmp_path / "out" / "提交包-2025 年度.zip"
    target.parent.mkdir()
    name, phrase = ("王碳 Wang", "pass-碳-2026 ok") if lang == "zh" else ("Wang Tan", "correct horse 9!")
    checks_title, passphrase_title, save_title = WORDS[lang]
    with xvfb(size) as display:
        workspace, data_dir = tmp_path / "demo.sqlite", tmp_path / "data"
        app, env = start_window(display, workspace, data_dir, lang=lang, scale=scale, today="2026-11-23")

        def xdotool(*args: str) -> str:
            return subprocess.run(
                ["xdotool", *args], env=env, check=True, capture_output=True, text=True, timeout=60
            ).stdout

        def focus(title: str) -> None:
            window = xdotool("search", "--sync", "--onlyvisible", "--name", title).split()[0]
            xdotool("windowfocus", "--sync", window)

        def type_text(text: str) -> None:
            xdotool("type", "--delay", str(KEY_DELAY_MS), text)

        try:
            focus("华能示范电厂")  # the demo's entity names the main window
            xdotool("key", "ctrl+shift+s")
            focus(checks_title)  # the demo year keeps errors: building over them is its own button
            xdotool("key", "--delay", str(KEY_DELAY_MS), "Tab", "Tab", "space")
            focus(passphrase_title)  # no signer yet: one is made, named and protected here
            xdotool("key", "ctrl+a")
            type_text(name)
            xdotool("key", "Tab")
            type_text(phrase)
            xdotool("key", "Tab")
            type_text(phrase)
            xdotool("key", "Return")
            focus(save_title)
            xdotool("key", "ctrl+a")
            type_text(str(target))
            xdotool("key", "Return")
            deadline = time.monotonic() + 120
            while not target.exists() and time.monotonic() < deadline and app.poll() is None:
                time.sleep(0.1)
            assert target.exists(), "no package was written"
        finally:
            app.terminate()
            output = app.communicate(timeout=30)[0]
    signer = load_signer(tmp_path / "data" / "signer", phrase.encode("utf-8"))  # the passphrase as typed
    assert f"CN={name}" in signer.subject
    verdict = package.verify_package(target, trusted=(signer.certificate,))
    assert verdict.ok, [c for c in verdict.checks if c.passed is False]
    assert "PDF helper" not in output, output[-3000:]  # made by the second process, not the fallback
    assert [p.name for p in target.parent.iterdir()] == [target.name]  # no working files left beside it
