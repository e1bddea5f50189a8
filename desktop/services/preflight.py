"""What stands between a year and a clean package, as the package states it and the window shows it
before one is built.  Light on purpose: the window asks it on the click, before the signing, PDF and
workbook libraries (which the package needs) have been loaded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from desktop.domain.findings import Finding, Severity
from desktop.services import store
from desktop.storage.workspace import Workspace


@dataclass(frozen=True)
class Preflight:
    """What stands between the year and a clean package: errors, and warnings nobody has justified."""

    errors: tuple[Finding, ...]
    warnings: tuple[Finding, ...]

    @classmethod
    def of(cls, findings: tuple[Finding, ...] | list[Finding]) -> Preflight:
        ordered = sorted(findings, key=lambda f: f.sort_key())
        return cls(
            tuple(f for f in ordered if f.severity is Severity.ERROR),
            tuple(f for f in ordered if f.severity is Severity.WARNING and f.acknowledged is None),
        )

    @property
    def clean(self) -> bool:
        return not self.errors and not self.warnings

    def months_with_errors(self) -> list[dict[str, Any]]:
        counts: dict[tuple[str, int], int] = {}
        for f in self.errors:
            if f.ref.unit is not None and f.ref.month is not None:
                counts[(f.ref.unit, f.ref.month)] = counts.get((f.ref.unit, f.ref.month), 0) + 1
        return [{"unit": u, "month": m, "errors": n} for (u, m), n in sorted(counts.items())]

    def where(self) -> str:
        months = [f"{m['unit']} {m['month']:02d}" for m in self.months_with_errors()]
        whole_year = sum(1 for f in self.errors if f.ref.month is None)
        parts = months[:8] + ([f"… +{len(months) - 8}"] if len(months) > 8 else [])
        if whole_year:
            parts.append(f"{whole_year} × year")
        return ", ".join(parts)

    def manifest(self) -> dict[str, Any]:
        status = "errors" if self.errors else "warnings" if self.warnings else "clean"
        return {
            "status": status,
            "errors": len(self.errors),
            "unjustified_warnings": len(self.warnings),
            "months_with_errors": self.months_with_errors(),
            "year_errors": sorted({f.code for f in self.errors if f.ref.month is None}),
        }


def preflight(*, ws: Workspace, entity_id: str, year: int, today: date | None = None) -> Preflight:
    """The checks shown before a package is built (the same findings the package will state)."""
    return Preflight.of(store.compute_year(ws=ws, entity_id=entity_id, year=year, today=today).findings)
