"""The calculated report as JSON: every figure with its provenance, every finding in both languages.

Format ``carbondesk.results`` version 1 (schema: ``resources/schemas/results.schema.json``, made by
``carbondesk schema --results``).  Numbers are decimal strings:

- ``value`` is the figure at the precision declared for display (the figure's places in the guideline,
  the data item's places in the form; a parameter as the pack states it; 6 decimals at most otherwise);
- ``exact`` is added where the exact value matters -- the annual figures and the entity's totals, which a
  verifier re-adds from months -- when it differs from ``value``; it is cut to 12 decimals, beyond any
  measurement's precision.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from desktop.domain.findings import Finding, Message, render
from desktop.domain.records import ReportInput
from desktop.engine.provenance import INPUT, PARAM, Figure, to_dict
from desktop.engine.results import FigureInfo, ReportResult
from desktop.formspec import FormSpec

FORMAT = "carbondesk.results"
VERSION = 1
DEFAULT_PLACES = 6
EXACT_PLACES = 12
_FIELD = re.compile(r"(?:fuels\[\d+\]\.)?(\w+)$")


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _rounded(value: Decimal, places: int) -> str:
    if not value.is_finite():
        return str(value)
    return f"{value.quantize(Decimal(1).scaleb(-places)):f}"


def places_of(figures: Mapping[str, FigureInfo], form: FormSpec | None) -> Callable[[Figure], int | None]:
    """The declared display precision of a figure (None: shown as stated, e.g. a pack parameter)."""
    specs: dict[str, int | None] = {}
    if form is not None:
        for scope in ("month", "fuel"):
            for spec in form.fields(scope):
                specs.setdefault(spec.id, spec.places)

    def places(figure: Figure) -> int | None:
        if figure.formula == PARAM:
            return None
        if figure.formula == INPUT:
            match = _FIELD.search(figure.source or "")
            declared = specs.get(match.group(1)) if match else None
            return declared if declared is not None else DEFAULT_PLACES
        info = figures.get(figure.name)
        return info.places if info is not None else DEFAULT_PLACES

    return places


def figure_dict(
    figure: Figure, places: Callable[[Figure], int | None], *, depth: int = 99, exact: bool = False
) -> dict[str, Any]:
    """A figure with its provenance down to ``depth``; ``exact`` adds the exact value where it differs."""

    def numbers(fig: Figure, top: bool) -> dict[str, Any]:
        value = fig.value
        if not isinstance(value, Decimal):
            return {"value": None if value is None else str(value)}
        wanted = places(fig)
        shown = f"{value.normalize():f}" if wanted is None else _rounded(value, wanted)
        out: dict[str, Any] = {"value": shown}
        if exact and top and wanted is not None:
            precise = _rounded(value, EXACT_PLACES).rstrip("0").rstrip(".")
            if Decimal(precise) != Decimal(shown):
                out["exact"] = precise
        return out

    return to_dict(figure, depth=depth, numbers=numbers)


def _figures(
    figures: Mapping[str, Figure], depth: int, places: Callable[[Figure], int | None], *, exact: bool = False
) -> dict[str, Any]:
    return {name: figure_dict(fig, places, depth=depth, exact=exact) for name, fig in figures.items()}


def finding_dict(f: Finding, messages: Mapping[str, Message]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "code": f.code,
        "severity": f.severity.value,
        "path": f.ref.path,
        "unit": f.ref.unit,
        "month": f.ref.month,
        "row": f.ref.row,
        "rows": f.ref.rows if f.ref.row is not None else None,
        "field": f.ref.field,
        "clause": f.clause,
        "params": _plain(dict(f.params)),
        "message": {"zh": render(f, messages, "zh"), "en": render(f, messages, "en")},
    }
    if f.acknowledged is not None:
        out["acknowledged"] = {"justification": f.acknowledged.justification, "by": f.acknowledged.by}
    return out


def result_document(
    *,
    report: ReportInput,
    result: ReportResult,
    findings: Iterable[Finding],
    messages: Mapping[str, Message],
    depth: int = 99,
    figures: Mapping[str, FigureInfo] | None = None,
    form: FormSpec | None = None,
) -> dict[str, Any]:
    findings = list(findings)
    places = places_of(figures or {}, form)
    return {
        "format": FORMAT,
        "version": VERSION,
        "guideline": result.guideline,
        "data_year": result.data_year,
        "parameter_pack": result.pack_label,
        "entity": _plain(dict(report.entity)),
        "units": [
            {
                "id": unit.unit_id,
                "tags": _plain(dict(unit.tags)),
                "missing_parameters": list(unit.missing_parameters),
                "months": [
                    {
                        "month": month.month,
                        "figures": _figures(month.figures, depth, places),
                        "rows": [
                            {
                                "index": row.index,
                                "kind": row.kind,
                                "tags": _plain(dict(row.tags)),
                                "figures": _figures(row.figures, depth, places),
                            }
                            for row in month.rows
                        ],
                    }
                    for month in unit.months
                ],
                "annual": _figures(unit.annual, depth, places, exact=True),
            }
            for unit in result.units
        ],
        "totals": _figures(result.totals, depth, places, exact=True),
        "findings": [finding_dict(f, messages) for f in findings],
        "summary": {
            "errors": sum(f.severity.value == "error" for f in findings),
            "warnings": sum(f.severity.value == "warning" for f in findings),
            "warnings_acknowledged": sum(
                f.severity.value == "warning" and f.acknowledged is not None for f in findings
            ),
            "info": sum(f.severity.value == "info" for f in findings),
        },
    }
