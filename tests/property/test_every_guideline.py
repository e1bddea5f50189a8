"""Properties of every guideline's engine and rules, on plant-years the project has not seen.

Starting from each guideline's demo year, hypothesis drops any values (a month half typed in), puts any
value the form allows in any field (numbers anywhere in the form's range at its places, any option, any
date of the year, yes or no), and removes or repeats rows.  Whatever comes out:

- no rule crashes (a crash is an ``RUL-E001`` finding naming the rule) and nothing raises;
- the year's totals are the sum of the units' annual figures for every total a unit also has;
- the calculated report (results.json) is written and meets its schema.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from decimal import Decimal, localcontext

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.domain.records import MonthRecord, ReportInput, Row, UnitRecord
from desktop.formspec.model import FieldSpec, FormSpec
from desktop.interchange import result_json
from desktop.interchange.report_json import dumps_exact, parse_report
from desktop.interchange.schema import result_schema
from desktop.services.demo import demo_document
from desktop.services.evaluation import evaluate
from desktop.services.guidelines import GUIDELINES, forms_by_guideline, guideline

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SCHEMA = jsonschema.Draft202012Validator(result_schema())
_DEMOS: dict[str, ReportInput] = {}


def demo(gid: str) -> ReportInput:
    if gid not in _DEMOS:
        _DEMOS[gid] = parse_report(dumps_exact(demo_document(gid)), forms_by_guideline())
    return _DEMOS[gid]


def value_of(spec: FieldSpec, form: FormSpec, year: int):
    """Any value the form allows in the field."""
    if spec.type in ("decimal", "integer"):
        places = 0 if spec.type == "integer" else (spec.places if spec.places is not None else 4)
        low = spec.min if spec.min is not None else Decimal(0)
        high = spec.max if spec.max is not None else Decimal(10) ** 6
        if spec.max_exclusive and spec.max is not None:
            high -= Decimal(1).scaleb(-places)
        return st.decimals(min_value=low, max_value=high, places=places, allow_nan=False, allow_infinity=False)
    if spec.type == "bool":
        return st.booleans()
    if spec.type == "date":
        return st.dates(date(year, 1, 1), date(year + 1, 3, 31))
    if spec.type == "enum":
        return st.sampled_from(form.enums[spec.enum or ""].ids)
    return st.text(alphabet="检测中心ABC-0123", min_size=1, max_size=12)


@st.composite
def changed_values(draw, values, specs, form: FormSpec, year: int, *, keep: tuple[str, ...] = ()) -> dict:
    out = {}
    for spec in specs:
        choice = draw(st.sampled_from(["keep", "keep", "drop", "any"]))
        if spec.id in keep or choice == "keep":
            if spec.id in values:
                out[spec.id] = values[spec.id]
        elif choice == "any":
            out[spec.id] = draw(value_of(spec, form, year))
    return out


@st.composite
def plant_years(draw, gid: str) -> ReportInput:
    report = demo(gid)
    form = guideline(gid).form
    units = []
    for unit in report.units:
        months = []
        for record in unit.months:
            if draw(st.integers(0, 9)) == 0:
                continue  # a month not entered at all
            values = draw(changed_values(record.values, form.fields("month"), form, report.data_year))
            rows = {}
            for kind in form.row_kinds:
                kept = []
                for row in record.rows_of(kind.id):
                    changed = draw(
                        changed_values(row.values, form.fields(kind.scope), form, report.data_year, keep=(kind.key,))
                    )
                    kept.append(Row(changed))
                    if draw(st.integers(0, 19)) == 0:
                        kept.append(Row(dict(changed)))  # the same fuel or material entered twice
                if kept and draw(st.integers(0, 9)) == 0:
                    kept.pop(0)
                rows[kind.id] = tuple(kept)
            months.append(MonthRecord(record.month, values, rows, record.evidence, record.deposited_on))
        units.append(replace(unit, months=tuple(months)))
    return replace(report, units=tuple(units))


@pytest.mark.parametrize("gid", sorted(GUIDELINES))
def test_any_year_the_form_allows_is_calculated_checked_and_written(gid: str) -> None:
    @SETTINGS
    @given(plant_years(gid))
    def check(report: ReportInput) -> None:
        ev = evaluate(report=report, today=date(report.data_year + 1, 6, 30))
        crashed = [f for f in ev.findings if f.code == "RUL-E001"]
        assert not crashed, crashed[0].params
        result = ev.result
        for name, total in result.totals.items():
            annual = [u.annual[name] for u in result.units if name in u.annual]
            # a total made from the units' annual figures of its name (its provenance says so) is their sum
            if total.value is None or not annual or {id(f) for f in total.inputs} != {id(f) for f in annual}:
                continue
            if total.expression and "Σ" not in total.expression and "sum" not in total.expression.lower():
                continue
            parts = [f.value for f in annual]
            if any(p is None for p in parts):
                continue
            with localcontext() as ctx:
                ctx.prec = 50  # the engines work at 34 significant digits: equal to that precision
                expected = sum(parts, Decimal(0))
                assert abs(total.value - expected) <= abs(expected) * Decimal("1e-30") + Decimal("1e-24"), name
        written = result_json.result_text(
            report=report,
            result=result,
            findings=ev.findings,
            messages=ev.guideline.messages,
            figures=ev.guideline.figures,
            form=ev.guideline.form,
        )
        doc = json.loads(written)
        # the nodes are written as text as they are made: that text is json.dumps's own, byte for byte
        assert written == json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
        errors = list(SCHEMA.iter_errors(doc))
        assert not errors, errors[0].message

    check()


def test_the_demo_units_stand_in_for_unseen_plants() -> None:
    """The generator starts from each demo; each demo has units, months and rows of every kind it declares."""
    for gid in GUIDELINES:
        report, form = demo(gid), guideline(gid).form
        assert report.units and all(u.months for u in report.units)
        kinds = {k for u in report.units for m in u.months for k, rows in m.rows.items() if rows}
        assert kinds, gid
        assert all(isinstance(u, UnitRecord) for u in report.units) and form.row_kinds
