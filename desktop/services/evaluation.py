"""Calculate and validate one report: load → calculate → validate, every problem collected."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from desktop.domain.findings import Finding, has_errors, sorted_findings
from desktop.domain.records import ReportInput
from desktop.engine.params import PackError, ParameterPack
from desktop.engine.results import ReportResult
from desktop.interchange import report_json
from desktop.interchange.problems import InputError, InputProblem
from desktop.rules.base import RuleContext, apply_acknowledgements, run_rules
from desktop.rules.common import stored_number_faults
from desktop.services.guidelines import Guideline, forms_by_guideline, guideline


@dataclass(frozen=True)
class Evaluation:
    report: ReportInput
    guideline: Guideline
    pack: ParameterPack
    result: ReportResult
    findings: tuple[Finding, ...]

    @property
    def has_errors(self) -> bool:
        return has_errors(self.findings)


def evaluate(
    *,
    report: ReportInput,
    pack: ParameterPack | None = None,
    today: date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Evaluation:
    """Emissions, allocation and findings of a report, with the pack for its data year (or the one given).

    The user's parameter overrides in the report are applied on top of the pack; an unusable override
    raises ``PackError`` naming it.
    """
    g = guideline(report.guideline)
    base = pack if pack is not None else g.pack(report.data_year)
    effective = base.with_overrides(report.overrides) if report.overrides else base
    form = g.form
    with without_cycle_collection():
        report, invalid = stored_number_faults(report, form)
        result = g.calculate(report, effective, form, progress)
        context = RuleContext(report=report, form=form, pack=effective, result=result, today=today or date.today())
        found = run_rules(g.rules, context)
        if invalid:  # the cell is marked invalid, not also "missing"
            marked = {f.ref for f in invalid}
            found = invalid + [f for f in found if not (f.code == form.missing_code and f.ref in marked)]
        findings = apply_acknowledgements(found, report.acknowledgements)
        return Evaluation(report, g, effective, result, tuple(sorted_findings(findings)))


@contextmanager
def without_cycle_collection() -> Iterator[None]:
    """A year's calculation makes hundreds of thousands of small objects and no reference cycles: the cyclic
    collector would only walk them again and again (a third of a large year's time, and quadratic in its
    size).  It is paused for the calculation; what the calculation made is then moved out of the
    collector's generations (``gc.freeze``: freed by reference counting as always, never walked again),
    and the collector runs as before."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def read_report_file(*, path: str | Path) -> ReportInput:
    """Read a JSON report; raises ``InputError`` listing every problem with its place."""
    report = report_json.read_report(path, forms_by_guideline())
    problems = override_problems(report)
    if problems:
        raise InputError(problems, str(path))
    return report


def override_problems(report: ReportInput) -> list[InputProblem]:
    """Each parameter override must name a parameter of the year's pack, carry a value of its type and a
    written reason; checked before anything is stored (an unusable override would break every calculation)."""
    try:
        pack = guideline(report.guideline).pack(report.data_year)
    except PackError:
        return []  # no pack at all: reported by the calculation itself
    problems: list[InputProblem] = []
    for i, ov in enumerate(report.overrides):
        path = f"parameter_overrides[{i}]"
        param = pack.parameters.get(ov.key)
        if param is None:
            problems.append(InputProblem(f"{path}.key", "INP-E020", {"value": ov.key}))
            continue
        if not str(ov.reason or "").strip():
            problems.append(InputProblem(f"{path}.reason", "INP-E021", {}))
        current = param.value if param.value is not None else param.original_value
        value = ov.value
        if isinstance(current, bool) or (current is None and isinstance(value, bool)):
            good = isinstance(value, bool)
            expected = "true/false"
        elif isinstance(current, Decimal) or current is None:
            good = isinstance(value, Decimal | int) and not isinstance(value, bool)
            expected = "number"
        else:
            good = isinstance(value, str) and bool(value.strip())
            expected = "text"
        if not good:
            problems.append(
                InputProblem(f"{path}.value", "INP-E002", {"expected": expected, "got": report_json.kind_of(value)})
            )
    return problems
