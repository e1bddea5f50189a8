"""Issue 9: master data after set-up — the data year, the first month kept here, units and the entity."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtWidgets import QInputDialog, QLineEdit
from sqlalchemy import select

from desktop.domain.periods import DepositState
from desktop.services import audit_check, store
from desktop.services.guidelines import guideline
from desktop.storage.models import AuditRecord
from desktop.ui import app as gui_app
from desktop.ui.dialogs import FirstRunWizard, RecordDialog
from tests.ui.test_window import answer_next_dialog, open_window, wait_idle


def wizard_workspace(qtbot, data: Path, year: int, first_month: int) -> Path:
    wizard = FirstRunWizard(guideline("power_generation").form, data / "plant.sqlite")
    qtbot.addWidget(wizard)
    wizard.name_edit.setText("新建电厂")
    wizard.uscc_edit.setText("91110000101623741K")
    wizard.year_edit.setCurrentIndex(wizard.year_edit.findData(year))
    wizard.from_edit.setCurrentIndex(wizard.from_edit.findData(first_month))
    wizard.units_table.item(0, 2).setText("330")
    return gui_app.create_workspace_from_wizard(wizard, "王碳")


@pytest.mark.parametrize("gid", ["power_generation", "cement_clinker", "aluminium_smelting"])
@pytest.mark.parametrize("year", [2025, date.today().year])
def test_the_wizard_suggests_the_first_month_not_yet_due(qtbot, fresh_data_dir: Path, lang_zh, gid, year) -> None:
    wizard = FirstRunWizard(guideline("power_generation").form, fresh_data_dir / "x.sqlite")
    qtbot.addWidget(wizard)
    wizard.guideline_choice.setCurrentIndex(wizard.guideline_choice.findData(gid))
    assert wizard.form.id == gid and wizard.units_table.columnCount() == 1 + len(guideline(gid).wizard_unit_fields)
    today = date.today()
    wizard.year_edit.setCurrentIndex(wizard.year_edit.findData(year))
    first = wizard.reporting_from()
    rule = guideline(gid).deposit_rule(year)
    # the suggested month's deposit is still to come; the month before it (if any) is already past due
    assert first.day == 1
    if first.year == year:
        assert rule.due(first.year, first.month) >= today
    if first.month > 1 or first.year > year:
        before = first.month - 1 if first.year == year else 12
        assert rule.due(year, before) < today


def test_the_wizard_year_and_first_month_are_honoured(qtbot, fresh_data_dir: Path, lang_zh) -> None:
    path = wizard_workspace(qtbot, fresh_data_dir, 2025, 10)
    window = gui_app.build_window(["--workspace", str(path), "--today", "2025-12-20", "--lang", "zh"])
    qtbot.addWidget(window)
    wait_idle(qtbot, window)
    assert window.year == 2025  # not the year before today's
    states = {m: s.state for (_u, m), s in window.snapshot.months.items()}
    assert all(states[m] is DepositState.NOT_TRACKED for m in range(1, 10))
    assert states[10] is DepositState.LATE  # October was due on 2025-12-10
    assert states[11] is DepositState.NOT_STARTED
    codes = {(f.code, f.ref.month) for f in window.snapshot.findings}
    assert not any(code == "GEN-E030" or (m is not None and m < 10 and code.startswith("GEN-")) for code, m in codes)
    assert window.reminder_box.text().startswith("⚠ 1 项月度存证已逾期（最早：机组 1# 10 月")
    details = window.reminder_box.details
    assert "10 月存证已逾期" in details and "1 月" not in details.replace("11 月", "")
    window.close()


def test_units_entity_and_years_after_set_up(qtbot, new_workspace: Path) -> None:
    window = open_window(qtbot, new_workspace)
    ws = window.ws
    entity_id = window.entity_id
    year = window.year

    # the entity: a wrong code is refused in the dialog, a right one saved (normalised) and audited
    def fix_uscc(dialog) -> None:
        assert isinstance(dialog, RecordDialog)
        dialog.widgets["uscc"].setText("123")
        dialog.accept()
        assert dialog.isVisible() and dialog.problem.text()  # refused, with the reason
        dialog.widgets["uscc"].setText("91110000101623741k")
        dialog.widgets["address"].setText("北京市西城区")
        dialog.widgets["reporting_from"].setText(f"{year}/1/1")  # every month of the year kept here
        dialog.reason_edit.setText("营业执照地址变更")
        dialog.accept()

    answer_next_dialog(qtbot, fix_uscc)
    window.edit_entity()
    wait_idle(qtbot, window)
    entity = store.get_entity(ws=ws, entity_id=entity_id)
    assert entity.values["address"] == "北京市西城区" and entity.uscc == "91110000101623741K"
    assert entity.values["reporting_from"] == date(year, 1, 1)

    # a unit added after set-up gets its own column
    def new_unit(dialog) -> None:
        dialog.widgets["id"].setText("3#")
        dialog.widgets["capacity_mw"].setText("abc")
        dialog.accept()
        assert "不是数值" in dialog.problem.text()
        dialog.widgets["capacity_mw"].setText("350")
        dialog.accept()

    answer_next_dialog(qtbot, new_unit)
    window.add_unit()
    wait_idle(qtbot, window)
    codes = [u.code for u in window.grid_model.units]
    assert "3#" in codes
    added = next(u for u in store.get_entity(ws=ws, entity_id=entity_id).units if u.code == "3#")
    assert added.values["capacity_mw"] == Decimal(350)

    # retiring needs a reason; afterwards its later months are owed nowhere
    window.unit_id = added.id

    def retire(dialog) -> None:
        dialog.widgets["retired_on"].setText(f"{year}年3月15日")
        dialog.accept()
        assert dialog.isVisible()  # no reason yet
        dialog.reason_edit.setText("关停淘汰")
        dialog.accept()

    answer_next_dialog(qtbot, retire)
    window.retire_unit()
    wait_idle(qtbot, window)
    unit = next(u for u in store.get_entity(ws=ws, entity_id=entity_id).units if u.code == "3#")
    assert unit.values["retired_on"] == date(year, 3, 15)
    assert window.snapshot.months[(added.id, 4)].state is DepositState.NOT_TRACKED
    assert window.snapshot.months[(added.id, 3)].state is not DepositState.NOT_TRACKED

    # a new data year
    def new_year(dialog) -> None:
        assert isinstance(dialog, QInputDialog)
        dialog.findChild(QLineEdit).setText("2024")
        dialog.setIntValue(2024)
        dialog.accept()

    answer_next_dialog(qtbot, new_year)
    window.add_year()
    wait_idle(qtbot, window)
    assert window.year == 2024 and 2024 in store.years_with_data(ws=ws, entity_id=entity_id)
    with ws.read() as session:
        actions = [(a.action, a.reason) for a in session.execute(select(AuditRecord)).scalars()]
    assert ("entity.set", "营业执照地址变更") in actions and ("unit.set", "关停淘汰") in actions
    assert any(a == "unit.create" for a, _ in actions) and any(a == "year.create" for a, _ in actions)
    assert audit_check.verify_audit(ws=ws).ok
    window.close()


def test_the_window_says_which_pack_a_year_without_one_uses(qtbot, fresh_data_dir: Path, lang_zh) -> None:
    path = wizard_workspace(qtbot, fresh_data_dir, 2026, 1)
    window = gui_app.build_window(["--workspace", str(path), "--today", "2026-06-20", "--lang", "zh"])
    qtbot.addWidget(window)
    wait_idle(qtbot, window)
    pack = window.snapshot.evaluation.pack
    assert window.year == 2026 and pack.data_year == 2025
    text = window.pack_bar.text()
    assert window.pack_bar.isVisible() and "2026 年度尚无参数包" in text and pack.title_zh in text
    unconfirmed = sum(1 for p in pack.parameters.values() if p.confidence == "U")
    assert f"{unconfirmed} 项未经确认" in text
    window.close()
