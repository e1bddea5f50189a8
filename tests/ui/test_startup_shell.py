"""Issue 15: carbondesk-gui paints the window's frame before it loads the application, then the window
takes its place."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication

from desktop.ui import launch

REPO = Path(__file__).resolve().parents[2]


def test_the_frame_is_painted_before_the_application_is_imported(fresh_data_dir: Path) -> None:
    probe = (
        "import sys\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        "from desktop.ui import launch\n"
        "shell = launch.startup_shell(['--lang', 'en'])\n"
        "shell.show(); app.processEvents()\n"
        "heavy = [m for m in ('sqlalchemy', 'desktop.services.store', 'desktop.ui.main_window') if m in sys.modules]\n"
        "print(shell.isVisible(), shell.centralWidget().text(), heavy)\n"
    )
    env = {"QT_QPA_PLATFORM": "offscreen", "CARBONDESK_DATA_DIR": str(fresh_data_dir), "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", probe], cwd=REPO, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True Opening the workspace… []"


def test_the_window_takes_the_frames_place(qtbot, fresh_data_dir: Path) -> None:
    from desktop.ui import app as gui

    shell = launch.startup_shell(["--lang", "zh"])
    shell.show()
    assert shell.centralWidget().text() == "正在打开工作区…"
    window = gui.build_window(["--demo", "--today", "2026-11-23", "--lang", "zh"], shell=shell)
    qtbot.addWidget(window)
    assert window.isVisible() and not shell.isVisible()
    assert QApplication.activeModalWidget() is None
    window.close()
