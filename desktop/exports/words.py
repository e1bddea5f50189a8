"""Where things are and what they are called, in words, for every export (PDF, workbook).

No ids on a page a person reads: a finding's place as "机组 2# · 7月 · 燃料第 1 行 · 收到基水分", a stored
field path as "燃煤 · 燃料消耗量".
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from desktop.domain.findings import Finding
from desktop.domain.paths import MonthPath
from desktop.domain.records import ReportInput
from desktop.formspec import FormSpec

RECORD_WORDS = {
    "deposited_on": ("存证日期", "deposit date"),
    "fuels": ("燃料行", "fuel rows"),
    "evidence": ("支撑材料", "evidence"),  # a month's scans (a scan reused elsewhere)
}
CONFIDENCE_WORDS = {
    "C1": ("官方原文", "official text"),
    "C2": ("可靠转载", "reliable reprint"),
    "U": ("未确认", "unconfirmed"),
    "missing": ("缺失", "missing"),
    "user": ("用户填写", "entered by the user"),
}


def place_text(f: Finding, form: FormSpec, lang: str, parameter_label: Callable[[str], str]) -> str:
    """Where a finding is: "机组 2# · 7月 · 燃料第 1 行 · 收到基水分" / "unit 2#, July, fuel row 1, ..."."""
    zh = lang == "zh"
    parts = []
    if f.ref.unit:
        parts.append(f"{form.unit_word(lang)} {f.ref.unit}")
    if f.ref.month:
        parts.append(f"{f.ref.month}月" if zh else date(2000, f.ref.month, 1).strftime("%B"))
    if f.ref.row is not None:
        try:
            kind_label = form.row_kind(f.ref.rows).label(lang)
        except KeyError:
            kind_label = f.ref.rows
        parts.append(f"{kind_label}第 {f.ref.row + 1} 行" if zh else f"{kind_label.lower()} row {f.ref.row + 1}")
    if f.ref.field:
        field_id = f.ref.field
        if field_id.startswith("parameter:"):
            parts.append(parameter_label(field_id.split(":", 1)[1]))
        else:
            scope = f.ref.scope or ("month" if f.ref.month else "unit")
            label = None
            for candidate in (scope, "month", "unit", "entity", "year"):
                try:
                    label = form.field(candidate, field_id).label(lang)
                    break
                except KeyError:
                    continue
            parts.append(label or RECORD_WORDS.get(field_id, (field_id, field_id))[0 if zh else 1])
    return (" · " if zh else ", ").join(parts) or ("全年" if zh else "whole year")


def row_of(report: ReportInput, unit_code: str, month: int, path: str) -> Any:
    """The stored row a path points into (``fuels[0]``, ``alt_raw_materials[1].consumption_t``), if any."""
    where = MonthPath.parse(path)
    unit = report.unit(unit_code)
    record = unit.month(month) if unit else None
    if where is None or where.rows is None or where.row is None or record is None:
        return None
    rows = record.rows_of(where.rows)
    return rows[where.row] if where.row < len(rows) else None


def path_words(form: FormSpec, report: ReportInput, unit_code: str, month: int, path: str, lang: str = "zh") -> str:
    """A stored path in words: 发电量; 燃煤 · 燃料消耗量; 燃煤（检测报告）."""
    zh = lang == "zh"
    where = MonthPath.parse(path)
    kind = next((k for k in form.row_kinds if where is not None and k.id == where.rows), None)
    if where is None or kind is None:
        try:
            return form.field("month", path).label(lang)
        except KeyError:
            return RECORD_WORDS.get(path, (path, path))[0 if zh else 1]
    row = row_of(report, unit_code, month, path)
    enum = form.field(kind.scope, kind.key).enum
    option = form.enums[enum].option(str(row.get(kind.key))) if row is not None and enum else None
    position = (where.row or 0) + 1
    name = (
        option.label(lang)
        if option
        else (f"{kind.label_zh}第 {position} 行" if zh else f"{kind.label_en} row {position}")
    )
    if where.field is None:
        return f"{name}（检测报告）" if zh else f"{name} (lab report)"
    try:
        return f"{name} · {form.field(kind.scope, where.field).label(lang)}"
    except KeyError:
        return name


def lab_data(evidence: Any, report: ReportInput, form: FormSpec) -> dict[str, Any]:
    """What a scan of a kind with a record (a lab report) says of itself: the scan's record, else the
    record's fields as typed in the row it proves."""
    lab = dict(evidence.lab or {})
    recorded = form.evidence_kinds[evidence.kind].record if evidence.kind in form.evidence_kinds else ()
    for unit, year, month, path in evidence.links:
        if year != report.data_year:
            continue
        row = row_of(report, unit, month, path)
        if row is None:
            continue
        for key in recorded:
            if lab.get(key) is None and row.get(key) is not None:
                lab[key] = row.get(key)
    return lab
