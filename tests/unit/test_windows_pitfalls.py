"""Issue 13 (part): Windows pitfalls simulated here -- odd backup paths, a GBK console, Chinese on a
machine without a Chinese font."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from desktop.services import store
from desktop.services.demo import create_demo_workspace

REPO = Path(__file__).resolve().parents[2]


def test_backup_and_restore_through_paths_with_odd_characters(tmp_path: Path) -> None:
    ws = create_demo_workspace(tmp_path / "demo.sqlite", today=date(2026, 11, 23))
    entity_id = store.list_entities(ws=ws)[0].id
    before = store.load_report(ws=ws, entity_id=entity_id, year=2025)
    folder = tmp_path / "备份 #1 ?%&"  # a URI glued from this path would lose everything after '#' or '?'
    target = ws.backup(folder / "工作区 #2 ?% &.sqlite")
    assert target.exists() and target.stat().st_size > 0
    assert not [p for p in folder.iterdir() if p != target]  # no half file beside it
    ws.restore(target)
    assert store.load_report(ws=ws, entity_id=entity_id, year=2025) == before
    ws.close()


def test_the_command_line_survives_a_gbk_console(tmp_path: Path) -> None:
    """Σ, ₂, ✓ are not in GBK: printed as replacements, never a UnicodeEncodeError."""
    env = {**os.environ, "PYTHONIOENCODING": "gbk", "CARBONDESK_DATA_DIR": str(tmp_path / "data")}
    for args in (["--lang", "zh", "schema", "--results"], ["--lang", "en", "pack", "show", "--year", "2025"]):
        run = subprocess.run(
            [sys.executable, "-m", "desktop.cli.main", *args],
            env=env,
            capture_output=True,
            cwd=REPO,
            timeout=120,
            check=False,
        )
        assert run.returncode == 0, run.stderr.decode("gbk", "replace")[-500:]
        assert b"UnicodeEncodeError" not in run.stderr


def test_the_bundled_font_is_given_to_qt_when_no_chinese_font_exists(qapp, monkeypatch) -> None:
    from PySide6.QtGui import QFontDatabase

    from desktop.ui import app as gui_app

    added: list[str] = []
    monkeypatch.setattr(QFontDatabase, "families", staticmethod(lambda *_a: []))
    monkeypatch.setattr(QFontDatabase, "addApplicationFont", staticmethod(lambda path: added.append(path) or 0))
    gui_app.register_bundled_font()
    assert added and added[0].endswith("wqy-microhei.ttc") and Path(added[0]).exists()


def test_evidence_files_keep_their_extension_and_old_stores_are_renamed(tmp_path: Path) -> None:
    """A stored scan opens with the right program: its extension is kept (lower case) under its hash.
    A store written before (no extension) is renamed the first time a file is asked for."""
    ws = create_demo_workspace(tmp_path / "demo.sqlite", today=date(2026, 11, 23))
    evidence = store.list_evidence(ws=ws)
    assert evidence and all(Path(e.file_name).suffix for e in evidence)
    for e in evidence:
        path = store.evidence_path(ws, e.sha256, e.file_name)
        assert path.is_file() and path.suffix == Path(e.file_name).suffix.lower() and path.stem == e.sha256
    # an older store: every file under its bare hash
    for e in evidence:
        path = store.evidence_path(ws, e.sha256, e.file_name)
        path.rename(path.with_name(e.sha256))
    assert {c.status for c in store.verify_evidence(ws=ws)} == {"ok"}
    first = evidence[0]
    assert store.evidence_file(ws=ws, sha256=first.sha256).suffix == Path(first.file_name).suffix.lower()
    assert not (ws.evidence_dir / first.sha256[:2] / first.sha256).exists()  # renamed, not copied
    ws.close()
