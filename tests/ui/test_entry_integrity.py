"""Issue 9: every key lands in the cell it was typed into, and no number can break a workspace.

A refresh arriving while an editor is open (the snapshot after the previous save) must not touch the
editor; closing the window with an editor open saves what was typed; numbers no field can hold are
refused in the cell, and one already stored marks its cell instead of breaking a view or a report.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLineEdit
from sqlalchemy import select, text

from desktop.services import audit_check, outputs, store
from desktop.storage.errors import StorageError
from desktop.storage.models import AuditRecord
from desktop.storage.workspace import Workspace
from desktop.ui.main_window import user_message
from tests.ui.test_window import cell_text, open_window, row_of, wait_idle


def open_editor(qtbot, window, row: int, first_key: str) -> QLineEdit:
    window.grid.setCurrentIndex(window.grid_model.index(row, window.grid_model.FIXED))
    window.grid.setFocus()
    QTest.keyClicks(window.grid, first_key)
    editor = window.grid.indexWidget(window.grid.currentIndex())
    assert isinstance(editor, QLineEdit) and window.grid.editing()
    return editor


def enter(qtbot, window, editor: QLineEdit) -> None:
    QTest.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not window.grid.editing(), timeout=5000)  # Qt commits on Enter in a queued call


def stored(window, field: str, month: int = 1):
    state = window.snapshot.months.get((window.unit_id, month))
    return None if state is None or state.stored is None else state.stored.get(field)


def test_a_refresh_never_rewrites_the_open_editor(qtbot, new_workspace: Path) -> None:
    window = open_window(qtbot, new_workspace)
    window.select_month(window.unit_id, window.year, 1)
    wait_idle(qtbot, window)
    # a cell that already holds a value, typed over (the report: 22.0 typed over became 2,245.0)
    row = row_of(window, "operating_hours")
    store.save_month(
        ws=window.ws, unit_id=window.unit_id, year=window.year, month=1, changes={"operating_hours": Decimal("22.0")}
    )
    window.refresh()
    wait_idle(qtbot, window)
    editor = open_editor(qtbot, window, row, "2")
    # the snapshot of an earlier save arrives now: the whole grid is refreshed under the open editor
    window.apply_snapshot(window.snapshot)
    window.grid_model.show_pending(window.unit_id, {"generation_mwh": Decimal(1)})  # another cell's pending value
    QTest.keyClicks(editor, "45")
    assert editor.text() == "245"
    enter(qtbot, window, editor)
    wait_idle(qtbot, window)
    assert stored(window, "operating_hours") == Decimal("245")
    assert cell_text(window, row) == "245.0"


def test_typing_right_after_enter_while_the_save_runs(qtbot, new_workspace: Path) -> None:
    """160000.5 typed just after Enter on the cell above was saved as 60,000.5."""
    window = open_window(qtbot, new_workspace)
    window.select_month(window.unit_id, window.year, 1)
    wait_idle(qtbot, window)
    first, second = row_of(window, "generation_mwh"), row_of(window, "supply_mwh")
    editor = open_editor(qtbot, window, first, "1")
    QTest.keyClicks(editor, "70000")
    QTest.keyClick(editor, Qt.Key.Key_Return)  # the save and its refresh are now under way
    qtbot.waitUntil(lambda: not window.grid.editing(), timeout=5000)  # Qt commits on Enter in a queued call
    assert window.grid.currentIndex().row() == second
    QTest.keyClicks(window.grid, "1")
    editor = window.grid.indexWidget(window.grid.currentIndex())
    for key in "60000.5":
        QTest.keyClicks(editor, key)
        qtbot.wait(5)  # the worker's snapshot lands somewhere in here
    enter(qtbot, window, editor)
    wait_idle(qtbot, window)
    assert stored(window, "generation_mwh") == Decimal("170000")
    assert stored(window, "supply_mwh") == Decimal("160000.5")
    assert cell_text(window, second) == "160,000.5"


def test_closing_with_an_editor_open_keeps_the_value(qtbot, new_workspace: Path) -> None:
    window = open_window(qtbot, new_workspace)
    window.select_month(window.unit_id, window.year, 1)
    wait_idle(qtbot, window)
    editor = open_editor(qtbot, window, row_of(window, "operating_hours"), "6")
    QTest.keyClicks(editor, "13.2")
    unit_id, year = window.unit_id, window.year
    window.close()  # no Enter
    with Workspace.open(new_workspace) as ws:
        month = store.get_month(ws=ws, unit_id=unit_id, year=year, month=1)
    assert month is not None and month.values["operating_hours"] == Decimal("613.2")


def test_switching_month_commits_the_open_editor(qtbot, new_workspace: Path) -> None:
    window = open_window(qtbot, new_workspace)
    window.select_month(window.unit_id, window.year, 1)
    wait_idle(qtbot, window)
    editor = open_editor(qtbot, window, row_of(window, "operating_hours"), "7")
    QTest.keyClicks(editor, "00")
    window.select_month(window.unit_id, window.year, 2)
    wait_idle(qtbot, window)
    assert stored(window, "operating_hours", month=1) == Decimal("700")


def test_numbers_no_field_can_hold_are_refused_in_the_cell(qtbot, new_workspace: Path) -> None:
    window = open_window(qtbot, new_workspace)
    window.select_month(window.unit_id, window.year, 1)
    wait_idle(qtbot, window)
    row = row_of(window, "generation_mwh")
    for typed, reason in (
        ("1e999", "科学计数法"),
        ("12345678901234567890123456", "绝对值应小于"),  # 26 digits
        ("1000000000000", "绝对值应小于"),
        ("1234567890.123456", "有效数字"),  # 16 significant digits
    ):
        editor = open_editor(qtbot, window, row, typed[0])
        QTest.keyClicks(editor, typed[1:])
        enter(qtbot, window, editor)
        wait_idle(qtbot, window)
        assert reason in window.last_message, (typed, window.last_message)
        assert stored(window, "generation_mwh") is None
    editor = open_editor(qtbot, window, row, "9")
    QTest.keyClicks(editor, "99999999999.9")  # 15 digits, below 10^12: accepted exactly
    enter(qtbot, window, editor)
    wait_idle(qtbot, window)
    assert stored(window, "generation_mwh") == Decimal("999999999999.9")


def test_a_stored_impossible_number_marks_its_cell_and_breaks_nothing(
    qtbot, new_workspace: Path, tmp_path: Path
) -> None:
    window = open_window(qtbot, new_workspace)
    window.select_month(window.unit_id, window.year, 1)
    wait_idle(qtbot, window)
    store.save_month(
        ws=window.ws, unit_id=window.unit_id, year=window.year, month=1, changes={"supply_mwh": Decimal(100)}
    )
    unit_id, year = window.unit_id, window.year
    window.close()
    with Workspace.open(new_workspace) as ws:  # as an older version or an edit outside the app left it
        with ws.engine.begin() as conn:
            conn.execute(
                text(
                    "UPDATE month_versions SET values_json = "
                    '\'{"supply_mwh": {"$d": "1E+999999999"}, "generation_mwh": {"$d": "-1E+308"}}\''
                )
            )
        evaluation = store.compute_year(ws=ws, entity_id=store.list_entities(ws=ws)[0].id, year=year)
        bad = {(f.code, f.ref.field) for f in evaluation.findings}
        assert ("GEN-E020", "supply_mwh") in bad and ("GEN-E020", "generation_mwh") in bad
        pdf = tmp_path / "report.pdf"
        outputs.export_pdf(ws=ws, entity_id=store.list_entities(ws=ws)[0].id, year=year, target=pdf)
        assert pdf.stat().st_size > 1000
    window = open_window(qtbot, new_workspace)
    window.select_month(unit_id, year, 1)
    wait_idle(qtbot, window)
    assert "数值无效" in cell_text(window, row_of(window, "supply_mwh"))
    assert any(f.code == "GEN-E020" for f in window.grid_model.snapshot.findings)
    window.close()


def test_memory_stays_flat_over_fifty_saves(qapp, fresh_data_dir: Path) -> None:
    """Each save recalculates the year; no snapshot may stay alive after the next one is shown (issue 9)."""
    from tests.benchmarks.bench_gui import memory_over_saves

    rss = memory_over_saves(3, saves=50, report=(1, 50))
    assert rss[50] - rss[1] <= 20, f"RSS grew from {rss[1]:.0f} MiB to {rss[50]:.0f} MiB over 50 saves"


def month_fuels(window, month: int = 1) -> list[dict]:
    record = store.get_month(ws=window.ws, unit_id=window.unit_id, year=window.year, month=month)
    return [] if record is None else [dict(f) for f in record.fuels]


def add_fuel_through_dialog(qtbot, window, label: str) -> None:
    from PySide6.QtWidgets import QInputDialog

    from tests.ui.test_window import answer_next_dialog

    def choose(dialog) -> None:
        assert isinstance(dialog, QInputDialog)
        dialog.setTextValue(label)
        dialog.accept()

    answer_next_dialog(qtbot, choose)
    window.add_row_item()


def test_a_fuel_added_typed_and_undone_leaves_no_hidden_row(qtbot, new_workspace: Path) -> None:
    """Issue 9: typing a gas fuel for a coal unit, then Ctrl+Z, left a hidden row that blocked submission."""
    window = open_window(qtbot, new_workspace)
    window.select_month(window.unit_id, window.year, 1)
    wait_idle(qtbot, window)
    add_fuel_through_dialog(qtbot, window, "天然气")
    gas_row = row_of(window, "consumption", "natural_gas")
    assert window.grid.currentIndex().row() == gas_row  # the cursor waits in the new fuel's first cell
    editor = open_editor(qtbot, window, gas_row, "1")
    editor.setText("1250.5")
    enter(qtbot, window, editor)
    wait_idle(qtbot, window)
    assert month_fuels(window) == [{"fuel": "natural_gas", "consumption": Decimal("1250.5")}]

    window.act_undo.trigger()  # Ctrl+Z (real keys: tests/ui/test_real_keyboard.py)
    wait_idle(qtbot, window)
    assert month_fuels(window) == []  # the row went with its last value: nothing hidden is left
    assert not any(f.ref.row is not None for f in window.snapshot.findings if f.ref.month == 1)
    window.act_redo.trigger()
    wait_idle(qtbot, window)
    assert month_fuels(window) == [{"fuel": "natural_gas", "consumption": Decimal("1250.5")}]
    window.close()


def test_a_fuel_row_removed_with_undo_and_audited(qtbot, new_workspace: Path) -> None:
    window = open_window(qtbot, new_workspace)
    window.select_month(window.unit_id, window.year, 1)
    wait_idle(qtbot, window)
    for field, typed in (("consumption", "52000"), ("ncv", "21.5")):
        editor = open_editor(qtbot, window, row_of(window, field, "coal"), typed[0])
        editor.setText(typed)
        enter(qtbot, window, editor)
        wait_idle(qtbot, window)
    add_fuel_through_dialog(qtbot, window, "柴油")
    editor = open_editor(qtbot, window, row_of(window, "consumption", "diesel"), "3")
    editor.setText("3.2")
    enter(qtbot, window, editor)
    wait_idle(qtbot, window)
    coal = {"fuel": "coal", "consumption": Decimal(52000), "ncv": Decimal("21.5")}
    diesel = {"fuel": "diesel", "consumption": Decimal("3.2")}
    assert month_fuels(window) == [coal, diesel]

    # remove the coal row (the cursor on any of its cells): diesel moves up, coal's rows show empty
    window.grid.setCurrentIndex(window.grid_model.index(row_of(window, "ncv", "coal"), window.grid_model.FIXED))
    window.remove_row_item()
    wait_idle(qtbot, window)
    assert month_fuels(window) == [diesel]
    assert cell_text(window, row_of(window, "consumption", "coal")) == ""  # the unit's main fuel stays listed
    with window.ws.read() as session:
        audit = session.execute(select(AuditRecord)).scalars().all()
        assert any(e.field == "fuels" and "52000" in e.old_value and "52000" not in e.new_value for e in audit)

    window.undo_stack.undo()
    wait_idle(qtbot, window)
    assert sorted(month_fuels(window), key=lambda f: f["fuel"]) == [coal, diesel]
    assert cell_text(window, row_of(window, "ncv", "coal")) == "21.500"
    window.undo_stack.redo()
    wait_idle(qtbot, window)
    assert month_fuels(window) == [diesel]
    assert audit_check.verify_audit(ws=window.ws).ok  # removal and restore replay against the tables
    window.close()


def test_a_submitted_month_goes_back_to_draft_with_a_reason(qtbot, fresh_data_dir: Path, lang_zh) -> None:
    from desktop.ui import app as gui_app
    from desktop.ui.dialogs import TextDialog
    from tests.ui.test_window import answer_next_dialog

    window = gui_app.build_window(["--demo", "--today", "2026-11-23", "--lang", "zh"])
    qtbot.addWidget(window)
    wait_idle(qtbot, window)
    december = next(
        s for (_u, m), s in window.snapshot.months.items() if m == 12 and s.errors == 0 and s.stored is not None
    )
    window.select_month(december.unit_id, window.year, 12)
    window.submit_month()
    wait_idle(qtbot, window)
    assert window.current_state().stored.status.value == "submitted"
    assert window.amend_button.isEnabled() and window.amend_button.text() == "退回草稿…"

    # typing into it is refused with a message that says how to correct it (and no "已已提交")
    with pytest.raises(StorageError) as refused:
        store.save_month(ws=window.ws, unit_id=december.unit_id, year=window.year, month=12, changes={"note": "x"})
    text = user_message(refused.value)
    assert "已已" not in text and "退回草稿" in text

    def give_reason(dialog) -> None:
        assert isinstance(dialog, TextDialog)
        dialog.text.setPlainText("上网电量抄错，需更正")
        dialog.accept()

    answer_next_dialog(qtbot, give_reason)
    window.amend_button.click()
    wait_idle(qtbot, window)
    assert window.current_state().stored.status.value == "draft"
    assert window.current_state().stored.version == 1  # the same version, not an amendment
    with window.ws.read() as session:
        audit = session.execute(select(AuditRecord).where(AuditRecord.field == "status")).scalars().all()
    assert audit[-1].reason == "上网电量抄错，需更正" and "draft" in audit[-1].new_value
    with pytest.raises(StorageError) as no_reason:
        store.reopen_month(ws=window.ws, unit_id=december.unit_id, year=window.year, month=12, reason=" ")
    assert no_reason.value.code == "STO-E020"
    window.close()


def test_preflight_lists_errors_and_never_builds_silently(qtbot, fresh_data_dir: Path, lang_zh) -> None:
    from PySide6.QtWidgets import QDialog

    from desktop.ui import app as gui_app
    from desktop.ui.dialogs import PreflightDialog
    from tests.ui.test_window import answer_next_dialog

    window = gui_app.build_window(["--demo", "--today", "2026-11-23", "--lang", "zh"])
    qtbot.addWidget(window)
    wait_idle(qtbot, window)
    seen: list[PreflightDialog] = []

    def look_and_go_to_first(dialog) -> None:
        assert isinstance(dialog, PreflightDialog)
        seen.append(dialog)
        assert dialog.list.count() >= 1 and dialog.list.item(0).text().startswith("错误")
        assert "带错误生成" in dialog.build_button.text()
        dialog.jump(dialog.list.item(0))

    answer_next_dialog(qtbot, look_and_go_to_first)
    window.build_package()  # no passphrase is asked: the user went to the first error instead
    assert seen and seen[0].result() == QDialog.DialogCode.Rejected
    first = seen[0].list.item(0).data(Qt.ItemDataRole.UserRole)
    assert window.current_state().unit_code == first.ref.unit and window.month == first.ref.month
    row = window.grid_model.rows[window.grid.currentIndex().row()]
    if first.ref.field is not None and first.ref.row is None:
        assert row.spec is not None and row.spec.id == first.ref.field
    assert window.focusWidget() is window.grid  # the next key typed goes into that cell
    window.close()
