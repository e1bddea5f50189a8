"""What every rule gets, and the runner that collects findings.

A rule is a pure function ``(RuleContext) -> list[Finding]``.  It must not raise on bad data; if one
does (a bug), the runner turns the exception into an error finding naming the rule, so nothing fails
silently and the other rules still run.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Generic, TypeVar

from desktop.domain.findings import Acknowledgement, FieldRef, Finding, Message, Severity
from desktop.domain.records import ReportInput, UnitRecord
from desktop.engine.params import ParameterPack
from desktop.engine.results import ReportResult
from desktop.formspec import FormSpec

T = TypeVar("T")

_SEVERITY_BY_LETTER = {"E": Severity.ERROR, "W": Severity.WARNING, "I": Severity.INFO}

RULE_CRASHED = "RUL-E001"
ACK_NOT_WARNING = "RUL-I001"

MESSAGES: Mapping[str, Message] = {
    RULE_CRASHED: Message(
        "校验规则 {rule} 出错：{error}（请报告此问题）", "validation rule {rule} failed: {error} (please report this)"
    ),
    ACK_NOT_WARNING: Message(
        "{ack_code} 的说明未采用：只有警告可以凭书面说明通过",
        "the justification for {ack_code} was not applied: only warnings can be passed with one",
    ),
}


@dataclass(frozen=True)
class RuleContext:
    report: ReportInput
    form: FormSpec
    pack: ParameterPack
    result: ReportResult
    today: date


Rule = Callable[[RuleContext], list[Finding]]


class PerUnitPart(Generic[T]):
    """The part of a whole-year rule that reads one unit (what the unit contributes to a comparison across
    units), kept while that unit's record is the same object.  After a save only the units saved are read
    again -- the others' records are the previous year's objects -- so a rule comparing every unit with
    every other re-reads one unit, not the year.  Kept per unit record, pack and form; dropped when the
    record is freed."""

    def __init__(self, read: Callable[[RuleContext, UnitRecord], T]) -> None:
        self.read = read
        self._kept: dict[int, tuple[weakref.ref[UnitRecord], object, object, T]] = {}
        self._lock = threading.Lock()

    def __call__(self, ctx: RuleContext, unit: UnitRecord) -> T:
        key = id(unit)
        with self._lock:
            kept = self._kept.get(key)
        if kept is not None and kept[0]() is unit and kept[1] is ctx.pack and kept[2] is ctx.form:
            return kept[3]
        value = self.read(ctx, unit)

        def forget(
            _ref: object, key: int = key, kept_dict: dict = self._kept, lock: threading.Lock = self._lock
        ) -> None:
            with lock:
                entry = kept_dict.get(key)
                if entry is not None and entry[0] is _ref:
                    del kept_dict[key]

        with self._lock:
            self._kept[key] = (weakref.ref(unit, forget), ctx.pack, ctx.form, value)
        return value


class RecentGroups:
    """What a whole-year rule concluded about one group of items (the months one scan backs), by the
    group's content, kept from the rule's last run: after a save most groups are as they were, and their
    findings are reused instead of made again.  A key must hold everything the findings depend on."""

    def __init__(self) -> None:
        self._now: dict[Any, list[Finding]] = {}
        self._before: dict[Any, list[Finding]] = {}
        self._lock = threading.Lock()

    def start(self) -> None:
        """A new run: what the last one concluded is kept for it to reuse, older conclusions dropped."""
        with self._lock:
            self._before, self._now = self._now, {}

    def get(self, key: Any, make: Callable[[], list[Finding]]) -> list[Finding]:
        with self._lock:
            found = self._now.get(key)
            if found is None:
                found = self._before.get(key)
        if found is None:
            found = make()
        with self._lock:
            self._now[key] = found
        return found


def per_unit(rule: Rule) -> Rule:
    """Marks a rule whose findings about a unit depend on that unit's data only (and on the entity, the pack,
    the form and the day), and whose findings about no unit do not depend on the units at all.  After a save,
    such a rule runs again for the units that changed; every other rule runs on the whole year."""
    rule.per_unit = True  # type: ignore[attr-defined]
    return rule


def is_per_unit(rule: Rule) -> bool:
    return bool(getattr(rule, "per_unit", False))


def severity_of(code: str) -> Severity:
    """The letter after the dash says it: PWR-E012 is an error, PWR-W003 a warning, PWR-I001 info."""
    return _SEVERITY_BY_LETTER[code.split("-", 1)[1][0]]


def finding(code: str, ref: FieldRef, clause: str = "", /, **params: Any) -> Finding:
    """Positional-only head, so that a parameter may be called ``code`` or ``ref`` without a clash."""
    return Finding(code=code, severity=severity_of(code), ref=ref, params=params, clause=clause)


def run_rules(rules: Iterable[Rule], context: RuleContext) -> list[Finding]:
    found: list[Finding] = []
    for rule in rules:
        try:
            found.extend(rule(context))
        except Exception as exc:
            found.append(
                finding(
                    RULE_CRASHED,
                    FieldRef(),
                    rule=getattr(rule, "__name__", repr(rule)),
                    error=f"{type(exc).__name__}: {exc}",
                )
            )
    return found


def apply_acknowledgements(findings: list[Finding], acks: Iterable[Acknowledgement]) -> list[Finding]:
    """Attach written justifications to the warnings they pass; errors cannot be passed."""
    acks = list(acks)
    out: list[Finding] = []
    extra: list[Finding] = []
    for f in findings:
        match = next((a for a in acks if a.matches(f)), None)
        if match is None:
            out.append(f)
        elif f.severity is Severity.WARNING:
            out.append(replace(f, acknowledged=match))
        else:
            out.append(f)
            if f.severity is Severity.ERROR:
                extra.append(finding(ACK_NOT_WARNING, f.ref, ack_code=f.code))
    return out + extra
