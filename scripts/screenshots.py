"""Screenshots of the real window on an office laptop's screen, for docs/screenshots and for review.

Runs the app in-process on the current X display (an Xvfb of the wanted size) and grabs the window,
its year view and its dialogs:

    Xvfb :9 -screen 0 1366x768x24 & DISPLAY=:9 QT_QPA_PLATFORM=xcb python scripts/screenshots.py out/ 1366x768
    Xvfb :9 -screen 0 1920x1080x24 & DISPLAY=:9 QT_QPA_PLATFORM=xcb QT_SCALE_FACTOR=1.5 python scripts/screenshots.py out/ 1920x1080@150
    ... python scripts/screenshots.py out/ 1366x768 zh,en cement_clinker   # another guideline's demo (file names
                                                                            # start with its id)

Prints, for each view, the window's size against the screen and how many annual-table rows are visible.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop.services.package import Preflight  # noqa: E402
from desktop.ui import app as gui  # noqa: E402
from desktop.ui import dialogs as d  # noqa: E402


def settle(app, seconds: float = 0.3) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def main(argv: list[str]) -> int:
    out = Path(argv[0])
    tag = argv[1] if len(argv) > 1 else "screen"
    langs = argv[2].split(",") if len(argv) > 2 else ["zh", "en"]
    gid = argv[3] if len(argv) > 3 else None
    prefix = f"{gid}-" if gid else ""
    out.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("CARBONDESK_DATA_DIR", tempfile.mkdtemp())
    app = QApplication.instance() or QApplication([])
    for lang in langs:
        window = gui.build_window(["--demo", *([gid] if gid else []), "--today", "2026-02-20", "--lang", lang])
        assert window is not None
        while window.snapshot is None or window.applying or window.worker.busy:
            app.processEvents()
            time.sleep(0.01)
        settle(app, 0.5)
        screen = window.screen().availableGeometry()
        frame = window.frameGeometry()
        window.grab().save(str(out / f"{prefix}month-{tag}-{lang}.png"))
        window.tabs.setCurrentIndex(1)
        settle(app)
        table = window.year_table
        rows = table.rowAt(table.viewport().height() - 1) - table.rowAt(0) + 1 if table.rowAt(0) >= 0 else 0
        if table.rowAt(table.viewport().height() - 1) < 0:
            rows = table.model().rowCount() - max(table.rowAt(0), 0)
        window.grab().save(str(out / f"{prefix}year-{tag}-{lang}.png"))
        bar = table.horizontalScrollBar()
        bar.setValue(bar.maximum())  # the label columns stay while the months scroll
        settle(app)
        window.year_table.grab().save(str(out / f"{prefix}year-scrolled-{tag}-{lang}.png"))
        bar.setValue(0)
        print(
            f"{tag} {lang}: screen {screen.width()}x{screen.height()} (logical), window {frame.width()}x{frame.height()}, "
            f"fits={screen.contains(frame)}, annual table rows visible {rows}, "
            f"navigator width {window.nav_dock.width()} px"
        )
        problems = []
        for name, dialog in dialogs(window):
            dialog.show()
            settle(app, 0.15)
            if not screen.contains(dialog.frameGeometry()):
                problems.append(f"{name} {dialog.frameGeometry().getRect()}")
            if name in ("entity", "preflight"):
                dialog.grab().save(str(out / f"{prefix}dialog-{name}-{tag}-{lang}.png"))
            dialog.close()
        print(f"{tag} {lang}: dialogs outside the screen: {', '.join(problems) or 'none'}")
        window.close()
        settle(app, 0.2)
    return 0


def dialogs(window):
    """One of each of the window's dialogs, as the window opens them."""
    form, snapshot = window.form, window.snapshot
    entity = snapshot.entity
    scan = Path(tempfile.mkdtemp()) / "lab-report.pdf"
    scan.write_bytes(b"%PDF-1.4\n")
    yield "wizard", d.FirstRunWizard(form, Path(tempfile.mkdtemp()) / "w.sqlite", window)
    yield (
        "entity",
        d.RecordDialog(
            form,
            "entity",
            {**entity.values, "name": entity.name, "uscc": entity.uscc},
            "entity",
            window,
            reason="optional",
        ),
    )
    yield "unit", d.RecordDialog(form, "unit", dict(entity.units[0].values), "unit", window, reason="optional")
    yield "preflight", d.PreflightDialog(Preflight.of(snapshot.findings), window.messages, window)
    yield "text", d.TextDialog("reason", "why?", window)
    yield "year-items", d.YearItemsDialog(form, window.year, {}, window)
    yield "evidence", d.EvidenceDialog(form, scan, "lab_report", window)
    yield "settings", d.SettingsDialog(lang="zh", user="u", workspace="w", pack=snapshot.evaluation.pack, parent=window)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
