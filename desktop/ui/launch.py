"""``carbondesk-gui``: the window on screen at once, the application behind it.

The application's modules (the store, SQLAlchemy, the guidelines, the dialogs) take a few hundred
milliseconds to import, and the workspace to open.  This entry imports only Qt, paints the main window's
frame with a line saying what is happening, and then loads the application into it: the user sees the
window as soon as a bare Qt window would appear, never a blank desktop.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow


def _settings() -> QSettings:
    from desktop.services import locations  # noqa: PLC0415 - light: paths only

    return QSettings(str(locations.data_dir() / "settings.ini"), QSettings.Format.IniFormat)


def _language(argv: Sequence[str], settings: QSettings) -> str:
    """The language the window will speak: --lang, else the user's setting, else the environment, else zh."""
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return str(settings.value("ui/language") or os.environ.get("CARBONDESK_LANG") or "zh")


def startup_shell(argv: Sequence[str]) -> QMainWindow:
    """The main window's frame where and as large as the window will be, painted before the application is
    loaded into it (the window's own rule: its saved geometry, else the screen it fits on)."""
    settings = _settings()
    zh = _language(argv, settings) == "zh"
    shell = QMainWindow()
    shell.setObjectName("startupShell")
    shell.setWindowTitle("CarbonDesk")
    label = QLabel("正在打开工作区…" if zh else "Opening the workspace…")
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    shell.setCentralWidget(label)
    geometry = settings.value("window/geometry")
    if isinstance(geometry, QByteArray):
        shell.restoreGeometry(geometry)
    else:
        screen = QGuiApplication.primaryScreen()
        avail = screen.availableGeometry() if screen is not None else None
        if avail is not None:
            shell.resize(min(1360, avail.width()), min(860, avail.height() - 40))
            if avail.width() < 1400 or avail.height() < 900:
                shell.setWindowState(shell.windowState() | Qt.WindowState.WindowMaximized)
    return shell


def main(argv: Sequence[str] | None = None) -> int:
    args = list(argv) if argv is not None else sys.argv[1:]
    QApplication.setApplicationName("CarbonDesk")
    QApplication.setOrganizationName("CarbonDesk")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    shell = None
    if "--screenshot" not in args:  # a smoke test's screenshot is of the window, never of the frame
        shell = startup_shell(args)
        shell.show()
        app.processEvents()  # painted now, before the application's modules are imported
    from desktop.ui import app as gui  # noqa: PLC0415 - after the first paint, on purpose

    return gui.main(args, shell=shell)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
