"""The real window, driven like a carbon officer would, through a whole month."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit

from desktop.domain.periods import PeriodStatus
from desktop.services import evidence_files, store
from desktop.services.guidelines import guideline
from desktop.ui import app as gui_app
from desktop.ui import i18n
from desktop.ui.dialogs import EvidenceDialog, FirstRunWizard, TextDialog
from desktop.ui.main_window import MainWindow
from desktop.ui.models import ROLE_KEY, MonthGridModel

TODAY = "2026-02-20"


def wait_idle(qtbot, window: MainWindow) -> None:
    qtbot.waitUntil(
        lambda: window.snapshot is not None and not window.worker.busy and window.saving == 0 and not window.applying,
        timeout=20000,
    )


def row_of(window: MainWindow, field: str, fuel: str | None = None) -> int:
    return next(
        i for i, r in enumerate(window.grid_model.rows) if r.spec is not None and r.spec.id == field and r.item == fuel
    )


def computed_row(window: MainWindow, figure: str, fuel: str | None = None) -> int:
    return next(i for i, r in enumerate(window.grid_model.rows) if r.figure == figure and r.item == fuel)


def cell_text(window: MainWindow, row: int, unit_col: int = 0) -> str:
    return window.grid_model.data(window.grid_model.index(row, MonthGridModel.FIXED + unit_col))


def type_into(qtbot, window: MainWindow, row: int, text: str, unit_col: int = 0) -> None:
    """Select the cell and type, as on a keyboard: typing replaces, Enter commits and moves down."""
    index = window.grid_model.index(row, MonthGridModel.FIXED + unit_col)
    window.grid.setCurrentIndex(index)
    window.grid.setFocus()
    QTest.keyClicks(window.grid, text[:1])  # the first key opens the editor, replacing the value
    editor = window.grid.findChild(QLineEdit)
    assert editor is not None, "typing did not open the cell editor"
    QTest.keyClicks(editor, text[1:])
    QTest.keyClick(editor, Qt.Key.Key_Return)
    # Qt commits an editor on Enter through a queued call: wait for it before looking.
    qtbot.waitUntil(lambda: window.grid.state() != window.grid.State.EditingState, timeout=5000)


def answer_next_dialog(qtbot, fill) -> None:
    """Modal dialogs run their own loop: answer the next one when it shows."""

    def poke() -> None:
        widget = QApplication.activeModalWidget()
        if widget is None:
            QTimer.singleShot(50, poke)
            return
        fill(widget)

    QTimer.singleShot(50, poke)


@pytest.fixture
def new_workspace(qtbot, fresh_data_dir: Path, lang_zh) -> Path:
    """Create the workspace through the first-run wizard, as a new user would."""
    wizard = FirstRunWizard(guideline("power_generation").form, fresh_data_dir / "plant.sqlite")
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.next()
    wizard.name_edit.setText("示范发电有限公司")
    wizard.uscc_edit.setText("9111 0000 1016 2374 1k")  # typed with spaces and lower case
    assert wizard.uscc_ok and "91110000101623741K" in wizard.uscc_note.text()
    assert wizard.entity_page.isComplete()
    wizard.uscc_edit.setText("91110000101623741")
    assert not wizard.entity_page.isComplete()  # a wrong length cannot go on
    wizard.uscc_edit.setText("91110000101623741K")
    wizard.next()
    wizard.units_table.item(0, 2).setText("660")
    wizard.accept()
    path = gui_app.create_workspace_from_wizard(wizard, "王碳")
    return path


def open_window(qtbot, path: Path, lang: str = "zh") -> MainWindow:
    window = gui_app.build_window(["--workspace", str(path), "--today", TODAY, "--lang", lang])
    assert window is not None
    qtbot.addWidget(window)
    window.activateWindow()
    qtbot.waitExposed(window)
    wait_idle(qtbot, window)
    if window.reminder_box is not None:
        window.reminder_box.close()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
    return window


def test_a_whole_month(qtbot, new_workspace: Path, tmp_path: Path) -> None:
    window = open_window(qtbot, new_workspace)
    window.select_month(window.unit_id, window.year, 1)

    # keyboard: generation, then supply (Enter moved down to the next input row)
    type_into(qtbot, window, row_of(window, "generation_mwh"), "339512.9")
    wait_idle(qtbot, window)
    assert cell_text(window, row_of(window, "generation_mwh")) == "339,512.9"
    assert window.grid.currentIndex().row() == row_of(window, "supply_mwh")

    # text in a number field is refused in the cell, with the reason, and nothing is saved
    type_into(qtbot, window, row_of(window, "supply_mwh"), "abc")
    assert "不是数值" in window.last_message
    assert cell_text(window, row_of(window, "supply_mwh")) == ""

    # paste a column from Excel: supply, heat, ratio, hours, load factor (thousands separators as people copy)
    QGuiApplication.clipboard().setText("319,854.6\n0\n0\n613.2\n0.8389\n")
    window.grid.setCurrentIndex(window.grid_model.index(row_of(window, "supply_mwh"), MonthGridModel.FIXED))
    QTest.keySequence(window.grid, "Ctrl+V")
    wait_idle(qtbot, window)
    assert cell_text(window, row_of(window, "operating_hours")) == "613.2"
    assert cell_text(window, row_of(window, "load_factor")) == "0.8389"
    type_into(qtbot, window, row_of(window, "purchased_electricity_mwh"), "89.1")
    wait_idle(qtbot, window)

    # the coal row: consumption, NCV and the measured carbon (typing into the coal row creates it)
    values = {
        "consumption": "150897.1",
        "ncv": "18.78",
        "carbon_measured": "是",
        "c_ad_pct": "57.83",
        "m_ad_pct": "3.13",
        "m_ar_pct": "14.52",
        "h_ad_pct": "3.6",
        "s_t_ad_pct": "0.82",
    }
    for field, text in values.items():
        index = window.grid_model.index(row_of(window, field, "coal"), MonthGridModel.FIXED)
        window.grid_model.setData(index, text)  # Chinese text goes through setData (keyClicks aborts on it)
        wait_idle(qtbot, window)
    # computed cells update: the carbon content used, its source, and the emissions (P1's January)
    c_ar = cell_text(window, computed_row(window, "c_ar", "coal"))
    assert c_ar.startswith("0.510303") and "实测" in c_ar
    assert cell_text(window, computed_row(window, "e_total_t")) == "279,573"

    # findings update: the measured month still lacks its lab metadata and its scans
    codes = {f.code for f in window.findings_model.findings}
    assert "PWR-E001" in codes and "PWR-E020" in codes

    # submitting is refused while errors remain (the message says why)
    window.submit_month()
    wait_idle(qtbot, window)
    assert "错误" in window.last_message
    window.error_box.close()

    # evidence: drop the lab report on the carbon cell; its metadata is asked once and fills the row
    scan = tmp_path / "检测报告-2025-01.pdf"
    scan.write_bytes(b"%PDF-1.4 lab report")
    index = window.grid_model.index(row_of(window, "c_ad_pct", "coal"), MonthGridModel.FIXED)
    dialog = EvidenceDialog(window.form, scan, "lab_report", window)
    qtbot.addWidget(dialog)
    dialog.inputs["lab_name"].setText("华北煤质检测中心")
    dialog.inputs["lab_accreditation_no"].setText("CMA 2019000123")
    dialog.inputs["report_no"].setText("HB-2025-01")
    dialog.inputs["qr_present"].setChecked(True)
    dialog.inputs["sample_received_date"].setDate(date(2025, 2, 2))
    dialog.inputs["test_date"].setDate(date(2025, 2, 4))
    dialog.inputs["report_date"].setDate(date(2025, 2, 8))
    dialog._accept()
    window.attach_to_cell(index, scan, dialog=dialog)
    wait_idle(qtbot, window)
    assert cell_text(window, row_of(window, "lab_name", "coal")) == "华北煤质检测中心"
    assert window.evidence_list.count() == 1
    for kind, paths in (
        ("fuel_ledger", "consumption"),
        ("production_ledger", "generation_mwh"),
        ("electricity_ledger", "purchased_electricity_mwh"),
    ):
        other = tmp_path / f"{kind}.pdf"
        other.write_bytes(kind.encode())
        unit_id = window.unit_id
        path = "fuels[0].consumption" if paths == "consumption" else paths
        links = [(unit_id, window.year, 1, path)]
        if kind == "production_ledger":
            links += [
                (unit_id, window.year, 1, p)
                for p in ("supply_mwh", "heat_supply_gj", "heat_ratio", "operating_hours", "load_factor")
            ]
        evidence_files.attach_evidence(ws=window.ws, file=other, kind=kind, links=links)
    window.refresh()
    wait_idle(qtbot, window)
    assert not [f for f in window.findings_model.findings if f.severity.value == "error"]

    # a warning: acknowledge it with a justification through the dialog
    window.findings_scope.setCurrentIndex(0)
    warnings = [f for f in window.findings_model.findings if f.severity.value == "warning"]
    assert warnings, [f.code for f in window.findings_model.findings]
    row = window.findings_model.findings.index(warnings[0])
    window.findings_view.setCurrentIndex(window.findings_model.index(row, 0))

    def justify(widget: QDialog) -> None:
        assert isinstance(widget, TextDialog)
        widget.text.setPlainText("1月为检修后首月，数据经生产部门复核")
        widget.accept()

    answer_next_dialog(qtbot, justify)
    window.acknowledge_selected()
    wait_idle(qtbot, window)
    acked = next(f for f in window.snapshot.findings if f.code == warnings[0].code and f.ref == warnings[0].ref)
    assert acked.acknowledged is not None and "检修" in acked.acknowledged.justification

    # submit, then mark deposited: the month is locked and its cells no longer editable
    window.submit_month()
    wait_idle(qtbot, window)
    assert window.current_state().stored.status is PeriodStatus.SUBMITTED
    answer_next_dialog(qtbot, lambda d: d.accept())
    window.lock_month()
    wait_idle(qtbot, window)
    assert window.current_state().stored.status is PeriodStatus.LOCKED
    index = window.grid_model.index(row_of(window, "generation_mwh"), MonthGridModel.FIXED)
    assert not (window.grid_model.flags(index) & Qt.ItemFlag.ItemIsEditable)
    assert not window.grid_model.setData(index, "1")
    assert "已存证" in window.month_status.text()
    window.close()


def test_undo_redo_and_language_switch(qtbot, new_workspace: Path) -> None:
    window = open_window(qtbot, new_workspace)
    window.select_month(window.unit_id, window.year, 2)
    row = row_of(window, "generation_mwh")
    type_into(qtbot, window, row, "1000")
    wait_idle(qtbot, window)
    type_into(qtbot, window, row, "2000")
    wait_idle(qtbot, window)
    assert cell_text(window, row) == "2,000.0"
    window.act_undo.trigger()
    wait_idle(qtbot, window)
    assert cell_text(window, row) == "1,000.0"
    window.act_undo.trigger()
    wait_idle(qtbot, window)
    assert cell_text(window, row) == ""
    window.act_redo.trigger()
    wait_idle(qtbot, window)
    assert cell_text(window, row) == "1,000.0"
    stored = store.get_month(ws=window.ws, unit_id=window.unit_id, year=window.year, month=2)
    assert stored.values["generation_mwh"] == Decimal(1000)

    assert window.tabs.tabText(0) == "月度填报"
    window.apply_settings("en", "Wang")
    assert window.tabs.tabText(0) == "Monthly entry"
    assert window.grid_model.data(window.grid_model.index(row, 0)) == "Generation"
    assert cell_text(window, row) == "1,000.0"  # nothing typed is lost by switching
    window.apply_settings("zh", "Wang")
    assert window.tabs.tabText(0) == "月度填报" and window.ws.app_user == "Wang"
    window.close()


def test_reminders_of_the_running_cycle_end_with_the_annual_report(qtbot, fresh_data_dir: Path, lang_zh) -> None:
    window = gui_app.build_window(["--demo", "--today", "2026-02-20", "--lang", "zh"])
    assert window is not None
    qtbot.addWidget(window)
    wait_idle(qtbot, window)
    bar = window.reminder_box
    assert bar.isVisible() and "月度存证已逾期" in bar.text() and "\n" not in bar.text()  # one line
    assert bar.text().endswith("年度排放报告 2026-03-31 截止（还剩 39 天）")
    bar.more_button.click()  # the whole list, one click away
    assert bar.label.text() == bar.details and "逾期" in bar.details
    assert bar.details.splitlines()[-1].startswith("• 年度排放报告将于 2026-03-31 截止")
    assert QApplication.activeModalWidget() is None  # a bar in the window, not a pop-up taking the keyboard
    window.close()


def test_demo_year_view_provenance_and_models(qtbot, qtmodeltester, fresh_data_dir: Path, lang_zh) -> None:
    window = gui_app.build_window(["--demo", "--today", "2026-11-23", "--lang", "zh"])
    assert window is not None
    qtbot.addWidget(window)
    wait_idle(qtbot, window)
    # 2025's annual report was due on 2026-03-31: its months are history, nothing is shown overdue
    assert window.reminder_box is None or not window.reminder_box.isVisible()
    # the navigator shows deposit states; the month needing attention is open
    assert window.month in {7, 10, 12}
    for model in (window.navigator_model, window.grid_model, window.year_model, window.findings_model):
        qtmodeltester.check(model)
    # every view of a model written in Python paints in one hold of the interpreter lock (views.OneHoldPaint):
    # a view that did not would wait for a busy worker thread at every cell
    from PySide6.QtWidgets import QAbstractItemView, QHeaderView

    from desktop.ui.views import OneHoldPaint

    python_views = [
        v
        for v in window.findChildren(QAbstractItemView)  # headers too: they ask the model for each section
        if v.model() is not None
        and type(v.model()).__module__.startswith("desktop.")
        and not (isinstance(v, QHeaderView) and v.isHidden())  # the navigator's, never shown
    ]
    # the grid and the year table with their frozen columns, the findings, the navigator; the tables' headers
    assert len(python_views) >= 12
    assert all(isinstance(v, OneHoldPaint) for v in python_views), [type(v).__name__ for v in python_views]
    window.tabs.setCurrentIndex(1)
    window.year_unit.setCurrentIndex(1)  # 2#: its category has no published benchmark for 2025
    assert all(v is None for v in window.chart.balance)
    window.year_unit.setCurrentIndex(0)  # 1#: the benchmark was entered with a reason
    top = window.results.topLevelItem(0)
    allocation = next(
        top.child(i) for i in range(top.childCount()) if top.child(i).text(3).startswith(("AL1:", "AL2:"))
    )
    window.show_provenance(allocation, 0)
    text = window.provenance.toPlainText()
    # the provenance names parameters as the user knows them, with the pack and the reason of an override
    assert "供电基准值" in text and "负荷" in text and "用户修改" in text
    assert "benchmark" not in text and "f_load" not in text
    assert any(v is not None for v in window.chart.balance)
    # a click on a finding jumps to its cell
    window.findings_scope.setCurrentIndex(1)
    finding_row = next(i for i, f in enumerate(window.findings_model.findings) if f.code == "PWR-E007")
    window.jump_to_finding(window.findings_model.index(finding_row, 0))
    assert window.tabs.currentIndex() == 0 and window.month == 7
    current = window.grid.currentIndex()
    assert window.grid_model.rows[current.row()].spec.id == "m_ar_pct"
    window.close()


def test_recent_workspaces_are_offered(qtbot, new_workspace: Path, fresh_data_dir: Path) -> None:
    window = open_window(qtbot, new_workspace)
    other = fresh_data_dir / "other.sqlite"
    from desktop.storage.workspace import Workspace

    Workspace.open(other).close()
    window.switch_workspace(other)
    wait_idle(qtbot, window)
    window.fill_recent()
    entries = [a.text() for a in window.recent_menu.actions()]
    assert entries[:2] == [str(other), str(new_workspace)]
    back = next(a for a in window.recent_menu.actions() if a.text() == str(new_workspace))
    assert back.isEnabled()
    back.trigger()
    wait_idle(qtbot, window)
    assert window.ws.path == new_workspace.resolve()
    window.close()


def test_a_locked_month_refuses_paste(qtbot, fresh_data_dir: Path, lang_zh) -> None:
    window = gui_app.build_window(["--demo", "--today", "2026-11-23"])
    qtbot.addWidget(window)
    wait_idle(qtbot, window)
    if window.reminder_box:
        window.reminder_box.close()
    window.select_month(window.snapshot.entity.units[0].id, window.year, 3)
    before = window.current_state().stored.values["generation_mwh"]
    QGuiApplication.clipboard().setText("1\n2\n3")
    window.grid.setCurrentIndex(window.grid_model.index(row_of(window, "generation_mwh"), MonthGridModel.FIXED))
    QTest.keySequence(window.grid, "Ctrl+V")
    wait_idle(qtbot, window)
    assert window.current_state().stored.values["generation_mwh"] == before
    window.close()


def test_error_dialog_and_log(qtbot, fresh_data_dir: Path, qapp) -> None:
    gui_app.setup_logging()
    gui_app.install_error_hook(qapp)
    try:
        raise RuntimeError("boom")
    except RuntimeError as exc:
        import sys

        sys.excepthook(type(exc), exc, exc.__traceback__)
    dialogs = qapp._error_dialogs
    assert "boom" in dialogs[-1].details.toPlainText()
    assert "RuntimeError: boom" in gui_app.log_path().read_text(encoding="utf-8")
    dialogs[-1].close()


def test_translations_are_complete() -> None:
    """Every UI string of the code is in the committed .ts and translated."""
    import subprocess
    import sys
    import tempfile
    import xml.etree.ElementTree as ET

    root = Path(__file__).resolve().parents[2]
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "check.ts"
        lupdate = Path(sys.executable).parent / "pyside6-lupdate"
        subprocess.run(
            [str(lupdate), *map(str, sorted((root / "desktop" / "ui").glob("*.py"))), "-ts", str(fresh)],
            check=True,
            capture_output=True,
        )
        wanted = {m.find("source").text for m in ET.parse(fresh).iter("message")}
    committed = {
        m.find("source").text: m.find("translation")
        for m in ET.parse(root / "resources" / "translations" / "carbondesk_zh_CN.ts").iter("message")
    }
    missing = sorted(
        s
        for s in wanted
        if s not in committed or not (committed[s].text or "").strip() or committed[s].get("type") == "unfinished"
    )
    assert not missing, f"untranslated UI strings (run pyside6-lupdate and translate): {missing}"
    assert i18n.LANGUAGES == ("zh", "en")


def test_models_pass_the_model_tester_when_empty(qtmodeltester) -> None:
    from desktop.ui.models import FindingsTableModel, NavigatorModel, YearTableModel

    form = guideline("power_generation").form
    for model in (MonthGridModel(form), YearTableModel(form), FindingsTableModel(form), NavigatorModel()):
        qtmodeltester.check(model)


def test_reminders_stay_short_for_a_group(qapp) -> None:
    from desktop.services.session import Reminder
    from desktop.ui.dialogs import reminder_text

    i18n.set_language("zh")
    many = [Reminder("deposit_late", date(2026, 2, 9), 287, f"{n}#", 12) for n in range(200)]
    many += [Reminder("deposit_due", date(2026, 12, 10), 5, f"{n}#", 10) for n in range(3)]
    text = reminder_text(many, unit_word=("机组", "unit"))
    assert len(text.splitlines()) == 2
    assert "等 200 个机组" in text and "0#、1#" in text and "还剩 5 天" in text


def test_navigator_finds_every_month_at_its_row(qtbot, fresh_data_dir: Path, lang_zh) -> None:
    window = gui_app.build_window(["--demo", "--today", "2026-11-23"])
    qtbot.addWidget(window)
    wait_idle(qtbot, window)
    model = window.navigator_model
    for unit in window.snapshot.entity.units:
        for month in range(1, 13):
            index = model.find("month", (unit.id, window.year, month))
            assert index.row() == month - 1
            assert model.index(index.row(), 0, index.parent()).internalPointer() is index.internalPointer()
    window.select_month(window.snapshot.entity.units[1].id, window.year, 7)
    selected = window.navigator.selectionModel().selectedIndexes()
    assert [model.data(i, ROLE_KEY)[-1] for i in selected] == [7]
    window.close()


def test_outputs_from_the_window(qtbot, fresh_data_dir: Path, tmp_path: Path, lang_zh) -> None:
    from desktop.services import package

    window = gui_app.build_window(["--demo", "--today", "2026-11-23"])
    qtbot.addWidget(window)
    wait_idle(qtbot, window)
    if window.reminder_box:
        window.reminder_box.close()
    pdf, xlsx, zipped = tmp_path / "r.pdf", tmp_path / "r.xlsx", tmp_path / "p.zip"
    window.export_pdf_to(pdf)
    qtbot.waitUntil(pdf.exists, timeout=30000)
    window.export_xlsx_to(xlsx)
    qtbot.waitUntil(xlsx.exists, timeout=30000)
    window.pending_preview = None
    window.preview_xlsx(xlsx, confirm=False)
    qtbot.waitUntil(lambda: window.pending_preview is not None, timeout=30000)
    assert window.pending_preview.changes == ()  # the round trip through the window changes nothing
    window.export_month_to(tmp_path)
    sheet = tmp_path / f"存证表-{window.year}-{window.month:02d}.xlsx"
    qtbot.waitUntil(sheet.exists, timeout=30000)
    window.build_package_to(zipped, b"passphrase", "王碳", allow_errors=True)  # the demo keeps its errors
    qtbot.waitUntil(zipped.exists, timeout=60000)
    verdict = package.verify_package(zipped)
    assert verdict.intact and verdict.status == "unestablished"  # no trust anchor given
    assert "Written" in window.last_message or "已写入" in window.last_message
    window.close()


def test_compliance_items_entered_in_the_year_view(qtbot, fresh_data_dir: Path, lang_zh) -> None:
    """CCER used and banked allowances typed in the year view reach the store and the compliance figures."""
    from desktop.ui.dialogs import YearItemsDialog

    window = gui_app.build_window(["--demo", "--today", "2026-11-23", "--lang", "zh"])
    qtbot.addWidget(window)
    wait_idle(qtbot, window)
    if window.reminder_box is not None:
        window.reminder_box.close()
    window.tabs.setCurrentIndex(1)
    assert window.year_items_button.isVisible() and window.year_items_button.text() == "履约数据…"

    def fill_bad(dialog: YearItemsDialog) -> None:
        dialog.edits["ccer_used_t"].setText("一万")
        dialog.try_accept()
        assert "须为数值" in dialog.problem.text() and dialog.isVisible()
        dialog.edits["ccer_used_t"].setText("2000000000000")
        dialog.try_accept()
        assert "绝对值应小于" in dialog.problem.text() and dialog.isVisible()
        dialog.edits["ccer_used_t"].setText("12,000")
        dialog.edits["banked_in_t"].setText("3000")
        dialog.reason.setText("清缴确认单 2026-001")
        dialog.try_accept()

    answer_next_dialog(qtbot, fill_bad)
    window.edit_year_items()
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: window.snapshot.evaluation.report.year.get("ccer_used_t") == Decimal(12000), timeout=5000)
    totals = window.snapshot.evaluation.result.totals
    assert totals["banked_in_t"].value == 3000
    labels = [
        window.results.topLevelItem(1).child(i).text(0) for i in range(window.results.topLevelItem(1).childCount())
    ]
    assert "实际使用 CCER 抵销量" in labels and "清缴后盈缺" in labels
    window.close()
