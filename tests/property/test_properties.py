"""Properties that must hold for any plant-year, not just the examples."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, localcontext

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.domain.records import FUELS, MonthRecord, ReportInput, Row, UnitRecord
from desktop.guidelines.power_generation.calculation import PRECISION
from desktop.services.evaluation import evaluate
from desktop.services.guidelines import guideline

G = guideline("power_generation")
FORM = G.form


def dec(low: str, high: str, places: int = 2):
    return st.decimals(
        min_value=Decimal(low), max_value=Decimal(high), places=places, allow_nan=False, allow_infinity=False
    )


@st.composite
def fuel_rows(draw, family: str):
    if family == "gas":
        return Row(
            {
                "fuel": "natural_gas",
                "consumption": draw(dec("0", "5000")),
                "ncv": draw(st.one_of(st.none(), dec("340", "400"))),
            }
        )
    measured = draw(st.booleans())
    values = {
        "fuel": draw(st.sampled_from(["coal", "coal", "coal_gangue"])),
        "consumption": draw(dec("0", "300000", 1)),
        "ncv": draw(dec("8", "30")),
        "carbon_measured": measured,
    }
    if measured:
        m_ad = draw(dec("0.5", "5"))
        values.update({"c_ad_pct": draw(dec("30", "80")), "m_ad_pct": m_ad, "m_ar_pct": m_ad + draw(dec("0", "15"))})
    return Row(values)


@st.composite
def unit_years(draw):
    category = draw(st.sampled_from(["coal_gt300", "coal_le300", "coal_unconventional", "gas"]))
    family = "gas" if category == "gas" else "coal"
    months = []
    for number in sorted(draw(st.sets(st.integers(1, 12), min_size=1, max_size=12))):
        heat = draw(dec("0", "500000", 1))
        values = {
            "purchased_electricity_mwh": draw(dec("0", "500", 1)),
            "generation_mwh": draw(dec("0", "400000", 1)),
            "supply_mwh": draw(dec("0", "380000", 1)),
            "heat_supply_gj": heat,
            "heat_ratio": draw(dec("0", "0.4", 4)) if heat else Decimal(0),
            "operating_hours": draw(dec("0", "672", 1)),
            "load_factor": draw(dec("0.3", "1", 4)),
        }
        rows = tuple(draw(fuel_rows(family)) for _ in range(draw(st.integers(1, 2))))
        months.append(MonthRecord(number, values, {FUELS: rows}))
    unit = UnitRecord(
        {
            "id": "U",
            "category": category,
            "capacity_mw": draw(dec("50", "1000", 0)),
            "cooling": draw(st.sampled_from(["water", "air"])),
            "chp": True,
        },
        tuple(months),
    )
    return ReportInput("power_generation", draw(st.sampled_from([2019, 2021, 2022])), {"name": "e"}, (unit,))


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(unit_years())
def test_annual_totals_are_the_sum_of_months(report: ReportInput) -> None:
    result = evaluate(report=report, today=date(2030, 1, 1)).result
    unit = result.units[0]
    for name in ("e_fuel_t", "e_elec_t", "e_total_t", "generation_mwh", "supply_mwh", "heat_supply_gj"):
        months = [m.figures[name].value for m in unit.months if m.figures[name].value is not None]
        with localcontext() as ctx:
            ctx.prec = PRECISION  # exact equality, in the engine's own working precision
            assert unit.annual[name].value == sum(months, Decimal(0))
    assert result.totals["e_total_t"].value == unit.annual["e_total_t"].value


@SETTINGS
@given(unit_years(), st.sampled_from([Decimal("0.5"), Decimal(2), Decimal(3), Decimal("1.37")]))
def test_scaling_fuel_quantities_scales_fuel_emissions(report: ReportInput, factor: Decimal) -> None:
    unit = report.units[0]
    scaled_months = tuple(
        MonthRecord(
            m.month,
            m.values,
            {FUELS: tuple(Row({**r.values, "consumption": r.values["consumption"] * factor}) for r in m.fuels)},
        )
        for m in unit.months
    )
    scaled = ReportInput(report.guideline, report.data_year, report.entity, (UnitRecord(unit.values, scaled_months),))
    before = evaluate(report=report, today=date(2030, 1, 1)).result.units[0]
    after = evaluate(report=scaled, today=date(2030, 1, 1)).result.units[0]
    for m_before, m_after in zip(before.months, after.months, strict=True):
        a, b = m_before.figures["e_fuel_t"].value, m_after.figures["e_fuel_t"].value
        assert abs(b - a * factor) <= abs(a * factor) * Decimal("1e-25")
    assert before.annual["e_elec_t"].value == after.annual["e_elec_t"].value


@SETTINGS
@given(unit_years(), st.data())
def test_engine_and_rules_never_raise_on_partial_data(report: ReportInput, data) -> None:
    """Any field may be missing while a month is being typed in: figures go unknown, rules report it."""
    unit = report.units[0]
    months = []
    for m in unit.months:
        drop = data.draw(st.sets(st.sampled_from(sorted(m.values))))
        rows = tuple(
            Row({k: v for k, v in r.values.items() if k not in data.draw(st.sets(st.sampled_from(sorted(r.values))))})
            for r in m.fuels
        )
        months.append(MonthRecord(m.month, {k: v for k, v in m.values.items() if k not in drop}, {FUELS: rows}))
    partial = ReportInput(report.guideline, report.data_year, report.entity, (UnitRecord(unit.values, tuple(months)),))
    ev = evaluate(report=partial, today=date(2030, 1, 1))
    assert "RUL-E001" not in {f.code for f in ev.findings}
