"""The window the carbon officer lives in."""

from __future__ import annotations

import logging
import shutil
import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QDate, QEvent, QItemSelectionModel, QModelIndex, QSettings, Qt, QTimer, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication, QKeySequence, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QTextBrowser,
    QToolBar,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop import __version__
from desktop.domain.findings import Finding, Severity
from desktop.domain.numbers import format_decimal, round_reported
from desktop.domain.paths import MonthPath
from desktop.domain.periods import DepositState
from desktop.engine.params import PackError, load_pack
from desktop.exports.errors import WorkbookError
from desktop.filenames import FileNameError
from desktop.interchange.problems import InputError
from desktop.services import audit_check, evidence_files, importer, locations, session, store
from desktop.services.demo import create_demo_workspace
from desktop.services.evaluation import read_report_file
from desktop.services.explain import explain_figure, figure_label, formula_text
from desktop.services.guidelines import DEFAULT_GUIDELINE, guideline
from desktop.services.preflight import Preflight
from desktop.signing.errors import SigningError
from desktop.signing.errors import message as signing_message
from desktop.storage.errors import StorageError, environment_error
from desktop.storage.messages import MESSAGES as STORAGE_MESSAGES
from desktop.storage.workspace import Workspace
from desktop.ui import i18n
from desktop.ui.dialogs import (
    EvidenceDialog,
    PassphraseDialog,
    PreflightDialog,
    RecordDialog,
    SettingsDialog,
    TextDialog,
    YearItemsDialog,
    reminder_summary,
    reminder_text,
)
from desktop.ui.models import (
    ROLE_KEY,
    STATE_LABELS,
    CellEdit,
    FindingsTableModel,
    MonthGridModel,
    NavigatorModel,
    YearTableModel,
    path_label,
)
from desktop.ui.views import ChartWidget, FrozenTableView, GridView, OneHoldTableView, OneHoldTreeView, ReminderBar
from desktop.ui.worker import SerialWorker, StatusProgress, run_task, settle_after_snapshot


def _outputs() -> Any:
    """The output services load reportlab, openpyxl and pyHanko: only when an output is made (start-up time)."""
    from desktop.services import outputs  # noqa: PLC0415

    return outputs


def outputs_change_label(form: Any, path: str, lang: str) -> str:
    from desktop.services.outputs import change_label  # noqa: PLC0415 - openpyxl and reportlab load on first use

    return change_label(form, path, lang)


def _load_package_libraries() -> None:
    """What a package needs in this process that nothing else loads: the workbook (openpyxl) and the
    manifest's signature (cryptography). The PDF -- reportlab, its Chinese font (some 30k glyphs to read) and
    pyHanko -- is made by the package's second process, which loads them itself (desktop.services.pdf_process)."""
    from desktop.domain.batch import without_cycle_collection  # noqa: PLC0415

    # modules live as long as the app: the collector need not walk them, now or later
    with without_cycle_collection():
        from desktop.services import package  # noqa: PLC0415, F401


_package_libraries: list[threading.Thread] = []


def warm_package_libraries() -> threading.Thread:
    """Loads the package's libraries on a thread of their own, started when the user asks for a package, while
    the checks and the passphrase are in front of them: the build that follows loads nothing, and the click
    no longer loads them on the GUI thread.  Once per run; a build started before the loading is over waits
    for it (Python's import lock).  The PDF's process is started at each ask (it serves one build)."""
    from desktop.services import pdf_process  # noqa: PLC0415 - the standard library only

    pdf_process.start_ahead()
    if not _package_libraries:

        def load() -> None:
            try:
                _load_package_libraries()
            except Exception:  # the build loads them again and reports what fails, in the user's language
                logging.getLogger(__name__).exception("loading the package's libraries ahead failed")

        thread = threading.Thread(target=load, name="package-libraries", daemon=True)
        thread.start()
        _package_libraries.append(thread)
    return _package_libraries[0]


def _signing() -> Any:
    from desktop.services import package  # noqa: PLC0415
    from desktop.signing import core as signing  # noqa: PLC0415 - crypto loads on the first signature only

    return signing, package


def user_message(exc: BaseException) -> str:
    """A storage, input or pack problem in the user's language."""
    if isinstance(exc, StorageError):
        message = STORAGE_MESSAGES.get(exc.code)
        return message.text(i18n.current()).format(**exc.params) if message else str(exc)
    if isinstance(exc, InputError | WorkbookError | FileNameError):
        return exc.render(i18n.current())
    if isinstance(exc, SigningError):
        return signing_message(exc, i18n.current())
    mapped = environment_error(exc) if isinstance(exc, OSError) else None  # read-only, disk full, held, missing
    if mapped is not None:
        return user_message(mapped)
    return str(exc)


class EditCommand(QUndoCommand):
    """Typed or pasted values: redo saves them, undo saves what they replaced."""

    def __init__(self, window: MainWindow, edits: list[CellEdit], text: str) -> None:
        super().__init__(text)
        self.window = window
        self.edits = edits

    def redo(self) -> None:
        self.window.save_edits([(e.unit_id, e.month, e.changes) for e in self.edits])

    def undo(self) -> None:
        self.window.save_edits([(e.unit_id, e.month, e.previous) for e in self.edits])


class RemoveRowCommand(QUndoCommand):
    """A row of a unit's month (a fuel, a raw material) removed (audited by the store); undo brings its
    values back."""

    def __init__(self, window: MainWindow, unit_id: str, month: int, table: str, item: str, text: str) -> None:
        super().__init__(text)
        self.window = window
        self.unit_id, self.month, self.table, self.item = unit_id, month, table, item
        self.removed: dict[str, Any] = {}  # filled by the save job on the worker thread, read by the undo job

    def redo(self) -> None:
        self.window.save_row_removal(self)

    def undo(self) -> None:
        self.window.save_row_restore(self)


class MainWindow(QMainWindow):
    def __init__(self, ws: Workspace, settings: QSettings, *, today: date | None = None) -> None:
        super().__init__()
        self.ws = ws
        self.settings = settings
        self.today = today
        self.worker = SerialWorker(self)
        # the signer unlocked for the audit checkpoints of this run (asked once), or the choice to go unsigned
        self.session_signer: Any = None
        self.checkpoints_unsigned = False
        self.undo_stack = QUndoStack(self)
        self.snapshot: session.YearSnapshot | None = None
        self.entity_id: str | None = None
        self.year: int = date.today().year - 1
        self.unit_id: str | None = None
        self.month: int = 1
        self.years: list[int] = []
        self.saving = 0
        self.grid_held_back = False  # a snapshot arrived while an editor was open
        self.generation = 0  # of the snapshot being shown; its stages stop when a newer one arrives
        # units whose months were saved since the snapshot shown: the next snapshot recalculates those only
        self.dirty_units: set[str] = set()
        self.applying = False
        self.stage_queue: list[Any] = []
        self.stage_snapshot: session.YearSnapshot | None = None
        self.reminder_box: ReminderBar | None = None
        self.focus_first_input = True  # the first month shown puts the cursor in its first input cell
        self.last_message = ""
        # the guideline of the workspace's entity (its form makes the grid, the year table, the dialogs)
        entities = store.list_entities(ws=ws)
        chosen = guideline(entities[0].guideline if entities else DEFAULT_GUIDELINE)
        self.form = chosen.form
        self.messages = chosen.messages
        self._build()
        self.retranslate()
        geometry = settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        self.fit_screen(saved=isinstance(geometry, QByteArray))
        state = settings.value("window/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)
        self.open_first_entity()

    def fit_screen(self, *, saved: bool) -> None:
        """Never larger than the screen (a laptop's 1366×768, or 1920×1080 at 150 %): a first start on a
        small screen fills it; a size saved on a bigger monitor is brought back inside this one."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is None:
            return
        avail = screen.availableGeometry()
        margin = 40  # title bar and frame, which the window manager adds outside our geometry
        if not saved:
            small = avail.width() < 1400 or avail.height() < 900
            self.resize(min(1360, avail.width()), min(860, avail.height() - margin))
            if small:
                self.setWindowState(self.windowState() | Qt.WindowState.WindowMaximized)
            self.resizeDocks([self.findings_dock], [max(110, avail.height() // 7)], Qt.Orientation.Vertical)
            self.resizeDocks([self.nav_dock], [max(180, avail.width() // 7)], Qt.Orientation.Horizontal)
            return
        width, height = min(self.width(), avail.width()), min(self.height(), avail.height() - margin)
        if (width, height) != (self.width(), self.height()):
            self.resize(width, height)
        if not avail.intersects(self.frameGeometry()):
            self.move(avail.topLeft())

    # -- building -------------------------------------------------------------------------------

    def _build(self) -> None:
        self.navigator_model = NavigatorModel(self)
        self.navigator = OneHoldTreeView()  # its model is Python: painted in one hold of the lock
        self.navigator.setModel(self.navigator_model)
        self.navigator.setHeaderHidden(True)
        self.navigator.setMinimumWidth(170)  # month names and their states stay readable
        self.navigator.setUniformRowHeights(True)  # a group's 200 units lay out without asking each row
        self.navigator.clicked.connect(self.on_navigate)
        self.navigator.activated.connect(self.on_navigate)
        self.nav_dock = QDockWidget(self)
        self.nav_dock.setObjectName("navigator")
        self.nav_dock.setWidget(self.navigator)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.nav_dock)

        # monthly entry
        self.grid_model = MonthGridModel(self.form, self)
        self.grid_model.editRequested.connect(self.request_edits)
        self.grid_model.inputRefused.connect(self.refuse_input)
        self.grid = GridView()
        self.grid.setModel(self.grid_model)
        self.grid.freeze(MonthGridModel.FIXED)  # data item and unit stay while a group's units scroll
        self.grid.editsRequested.connect(self.request_edits)
        self.grid.fileDropped.connect(self.attach_to_cell)
        self.grid.selectionModel().currentChanged.connect(self.on_cell)
        self.grid.editorClosed.connect(self.on_editor_closed)
        self.grid.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.grid.customContextMenuRequested.connect(self.grid_menu)
        self.month_title = QLabel()
        self.month_title.setStyleSheet("font-size: 15px; font-weight: bold; padding: 4px")
        self.month_status = QLabel()
        self.submit_button = QPushButton()
        self.lock_button = QPushButton()
        self.amend_button = QPushButton()
        self.submit_button.clicked.connect(self.submit_month)
        self.lock_button.clicked.connect(self.lock_month)
        self.amend_button.clicked.connect(self.correct_month)
        self.evidence_list = QListWidget()
        self.evidence_list.itemActivated.connect(self.open_evidence)
        self.evidence_label = QLabel()
        self.attach_button = QPushButton()
        self.attach_button.clicked.connect(self.attach_to_current)
        self.refused_label = QLabel()
        self.refused_label.setStyleSheet("color: #c0392b")
        head = QHBoxLayout()
        head.addWidget(self.month_title)
        head.addWidget(self.month_status, 1)
        for button in (self.submit_button, self.lock_button, self.amend_button):
            head.addWidget(button)
        side = QVBoxLayout()
        side.addWidget(self.evidence_label)
        side.addWidget(self.evidence_list)
        side.addWidget(self.attach_button)
        side_widget = QWidget()
        side_widget.setLayout(side)
        split = QSplitter()
        split.addWidget(self.grid)
        split.addWidget(side_widget)
        split.setStretchFactor(0, 4)
        split.setStretchFactor(1, 1)
        month_page = QWidget()
        month_layout = QVBoxLayout(month_page)
        month_layout.addLayout(head)
        month_layout.addWidget(split, 1)
        month_layout.addWidget(self.refused_label)

        # year view
        self.year_unit = QComboBox()
        self.year_unit.currentIndexChanged.connect(self.on_year_unit)
        self.year_model = YearTableModel(self.form, self)
        self.year_table = FrozenTableView()
        self.year_table.setModel(self.year_model)
        self.year_table.verticalHeader().setDefaultSectionSize(22)
        self.year_table.freeze(YearTableModel.FIXED)  # data item and unit stay while the months scroll
        self.results = QTreeWidget()
        self.results.setColumnCount(4)
        self.results.itemClicked.connect(self.show_provenance)
        self.provenance = QTextBrowser()
        self.provenance.setLineWrapMode(QTextBrowser.LineWrapMode.NoWrap)  # a formula tree reads by its indents
        self.provenance.setFontFamily("monospace")
        self.chart = ChartWidget()
        lower = QSplitter()
        lower.addWidget(self.results)
        lower.addWidget(self.provenance)
        lower.addWidget(self.chart)
        lower.setSizes([360, 460, 560])
        year_split = QSplitter(Qt.Orientation.Vertical)
        self.year_split = year_split
        self.year_split_sized = False
        year_split.addWidget(self.year_table)
        year_split.addWidget(lower)
        year_split.setStretchFactor(0, 3)
        year_split.setStretchFactor(1, 1)
        year_split.setSizes([700, 260])  # the table first: at least ten rows on a 1366×768 screen
        self.year_caption = QLabel()
        year_page = QWidget()
        year_layout = QVBoxLayout(year_page)
        year_layout.setContentsMargins(4, 4, 4, 4)
        # the unit chooser and the compliance items sit in the tab bar's corner: the table gets their row
        self.year_corner = QWidget()
        top = QHBoxLayout(self.year_corner)
        top.setContentsMargins(0, 0, 4, 0)
        top.addWidget(self.year_caption)
        top.addWidget(self.year_unit)
        self.year_items_button = QPushButton()
        self.year_items_button.clicked.connect(self.edit_year_items)
        self.year_items_button.setVisible(bool(self.form.fields("year")))
        top.addWidget(self.year_items_button)
        year_layout.addWidget(year_split, 1)

        self.tabs = QTabWidget()
        self.tabs.addTab(month_page, "")
        self.tabs.addTab(year_page, "")
        self.tabs.setCornerWidget(self.year_corner, Qt.Corner.TopRightCorner)
        self.year_corner.setVisible(False)
        self.tabs.currentChanged.connect(lambda i: self.year_corner.setVisible(i == 1))
        # Deadlines show in a bar inside the window: a pop-up would take the keyboard from the grid.
        self.reminder_bar = ReminderBar()
        self.pack_bar = ReminderBar()  # the year is calculated with another year's pack: says which
        self.pack_bar.setStyleSheet("#reminderBar { background: #e8f1fb; border-bottom: 1px solid #9cc3e6; }")
        self.pack_note_shown: tuple[int, str] | None = None
        central = QWidget()
        central_layout = QVBoxLayout(central)
        central_layout.setContentsMargins(0, 0, 0, 0)
        central_layout.setSpacing(0)
        central_layout.addWidget(self.reminder_bar)
        central_layout.addWidget(self.pack_bar)
        central_layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)

        # findings
        self.findings_model = FindingsTableModel(self.form, self)
        self.findings_view = OneHoldTableView()
        self.findings_view.setModel(self.findings_model)
        self.findings_view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.findings_view.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.findings_view.horizontalHeader().setResizeContentsPrecision(60)  # measure 60 rows, not a group's 2,000
        self.findings_view.doubleClicked.connect(self.jump_to_finding)
        self.findings_view.clicked.connect(self.jump_to_finding)
        self.findings_scope = QComboBox()
        self.findings_scope.currentIndexChanged.connect(self.show_findings)
        self.ack_button = QPushButton()
        self.ack_button.clicked.connect(self.acknowledge_selected)
        self.findings_summary = QLabel()
        findings_page = QWidget()
        fl = QVBoxLayout(findings_page)
        row = QHBoxLayout()
        row.addWidget(self.findings_scope)
        row.addWidget(self.findings_summary, 1)
        row.addWidget(self.ack_button)
        fl.addLayout(row)
        fl.addWidget(self.findings_view)
        self.findings_dock = QDockWidget(self)
        self.findings_dock.setObjectName("findings")
        self.findings_dock.setWidget(findings_page)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.findings_dock)

        self.status_save = QLabel()
        self.status_workspace = QLabel()
        self.status_progress = StatusProgress(self)
        # a file being written (PDF, workbook, signed package) shows its own progress and cancel button in the
        # status bar: the user keeps working meanwhile, and a recalculation never cancels it
        self.output_progress = StatusProgress(self)
        self.waiting_outputs: list[Callable[[], Any]] = []
        self.statusBar().addPermanentWidget(self.output_progress)
        self.statusBar().addWidget(self.status_workspace, 1)
        self.statusBar().addPermanentWidget(self.status_progress)
        self.statusBar().addPermanentWidget(self.status_save)

        self._actions()

    def _actions(self) -> None:
        def action(shortcut: Any, slot: Any) -> QAction:
            act = QAction(self)
            if shortcut is not None:
                act.setShortcut(QKeySequence(shortcut))
            act.triggered.connect(slot)
            return act

        self.act_open = action(QKeySequence.StandardKey.Open, self.open_workspace)
        self.act_demo = action(None, self.open_demo)
        self.act_import = action(QKeySequence("Ctrl+I"), self.import_json)
        self.act_backup = action(QKeySequence("Ctrl+Shift+B"), self.backup)
        self.act_export_pdf = action(QKeySequence("Ctrl+P"), self.export_pdf)
        self.act_export_xlsx = action(None, self.export_xlsx)
        self.act_import_xlsx = action(None, self.import_xlsx)
        self.act_package = action(QKeySequence("Ctrl+Shift+S"), self.build_package)
        self.act_month_sheet = action(None, self.export_month_sheet)
        self.act_quit = action(QKeySequence.StandardKey.Quit, self.close)
        self.act_undo = self.undo_stack.createUndoAction(self)
        self.act_undo.setShortcut(QKeySequence.StandardKey.Undo)
        self.act_redo = self.undo_stack.createRedoAction(self)
        self.act_redo.setShortcuts([QKeySequence.StandardKey.Redo, QKeySequence("Ctrl+Y")])
        self.act_attach = action(QKeySequence("Ctrl+E"), self.attach_to_current)
        self.act_add_fuel = action(None, self.add_row_item)
        self.act_remove_fuel = action(QKeySequence("Ctrl+Shift+Delete"), self.remove_row_item)
        self.act_submit = action(QKeySequence("Ctrl+Return"), self.submit_month)
        self.act_lock = action(None, self.lock_month)
        self.act_amend = action(None, self.amend_month)
        self.act_reopen = action(None, self.reopen_month)
        self.act_month_view = action(QKeySequence("Ctrl+1"), lambda: self.tabs.setCurrentIndex(0))
        self.act_year_view = action(QKeySequence("Ctrl+2"), lambda: self.tabs.setCurrentIndex(1))
        self.tabs.currentChanged.connect(lambda _i: QTimer.singleShot(0, self, self.size_year_split))
        self.act_recalc = action(QKeySequence.StandardKey.Refresh, lambda: self.refresh(long=True))
        self.act_settings = action(QKeySequence.StandardKey.Preferences, self.open_settings)
        self.act_audit = action(None, self.verify_audit)
        self.act_about = action(None, self.about)
        self.act_edit_entity = action(None, self.edit_entity)
        self.act_add_unit = action(None, self.add_unit)
        self.act_edit_unit = action(None, self.edit_unit)
        self.act_retire_unit = action(None, self.retire_unit)
        self.act_add_year = action(None, self.add_year)
        self.menus = {
            name: self.menuBar().addMenu("") for name in ("file", "edit", "month", "entity", "view", "tools", "help")
        }
        for name, acts in (
            (
                "file",
                (
                    self.act_open,
                    self.act_demo,
                    None,
                    self.act_import,
                    self.act_import_xlsx,
                    None,
                    self.act_export_pdf,
                    self.act_export_xlsx,
                    self.act_package,
                    None,
                    self.act_backup,
                    None,
                    self.act_quit,
                ),
            ),
            (
                "edit",
                (self.act_undo, self.act_redo, None, self.act_attach, None, self.act_add_fuel, self.act_remove_fuel),
            ),
            ("month", (self.act_submit, self.act_reopen, self.act_lock, self.act_amend, None, self.act_month_sheet)),
            (
                "entity",
                (
                    self.act_edit_entity,
                    None,
                    self.act_add_unit,
                    self.act_edit_unit,
                    self.act_retire_unit,
                    None,
                    self.act_add_year,
                ),
            ),
            ("view", (self.act_month_view, self.act_year_view, self.act_recalc)),
            ("tools", (self.act_settings, self.act_audit)),
            ("help", (self.act_about,)),
        ):
            for act in acts:
                if act is None:
                    self.menus[name].addSeparator()
                else:
                    self.menus[name].addAction(act)
        self.recent_menu = self.menus["file"].addMenu("")
        self.menus["file"].insertMenu(self.act_import, self.recent_menu)
        self.recent_menu.aboutToShow.connect(self.fill_recent)
        self.toolbar = QToolBar(self)
        self.toolbar.setObjectName("main")
        for act in (
            self.act_undo,
            self.act_redo,
            self.act_attach,
            self.act_submit,
            self.act_lock,
            self.act_recalc,
            self.act_settings,
        ):
            self.toolbar.addAction(act)
        self.addToolBar(self.toolbar)

    def update_title(self) -> None:
        """The entity and year on screen, as Excel names its file: the window a user looks for in the task bar."""
        if self.snapshot is None:
            self.setWindowTitle(self.tr("CarbonDesk — carbon emissions accounting"))
            return
        self.setWindowTitle(f"{self.snapshot.entity.name} · {self.year} — CarbonDesk")

    def retranslate(self) -> None:
        self.update_title()
        self.nav_dock.setWindowTitle(i18n.pick(f"单位与{self.unit_noun('zh')}", f"Entity and {self.unit_noun('en')}s"))
        self.findings_dock.setWindowTitle(self.tr("Findings"))
        self.tabs.setTabText(0, self.tr("Monthly entry"))
        self.tabs.setTabText(1, self.tr("Annual report"))
        self.submit_button.setText(self.tr("Submit month"))
        self.lock_button.setText(self.tr("Mark deposited"))
        self.amend_button.setText(self.tr("Amend…"))
        self.attach_button.setText(self.tr("Attach evidence…"))
        self.evidence_label.setText(
            i18n.pick(f"本{self.unit_noun('zh')}本月支撑材料", f"Evidence of this {self.unit_noun('en')} and month")
        )
        self.ack_button.setText(self.tr("Justify warning…"))
        self.year_caption.setText(i18n.pick(f"{self.unit_noun('zh')}：", f"{self.unit_noun('en').capitalize()}:"))
        self.year_items_button.setText(i18n.pick("履约数据…", "Compliance items…"))
        scope = self.findings_scope.currentIndex()
        self.findings_scope.blockSignals(True)
        self.findings_scope.clear()
        self.findings_scope.addItems(
            [
                i18n.pick(f"本{self.unit_noun('zh')}本月", f"This {self.unit_noun('en')} and month"),
                self.tr("Whole year"),
            ]
        )
        self.findings_scope.setCurrentIndex(max(0, scope))
        self.findings_scope.blockSignals(False)
        self.results.setHeaderLabels([self.tr("Figure"), self.tr("Value"), self.tr("Unit"), self.tr("Formula")])
        texts = {
            "file": self.tr("&File"),
            "edit": self.tr("&Edit"),
            "month": self.tr("&Month"),
            "entity": i18n.pick(f"主体与{self.unit_noun('zh')}(&N)", "E&ntity"),
            "view": self.tr("&View"),
            "tools": self.tr("&Tools"),
            "help": self.tr("&Help"),
        }
        for name, menu in self.menus.items():
            menu.setTitle(texts[name])
        for act, text in (
            (self.act_open, self.tr("Open workspace…")),
            (self.act_demo, self.tr("Open demo workspace")),
            (self.act_import, self.tr("Import JSON report…")),
            (self.act_backup, self.tr("Back up workspace…")),
            (self.act_export_pdf, self.tr("Export PDF report…")),
            (self.act_export_xlsx, self.tr("Export Excel workbook…")),
            (self.act_import_xlsx, self.tr("Import Excel workbook…")),
            (self.act_package, self.tr("Build signed package…")),
            (self.act_month_sheet, self.tr("Export monthly deposit sheet…")),
            (self.act_quit, self.tr("Quit")),
            (self.act_attach, self.tr("Attach evidence…")),
            (
                self.act_add_fuel,
                i18n.pick(f"本月增加{self.row_kinds_word('zh')}…", f"Add a {self.row_kinds_word('en')} to this month…"),
            ),
            (
                self.act_remove_fuel,
                i18n.pick(f"删除当前{self.row_kinds_word('zh')}行", f"Remove this {self.row_kinds_word('en')}'s rows"),
            ),
            (self.act_submit, self.tr("Submit month")),
            (self.act_lock, self.tr("Mark deposited (lock)")),
            (self.act_amend, self.tr("Amend locked month…")),
            (self.act_reopen, i18n.pick("已提交月份退回草稿…", "Take a submitted month back to draft…")),
            (self.act_month_view, self.tr("Monthly entry")),
            (self.act_year_view, self.tr("Annual report")),
            (self.act_recalc, self.tr("Recalculate")),
            (self.act_settings, self.tr("Settings…")),
            (self.act_audit, self.tr("Verify audit trail and evidence")),
            (self.act_about, self.tr("About CarbonDesk")),
            (self.act_edit_entity, i18n.pick("编辑重点排放单位信息…", "Edit the entity…")),
            (self.act_add_unit, i18n.pick(f"增加{self.unit_noun('zh')}…", f"Add a {self.unit_noun('en')}…")),
            (self.act_edit_unit, i18n.pick(f"编辑当前{self.unit_noun('zh')}…", f"Edit this {self.unit_noun('en')}…")),
            (
                self.act_retire_unit,
                i18n.pick(f"{self.unit_noun('zh')}停运（退役）…", f"Retire this {self.unit_noun('en')}…"),
            ),
            (self.act_add_year, i18n.pick("增加数据年度…", "Add a data year…")),
        ):
            act.setText(text)
        self.recent_menu.setTitle(self.tr("Recent workspaces"))
        self.act_undo.setText(self.tr("Undo"))
        self.act_redo.setText(self.tr("Redo"))
        self.toolbar.setWindowTitle(self.tr("Main toolbar"))
        for model in (self.grid_model, self.year_model, self.findings_model, self.navigator_model):
            model.retranslate()
        if self.snapshot is not None:  # texts only: an open cell editor stays open
            self.show_month_header()
            self.show_evidence()
            self.show_findings()
            self.show_results()
        self.update_status()

    # -- loading --------------------------------------------------------------------------------

    def open_first_entity(self) -> None:
        entities = store.list_entities(ws=self.ws)
        if not entities:
            return
        entity = entities[0]
        self.entity_id = entity.id
        self.years = list(store.years_with_data(ws=self.ws, entity_id=entity.id))
        saved = self.settings.value(f"entity/{entity.id}/year")
        self.year = int(saved) if saved else (self.years[-1] if self.years else date.today().year - 1)
        if self.year not in self.years:
            self.years = sorted({*self.years, self.year})
        self.unit_id = entity.units[0].id if entity.units else None
        self.month = 0  # chosen when the first snapshot arrives: the month that needs attention
        self.refresh(long=True, remind=True)

    def refresh(self, *, long: bool = False, remind: bool = False, changed_only: bool = False) -> None:
        """A new snapshot of the year; a big group's year runs as a long task with progress and cancel.

        ``changed_only``: only months were saved since the snapshot shown, so only the units saved since are
        read and recalculated (the snapshot is the same as a full one's)."""
        if self.entity_id is None:
            return
        ws, entity_id, year, today = self.ws, self.entity_id, self.year, self.today
        covered = frozenset(self.dirty_units)  # the saves this snapshot will show
        previous = self.snapshot if changed_only and self.snapshot is not None and self.snapshot.year == year else None

        def done(snapshot: session.YearSnapshot) -> None:
            self.dirty_units -= covered
            self.apply_snapshot(snapshot)
            if remind:
                QTimer.singleShot(0, self, self.show_reminders)

        if long:
            run_task(
                lambda progress: session.year_snapshot(
                    ws=ws, entity_id=entity_id, year=year, today=today, progress=progress
                ),
                label=self.tr("Calculating the year…"),
                parent=self,
                on_done=done,
                on_error=self.show_error,
                cancel_text=self.tr("Cancel"),
                status=self.status_progress,  # the user keeps working while a group's year is calculated
            )
        else:
            self.worker.submit(
                lambda: session.year_snapshot(
                    ws=ws, entity_id=entity_id, year=year, today=today, previous=previous, changed=covered
                ),
                done,
                self.show_error,
            )

    def attention_month(self, snapshot: session.YearSnapshot) -> int:
        """Late first, then in progress, then ready; else the last month with data."""
        states = [s for s in snapshot.months.values() if s.unit_id == self.unit_id]
        for wanted in (DepositState.LATE, DepositState.IN_PROGRESS, DepositState.READY):
            found = sorted(s.month for s in states if s.state is wanted)
            if found:
                return found[0]
        entered = [s.month for s in states if s.stored is not None]
        return max(entered) if entered else 1

    def apply_snapshot(self, snapshot: session.YearSnapshot) -> None:
        """Show a new snapshot in stages, one event-loop turn each, so a group's year never freezes the window.

        The grid comes first (it holds what was just typed); a newer snapshot abandons an older one's stages.
        """
        self.snapshot = snapshot
        if not self.month:
            self.month = self.attention_month(snapshot)
        self.messages = snapshot.evaluation.guideline.messages
        current_units = [u.id for u in snapshot.entity.units]
        if self.unit_id not in current_units:
            self.unit_id = current_units[0] if current_units else None
        self.generation += 1
        # The stages to run and the snapshot they show live on the window, not in a closure that refers to
        # itself: such a cycle keeps every snapshot alive once settle_after_snapshot freezes it (40 MiB each).
        self.stage_queue = [
            self._show_grid,
            self._show_navigator,
            self._show_year,
            self._show_panels,
            self._show_results,
        ]
        self.stage_snapshot = snapshot
        self.applying = True
        self.run_next_stage(self.generation)

    def run_next_stage(self, generation: int) -> None:
        if generation != self.generation or self.stage_snapshot is None or not self.stage_queue:
            return
        stage = self.stage_queue.pop(0)
        stage(self.stage_snapshot)
        if self.stage_queue:
            QTimer.singleShot(0, self, lambda: self.run_next_stage(generation))  # dropped if the window is gone
        else:
            self.applying = False
            self.stage_snapshot = None
            settle_after_snapshot()

    def _show_navigator(self, snapshot: session.YearSnapshot) -> None:
        expanded = self.navigator_model.expanded_keys(self.navigator)
        if self.navigator_model.set_tree(snapshot, self.years):
            # rebuilt (a unit or a year added, another year shown): what was expanded stays expanded
            self.navigator.expandToDepth(0)
            for kind, key in expanded:
                found = self.navigator_model.find(kind, key)
                if found.isValid():
                    self.navigator.expand(found)
            self.show_in_navigator()

    def _show_grid(self, snapshot: session.YearSnapshot) -> None:
        if self.grid.editing():
            # Never under an open editor: the snapshot waits until the user commits or leaves the cell.
            self.grid_held_back = True
            return
        self.grid_held_back = False
        current = self.grid.currentIndex()
        self.grid_model.set_snapshot(snapshot, self.month)
        if self.focus_first_input:
            # a window that opens ready to type: the cursor in the first input cell of the month shown
            self.focus_first_input = False
            self.put_cursor_on_first_input()
            self.grid.setFocus(Qt.FocusReason.OtherFocusReason)
        elif current.isValid() and current.row() < self.grid_model.rowCount():
            self.grid.setCurrentIndex(self.grid_model.index(current.row(), current.column()))
        self.grid.resizeColumnToContents(0)
        for column in range(MonthGridModel.FIXED, self.grid_model.columnCount()):
            self.grid.setColumnWidth(column, 150)
        self.show_month_header()
        self.update_status()
        self.update_title()
        self.show_pack_note()

    def show_pack_note(self) -> None:
        """When the data year has no pack of its own (the running year), say which one is used and how sure it is."""
        if self.snapshot is None:
            return
        pack = self.snapshot.evaluation.pack
        if pack.data_year == self.year:
            self.pack_bar.hide()
            return
        if self.pack_note_shown == (self.year, i18n.current()):
            return  # once per year (closed stays closed)
        self.pack_note_shown = (self.year, i18n.current())
        params = list(pack.parameters.values())
        unconfirmed = sum(1 for p in params if p.confidence == "U")
        missing = sum(1 for p in params if p.is_missing)
        to_confirm = sum(1 for p in params if p.needs_confirmation)
        self.pack_bar.show_text(
            i18n.pick(
                f"{self.year} 年度尚无参数包：本年度按“{pack.title_zh}”（版本 {pack.version}）计算。"
                f"该包 {len(params)} 项参数中 {unconfirmed} 项未经确认（标 [U]）、{missing} 项缺失"
                + (f"，{to_confirm} 项需要您核对后确认（见校验结果）" if to_confirm else "")
                + f"。主管部门发布 {self.year} 年度参数后，请在“设置”中导入新参数包。",
                f"No parameter pack for data year {self.year} yet: this year is calculated with "
                f"“{pack.title_en}” (version {pack.version}). Of its {len(params)} parameters {unconfirmed} are "
                f"unconfirmed (marked [U]) and {missing} missing"
                + (f"; {to_confirm} need your confirmation (see the findings)" if to_confirm else "")
                + f". Import the {self.year} pack in Settings once it is published.",
            )
        )

    def on_editor_closed(self) -> None:
        if self.grid_held_back and self.snapshot is not None:
            # after the commit that closed the editor has been turned into its pending value
            QTimer.singleShot(0, self, lambda: self.snapshot is not None and self._show_grid(self.snapshot))

    def _show_year(self, snapshot: session.YearSnapshot) -> None:
        self.year_unit.blockSignals(True)
        self.year_unit.clear()
        for unit in snapshot.entity.units:
            self.year_unit.addItem(unit.code, unit.id)
        self.year_unit.setCurrentIndex(max(0, self.year_unit.findData(self.unit_id)))
        self.year_unit.blockSignals(False)
        self.year_model.set_snapshot(snapshot, self.unit_id or "")
        self.year_table.resizeColumnToContents(0)
        self.size_year_split()

    def size_year_split(self) -> None:
        """The annual table gets room for at least ten rows before the results below it (once, when shown)."""
        total = sum(self.year_split.sizes())
        if self.year_split_sized or total <= 0 or not self.year_split.isVisible():
            return
        self.year_split_sized = True
        chrome = self.year_table.horizontalHeader().height() + self.year_table.horizontalScrollBar().sizeHint().height()
        row = self.year_table.rowHeight(0) if self.year_model.rowCount() else 0
        row = max(row, self.year_table.verticalHeader().defaultSectionSize())
        ten_rows = 10 * row + chrome + 2 * self.year_table.frameWidth() + 2
        table = min(max(int(total * 0.6), ten_rows), total - 80)  # the results below can be dragged taller
        self.year_split.setSizes([table, total - table])

    def _show_panels(self, snapshot: session.YearSnapshot) -> None:
        self.show_evidence()
        self.show_findings()

    def _show_results(self, snapshot: session.YearSnapshot) -> None:
        self.show_results()

    # -- navigation -----------------------------------------------------------------------------

    def show_in_navigator(self) -> None:
        unit = self.navigator_model.find("unit", (self.unit_id,))
        year = self.navigator_model.find("year", (self.unit_id, self.year))
        for index in (unit, year):
            if index.isValid():
                self.navigator.expand(index)
        month_node = self.navigator_model.find("month", (self.unit_id, self.year, self.month))
        if month_node.isValid():
            self.navigator.selectionModel().setCurrentIndex(
                month_node, QItemSelectionModel.SelectionFlag.ClearAndSelect
            )
            self.navigator.scrollTo(month_node)

    def on_navigate(self, index: QModelIndex) -> None:
        key = self.navigator_model.data(index, ROLE_KEY)
        if not key:
            return
        kind = key[0]
        if kind == "month":
            _, unit_id, year, month = key
            self.select_month(unit_id, year, month)
        elif kind in ("unit", "year"):
            self.unit_id = key[1]
            if kind == "year" and key[2] != self.year:
                self.year = key[2]
                self.refresh(long=True)
                return
            self.tabs.setCurrentIndex(1)
            if self.snapshot is not None:
                self.year_unit.setCurrentIndex(self.year_unit.findData(self.unit_id))

    def select_month(self, unit_id: str, year: int, month: int) -> None:
        self.grid.commit_open_editor()
        self.unit_id, self.month = unit_id, month
        self.tabs.setCurrentIndex(0)
        if year != self.year:
            self.year = year
            self.settings.setValue(f"entity/{self.entity_id}/year", year)
            self.refresh(long=True)
            return
        if self.snapshot is not None:
            self.show_in_navigator()
            self.grid_model.set_snapshot(self.snapshot, month)
            self.put_cursor_on_first_input()
            self.show_month_header()
            self.show_evidence()
            self.show_findings()

    def put_cursor_on_first_input(self) -> None:
        column = next((i for i, u in enumerate(self.grid_model.units) if u.id == self.unit_id), 0)
        first_input = next((r for r, row in enumerate(self.grid_model.rows) if row.kind == "input"), 0)
        self.grid.setCurrentIndex(self.grid_model.index(first_input, MonthGridModel.FIXED + column))

    def on_cell(self, current: QModelIndex, _previous: QModelIndex) -> None:
        unit = self.grid_model.unit_at(current.column()) if current.isValid() else None
        if unit is not None and unit.id != self.unit_id:
            self.unit_id = unit.id
            self.show_month_header()
            self.show_evidence()
            self.show_findings()

    def on_year_unit(self, _row: int) -> None:
        unit_id = self.year_unit.currentData()
        if unit_id and self.snapshot is not None:
            self.unit_id = unit_id
            self.year_model.set_snapshot(self.snapshot, unit_id)
            self.show_results()

    # -- what the panels show -------------------------------------------------------------------

    def current_state(self) -> session.MonthState | None:
        if self.snapshot is None or self.unit_id is None:
            return None
        return self.snapshot.months.get((self.unit_id, self.month))

    def show_month_header(self) -> None:
        state = self.current_state()
        if state is None:
            self.month_title.setText("")
            return
        zh_state, en_state = STATE_LABELS[state.state]
        title = i18n.pick(
            f"{self.year} 年 {self.month} 月 · {self.unit_noun('zh')} {state.unit_code}",
            f"{self.year}-{self.month:02d} · {self.unit_noun('en')} {state.unit_code}",
        )
        self.month_title.setText(title)
        version = state.stored.version if state.stored else 1
        status = state.stored.status.value if state.stored else "draft"
        status_text = {"draft": self.tr("draft"), "submitted": self.tr("submitted"), "locked": self.tr("locked")}[
            status
        ]
        self.month_status.setText(
            i18n.pick(
                f"{zh_state} · 第 {version} 版（{status_text}）· 存证截止 {state.due} · 错误 {state.errors} · 待说明警告 {state.warnings}",
                f"{en_state} · version {version} ({status_text}) · deposit due {state.due} · "
                f"{state.errors} error(s) · {state.warnings} warning(s) to justify",
            )
        )
        self.submit_button.setEnabled(status == "draft")
        self.act_submit.setEnabled(status == "draft")
        self.lock_button.setEnabled(status == "submitted")
        self.act_lock.setEnabled(status == "submitted")
        # one button corrects a month: back to draft while submitted, a new version once deposited
        self.amend_button.setEnabled(status in ("submitted", "locked"))
        self.amend_button.setText(
            i18n.pick("退回草稿…", "Back to draft…") if status == "submitted" else i18n.pick("修订…", "Amend…")
        )
        self.act_amend.setEnabled(status == "locked")
        self.act_reopen.setEnabled(status == "submitted")

    def show_evidence(self) -> None:
        self.evidence_list.clear()
        state = self.current_state()
        if state is None or state.stored is None:
            return
        for ref in state.stored.evidence:
            kind = self.form.evidence_kinds.get(ref.kind)
            label = kind.label(i18n.current()) if kind else ref.kind
            item = QListWidgetItem(f"{ref.file_name}\n  {label} · {ref.sha256[:12]}…")
            item.setData(Qt.ItemDataRole.UserRole, ref.sha256)
            proves = [path_label(self.form, p, state.stored, i18n.current()) for p in ref.proves]
            item.setToolTip(i18n.pick("证明：", "Proves: ") + ("、" if i18n.current() == "zh" else ", ").join(proves))
            self.evidence_list.addItem(item)

    def show_findings(self) -> None:
        if self.snapshot is None:
            return
        findings: list[Finding] = list(self.snapshot.findings)
        state = self.current_state()
        if self.findings_scope.currentIndex() == 0 and state is not None:
            findings = [f for f in findings if f.ref.unit == state.unit_code and f.ref.month == self.month]
        self.findings_model.set_findings(findings, self.messages)
        self.findings_view.resizeColumnsToContents()
        self.findings_view.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        errors = sum(f.severity is Severity.ERROR for f in findings)
        warnings = sum(f.severity is Severity.WARNING and f.acknowledged is None for f in findings)
        self.findings_summary.setText(
            i18n.pick(
                f"错误 {errors} 项，待说明警告 {warnings} 项", f"{errors} error(s), {warnings} warning(s) to justify"
            )
        )

    def show_results(self) -> None:
        self.results.clear()
        if self.snapshot is None:
            return
        figures = self.snapshot.evaluation.guideline.figures
        result = self.snapshot.evaluation.result
        unit_code = next((u.code for u in self.snapshot.entity.units if u.id == self.unit_id), None)
        unit = result.unit(unit_code) if unit_code else None

        def add(parent: QTreeWidget | QTreeWidgetItem, name: str, figure: Any) -> None:
            info = figures.get(name)
            label = figure_label(name, self.snapshot.evaluation.guideline, i18n.current())
            value = (
                "—"
                if figure.value is None
                else format_decimal(round_reported(figure.value, info.places if info else 2))
            )
            formula = formula_text(figure, self.snapshot.evaluation.guideline, i18n.current())
            item = QTreeWidgetItem([label, value, figure.unit, formula])
            item.setData(0, Qt.ItemDataRole.UserRole, figure)
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight)
            if isinstance(parent, QTreeWidget):
                parent.addTopLevelItem(item)
            else:
                parent.addChild(item)

        if unit is not None:
            top = QTreeWidgetItem(
                [
                    i18n.pick(
                        f"{self.unit_noun('zh')} {unit.unit_id} 全年", f"{self.unit_noun('en')} {unit.unit_id}, year"
                    )
                ]
            )
            self.results.addTopLevelItem(top)
            for name, figure in unit.annual.items():
                add(top, name, figure)
            top.setExpanded(True)
        entity = QTreeWidgetItem([i18n.pick("重点排放单位 · 履约", "Entity · compliance")])
        self.results.addTopLevelItem(entity)
        for name, figure in result.totals.items():
            add(entity, name, figure)
        entity.setExpanded(True)
        for column in range(4):
            self.results.resizeColumnToContents(column)
        if not self.provenance.toPlainText():
            self.provenance.setPlaceholderText(
                self.tr("Click a figure to see its formula, inputs and the source of every parameter.")
            )
        if unit is not None and self.snapshot is not None:
            self.draw_chart(unit, self.snapshot.evaluation.guideline)

    def draw_chart(self, unit: Any, chosen: Any) -> None:
        """The unit's year as the guideline's chart declares it (bars, a line against its reference, a
        running balance of the allocation's monthly shares)."""
        spec, lang = chosen.chart, i18n.current()
        months = {m.month: m for m in unit.months}

        def monthly(name: str) -> list[Any]:
            return [
                months[m].figures[name].value if m in months and name in months[m].figures else None
                for m in range(1, 13)
            ]

        bars = monthly(spec.bars)
        line = [
            value if denominator else None
            for value, denominator in zip(monthly(spec.line), monthly(spec.line_when), strict=True)
        ]
        reference = unit.annual.get(spec.reference)
        parameter = next(
            (
                p
                for p in (reference.parameters() if reference else ())
                if p.parameter.key.startswith(spec.reference_parameter)
            ),
            None,
        )
        balance: list[Any] = []
        running = None
        for share, emitted in zip(monthly(spec.share), bars, strict=True):
            if share is None or emitted is None:
                balance.append(None)
                continue
            running = (running or 0) + share - emitted
            balance.append(running)
        bars_info, line_info = chosen.figures[spec.bars], chosen.figures[spec.line]
        title = i18n.pick(
            f"月度{bars_info.label(lang)}（柱，{bars_info.unit}）与{line_info.label(lang)}（线，{line_info.unit}）",
            f"{bars_info.label(lang)} (bars, {bars_info.unit}) and {line_info.label(lang).lower()} "
            f"(line, {line_info.unit})",
        )
        self.chart.set_series(bars, line, parameter.value if parameter else None, balance, title)

    def show_provenance(self, item: QTreeWidgetItem, _column: int) -> None:
        figure = item.data(0, Qt.ItemDataRole.UserRole)
        if figure is None:
            return
        evaluation = self.snapshot.evaluation if self.snapshot else None
        if evaluation is None:
            return
        pack = evaluation.pack
        titles = {pack.label: pack.title_zh if i18n.current() == "zh" else pack.title_en}
        lines = explain_figure(figure, evaluation.guideline, i18n.current(), depth=4, pack_titles=titles)
        self.provenance.setPlainText("\n".join(lines))

    def update_status(self) -> None:
        where = str(self.ws.path) if self.ws.is_sqlite else self.ws.url
        pack = "—"
        if self.snapshot is not None:
            p = self.snapshot.evaluation.pack
            pack = i18n.pick(f"{p.title_zh}（{p.version}）", f"{p.title_en} ({p.version})")
        self.status_workspace.setText(
            i18n.pick(
                f"工作区：{where} · 用户：{self.ws.app_user} · 参数包：{pack}",
                f"Workspace: {where} · user: {self.ws.app_user} · pack: {pack}",
            )
        )
        self.status_save.setText(self.tr("Saving…") if self.saving else self.tr("All changes saved"))

    def show_reminders(self) -> None:
        if self.snapshot is None:
            return
        reminders = self.snapshot.reminders()
        if not reminders:
            self.reminder_bar.hide()
            return
        words = (self.unit_noun("zh"), self.unit_noun("en"))
        self.reminder_bar.show_text(
            reminder_summary(reminders, words), reminder_text(reminders, most=200, unit_word=words)
        )
        self.reminder_box = self.reminder_bar

    # -- editing --------------------------------------------------------------------------------

    def request_edits(self, edits: list[CellEdit]) -> None:
        if not edits:
            if self.snapshot is not None:
                self.grid_model.set_snapshot(self.snapshot, self.month)
            return
        self.refused_label.setText("")
        count = sum(len(e.changes) for e in edits)
        self.undo_stack.push(EditCommand(self, edits, self.tr("Edit {0} value(s)").format(count)))

    def output_waits(self, start: Callable[[], Any]) -> bool:
        """One file is written at a time: while one is, the next waits its turn (said so) and starts when
        it is done -- never cancelling it.  True when ``start`` was queued."""
        if self.output_progress.handle is None:
            return False
        self.waiting_outputs.append(start)
        self.last_message = self.tr("Another file is being written; this one follows when it is done.")
        self.statusBar().showMessage(self.last_message, 8000)
        return True

    def write_output(self, work: Callable[[Any], Any], label: str) -> Any:
        """A file written on a worker thread, its progress and cancel button in the status bar; the next file
        asked for meanwhile starts when it ends."""
        handle = run_task(
            work,
            label=label,
            parent=self,
            on_error=self.show_error,
            cancel_text=self.tr("Cancel"),
            on_done=self.written,
            status=self.output_progress,
        )
        handle.ended.connect(self.next_output)
        return handle

    def next_output(self) -> None:
        if self.waiting_outputs and self.output_progress.handle is None:
            self.waiting_outputs.pop(0)()

    def refuse_input(self, message: str) -> None:
        self.refused_label.setText(message)
        self.last_message = message
        self.statusBar().showMessage(message, 8000)

    def save_edits(self, batches: list[tuple[str, int, dict[str, Any]]]) -> None:
        """Autosave through the serial worker; then a fresh snapshot shows figures and findings."""
        ws, year = self.ws, self.year

        def save() -> None:
            for unit_id, month, changes in batches:
                store.save_month(ws=ws, unit_id=unit_id, year=year, month=month, changes=changes, validate=False)

        for unit_id, _month, changes in batches:
            self.grid_model.show_pending(unit_id, changes)
        self.run_save(save, units={unit_id for unit_id, _month, _changes in batches})

    # -- master data ----------------------------------------------------------------------------

    def current_unit(self) -> Any:
        if self.snapshot is None:
            return None
        return next((u for u in self.snapshot.entity.units if u.id == self.unit_id), None)

    def master_data_saved(self, _result: Any = None) -> None:
        self.years = sorted({*self.years, *store.years_with_data(ws=self.ws, entity_id=self.entity_id)})
        self.refresh()  # through the serial worker, like a save: whoever waits for it sees the new snapshot

    def run_master_data(self, job: Any) -> None:
        self.worker.submit(job, self.master_data_saved, self.show_error)

    def edit_entity(self) -> None:
        if self.snapshot is None:
            return
        self.grid.commit_open_editor()
        entity = self.snapshot.entity
        dialog = RecordDialog(
            self.form,
            "entity",
            {**entity.values, "name": entity.name, "uscc": entity.uscc},
            i18n.pick("重点排放单位信息", "The entity"),
            self,
            reason="optional",
        )
        self.pending_dialog = dialog
        if dialog.exec() != QDialog.DialogCode.Accepted or not dialog.changes():
            return
        ws, entity_id, changes, reason = self.ws, entity.id, dialog.changes(), dialog.reason()
        self.run_master_data(lambda: store.edit_entity(ws=ws, entity_id=entity_id, changes=changes, reason=reason))

    def add_unit(self) -> None:
        if self.snapshot is None:
            return
        self.grid.commit_open_editor()
        dialog = RecordDialog(
            self.form, "unit", {}, i18n.pick(f"增加{self.unit_noun('zh')}", f"Add a {self.unit_noun('en')}"), self
        )
        self.pending_dialog = dialog
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        ws, entity_id = self.ws, self.snapshot.entity.id
        values = {k: v for k, v in dialog.result_values.items() if v is not None}
        self.run_master_data(lambda: store.create_unit(ws=ws, entity_id=entity_id, values=values))

    def edit_unit(self, *, only: tuple[str, ...] | None = None, reason: str = "optional") -> None:
        unit = self.current_unit()
        if unit is None:
            return
        self.grid.commit_open_editor()
        title = (
            i18n.pick(f"{self.unit_noun('zh')} {unit.code} 停运（退役）", f"Retire {self.unit_noun('en')} {unit.code}")
            if only
            else i18n.pick(f"{self.unit_noun('zh')} {unit.code}", f"{self.unit_noun('en').capitalize()} {unit.code}")
        )
        dialog = RecordDialog(self.form, "unit", dict(unit.values), title, self, only=only, reason=reason)
        self.pending_dialog = dialog
        if dialog.exec() != QDialog.DialogCode.Accepted or not dialog.changes():
            return
        ws, unit_id, changes, why = self.ws, unit.id, dialog.changes(), dialog.reason()
        self.run_master_data(lambda: store.edit_unit(ws=ws, unit_id=unit_id, changes=changes, reason=why))

    def retire_unit(self) -> None:
        """A retired unit owes no deposits after its retirement date; its earlier months stay as they are."""
        self.edit_unit(only=("retired_on",), reason="required")

    def add_year(self) -> None:
        if self.entity_id is None:
            return
        self.grid.commit_open_editor()
        suggested = max([*self.years, date.today().year - 1]) + 1
        year, ok = QInputDialog.getInt(
            self,
            i18n.pick("增加数据年度", "Add a data year"),
            i18n.pick("数据年度：", "Data year:"),
            min(suggested, date.today().year),
            store.MIN_DATA_YEAR,
            date.today().year + 1,
        )
        if not ok:
            return
        ws, entity_id = self.ws, self.entity_id

        def add() -> None:
            store.add_data_year(ws=ws, entity_id=entity_id, year=year)

        def added(_result: Any) -> None:
            self.years = sorted({*self.years, year})
            self.year = year
            self.settings.setValue(f"entity/{entity_id}/year", year)
            self.month = 0  # the month that needs attention in the new year
            self.focus_first_input = True
            self.refresh(long=True)

        self.worker.submit(add, added, self.show_error)

    # -- rows of a month's tables (fuels, raw materials, carbonates) -----------------------------

    def unit_noun(self, lang: str) -> str:
        """What the guideline calls a unit: 机组 / generating unit, 生产线 / line, 电解系列 / potline."""
        return self.form.unit_word(lang)

    def row_kinds_word(self, lang: str) -> str:
        """What the rows one can add are called: "燃料" / "fuel", or "燃料或非碳酸盐替代原料" for several kinds."""
        words = [k.label(lang) if lang == "zh" else k.label(lang).lower() for k in self.form.row_kinds]
        return ("或" if lang == "zh" else " or ").join(words)

    def grid_menu(self, pos: Any) -> None:
        index = self.grid.indexAt(pos)
        if index.isValid():
            self.grid.setCurrentIndex(index)
        menu = QMenu(self)
        menu.addAction(self.act_undo)
        menu.addAction(self.act_redo)
        menu.addSeparator()
        menu.addAction(self.act_attach)
        menu.addSeparator()
        menu.addAction(self.act_add_fuel)
        menu.addAction(self.act_remove_fuel)
        self.act_remove_fuel.setEnabled(self.current_row_item() is not None)
        menu.exec(self.grid.viewport().mapToGlobal(pos))
        self.act_remove_fuel.setEnabled(True)

    def current_row_item(self) -> tuple[Any, str, str] | None:
        """The unit, row kind and item of the grid's current cell, when it is on an item's rows."""
        index = self.grid.currentIndex()
        if not index.isValid() or self.snapshot is None:
            return None
        row = self.grid_model.rows[index.row()]
        unit = self.grid_model.unit_at(index.column())
        if row.item is None or row.table is None or unit is None:
            return None
        return unit, row.table, row.item

    def _item_label(self, table: str, item: str) -> str:
        kind = self.form.row_kind(table)
        option = self.form.enums[self.form.field(kind.scope, kind.key).enum or ""].option(item)
        name = option.label(i18n.current()) if option else item
        several = len(self.form.row_kinds) > 1
        return f"{kind.label(i18n.current())}{i18n.pick('：', ': ')}{name}" if several else name

    def add_row_item(self) -> None:
        """Show the rows of an item not yet in the month (oil for a start-up, a raw material); typing stores them."""
        if self.snapshot is None:
            return
        self.grid.commit_open_editor()
        shown = {(r.table, r.item) for r in self.grid_model.rows if r.item}
        choices = [
            (kind.id, option.id)
            for kind in self.form.row_kinds
            for option in self.form.enums[self.form.field(kind.scope, kind.key).enum or ""].options
            if (kind.id, option.id) not in shown
        ]
        if not choices:
            self.refuse_input(i18n.pick("所有可选项都已列出", "Everything that can be added is already listed"))
            return
        labels = [self._item_label(table, item) for table, item in choices]
        label, ok = QInputDialog.getItem(
            self,
            i18n.pick("增加一行", "Add rows"),
            i18n.pick("本月增加：", "Add to this month:"),
            labels,
            0,
            False,
        )
        if not ok:
            return
        table, item = choices[labels.index(label)]
        self.grid_model.extra_items.setdefault(table, set()).add(item)
        self.grid_model.set_snapshot(self.snapshot, self.month)
        column = next((i for i, u in enumerate(self.grid_model.units) if u.id == self.unit_id), 0)
        first = next(
            i for i, r in enumerate(self.grid_model.rows) if r.table == table and r.item == item and r.kind == "input"
        )
        self.grid.setCurrentIndex(self.grid_model.index(first, MonthGridModel.FIXED + column))
        self.grid.setFocus()

    def remove_row_item(self) -> None:
        target = self.current_row_item()
        if target is None or self.snapshot is None:
            self.refuse_input(
                i18n.pick("请先选中要删除的行中的一个单元格", "Select a cell of the rows to remove first")
            )
            return
        self.grid.commit_open_editor()
        unit, table, item = target
        name = self._item_label(table, item)
        state = self.grid_model.state(unit.id)
        if state is not None and not state.writable:
            self.refuse_input(i18n.pick("本月已锁定，不能修改", "This month is locked and cannot be changed"))
            return
        _, exists = self.grid_model.row_index(unit.id, table, item)
        pending = any(k[0] == unit.id and k[1].startswith(f"{table}[") for k in self.grid_model.pending_keys())
        if not exists and not pending:
            # only shown, nothing typed: hiding its rows is all there is to do
            self.grid_model.extra_items.get(table, set()).discard(item)
            self.grid_model.set_snapshot(self.snapshot, self.month)
            return
        text = i18n.pick(f"删除 {unit.code} 的行：{name}", f"Remove the {name} rows of {unit.code}")
        self.undo_stack.push(RemoveRowCommand(self, unit.id, self.month, table, item, text))

    def save_row_removal(self, command: RemoveRowCommand) -> None:
        ws, year = self.ws, self.year
        kind = self.form.row_kind(command.table)
        spec_ids = [s.id for s in self.form.fields(kind.scope) if s.id != kind.key]
        index, _ = self.grid_model.row_index(command.unit_id, command.table, command.item)
        self.grid_model.show_pending(
            command.unit_id, {str(MonthPath.of_row(command.table, index, f)): None for f in spec_ids}
        )

        def save() -> None:
            stored = store.get_month(ws=ws, unit_id=command.unit_id, year=year, month=command.month)
            rows = stored.rows_of(command.table) if stored else ()
            found = [i for i, r in enumerate(rows) if r.get(kind.key) == command.item]
            if not found:
                return
            command.removed = dict(rows[found[0]])
            store.save_month(
                ws=ws,
                unit_id=command.unit_id,
                year=year,
                month=command.month,
                changes={},
                remove_rows={command.table: found[:1]},
                validate=False,
            )

        self.run_save(save, units={command.unit_id})

    def save_row_restore(self, command: RemoveRowCommand) -> None:
        ws, year = self.ws, self.year

        def save() -> None:
            if not command.removed:
                return
            stored = store.get_month(ws=ws, unit_id=command.unit_id, year=year, month=command.month)
            n = len(stored.rows_of(command.table)) if stored else 0
            changes = {str(MonthPath.of_row(command.table, n, k)): v for k, v in command.removed.items()}
            store.save_month(
                ws=ws, unit_id=command.unit_id, year=year, month=command.month, changes=changes, validate=False
            )

        self.run_save(save, units={command.unit_id})

    def run_save(self, save: Any, *, units: set[str]) -> None:
        """A save of the months of ``units`` on the serial worker, then a fresh snapshot that recalculates
        those units only (the same path as typed values)."""
        self.saving += 1
        self.dirty_units |= units
        self.update_status()

        def saved(_result: Any) -> None:
            self.saving -= 1
            self.refresh(changed_only=True)

        def failed(exc: BaseException) -> None:
            self.saving -= 1
            self.show_error(exc)
            self.refresh()

        seq = self.grid_model.pending_seq

        def confirmed(then: Any) -> Any:
            def callback(result: Any) -> None:
                self.grid_model.confirm_pending(seq)
                then(result)

            return callback

        self.worker.submit(save, confirmed(saved), confirmed(failed))

    def cell_target(self, index: QModelIndex) -> tuple[Any, str, str] | None:
        """The unit, the evidence path and the evidence kind of a grid cell."""
        row = self.grid_model.rows[index.row()]
        unit = self.grid_model.unit_at(index.column())
        if row.spec is None or unit is None or row.spec.evidence is None:
            return None
        if row.item is not None and row.table is not None:
            index_no, exists = self.grid_model.row_index(unit.id, row.table, row.item)
            if not exists:
                return None
            # a scan of a whole-row kind (a lab report) proves the row it tested; any other the value it backs
            kind = self.form.evidence_kinds[row.spec.evidence]
            path = str(MonthPath.of_row(row.table, index_no, None if kind.whole_row else row.spec.id))
        else:
            path = row.spec.id
        return unit, path, row.spec.evidence

    def attach_to_current(self) -> None:
        index = self.grid.currentIndex()
        if not index.isValid():
            return
        self.grid.commit_open_editor()
        chosen, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Attach evidence"),
            str(Path.home()),
            self.tr("Scans and PDF (*.pdf *.png *.jpg *.jpeg *.tif *.tiff);;All files (*)"),
        )
        if chosen:
            self.attach_to_cell(index, Path(chosen))

    def attach_to_cell(self, index: QModelIndex, file: Path, *, dialog: EvidenceDialog | None = None) -> None:
        target = self.cell_target(index)
        if target is None:
            self.refuse_input(self.tr("Evidence attaches to an entered value that needs it; enter the value first."))
            return
        unit, path, kind = target
        known: dict[str, Any] = {}
        state = self.grid_model.state(unit.id)
        where = MonthPath.parse(path)
        rows = state.stored.rows_of(where.rows) if where and where.rows and state and state.stored else ()
        if where is not None and where.row is not None and where.row < len(rows):
            known = dict(rows[where.row])  # what the row already says about its lab report
        dialog = dialog or EvidenceDialog(self.form, file, kind, self, known=known)
        if dialog.result() != QDialog.DialogCode.Accepted and dialog.exec() != QDialog.DialogCode.Accepted:
            return
        chosen_kind, lab = dialog.kind.currentData(), dialog.lab()
        ws, year, month = self.ws, self.year, self.month
        self.worker.submit(
            lambda: evidence_files.attach_evidence(
                ws=ws, file=file, kind=chosen_kind, links=[(unit.id, year, month, path)], lab=lab
            ),
            lambda _info: self.refresh(),
            self.show_error,
        )

    def open_evidence(self, item: QListWidgetItem) -> None:
        sha = item.data(Qt.ItemDataRole.UserRole)
        try:
            path = evidence_files.evidence_file(ws=self.ws, sha256=sha)
        except StorageError as exc:
            self.show_error(exc)
            return
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))  # with its extension: the right program opens it

    # -- month lifecycle ------------------------------------------------------------------------

    def checkpoint_signer(self) -> Callable[[], Any] | None:
        """What signs the audit checkpoint of a status change, loaded on the worker: None if the user cancelled.

        With a signer on this machine its passphrase is asked once per run (or the user goes on unsigned);
        without one the checkpoint is recorded unsigned, as the audit check then says.
        """
        if self.session_signer is not None:
            signer = self.session_signer
            return lambda: signer
        folder = locations.data_dir() / "signer"
        if self.checkpoints_unsigned or not (folder / "signer-key.pem").exists():
            return lambda: None
        self.grid.commit_open_editor()
        dialog = PassphraseDialog(creating=False, parent=self, checkpoint=True)
        self.pending_dialog = dialog
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        if dialog.unsigned:
            self.checkpoints_unsigned = True
            return lambda: None
        passphrase = dialog.passphrase().encode("utf-8")

        def load() -> Any:
            signing, _package = _signing()
            signer = signing.load_signer(folder, passphrase)  # a wrong passphrase refuses the change, said why
            self.session_signer = signer
            return signer

        return load

    def submit_month(self) -> None:
        state = self.current_state()
        if state is None:
            return
        signer = self.checkpoint_signer()
        if signer is None:
            return
        ws, year, month, today = self.ws, self.year, self.month, self.today
        self.worker.submit(
            lambda: store.submit_month(
                ws=ws, unit_id=state.unit_id, year=year, month=month, today=today, signer=signer()
            ),
            lambda _m: self.refresh(),
            self.show_error,
        )

    def lock_month(self) -> None:
        state = self.current_state()
        if state is None:
            return
        dialog = QDialog(self)
        dialog.setWindowTitle(self.tr("Mark deposited"))
        form = QFormLayout(dialog)
        edit = QDateEdit(QDate.currentDate())
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        form.addRow(self.tr("Deposited on the national platform on"), edit)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(dialog.accept)
        buttons.rejected.connect(dialog.reject)
        form.addRow(buttons)
        self.grid.commit_open_editor()  # a modal dialog would otherwise leave the typed value uncommitted
        self.pending_dialog = dialog
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        deposited = edit.date().toPython()
        signer = self.checkpoint_signer()
        if signer is None:
            return
        ws, year, month = self.ws, self.year, self.month
        self.worker.submit(
            lambda: store.lock_month(
                ws=ws, unit_id=state.unit_id, year=year, month=month, deposited_on=deposited, signer=signer()
            ),
            lambda _m: self.refresh(),
            self.show_error,
        )

    def correct_month(self) -> None:
        state = self.current_state()
        if state is not None and state.stored is not None and state.stored.status.value == "submitted":
            self.reopen_month()
        else:
            self.amend_month()

    def reopen_month(self) -> None:
        self.change_month_with_reason(
            i18n.pick("退回草稿", "Back to draft"),
            i18n.pick(
                "本月已提交但尚未存证，可以退回草稿修改。原因会记入审计记录。为什么要退回？",
                "This month is submitted but not yet deposited, so it can go back to draft. The reason is kept "
                "in the audit trail. Why must it change?",
            ),
            store.reopen_month,
        )

    def amend_month(self) -> None:
        self.change_month_with_reason(
            self.tr("Amend a locked month"),
            self.tr(
                "A locked month is corrected by a new version; the deposited version stays "
                "readable. Why must it change?"
            ),
            store.amend_month,
        )

    def change_month_with_reason(self, title: str, prompt: str, change: Any) -> None:
        """Ask why (required), then change the month's status on the worker: back to draft, or amend."""
        state = self.current_state()
        if state is None:
            return
        dialog = TextDialog(title, prompt, self)
        self.grid.commit_open_editor()  # a modal dialog would otherwise leave the typed value uncommitted
        self.pending_dialog = dialog
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        reason = dialog.value()
        signer = self.checkpoint_signer()
        if signer is None:
            return
        ws, year, month = self.ws, self.year, self.month
        self.worker.submit(
            lambda: change(ws=ws, unit_id=state.unit_id, year=year, month=month, reason=reason, signer=signer()),
            lambda _m: self.refresh(),
            self.show_error,
        )

    # -- findings -------------------------------------------------------------------------------

    def selected_finding(self) -> Finding | None:
        index = self.findings_view.currentIndex()
        return self.findings_model.data(index, ROLE_KEY) if index.isValid() else None

    def jump_to_finding(self, index: QModelIndex) -> None:
        f = self.findings_model.data(index, ROLE_KEY)
        if f is not None:
            self.jump_to(f)

    def jump_to(self, f: Finding) -> None:
        """The cell a finding is about, with the keyboard in it: typing goes into that cell next."""
        if self.snapshot is None or f.ref.unit is None or f.ref.month is None:
            return
        unit = next((u for u in self.snapshot.entity.units if u.code == f.ref.unit), None)
        if unit is None:
            return
        if (unit.id, f.ref.month) != (self.unit_id, self.month) or self.tabs.currentIndex() != 0:
            self.select_month(unit.id, self.year, f.ref.month)
        column = MonthGridModel.FIXED + next(i for i, u in enumerate(self.grid_model.units) if u.id == unit.id)
        key = None
        if f.ref.row is not None:
            state = self.snapshot.months.get((unit.id, f.ref.month))
            rows = state.stored.rows_of(f.ref.rows) if state and state.stored else ()
            kind = self.form.row_kind(f.ref.rows)
            key = rows[f.ref.row].get(kind.key) if f.ref.row < len(rows) else None
        for row_no, row in enumerate(self.grid_model.rows):
            if row.spec is not None and row.spec.id == f.ref.field and row.item == key:
                self.grid.setCurrentIndex(self.grid_model.index(row_no, column))
                self.grid.scrollTo(self.grid_model.index(row_no, column))
                break
        self.grid.setFocus(Qt.FocusReason.OtherFocusReason)

    def acknowledge_selected(self) -> None:
        f = self.selected_finding()
        if f is None or self.entity_id is None:
            return
        if f.severity is not Severity.WARNING:
            QMessageBox.information(
                self,
                self.tr("Only warnings"),
                self.tr("Errors must be corrected; only warnings can be passed with a justification."),
            )
            return
        dialog = TextDialog(
            self.tr("Justify warning {0}").format(f.code),
            self.tr("This justification is kept and shown in the report:"),
            self,
            initial=f.acknowledged.justification if f.acknowledged else "",
        )
        self.grid.commit_open_editor()  # a modal dialog would otherwise leave the typed value uncommitted
        self.pending_dialog = dialog
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        self.acknowledge(f, dialog.value())

    def acknowledge(self, f: Finding, justification: str) -> None:
        ws, entity_id, year = self.ws, self.entity_id, self.year
        self.worker.submit(
            lambda: store.acknowledge(
                ws=ws, entity_id=entity_id, year=year, code=f.code, path=f.ref.path, justification=justification
            ),
            lambda _r: self.refresh(),
            self.show_error,
        )

    def edit_year_items(self) -> None:
        if self.snapshot is None:
            return
        year_values = dict(self.snapshot.evaluation.report.year)
        dialog = YearItemsDialog(self.form, self.year, year_values, self)
        self.grid.commit_open_editor()  # a modal dialog would otherwise leave the typed value uncommitted
        self.pending_dialog = dialog
        if dialog.exec() != QDialog.DialogCode.Accepted or not dialog.changes:
            return
        ws, entity_id, year, changes, reason = self.ws, self.entity_id, self.year, dialog.changes, dialog.reason.text()
        self.worker.submit(
            lambda: store.set_year_values(ws=ws, entity_id=entity_id, year=year, changes=changes, reason=reason),
            lambda _r: self.refresh(),
            self.show_error,
        )

    # -- workspace, settings, tools -------------------------------------------------------------

    def open_settings(self) -> None:
        if self.snapshot is None:
            return
        dialog = SettingsDialog(
            lang=i18n.current(),
            user=self.ws.app_user,
            workspace=str(self.ws.path),
            pack=self.snapshot.evaluation.pack,
            parent=self,
        )
        ws, entity_id, year = self.ws, self.entity_id, self.year
        dialog.overrideRequested.connect(
            lambda key, value, reason: self.worker.submit(
                lambda: store.set_override(ws=ws, entity_id=entity_id, year=year, key=key, value=value, reason=reason),
                lambda _r: self.refresh(),
                self.show_error,
            )
        )
        dialog.packImportRequested.connect(self.import_pack)
        self.grid.commit_open_editor()  # a modal dialog would otherwise leave the typed value uncommitted
        self.pending_dialog = dialog
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        self.apply_settings(dialog.language.currentData(), dialog.user.text().strip())

    def apply_settings(self, lang: str, user: str) -> None:
        if user and user != self.ws.app_user:
            self.ws.app_user = user
            self.settings.setValue("user/name", user)
        if lang != i18n.current():
            self.settings.setValue("ui/language", lang)
            i18n.set_language(lang)  # typed values are in the store already; nothing is lost
        self.retranslate()

    def changeEvent(self, event: Any) -> None:
        if event.type() == QEvent.Type.LanguageChange and hasattr(self, "menus"):
            self.retranslate()
        super().changeEvent(event)

    def import_pack(self, file: Path) -> None:
        try:
            pack = load_pack(file)
        except PackError as exc:
            QMessageBox.warning(self, self.tr("Parameter pack refused"), str(exc))
            return
        target = locations.data_dir() / "packs" / pack.guideline / f"{pack.data_year}.toml"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(file, target)
        self.statusBar().showMessage(self.tr("Parameter pack {0} imported").format(pack.label), 8000)
        self.refresh(long=True)

    def import_json(self) -> None:
        self.grid.commit_open_editor()
        chosen, _ = QFileDialog.getOpenFileName(
            self, self.tr("Import JSON report"), str(Path.home()), self.tr("CarbonDesk report (*.json)")
        )
        if not chosen:
            return
        ws = self.ws

        def work(progress: Any) -> Any:
            progress(0, 2)
            report = read_report_file(path=Path(chosen))
            progress(1, 2)
            return importer.import_report(ws=ws, report=report, reason=f"import {Path(chosen).name}")

        run_task(
            work,
            label=self.tr("Importing…"),
            parent=self,
            on_error=self.show_error,
            on_done=lambda outcome: self.after_import(outcome.entity_id),
            cancel_text=self.tr("Cancel"),
        )

    def after_import(self, entity_id: str) -> None:
        self.entity_id = entity_id
        self.years = list(store.years_with_data(ws=self.ws, entity_id=entity_id))
        self.year = self.years[-1] if self.years else self.year
        self.refresh(long=True)

    def backup(self) -> None:
        if not self.ws.is_sqlite:
            self.show_error(StorageError("STO-E016"))
            return
        default = locations.data_dir() / "backups" / f"{self.ws.path.stem}-{date.today().isoformat()}.sqlite"
        self.grid.commit_open_editor()
        chosen, _ = QFileDialog.getSaveFileName(
            self, self.tr("Back up workspace"), str(default), self.tr("CarbonDesk workspace (*.sqlite)")
        )
        if chosen:
            self.run_backup(Path(chosen))

    def run_backup(self, destination: Path) -> Any:
        ws = self.ws
        return run_task(
            lambda progress: ws.backup(destination),
            label=self.tr("Backing up…"),
            parent=self,
            on_error=self.show_error,
            cancel_text=self.tr("Cancel"),
            on_done=lambda path: self.statusBar().showMessage(self.tr("Backup written to {0}").format(path), 10000),
        )

    # -- outputs ------------------------------------------------------------------------------------

    def ask_target(self, title: str, suggested: str, pattern: str) -> Path | None:
        self.grid.commit_open_editor()
        chosen, _ = QFileDialog.getSaveFileName(self, title, str(Path.home() / suggested), pattern)
        return Path(chosen) if chosen else None

    def export_pdf(self) -> None:
        target = self.ask_target(self.tr("Export PDF report"), f"排放报告-{self.year}.pdf", "PDF (*.pdf)")
        if target:
            self.export_pdf_to(target)

    def export_pdf_to(self, target: Path) -> Any:
        if self.output_waits(lambda: self.export_pdf_to(target)):
            return None
        ws, entity_id, year, today = self.ws, self.entity_id, self.year, self.today
        return self.write_output(
            lambda progress: _outputs().export_pdf(ws=ws, entity_id=entity_id, year=year, target=target, today=today),
            self.tr("Writing the PDF report…"),
        )

    def export_xlsx(self) -> None:
        target = self.ask_target(self.tr("Export Excel workbook"), f"排放数据-{self.year}.xlsx", "Excel (*.xlsx)")
        if target:
            self.export_xlsx_to(target)

    def export_xlsx_to(self, target: Path) -> Any:
        if self.output_waits(lambda: self.export_xlsx_to(target)):
            return None
        ws, entity_id, year, today = self.ws, self.entity_id, self.year, self.today
        return self.write_output(
            lambda progress: _outputs().export_workbook(
                ws=ws, entity_id=entity_id, year=year, target=target, today=today
            ),
            self.tr("Writing the workbook…"),
        )

    def export_month_sheet(self) -> None:
        self.grid.commit_open_editor()
        folder = QFileDialog.getExistingDirectory(self, self.tr("Export monthly deposit sheet"), str(Path.home()))
        if folder:
            self.export_month_to(Path(folder))

    def export_month_to(self, folder: Path) -> Any:
        ws, entity_id, year, month, today = self.ws, self.entity_id, self.year, self.month, self.today
        stem = f"存证表-{year}-{month:02d}"
        return run_task(
            lambda progress: _outputs().export_month(
                ws=ws,
                entity_id=entity_id,
                year=year,
                month=month,
                target_pdf=folder / f"{stem}.pdf",
                target_xlsx=folder / f"{stem}.xlsx",
                today=today,
            ),
            label=self.tr("Writing the monthly deposit sheet…"),
            parent=self,
            on_error=self.show_error,
            cancel_text=self.tr("Cancel"),
            on_done=self.written,
        )

    def written(self, path: Any) -> None:
        self.last_message = self.tr("Written to {0}").format(path)
        self.statusBar().showMessage(self.last_message, 10000)

    def import_xlsx(self) -> None:
        self.grid.commit_open_editor()
        chosen, _ = QFileDialog.getOpenFileName(
            self, self.tr("Import Excel workbook"), str(Path.home()), "Excel (*.xlsx)"
        )
        if chosen:
            self.preview_xlsx(Path(chosen), confirm=True)

    def preview_xlsx(self, path: Path, *, confirm: bool) -> Any:
        ws, entity_id, year = self.ws, self.entity_id, self.year

        def done(preview: Any) -> None:
            self.pending_preview = preview
            if not preview.changes and not preview.refused:
                self.last_message = self.tr("The workbook changes nothing.")
                self.statusBar().showMessage(self.last_message, 8000)
                return
            lang = i18n.current()
            lines = [
                f"{u} · {m}: {outputs_change_label(self.form, c.path, lang)}: {c.old} → {c.new}"
                for u, m, c in preview.changes[:25]
            ]
            for u, m, c in preview.refused[:10]:
                lines.append(
                    f"✗ {u} · {m}: {outputs_change_label(self.form, c.path, lang)}: "
                    + i18n.pick("已提交或已存证的月份，不导入", "submitted or deposited month: not imported")
                )
            if len(preview.changes) > 25:
                lines.append(self.tr("… and {0} more").format(len(preview.changes) - 25))
            self.last_message = "\n".join(lines)
            if confirm and not preview.changes:  # only changes to closed months: nothing to import
                QMessageBox.information(self, self.tr("Import Excel workbook"), self.last_message)
                return
            if confirm:
                answer = QMessageBox.question(
                    self,
                    self.tr("Import Excel workbook"),
                    self.tr("Import these {0} change(s)?").format(len(preview.changes)) + "\n\n" + self.last_message,
                )
                if answer == QMessageBox.StandardButton.Yes:
                    self.apply_xlsx(preview, path.name)

        return run_task(
            lambda progress: _outputs().preview_workbook(ws=ws, entity_id=entity_id, year=year, path=path),
            label=self.tr("Reading the workbook…"),
            parent=self,
            on_error=self.show_error,
            cancel_text=self.tr("Cancel"),
            on_done=done,
        )

    def apply_xlsx(self, preview: Any, source: str) -> None:
        ws = self.ws
        self.worker.submit(
            lambda: _outputs().apply_workbook(ws=ws, preview=preview, source=source),
            lambda _n: self.refresh(),
            self.show_error,
        )

    def build_package(self) -> None:
        self.grid.commit_open_editor()
        if self.snapshot is None:
            return
        warm_package_libraries()  # while the checks and the passphrase are shown
        asked = self._ask_package()
        if asked is None:  # the user stopped at the checks, the passphrase or the file name
            from desktop.services import pdf_process  # noqa: PLC0415

            pdf_process.discard()  # the PDF's process started for this package is not kept waiting
            return
        target, passphrase, name, allow_errors = asked
        self.build_package_to(target, passphrase.encode("utf-8"), name.strip(), allow_errors=allow_errors)

    def _ask_package(self) -> tuple[Path, str, str, bool] | None:
        """The checks (when there are findings), the passphrase (unless unlocked in this run) and the file:
        what the build needs, or None when the user stops at one of them."""
        assert self.snapshot is not None
        checks = Preflight.of(self.snapshot.findings)
        allow_errors = False
        if not checks.clean:
            dialog = PreflightDialog(checks, self.messages, self)
            self.pending_dialog = dialog
            if dialog.exec() != QDialog.DialogCode.Accepted:
                if dialog.jump_target is not None:
                    self.jump_to(dialog.jump_target)
                return None
            allow_errors = bool(checks.errors)
        creating = not (locations.data_dir() / "signer" / "signer-key.pem").exists()
        if self.session_signer is not None and not creating:
            passphrase, name = "", ""  # the key was unlocked earlier in this run: it is not asked for again
        else:
            dialog = PassphraseDialog(creating=creating, name=self.ws.app_user, parent=self)
            self.pending_dialog = dialog
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return None
            passphrase, name = dialog.passphrase(), dialog.signer_name() if creating else ""
        target = self.ask_target(self.tr("Build signed package"), f"提交包-{self.year}.zip", "ZIP (*.zip)")
        return (target, passphrase, name, allow_errors) if target else None

    def build_package_to(
        self, target: Path, passphrase: bytes, new_signer_name: str = "", *, allow_errors: bool = False
    ) -> Any:
        if self.output_waits(
            lambda: self.build_package_to(target, passphrase, new_signer_name, allow_errors=allow_errors)
        ):
            return None
        ws, entity_id, year, today = self.ws, self.entity_id, self.year, self.today
        folder = locations.data_dir() / "signer"
        entity_name = str(self.snapshot.entity.name) if self.snapshot else ""
        uscc = self.snapshot.entity.uscc if self.snapshot else ""
        known = self.session_signer

        def work(progress: Any) -> Path:
            signing, package = _signing()
            # the key is derived from its passphrase once (a slow key derivation, on purpose): a new signer
            # is used as made, and one loaded earlier in this run as loaded
            if new_signer_name:
                signer = signing.create_self_signed(name=new_signer_name, organisation=entity_name, uscc=uscc)
                signing.save_signer(signer, folder, passphrase)
            elif known is not None:
                signer = known
            else:
                signer = signing.load_signer(folder, passphrase)
            self.session_signer = signer  # the audit checkpoints of this run are signed without asking again
            return package.build_package(
                ws=ws,
                entity_id=entity_id,
                year=year,
                target=target,
                signer=signer,
                today=today,
                progress=progress,
                allow_errors=allow_errors,
            )

        return self.write_output(work, self.tr("Building the signed package…"))

    def verify_audit(self) -> None:
        ws = self.ws

        def work(progress: Any) -> Any:
            from desktop.services import checkpoints  # noqa: PLC0415 - loads cryptography

            trusted = checkpoints.trusted_here(locations.data_dir())
            audit = audit_check.verify_audit(ws=ws, trusted=trusted)
            said = checkpoints.summary(audit.checkpoints, i18n.current(), trusted=bool(trusted))
            return audit, evidence_files.verify_evidence(ws=ws), said, checkpoints.WORDS[i18n.current()]["limits"]

        def done(result: Any) -> None:
            audit, evidence, said, limits = result
            bad = [c for c in evidence if c.status in ("missing", "changed")]
            limits = said + "\n\n" + limits
            self.last_message = limits
            if audit.ok and not bad:
                QMessageBox.information(
                    self,
                    self.tr("Audit trail"),
                    self.tr("Audit trail intact: {0} entries match the data; {1} evidence files intact.").format(
                        audit.entries, len(evidence)
                    )
                    + "\n\n"
                    + limits,
                )
            else:
                lines = [*audit.problems, *[f"{c.evidence.file_name}: {c.status}" for c in bad]]
                QMessageBox.warning(self, self.tr("Audit trail"), "\n".join(lines[:30]) + "\n\n" + said)

        run_task(
            work,
            label=self.tr("Verifying…"),
            parent=self,
            on_done=done,
            on_error=self.show_error,
            cancel_text=self.tr("Cancel"),
        )

    def open_workspace(self) -> None:
        self.grid.commit_open_editor()
        chosen, _ = QFileDialog.getOpenFileName(
            self, self.tr("Open workspace"), str(locations.data_dir()), self.tr("CarbonDesk workspace (*.sqlite)")
        )
        if chosen:
            self.switch_workspace(Path(chosen))

    def fill_recent(self) -> None:
        self.recent_menu.clear()
        current = str(self.ws.path) if self.ws.is_sqlite else ""
        for entry in recent_workspaces(self.settings):
            path = Path(entry)
            act = self.recent_menu.addAction(str(path))
            act.setEnabled(path.exists() and str(path) != current)
            act.triggered.connect(lambda _checked=False, p=path: self.switch_workspace(p))

    def open_demo(self) -> None:
        path = locations.demo_workspace()
        run_task(
            lambda progress: create_demo_workspace(path, today=self.today).close(),
            label=self.tr("Preparing the demo workspace…"),
            parent=self,
            on_error=self.show_error,
            on_done=lambda _r: self.switch_workspace(path),
        )

    def switch_workspace(self, path: Path) -> None:
        from desktop.ui.app import location_accepted  # noqa: PLC0415 - app imports this module

        if not location_accepted(self.settings, path, self):
            return
        try:
            ws = Workspace.open(path, app_user=self.ws.app_user, create=False)
        except StorageError as exc:
            self.show_error(exc)
            return
        self.worker.stop()
        self.ws.close()
        self.ws = ws
        self.worker = SerialWorker(self)
        self.undo_stack.clear()
        remember_workspace(self.settings, path)
        self.open_first_entity()

    def about(self) -> None:
        QMessageBox.about(
            self,
            self.tr("About CarbonDesk"),
            self.tr(
                "CarbonDesk {0}\nMonthly deposit, annual report and compliance for the national carbon market."
            ).format(__version__),
        )

    def show_error(self, exc: BaseException) -> None:
        if isinstance(exc, OSError) and environment_error(exc) is not None:
            exc = environment_error(exc)  # type: ignore[assignment]  # a refusal of the machine, said plainly
        if isinstance(exc, StorageError | InputError | PackError | WorkbookError | SigningError | FileNameError):
            self.last_message = user_message(exc)
            box = QMessageBox(
                QMessageBox.Icon.Warning,
                self.tr("Not saved") if isinstance(exc, StorageError) else self.tr("Cannot use this"),
                self.last_message,
                QMessageBox.StandardButton.Ok,
                self,
            )
            box.setWindowModality(Qt.WindowModality.WindowModal)
            box.show()
            self.error_box = box
            return
        raise exc  # the global error hook shows it with its details and logs it

    def closeEvent(self, event: Any) -> None:
        self.grid.commit_open_editor()  # what is typed but not yet entered is saved, not lost
        self.generation += 1  # a snapshot still being shown stops here
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.worker.stop()  # queued saves finish first: closing loses nothing
        self.ws.close()
        super().closeEvent(event)


def recent_workspaces(settings: QSettings) -> list[str]:
    return setting_paths(settings, "workspaces/recent")


def setting_paths(settings: QSettings, key: str) -> list[str]:
    """A list of paths from the settings (an INI file gives back a one-element list as a bare string)."""
    value = settings.value(key)
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value else []
    return [str(v) for v in value if v]


def remember_workspace(settings: QSettings, path: Path) -> None:
    recent = [p for p in recent_workspaces(settings) if p != str(path)]
    settings.setValue("workspaces/recent", [str(path), *recent][:8])
    settings.setValue("workspaces/last", str(path))
