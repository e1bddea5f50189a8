"""Dialogs: first run, evidence metadata, acknowledgement, settings, reminders, errors."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from desktop.domain import uscc
from desktop.domain.findings import render
from desktop.domain.numbers import NumberFormatError, parse_decimal
from desktop.domain.typed_text import parse_bool_text
from desktop.engine.params import ParameterPack
from desktop.formspec import FormSpec
from desktop.formspec.model import FieldSpec, fault_text
from desktop.formspec.types import EVIDENCE, Refused, value_type
from desktop.services import locations
from desktop.services.explain import CONFIDENCE
from desktop.services.guidelines import GUIDELINES
from desktop.services.guidelines import guideline as guideline_of_id
from desktop.services.session import Reminder
from desktop.signing.errors import SigningError
from desktop.signing.errors import message as signing_message
from desktop.ui import i18n
from desktop.ui.views import fit_to_screen

# ---------------------------------------------------------------------------------------- first run


class FittedDialog(QDialog):
    """A dialog that opens inside the screen (see ``fit_to_screen``)."""

    def add_problem_and_buttons(self, layout: QVBoxLayout) -> None:
        """The red line that says why OK was refused, and OK / Cancel (OK runs ``accept``, which may refuse)."""
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #c0392b")
        self.problem.setWordWrap(True)
        layout.addWidget(self.problem)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        fit_to_screen(self)


class UsccEdit(QLineEdit):
    """Checks the unified social credit code as the user types, and says what is wrong."""

    verdict = Signal(str, bool)  # message, acceptable

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMaxLength(24)
        self.setPlaceholderText("91110000101623741K")
        self.textChanged.connect(self._check)

    def _check(self, text: str) -> None:
        if not text.strip():
            self.verdict.emit("", False)
            return
        result = uscc.check(text)
        if result.status is uscc.UsccStatus.VALID:
            note = self.tr("Valid code") + (
                self.tr(" (normalised: {0})").format(result.normalized) if result.changed_by_normalising else ""
            )
            self.verdict.emit(note, True)
        elif result.status is uscc.UsccStatus.BAD_CHECK:
            self.verdict.emit(
                self.tr(
                    "Check character should be {0}; if the licence reads so, you can continue and justify it later"
                ).format(result.expected_check),
                True,
            )
        else:
            self.verdict.emit(self.tr("18 characters: digits and capitals, without I, O, S, V, Z"), False)

    def normalized(self) -> str:
        return uscc.normalize(self.text())


class FirstRunWizard(QWizard):
    """Create a workspace with its entity and units; or open the demo; or open an existing one."""

    CREATE, DEMO, OPEN = range(3)

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        fit_to_screen(self)

    def __init__(self, form: FormSpec, default_path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form = form
        self.setWindowTitle(self.tr("Welcome to CarbonDesk"))
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.choice = self.CREATE
        self.existing: Path | None = None

        start = QWizardPage()
        start.setTitle(self.tr("How would you like to start?"))
        layout = QVBoxLayout(start)
        self.create_radio = QRadioButton(self.tr("Create a workspace for my entity"))
        self.demo_radio = QRadioButton(self.tr("Open the demo workspace (a sample plant with a full year)"))
        # the industry: its guideline decides the form, the units asked for and the demo
        self.guideline_choice = QComboBox()
        self.guideline_choice.setObjectName("guideline")
        for gid, g in GUIDELINES.items():
            self.guideline_choice.addItem(i18n.pick(g.form.sector_zh, g.form.sector_en.capitalize()), gid)
        self.guideline_choice.setCurrentIndex(max(0, self.guideline_choice.findData(form.id)))
        self.open_radio = QRadioButton(self.tr("Open an existing workspace file…"))
        self.create_radio.setChecked(True)
        industry = QHBoxLayout()
        industry.addWidget(QLabel(i18n.pick("行业（核算指南）：", "Industry (guideline):")))
        industry.addWidget(self.guideline_choice, 1)
        layout.addLayout(industry)
        for widget in (self.create_radio, self.demo_radio, self.open_radio):
            layout.addWidget(widget)
        self.path_edit = QLineEdit(str(default_path))
        path_row = QHBoxLayout()
        path_row.addWidget(QLabel(self.tr("Workspace file:")))
        path_row.addWidget(self.path_edit)
        layout.addLayout(path_row)
        self.addPage(start)

        entity = QWizardPage()
        entity.setTitle(self.tr("The reporting entity"))
        grid = QFormLayout(entity)
        self.name_edit = QLineEdit()
        self.uscc_edit = UsccEdit()
        self.uscc_note = QLabel()
        self.uscc_note.setWordWrap(True)
        self.uscc_ok = False
        self.uscc_edit.verdict.connect(self._uscc_verdict)
        self.year_edit = QComboBox()
        for year in range(date.today().year, 2018, -1):
            self.year_edit.addItem(str(year), year)
        grid.addRow(self.tr("Entity name"), self.name_edit)
        grid.addRow(self.tr("Unified social credit code"), self.uscc_edit)
        grid.addRow("", self.uscc_note)
        grid.addRow(self.tr("Data year"), self.year_edit)
        self.from_edit = QComboBox()
        self.from_edit.setObjectName("reporting_from")
        for month in range(1, 13):
            self.from_edit.addItem(i18n.pick(f"{month} 月", date(2000, month, 1).strftime("%B")), month)
        self.from_edit.addItem(
            i18n.pick("（本年度各月均已在平台存证）", "(every month of the year already deposited)"), 13
        )
        from_note = QLabel(
            i18n.pick(
                "此前的月份不会提示逾期；年度报告仍需要全年数据，可以随时补录。",
                "Earlier months are never shown overdue; the annual report still needs the whole year, which "
                "can be entered at any time.",
            )
        )
        from_note.setWordWrap(True)
        grid.addRow(i18n.pick("在本软件中存证的起始月份", "Monthly deposits kept here from"), self.from_edit)
        grid.addRow("", from_note)
        self.year_edit.currentIndexChanged.connect(self._default_first_month)
        self._default_first_month()
        entity.isComplete = lambda: bool(self.name_edit.text().strip()) and self.uscc_ok  # type: ignore[method-assign]
        self.name_edit.textChanged.connect(entity.completeChanged)
        self.uscc_edit.verdict.connect(lambda *_: entity.completeChanged.emit())
        self.entity_page = entity
        self.addPage(entity)

        self.units_page = QWizardPage()
        vbox = QVBoxLayout(self.units_page)
        self.units_note = QLabel()
        vbox.addWidget(self.units_note)
        self.units_table = QTableWidget(0, 1)
        self.units_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        vbox.addWidget(self.units_table)
        self.add_unit_button = QPushButton()
        self.add_unit_button.clicked.connect(self.add_unit_row)
        vbox.addWidget(self.add_unit_button)
        self.addPage(self.units_page)
        self.guideline_choice.currentIndexChanged.connect(self._guideline_chosen)
        self._guideline_chosen()

    @property
    def guideline_id(self) -> str:
        return str(self.guideline_choice.currentData())

    def _guideline_chosen(self) -> None:
        """The units page as the chosen guideline asks: its word for a unit and its WIZARD_UNIT_FIELDS."""
        self.form = guideline_of_id(self.guideline_id).form
        lang = i18n.current()
        noun = self.form.unit_word(lang)
        self.units_page.setTitle(i18n.pick(f"{noun}", f"{noun[:1].upper()}{noun[1:]}s"))
        self.units_note.setText(i18n.pick(f"每行一个{noun}。", f"One row per {noun}."))
        self.add_unit_button.setText(i18n.pick(f"增加{noun}", f"Add a {noun}"))
        self.unit_specs = [self.form.field("unit", f) for f in guideline_of_id(self.form.id).wizard_unit_fields]
        self.units_table.setRowCount(0)
        self.units_table.setColumnCount(1 + len(self.unit_specs))
        headers = [self.form.field("unit", "id").label(lang)]
        for spec in self.unit_specs:
            unit = self.form.unit_of(spec)
            headers.append(f"{spec.label(lang)} ({unit})" if unit else spec.label(lang))
        self.units_table.setHorizontalHeaderLabels(headers)
        self.add_unit_row()
        self._default_first_month()

    def data_year(self) -> int:
        return int(self.year_edit.currentData())

    def reporting_from(self) -> date:
        """The first day of the first month kept here (January of the next year: none of this one)."""
        month = int(self.from_edit.currentData())
        return date(self.data_year() + 1, 1, 1) if month == 13 else date(self.data_year(), month, 1)

    def _default_first_month(self) -> None:
        """The first month whose deposit is not yet due: what a plant joining today still has to deposit."""
        year, today = self.data_year(), date.today()
        rule = guideline_of_id(self.form.id).deposit_rule(year)
        first = next((m for m in range(1, 13) if rule.due(year, m) >= today), 13)
        self.from_edit.setCurrentIndex(self.from_edit.findData(first))

    def _uscc_verdict(self, message: str, acceptable: bool) -> None:
        self.uscc_note.setText(message)
        self.uscc_ok = acceptable

    def add_unit_row(self) -> None:
        row = self.units_table.rowCount()
        self.units_table.insertRow(row)
        self.units_table.setItem(row, 0, QTableWidgetItem(f"{row + 1}#"))
        for column, spec in enumerate(self.unit_specs, start=1):
            if spec.type == "enum" and spec.enum:
                choice = QComboBox()
                for option in self.form.enums[spec.enum].options:
                    choice.addItem(option.label(i18n.current()), option.id)
                self.units_table.setCellWidget(row, column, choice)
            elif spec.type == "bool":
                self.units_table.setCellWidget(row, column, QCheckBox())
            else:
                self.units_table.setItem(row, column, QTableWidgetItem(""))

    def nextId(self) -> int:
        if self.currentId() == 0 and not self.create_radio.isChecked():
            return -1
        return super().nextId()

    def accept(self) -> None:
        if self.demo_radio.isChecked():
            self.choice = self.DEMO
        elif self.open_radio.isChecked():
            chosen, _ = QFileDialog.getOpenFileName(
                self, self.tr("Open workspace"), str(Path.home()), self.tr("CarbonDesk workspace (*.sqlite)")
            )
            if not chosen:
                return
            self.choice, self.existing = self.OPEN, Path(chosen)
        else:
            self.choice = self.CREATE
        super().accept()

    def units(self) -> list[dict[str, Any]]:
        out = []
        for row in range(self.units_table.rowCount()):
            code = (self.units_table.item(row, 0).text() if self.units_table.item(row, 0) else "").strip()
            if not code:
                continue
            values: dict[str, Any] = {"id": code}
            for column, spec in enumerate(self.unit_specs, start=1):
                widget = self.units_table.cellWidget(row, column)
                if isinstance(widget, QComboBox):
                    values[spec.id] = widget.currentData()
                elif isinstance(widget, QCheckBox):
                    values[spec.id] = widget.isChecked()
                else:
                    item = self.units_table.item(row, column)
                    text = item.text().strip() if item else ""
                    if spec.type in ("decimal", "integer"):
                        try:  # a number the wizard cannot read is left for the unit dialog to ask again
                            values[spec.id] = parse_decimal(text) if text else None
                        except NumberFormatError:
                            values[spec.id] = None
                    else:
                        values[spec.id] = text or None
            out.append(values)
        return out


# ------------------------------------------------------------------------------------------ evidence


class EvidenceDialog(FittedDialog):
    """Asked once per scan: its kind and, for a kind with a record (a lab report), what the report says of
    itself -- the record's fields as the form declares them, one input per field of its type."""

    def __init__(
        self,
        form: FormSpec,
        file: Path,
        kind: str,
        parent: QWidget | None = None,
        known: dict[str, Any] | None = None,
    ) -> None:
        """``known``: the record's fields already typed in the row; they are filled in, not asked again."""
        super().__init__(parent)
        self.setWindowTitle(self.tr("Attach evidence"))
        self.form = form
        layout = self.form_layout = QFormLayout(self)
        layout.addRow(self.tr("File"), QLabel(file.name))
        self.kind = QComboBox()
        for kind_id, spec in form.evidence_kinds.items():
            self.kind.addItem(spec.label(i18n.current()), kind_id)
        self.kind.setCurrentIndex(max(0, self.kind.findData(kind)))
        layout.addRow(self.tr("Kind"), self.kind)
        # one input per field any kind records, shown for the kinds that record it
        self.inputs: dict[str, QWidget] = {}
        self.specs: dict[str, FieldSpec] = {}
        self.record_rows: list[tuple[str, QWidget, QWidget | None]] = []
        for kind_id in form.evidence_kinds:
            for spec in form.record_specs(kind_id):
                if spec.id in self.inputs:
                    continue
                widget = self._input(spec)
                self.inputs[spec.id], self.specs[spec.id] = widget, spec
                if isinstance(widget, QCheckBox):
                    layout.addRow("", widget)
                    self.record_rows.append((spec.id, widget, None))
                else:
                    label = QLabel(spec.label(i18n.current()))
                    layout.addRow(label, widget)
                    self.record_rows.append((spec.id, widget, label))
        self.prefill(known or {})
        self._record: dict[str, Any] = {}
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #c0392b")
        self.problem.setWordWrap(True)
        layout.addRow(self.problem)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout.addRow(buttons)
        self.kind.currentIndexChanged.connect(self._toggle)
        self._toggle()

    def _input(self, spec: FieldSpec) -> QWidget:
        if spec.type == "date":
            edit = QDateEdit(QDate.currentDate())
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            return edit
        if spec.type == "bool":
            return QCheckBox(spec.label(i18n.current()))
        if spec.type == "enum":
            box = QComboBox()
            box.addItem("", None)
            for option in self.form.enums[spec.enum or ""].options:
                box.addItem(option.label(i18n.current()), option.id)
            return box
        edit = QLineEdit()
        edit.setPlaceholderText(spec.help(i18n.current()))
        return edit

    def prefill(self, known: dict[str, Any]) -> None:
        for key, widget in self.inputs.items():
            value = known.get(key)
            if value is None:
                continue
            if isinstance(widget, QDateEdit) and isinstance(value, date):
                widget.setDate(QDate(value.year, value.month, value.day))
            elif isinstance(widget, QCheckBox) and isinstance(value, bool):
                widget.setChecked(value)
            elif isinstance(widget, QComboBox):
                widget.setCurrentIndex(max(0, widget.findData(value)))
            elif isinstance(widget, QLineEdit):
                spec = self.specs[key]
                widget.setText(value_type(spec).show(spec, value, self.form, i18n.current()))

    def _recorded(self) -> set[str]:
        return set(self.form.evidence_kinds[self.kind.currentData()].record)

    def _toggle(self) -> None:
        recorded = self._recorded()
        for key, widget, _label in self.record_rows:
            self.form_layout.setRowVisible(widget, key in recorded)  # the row and its label, no gap left
        self.adjustSize()

    def _typed(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key in self._recorded():
            widget = self.inputs[key]
            if isinstance(widget, QDateEdit):
                out[key] = widget.date().toPython()
            elif isinstance(widget, QCheckBox):
                out[key] = widget.isChecked()
            elif isinstance(widget, QComboBox):
                out[key] = widget.currentData()
            elif isinstance(widget, QLineEdit):
                out[key] = widget.text()
        return out

    def _accept(self) -> None:
        """Each typed text read by its field's type; the record's rules (required fields, dates in order)
        are the evidence type's, the same the store applies."""
        try:
            parsed = {
                k: value_type(self.specs[k]).from_text(self.specs[k], v, self.form) if isinstance(v, str) else v
                for k, v in self._typed().items()
            }
            self._record = EVIDENCE.check_record(self.kind.currentData(), parsed, self.form)
        except Refused as exc:
            self.problem.setText(exc.text(i18n.current()))
            return
        self.accept()

    def lab(self) -> dict[str, Any] | None:
        """What the accepted scan says of itself (``None`` for a kind without a record): every field of the
        kind's record, ``None`` where nothing was given."""
        recorded = self.form.evidence_kinds[self.kind.currentData()].record
        if not recorded:
            return None
        return {key: self._record.get(key) for key in recorded}


# ------------------------------------------------------------------------------------- justification


class TextDialog(FittedDialog):
    """Asks for a written justification or reason; refuses an empty one."""

    def __init__(self, title: str, prompt: str, parent: QWidget | None = None, initial: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        label = QLabel(prompt)
        label.setWordWrap(True)
        layout.addWidget(label)
        self.text = QPlainTextEdit(initial)
        layout.addWidget(self.text)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(initial.strip()))
        self.text.textChanged.connect(lambda: ok.setEnabled(bool(self.value())))
        self.resize(480, 220)

    def value(self) -> str:
        return self.text.toPlainText().strip()


# ----------------------------------------------------------------------------------- master data


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


class RecordDialog(FittedDialog):
    """The entity or a unit, field by field from the form; every value parsed by the grid's own rules."""

    def __init__(
        self,
        form: FormSpec,
        scope: str,
        values: dict[str, Any],
        title: str,
        parent: QWidget | None = None,
        *,
        only: tuple[str, ...] | None = None,
        reason: str = "",  # "" no reason asked; "optional" or "required"
    ) -> None:
        super().__init__(parent)
        from desktop.ui.models import parse_input  # noqa: PLC0415 - the grid's parsing, one rule for both

        self._parse = parse_input
        self.form, self.scope, self.original = form, scope, dict(values)
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        grid = QFormLayout()
        self.widgets: dict[str, QWidget] = {}
        self.specs = [s for s in form.fields(scope) if only is None or s.id in only]
        lang = i18n.current()
        for spec in self.specs:
            value = values.get(spec.id)
            widget: QWidget
            if spec.type == "enum":
                combo = QComboBox()
                if not spec.required:
                    combo.addItem("", None)
                for option in form.enums[spec.enum or ""].options:
                    combo.addItem(option.label(lang), option.id)
                combo.setCurrentIndex(max(0, combo.findData(value)))
                widget = combo
            elif spec.type == "bool":
                box = QCheckBox()
                box.setChecked(bool(value))
                widget = box
            elif spec.type == "uscc":
                edit = UsccEdit()
                edit.setText(_shown(value))
                widget = edit
            else:
                widget = QLineEdit(_shown(value))
            widget.setObjectName(f"{scope}_{spec.id}")
            if spec.help(lang):
                widget.setToolTip(spec.help(lang))
            label = spec.label(lang) + (" *" if spec.required else "")
            unit = form.unit_of(spec) if spec.unit or spec.unit_from else ""
            grid.addRow(
                f"{label}（{unit}）" if unit and lang == "zh" else f"{label} ({unit})" if unit else label, widget
            )
            self.widgets[spec.id] = widget
        layout.addLayout(grid)
        self.reason_mode = reason
        self.reason_edit = QLineEdit()
        if reason:
            self.reason_edit.setObjectName("reason")
            grid.addRow(
                i18n.pick(
                    "原因" + ("（必填）" if reason == "required" else ""),
                    "Reason" + (" (required)" if reason == "required" else ""),
                ),
                self.reason_edit,
            )
        self.add_problem_and_buttons(layout)
        self.result_values: dict[str, Any] = {}

    def read(self) -> tuple[dict[str, Any], list[str]]:
        values: dict[str, Any] = {}
        problems: list[str] = []
        lang = i18n.current()
        for spec in self.specs:
            widget = self.widgets[spec.id]
            if isinstance(widget, QComboBox):
                value = widget.currentData()
            elif isinstance(widget, QCheckBox):
                value = widget.isChecked()
            elif isinstance(widget, UsccEdit):
                value = widget.normalized() or None
                if value is not None and uscc.check(value).status is uscc.UsccStatus.BAD_SHAPE:
                    problems.append(
                        i18n.pick(
                            f"{spec.label(lang)}：应为 18 位数字和大写字母（不含 I、O、S、V、Z）",
                            f"{spec.label(lang)}: 18 digits and capitals, without I, O, S, V, Z",
                        )
                    )
                    continue
            else:
                try:
                    value = self._parse(spec, widget.text(), self.form)  # type: ignore[attr-defined]
                except ValueError as exc:  # InputRefused: the reason is in the user's language
                    problems.append(f"{spec.label(lang)}：{exc}" if lang == "zh" else f"{spec.label(lang)}: {exc}")
                    continue
            if spec.required and value in (None, ""):
                problems.append(i18n.pick(f"{spec.label(lang)}：必填", f"{spec.label(lang)}: required"))
                continue
            values[spec.id] = value
        if self.reason_mode == "required" and not self.reason_edit.text().strip():
            problems.append(i18n.pick("请填写原因", "Please give a reason"))
        return values, problems

    def accept(self) -> None:
        values, problems = self.read()
        if problems:
            self.problem.setText("\n".join(problems))
            return
        self.result_values = values
        super().accept()

    def changes(self) -> dict[str, Any]:
        """What differs from the values the dialog opened with."""
        return {k: v for k, v in self.result_values.items() if self.original.get(k) != v}

    def reason(self) -> str:
        return self.reason_edit.text().strip()


# -------------------------------------------------------------------------------------- pre-flight


class PreflightDialog(FittedDialog):
    """Before a package: the year's errors and unjustified warnings, each a double-click from its cell.

    Errors make the default answer "go and fix"; building over them is a separate, plainly named button,
    and the package's manifest then lists the months with errors.
    """

    def __init__(self, checks: Any, messages: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.jump_target: Any = None
        self.setWindowTitle(i18n.pick("生成提交包前的检查", "Before the package is built"))
        layout = QVBoxLayout(self)
        summary = QLabel(
            i18n.pick(
                f"本年度有 {len(checks.errors)} 项错误、{len(checks.warnings)} 项尚未说明的警告。"
                "双击一项可跳到对应的单元格。",
                f"The year has {len(checks.errors)} error(s) and {len(checks.warnings)} warning(s) not yet "
                "justified. Double-click one to go to its cell.",
            )
        )
        summary.setWordWrap(True)
        layout.addWidget(summary)
        self.list = QListWidget()
        lang = i18n.current()
        for f in (*checks.errors, *checks.warnings):
            where = " ".join(
                x
                for x in (
                    f.ref.unit or "",
                    i18n.pick(f"{f.ref.month}月", f"month {f.ref.month}") if f.ref.month else "",
                )
                if x
            )
            kind = i18n.pick("错误", "Error") if f in checks.errors else i18n.pick("警告", "Warning")
            item = QListWidgetItem(f"{kind} · {where} · {render(f, messages, lang)}")
            item.setData(Qt.ItemDataRole.UserRole, f)
            self.list.addItem(item)
        self.list.itemDoubleClicked.connect(self.jump)
        layout.addWidget(self.list, 1)
        buttons = QDialogButtonBox()
        cancel = buttons.addButton(i18n.pick("返回修改", "Go back and correct"), QDialogButtonBox.ButtonRole.RejectRole)
        go = buttons.addButton(
            i18n.pick("带错误生成（清单中注明）", "Build with errors (stated in the manifest)")
            if checks.errors
            else i18n.pick("仍然生成", "Build anyway"),
            QDialogButtonBox.ButtonRole.AcceptRole,
        )
        self.build_button = go
        cancel.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(720, 420)

    def jump(self, item: QListWidgetItem) -> None:
        self.jump_target = item.data(Qt.ItemDataRole.UserRole)
        self.reject()


# -------------------------------------------------------------------------------------- year items


class YearItemsDialog(FittedDialog):
    """The entity's items of one data year (the form's "year" scope): CCER used, banked, borrowed."""

    def __init__(self, form: FormSpec, year: int, values: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form = form
        self.setWindowTitle(i18n.pick(f"{year} 年度履约数据", f"Compliance items, data year {year}"))
        layout = QVBoxLayout(self)
        grid = QFormLayout()
        self.edits: dict[str, QLineEdit] = {}
        for spec in form.fields("year"):
            edit = QLineEdit("" if values.get(spec.id) is None else f"{values[spec.id]:f}")
            edit.setObjectName(f"year_{spec.id}")
            edit.setToolTip(spec.help(i18n.current()))
            edit.setAlignment(Qt.AlignmentFlag.AlignRight)
            row = QHBoxLayout()
            row.addWidget(edit, 1)
            row.addWidget(QLabel(form.unit_of(spec)))
            grid.addRow(spec.label(i18n.current()), row)
            self.edits[spec.id] = edit
        layout.addLayout(grid)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(
            i18n.pick("依据（如清缴确认单编号）", "basis (e.g. the surrender receipt number)")
        )
        layout.addWidget(self.reason)
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #b00020")
        self.problem.setWordWrap(True)
        layout.addWidget(self.problem)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.try_accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.original = dict(values)
        self.changes: dict[str, Any] = {}

    def try_accept(self) -> None:
        changes: dict[str, Any] = {}
        for spec in self.form.fields("year"):
            text = self.edits[spec.id].text()
            if not text.strip():
                value = None
            else:
                try:
                    value = parse_decimal(text)
                except NumberFormatError:
                    self.problem.setText(
                        i18n.pick(f"“{spec.label_zh}”须为数值：{text}", f'"{spec.label_en}" must be a number: {text}')
                    )
                    self.edits[spec.id].setFocus()
                    return
                fault = spec.number_fault(value)
                if fault is not None or not spec.in_range(value):
                    reason_zh = fault_text(spec, fault, "zh") if fault else "不能为负数"
                    reason_en = fault_text(spec, fault, "en") if fault else "cannot be negative"
                    self.problem.setText(i18n.pick(f"“{spec.label_zh}” {reason_zh}", f'"{spec.label_en}" {reason_en}'))
                    self.edits[spec.id].setFocus()
                    return
            if value != self.original.get(spec.id):
                changes[spec.id] = value
        self.changes = changes
        self.accept()


# ------------------------------------------------------------------------------------------ settings


class SettingsDialog(FittedDialog):
    """Language, user name, workspace, and the parameter pack of the year with its overrides."""

    overrideRequested = Signal(str, object, str)  # key, value, reason
    packImportRequested = Signal(object)  # Path

    def __init__(
        self, *, lang: str, user: str, workspace: str, pack: ParameterPack, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Settings"))
        self.resize(900, 600)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.language = QComboBox()
        self.language.addItem("中文", "zh")
        self.language.addItem("English", "en")
        self.language.setCurrentIndex(self.language.findData(lang))
        self.user = QLineEdit(user)
        form.addRow(self.tr("Language"), self.language)
        form.addRow(self.tr("Your name (recorded in the audit trail)"), self.user)
        form.addRow(self.tr("Workspace"), QLabel(workspace))
        layout.addLayout(form)
        lang_now = i18n.current()
        words = guideline_of_id(pack.guideline)
        self.pack = pack
        title = pack.title_zh if lang_now == "zh" else pack.title_en
        layout.addWidget(
            QLabel(self.tr("Parameter pack {0} — double-click a value to override it with a reason").format(title))
        )
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(
            [self.tr("Parameter"), self.tr("Value"), self.tr("Unit"), self.tr("Confidence"), self.tr("Source / reason")]
        )
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for param in pack.parameters.values():
            row = self.table.rowCount()
            self.table.insertRow(row)
            source = (
                param.override_reason and self.tr("overridden: {0}").format(param.override_reason)
            ) or words.parameter_source(param.source, lang_now)
            confidence = CONFIDENCE.get(param.confidence, (param.confidence, param.confidence))
            texts = (
                words.parameter_label(param.key, lang_now),
                words.parameter_value(param.value, lang_now),
                words.parameter_unit(param.unit, lang_now),
                confidence[0 if lang_now == "zh" else 1],
                source,
            )
            for col, text in enumerate(texts):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, param.key)
                if param.confidence == "missing":
                    item.setForeground(Qt.GlobalColor.red)
                self.table.setItem(row, col, item)
        self.table.cellDoubleClicked.connect(self._override)
        layout.addWidget(self.table, 3)
        # the trust store: whose signed packages this user accepts (verify establishes them)
        trust_label = QLabel(
            i18n.pick(
                "信任的签名者（验证提交包时据此确认签名者，例如集团下属各电厂的证书）",
                "Trusted signers (verifying a package establishes its signer against these, e.g. a group's plants)",
            )
        )
        trust_label.setWordWrap(True)
        layout.addWidget(trust_label)
        from desktop.signing.trust import TrustStore  # noqa: PLC0415 - crypto loads when Settings opens, not at start

        self.trust_store = TrustStore(locations.data_dir() / "trust")
        self.trust_list = QListWidget()
        self.trust_list.setObjectName("trust_list")
        layout.addWidget(self.trust_list, 1)
        self.fill_trust()
        row = QHBoxLayout()
        import_button = QPushButton(self.tr("Import a newer parameter pack…"))
        import_button.clicked.connect(self._import)
        row.addWidget(import_button)
        add_trust = QPushButton(i18n.pick("添加信任证书…", "Trust a certificate…"))
        add_trust.clicked.connect(self.add_trusted)
        remove_trust = QPushButton(i18n.pick("移除所选", "Remove selected"))
        remove_trust.clicked.connect(self.remove_trusted)
        row.addWidget(add_trust)
        row.addWidget(remove_trust)
        row.addStretch(1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        row.addWidget(buttons)
        layout.addLayout(row)

    def fill_trust(self) -> None:
        self.trust_list.clear()
        for identity in self.trust_store.identities():
            who = " · ".join(x for x in (identity.name, identity.organisation, identity.uscc or "") if x)
            item = QListWidgetItem(f"{who}\n  SHA-256 {identity.fingerprint}")
            item.setData(Qt.ItemDataRole.UserRole, identity.fingerprint)
            self.trust_list.addItem(item)

    def add_trusted(self, file: Path | None = None) -> None:
        if file is None:
            chosen, _ = QFileDialog.getOpenFileName(
                self,
                i18n.pick("信任证书", "Trust a certificate"),
                str(Path.home()),
                i18n.pick("证书 (*.pem *.crt *.cer *.der)", "Certificates (*.pem *.crt *.cer *.der)"),
            )
            if not chosen:
                return
            file = Path(chosen)
        try:
            self.trust_store.add(file)
        except SigningError as exc:
            QMessageBox.warning(
                self, i18n.pick("信任证书", "Trust a certificate"), signing_message(exc, i18n.current())
            )
            return
        self.fill_trust()

    def remove_trusted(self) -> None:
        item = self.trust_list.currentItem()
        if item is not None:
            self.trust_store.remove(str(item.data(Qt.ItemDataRole.UserRole)))
            self.fill_trust()

    def _override(self, row: int, _column: int) -> None:
        key = self.table.item(row, 0).data(Qt.ItemDataRole.UserRole)
        param = self.pack.parameters[key]
        dialog = OverrideDialog(guideline_of_id(self.pack.guideline), param, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        self.overrideRequested.emit(key, dialog.new_value, dialog.reason())
        lang = i18n.current()
        self.table.item(row, 1).setText(guideline_of_id(self.pack.guideline).parameter_value(dialog.new_value, lang))
        self.table.item(row, 4).setText(self.tr("overridden: {0}").format(dialog.reason()))

    def _import(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(
            self, self.tr("Import parameter pack"), str(Path.home()), self.tr("Parameter pack (*.toml)")
        )
        if chosen:
            self.packImportRequested.emit(Path(chosen))


class PassphraseDialog(FittedDialog):
    """The signing key's passphrase: asked twice when the key is created (a typo would lock it for good)."""

    MIN_LENGTH = 8

    def __init__(
        self, *, creating: bool, name: str = "", parent: QWidget | None = None, checkpoint: bool = False
    ) -> None:
        super().__init__(parent)
        self.creating = creating
        self.unsigned = False  # checkpoint: the user chose to go on without signing
        self.setWindowTitle(
            i18n.pick("签名审计检查点", "Sign the audit checkpoint")
            if checkpoint
            else i18n.pick("签名提交包", "Signed package")
        )
        layout = QVBoxLayout(self)
        if checkpoint:
            note = QLabel(
                i18n.pick(
                    "提交、锁定、退回和修订月份时，会记录审计链当时的位置（检查点），并用您的签名密钥签名："
                    "持有工作区文件的人无法在不被发现的情况下改写此前的记录。口令在本次运行中只问一次。",
                    "Submitting, locking, reopening and amending a month records where the audit trail stands "
                    "(a checkpoint), signed with your key: someone who has the workspace file cannot rewrite what "
                    "came before unnoticed. The passphrase is asked once while CarbonDesk runs.",
                )
            )
            note.setWordWrap(True)
            note.setMinimumWidth(note.fontMetrics().averageCharWidth() * 56)  # a paragraph, not a column
            layout.addWidget(note)
        grid = QFormLayout()
        self.name_edit = QLineEdit(name)
        self.name_edit.setObjectName("signer_name")
        self.first = QLineEdit()
        self.first.setObjectName("passphrase")
        self.second = QLineEdit()
        self.second.setObjectName("passphrase_again")
        for edit in (self.first, self.second):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        if creating:
            note = QLabel(
                i18n.pick(
                    "还没有签名证书：将新建一个自签名证书。请设定口令（至少 8 个字符）并再输入一次；忘记口令将无法再用该证书签名。",
                    "No signing certificate yet: a self-signed one will be made. Choose a passphrase (at least 8 "
                    "characters) and type it again; a forgotten passphrase cannot be recovered.",
                )
            )
            note.setWordWrap(True)
            layout.addWidget(note)
            grid.addRow(i18n.pick("证书上的姓名", "Name on the certificate"), self.name_edit)
            grid.addRow(i18n.pick("新口令", "New passphrase"), self.first)
            grid.addRow(i18n.pick("再次输入口令", "Passphrase again"), self.second)
        else:
            grid.addRow(i18n.pick("签名密钥口令", "Passphrase of your signing key"), self.first)
        layout.addLayout(grid)
        self.add_problem_and_buttons(layout)
        if checkpoint:
            skip = self.buttons.addButton(
                i18n.pick("不签名继续", "Go on unsigned"), QDialogButtonBox.ButtonRole.DestructiveRole
            )
            skip.setObjectName("go_on_unsigned")
            skip.clicked.connect(self.go_on_unsigned)

    def go_on_unsigned(self) -> None:
        """The checkpoint is recorded without a signature (it cannot show a rewrite); not asked again."""
        self.unsigned = True
        super().accept()

    def accept(self) -> None:
        problem = ""
        if not self.first.text():
            problem = i18n.pick("请输入口令", "Please enter the passphrase")
        elif self.creating and not self.name_edit.text().strip():
            problem = i18n.pick("请填写证书上的姓名", "Please give the name for the certificate")
        elif self.creating and len(self.first.text()) < self.MIN_LENGTH:
            problem = i18n.pick(f"口令至少 {self.MIN_LENGTH} 个字符", f"At least {self.MIN_LENGTH} characters")
        elif self.creating and self.first.text() != self.second.text():
            problem = i18n.pick("两次输入的口令不一致", "The two passphrases differ")
            self.second.clear()
            self.second.setFocus()
        if problem:
            self.problem.setText(problem)
            return
        super().accept()

    def passphrase(self) -> str:
        return self.first.text()

    def signer_name(self) -> str:
        return self.name_edit.text().strip()


class OverrideDialog(FittedDialog):
    """A parameter's official value, entered with the reason (the notice it comes from): two boxes."""

    def __init__(self, words: Any, param: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lang = i18n.current()
        self.param = param
        self.new_value: Any = None
        self.setWindowTitle(
            i18n.pick("修改参数", "Override a parameter") + " · " + words.parameter_label(param.key, lang)
        )
        layout = QVBoxLayout(self)
        grid = QFormLayout()
        current = "" if param.value is None else (f"{param.value:f}" if isinstance(param.value, Decimal) else "")
        self.value_edit = QLineEdit(current)
        self.value_edit.setObjectName("override_value")
        if isinstance(param.value, bool):
            self.value_edit.setPlaceholderText(i18n.pick("是 或 否", "yes or no"))
        unit = words.parameter_unit(param.unit, lang)
        grid.addRow(
            i18n.pick("新数值", "New value")
            + (f"（{unit}）" if lang == "zh" and unit else f" ({unit})" if unit else ""),
            self.value_edit,
        )
        self.reason_edit = QPlainTextEdit()
        self.reason_edit.setObjectName("override_reason")
        self.reason_edit.setPlaceholderText(
            i18n.pick("依据，例如：生态环境部 2025 年 X 号通知", "The reason, e.g. the notice the value comes from")
        )
        grid.addRow(i18n.pick("原因（必填）", "Reason (required)"), self.reason_edit)
        layout.addLayout(grid)
        self.add_problem_and_buttons(layout)
        self.resize(520, 260)

    def reason(self) -> str:
        return self.reason_edit.toPlainText().strip()

    def accept(self) -> None:
        text = self.value_edit.text().strip()
        problems = []
        value: Any = None
        if isinstance(self.param.value, bool):
            try:
                value = parse_bool_text(text)
            except ValueError:
                problems.append(i18n.pick("数值请填“是”或“否”", "The value must be yes or no"))
        elif isinstance(self.param.value, Decimal) or self.param.value is None:
            try:
                value = parse_decimal(text)
            except NumberFormatError:
                problems.append(i18n.pick(f"“{text}” 不是数值", f'"{text}" is not a number'))
        else:
            value = text
            if not text:
                problems.append(i18n.pick("请填写新数值", "Please enter the new value"))
        if not self.reason():
            problems.append(i18n.pick("修改参数必须写明原因", "An override needs a written reason"))
        if problems:
            self.problem.setText("\n".join(problems))
            return
        self.new_value = value
        super().accept()


# ------------------------------------------------------------------------------------------ reminders


def reminder_summary(reminders: list[Reminder], unit_word: tuple[str, str]) -> str:
    """One line for the bar above the views: how many deposits are late or due soon, and the report date."""
    late = [r for r in reminders if r.kind == "deposit_late"]
    due = [r for r in reminders if r.kind == "deposit_due"]
    report = [r for r in reminders if r.kind == "annual_report"]
    parts = []
    if late:
        first = min(late, key=lambda r: r.due)
        parts.append(
            i18n.pick(
                f"⚠ {len(late)} 项月度存证已逾期（最早：{unit_word[0]} {first.unit_code} {first.month} 月，截止 {first.due}）",
                f"⚠ {len(late)} monthly deposit(s) late (earliest: {unit_word[1]} {first.unit_code}, month {first.month}, "
                f"due {first.due})",
            )
        )
    if due:
        first = min(due, key=lambda r: r.due)
        parts.append(
            i18n.pick(
                f"{len(due)} 项存证即将截止（最近 {first.due}，还剩 {first.days} 天）",
                f"{len(due)} deposit(s) due soon (next {first.due}, {first.days} days left)",
            )
        )
    for r in report:
        parts.append(
            i18n.pick(
                f"年度排放报告 {r.due} 截止（还剩 {r.days} 天）",
                f"annual emission report due {r.due} ({r.days} days left)",
            )
        )
    return i18n.pick("；", "; ").join(parts)


def reminder_text(reminders: list[Reminder], *, unit_word: tuple[str, str], most: int = 8) -> str:
    """Reminders grouped by month: a group with 200 units gets a few lines, not 200."""
    groups: dict[tuple[str, int, object], list[Reminder]] = {}
    for r in reminders:
        groups.setdefault((r.kind, r.month, r.due), []).append(r)
    lines: list[str] = []
    closing: list[str] = []  # the annual report's date closes the list, never cut off
    for (kind, month, due), items in groups.items():
        units = [r.unit_code for r in items]
        named = "、".join(units[:5]) if i18n.current() == "zh" else ", ".join(units[:5])
        if len(units) > 5:
            named += i18n.pick(f" 等 {len(units)} 个{unit_word[0]}", f" and {len(units) - 5} more {unit_word[1]}s")
        days = items[0].days
        if kind == "deposit_late":
            lines.append(
                i18n.pick(
                    f"⚠ {month} 月存证已逾期 {days} 天（截止 {due}）：{named}",
                    f"⚠ month {month}: deposit {days} days late (due {due}): {named}",
                )
            )
        elif kind == "deposit_due":
            lines.append(
                i18n.pick(
                    f"• {month} 月存证将于 {due} 截止（还剩 {days} 天）：{named}",
                    f"• month {month}: deposit due {due} ({days} days left): {named}",
                )
            )
        else:
            closing.append(
                i18n.pick(
                    f"• 年度排放报告将于 {due} 截止（还剩 {days} 天）",
                    f"• annual emission report due {due} ({days} days left)",
                )
            )
    if len(lines) > most:
        rest = len(lines) - most
        lines = [*lines[:most], i18n.pick(f"……另有 {rest} 项", f"… and {rest} more")]
    return "\n".join([*lines, *closing])


# --------------------------------------------------------------------------------------------- errors


class ErrorDialog(FittedDialog):
    def __init__(self, message: str, details: str, log_path: Path | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Something went wrong"))
        layout = QVBoxLayout(self)
        text = QLabel(message)
        text.setWordWrap(True)
        layout.addWidget(text)
        if log_path is not None:
            layout.addWidget(QLabel(self.tr("Details were written to {0}").format(log_path)))
        self.details = QPlainTextEdit(details)
        self.details.setReadOnly(True)
        layout.addWidget(self.details)
        row = QHBoxLayout()
        copy = QPushButton(self.tr("Copy details"))
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(f"{message}\n\n{details}"))
        row.addWidget(copy)
        row.addStretch(1)
        close = QPushButton(self.tr("Close"))
        close.clicked.connect(self.accept)
        row.addWidget(close)
        layout.addLayout(row)
        self.resize(640, 360)
