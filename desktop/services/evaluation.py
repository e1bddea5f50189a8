"""Calculate and validate one report: load → calculate → validate, every problem collected."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from pathlib import Path

from desktop.domain.batch import without_cycle_collection
from desktop.domain.findings import Finding, has_errors, sorted_findings
from desktop.domain.records import ReportInput
from desktop.engine.params import PackError, ParameterPack
from desktop.engine.results import ReportResult
from desktop.interchange import report_json
from desktop.interchange.problems import InputError, InputProblem
from desktop.rules.base import RuleContext, apply_acknowledgements, is_per_unit, run_rules
from desktop.rules.common import stored_number_faults
from desktop.services.guidelines import Guideline, forms_by_guideline, guideline


@dataclass(frozen=True)
class Evaluation:
    report: ReportInput
    guideline: Guideline
    pack: ParameterPack
    result: ReportResult
    findings: tuple[Finding, ...]
    # what an incremental update starts from: each rule's own findings (in the guideline's order), and the
    # stored values no field can hold
    by_rule: tuple[tuple[Finding, ...], ...] = ()
    invalid: tuple[Finding, ...] = ()

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
        by_rule = tuple(tuple(run_rules([rule], context)) for rule in g.rules)
        return _finish(report, g, effective, result, by_rule, tuple(invalid))


def _finish(
    report: ReportInput,
    g: Guideline,
    pack: ParameterPack,
    result: ReportResult,
    by_rule: tuple[tuple[Finding, ...], ...],
    invalid: tuple[Finding, ...],
) -> Evaluation:
    """The rules' findings together: invalid stored values first (marked invalid, not also missing), the
    user's justifications attached, in the order every view shows."""
    found = [f for findings in by_rule for f in findings]
    if invalid:
        marked = {f.ref for f in invalid}
        found = list(invalid) + [f for f in found if not (f.code == g.form.missing_code and f.ref in marked)]
    findings = apply_acknowledgements(found, report.acknowledgements)
    return Evaluation(report, g, pack, result, tuple(sorted_findings(findings)), by_rule, invalid)


def reevaluate(
    *, previous: Evaluation, report: ReportInput, changed: Collection[str], today: date | None = None
) -> Evaluation:
    """The evaluation of ``report``, which differs from ``previous.report`` in the units ``changed`` (their
    ids) only: those units are recalculated and their per-unit rules run again; the entity's totals and the
    rules about the whole year are made anew from the units' results.  Identical to ``evaluate(report)`` --
    a property test compares the two on random edits.  Anything else that changed (units added or removed,
    overrides, justifications, the year's items) makes it a full evaluation."""
    g = previous.guideline
    same_shape = (
        report.guideline == previous.report.guideline
        and report.data_year == previous.report.data_year
        and [u.unit_id for u in report.units] == [u.unit_id for u in previous.report.units]
        and report.overrides == previous.report.overrides
        and report.acknowledgements == previous.report.acknowledgements
        and dict(report.entity) == dict(previous.report.entity)
        and dict(report.year) == dict(previous.report.year)
    )
    if not same_shape or g.calculate_unit is None or g.aggregate is None or len(previous.by_rule) != len(g.rules):
        return evaluate(report=report, today=today)
    changed = set(changed)
    form, pack = g.form, previous.pack
    with without_cycle_collection():
        touched = replace(report, units=tuple(u for u in report.units if u.unit_id in changed))
        touched, invalid_now = stored_number_faults(touched, form)
        fresh_units = {u.unit_id: u for u in touched.units}
        before = {u.unit_id: u for u in previous.report.units}
        full = replace(
            report,
            entity=touched.entity,
            year=touched.year,
            units=tuple(fresh_units.get(u.unit_id) or before[u.unit_id] for u in report.units),
        )
        units = tuple(
            g.calculate_unit(u, full, pack, form) if u.unit_id in changed else previous.result.unit(u.unit_id)
            for u in full.units
        )
        result = g.aggregate(units, full, pack, form)
        today = today or date.today()
        context = RuleContext(report=full, form=form, pack=pack, result=result, today=today)
        sub_context = RuleContext(
            report=replace(full, units=touched.units),
            form=form,
            pack=pack,
            result=replace(result, units=tuple(u for u in units if u.unit_id in changed)),
            today=today,
        )
        by_rule: list[tuple[Finding, ...]] = []
        for rule, found_before in zip(g.rules, previous.by_rule, strict=True):
            if is_per_unit(rule):
                kept = [f for f in found_before if f.ref.unit is not None and f.ref.unit not in changed]
                by_rule.append((*kept, *run_rules([rule], sub_context)))
            else:
                by_rule.append(tuple(run_rules([rule], context)))
        invalid = tuple(f for f in previous.invalid if f.ref.unit is not None and f.ref.unit not in changed)
        return _finish(full, g, pack, result, tuple(by_rule), invalid + tuple(invalid_now))


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
