"""Issue 13: a workspace in a sync folder or on a network drive is warned about before the window uses it."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from desktop.services.demo import create_demo_workspace
from tests.ui.test_window import answer_next_dialog, open_window, wait_idle


def test_opening_a_workspace_in_onedrive_asks_first_and_remembers_the_answer(
    qtbot, fresh_data_dir: Path, lang_zh, tmp_path: Path
) -> None:
    create_demo_workspace(fresh_data_dir / "demo.sqlite", today=date(2026, 2, 20)).close()
    window = open_window(qtbot, fresh_data_dir / "demo.sqlite")
    synced = tmp_path / "OneDrive - 示范电厂" / "碳排放" / "w.sqlite"
    synced.parent.mkdir(parents=True)
    shutil.copy(fresh_data_dir / "demo.sqlite", synced)
    seen: list[str] = []

    def choose(label: str):
        def answer(box) -> None:
            assert isinstance(box, QMessageBox) and box.objectName() == "risky_location"
            seen.append(box.text())
            next(b for b in box.buttons() if b.text() == label).click()

        return answer

    answer_next_dialog(qtbot, choose("不打开"))
    window.switch_workspace(synced)
    assert window.ws.path == fresh_data_dir / "demo.sqlite"  # not opened
    assert "同步文件夹（OneDrive）" in seen[0] and "备份" in seen[0]
    answer_next_dialog(qtbot, choose("仍然打开"))
    window.switch_workspace(synced)
    wait_idle(qtbot, window)
    assert window.ws.path == synced
    window.switch_workspace(fresh_data_dir / "demo.sqlite")
    wait_idle(qtbot, window)
    window.switch_workspace(synced)  # accepted once for this file: not asked again
    wait_idle(qtbot, window)
    assert window.ws.path == synced and len(seen) == 2
    window.close()


def test_the_accepted_place_survives_the_settings_file(fresh_data_dir: Path, tmp_path: Path, qapp) -> None:
    """An INI settings file gives a one-path list back as a bare string: the answer is still remembered."""
    from desktop.ui.app import app_settings, location_accepted
    from desktop.ui.main_window import setting_paths

    synced = tmp_path / "坚果云" / "w.sqlite"
    settings = app_settings()
    settings.setValue("workspaces/risk_accepted", [str(synced)])
    settings.sync()
    again = app_settings()  # read back from the file
    assert setting_paths(again, "workspaces/risk_accepted") == [str(synced)]
    assert location_accepted(again, synced)  # no question asked: it would block this test
