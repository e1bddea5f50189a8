"""Read a form file and check it, collecting every problem before reporting.

A broken form is a broken product: the loader refuses it whole and lists all that is wrong, so the
person editing it fixes everything in one round.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from desktop.formspec.model import (
    BASE_SCOPES,
    DEFAULT_DIGITS,
    DEFAULT_MAX_MAGNITUDE,
    FIELD_TYPES,
    OUTER_UNIT,
    EnumOption,
    EnumSpec,
    EvidenceKind,
    FieldSpec,
    FormSpec,
    RowKind,
)

_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_CODE = re.compile(r"^[A-Z]{2,5}-[EWI]\d{3}$")
_FIELD_KEYS = {
    "digits",
    "max_magnitude",
    "id",
    "label_zh",
    "label_en",
    "type",
    "required",
    "required_when",
    "applies_when",
    "unit",
    "unit_from",
    "min",
    "max",
    "max_exclusive",
    "range_code",
    "enum",
    "help_zh",
    "help_en",
    "clause",
    "evidence",
    "evidence_blocking",
    "group",
    "places",
}
_FORM_KEYS = {
    "id",
    "version",
    "title_zh",
    "title_en",
    "guideline_zh",
    "guideline_en",
    "missing_code",
    "evidence_code",
    "evidence_blocking_code",
    "unit_zh",
    "unit_en",
    "sector_zh",
    "sector_en",
}
_EVIDENCE_KIND_KEYS = {
    "label_zh",
    "label_en",
    "record",
    "record_scope",
    "record_required",
    "record_in_order",
    "whole_row",
}
_TOP_KEYS = {"form", "evidence_kinds", "groups", "enums", "clauses", "row_kinds", *BASE_SCOPES}


class FormSpecError(ValueError):
    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = tuple(problems)
        listing = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{source}: {len(problems)} problem(s) in the form definition:\n{listing}")


def load_form(path: str | Path) -> FormSpec:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FormSpecError(str(path), [f"cannot read the file: {exc}"]) from exc
    return parse_form(text, source=str(path))


def parse_form(text: str, *, source: str = "<form>") -> FormSpec:
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise FormSpecError(source, [f"not valid TOML: {exc}"]) from exc
    problems: list[str] = []
    form = _build(data, problems)
    if problems or form is None:
        raise FormSpecError(source, problems or ["empty form"])
    return form


def _text(table: Mapping[str, Any], key: str, where: str, problems: list[str], *, required: bool = True) -> str:
    value = table.get(key)
    if value is None:
        if required:
            problems.append(f"{where}: '{key}' is missing")
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        problems.append(f"{where}: '{key}' must be non-empty text")
        return ""
    return value


def _labelled(table: Any, where: str, problems: list[str]) -> tuple[str, str]:
    if not isinstance(table, Mapping):
        problems.append(f"{where}: must be a table with label_zh and label_en")
        return ("", "")
    return (_text(table, "label_zh", where, problems), _text(table, "label_en", where, problems))


def _row_kinds(data: Mapping[str, Any], problems: list[str]) -> tuple[RowKind, ...]:
    """The tables of rows each month holds: [[row_kinds]] id (JSON key), scope (its [[scope]] fields), key."""
    kinds: list[RowKind] = []
    raw = data.get("row_kinds") or []
    if not isinstance(raw, list):
        problems.append("[[row_kinds]] must be a list of tables")
        return ()
    for i, table in enumerate(raw):
        where = f"[[row_kinds]] #{i + 1}"
        if not isinstance(table, Mapping):
            problems.append(f"{where}: must be a table")
            continue
        kind_id, scope = _text(table, "id", where, problems), _text(table, "scope", where, problems)
        row_key = _text(table, "key", where, problems)
        zh, en = _labelled(table, where, problems)
        for key in table:
            if key not in {"id", "scope", "key", "label_zh", "label_en"}:
                problems.append(f"{where}: unknown key '{key}'")
        if (kind_id and not _ID.match(kind_id)) or (scope and not _ID.match(scope)):
            problems.append(f"{where}: id and scope must be lower_snake_case")
        elif scope in BASE_SCOPES:
            problems.append(f"{where}: scope '{scope}' is a scope of its own, not of rows")
        elif any(k.id == kind_id or k.scope == scope for k in kinds):
            problems.append(f"{where}: row kind '{kind_id}' or scope '{scope}' declared twice")
        else:
            kinds.append(RowKind(kind_id, scope, row_key, zh, en))
    return tuple(kinds)


def _build(data: Mapping[str, Any], problems: list[str]) -> FormSpec | None:
    row_kinds = _row_kinds(data, problems)
    for key in data:
        if key not in _TOP_KEYS and key not in {k.scope for k in row_kinds}:
            problems.append(f"unknown top-level key '{key}'")
    head = data.get("form")
    if not isinstance(head, Mapping):
        problems.append("[form] table is missing")
        head = {}
    for key in head:
        if key not in _FORM_KEYS:
            problems.append(f"[form]: unknown key '{key}'")
    form_id = _text(head, "id", "[form]", problems)
    codes = {}
    for key in ("missing_code", "evidence_code", "evidence_blocking_code"):
        codes[key] = _text(head, key, "[form]", problems)
        if codes[key] and not _CODE.match(codes[key]):
            problems.append(f"[form]: {key} '{codes[key]}' is not a code like PWR-E001")

    evidence_kinds: dict[str, EvidenceKind] = {}
    for kind, table in (data.get("evidence_kinds") or {}).items():
        where = f"[evidence_kinds.{kind}]"
        zh, en = _labelled(table, where, problems)
        if not isinstance(table, Mapping):
            continue
        unknown = set(table) - _EVIDENCE_KIND_KEYS
        if unknown:
            problems.append(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
        lists = {}
        for key in ("record", "record_required", "record_in_order"):
            value = table.get(key, [])
            if not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
                problems.append(f"{where}: '{key}' must be a list of field ids")
                value = []
            lists[key] = tuple(value)
        record_scope = table.get("record_scope")
        if lists["record"] and not isinstance(record_scope, str):
            problems.append(f"{where}: a 'record' needs the 'record_scope' whose fields it names")
        for key in ("record_required", "record_in_order"):
            stray = [f for f in lists[key] if f not in lists["record"]]
            if stray:
                problems.append(f"{where}: '{key}' names {', '.join(stray)}, not in its 'record'")
        whole_row = table.get("whole_row", False)
        if not isinstance(whole_row, bool):
            problems.append(f"{where}: 'whole_row' must be true or false")
            whole_row = False
        evidence_kinds[kind] = EvidenceKind(
            kind,
            zh,
            en,
            record=lists["record"],
            record_scope=record_scope if isinstance(record_scope, str) else None,
            record_required=lists["record_required"],
            record_in_order=lists["record_in_order"],
            whole_row=whole_row,
        )
    groups: dict[str, tuple[str, str]] = {}
    for i, table in enumerate(data.get("groups") or []):
        where = f"[[groups]] #{i + 1}"
        gid = _text(table, "id", where, problems)
        if gid in groups:
            problems.append(f"{where}: group '{gid}' declared twice")
        groups[gid] = _labelled(table, where, problems)

    enums: dict[str, EnumSpec] = {}
    for name, table in (data.get("enums") or {}).items():
        where = f"[enums.{name}]"
        zh, en = _labelled(table, where, problems)
        options: list[EnumOption] = []
        seen: set[str] = set()
        for j, opt in enumerate(table.get("options") or [] if isinstance(table, Mapping) else []):
            owhere = f"{where} option #{j + 1}"
            oid = _text(opt, "id", owhere, problems)
            if oid in seen:
                problems.append(f"{owhere}: option '{oid}' declared twice")
            seen.add(oid)
            ozh, oen = _labelled(opt, owhere, problems)
            attrs = {k: v for k, v in opt.items() if k not in {"id", "label_zh", "label_en"}}
            options.append(EnumOption(oid, ozh, oen, attrs))
        if not options:
            problems.append(f"{where}: has no options")
        enums[name] = EnumSpec(name, zh, en, tuple(options))

    scopes: dict[str, tuple[FieldSpec, ...]] = {}
    for scope in (*BASE_SCOPES, *(k.scope for k in row_kinds)):
        specs: list[FieldSpec] = []
        seen_ids: set[str] = set()
        for i, table in enumerate(data.get(scope) or []):
            where = f"[[{scope}]] #{i + 1}" + (f" '{table.get('id')}'" if isinstance(table, Mapping) else "")
            spec = _field(scope, table, where, problems, enums, groups, evidence_kinds)
            if spec is None:
                continue
            if spec.id in seen_ids:
                problems.append(f"{where}: field id '{spec.id}' declared twice in {scope}")
            seen_ids.add(spec.id)
            specs.append(spec)
        scopes[scope] = tuple(specs)

    # Cross-field references can only be checked once every field of the scope is known.
    for scope, specs in scopes.items():
        by_id = {s.id: s for s in specs}
        for spec in specs:
            conditions = {**spec.required_when, **spec.applies_when}
            refs = list(conditions) + ([spec.unit_from] if spec.unit_from else [])
            for written in refs:
                where = f"[[{scope}]] '{spec.id}'"
                lookup, ref = by_id, written
                if written.startswith(OUTER_UNIT) and written in conditions:
                    if scope in ("entity", "year", "unit"):
                        problems.append(f"{where}: '{written}' names a unit field, but {scope} items belong to no unit")
                        continue
                    lookup = {s.id: s for s in scopes.get("unit", ())}
                    ref = written[len(OUTER_UNIT) :]
                field_id, dot, attr = ref.partition(".")
                target = lookup.get(field_id)
                if target is None:
                    problems.append(f"{where}: refers to unknown field '{field_id}'")
                elif dot:
                    enum = enums.get(target.enum or "")
                    if enum is None:
                        problems.append(f"{where}: '{ref}' needs '{field_id}' to be an enum field")
                    elif not any(attr in o.attrs for o in enum.options):
                        problems.append(f"{where}: no option of enum '{enum.id}' has attribute '{attr}'")
    if not scopes.get("entity"):
        problems.append("the form declares no [[entity]] fields")
    for kind_id, ek in evidence_kinds.items():
        if ek.record_scope is None:
            continue
        declared = {s.id: s for s in scopes.get(ek.record_scope, ())}
        if not declared:
            problems.append(f"[evidence_kinds.{kind_id}]: record_scope '{ek.record_scope}' has no fields")
            continue
        for fid in ek.record:
            if fid not in declared:
                problems.append(
                    f"[evidence_kinds.{kind_id}]: record field '{fid}' is not a [[{ek.record_scope}]] field"
                )
        for fid in ek.record_in_order:
            if fid in declared and declared[fid].type != "date":
                problems.append(f"[evidence_kinds.{kind_id}]: '{fid}' in record_in_order is not a date field")
    for kind in row_kinds:
        if not scopes.get(kind.scope):
            problems.append(f"row kind '{kind.id}': no [[{kind.scope}]] fields")
        elif kind.key not in {f.id for f in scopes[kind.scope]}:
            problems.append(f"row kind '{kind.id}': its key '{kind.key}' is not a [[{kind.scope}]] field")
    clauses = data.get("clauses", {})
    if not isinstance(clauses, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in clauses.items()
    ):
        problems.append("[clauses]: each clause (as published) maps to its English text")
        clauses = {}
    for specs in scopes.values():
        for spec in specs:
            if spec.clause and spec.clause not in clauses:
                problems.append(f"{spec.scope}.{spec.id}: clause '{spec.clause}' has no English text in [clauses]")
    if form_id and not _ID.match(form_id):
        problems.append(f"[form]: id '{form_id}' must be lower_snake_case")
    if problems:
        return None
    return FormSpec(
        id=form_id,
        version=str(head.get("version", "1")),
        title_zh=_text(head, "title_zh", "[form]", problems),
        title_en=_text(head, "title_en", "[form]", problems),
        guideline_zh=str(head.get("guideline_zh", "")),
        guideline_en=str(head.get("guideline_en", "")),
        sector_zh=str(head.get("sector_zh", head.get("title_zh", ""))),
        sector_en=str(head.get("sector_en", head.get("title_en", ""))),
        unit_zh=str(head.get("unit_zh", "单元")),
        unit_en=str(head.get("unit_en", "unit")),
        missing_code=codes["missing_code"],
        evidence_code=codes["evidence_code"],
        evidence_blocking_code=codes["evidence_blocking_code"],
        evidence_kinds=evidence_kinds,
        groups=groups,
        enums=enums,
        scopes=scopes,
        clauses=dict(clauses),
        row_kinds=row_kinds,
    )


def _decimal(value: Any, key: str, where: str, problems: list[str]) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        problems.append(f"{where}: '{key}' must be a number")
        return None
    return Decimal(value)


def _field(
    scope: str,
    table: Any,
    where: str,
    problems: list[str],
    enums: Mapping[str, EnumSpec],
    groups: Mapping[str, Any],
    evidence_kinds: Mapping[str, Any],
) -> FieldSpec | None:
    if not isinstance(table, Mapping):
        problems.append(f"{where}: must be a table")
        return None
    for key in table:
        if key not in _FIELD_KEYS:
            problems.append(f"{where}: unknown key '{key}'")
    fid = _text(table, "id", where, problems)
    if fid and not _ID.match(fid):
        problems.append(f"{where}: id '{fid}' must be lower_snake_case")
    zh = _text(table, "label_zh", where, problems)
    en = _text(table, "label_en", where, problems)
    ftype = _text(table, "type", where, problems)
    if ftype and ftype not in FIELD_TYPES:
        problems.append(f"{where}: type '{ftype}' is not one of {', '.join(FIELD_TYPES)}")
    enum = table.get("enum")
    if ftype == "enum" and enum not in enums:
        problems.append(f"{where}: enum '{enum}' is not declared under [enums]")
    if ftype != "enum" and enum is not None:
        problems.append(f"{where}: 'enum' given for a field of type '{ftype}'")
    required = table.get("required", False)
    if not isinstance(required, bool):
        problems.append(f"{where}: 'required' must be true or false")
        required = False
    required_when = table.get("required_when", {})
    if not isinstance(required_when, Mapping):
        problems.append(f"{where}: 'required_when' must be a table")
        required_when = {}
    applies_when = table.get("applies_when", {})
    if not isinstance(applies_when, Mapping):
        problems.append(f"{where}: 'applies_when' must be a table")
        applies_when = {}
    low = _decimal(table.get("min"), "min", where, problems)
    high = _decimal(table.get("max"), "max", where, problems)
    if low is not None and high is not None and low > high:
        problems.append(f"{where}: min {low} is above max {high}")
    range_code = table.get("range_code")
    if (low is not None or high is not None) and not range_code:
        problems.append(f"{where}: a range needs a 'range_code'")
    if range_code is not None and not (isinstance(range_code, str) and _CODE.match(range_code)):
        problems.append(f"{where}: range_code '{range_code}' is not a code like PWR-E002")
    if (low is not None or high is not None) and ftype not in {"decimal", "integer"}:
        problems.append(f"{where}: a range is only meaningful on numbers")
    if table.get("unit") and table.get("unit_from"):
        problems.append(f"{where}: give 'unit' or 'unit_from', not both")
    group = table.get("group", "")
    if group and group not in groups:
        problems.append(f"{where}: group '{group}' is not declared under [[groups]]")
    evidence = table.get("evidence")
    if evidence is not None and evidence not in evidence_kinds:
        problems.append(f"{where}: evidence kind '{evidence}' is not declared under [evidence_kinds]")
    evidence_blocking = table.get("evidence_blocking", False)
    if not isinstance(evidence_blocking, bool) or (evidence_blocking and evidence is None):
        problems.append(f"{where}: 'evidence_blocking' must be true or false, and needs 'evidence'")
    places = table.get("places")
    if places is not None and (isinstance(places, bool) or not isinstance(places, int) or places < 0):
        problems.append(f"{where}: 'places' must be a whole number ≥ 0")
    digits = table.get("digits", DEFAULT_DIGITS)
    if isinstance(digits, bool) or not isinstance(digits, int) or not 1 <= digits <= DEFAULT_DIGITS:
        problems.append(f"{where}: 'digits' must be a whole number from 1 to {DEFAULT_DIGITS}")
        digits = DEFAULT_DIGITS
    magnitude = _decimal(table.get("max_magnitude"), "max_magnitude", where, problems) or DEFAULT_MAX_MAGNITUDE
    if ("digits" in table or "max_magnitude" in table) and ftype not in {"decimal", "integer"}:
        problems.append(f"{where}: 'digits' and 'max_magnitude' are only meaningful on numbers")
    return FieldSpec(
        id=fid,
        scope=scope,
        label_zh=zh,
        label_en=en,
        type=ftype,
        required=required,
        required_when=dict(required_when),
        applies_when=dict(applies_when),
        unit=table.get("unit"),
        unit_from=table.get("unit_from"),
        min=low,
        max=high,
        max_exclusive=bool(table.get("max_exclusive", False)),
        range_code=range_code,
        enum=enum,
        help_zh=str(table.get("help_zh", "")),
        help_en=str(table.get("help_en", "")),
        clause=str(table.get("clause", "")),
        evidence=evidence,
        evidence_blocking=evidence_blocking is True,
        group=str(group),
        places=places,
        digits=digits,
        max_magnitude=magnitude,
    )
