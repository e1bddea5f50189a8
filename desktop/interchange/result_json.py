"""The calculated report as JSON: every figure with its provenance, every finding in both languages."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from desktop.domain.findings import Finding, Message, render
from desktop.domain.records import ReportInput
from desktop.engine.provenance import Figure, to_dict
from desktop.engine.results import ReportResult


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


def _figures(figures: Mapping[str, Figure], depth: int) -> dict[str, Any]:
    return {name: to_dict(fig, depth=depth) for name, fig in figures.items()}


def finding_dict(f: Finding, messages: Mapping[str, Message]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "code": f.code,
        "severity": f.severity.value,
        "path": f.ref.path,
        "unit": f.ref.unit,
        "month": f.ref.month,
        "fuel": f.ref.fuel,
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
) -> dict[str, Any]:
    findings = list(findings)
    return {
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
                        "figures": _figures(month.figures, depth),
                        "rows": [
                            {
                                "index": row.index,
                                "kind": row.kind,
                                "tags": _plain(dict(row.tags)),
                                "figures": _figures(row.figures, depth),
                            }
                            for row in month.rows
                        ],
                    }
                    for month in unit.months
                ],
                "annual": _figures(unit.annual, depth),
            }
            for unit in result.units
        ],
        "totals": _figures(result.totals, depth),
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
