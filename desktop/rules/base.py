"""What every rule gets, and the runner that collects findings.

A rule is a pure function ``(RuleContext) -> list[Finding]``.  It must not raise on bad data; if one
does (a bug), the runner turns the exception into an error finding naming the rule, so nothing fails
silently and the other rules still run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from desktop.domain.findings import Acknowledgement, FieldRef, Finding, Message, Severity
from desktop.domain.records import ReportInput
from desktop.engine.params import ParameterPack
from desktop.engine.results import ReportResult
from desktop.formspec import FormSpec

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
