"""CarbonDesk's JSON report input: one entity, its units, one data year.

The reader is driven by the guideline's form: field names, types and enumerations come from
``forms/``, so the JSON format, its JSON Schema and the entry grid can never disagree.  It checks the
whole document and reports every problem with its place; a document with problems yields nothing.

Numbers are JSON numbers, read exactly as decimals.  Quoted numbers (``"1,234.5"``) are refused with
the value to write instead: a machine-readable format should not guess.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from itertools import accumulate
from json.encoder import encode_basestring as _quoted  # the C quoting json.dumps uses
from pathlib import Path
from typing import Any

from desktop.domain.findings import Acknowledgement
from desktop.domain.numbers import NumberFormatError, parse_decimal
from desktop.domain.periods import DATA_YEAR_MIN, data_year_max
from desktop.domain.records import (
    EvidenceRef,
    MonthRecord,
    ParameterOverride,
    ReportInput,
    Row,
    UnitRecord,
    Value,
)
from desktop.domain.typed_text import parse_date_text
from desktop.formspec import FieldSpec, FormSpec
from desktop.formspec.types import (
    EVIDENCE,
    MISSING,
    NOT_BOOL,
    NOT_DATE,
    NOT_HASH,
    NOT_NUMBER,
    NOT_OPTION,
    NOT_PLACE,
    NOT_TEXT,
    NOT_WHOLE,
    NUMBER_FAULT,
    UNREADABLE_TEXT,
    Refused,
    value_type,
)
from desktop.interchange.problems import InputError, InputProblem

FORMAT = "carbondesk.report"
FORMAT_VERSION = 1

TOP_KEYS = (
    "format",
    "version",
    "guideline",
    "data_year",
    "entity",
    "year",
    "units",
    "parameter_overrides",
    "acknowledgements",
)
UNIT_EXTRA_KEYS = ("months", "declared_annual", "year")  # "year": the unit's items of this data year
MONTH_EXTRA_KEYS = ("month", "evidence", "deposited_on")  # and the form's row kinds
OVERRIDE_KEYS = ("key", "value", "reason", "by")
ACK_KEYS = ("code", "path", "justification", "by")


class _DuplicateKeys(dict):
    """Marks objects in which a key appeared twice (json keeps the last silently)."""

    duplicates: list[str]


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = _DuplicateKeys()
    out.duplicates = []
    for key, value in pairs:
        if key in out:
            out.duplicates.append(key)
        out[key] = value
    return out


def _reject_constant(name: str) -> Any:
    raise ValueError(f"non-finite number {name}")


def kind_of(value: Any) -> str:
    """What a JSON value is, in the words of the messages (number, text, list, ...)."""
    return _kind(value)


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, Decimal):
        return "number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


class _Reader:
    def __init__(self, form: FormSpec) -> None:
        self.form = form
        self.problems: list[InputProblem] = []

    def problem(self, path: str, code: str, **params: Any) -> None:
        self.problems.append(InputProblem(path, code, params))

    def check_keys(self, obj: Mapping[str, Any], allowed: tuple[str, ...], path: str) -> None:
        for key in getattr(obj, "duplicates", []):
            self.problem(path, "INP-E011", name=key)
        for key in obj:
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                self.problem(_join(path, key), "INP-E004", name=key, hint_name=close[0] if close else "")

    def expect(self, value: Any, kind: type, path: str, expected: str) -> bool:
        if (isinstance(value, kind) and not isinstance(value, bool)) or (kind is bool and isinstance(value, bool)):
            return True
        self.problem(path, "INP-E002", expected=expected, got=_kind(value))
        return False

    # -- values --------------------------------------------------------------------------------

    def value(self, spec: FieldSpec, raw: Any, path: str) -> Value:
        try:
            return value_type(spec).from_json(spec, raw, self.form)
        except Refused as exc:
            self.refused(exc, spec, raw, path)
            return None

    def refused(self, exc: Refused, spec: FieldSpec, raw: Any, path: str) -> None:
        """Why a value cannot be the field's, as an input problem of this file."""
        reason = exc.reason
        if reason == NUMBER_FAULT:
            self.problem(path, "INP-E016", zh=exc.zh, en=exc.en)
        elif reason == NOT_NUMBER and isinstance(raw, str) and exc.params.get("suggestion"):
            self.problem(path, "INP-E003", text=raw, suggestion=exc.params["suggestion"])
        elif reason == NOT_OPTION:
            self.problem(path, "INP-E005", value=raw, options=exc.params.get("options", ""))
        elif reason == NOT_DATE and isinstance(raw, str):
            self.problem(path, "INP-E006", value=raw)
        elif reason == UNREADABLE_TEXT:
            self.problem(path, "INP-E022")
        else:
            expected = {NOT_WHOLE: "whole number", NOT_BOOL: "true/false", NOT_DATE: "date", NOT_TEXT: "text"}
            self.problem(path, "INP-E002", expected=expected.get(reason, "number"), got=_kind(raw))

    def date(self, raw: Any, path: str) -> date | None:
        if not isinstance(raw, str):
            self.problem(path, "INP-E002", expected="date", got=_kind(raw))
            return None
        try:
            return parse_date_text(raw)
        except ValueError:
            self.problem(path, "INP-E006", value=raw)
            return None

    def fields(self, scope: str, obj: Mapping[str, Any], path: str, extra: tuple[str, ...]) -> dict[str, Value]:
        specs = {s.id: s for s in self.form.fields(scope)}
        self.check_keys(obj, (*specs, *extra), path)
        return {fid: self.value(spec, obj.get(fid), _join(path, fid)) for fid, spec in specs.items() if fid in obj}

    # -- structure -----------------------------------------------------------------------------

    def report(self, doc: Any, known_guidelines: tuple[str, ...]) -> ReportInput | None:
        if not isinstance(doc, dict):
            self.problem("", "INP-E002", expected="object", got=_kind(doc))
            return None
        self.check_keys(doc, TOP_KEYS, "")
        guideline = doc.get("guideline")
        if guideline is None:
            self.problem("", "INP-E009", name="guideline")
        elif guideline not in known_guidelines:
            self.problem("guideline", "INP-E010", value=guideline, options=", ".join(known_guidelines))
        if "format" in doc and doc["format"] != FORMAT:
            self.problem("format", "INP-E005", value=doc["format"], options=FORMAT)
        if "version" in doc and doc["version"] != Decimal(FORMAT_VERSION):
            self.problem("version", "INP-E005", value=doc["version"], options=str(FORMAT_VERSION))
        year = doc.get("data_year")
        if year is None:
            self.problem("", "INP-E009", name="data_year")
        elif self.expect(year, Decimal, "data_year", "whole number"):
            if year != year.to_integral_value():
                self.problem("data_year", "INP-E002", expected="whole number", got="number")
            elif not DATA_YEAR_MIN <= year <= data_year_max():
                self.problem("data_year", "INP-E018", value=year, low=DATA_YEAR_MIN, high=data_year_max())
        entity_raw = doc.get("entity")
        entity: dict[str, Value] = {}
        if entity_raw is None:
            self.problem("", "INP-E009", name="entity")
        elif self.expect(entity_raw, dict, "entity", "object"):
            entity = self.fields("entity", entity_raw, "entity", ())
        year_values: dict[str, Value] = {}
        year_raw = doc.get("year", {})
        if self.expect(year_raw, dict, "year", "object"):
            year_values = self.fields("year", year_raw, "year", ())
        units: list[UnitRecord] = []
        units_raw = doc.get("units", [])
        seen_units: set[str] = set()
        if self.expect(units_raw, list, "units", "list"):
            for i, unit_raw in enumerate(units_raw):
                unit = self.unit(unit_raw, f"units[{i}]")
                if unit is None:
                    continue
                if unit.unit_id in seen_units:
                    self.problem(f"units[{i}].id", "INP-E007", what="unit", value=unit.unit_id)
                seen_units.add(unit.unit_id)
                units.append(unit)
        overrides = self.overrides(doc.get("parameter_overrides", []))
        acks = self.acknowledgements(doc.get("acknowledgements", []))
        if self.problems:
            return None
        return ReportInput(
            guideline=str(guideline),
            data_year=int(year),
            entity=entity,
            units=tuple(units),
            overrides=overrides,
            acknowledgements=acks,
            year=year_values,
        )

    def unit(self, raw: Any, path: str) -> UnitRecord | None:
        if not self.expect(raw, dict, path, "object"):
            return None
        values = self.fields("unit", raw, path, UNIT_EXTRA_KEYS)
        if not isinstance(values.get("id"), str) or not values["id"].strip():
            if "id" not in raw:
                self.problem(path, "INP-E009", name="id")
            elif isinstance(values.get("id"), str):
                self.problem(_join(path, "id"), "INP-E019")  # an empty unit no. would be stored as nothing
            values["id"] = f"#{path}"
        months: list[MonthRecord] = []
        seen: set[int] = set()
        months_raw = raw.get("months", [])
        if self.expect(months_raw, list, _join(path, "months"), "list"):
            for j, month_raw in enumerate(months_raw):
                record = self.month(month_raw, f"{path}.months[{j}]")
                if record is None:
                    continue
                if record.month in seen:
                    self.problem(f"{path}.months[{j}].month", "INP-E007", what="month", value=record.month)
                seen.add(record.month)
                months.append(record)
        unit_year: dict[str, Value] = {}
        year_raw = raw.get("year", {})
        if self.expect(year_raw, dict, _join(path, "year"), "object"):
            unit_year = self.fields("unit_year", year_raw, _join(path, "year"), ())
        declared: dict[str, Decimal] = {}
        declared_raw = raw.get("declared_annual", {})
        if self.expect(declared_raw, dict, _join(path, "declared_annual"), "object"):
            numeric = tuple(s.id for s in self.form.fields("month") if s.type == "decimal")
            self.check_keys(declared_raw, numeric, _join(path, "declared_annual"))
            for key, value in declared_raw.items():
                if key in numeric and self.expect(value, Decimal, f"{path}.declared_annual.{key}", "number"):
                    declared[key] = value
        return UnitRecord(
            values=values,
            months=tuple(sorted(months, key=lambda m: m.month)),
            declared_annual=declared,
            year=unit_year,
        )

    def month(self, raw: Any, path: str) -> MonthRecord | None:
        if not self.expect(raw, dict, path, "object"):
            return None
        values = self.fields("month", raw, path, (*MONTH_EXTRA_KEYS, *(k.id for k in self.form.row_kinds)))
        number = raw.get("month")
        if number is None:
            self.problem(path, "INP-E009", name="month")
            return None
        if not self.expect(number, Decimal, _join(path, "month"), "whole number"):
            return None
        if number != number.to_integral_value() or not 1 <= number <= 12:
            self.problem(_join(path, "month"), "INP-E008", value=number)
            return None
        rows: dict[str, tuple[Row, ...]] = {}
        for kind in self.form.row_kinds:  # each table of rows the form declares (fuels, raw materials, ...)
            found: list[Row] = []
            rows_raw = raw.get(kind.id, [])
            if self.expect(rows_raw, list, _join(path, kind.id), "list"):
                for k, row_raw in enumerate(rows_raw):
                    rpath = f"{path}.{kind.id}[{k}]"
                    if self.expect(row_raw, dict, rpath, "object"):
                        found.append(Row(self.fields(kind.scope, row_raw, rpath, ())))
            rows[kind.id] = tuple(found)
        evidence: list[EvidenceRef] = []
        evidence_raw = raw.get("evidence", [])
        if self.expect(evidence_raw, list, _join(path, "evidence"), "list"):
            for k, ev in enumerate(evidence_raw):
                ref = self.evidence(ev, f"{path}.evidence[{k}]")
                if ref is not None:
                    evidence.append(ref)
        deposited = raw.get("deposited_on")
        return MonthRecord(
            month=int(number),
            values=values,
            rows=rows,
            evidence=tuple(evidence),
            deposited_on=None if deposited is None else self.date(deposited, _join(path, "deposited_on")),
        )

    def evidence(self, raw: Any, path: str) -> EvidenceRef | None:
        """A reference to a scan; its rules (kind, hash, the places it proves) are the evidence type's."""
        if not self.expect(raw, dict, path, "object"):
            return None
        self.check_keys(raw, EVIDENCE.KEYS, path)
        faults = EVIDENCE.faults(raw, self.form)
        for key, exc in faults:
            where, got = _join(path, key), raw.get(key) if key in EVIDENCE.KEYS else None
            if exc.reason == NOT_OPTION:
                self.problem(where, "INP-E005", value=exc.params.get("value"), options=exc.params.get("options", ""))
            elif exc.reason == MISSING:
                self.problem(where, "INP-E009", name=exc.params.get("name", key))
            elif exc.reason == NOT_HASH:
                self.problem(where, "INP-E015", detail=exc.en)
            elif exc.reason == UNREADABLE_TEXT:
                self.problem(where, "INP-E022")
            elif exc.reason == NOT_PLACE:
                self.problem(where, "INP-E023", zh=exc.zh, en=exc.en)
            else:
                item = raw.get("proves", [])[int(key[7:-1])] if key.startswith("proves[") else got
                self.problem(where, "INP-E002", expected="list" if key == "proves" else "text", got=_kind(item))
        return None if faults else EVIDENCE.made(raw)

    def overrides(self, raw: Any) -> tuple[ParameterOverride, ...]:
        out: list[ParameterOverride] = []
        if not self.expect(raw, list, "parameter_overrides", "list"):
            return ()
        for i, item in enumerate(raw):
            path = f"parameter_overrides[{i}]"
            if not self.expect(item, dict, path, "object"):
                continue
            self.check_keys(item, OVERRIDE_KEYS, path)
            for key in ("key", "value", "reason"):
                if key not in item:
                    self.problem(path, "INP-E009", name=key)
            if isinstance(item.get("value"), str) and _looks_numeric(item["value"]):
                self.problem(
                    _join(path, "value"), "INP-E003", text=item["value"], suggestion=f"{parse_decimal(item['value']):f}"
                )
            if all(k in item for k in ("key", "value", "reason")):
                out.append(
                    ParameterOverride(str(item["key"]), item["value"], str(item["reason"]), str(item.get("by", "")))
                )
        return tuple(out)

    def acknowledgements(self, raw: Any) -> tuple[Acknowledgement, ...]:
        out: list[Acknowledgement] = []
        if not self.expect(raw, list, "acknowledgements", "list"):
            return ()
        for i, item in enumerate(raw):
            path = f"acknowledgements[{i}]"
            if not self.expect(item, dict, path, "object"):
                continue
            self.check_keys(item, ACK_KEYS, path)
            for key in ("code", "path", "justification"):
                if key not in item:
                    self.problem(path, "INP-E009", name=key)
                elif not isinstance(item[key], str):
                    self.problem(_join(path, key), "INP-E002", expected="text", got=_kind(item[key]))
            if all(isinstance(item.get(k), str) for k in ("code", "path", "justification")):
                if not item["justification"].strip():
                    self.problem(
                        _join(path, "justification"),
                        "INP-E015",
                        detail="a warning can only be passed with a written justification",
                    )
                    continue
                out.append(Acknowledgement(item["code"], item["path"], item["justification"], str(item.get("by", ""))))
        return tuple(out)


def _looks_numeric(text: str) -> bool:
    try:
        parse_decimal(text)
    except NumberFormatError:
        return False
    return True


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


MAX_DEPTH = 64  # the report format nests six levels; anything far deeper is not a report
MAX_BYTES = 64 * 1024 * 1024
_STRINGS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')  # a JSON string, its loop unrolled
_BRACKETS = re.compile(r"[\[\]{}]")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def _too_deep(text: str, limit: int = MAX_DEPTH) -> bool:
    """Nesting deeper than ``limit``, found without recursion: the strings taken out, then the running depth
    over the brackets left (all in C: a 50-unit year's file has some 100,000 strings)."""
    brackets = _BRACKETS.findall(_STRINGS.sub("", text))
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0) > limit


def loads(text: str, *, source: str = "") -> Any:
    """Parse JSON with exact decimals, refusing NaN/Infinity; a syntax error becomes an InputError.

    Size and nesting are checked before parsing, so no input can exhaust memory or the stack.
    """
    if len(text) > MAX_BYTES:
        raise InputError(
            [InputProblem("", "INP-E012", {"detail": f"larger than {MAX_BYTES // 1024 // 1024} MB"})], source
        )
    if _too_deep(text):
        raise InputError([InputProblem("", "INP-E017", {"limit": MAX_DEPTH})], source)
    try:
        return json.loads(
            text, parse_float=Decimal, parse_int=Decimal, parse_constant=_reject_constant, object_pairs_hook=_pairs
        )
    except json.JSONDecodeError as exc:
        raise InputError(
            [InputProblem("", "INP-E001", {"line": exc.lineno, "column": exc.colno, "detail": exc.msg})], source
        ) from exc
    except ValueError as exc:
        raise InputError([InputProblem("", "INP-E013", {"text": str(exc).rsplit(" ", 1)[-1]})], source) from exc


def read_report(path: str | Path, form_for: Mapping[str, FormSpec]) -> ReportInput:
    """Read a report file; ``form_for`` maps guideline ids to their forms."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise InputError([InputProblem("", "INP-E012", {"detail": exc.strerror or str(exc)})], str(path)) from exc
    except UnicodeDecodeError as exc:
        raise InputError([InputProblem("", "INP-E012", {"detail": "not UTF-8 text"})], str(path)) from exc
    return parse_report(text, form_for, source=str(path))


def parse_report(text: str, form_for: Mapping[str, FormSpec], *, source: str = "<input>") -> ReportInput:
    doc = loads(text, source=source)
    guideline = doc.get("guideline") if isinstance(doc, dict) else None
    form = form_for.get(str(guideline)) if guideline is not None else None
    reader = _Reader(form or next(iter(form_for.values())))
    if form is None and isinstance(doc, dict):
        # Report the unknown guideline (and nothing form-specific, which would only mislead).
        reader.report({k: v for k, v in doc.items() if k in ("guideline", "data_year")}, tuple(form_for))
        if not reader.problems:
            reader.problem("", "INP-E009", name="guideline")
        raise InputError(reader.problems, source)
    result = reader.report(doc, tuple(form_for))
    if result is None:
        raise InputError(reader.problems, source)
    return result


def dumps_exact(value: Any, indent: int | None = 1, _level: int = 0) -> str:
    """JSON text in which Decimals are written as exact JSON numbers (never through float).

    Laid out as ``json.dumps(..., indent=indent, ensure_ascii=False)`` lays it out; text is quoted by the
    json module's own C quoting (a year's file has some 100,000 strings)."""
    pad = "" if indent is None else "\n" + " " * (indent * (_level + 1))
    end = "" if indent is None else "\n" + " " * (indent * _level)
    if value is None or isinstance(value, bool):
        return "null" if value is None else "true" if value else "false"
    if isinstance(value, str):
        return _quoted(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError("non-finite numbers cannot be written to JSON")
        return f"{value:f}"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, date):
        return _quoted(value.isoformat())
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        level = _level + 1
        items = [f"{pad}{_quoted(str(k))}: {dumps_exact(v, indent, level)}" for k, v in value.items()]
        return "{" + ",".join(items) + end + "}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        level = _level + 1
        return "[" + ",".join(f"{pad}{dumps_exact(v, indent, level)}" for v in value) + end + "]"
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


def report_document(report: ReportInput) -> dict[str, Any]:
    """The inverse of ``parse_report``: a report as the JSON document the CLI reads."""

    def months(unit: UnitRecord) -> list[dict[str, Any]]:
        out = []
        for m in unit.months:
            entry: dict[str, Any] = {"month": Decimal(m.month), **{k: v for k, v in m.values.items() if v is not None}}
            for kind, rows in m.rows.items():
                entry[kind] = [{k: v for k, v in r.values.items() if v is not None} for r in rows]
            if m.evidence:
                entry["evidence"] = [
                    {"kind": e.kind, "file": e.file_name, "sha256": e.sha256, "proves": list(e.proves)}
                    for e in m.evidence
                ]
            if m.deposited_on is not None:
                entry["deposited_on"] = m.deposited_on
            out.append(entry)
        return out

    doc: dict[str, Any] = {
        "format": FORMAT,
        "version": Decimal(FORMAT_VERSION),
        "guideline": report.guideline,
        "data_year": Decimal(report.data_year),
        "entity": {k: v for k, v in report.entity.items() if v is not None},
        **({"year": year} if (year := {k: v for k, v in report.year.items() if v is not None}) else {}),
        "units": [
            {
                **{k: v for k, v in u.values.items() if v is not None},
                "months": months(u),
                **({"year": year} if (year := {k: v for k, v in u.year.items() if v is not None}) else {}),
                **({"declared_annual": dict(u.declared_annual)} if u.declared_annual else {}),
            }
            for u in report.units
        ],
    }
    if report.overrides:
        doc["parameter_overrides"] = [
            {"key": o.key, "value": o.value, "reason": o.reason, **({"by": o.by} if o.by else {})}
            for o in report.overrides
        ]
    if report.acknowledgements:
        doc["acknowledgements"] = [
            {"code": a.code, "path": a.path, "justification": a.justification, **({"by": a.by} if a.by else {})}
            for a in report.acknowledgements
        ]
    return doc
