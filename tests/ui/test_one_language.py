"""Issue 9: one language at a time.  Every widget of every view and dialog is walked in Chinese and in
English; a text in the other script, a raw id, or a 28-digit decimal fails the test.  What the user
typed (names, labs, file names, the workspace path) and the pack's own citations are data, not UI."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from desktop.services import store
from desktop.services.guidelines import GUIDELINES
from desktop.services.preflight import Preflight
from desktop.ui import app as gui_app
from desktop.ui import dialogs as d
from desktop.ui import i18n
from tests.ui.language_walk import offences, texts_of
from tests.ui.test_window import wait_idle


def user_words(window) -> list[str]:
    """Everything in the workspace that a user typed or chose as a file: shown as typed in both languages."""
    snapshot = window.snapshot
    words = [snapshot.entity.name, str(window.ws.path), window.ws.app_user, str(Path.home())]
    words += [str(v) for v in snapshot.entity.values.values() if isinstance(v, str)]
    for unit in snapshot.entity.units:
        words += [unit.code, *[str(v) for v in unit.values.values() if isinstance(v, str)]]
    for state in snapshot.months.values():
        if state.stored is None:
            continue
        words += [str(v) for v in state.stored.values.values() if isinstance(v, str)]
        for kind in window.form.row_kinds:
            for row in state.stored.rows_of(kind.id):
                words += [str(v) for k, v in row.items() if isinstance(v, str) and k != kind.key]
        words += [e.file_name for e in state.stored.evidence]
    for f in snapshot.findings:  # values quoted back in a message: the lab's name, a report number
        words += [str(v) for v in f.params.values() if isinstance(v, str)]
    pack = snapshot.evaluation.pack
    words += [p.note for p in pack.parameters.values()]  # a pack's notes are its own (sources are translated)
    return words


def dialogs(window):
    form, snapshot = window.form, window.snapshot
    entity = snapshot.entity
    scan = Path(tempfile.mkdtemp()) / "scan.pdf"
    scan.write_bytes(b"%PDF-1.4\n")
    yield d.FirstRunWizard(form, Path(tempfile.mkdtemp()) / "w.sqlite", window)
    yield d.RecordDialog(form, "entity", {**entity.values, "name": entity.name}, "x", window, reason="optional")
    yield d.RecordDialog(form, "unit", dict(entity.units[0].values), "x", window, reason="required")
    yield d.PreflightDialog(Preflight.of(snapshot.findings), window.messages, window)
    yield d.YearItemsDialog(form, window.year, {}, window)
    yield d.EvidenceDialog(form, scan, "lab_report", window)
    yield d.SettingsDialog(
        lang=i18n.current(), user="u", workspace=str(window.ws.path), pack=snapshot.evaluation.pack, parent=window
    )


@pytest.mark.parametrize("gid", sorted(GUIDELINES))
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_view_and_dialog_speaks_one_language(qtbot, fresh_data_dir: Path, lang: str, gid: str) -> None:
    window = gui_app.build_window(["--demo", gid, "--today", "2026-02-20", "--lang", lang])
    qtbot.addWidget(window)
    wait_idle(qtbot, window)
    words = [*user_words(window), "scan.pdf"]  # the file the evidence dialog is opened on
    found: list[str] = []
    found += offences(texts_of(window), lang, words)  # the month view, navigator, findings, menus
    window.tabs.setCurrentIndex(1)
    qtbot.wait(50)
    # the year view with a figure's provenance open
    top = window.results.topLevelItem(0)
    window.show_provenance(top.child(0), 0)
    found += offences(texts_of(window), lang, words)
    window.findings_scope.setCurrentIndex(1)  # the whole year's findings
    found += offences(texts_of(window.findings_view), lang, words)
    for dialog in dialogs(window):
        dialog.show()
        qtbot.wait(20)
        found += offences(texts_of(dialog), lang, words)
        dialog.close()
    unique = sorted(set(found))
    assert not unique, f"{len(unique)} text(s) not in {lang}:\n" + "\n".join(unique[:60])
    window.close()
    assert QApplication.activeModalWidget() is None
    store  # noqa: B018 - imported for the fixtures' workspace
