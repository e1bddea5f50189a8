"""The Excel workbook in the platform's layout, and reading it back (openpyxl).

One sheet per unit: a row per data item (and per item of a month's tables: fuels, raw materials) × 1月…12月 × 全年 × 获取方式 × 数据来源 × 支撑材料,
generated from the form.  Input cells are unlocked, tinted and validated; computed cells are locked
(sheet protection without a password: a guard against slips, not a secret).  A hidden column holds each
row's key, so a filled-in workbook reads back exactly.  Reading is all or nothing: every problem is
reported with its sheet and cell, and nothing is returned unless there is none.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Mapping
from copy import copy
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from desktop.domain.findings import Finding, Message, render
from desktop.domain.records import MonthRecord, ReportInput, Row, UnitRecord, Value
from desktop.engine.params import ParameterPack
from desktop.engine.results import FigureInfo, ReportResult, WorkbookView
from desktop.exports.errors import CellProblem, WorkbookError
from desktop.exports.words import CONFIDENCE_WORDS, lab_data, path_words, place_text
from desktop.formspec import FieldSpec, FormSpec, RowKind
from desktop.formspec.types import NOT_BOOL, NOT_DATE, NOT_OPTION, NUMBER_FAULT, Refused, value_type

MONTH_COL = 3  # C = January
KEY_COL = 19  # S, hidden: the row's key
INPUT_FILL = PatternFill("solid", fgColor="FFF8DC")
COMPUTED_FILL = PatternFill("solid", fgColor="E8EEF5")
HEADER_FILL = PatternFill("solid", fgColor="D0DAE6")
CLOSED_FILL = PatternFill("solid", fgColor="DDDDDD")  # a submitted or deposited month: locked, grey
SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}


def number_format(places: int | None) -> str:
    """Thousands separators and the declared decimals, as the form states them."""
    if places is None:
        return "#,##0.######"
    return "#,##0" + ("." + "0" * places if places > 0 else "")


MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 2000
MONTH_SHEET_MARK = "支撑材料 Evidence"  # the monthly deposit sheet's evidence index (never in the yearly workbook)


@dataclass(frozen=True)
class RowKey:
    """A sheet row's hidden key: "month:<field>", "computed:<figure>", or "<scope>:<item>:<field>" for a
    row of a month's table (a row kind's scope: "fuel:coal:ncv", "raw_material:steel_slag:consumption_t")."""

    kind: str  # "month", "computed", or the scope of a row kind
    field: str
    item: str = ""

    def text(self) -> str:
        return ":".join(p for p in (self.kind, self.item, self.field) if p)

    @classmethod
    def parse(cls, text: str, form: FormSpec) -> RowKey | None:
        parts = str(text or "").split(":")
        if len(parts) == 2 and parts[0] in ("month", "computed"):
            return cls(parts[0], parts[1])
        if len(parts) == 3 and parts[0] in {k.scope for k in form.row_kinds}:
            return cls(parts[0], parts[2], parts[1])
        return None


def _kind_of_scope(form: FormSpec, scope: str) -> RowKind:
    return next(k for k in form.row_kinds if k.scope == scope)


def section_label(form: FormSpec, kind: RowKind, item: str) -> str:
    """The header row above an item's rows: "燃料：燃煤", "非碳酸盐替代原料：钢渣"."""
    option = form.enums[form.field(kind.scope, kind.key).enum or ""].option(item)
    return f"{kind.label_zh}：{option.label_zh if option else item}"


def _is_section(form: FormSpec, label: Any) -> bool:
    return isinstance(label, str) and any(label.startswith(f"{k.label_zh}：") for k in form.row_kinds)


def _rows(
    form: FormSpec, items: Mapping[str, list[str]], unit: Mapping[str, Any]
) -> list[tuple[RowKey | None, str, str, FieldSpec | None]]:
    """A unit's sheet rows: the items that concern the unit (``applies_when``), its tables' items below."""
    rows: list[tuple[RowKey | None, str, str, FieldSpec | None]] = []
    for spec in form.fields("month"):
        if form.applies(spec, {}, unit):
            rows.append((RowKey("month", spec.id), spec.label_zh, form.unit_of(spec), spec))
    for kind in form.row_kinds:
        for item in items.get(kind.id, ()):
            rows.append((None, section_label(form, kind, item), "", None))
            for spec in form.fields(kind.scope):
                if spec.id != kind.key and form.applies(spec, {kind.key: item}, unit):
                    key = RowKey(kind.scope, spec.id, item)
                    rows.append((key, spec.label_zh, form.unit_of(spec, {kind.key: item}), spec))
    return rows


def _items(unit: UnitRecord, form: FormSpec, default_row: Callable[..., str | None]) -> dict[str, list[str]]:
    """The rows of a unit's sheet per row kind: the items entered, else (first kind) the guideline's default."""
    out: dict[str, list[str]] = {}
    for position, kind in enumerate(form.row_kinds):
        present = {str(r.get(kind.key)) for m in unit.months for r in m.rows_of(kind.id) if r.get(kind.key)}
        if not present and position == 0:
            present = {default_row(unit.values, form) or ""}
        enum = form.enums[form.field(kind.scope, kind.key).enum or ""]
        out[kind.id] = [o.id for o in enum.options if o.id in present]
    return out


def _row_value(form: FormSpec, record: MonthRecord, key: RowKey) -> Value:
    if key.kind == "month":
        return record.get(key.field)
    kind = _kind_of_scope(form, key.kind)
    values = next((r for r in record.rows_of(kind.id) if r.get(kind.key) == key.item), None)
    return values.get(key.field) if values else None


def _month_rows(form: FormSpec, found: Mapping[str, Mapping[str, dict[str, Value]]]) -> dict[str, tuple[Row, ...]]:
    """Values read per (scope, item) as the month's tables by row kind."""
    out: dict[str, tuple[Row, ...]] = {}
    for kind in form.row_kinds:
        items = found.get(kind.scope, {})
        out[kind.id] = tuple(Row({kind.key: item, **values}) for item, values in items.items())
    return out


def _cell_value(spec: FieldSpec, value: Value, form: FormSpec) -> Any:
    return None if value is None else value_type(spec).to_cell(spec, value, form)


def unit_sheet_name(form: FormSpec, unit_id: str) -> str:
    """A unit's sheet: the form's word for a unit and its number ("机组 1#"), as Excel allows (31 characters)."""
    return f"{form.unit_zh} {unit_id}"[:31]


def _validation(spec: FieldSpec, form: FormSpec) -> DataValidation | None:
    if spec.type in ("decimal", "integer"):
        kind = "decimal" if spec.type == "decimal" else "whole"
        low = float(spec.min) if spec.min is not None else -1e15
        high = float(spec.max) if spec.max is not None else 1e15
        dv = DataValidation(type=kind, operator="between", formula1=str(low), formula2=str(high), allow_blank=True)
        dv.error = f"{spec.label_zh}：应为 {low:g} 到 {high:g} 之间的数值 / a number between {low:g} and {high:g}"
        return dv
    if spec.type == "bool":
        return DataValidation(type="list", formula1='"是,否"', allow_blank=True)
    if spec.type == "enum":
        labels = ",".join(o.label_zh for o in form.enums[spec.enum or ""].options)
        return DataValidation(type="list", formula1=f'"{labels}"', allow_blank=True) if len(labels) < 250 else None
    if spec.type == "date":
        return DataValidation(type="date", operator="greaterThan", formula1="36526", allow_blank=True)
    return None


def save_workbook(wb: Workbook, target: Path) -> None:
    """Saved through memory, then written in one go: a full disk fails the write plainly (openpyxl saving
    to a file leaves a half-closed ZIP whose clean-up raises again when it is collected)."""
    buffer = io.BytesIO()
    wb.save(buffer)
    Path(target).write_bytes(buffer.getvalue())


class _Styles:
    """The look of the workbook's cells, each combination made once: openpyxl finds a font, a fill, a format or
    a protection in its tables by hashing it at every assignment, which was most of a 50-unit workbook's
    time.  A cell styled like one before takes a copy of that cell's style (as openpyxl copies styles)."""

    def __init__(self) -> None:
        self._made: dict[tuple[Any, ...], Any] = {}

    def apply(
        self,
        cell: Any,
        *,
        fill: PatternFill,
        number_format: str | None = None,
        unlocked: bool = False,
        font: Font | None = None,
    ) -> None:
        key = (id(fill), number_format, unlocked, id(font))
        made = self._made.get(key)
        if made is not None:
            cell._style = copy(made)
            return
        cell.fill = fill
        if number_format is not None:
            cell.number_format = number_format
        if unlocked:
            cell.protection = Protection(locked=False)
        if font is not None:
            cell.font = font
        self._made[key] = copy(cell._style)


def write_workbook(
    target: Path,
    *,
    report: ReportInput,
    result: ReportResult,
    findings: tuple[Finding, ...],
    messages: Mapping[str, Message],
    figures: Mapping[str, FigureInfo],
    form: FormSpec,
    pack: ParameterPack,
    view: WorkbookView,
    default_row: Callable[..., str | None],
    closed: frozenset[tuple[str, int]] = frozenset(),
    parameter_label: Callable[[str], str] | None = None,
) -> Path:
    """``closed``: (unit code, month) submitted or deposited: their cells are locked and grey.  ``view``: the
    guideline's computed rows and summary; ``default_row``: the fuel a unit's sheet shows when none is entered."""
    label_of = parameter_label or (lambda key: key)
    wb = Workbook()
    styles = _Styles()
    summary = wb.active
    summary.title = "汇总 Summary"
    bold = Font(bold=True)
    summary.append(["重点排放单位", report.entity.get("name"), "统一社会信用代码", report.entity.get("uscc")])
    summary.append(["数据年度", report.data_year, "参数包", f"{pack.title_zh}（{pack.version}）"])
    summary.append([])
    summary.append([form.unit_zh, *(f"{figures[n].label_zh} {figures[n].unit}".strip() for n in view.summary)])
    for cell in summary[4]:
        cell.font, cell.fill = bold, HEADER_FILL
    for unit in result.units:
        summary.append([unit.unit_id, *(_float(unit.annual.get(n)) for n in view.summary)])
    t = result.totals
    summary.append(["合计", *(_float(t.get(n)) for n in view.summary)])
    summary.append([])
    for name in view.compliance:
        label = figures[name].label_zh
        figure = t.get(name)
        known = figure is not None and figure.value is not None
        missing = sorted({label_of(k) for u in result.units for k in u.missing_parameters})
        why = "" if known or not missing else "无法计算：参数包缺少 " + "、".join(missing)
        summary.append([label, _float(figure, 0) if known else "—", "tCO2", why])
    for row in summary.iter_rows(min_row=5, min_col=2, max_col=4):
        for cell in row:
            if isinstance(cell.value, int | float):
                cell.number_format = number_format(0)
    summary.column_dimensions["A"].width = 26
    for col in "BCD":
        summary.column_dimensions[col].width = 20

    for unit in report.units:
        ws = wb.create_sheet(unit_sheet_name(form, unit.unit_id))
        headers = [
            "数据项",
            "单位",
            *[f"{m}月" for m in range(1, 13)],
            "全年",
            "获取方式",
            "数据来源",
            "支撑材料",
            "key",
        ]
        ws.append(headers)
        for cell in ws[1]:
            styles.apply(cell, fill=HEADER_FILL, font=bold)
        ws.column_dimensions["A"].width = 24
        for col in range(MONTH_COL, MONTH_COL + 13):
            ws.column_dimensions[get_column_letter(col)].width = 12
        ws.column_dimensions[get_column_letter(KEY_COL)].hidden = True
        unit_result = result.unit(unit.unit_id)
        validations: dict[str, DataValidation] = {}
        row = 1  # the header; counted here (openpyxl's max_row scans every cell of the sheet at each call)
        for key, label, unit_label, spec in _rows(form, _items(unit, form, default_row), unit.values):
            row += 1
            ws.cell(row, 1, label)
            ws.cell(row, 2, unit_label)
            if key is None or spec is None:
                styles.apply(ws.cell(row, 1), fill=HEADER_FILL, font=bold)
                continue
            ws.cell(row, KEY_COL, key.text())
            month_format = (
                "yyyy-mm-dd"
                if spec.type == "date"
                else number_format(spec.places)
                if spec.type in ("decimal", "integer")
                else None
            )
            for m in range(1, 13):
                record = unit.month(m)
                value: Value = None
                if record is not None:
                    value = _row_value(form, record, key)
                cell = ws.cell(row, MONTH_COL + m - 1, _cell_value(spec, value, form))
                is_closed = (unit.unit_id, m) in closed  # submitted or deposited: changed only by going back
                styles.apply(
                    cell,
                    fill=CLOSED_FILL if is_closed else INPUT_FILL,
                    number_format=month_format,
                    unlocked=not is_closed,
                )
            if spec.evidence:
                ws.cell(row, 17, form.evidence_kinds[spec.evidence].label_zh)
            dv_key = f"{key.kind}:{spec.id}:{key.item}"
            if dv_key not in validations:
                dv = _validation(spec, form)
                if dv is not None:
                    ws.add_data_validation(dv)
                    validations[dv_key] = dv
            if dv_key in validations:
                validations[dv_key].add(f"{get_column_letter(MONTH_COL)}{row}:{get_column_letter(MONTH_COL + 11)}{row}")
            if key.kind == "month" and unit_result is not None and key.field in unit_result.annual:
                annual_cell = ws.cell(row, MONTH_COL + 12, _float(unit_result.annual[key.field]))
                styles.apply(annual_cell, fill=COMPUTED_FILL, number_format=number_format(spec.places))
            tested = spec.evidence is not None and bool(form.evidence_kinds[spec.evidence].record)
            ws.cell(row, 16, "化验报告" if tested else "计量、台账")
        row += 1
        ws.cell(row, 1, "计算结果（锁定）").font = bold
        for name in view.unit_computed:
            row += 1
            info = figures.get(name)
            places = info.places if info else 2
            ws.cell(row, 1, info.label_zh if info else name)
            ws.cell(row, 2, info.unit if info else "")
            ws.cell(row, KEY_COL, RowKey("computed", name).text())
            for m in range(1, 13):
                month = unit_result.month(m) if unit_result else None
                figure = month.figures.get(name) if month else None
                cell = ws.cell(row, MONTH_COL + m - 1, _float(figure, places))
                styles.apply(cell, fill=COMPUTED_FILL, number_format=number_format(places), unlocked=False)
            annual = unit_result.annual.get(name) if unit_result else None
            annual_cell = ws.cell(row, MONTH_COL + 12, _float(annual, places))
            styles.apply(annual_cell, fill=COMPUTED_FILL, number_format=number_format(places))
            ws.cell(row, 16, "计算")
        ws.protection.sheet = True
        ws.freeze_panes = "C2"

    params = wb.create_sheet("参数 Parameters")
    params.append(["参数", "数值", "单位", "可信度", "来源", "修改理由", "key"])
    for key in result.used_parameters:
        p = pack.get(key)
        if isinstance(p.value, Decimal):
            value: Any = int(p.value) if p.value == p.value.to_integral_value() else float(p.value)
        elif isinstance(p.value, bool):
            value = "是" if p.value else "否"
        else:
            value = "—" if p.value is None else str(p.value)
        params.append(
            [
                label_of(key),
                value,
                p.unit,
                CONFIDENCE_WORDS.get(p.confidence, (p.confidence,))[0],
                p.source,
                p.override_reason or "",
                key,
            ]
        )
        if isinstance(value, float):
            params.cell(params.max_row, 2).number_format = "0.######"
    params.column_dimensions["G"].hidden = True  # the pack's key: for reading back, not for people
    findings_sheet = wb.create_sheet("校验结果 Findings")
    findings_sheet.append(["级别", "代码", "位置", "说明", "依据", "书面说明"])
    for f in findings:
        findings_sheet.append(
            [
                SEVERITY_ZH.get(f.severity.value, f.severity.value),
                f.code,
                place_text(f, form, "zh", label_of),
                render(f, messages, "zh"),
                f.clause,
                f.acknowledged.justification if f.acknowledged else "",
            ]
        )
    for sheet in (params, findings_sheet):
        for cell in sheet[1]:
            cell.font, cell.fill = bold, HEADER_FILL
        sheet.column_dimensions["A"].width = 30
        sheet.column_dimensions["D"].width = 60
    save_workbook(wb, target)
    return target


def _float(figure: Any, places: int = 6) -> float | None:
    value = figure.value if hasattr(figure, "value") else figure
    return None if value is None else round(float(value), places)


# ------------------------------------------------------------------------------------------- reading


@dataclass
class _Reader:
    form: FormSpec
    problems: list[CellProblem] = field(default_factory=list)

    def value(self, sheet: str, ref: str, spec: FieldSpec, raw: Any) -> Value:
        if isinstance(raw, str) and raw.startswith("="):
            self.problems.append(CellProblem(sheet, ref, "XLS-E004", raw[:40]))
            return None
        try:
            return value_type(spec).from_cell(spec, raw, self.form)
        except Refused as exc:
            if exc.reason == NUMBER_FAULT:  # the form's bounds, before anything is stored or calculated
                self.problems.append(CellProblem(sheet, ref, "XLS-E017", exc.zh))
            else:
                self.problems.append(CellProblem(sheet, ref, _CELL_CODES.get(exc.reason, "XLS-E005"), str(raw)[:40]))
            return None


# why a cell's value was refused -> the workbook's message
_CELL_CODES = {NOT_BOOL: "XLS-E010", NOT_DATE: "XLS-E009", NOT_OPTION: "XLS-E008"}


def read_workbook(path: Path, *, template: ReportInput, form: FormSpec) -> ReportInput:
    """The monthly values of a filled workbook, as a report for the template's entity and year.

    Everything outside the input cells (units' master data, overrides, justifications) is taken from
    ``template``; a month with no value at all in the workbook is left out.  All or nothing.
    """
    path = Path(path)
    if path.stat().st_size > MAX_BYTES:
        raise WorkbookError([CellProblem(path.name, "", "XLS-E002", f"{path.stat().st_size // 1_000_000} MB")])
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # the OLE file of Excel 97-2003
        raise WorkbookError([CellProblem(path.name, "", "XLS-E012")])
    try:
        wb = load_workbook(path, data_only=False)
    except Exception as exc:
        raise WorkbookError([CellProblem(path.name, "", "XLS-E001")]) from exc
    if MONTH_SHEET_MARK in wb.sheetnames:
        return _read_month_sheet(wb, path, template=template, form=form)
    reader = _Reader(form)
    units: list[UnitRecord] = []
    specs = {("month", s.id): s for s in form.fields("month")}
    for kind in form.row_kinds:
        specs.update({(kind.scope, s.id): s for s in form.fields(kind.scope)})
    for unit in template.units:
        name = unit_sheet_name(form, unit.unit_id)
        if name not in wb.sheetnames:
            reader.problems.append(CellProblem(name, "", "XLS-E003"))
            continue
        ws = wb[name]
        if ws.max_row > MAX_ROWS:
            reader.problems.append(CellProblem(name, "", "XLS-E011", str(ws.max_row)))
            continue
        for merged in ws.merged_cells.ranges:
            reader.problems.append(CellProblem(name, str(merged), "XLS-E006"))
        month_values: dict[int, dict[str, Value]] = {m: {} for m in range(1, 13)}
        row_values: dict[int, dict[str, dict[str, dict[str, Value]]]] = {m: {} for m in range(1, 13)}
        seen_keys: dict[str, int] = {}
        section: str | None = None  # the item whose rows follow (its "燃料：X" header row)
        for row in range(2, ws.max_row + 1):
            key_text = ws.cell(row, KEY_COL).value
            key = RowKey.parse(str(key_text), form) if key_text else None
            label = ws.cell(row, 1).value
            if key is None:
                if _is_section(form, label):
                    section = label
                filled = any(ws.cell(row, c).value not in (None, "") for c in range(MONTH_COL, MONTH_COL + 12))
                if filled and not _is_section(form, label):
                    reader.problems.append(CellProblem(name, f"A{row}", "XLS-E007", str(label or "")[:40]))
                continue
            if key.kind == "computed":
                continue
            spec = specs.get((key.kind, key.field))
            if spec is None:
                reader.problems.append(CellProblem(name, f"{get_column_letter(KEY_COL)}{row}", "XLS-E007", key.text()))
                continue
            if not _key_matches_row(reader, name, row, key, spec, label, section, seen_keys, form):
                continue
            for m in range(1, 13):
                col = MONTH_COL + m - 1
                value = reader.value(name, f"{get_column_letter(col)}{row}", spec, ws.cell(row, col).value)
                if value is None:
                    continue
                if key.kind == "month":
                    month_values[m][key.field] = value
                else:
                    row_values[m].setdefault(key.kind, {}).setdefault(key.item, {})[key.field] = value
        months = []
        for m in range(1, 13):
            original = unit.month(m)
            if not month_values[m] and not row_values[m]:
                continue  # nothing typed for that month: the workbook leaves it as it is
            months.append(
                MonthRecord(
                    m,
                    month_values[m],
                    _month_rows(form, row_values[m]),
                    original.evidence if original else (),
                    original.deposited_on if original else None,
                )
            )
        units.append(UnitRecord(unit.values, tuple(months), unit.declared_annual, unit.year))
    if reader.problems:
        raise WorkbookError(reader.problems)
    return ReportInput(
        template.guideline,
        template.data_year,
        template.entity,
        tuple(units),
        template.overrides,
        template.acknowledgements,
    )


def _key_matches_row(
    reader: _Reader,
    sheet: str,
    row: int,
    key: RowKey,
    spec: FieldSpec,
    label: Any,
    section: str | None,
    seen: dict[str, int],
    form: FormSpec,
) -> bool:
    """The hidden key is believed only when the visible row agrees: its label, its fuel section, no twin.

    A sorted or restructured sheet, a key copied to another row or pointed at another field or fuel is
    refused with the cell named, never read into the wrong field.
    """
    good = True
    if key.text() in seen:
        reader.problems.append(CellProblem(sheet, f"A{row}", "XLS-E016", f"A{seen[key.text()]}"))
        good = False
    seen.setdefault(key.text(), row)
    if str(label or "").strip() != spec.label_zh:
        reader.problems.append(CellProblem(sheet, f"A{row}", "XLS-E015", f"{label or '—'} ≠ {spec.label_zh}"))
        good = False
    if key.kind not in ("month", "computed"):
        kind = _kind_of_scope(form, key.kind)
        option = form.enums[form.field(kind.scope, kind.key).enum or ""].option(key.item)
        expected = section_label(form, kind, key.item) if option else None
        if option is None or section != expected:
            reader.problems.append(
                CellProblem(sheet, f"A{row}", "XLS-E015", f"{section or '—'} ≠ {expected or key.item}")
            )
            good = False
    return good


def _read_month_sheet(wb: Any, path: Path, *, template: ReportInput, form: FormSpec) -> ReportInput:
    """A filled-in monthly deposit sheet: its month's values of every unit (all or nothing, like the year)."""
    ws = wb.worksheets[0]
    match = re.match(r"^(\d{4})-(\d{2})$", ws.title)
    header = [ws.cell(1, c).value for c in range(1, ws.max_column + 1)]
    if match is None or "key" not in header:
        raise WorkbookError([CellProblem(path.name, "", "XLS-E013")])
    year, month = int(match.group(1)), int(match.group(2))
    if year != template.data_year or not 1 <= month <= 12:
        raise WorkbookError([CellProblem(ws.title, "", "XLS-E014", f"{year}-{month:02d}")])
    key_col = header.index("key") + 1
    codes = {u.unit_id for u in template.units}
    columns: dict[int, str] = {}
    reader = _Reader(form)
    for col in range(3, key_col):
        code = str(header[col - 1] or "").strip()
        if code not in codes:
            reader.problems.append(CellProblem(ws.title, f"{get_column_letter(col)}1", "XLS-E003", code))
        columns[col] = code
    for merged in ws.merged_cells.ranges:
        reader.problems.append(CellProblem(ws.title, str(merged), "XLS-E006"))
    specs = {("month", s.id): s for s in form.fields("month")}
    for kind in form.row_kinds:
        specs.update({(kind.scope, s.id): s for s in form.fields(kind.scope)})
    values: dict[str, dict[str, Value]] = {c: {} for c in codes}
    found_rows: dict[str, dict[str, dict[str, dict[str, Value]]]] = {c: {} for c in codes}
    seen_keys: dict[str, int] = {}
    section: str | None = None
    for row in range(2, min(ws.max_row, MAX_ROWS) + 1):
        key = RowKey.parse(str(ws.cell(row, key_col).value or ""), form)
        label = ws.cell(row, 1).value
        if key is None:
            if _is_section(form, label):
                section = label
            continue
        if key.kind == "computed":
            continue
        spec = specs.get((key.kind, key.field))
        if spec is None:
            reader.problems.append(CellProblem(ws.title, f"{get_column_letter(key_col)}{row}", "XLS-E007", key.text()))
            continue
        if not _key_matches_row(reader, ws.title, row, key, spec, label, section, seen_keys, form):
            continue
        for col, code in columns.items():
            if code not in codes:
                continue
            value = reader.value(ws.title, f"{get_column_letter(col)}{row}", spec, ws.cell(row, col).value)
            if value is None:
                continue
            if key.kind == "month":
                values[code][key.field] = value
            else:
                found_rows[code].setdefault(key.kind, {}).setdefault(key.item, {})[key.field] = value
    if reader.problems:
        raise WorkbookError(reader.problems)
    units = []
    for unit in template.units:
        original = unit.month(month)
        months: tuple[MonthRecord, ...] = ()
        if values[unit.unit_id] or found_rows[unit.unit_id]:
            months = (
                MonthRecord(
                    month,
                    values[unit.unit_id],
                    _month_rows(form, found_rows[unit.unit_id]),
                    original.evidence if original else (),
                    original.deposited_on if original else None,
                ),
            )
        units.append(UnitRecord(unit.values, months, unit.declared_annual, unit.year))
    return ReportInput(
        template.guideline,
        template.data_year,
        template.entity,
        tuple(units),
        template.overrides,
        template.acknowledgements,
    )


def write_month_workbook(
    target: Path,
    *,
    report: ReportInput,
    result: ReportResult,
    month: int,
    form: FormSpec,
    evidence: tuple[Any, ...],
    figures: Mapping[str, FigureInfo],
    view: WorkbookView,
) -> Path:
    """The monthly deposit sheet as a workbook: one month of every unit, and its evidence index."""
    wb = Workbook()
    ws = wb.active
    ws.title = f"{report.data_year}-{month:02d}"
    units = list(report.units)
    key_col = 3 + len(units)  # hidden: each row's key, so the filled-in sheet reads back into its month
    ws.append(["数据项", "单位", *[u.unit_id for u in units], "key"])
    for cell in ws[1]:
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
    ws.column_dimensions[get_column_letter(key_col)].hidden = True

    def put(
        label: str,
        unit_label: str,
        spec: FieldSpec | None,
        values: list[Any],
        places: int | None = None,
        key: RowKey | None = None,
    ) -> None:
        ws.append([label, unit_label, *values, key.text() if key else None])
        for col in range(3, 3 + len(values)):
            cell = ws.cell(ws.max_row, col)
            if isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
                cell.number_format = number_format(spec.places if spec is not None else places)
            elif isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"

    for spec in form.fields("month"):
        values = [_cell_value(spec, u.month(month).get(spec.id), form) if u.month(month) else None for u in units]
        put(spec.label_zh, form.unit_of(spec), spec, values, key=RowKey("month", spec.id))
    for kind in form.row_kinds:
        enum = form.enums[form.field(kind.scope, kind.key).enum or ""]
        present = {str(r.get(kind.key)) for u in units if u.month(month) for r in u.month(month).rows_of(kind.id)}
        for item in [o.id for o in enum.options if o.id in present]:
            ws.append([section_label(form, kind, item)])
            for spec in form.fields(kind.scope):
                if spec.id == kind.key or not any(form.applies(spec, {kind.key: item}, u.values) for u in units):
                    continue
                key = RowKey(kind.scope, spec.id, item)
                cells = [
                    _cell_value(spec, _row_value(form, u.month(month), key), form) if u.month(month) else None
                    for u in units
                ]
                put(spec.label_zh, form.unit_of(spec, {kind.key: item}), spec, cells, key=key)
    for name in view.month_computed:
        info = (figures or {}).get(name)
        values = []
        for unit in units:
            r = result.unit(unit.unit_id)
            m = r.month(month) if r else None
            values.append(_float(m.figures.get(name), 0) if m else None)
        put(f"{info.label_zh if info else name}（计算）", "tCO2", None, values, 0, key=RowKey("computed", name))
    ws.column_dimensions["A"].width = 26
    index = wb.create_sheet(MONTH_SHEET_MARK)
    # a column per field any kind of scan records of itself (a lab report's laboratory, number, dates)
    recorded = list({s.id: s for k in form.evidence_kinds for s in form.record_specs(k)}.values())
    index.append(["文件", "SHA-256", "类型", *[s.label_zh for s in recorded], "证明"])
    for cell in index[1]:
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
    for e in evidence:
        links = [(u, p) for u, y, m, p in e.links if y == report.data_year and m == month]
        lab = lab_data(e, report, form)  # the scan's record, else the record's fields typed in the row it proves
        kind = form.evidence_kinds.get(e.kind)
        index.append(
            [
                e.file_name,
                e.sha256,
                kind.label_zh if kind else e.kind,
                *[value_type(s).to_cell(s, lab.get(s.id), form) for s in recorded],
                "；".join(f"{u} {path_words(form, report, u, month, p)}" for u, p in links),
            ]
        )
        for col in range(4, 4 + len(recorded)):
            if isinstance(index.cell(index.max_row, col).value, date):
                index.cell(index.max_row, col).number_format = "yyyy-mm-dd"
    index.column_dimensions["A"].width = 28
    index.column_dimensions["B"].width = 66
    save_workbook(wb, target)
    return target
