"""Findings are data: a stable code, a severity, the exact place, named parameters and a clause.

Messages are catalogue entries keyed by code and rendered in the user's language at the edge; tests
assert on codes, never on text.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from typing import Any

from desktop.domain.paths import MonthPath


class Severity(Enum):
    ERROR = "error"  # blocks submission and signing
    WARNING = "warning"  # passes only with a written justification
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 0, "warning": 1, "info": 2}[self.value]


@dataclass(frozen=True, order=True)
class FieldRef:
    """The exact place a finding is about; every part is optional (entity-level findings have none)."""

    unit: str | None = None
    month: int | None = None
    row: int | None = None  # index of the row in its table (``rows``) of the month
    field: str | None = None
    scope: str = ""  # "entity", "year", "unit", "unit_year", "month", a row kind's scope, or "" when derived
    rows: str = "fuels"  # the row kind (the form's [[row_kinds]] id) the row index counts in

    @property
    def path(self) -> str:
        parts: list[str] = []
        if self.scope in ("entity", "year"):
            parts.append(self.scope)
        if self.unit is not None:
            parts.append(f"units[{self.unit}]")
        if self.scope == "unit_year":
            parts.append("year")
        if self.month is not None:
            parts.append(f"months[{self.month}]")
        if self.row is not None:
            parts.append(f"{self.rows}[{self.row}]")
        if self.field is not None:
            parts.append(self.field)
        return ".".join(parts) or "(report)"

    @property
    def month_path(self) -> MonthPath | None:
        """The place inside its month (``fuels[0].ncv``, ``clinker_t``), for a place inside a month."""
        if self.month is None or (self.field is None and self.row is None):
            return None
        return MonthPath(self.field, self.rows, self.row) if self.row is not None else MonthPath(self.field)

    @classmethod
    def parse(cls, text: str) -> FieldRef | None:
        """The place a path names -- the inverse of ``path`` (a justification's place, a figure's input)."""
        if text == "(report)":
            return cls()
        match = _REF.match(text)
        if match is None:
            return None
        inner = MonthPath.parse(match["rest"]) if match["rest"] else None
        if match["rest"] and inner is None:
            return None
        scope = match["head"] or ("unit_year" if match["uy"] else "")
        month = int(match["month"]) if match["month"] else None
        if inner is None:
            return cls(match["unit"], month, None, None, scope)
        if inner.rows is None:
            return cls(match["unit"], month, None, inner.field, scope)
        return cls(match["unit"], month, inner.row, inner.field, scope, inner.rows)


_REF = re.compile(
    r"^(?:(?P<head>entity|year)\.?)?(?:units\[(?P<unit>[^\]]+)\]\.?)?(?:(?P<uy>year)\.)?"
    r"(?:months\[(?P<month>\d{1,2})\]\.?)?(?P<rest>.*)$"
)


@dataclass(frozen=True)
class Acknowledgement:
    """A warning passed with a written justification."""

    code: str
    path: str
    justification: str
    by: str = ""

    def matches(self, finding: Finding) -> bool:
        return finding.code == self.code and finding.ref.path == self.path


@dataclass(frozen=True)
class Finding:
    code: str
    severity: Severity
    ref: FieldRef
    params: Mapping[str, Any] = field(default_factory=dict)
    clause: str = ""
    acknowledged: Acknowledgement | None = None

    @property
    def blocks_submission(self) -> bool:
        """Errors always block; warnings block until acknowledged with a written justification."""
        if self.severity is Severity.ERROR:
            return True
        return self.severity is Severity.WARNING and self.acknowledged is None

    def sort_key(self) -> tuple:
        return (
            self.severity.rank,
            self.ref.unit or "",
            self.ref.month or 0,
            self.ref.row if self.ref.row is not None else -1,
            self.code,
            self.ref.field or "",
        )


@dataclass(frozen=True)
class Message:
    zh: str
    en: str

    def text(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en

    def placeholders(self) -> set[str]:
        names: set[str] = set()
        for template in (self.zh, self.en):
            for _, name, _, _ in string.Formatter().parse(template):
                if name:
                    names.add(name.split(".")[0].split("[")[0])
        return names


def render(finding: Finding, catalogue: Mapping[str, Message], lang: str) -> str:
    return render_in(finding, catalogue, (lang,))[0]


def render_in(finding: Finding, catalogue: Mapping[str, Message], langs: tuple[str, ...]) -> list[str]:
    """The finding's message in each of ``langs`` (its parameters made displayable once for all)."""
    message = catalogue.get(finding.code)
    if message is None:
        return [f"{finding.code} {dict(finding.params)}"] * len(langs)
    params = {k: _display(v) for k, v in finding.params.items()}
    out = []
    for lang in langs:
        try:
            out.append(message.text(lang).format(**params))
        except (KeyError, IndexError, ValueError):
            out.append(f"{message.text(lang)} {params}")
    return out


def _display(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value.normalize():f}" if value == value.to_integral_value() else f"{value:f}"
    return value


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(f.severity is Severity.ERROR for f in findings)


def sorted_findings(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=Finding.sort_key)
