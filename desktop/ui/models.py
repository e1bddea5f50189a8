"""Qt item models: thin adapters over a ``YearSnapshot`` and the guideline's form.

They compute nothing of the domain: values come from the store, figures from the engine, findings
from the rules.  Typed text is parsed here (the one number parser) and handed on as an edit request;
the window saves it through the serial worker.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar

from PySide6.QtCore import QAbstractItemModel, QAbstractTableModel, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont

from desktop.domain.findings import Finding, Severity, render
from desktop.domain.numbers import format_decimal, round_reported
from desktop.domain.paths import MonthPath
from desktop.domain.periods import DepositState
from desktop.engine.provenance import Figure
from desktop.exports.words import RECORD_WORDS
from desktop.formspec import FieldSpec, FormSpec
from desktop.formspec.types import Refused, value_type
from desktop.services.explain import formula_text
from desktop.services.guidelines import guideline as guideline_of
from desktop.services.session import YearSnapshot
from desktop.ui import i18n

INPUT_BG = QColor("#ffffff")
LOCKED_BG = QColor("#eeeeee")
COMPUTED_BG = QColor("#eef3f8")
HEADER_BG = QColor("#dfe6ee")
ERROR_BG = QColor("#f9d6d5")
WARNING_BG = QColor("#fdebc8")
DISABLED_BG = QColor("#f6f6f6")

STATE_COLOURS = {
    DepositState.NOT_STARTED: QColor("#9e9e9e"),
    DepositState.IN_PROGRESS: QColor("#e6a23c"),
    DepositState.READY: QColor("#409eff"),
    DepositState.DEPOSITED: QColor("#67c23a"),
    DepositState.LATE: QColor("#f56c6c"),
    DepositState.NOT_TRACKED: QColor("#c8c8c8"),
}
STATE_LABELS = {
    DepositState.NOT_STARTED: ("未开始", "not started"),
    DepositState.IN_PROGRESS: ("填报中", "in progress"),
    DepositState.READY: ("可提交", "ready"),
    DepositState.DEPOSITED: ("已存证", "deposited"),
    DepositState.LATE: ("已逾期", "late"),
    DepositState.NOT_TRACKED: ("不在本软件存证", "not kept here"),
}
ROLE_KEY = Qt.ItemDataRole.UserRole + 1


def show_value(spec: FieldSpec | None, value: Any, form: FormSpec) -> str:
    """A stored value as the grid shows it (the field's type decides: places, yes/no, an option's label)."""
    if spec is not None:
        return value_type(spec).show(spec, value, form, i18n.current())
    if value is None:
        return ""
    if isinstance(value, bool):
        return i18n.pick("是", "yes") if value else i18n.pick("否", "no")
    if isinstance(value, Decimal):
        return format_decimal(value)
    return value.isoformat() if isinstance(value, date) else str(value)


def show_figure(figure: Figure | None, places: int) -> str:
    if figure is None or figure.value is None:
        return "—"
    return format_decimal(round_reported(figure.value, places))


class InputRefused(ValueError):
    """Typed text that cannot be the value of that data item; the message is in the user's language."""


def parse_input(spec: FieldSpec, text: str, form: FormSpec) -> Any:
    """Typed or pasted text as the field's value; a value outside the form's hard range is refused at once."""
    try:
        return value_type(spec).from_text(spec, text, form, within_range=True)
    except Refused as exc:
        raise InputRefused(exc.text(i18n.current())) from exc


# What a month record holds besides the form's fields (its deposit date), as users call it.
RECORD_LABELS = RECORD_WORDS  # a month's own items (deposit date, its scans), named once for every view


def path_label(form: FormSpec, path: str, stored: Any, lang: str) -> str:
    """A stored field path (``generation_mwh``, ``fuels[0].consumption``, ``fuels``) as the user knows it;
    ``stored`` is the month as stored (for the name of a row's item)."""
    where = MonthPath.parse(path)
    kind = next((k for k in form.row_kinds if where is not None and k.id == (where.rows or where.field)), None)
    if where is None or kind is None:
        try:
            return form.field("month", path).label(lang)
        except KeyError:
            zh, en = RECORD_LABELS.get(path, (path, path))
            return zh if lang == "zh" else en
    if where.rows is None:  # the whole table ("fuels": rows removed)
        return kind.label(lang)
    rows = stored.rows_of(kind.id) if stored is not None else ()
    item = rows[where.row].get(kind.key) if where.row is not None and where.row < len(rows) else None
    enum = form.field(kind.scope, kind.key).enum
    option = form.enums[enum].option(str(item)) if item and enum else None
    name = option.label(lang) if option else f"{kind.label(lang)} {(where.row or 0) + 1}"
    if where.field is None:
        return name
    try:
        return f"{name} · {form.field(kind.scope, where.field).label(lang)}"
    except KeyError:
        return f"{name} · {where.field}"


# --------------------------------------------------------------------------------------------- grid


@dataclass(frozen=True)
class GridRow:
    kind: str  # "header", "input", "computed"
    label_zh: str
    label_en: str
    spec: FieldSpec | None = None
    item: str | None = None  # on a row of a month's table: the value of its key (the fuel, the material)
    figure: str | None = None  # engine figure of a computed row
    places: int = 2
    unit: str = ""
    table: str | None = None  # the row kind (the form's [[row_kinds]] id) of an item's rows

    @property
    def key(self) -> tuple:
        return (self.kind, self.spec.id if self.spec else None, self.table, self.item, self.figure)

    def label(self) -> str:
        return i18n.pick(self.label_zh, self.label_en)


@dataclass(frozen=True)
class CellEdit:
    """A change the user asked for, with what it replaces (for undo)."""

    unit_id: str
    month: int
    changes: dict[str, Any]
    previous: dict[str, Any] = field(default_factory=dict)


def row_items(
    snapshot: YearSnapshot, form: FormSpec, month: int | None, extra: Mapping[str, Iterable[str]] | None = None
) -> dict[str, list[str]]:
    """The items shown per row kind: those entered in any unit (in this month, or the year), each unit's
    default row of the first kind (as the guideline declares it), and those the user added to the month
    (stored when a first value is typed) -- in the order of the key's options."""
    grid = snapshot.evaluation.guideline.grid
    shown: dict[str, list[str]] = {}
    for position, kind in enumerate(form.row_kinds):
        wanted: set[str] = set((extra or {}).get(kind.id, ()))
        if position == 0:
            for unit in snapshot.entity.units:
                main = grid.default_rows(unit.values, form)
                if main is not None:
                    wanted.add(main)
        for (_, m), state in snapshot.months.items():
            if (month is None or m == month) and state.stored is not None:
                wanted.update(str(r.get(kind.key)) for r in state.stored.rows_of(kind.id) if r.get(kind.key))
        spec = form.field(kind.scope, kind.key)
        shown[kind.id] = [o.id for o in form.enums[spec.enum or ""].options if o.id in wanted]
    return shown


def grid_rows(
    form: FormSpec, guideline: Any, items: Mapping[str, list[str]], *, year_view: bool = False
) -> list[GridRow]:
    """The grid's rows: the month's fields by group, then each shown item of each row kind with its fields
    (and, for the first kind, the computed rows the guideline declares under it), then the month's computed
    rows, then the remarks."""
    figures, grid = guideline.figures, guideline.grid
    rows: list[GridRow] = []
    groups = form.groups
    current_group = None
    for spec in form.fields("month"):
        if spec.group != current_group and spec.id != "note":
            zh, en = groups.get(spec.group, (spec.group, spec.group))
            rows.append(GridRow("header", zh, en))
            current_group = spec.group
        if spec.id == "note":
            continue
        rows.append(
            GridRow("input", spec.label_zh, spec.label_en, spec, places=spec.places or 2, unit=form.unit_of(spec))
        )
    for position, kind in enumerate(form.row_kinds):
        key_spec = form.field(kind.scope, kind.key)
        for item in items.get(kind.id, ()):
            option = form.enums[key_spec.enum or ""].option(item)
            if option is None:
                continue
            rows.append(
                GridRow(
                    "header",
                    f"{kind.label_zh}：{option.label_zh}",
                    f"{kind.label_en}: {option.label_en}",
                    item=item,
                    table=kind.id,
                )
            )
            for spec in form.fields(kind.scope):
                if spec.id == kind.key:
                    continue
                rows.append(
                    GridRow(
                        "input",
                        spec.label_zh,
                        spec.label_en,
                        spec,
                        item=item,
                        places=spec.places or 2,
                        unit=form.unit_of(spec, {kind.key: item}),
                        table=kind.id,
                    )
                )
            for extra in grid.row_figures if position == 0 else ():
                rows.append(
                    GridRow(
                        "computed",
                        f"{option.label_zh} {extra.label_zh}",
                        f"{option.label_en}: {extra.label_en}",
                        item=item,
                        figure=extra.figure,
                        places=extra.places,
                        unit=extra.unit.format_map({k: str(v) for k, v in option.attrs.items()}),
                        table=kind.id,
                    )
                )
    rows.append(GridRow("header", "计算结果（自动）", "Calculated (automatic)"))
    for name in grid.month_figures:
        info = figures[name]
        rows.append(GridRow("computed", info.label_zh, info.label_en, figure=name, places=info.places, unit=info.unit))
    note = next((s for s in form.fields("month") if s.id == "note"), None)
    if note is not None and not year_view:
        rows.append(GridRow("header", *groups.get(note.group, ("备注", "Remarks"))))
        rows.append(GridRow("input", note.label_zh, note.label_en, note))
    return rows


class MonthGridModel(QAbstractTableModel):
    """One month of every unit: a row per data item (and per fuel), a column per unit."""

    editRequested = Signal(object)  # list[CellEdit]
    inputRefused = Signal(str)

    FIXED = 2  # label, unit

    def __init__(self, form: FormSpec, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.form = form
        self.snapshot: YearSnapshot | None = None
        self.month = 1
        self.rows: list[GridRow] = []
        self.units: list[Any] = []
        self._findings: dict[tuple[str, str], list[Finding]] = {}
        # What was typed and not yet confirmed by a snapshot read after its save: (value, sequence).
        self._pending: dict[tuple[str, str], tuple[Any, int]] = {}
        self._pending_seq = 0
        self._confirmed_seq = 0
        # items added to this month's grid (a fuel for a start-up, a raw material), not yet typed into
        self.extra_items: dict[str, set[str]] = {}

    # -- data in --------------------------------------------------------------------------------

    def set_snapshot(self, snapshot: YearSnapshot, month: int) -> None:
        if month != self.month:
            self.extra_items = {}
        items = row_items(snapshot, self.form, month, self.extra_items)
        rows = grid_rows(self.form, snapshot.evaluation.guideline, items)
        units = list(snapshot.entity.units)
        same_shape = (
            [r.key for r in rows] == [r.key for r in self.rows]
            and [u.id for u in units] == [u.id for u in self.units]
            and month == self.month
        )
        if not same_shape:
            self.beginResetModel()
        self.snapshot, self.month, self.rows, self.units = snapshot, month, rows, units
        # A snapshot shows every save confirmed before it was applied; later typing stays pending.
        self._pending = {k: v for k, v in self._pending.items() if v[1] > self._confirmed_seq}
        self._findings = {}
        for f in snapshot.findings:
            if f.ref.month == month and f.ref.unit is not None and f.ref.field is not None:
                self._findings.setdefault((f.ref.unit, str(f.ref.month_path)), []).append(f)
        if same_shape:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, self.columnCount() - 1))
        else:
            self.endResetModel()

    def retranslate(self) -> None:
        if self.rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, self.columnCount() - 1))
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, max(0, self.columnCount() - 1))

    # -- geometry -------------------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.FIXED + len(self.units)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1)
        if section == 0:
            return i18n.pick("数据项", "Data item")
        if section == 1:
            return i18n.pick("单位", "Unit")
        if 0 <= section - self.FIXED < len(self.units):
            unit = self.units[section - self.FIXED]
            state = self.state(unit.id)
            suffix = "" if state is None or state.writable else i18n.pick("（已锁定）", " (locked)")
            return f"{unit.code}{suffix}"
        return None

    # -- cell meaning ---------------------------------------------------------------------------

    def state(self, unit_id: str):
        if self.snapshot is None:
            return None
        return self.snapshot.months.get((unit_id, self.month))

    def unit_at(self, column: int):
        i = column - self.FIXED
        return self.units[i] if 0 <= i < len(self.units) else None

    def row_index(self, unit_id: str, table: str, item: str) -> tuple[int, bool]:
        """Index of the unit's row of that item in this month's table, and whether it exists yet."""
        state = self.state(unit_id)
        rows = state.stored.rows_of(table) if state is not None and state.stored is not None else ()
        key = self.form.row_kind(table).key
        for i, row in enumerate(rows):
            if row.get(key) == item:
                return i, True
        return len(rows), False

    def path(self, row: GridRow, unit_id: str) -> str | None:
        if row.spec is None:
            return None
        if row.item is None or row.table is None:
            return row.spec.id
        index, _ = self.row_index(unit_id, row.table, row.item)
        return str(MonthPath.of_row(row.table, index, row.spec.id))

    def applies(self, row: GridRow, unit: Any) -> bool:
        """Whether the item concerns this unit and row at all (the form's ``applies_when``): a coal test does
        not concern a gas row, a clinker output not the quarry's vehicles."""
        if row.spec is None:
            return True
        values = {self.form.row_kind(row.table).key: row.item} if row.table is not None else {}
        return self.form.applies(row.spec, values, unit.values if unit is not None else None)

    def raw_value(self, row: GridRow, unit: Any) -> Any:
        path = self.path(row, unit.id)
        if path is None:
            return None
        if (unit.id, path) in self._pending:
            return self._pending[(unit.id, path)][0]
        state = self.state(unit.id)
        return state.stored.get(path) if state is not None and state.stored is not None else None

    def figure(self, row: GridRow, unit: Any) -> Figure | None:
        if self.snapshot is None or row.figure is None:
            return None
        result = self.snapshot.evaluation.result.unit(unit.code)
        month = result.month(self.month) if result else None
        if month is None:
            return None
        if row.item is None or row.table is None:
            return month.figures.get(row.figure)
        index, exists = self.row_index(unit.id, row.table, row.item)
        if not exists:
            return None
        found = next((r for r in month.rows if r.rows == row.table and r.index == index), None)
        return found.figures.get(row.figure) if found else None

    def carbon_source(self, unit: Any, row: GridRow) -> str:
        if self.snapshot is None or row.table is None or row.item is None:
            return ""
        result = self.snapshot.evaluation.result.unit(unit.code)
        month = result.month(self.month) if result else None
        index, exists = self.row_index(unit.id, row.table, row.item)
        found = (
            next((r for r in month.rows if r.rows == row.table and r.index == index), None)
            if month and exists
            else None
        )
        source = found.tags.get(self.snapshot.evaluation.guideline.grid.source_tag) if found else None
        words = self.snapshot.evaluation.guideline.grid.source_words
        return i18n.pick(*words[source]) if source in words else ""

    def cell_findings(self, row: GridRow, unit: Any) -> list[Finding]:
        path = self.path(row, unit.id)
        return self._findings.get((unit.code, path), []) if path else []

    def is_input(self, index: QModelIndex) -> bool:
        row = self.rows[index.row()]
        unit = self.unit_at(index.column())
        if row.kind != "input" or unit is None or not self.applies(row, unit):
            return False
        state = self.state(unit.id)
        return state is None or state.writable

    # -- Qt -------------------------------------------------------------------------------------

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.is_input(index):
            base |= Qt.ItemFlag.ItemIsEditable | Qt.ItemFlag.ItemIsDropEnabled
        return base

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        row = self.rows[index.row()]
        col = index.column()
        unit = self.unit_at(col)
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return row.label()
            if col == 1:
                return row.unit
            if unit is None or row.kind == "header":
                return None
            if row.kind == "computed":
                text = show_figure(self.figure(row, unit), row.places)
                source_figure = self.snapshot.evaluation.guideline.grid.source_figure if self.snapshot else ""
                if row.figure == source_figure and row.item is not None and text != "—":
                    source = self.carbon_source(unit, row)
                    return f"{text}（{source}）" if i18n.current() == "zh" else f"{text} ({source})"
                return text
            if not self.applies(row, unit):
                return "·"
            return show_value(row.spec, self.raw_value(row, unit), self.form)
        if role == Qt.ItemDataRole.EditRole:
            if unit is None or row.kind != "input":
                return None
            value = self.raw_value(row, unit)
            if isinstance(value, Decimal):
                return f"{value:f}"
            return show_value(row.spec, value, self.form)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if (col >= self.FIXED and row.spec is not None and row.spec.type in ("decimal", "integer")) or (
                col >= self.FIXED and row.kind == "computed"
            ):
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole:
            if row.kind == "header":
                return QBrush(HEADER_BG)
            if col < self.FIXED or unit is None:
                return None
            if row.kind == "computed":
                return QBrush(COMPUTED_BG)
            if not self.applies(row, unit):
                return QBrush(DISABLED_BG)
            found = self.cell_findings(row, unit)
            if any(f.severity is Severity.ERROR for f in found):
                return QBrush(ERROR_BG)
            if any(f.severity is Severity.WARNING and f.acknowledged is None for f in found):
                return QBrush(WARNING_BG)
            return QBrush(INPUT_BG if self.is_input(index) else LOCKED_BG)
        if role == Qt.ItemDataRole.FontRole:
            if row.kind == "header":
                font = QFont()
                font.setBold(True)
                return font
            if row.kind == "computed" and col >= self.FIXED:
                font = QFont()
                font.setItalic(True)
                return font
            return None
        if role == Qt.ItemDataRole.ForegroundRole and row.kind == "computed" and col >= self.FIXED:
            return QBrush(QColor("#2f4a6b"))
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, unit, col)
        if role == ROLE_KEY:
            return (
                row.kind,
                row.spec.id if row.spec else None,
                row.table,
                row.item,
                row.figure,
                unit.id if unit else None,
            )
        return None

    def _tooltip(self, row: GridRow, unit: Any, col: int) -> str | None:
        lines: list[str] = []
        if row.spec is not None:
            help_text = row.spec.help(i18n.current())
            if help_text:
                lines.append(help_text)
            if row.spec.clause:
                lines.append(i18n.pick("依据：", "Clause: ") + self.form.clause_text(row.spec.clause, i18n.current()))
            if row.spec.evidence:
                kind = self.form.evidence_kinds[row.spec.evidence]
                lines.append(i18n.pick("支撑材料：", "Evidence: ") + kind.label(i18n.current()))
        if row.kind == "computed" and unit is not None and col >= self.FIXED:
            figure = self.figure(row, unit)
            if figure is not None:
                lines.append(formula_text(figure, self.snapshot.evaluation.guideline, i18n.current()))
        if unit is not None and col >= self.FIXED and self.snapshot is not None:
            messages = self.snapshot.evaluation.guideline.messages
            lines += [f"{f.code}: {render(f, messages, i18n.current())}" for f in self.cell_findings(row, unit)]
        return "\n".join(lines) or None

    def setData(self, index: QModelIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or not self.is_input(index):
            return False
        edit = self.prepare_edit(index, "" if value is None else str(value))
        if edit is None:
            return False
        self.editRequested.emit([edit])
        return True

    def prepare_edit(self, index: QModelIndex, text: str) -> CellEdit | None:
        """Parse typed text for a cell; refuse it (with the reason) or return the edit to save."""
        row = self.rows[index.row()]
        unit = self.unit_at(index.column())
        if row.spec is None or unit is None:
            return None
        try:
            value = parse_input(row.spec, text, self.form)
        except InputRefused as exc:
            self.inputRefused.emit(f"{row.label()}：{exc}" if i18n.current() == "zh" else f"{row.label()}: {exc}")
            return None
        path = self.path(row, unit.id)
        assert path is not None
        old = self.raw_value(row, unit)
        changes: dict[str, Any] = {path: value}
        previous: dict[str, Any] = {path: old}
        if row.item is not None and row.table is not None:
            index_no, exists = self.row_index(unit.id, row.table, row.item)
            if not exists:  # typing into a new item's row creates it
                key_path = str(MonthPath.of_row(row.table, index_no, self.form.row_kind(row.table).key))
                changes[key_path] = row.item
                previous[key_path] = None
        self.show_pending(unit.id, changes)
        return CellEdit(unit.id, self.month, changes, previous)

    @property
    def pending_seq(self) -> int:
        return self._pending_seq

    def pending_keys(self) -> list[tuple[str, str]]:
        """(unit id, path) of values shown but not yet confirmed by a snapshot."""
        return list(self._pending)

    def confirm_pending(self, seq: int) -> None:
        """The saves up to ``seq`` are done (or failed): the next snapshot shows the store's values."""
        self._confirmed_seq = max(self._confirmed_seq, seq)

    def show_pending(self, unit_id: str, changes: dict[str, Any]) -> None:
        """Show what was typed at once; a snapshot read after its save confirms it."""
        self._pending_seq += 1
        for path, value in changes.items():
            self._pending[(unit_id, path)] = (value, self._pending_seq)
        column = next((i for i, u in enumerate(self.units) if u.id == unit_id), None)
        if column is not None and self.rows:
            col = column + self.FIXED
            self.dataChanged.emit(self.index(0, col), self.index(len(self.rows) - 1, col))

    def mimeTypes(self) -> list[str]:
        return ["text/uri-list"]

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction


# ----------------------------------------------------------------------------------------- year view


MONTH_NAMES_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class YearTableModel(QAbstractTableModel):
    """The platform's layout for one unit: rows × Jan…Dec × year × how obtained × data source × evidence."""

    FIXED = 2

    def __init__(self, form: FormSpec, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.form = form
        self.snapshot: YearSnapshot | None = None
        self.unit: Any = None
        self.rows: list[GridRow] = []

    def set_snapshot(self, snapshot: YearSnapshot, unit_id: str) -> None:
        self.beginResetModel()
        self.snapshot = snapshot
        self.unit = next((u for u in snapshot.entity.units if u.id == unit_id), None)
        self.rows = (
            grid_rows(self.form, snapshot.evaluation.guideline, row_items(snapshot, self.form, None), year_view=True)
            if self.unit
            else []
        )
        self.endResetModel()

    def retranslate(self) -> None:
        if self.rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, self.columnCount() - 1))
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.columnCount() - 1)

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.FIXED + 12 + 4

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1)
        fixed = [i18n.pick("数据项", "Data item"), i18n.pick("单位", "Unit")]
        tail = [
            i18n.pick("全年", "Year"),
            i18n.pick("获取方式", "How obtained"),
            i18n.pick("数据来源", "Data source"),
            i18n.pick("支撑材料", "Evidence"),
        ]
        if section < self.FIXED:
            return fixed[section]
        if section < self.FIXED + 12:
            m = section - self.FIXED + 1
            return f"{m}月" if i18n.current() == "zh" else MONTH_NAMES_EN[m - 1]
        if section < self.FIXED + 16:
            return tail[section - self.FIXED - 12]
        return None

    def _month_result(self, month: int):
        result = self.snapshot.evaluation.result.unit(self.unit.code) if self.snapshot and self.unit else None
        return result.month(month) if result else None

    def _stored(self, month: int):
        state = self.snapshot.months.get((self.unit.id, month)) if self.snapshot and self.unit else None
        return state.stored if state else None

    def _item_row(self, month: int, row: GridRow) -> tuple[int, dict] | None:
        """The index and values of the month's row of ``row``'s item in its table, if stored."""
        stored = self._stored(month)
        if stored is None or row.table is None:
            return None
        key = self.form.row_kind(row.table).key
        for i, values in enumerate(stored.rows_of(row.table)):
            if values.get(key) == row.item:
                return i, dict(values)
        return None

    def month_value(self, row: GridRow, month: int) -> str:
        if row.kind == "computed":
            result = self._month_result(month)
            if result is None:
                return ""
            if row.item is None:
                return show_figure(result.figures.get(row.figure or ""), row.places)
            found = self._item_row(month, row)
            row_result = next((r for r in result.rows if found and r.rows == row.table and r.index == found[0]), None)
            return show_figure(row_result.figures.get(row.figure or "") if row_result else None, row.places)
        stored = self._stored(month)
        if stored is None or row.spec is None:
            return ""
        if row.item is None:
            return show_value(row.spec, stored.values.get(row.spec.id), self.form)
        found = self._item_row(month, row)
        return show_value(row.spec, found[1].get(row.spec.id), self.form) if found else ""

    def annual_value(self, row: GridRow) -> str:
        result = self.snapshot.evaluation.result.unit(self.unit.code) if self.snapshot and self.unit else None
        if result is None:
            return ""
        if row.kind == "computed" and row.item is None:
            return show_figure(result.annual.get(row.figure or ""), row.places)
        row_annual = self.snapshot.evaluation.guideline.grid.row_annual if self.snapshot else {}
        if row.spec is not None and row.item is not None and row.spec.id in row_annual:
            return show_figure(result.annual.get(row_annual[row.spec.id].format(key=row.item)), row.places)
        if row.spec is not None and row.item is not None and f"{row.spec.id}:{row.item}" in result.annual:
            return show_figure(result.annual[f"{row.spec.id}:{row.item}"], row.places)  # a row's total of the year
        if row.spec is not None and row.item is None and row.spec.id in result.annual:
            return show_figure(result.annual[row.spec.id], row.places)
        return ""

    def how_obtained(self, row: GridRow) -> str:
        if row.kind == "computed":
            return i18n.pick("计算", "calculated")
        if row.spec is None:
            return ""
        tested = row.spec.evidence is not None and bool(self.form.evidence_kinds[row.spec.evidence].record)
        if row.item is not None and tested and self.snapshot is not None:  # a value a lab report gives
            grid = self.snapshot.evaluation.guideline.grid
            sources = set()
            result = self.snapshot.evaluation.result.unit(self.unit.code) if self.unit else None
            for month in result.months if result else ():
                found = self._item_row(month.month, row)
                rr = next((r for r in month.rows if found and r.rows == row.table and r.index == found[0]), None)
                if rr is not None and rr.tags.get(grid.source_tag):
                    sources.add(rr.tags[grid.source_tag])
            if row.spec.id in grid.source_fields:
                labels = [i18n.pick(*words) for tag, words in grid.source_words.items() if tag in sources]
                first = next(iter(grid.source_words.values()), ("", ""))
                return " / ".join(labels) or i18n.pick(*first)
            return i18n.pick("化验报告", "lab report")
        return i18n.pick("计量、台账", "metered, ledger")

    def data_source(self, row: GridRow) -> str:
        if row.kind == "computed" or row.spec is None or row.spec.evidence is None:
            return i18n.pick("核算", "accounting") if row.kind == "computed" else ""
        return self.form.evidence_kinds[row.spec.evidence].label(i18n.current())

    def evidence_count(self, row: GridRow) -> str:
        if row.spec is None or row.spec.evidence is None or self.unit is None:
            return ""
        have = total = 0
        for month in range(1, 13):
            stored = self._stored(month)
            if stored is None:
                continue
            if row.item is None or row.table is None:
                path = row.spec.id
                if stored.values.get(path) is None:
                    continue
            else:
                found = self._item_row(month, row)
                if found is None or found[1].get(row.spec.id) is None:
                    continue
                path = str(MonthPath.of_row(row.table, found[0], row.spec.id))
            total += 1
            prefix = path.split(".", 1)[0]
            if any(e.kind == row.spec.evidence and (path in e.proves or prefix in e.proves) for e in stored.evidence):
                have += 1
        return f"{have}/{total}" if total else ""

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        row = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return row.label()
            if col == 1:
                return row.unit
            if row.kind == "header":
                return None
            if col < self.FIXED + 12:
                return self.month_value(row, col - self.FIXED + 1)
            return (self.annual_value, self.how_obtained, self.data_source, self.evidence_count)[col - self.FIXED - 12](
                row
            )
        if role == Qt.ItemDataRole.BackgroundRole:
            if row.kind == "header":
                return QBrush(HEADER_BG)
            if row.kind == "computed" and col >= self.FIXED:
                return QBrush(COMPUTED_BG)
            return None
        if role == Qt.ItemDataRole.FontRole and row.kind == "header":
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and self.FIXED <= col < self.FIXED + 13:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == ROLE_KEY:
            return (row.kind, row.spec.id if row.spec else None, row.table, row.item, row.figure)
        return None


# ------------------------------------------------------------------------------------------ findings


class FindingsTableModel(QAbstractTableModel):
    COLUMNS = (
        ("级别", "Severity"),
        ("代码", "Code"),
        ("位置", "Place"),
        ("说明", "Message"),
        ("依据", "Clause"),
        ("书面说明", "Justification"),
    )
    SEVERITY: ClassVar[dict[Severity, tuple[str, str]]] = {
        Severity.ERROR: ("错误", "error"),
        Severity.WARNING: ("警告", "warning"),
        Severity.INFO: ("提示", "info"),
    }
    COLOURS: ClassVar[dict[Severity, QColor]] = {
        Severity.ERROR: QColor("#c0392b"),
        Severity.WARNING: QColor("#b9770e"),
        Severity.INFO: QColor("#5d6d7e"),
    }

    def __init__(self, form: FormSpec, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.form = form
        self.findings: list[Finding] = []
        self.messages: dict = {}

    def set_findings(self, findings: list[Finding], messages: dict) -> None:
        self.beginResetModel()
        self.findings = list(findings)
        self.messages = messages
        self.endResetModel()

    def retranslate(self) -> None:
        if self.findings:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.findings) - 1, len(self.COLUMNS) - 1))
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.COLUMNS) - 1)

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.findings)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and section < len(self.COLUMNS)
        ):
            return i18n.pick(*self.COLUMNS[section])
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Vertical:
            return str(section + 1)
        return None

    def place(self, f: Finding) -> str:
        parts = []
        if f.ref.unit:
            parts.append(f.ref.unit)
        if f.ref.month:
            parts.append(f"{f.ref.month}月" if i18n.current() == "zh" else MONTH_NAMES_EN[f.ref.month - 1])
        if f.ref.field:
            scope = f.ref.scope or ("month" if f.ref.month else "unit")
            try:
                parts.append(
                    self.form.field(scope if scope in self.form.scopes else "month", f.ref.field).label(i18n.current())
                )
            except KeyError:
                if f.ref.field.startswith("parameter:"):
                    key = f.ref.field.split(":", 1)[1]
                    parts.append(guideline_of(self.form.id).parameter_label(key, i18n.current()))
                else:
                    parts.append(i18n.pick(*RECORD_LABELS.get(f.ref.field, (f.ref.field, f.ref.field))))
        return " · ".join(parts) or i18n.pick("全年", "whole year")

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.findings):
            return None
        f = self.findings[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return i18n.pick(*self.SEVERITY[f.severity])
            if col == 1:
                return f.code
            if col == 2:
                return self.place(f)
            if col == 3:
                return render(f, self.messages, i18n.current())
            if col == 4:
                return self.form.clause_text(f.clause, i18n.current())
            if col == 5:
                return f.acknowledged.justification if f.acknowledged else ""
        if role == Qt.ItemDataRole.ForegroundRole and col == 0:
            return QBrush(self.COLOURS[f.severity])
        if role == Qt.ItemDataRole.ToolTipRole and col == 3:
            return render(f, self.messages, i18n.current())
        if role == ROLE_KEY:
            return f
        return None


# ----------------------------------------------------------------------------------------- navigator


@dataclass(eq=False)  # identity: a node is found by its place, never compared field by field
class NavNode:
    kind: str  # "entity", "unit", "year", "month"
    key: tuple
    label_zh: str
    label_en: str
    parent: NavNode | None = None
    children: list[NavNode] = field(default_factory=list)
    state: DepositState | None = None
    tooltip: str = ""
    position: int = 0

    def add(self, child: NavNode) -> None:
        child.parent, child.position = self, len(self.children)
        self.children.append(child)

    def row(self) -> int:
        return self.position


class NavigatorModel(QAbstractItemModel):
    """Entity → units → years → months, each month with its deposit state and due date."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.roots: list[NavNode] = []
        self.signature: tuple = ()

    def set_tree(self, snapshot: YearSnapshot, years: list[int]) -> bool:
        """Returns True when the tree was rebuilt (its shape changed); a change of month states updates the
        month nodes in place, so what the user expanded and selected stays as it was."""
        shape = (
            snapshot.entity.id,
            snapshot.entity.name,
            snapshot.year,
            tuple(years),
            tuple((u.id, u.code) for u in snapshot.entity.units),
        )
        states = tuple((k, s.state, s.errors, s.warnings) for k, s in sorted(snapshot.months.items()))
        if self.signature == (shape, states):
            return False
        if self.roots and self.signature and self.signature[0] == shape:
            self.signature = (shape, states)
            for unit in self.roots[0].children:
                for y in unit.children:
                    if y.key[1] == snapshot.year:
                        for node in y.children:
                            self._describe_month(node, snapshot.months.get((unit.key[0], node.key[2])))
            first, last = self.index(0, 0), self.index(self.rowCount() - 1, 0)
            self.dataChanged.emit(first, last)  # a view repaints its visible rows; nothing collapses
            return False
        self.signature = (shape, states)
        self.beginResetModel()
        entity = snapshot.entity
        root = NavNode("entity", (entity.id,), entity.name, entity.name, tooltip=entity.uscc)
        for unit in entity.units:
            form = guideline_of(entity.guideline).form
            u = NavNode(
                "unit", (unit.id,), f"{form.unit_word('zh')} {unit.code}", f"{form.unit_word('en')} {unit.code}"
            )
            root.add(u)
            for year in years:
                y = NavNode("year", (unit.id, year), f"{year} 年度", f"Data year {year}")
                u.add(y)
                for month in range(1, 13):
                    node = NavNode("month", (unit.id, year, month), "", "")
                    self._describe_month(node, snapshot.months.get((unit.id, month)) if year == snapshot.year else None)
                    y.add(node)
        self.roots = [root]
        self.endResetModel()
        return True

    @staticmethod
    def _describe_month(node: NavNode, state: Any) -> None:
        month = node.key[2]
        zh, en = f"{month}月", MONTH_NAMES_EN[month - 1]
        tip = ""
        if state is not None:
            szh, sen = STATE_LABELS[state.state]
            zh, en = f"{zh} · {szh}", f"{en} · {sen}"
            tip = i18n.pick(f"存证截止 {state.due.isoformat()}", f"deposit due {state.due.isoformat()}")
            if state.errors or state.warnings:
                tip += i18n.pick(
                    f"；错误 {state.errors}，警告 {state.warnings}",
                    f"; {state.errors} error(s), {state.warnings} warning(s)",
                )
        node.label_zh, node.label_en, node.tooltip = zh, en, tip
        node.state = state.state if state is not None else None

    def expanded_keys(self, view: Any) -> set[tuple]:
        """(kind, key) of the expanded nodes of ``view`` (to restore after a rebuild)."""
        out: set[tuple] = set()
        stack = list(self.roots)
        while stack:
            node = stack.pop()
            if node.kind != "month" and view.isExpanded(self.createIndex(node.row(), 0, node)):
                out.add((node.kind, node.key))
                stack.extend(node.children)
        return out

    def retranslate(self) -> None:
        self.layoutChanged.emit()

    def node(self, index: QModelIndex) -> NavNode | None:
        return index.internalPointer() if index.isValid() else None

    def index(self, row: int, column: int, parent: QModelIndex = QModelIndex()) -> QModelIndex:  # noqa: B008
        if column != 0 or row < 0:
            return QModelIndex()
        children = self.roots if not parent.isValid() else self.node(parent).children  # type: ignore[union-attr]
        if row >= len(children):
            return QModelIndex()
        return self.createIndex(row, 0, children[row])

    def parent(self, index: QModelIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        node = self.node(index)
        if node is None or node.parent is None:
            return QModelIndex()
        return self.createIndex(node.parent.row(), 0, node.parent)

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        if parent.column() > 0:
            return 0
        if not parent.isValid():
            return len(self.roots)
        return len(self.node(parent).children)  # type: ignore[union-attr]

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 1

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        node = self.node(index)
        if node is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return i18n.pick(node.label_zh, node.label_en)
        if role == Qt.ItemDataRole.DecorationRole and node.state is not None:
            return STATE_COLOURS[node.state]
        if role == Qt.ItemDataRole.ToolTipRole:
            return node.tooltip or None
        if role == ROLE_KEY:
            return (node.kind, *node.key)
        return None

    def find(self, kind: str, key: tuple) -> QModelIndex:
        stack = list(self.roots)
        while stack:
            node = stack.pop()
            if node.kind == kind and node.key == key:
                return self.createIndex(node.row(), 0, node)
            if node.kind != "month":
                stack.extend(node.children)
        return QModelIndex()
