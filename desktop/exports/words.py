"""Where things are and what they are called, in words, for every export (PDF, workbook).

No ids on a page a person reads: a finding's place as "机组 2# · 7月 · 燃料第 1 行 · 收到基水分", a stored
field path as "燃煤 · 燃料消耗量".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

from desktop.domain.findings import Finding
from desktop.domain.records import ReportInput
from desktop.formspec import FormSpec

RECORD_WORDS = {"deposited_on": ("存证日期", "deposit date"), "fuels": ("燃料行", "fuel rows")}
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


def fuel_row_of(report: ReportInput, unit_code: str, month: int, path: str) -> Any:
    match = re.match(r"fuels\[(\d+)\]", path)
    unit = report.unit(unit_code)
    record = unit.month(month) if unit else None
    if match is None or record is None or int(match.group(1)) >= len(record.fuels):
        return None
    return record.fuels[int(match.group(1))]


def path_words(form: FormSpec, report: ReportInput, unit_code: str, month: int, path: str, lang: str = "zh") -> str:
    """A stored path in words: 发电量; 燃煤 · 燃料消耗量; 燃煤（检测报告）."""
    zh = lang == "zh"
    match = re.match(r"fuels\[(\d+)\](?:\.(\w+))?$", path)
    if match is None:
        try:
            return form.field("month", path).label(lang)
        except KeyError:
            return RECORD_WORDS.get(path, (path, path))[0 if zh else 1]
    row = fuel_row_of(report, unit_code, month, path)
    option = form.enums["fuel"].option(str(row.get("fuel"))) if row is not None else None
    fuel = (
        (option.label_zh if zh else option.label_en)
        if option
        else (f"燃料第 {int(match.group(1)) + 1} 行" if zh else f"fuel row {int(match.group(1)) + 1}")
    )
    if match.group(2) is None:
        return f"{fuel}（检测报告）" if zh else f"{fuel} (lab report)"
    try:
        return f"{fuel} · {form.field('fuel', match.group(2)).label(lang)}"
    except KeyError:
        return fuel


def lab_data(evidence: Any, report: ReportInput) -> dict[str, Any]:
    """A lab report's laboratory, number and dates: from the scan's record, else from the fuel row it proves."""
    lab = dict(evidence.lab or {})
    for unit, year, month, path in evidence.links:
        if year != report.data_year:
            continue
        row = fuel_row_of(report, unit, month, path)
        if row is None:
            continue
        for key in ("lab_name", "report_no", "sample_received_date", "test_date", "report_date"):
            if lab.get(key) is None and row.get(key) is not None:
                lab[key] = row.get(key)
    return lab
