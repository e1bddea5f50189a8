"""Issue 9, the smaller defects: each one reproduced, then fixed."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel

from desktop.services import outputs, store
from desktop.services.demo import create_demo_workspace
from desktop.services.guidelines import guideline
from desktop.ui import app as gui_app
from desktop.ui.dialogs import EvidenceDialog, OverrideDialog, PassphraseDialog
from desktop.ui.main_window import recent_workspaces, remember_workspace
from desktop.ui.models import MonthGridModel
from tests.ui.test_window import open_window, row_of, wait_idle


def test_recent_workspaces_with_one_entry_are_paths_not_characters(tmp_path: Path, qapp) -> None:
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    remember_workspace(settings, tmp_path / "one.sqlite")
    settings.sync()
    again = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)  # as read at the next start
    assert recent_workspaces(again) == [str(tmp_path / "one.sqlite")]
    remember_workspace(again, tmp_path / "two.sqlite")
    assert recent_workspaces(again) == [str(tmp_path / "two.sqlite"), str(tmp_path / "one.sqlite")]


def test_the_monthly_pdf_numbers_its_sections_in_order(tmp_path: Path) -> None:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext not installed")
    ws = create_demo_workspace(tmp_path / "demo.sqlite", today=date(2026, 2, 20))
    entity_id = store.list_entities(ws=ws)[0].id
    pdf, _ = outputs.export_month(
        ws=ws, entity_id=entity_id, year=2025, month=10, target_pdf=tmp_path / "m.pdf", target_xlsx=tmp_path / "m.xlsx"
    )
    ws.close()
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert text.index("一、校验结果") < text.index("二、支撑材料索引")
    assert "七、" not in text and "八、" not in text


def test_extra_pasted_columns_are_reported_not_dropped_silently(qtbot, new_workspace: Path) -> None:
    window = open_window(qtbot, new_workspace)
    window.select_month(window.unit_id, window.year, 1)
    wait_idle(qtbot, window)
    units = len(window.grid_model.units)
    QGuiApplication.clipboard().setText("\t".join(str(600 + i) for i in range(units + 2)) + "\n")
    window.grid.setCurrentIndex(window.grid_model.index(row_of(window, "operating_hours"), MonthGridModel.FIXED))
    window.grid.paste()
    wait_idle(qtbot, window)
    assert f"已粘贴 {units} 个值；另有 2 个值超出可填单元格" in window.last_message
    record = store.get_month(ws=window.ws, unit_id=window.unit_id, year=window.year, month=1)
    assert record.values["operating_hours"] == Decimal(600)
    window.close()


def test_the_evidence_dialog_fills_in_what_the_row_already_says(qtbot, lang_zh, tmp_path: Path) -> None:
    form = guideline("power_generation").form
    scan = tmp_path / "report.pdf"
    scan.write_bytes(b"%PDF-1.4\n")
    known = {
        "lab_name": "华北煤质检测中心",
        "report_no": "HB-2025-118",
        "sample_received_date": date(2025, 2, 3),
        "test_date": date(2025, 2, 5),
        "report_date": date(2025, 2, 8),
        "qr_present": True,
    }
    dialog = EvidenceDialog(form, scan, "lab_report", None, known=known)
    qtbot.addWidget(dialog)
    assert dialog.inputs["lab_name"].text() == "华北煤质检测中心" and dialog.inputs["report_no"].text() == "HB-2025-118"
    dialog._accept()  # nothing to retype: accepted as filled in
    assert dialog.result() == dialog.DialogCode.Accepted
    assert dialog.lab() == {**known, "lab_accreditation_no": None}


def test_an_override_has_a_value_box_and_a_reason_box(qtbot, lang_zh) -> None:
    g = guideline("power_generation")
    param = g.pack(2025).get("grid_ef")
    dialog = OverrideDialog(g, param)
    qtbot.addWidget(dialog)
    dialog.value_edit.setText("0.5366")
    dialog.accept()
    assert dialog.result() != dialog.DialogCode.Accepted and "原因" in dialog.problem.text()
    dialog.reason_edit.setPlainText("生态环境部 2024 年电网排放因子通知")
    dialog.accept()
    assert dialog.new_value == Decimal("0.5366") and dialog.reason() == "生态环境部 2024 年电网排放因子通知"
    assert "全国电网平均排放因子" in dialog.windowTitle()


def test_a_new_signing_passphrase_is_asked_twice(qtbot, lang_zh) -> None:
    dialog = PassphraseDialog(creating=True, name="王碳")
    qtbot.addWidget(dialog)
    dialog.first.setText("correct horse")
    dialog.second.setText("correct hose")
    dialog.accept()
    assert dialog.result() != dialog.DialogCode.Accepted and "不一致" in dialog.problem.text()
    dialog.second.setText("correct horse")
    dialog.accept()
    assert dialog.result() == dialog.DialogCode.Accepted and dialog.passphrase() == "correct horse"
    existing = PassphraseDialog(creating=False)
    qtbot.addWidget(existing)
    assert not existing.second.isVisibleTo(existing)  # an existing key: asked once


def test_type_to_search_in_the_navigator_does_not_change_the_month(qtbot, fresh_data_dir: Path, lang_zh) -> None:
    from PySide6.QtTest import QTest

    window = gui_app.build_window(["--demo", "--today", "2026-02-20", "--lang", "zh"])
    qtbot.addWidget(window)
    wait_idle(qtbot, window)
    month, unit = window.month, window.unit_id
    expanded = window.navigator_model.expanded_keys(window.navigator)
    window.navigator.setFocus()
    QTest.keyClicks(window.navigator, "3")
    window.navigator.keyboardSearch("机组")  # QTest.keyClicks cannot type Chinese
    qtbot.wait(50)
    assert (window.month, window.unit_id) == (month, unit)
    # a save (new month states) keeps what is expanded
    store.save_month(ws=window.ws, unit_id=unit, year=window.year, month=12, changes={"note": "x"}, validate=False)
    window.refresh()
    wait_idle(qtbot, window)
    assert window.navigator_model.expanded_keys(window.navigator) == expanded
    window.close()


def test_the_trust_store_is_managed_from_settings(qtbot, fresh_data_dir: Path, lang_zh, tmp_path: Path) -> None:
    """Issue 11: the signers whose packages the user accepts, added and removed in Settings."""
    from cryptography.hazmat.primitives import serialization

    from desktop.signing.core import create_self_signed
    from desktop.ui.dialogs import SettingsDialog

    signer = create_self_signed(name="集团二厂", uscc="91310000MA1FL8XQ4L")
    cert = tmp_path / "plant2.pem"
    cert.write_bytes(signer.certificate.public_bytes(serialization.Encoding.PEM))
    dialog = SettingsDialog(lang="zh", user="u", workspace="w", pack=guideline("power_generation").pack(2025))
    qtbot.addWidget(dialog)
    dialog.add_trusted(cert)
    assert dialog.trust_list.count() == 1 and "集团二厂" in dialog.trust_list.item(0).text()
    assert (fresh_data_dir / "trust" / f"{signer.fingerprint}.pem").exists()
    dialog.trust_list.setCurrentRow(0)
    dialog.remove_trusted()
    assert dialog.trust_list.count() == 0


@pytest.mark.parametrize("gid", ["cement_clinker", "aluminium_smelting"])
def test_the_evidence_dialog_asks_what_each_kind_records(qtbot, lang_en, tmp_path: Path, gid: str) -> None:
    """The record's inputs come from the form: each lab-report kind of the guideline asks them, a ledger
    does not, and the record's rules (dates in order) are the store's."""
    form = guideline(gid).form
    scan = tmp_path / "report.pdf"
    scan.write_bytes(b"%PDF-1.4\n")
    recording = [k for k, ek in form.evidence_kinds.items() if ek.record]
    plain = next(k for k, ek in form.evidence_kinds.items() if not ek.record)
    assert len(recording) >= 2  # the fuel test report and the guideline's own (clinker, anode)
    dialog = EvidenceDialog(form, scan, recording[-1], None)
    qtbot.addWidget(dialog)
    dialog.show()
    ek = form.evidence_kinds[recording[-1]]
    assert all(dialog.inputs[k].isVisible() for k in ek.record)
    labels = [s.label_en for s in form.record_specs(recording[-1])]
    assert all(any(isinstance(w, QLabel) and w.text() == t for w in dialog.findChildren(QLabel)) for t in labels[:2])
    first, last = ek.record_in_order[0], ek.record_in_order[-1]
    for key in ek.record_required:
        dialog.inputs[key].setText("R-1")
    dialog.inputs[first].setDate(date(2025, 3, 9))
    dialog.inputs[last].setDate(date(2025, 3, 1))
    dialog._accept()
    assert dialog.result() != dialog.DialogCode.Accepted and "dates must run" in dialog.problem.text()
    dialog.inputs[first].setDate(date(2025, 2, 27))
    for key in ek.record_in_order[1:-1]:
        dialog.inputs[key].setDate(date(2025, 2, 28))
    dialog._accept()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert dialog.lab()[last] == date(2025, 3, 1) and dialog.lab()[ek.record_required[0]] == "R-1"
    dialog.kind.setCurrentIndex(dialog.kind.findData(plain))
    assert not any(dialog.inputs[k].isVisible() for k in ek.record) and dialog.lab() is None


def test_a_file_being_written_shows_in_the_status_bar_one_at_a_time(qtbot, new_workspace: Path, tmp_path) -> None:
    """Writing a PDF, a workbook or a package no longer puts up a modal dialog (which held the window for
    hundreds of milliseconds on a group's report): its progress and cancel button are in the status bar, a
    recalculation never cancels it, and a file asked for meanwhile follows when it is done, said so."""
    window = open_window(qtbot, new_workspace)
    first, second = tmp_path / "a.pdf", tmp_path / "b.xlsx"
    handle = window.export_pdf_to(first)
    assert handle is not None and handle.dialog is None
    assert window.output_progress.handle is handle and window.output_progress.isVisibleTo(window)
    assert window.export_xlsx_to(second) is None and "接着写入" in window.last_message  # waits its turn
    window.refresh(long=True)  # a recalculation on its own status line, the file still being written
    assert window.output_progress.handle is handle
    qtbot.waitUntil(lambda: first.exists() and second.exists(), timeout=30000)
    qtbot.waitUntil(lambda: window.output_progress.handle is None, timeout=30000)
    assert not window.output_progress.isVisibleTo(window) and not window.waiting_outputs
    window.close()
