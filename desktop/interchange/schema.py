"""JSON Schema (draft 2020-12) of the report input, generated from the guideline's form.

The committed copy in resources/schemas/ is checked against this generator by the tests, so the
published schema and the reader cannot drift apart.
"""

from __future__ import annotations

import re
from typing import Any

from desktop.domain.periods import DATA_YEAR_MIN
from desktop.formspec import FieldSpec, FormSpec
from desktop.interchange import report_json


def _field_schema(form: FormSpec, spec: FieldSpec) -> dict[str, Any]:
    out: dict[str, Any] = {"title": f"{spec.label_zh} / {spec.label_en}"}
    description = " ".join(
        x
        for x in (
            spec.help_en,
            f"Unit: {form.unit_of(spec)}." if form.unit_of(spec) else "",
            f"Clause: {form.clause_text(spec.clause, 'en')}." if spec.clause else "",
        )
        if x
    )
    if description:
        out["description"] = description
    if spec.type in ("decimal", "integer"):
        out["type"] = ["number", "null"] if spec.type == "decimal" else ["integer", "null"]
        if spec.min is not None:
            out["minimum"] = float(spec.min) if spec.min != int(spec.min) else int(spec.min)
        if spec.max is not None:
            key = "exclusiveMaximum" if spec.max_exclusive else "maximum"
            out[key] = float(spec.max) if spec.max != int(spec.max) else int(spec.max)
    elif spec.type == "bool":
        out["type"] = ["boolean", "null"]
    elif spec.type == "date":
        out["type"] = ["string", "null"]
        out["format"] = "date"
        out["pattern"] = r"^\d{4}-\d{2}-\d{2}$"
    elif spec.type == "enum":
        out["enum"] = [*form.enums[spec.enum or ""].ids, None]
    else:
        out["type"] = ["string", "null"]
    return out


def _object(form: FormSpec, scope: str, extra: dict[str, Any], required: list[str]) -> dict[str, Any]:
    props = {s.id: _field_schema(form, s) for s in form.fields(scope)}
    props.update(extra)
    return {"type": "object", "additionalProperties": False, "properties": props, "required": required}


def _places_pattern(form: FormSpec) -> str:
    """The places of a month the form has, as the evidence type checks them (``EVIDENCE.check_place``)."""
    month = "|".join(re.escape(s.id) for s in form.fields("month"))
    rows = [
        rf"{re.escape(k.id)}\[\d{{1,6}}\](?:\.(?:{'|'.join(re.escape(s.id) for s in form.fields(k.scope))}))?"
        for k in form.row_kinds
    ]
    return "^(?:" + "|".join([*([month] if month else []), *rows]) + ")$"


def _row_example(form: FormSpec) -> str:
    kind = form.row_kinds[0] if form.row_kinds else None
    return f"{kind.id}[0].{form.fields(kind.scope)[-1].id}" if kind else "-"


def input_schema(form: FormSpec) -> dict[str, Any]:
    evidence = {
        "type": "object",
        "additionalProperties": False,
        "required": ["kind", "file", "sha256"],
        "properties": {
            "kind": {"enum": list(form.evidence_kinds)},
            "file": {"type": "string"},
            "sha256": {"type": "string", "pattern": "^[0-9a-fA-F]{64}$"},
            "proves": {
                "type": "array",
                "items": {"type": "string", "pattern": _places_pattern(form)},
                "description": "places within the month the scan backs: a month field (e.g. "
                f"{form.fields('month')[0].id}), a field of a row ({_row_example(form)}) or a whole row "
                f"({_row_example(form).split('.')[0]}), which covers every field of that row",
            },
        },
    }
    rows = {  # each table of rows the form declares; a row must say what it is (its key field)
        kind.id: {"type": "array", "items": _object(form, kind.scope, {}, [kind.key])} for kind in form.row_kinds
    }
    month = _object(
        form,
        "month",
        {
            "month": {"type": "integer", "minimum": 1, "maximum": 12},
            **rows,
            "evidence": {"type": "array", "items": evidence},
            "deposited_on": {"type": ["string", "null"], "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
        },
        ["month"],
    )
    numeric_month = [s.id for s in form.fields("month") if s.type == "decimal"]
    unit = _object(
        form,
        "unit",
        {
            "months": {"type": "array", "items": month},
            **({"year": _object(form, "unit_year", {}, [])} if form.fields("unit_year") else {}),
            "declared_annual": {
                "type": "object",
                "additionalProperties": False,
                "properties": {k: {"type": "number"} for k in numeric_month},
                "description": "annual figures as stated in the annual report; checked against the sum of months",
            },
        },
        ["id"],
    )
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://carbondesk.invalid/schemas/{form.id}.input.schema.json",
        "title": f"CarbonDesk report input — {form.title_en}",
        "description": "One reporting entity, its units and one data year. Numbers are JSON numbers "
        "(never quoted); dates are YYYY-MM-DD; unknown keys are refused.",
        "type": "object",
        "additionalProperties": False,
        "required": ["guideline", "data_year", "entity"],
        "properties": {
            "format": {"const": report_json.FORMAT},
            "version": {"const": report_json.FORMAT_VERSION},
            "guideline": {"const": form.id},
            "data_year": {
                "type": "integer",
                "minimum": DATA_YEAR_MIN,
                "description": "the reader also refuses a year after the running year's next",
            },
            "entity": _object(form, "entity", {}, []),
            **({"year": _object(form, "year", {}, [])} if form.fields("year") else {}),
            "units": {"type": "array", "items": unit},
            "parameter_overrides": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["key", "value", "reason"],
                    "properties": {
                        "key": {
                            "type": "string",
                            "description": "parameter-pack key, e.g. benchmark.electricity.coal_gt300",
                        },
                        "value": {"type": ["number", "string", "boolean"]},
                        "reason": {"type": "string", "minLength": 1},
                        "by": {"type": "string"},
                    },
                },
            },
            "acknowledgements": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["code", "path", "justification"],
                    "properties": {
                        "code": {"type": "string", "pattern": "^[A-Z]{2,5}-W\\d{3}$"},
                        "path": {"type": "string", "description": "the finding's path, e.g. units[1#].months[3].ncv"},
                        "justification": {"type": "string", "minLength": 1},
                        "by": {"type": "string"},
                    },
                },
            },
        },
    }


def result_schema() -> dict[str, Any]:
    """JSON Schema of ``results.json`` (format ``carbondesk.results``, version 3)."""
    decimal = {"type": ["string", "null"], "pattern": r"^-?\d+(\.\d+)?$"}
    parameter = {
        "type": "object",
        "required": ["key", "confidence", "source"],
        "properties": {
            "key": {"type": "string"},
            "confidence": {"enum": ["C1", "C2", "U", "missing", "user"]},
            "source": {"type": "string"},
            "note": {"type": "string"},
            "override_reason": {"type": "string"},
            "original_value": {},
        },
    }
    kind: dict[str, Any] = {
        "type": "object",
        "description": "a kind of figure, written once: what every node of that kind is",
        "required": ["name", "unit", "formula"],
        "additionalProperties": False,
        "properties": {
            "name": {"type": "string"},
            "unit": {"type": "string"},
            "formula": {"type": "string", "description": "formula code, or input / param / const"},
            "expression": {"type": "string"},
        },
    }
    node: dict[str, Any] = {
        "type": "object",
        "description": "a figure of the year, written once: its kind (an index in 'kinds'), its value, and "
        "its tree through 'inputs' (ids of other nodes)",
        "required": ["kind", "value"],
        "additionalProperties": False,
        "properties": {
            "kind": {"type": "integer", "minimum": 0},
            "value": {
                "description": "at the precision declared for display (see the module's documentation)",
                "type": ["string", "null"],
            },
            "source": {"type": "string", "description": "data item path of an input; pack of a parameter"},
            "parameter": {"type": "string", "description": "key of the pack parameter (see 'parameters')"},
            "inputs": {"type": "array", "items": {"type": "integer", "minimum": 0}},
        },
    }
    figure: dict[str, Any] = {
        "type": "object",
        "description": "an annual figure or a total: its value and 'node', its tree in 'nodes' (whose kind "
        "gives its unit and formula)",
        "required": ["value", "node"],
        "additionalProperties": False,
        "properties": {
            "value": {
                "description": "at the precision declared for display (see the module's documentation)",
                "type": ["string", "null"],
            },
            "exact": {**decimal, "description": "the exact value (12 decimals at most) where it matters"},
            "node": {"type": "integer", "minimum": 0},
        },
    }
    figures = {"type": "object", "additionalProperties": {"$ref": "#/$defs/figure"}}
    month_figures = {
        "type": "object",
        "description": "a month's or a row's figures by name: the id of each one's node in 'nodes'",
        "additionalProperties": {"type": "integer", "minimum": 0},
    }
    finding = {
        "type": "object",
        "required": ["code", "severity", "path", "message"],
        "properties": {
            "code": {"type": "string", "pattern": "^[A-Z]+-[EWI][0-9]{3}$"},
            "severity": {"enum": ["error", "warning", "info"]},
            "path": {"type": "string"},
            "unit": {"type": ["string", "null"]},
            "month": {"type": ["integer", "null"], "minimum": 1, "maximum": 12},
            "row": {"type": ["integer", "null"]},
            "rows": {"type": ["string", "null"], "description": "the row kind the row index counts in (fuels, ...)"},
            "field": {"type": ["string", "null"]},
            "clause": {"type": "string"},
            "params": {"type": "object"},
            "message": {
                "type": "object",
                "required": ["zh", "en"],
                "properties": {"zh": {"type": "string"}, "en": {"type": "string"}},
            },
            "acknowledged": {"type": "object"},
        },
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://carbondesk.example/schemas/results.schema.json",
        "title": "CarbonDesk calculated report (results.json)",
        "type": "object",
        "required": [
            "format",
            "version",
            "guideline",
            "data_year",
            "parameter_pack",
            "units",
            "totals",
            "findings",
            "kinds",
            "nodes",
            "parameters",
        ],
        "properties": {
            "format": {"const": "carbondesk.results"},
            "version": {"const": 3},
            "guideline": {"type": "string"},
            "data_year": {"type": "integer"},
            "parameter_pack": {"type": "string"},
            "entity": {"type": "object"},
            "units": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "months", "annual"],
                    "properties": {
                        "id": {"type": "string"},
                        "tags": {"type": "object"},
                        "missing_parameters": {"type": "array", "items": {"type": "string"}},
                        "months": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["month", "figures"],
                                "properties": {
                                    "month": {"type": "integer", "minimum": 1, "maximum": 12},
                                    "figures": month_figures,
                                    "rows": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "required": ["index", "kind", "figures"],
                                            "properties": {"figures": month_figures},
                                        },
                                    },
                                },
                            },
                        },
                        "annual": figures,
                    },
                },
            },
            "totals": figures,
            "findings": {"type": "array", "items": finding},
            "summary": {"type": "object"},
            "kinds": {"type": "array", "items": {"$ref": "#/$defs/kind"}},
            "nodes": {"type": "array", "items": {"$ref": "#/$defs/node"}},
            "parameters": {"type": "object", "additionalProperties": parameter},
        },
        "$defs": {"figure": figure, "kind": kind, "node": node},
    }
