"""The calculated report as JSON: every figure with its provenance, every finding in both languages.

Format ``carbondesk.results`` version 2 (schema: ``resources/schemas/results.schema.json``, made by
``carbondesk schema --results``).  Provenance is by reference: ``nodes`` lists every figure of the year
once (its value, unit, formula, and the ids of the nodes it was made from), ``parameters`` every pack
parameter once; a figure of a month, a year or the totals names its ``node``, so a tree shared by many
figures is written once.  A reader rebuilds any figure's tree by following ``inputs``.  Numbers are
decimal strings:

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
from desktop.engine.provenance import INPUT, PARAM, Figure, parameter_dict
from desktop.engine.results import FigureInfo, ReportResult
from desktop.formspec import FormSpec

FORMAT = "carbondesk.results"
VERSION = 2
DEFAULT_PLACES = 6
EXACT_PLACES = 12
_FIELD = re.compile(r"(\w+)$")  # the data item at the end of an input's path


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
        for scope in form.scopes:
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


class _Nodes:
    """Every figure of a result once: a node per distinct figure, a parameter per pack key."""

    def __init__(self, places: Callable[[Figure], int | None]) -> None:
        self.places = places
        self.nodes: list[dict[str, Any]] = []
        self.parameters: dict[str, dict[str, Any]] = {}
        self._by_identity: dict[int, int] = {}
        self._by_value: dict[Figure, int] = {}  # leaves (inputs, parameters, constants) made more than once
        self._kept: list[Figure] = []  # keeps every figure alive, so that no identity is reused

    def value(self, fig: Figure, *, exact: bool = False) -> dict[str, Any]:
        value = fig.value
        if not isinstance(value, Decimal):
            return {"value": None if value is None else str(value)}
        wanted = self.places(fig)
        shown = f"{value.normalize():f}" if wanted is None else _rounded(value, wanted)
        out: dict[str, Any] = {"value": shown}
        if exact and wanted is not None:
            precise = _rounded(value, EXACT_PLACES).rstrip("0").rstrip(".")
            if Decimal(precise) != Decimal(shown):
                out["exact"] = precise
        return out

    def node(self, fig: Figure) -> int:
        """The id of the figure's node, made (with its inputs' nodes) the first time it is met."""
        found = self._by_identity.get(id(fig))
        if found is not None:
            return found
        leaf = not fig.inputs
        if leaf:
            found = self._by_value.get(fig)
            if found is not None:
                self._by_identity[id(fig)] = found
                self._kept.append(fig)
                return found
        stack: list[tuple[Figure, bool]] = [(fig, False)]
        while stack:  # iterative: a year's trees are deep enough to exhaust Python's recursion
            current, expanded = stack.pop()
            if id(current) in self._by_identity:
                continue
            if not expanded:
                stack.append((current, True))
                stack.extend((c, False) for c in current.inputs if id(c) not in self._by_identity)
                continue
            self._add(current)
        return self._by_identity[id(fig)]

    def _add(self, fig: Figure) -> None:
        if not fig.inputs:
            known = self._by_value.get(fig)
            if known is not None:
                self._by_identity[id(fig)] = known
                self._kept.append(fig)
                return
        entry: dict[str, Any] = {"name": fig.name, **self.value(fig), "unit": fig.unit, "formula": fig.formula}
        if fig.expression:
            entry["expression"] = fig.expression
        if fig.source:
            entry["source"] = fig.source
        if fig.parameter is not None:
            entry["parameter"] = fig.parameter.key
            self.parameters.setdefault(fig.parameter.key, parameter_dict(fig.parameter))
        if fig.inputs:
            entry["inputs"] = [self._by_identity[id(c)] for c in fig.inputs]
        number = len(self.nodes)
        self.nodes.append(entry)
        self._by_identity[id(fig)] = number
        self._kept.append(fig)
        if not fig.inputs:
            self._by_value[fig] = number

    def figures(self, figures: Mapping[str, Figure], *, exact: bool = False) -> dict[str, Any]:
        """A result's figures by name: value (and exact value), unit, formula and the node of their tree."""
        out: dict[str, Any] = {}
        for name, fig in figures.items():
            number = self.node(fig)
            shown = self.value(fig, exact=True) if exact else {"value": self.nodes[number]["value"]}
            out[name] = {**shown, "unit": fig.unit, "formula": fig.formula, "node": number}
        return out


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
    figures: Mapping[str, FigureInfo] | None = None,
    form: FormSpec | None = None,
) -> dict[str, Any]:
    findings = list(findings)
    nodes = _Nodes(places_of(figures or {}, form))
    doc = {
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
                        "figures": nodes.figures(month.figures),
                        "rows": [
                            {
                                "index": row.index,
                                "kind": row.kind,
                                "tags": _plain(dict(row.tags)),
                                "rows": row.rows,
                                "figures": nodes.figures(row.figures),
                            }
                            for row in month.rows
                        ],
                    }
                    for month in unit.months
                ],
                "annual": nodes.figures(unit.annual, exact=True),
            }
            for unit in result.units
        ],
        "totals": nodes.figures(result.totals, exact=True),
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
    doc["nodes"] = nodes.nodes
    doc["parameters"] = nodes.parameters
    return doc
