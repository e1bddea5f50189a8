"""``carbondesk-gui``: start the window.

carbondesk-gui                 the last workspace, or the first-run wizard
carbondesk-gui --demo          the demo workspace (created on first use)
carbondesk-gui --demo cement_clinker   a cement works' demo (aluminium_smelting: a smelter's)
carbondesk-gui --workspace F   a given workspace file
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
import time
import traceback
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget

from desktop import paths
from desktop.services import demo, locations, store
from desktop.services.guidelines import DEFAULT_GUIDELINE, GUIDELINES, guideline
from desktop.storage.errors import StorageError
from desktop.storage.workspace import Workspace
from desktop.ui import i18n
from desktop.ui.dialogs import ErrorDialog, FirstRunWizard
from desktop.ui.main_window import MainWindow, remember_workspace, setting_paths, user_message

LOG = logging.getLogger("carbondesk")


def log_path() -> Path:
    return locations.data_dir() / "logs" / "carbondesk.log"


def setup_logging() -> None:
    path = log_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    LOG.addHandler(handler)
    LOG.setLevel(logging.INFO)


def install_error_hook(app: QApplication) -> None:
    """Any unexpected error: logged, and shown with a "copy details" button; nothing fails silently."""

    def hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        details = getattr(value, "__traceback_text__", None) or "".join(traceback.format_exception(kind, value, tb))
        LOG.error("unexpected error\n%s", details)
        if isinstance(value, KeyboardInterrupt):
            app.quit()
            return
        message = (
            i18n.pick(
                "出现了意外错误。您的数据已保存在工作区中；请把详细信息发给技术支持。",
                "An unexpected error occurred. Your data are safe in the workspace; please send the "
                "details to support.",
            )
            + f"\n\n{kind.__name__}: {value}"
        )
        dialog = ErrorDialog(message, details, log_path(), app.activeWindow())
        dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
        dialog.show()
        app._error_dialogs = [*getattr(app, "_error_dialogs", []), dialog]  # type: ignore[attr-defined]

    sys.excepthook = hook


def tune_garbage_collector() -> None:
    """Keep the window responsive while a group's year is calculated on a worker thread.

    A year of 200 units makes hundreds of thousands of small objects; Python's cyclic collector
    then runs full collections that hold the interpreter lock for 100-200 ms, freezing the GUI thread.
    Our data have almost no reference cycles, so collections can be far rarer; objects alive after
    start-up are frozen out of them.  (Measured: worst GUI pause 202 ms -> 46 ms.)
    """
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    # Hand the interpreter lock over after 0.1 ms (default 5 ms) when another thread asks for it.  A repaint
    # calls into Python several times per cell, and each call waits up to that long for the lock while a
    # package or a year is built on a worker thread: scrolling a 50-unit grid a page every 100 ms while its
    # package was built held the window up to 130 ms at 2 ms, 114 ms at 0.5 ms, 46 ms at 0.1 ms (a page
    # repaints in 10 ms idle); the package took as long.  Work alone on its thread is not slowed: the lock
    # changes hands only when someone waits for it.
    sys.setswitchinterval(0.0001)


def register_bundled_font() -> None:
    """A machine without a Chinese font (a fresh Linux, a stripped Windows image) shows boxes, not words:
    then the font bundled for the PDF is given to Qt as well."""
    from PySide6.QtGui import QFontDatabase  # noqa: PLC0415

    if QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese):
        return
    QFontDatabase.addApplicationFont(str(paths.resources_dir() / "fonts" / "wqy-microhei.ttc"))


def app_settings() -> QSettings:
    path = locations.data_dir() / "settings.ini"
    path.parent.mkdir(parents=True, exist_ok=True)
    settings = QSettings(str(path), QSettings.Format.IniFormat)
    settings.setValue("version", 1)
    return settings


def create_workspace_from_wizard(wizard: FirstRunWizard, user: str) -> Path:
    path = Path(wizard.path_edit.text()).expanduser()
    ws = Workspace.open(path, app_user=user, name=wizard.name_edit.text().strip())
    try:
        entity = store.create_entity(
            ws=ws,
            name=wizard.name_edit.text().strip(),
            uscc=wizard.uscc_edit.normalized(),
            values={"reporting_from": wizard.reporting_from()},
            guideline_id=wizard.guideline_id,
        )
        for unit in wizard.units():
            store.create_unit(ws=ws, entity_id=entity.id, values={k: v for k, v in unit.items() if v is not None})
        store.add_data_year(ws=ws, entity_id=entity.id, year=wizard.data_year())  # the window opens this year
    finally:
        ws.close()
    return path


def choose_workspace(args: argparse.Namespace, settings: QSettings, user: str, today: date | None) -> Path | None:
    if args.demo:
        default = args.demo == DEFAULT_GUIDELINE
        path = Path(args.workspace) if args.workspace else locations.demo_workspace(None if default else args.demo)
        demo.create_demo_workspace(path, today=today, guideline_id=args.demo).close()
        return path
    if args.workspace:
        return Path(args.workspace)
    last = settings.value("workspaces/last")
    if last and Path(str(last)).exists():
        return Path(str(last))
    wizard = FirstRunWizard(guideline(DEFAULT_GUIDELINE).form, locations.default_workspace())
    if wizard.exec() != QDialog.DialogCode.Accepted:
        return None
    if wizard.choice == FirstRunWizard.DEMO:
        chosen = wizard.guideline_id
        path = locations.demo_workspace(None if chosen == DEFAULT_GUIDELINE else chosen)
        demo.create_demo_workspace(path, today=today, guideline_id=chosen).close()
        return path
    if wizard.choice == FirstRunWizard.OPEN:
        return wizard.existing
    return create_workspace_from_wizard(wizard, user)


def location_accepted(settings: QSettings, path: Path, parent: QWidget | None = None) -> bool:
    """A workspace in a sync folder or on a network drive: warned about before it is used.

    The user may open it anyway (remembered for that file) or not open it.
    """
    risk = locations.risky_location(path)
    if risk is None:
        return True
    accepted = setting_paths(settings, "workspaces/risk_accepted")
    if str(path) in accepted:
        return True
    box = QMessageBox(
        QMessageBox.Icon.Warning,
        "CarbonDesk",
        locations.warning_text(risk, path, i18n.current()),
        QMessageBox.StandardButton.NoButton,
        parent,
    )
    anyway = box.addButton(i18n.pick("仍然打开", "Open anyway"), QMessageBox.ButtonRole.AcceptRole)
    box.addButton(i18n.pick("不打开", "Do not open"), QMessageBox.ButtonRole.RejectRole)
    box.setObjectName("risky_location")
    box.exec()
    if box.clickedButton() is not anyway:
        return False
    settings.setValue("workspaces/risk_accepted", [*accepted, str(path)])
    return True


def build_window(argv: Sequence[str] | None = None, *, shell: QWidget | None = None) -> MainWindow | None:
    """Everything up to a shown main window (the tests and the start-up benchmark call this).

    ``shell``: the frame ``carbondesk-gui`` painted at once (``desktop.ui.launch``, sized as the window will
    be); it goes when the window is shown."""
    parser = argparse.ArgumentParser(prog="carbondesk-gui")
    parser.add_argument(
        "--demo",
        nargs="?",
        const=DEFAULT_GUIDELINE,
        choices=sorted(GUIDELINES),
        help="open the demo workspace (of a guideline: power_generation, cement_clinker, aluminium_smelting)",
    )
    parser.add_argument("--workspace", help="workspace file to open")
    parser.add_argument("--lang", choices=i18n.LANGUAGES)
    parser.add_argument("--today", help="pretend today is YYYY-MM-DD (deadline views)")
    parser.add_argument(
        "--screenshot", metavar="PNG", help="save the window once its data is shown, then quit (smoke tests)"
    )
    args = parser.parse_args(argv)
    tune_garbage_collector()
    register_bundled_font()
    settings = app_settings()
    lang = args.lang or str(settings.value("ui/language") or os.environ.get("CARBONDESK_LANG") or "zh")
    i18n.set_language(lang)
    user = str(settings.value("user/name") or "")
    today = date.fromisoformat(args.today) if args.today else None
    try:
        path = choose_workspace(args, settings, user, today)
        if path is None or not location_accepted(settings, path):
            if shell is not None:
                shell.close()
            return None
        ws = Workspace.open(path, app_user=user, create=bool(args.workspace) or args.demo)
    except StorageError as exc:
        if shell is not None:
            shell.close()
        QMessageBox.critical(None, "CarbonDesk", user_message(exc))
        return None
    remember_workspace(settings, path)
    if ws.backup_before_migration is not None:
        LOG.info("workspace migrated from %s; backup at %s", ws.migrated_from, ws.backup_before_migration)
    window = MainWindow(ws, settings, today=today)
    window.show()
    if shell is not None:
        shell.close()
    if args.screenshot:
        save_when_shown(window, Path(args.screenshot))
    return window


def save_when_shown(window: MainWindow, target: Path) -> None:
    """Grab the window to ``target`` when its year is on screen and nothing is pending, then quit."""

    def poll() -> None:
        if window.snapshot is None or window.worker.busy or window.saving or window.applying:
            QTimer.singleShot(100, poll)
            return
        window.grab().save(str(target))
        LOG.info("screenshot saved to %s", target)
        window.close()
        QApplication.quit()

    QTimer.singleShot(100, poll)


def main(argv: Sequence[str] | None = None, *, shell: QWidget | None = None) -> int:
    started = time.perf_counter()
    QApplication.setApplicationName("CarbonDesk")
    QApplication.setOrganizationName("CarbonDesk")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setWindowIcon(QIcon(str(paths.resources_dir() / "icons" / "carbondesk.png")))  # type: ignore[union-attr]
    setup_logging()
    install_error_hook(app)  # type: ignore[arg-type]
    window = build_window(list(argv) if argv is not None else sys.argv[1:], shell=shell)
    if window is None:
        return 0
    LOG.info("main window shown after %.2f s", time.perf_counter() - started)
    return app.exec()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
