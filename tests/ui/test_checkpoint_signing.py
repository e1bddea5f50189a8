"""Issue 12: the window signs the audit checkpoint of each status change, asking the passphrase once per run."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox, QPushButton

from desktop.domain.periods import PeriodStatus
from desktop.services import audit_check, store
from desktop.services.demo import create_demo_workspace
from desktop.signing.core import create_self_signed, save_signer
from desktop.ui.dialogs import PassphraseDialog, TextDialog
from tests.ui.test_window import answer_next_dialog, open_window, wait_idle

PASSPHRASE = "黄河入海流-2025"


def locked_month(window) -> int:
    return next(
        m
        for m in range(1, 13)
        if (s := store.get_month(ws=window.ws, unit_id=window.unit_id, year=window.year, month=m)) is not None
        and s.status is PeriodStatus.LOCKED
    )


def test_amend_then_submit_sign_their_checkpoints_with_one_passphrase(qtbot, fresh_data_dir: Path, lang_zh) -> None:
    signer = create_self_signed(name="王碳", organisation="华能示范电厂")
    save_signer(signer, fresh_data_dir / "signer", PASSPHRASE.encode("utf-8"))
    create_demo_workspace(fresh_data_dir / "demo.sqlite", today=date(2026, 2, 20)).close()
    window = open_window(qtbot, fresh_data_dir / "demo.sqlite")
    month = locked_month(window)
    window.select_month(window.unit_id, window.year, month)
    wait_idle(qtbot, window)
    before = len(audit_check.verify_audit(ws=window.ws).checkpoints)
    asked: list[str] = []

    def reason(dialog) -> None:
        assert isinstance(dialog, TextDialog)
        dialog.text.setPlainText("化验报告编号更正")
        answer_next_dialog(qtbot, passphrase)
        dialog.accept()

    def passphrase(dialog) -> None:
        assert isinstance(dialog, PassphraseDialog)
        asked.append(dialog.windowTitle())
        dialog.first.setText("wrong one")
        dialog.accept()  # the dialog takes any text; the worker refuses the wrong passphrase with a message

    answer_next_dialog(qtbot, reason)
    window.amend_month()
    wait_idle(qtbot, window)
    assert asked == ["签名审计检查点"]
    assert "口令" in window.last_message  # refused, said why, nothing changed
    assert window.current_state().stored.status is PeriodStatus.LOCKED
    window.error_box.close()

    def right(dialog) -> None:
        asked.append(dialog.windowTitle())
        dialog.first.setText(PASSPHRASE)
        dialog.accept()

    def reason_then_right(dialog) -> None:
        dialog.text.setPlainText("化验报告编号更正")
        answer_next_dialog(qtbot, right)
        dialog.accept()

    answer_next_dialog(qtbot, reason_then_right)
    window.amend_month()
    wait_idle(qtbot, window)
    assert window.current_state().stored.status is PeriodStatus.DRAFT
    window.submit_month()  # no second question: the signer stays unlocked while the window runs
    wait_idle(qtbot, window)
    assert window.current_state().stored.status is PeriodStatus.SUBMITTED
    assert len(asked) == 2
    check = audit_check.verify_audit(ws=window.ws, trusted=(signer.certificate,))
    assert check.ok, check.problems
    new = check.checkpoints[before:]
    assert [s.event.split()[0] for s in new] == ["amend", "submit"]
    assert all(s.signer is not None and s.signer.fingerprint == signer.fingerprint and s.trusted for s in new)
    window.close()


def test_going_on_unsigned_records_an_unsigned_checkpoint_and_is_not_asked_again(
    qtbot, fresh_data_dir: Path, lang_zh
) -> None:
    save_signer(create_self_signed(name="王碳"), fresh_data_dir / "signer", PASSPHRASE.encode("utf-8"))
    create_demo_workspace(fresh_data_dir / "demo.sqlite", today=date(2026, 2, 20)).close()
    window = open_window(qtbot, fresh_data_dir / "demo.sqlite")
    window.select_month(window.unit_id, window.year, locked_month(window))
    wait_idle(qtbot, window)
    asked: list[int] = []

    def unsigned(dialog) -> None:
        asked.append(1)
        button = dialog.findChild(QPushButton, "go_on_unsigned")
        assert dialog.buttons.buttonRole(button) is QDialogButtonBox.ButtonRole.DestructiveRole
        button.click()

    def reason(dialog) -> None:
        dialog.text.setPlainText("更正")
        answer_next_dialog(qtbot, unsigned)
        dialog.accept()

    answer_next_dialog(qtbot, reason)
    window.amend_month()
    wait_idle(qtbot, window)
    window.submit_month()
    wait_idle(qtbot, window)
    assert window.current_state().stored.status is PeriodStatus.SUBMITTED and asked == [1]
    last = audit_check.verify_audit(ws=window.ws).checkpoints[-2:]
    assert [s.signer for s in last] == [None, None]
    # the audit window says what is and is not protected, in the user's language
    seen: list[str] = []

    def read_box() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            seen.append(box.text())
            box.accept()
        else:
            QTimer.singleShot(50, read_box)

    QTimer.singleShot(50, read_box)
    window.verify_audit()
    qtbot.waitUntil(lambda: bool(seen), timeout=30000)
    assert "审计检查点" in seen[0] and "未签名" in seen[0] and "无法伪造您的签名" in seen[0], seen[0]
    window.close()
