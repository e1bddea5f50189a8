"""Engine behaviour beyond the worked examples: incomplete data, rule switches, corrections, provenance."""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal

import pytest

from desktop.engine.provenance import explain, to_dict
from desktop.interchange.report_json import parse_report
from desktop.services.evaluation import evaluate
from desktop.services.guidelines import forms_by_guideline, guideline
from tests.helpers import clean_document, dumps, example_files, example_to_input, load_example

TODAY = date(2026, 11, 23)


def same(a: Decimal, b: Decimal) -> bool:
    """Equal up to the last digits of 28- vs 34-digit decimal contexts."""
    return abs(a - b) <= abs(b) * Decimal("1e-24")


def run(doc):
    return evaluate(report=parse_report(dumps(doc), forms_by_guideline()), today=TODAY)


def unit_doc(category="coal_gt300", months=None, **unit):
    base = {"id": "U1", "category": category, "capacity_mw": 600, "cooling": "water", "chp": False, **unit}
    base["months"] = months or []
    return {
        "guideline": "power_generation",
        "data_year": 2022,
        "entity": {"name": "e", "uscc": "91110000101623741K"},
        "units": [base],
    }


def coal_month(m, measured=True, **extra):
    fuel = {"fuel": "coal", "consumption": 100000, "ncv": 20, "carbon_measured": measured}
    if measured:
        fuel.update({"c_ad_pct": 60, "m_ad_pct": 2, "m_ar_pct": 12})
    record = {
        "month": m,
        "fuels": [fuel],
        "purchased_electricity_mwh": 100,
        "generation_mwh": 300000,
        "supply_mwh": 285000,
        "heat_supply_gj": 0,
        "heat_ratio": 0,
        "operating_hours": 600,
        "load_factor": 0.83,
    }
    record.update(extra)
    return record


def test_f4_by_hand() -> None:
    ev = run(unit_doc(months=[coal_month(1)]))
    row = ev.result.units[0].months[0].rows[0]
    c_ar = Decimal("0.60") * (100 - 12) / (100 - 2)
    assert same(row.figures["c_ar"].value, c_ar)
    assert same(row.figures["e_fuel_t"].value, Decimal(100000) * c_ar * Decimal("0.99") * 44 / 12)


def test_incomplete_month_never_crashes_and_leaves_figures_unknown() -> None:
    record = {"month": 1, "fuels": [{"fuel": "coal", "carbon_measured": True, "c_ad_pct": 60}]}
    ev = run(unit_doc(months=[record]))
    month = ev.result.units[0].months[0]
    assert month.figures["e_fuel_t"].value is None
    assert month.figures["e_total_t"].value is None
    assert ev.has_errors  # missing values are findings, not exceptions
    assert {"PWR-E001"} <= {f.code for f in ev.findings}


def test_no_months_at_all() -> None:
    ev = run(unit_doc())
    assert ev.result.units[0].annual["e_total_t"].value is None
    assert ("GEN-E010", 1) in {(f.code, f.ref.month) for f in ev.findings}


def test_mean_rule_needs_three_measured_months() -> None:
    months = [coal_month(1), coal_month(2), coal_month(3, measured=False)]
    ev = run(unit_doc(months=months))
    assert ev.result.units[0].months[2].rows[0].tags["carbon_source"] == "default_cc"
    months.insert(2, coal_month(4))
    ev = run(unit_doc(months=months))
    row = ev.result.units[0].month(3).rows[0]
    assert row.tags["carbon_source"] == "mean_of_measured"
    assert same(row.figures["c_ar"].value, ev.result.units[0].month(1).rows[0].figures["c_ar"].value)


def test_default_only_rule_from_the_pack_switch() -> None:
    doc = unit_doc(months=[coal_month(1), coal_month(2), coal_month(4), coal_month(3, measured=False)])
    doc["parameter_overrides"] = [{"key": "missing_carbon_rule", "value": "default_only", "reason": "test"}]
    ev = run(doc)
    row = ev.result.units[0].month(3).rows[0]
    assert row.tags["carbon_source"] == "default_cc"
    assert row.figures["c_ar"].value == Decimal(20) * Decimal("0.03085")


def test_gas_without_measured_ncv_takes_the_default() -> None:
    month = coal_month(1)
    month["fuels"] = [{"fuel": "natural_gas", "consumption": 1000}]
    ev = run(unit_doc(category="gas", months=[month]))
    row = ev.result.units[0].months[0].rows[0]
    assert row.figures["c_ar"].value == Decimal("389.31") * Decimal("0.01532")
    keys = {p.parameter.key for p in row.figures["c_ar"].parameters()}
    assert keys == {"default_ncv.natural_gas", "default_cc.natural_gas"}


def test_mixed_fuels_in_one_month() -> None:
    month = coal_month(1)
    month["fuels"].append({"fuel": "diesel", "consumption": 10, "ncv": 43})
    ev = run(unit_doc(months=[month]))
    m = ev.result.units[0].months[0]
    diesel = m.rows[1].figures["e_fuel_t"].value
    assert same(diesel, Decimal(10) * Decimal(43) * Decimal("0.0202") * Decimal("0.98") * 44 / 12)
    assert same(m.figures["e_fuel_t"].value, m.rows[0].figures["e_fuel_t"].value + diesel)


@pytest.mark.parametrize(
    ("load", "expected"),
    [
        ("0.90", "1"),
        ("0.85", "1"),
        ("0.84", "1.0014"),
        ("0.80", "1.007"),
        ("0.78", "1.0102"),
        ("0.75", "1.015"),
    ],
)
def test_load_correction_pieces_join(load: str, expected: str) -> None:
    g = guideline("power_generation")
    pack = g.pack(2022)
    from desktop.domain.records import ReportInput, UnitRecord
    from desktop.guidelines.power_generation.calculation import _UnitCalc

    unit = UnitRecord({"id": "U", "category": "coal_gt300", "capacity_mw": Decimal(600), "cooling": "water"})
    calc = _UnitCalc(unit, ReportInput("power_generation", 2022, {}, (unit,)), pack, g.form)
    from desktop.engine.provenance import input_figure

    value = calc.load_correction(input_figure("F", Decimal(load), "—", "x")).value
    assert abs(value - Decimal(expected)) < Decimal("1e-12")


def test_low_load_uses_the_power_law() -> None:
    from desktop.domain.records import ReportInput, UnitRecord
    from desktop.engine.provenance import input_figure
    from desktop.guidelines.power_generation.calculation import _UnitCalc

    g = guideline("power_generation")
    unit = UnitRecord({"id": "U", "category": "coal_le300", "capacity_mw": Decimal(300), "cooling": "water"})
    calc = _UnitCalc(unit, ReportInput("power_generation", 2022, {}, (unit,)), g.pack(2022), g.form)
    value = calc.load_correction(input_figure("F", Decimal("0.6"), "—", "x")).value
    assert abs(float(value) - 1.015 ** (16 - 12)) < 1e-12


def test_unconventional_coal_and_gas_get_no_load_correction() -> None:
    for category in ("coal_unconventional", "gas"):
        month = coal_month(1, load_factor=0.5, operating_hours=600, generation_mwh=150000, supply_mwh=140000)
        if category == "gas":
            month["fuels"] = [{"fuel": "natural_gas", "consumption": 3000, "ncv": 380}]
        ev = run(unit_doc(category=category, months=[month]))
        assert ev.result.units[0].annual["f_load"].value == 1


def test_gap_cap_binds_for_a_large_shortfall() -> None:
    doc = unit_doc(months=[coal_month(m) for m in range(1, 13)])
    doc["parameter_overrides"] = [{"key": "benchmark.electricity.coal_gt300", "value": 0.3, "reason": "stress test"}]
    ev = run(doc)
    t = ev.result.totals
    e, a = t["e_total_t"].value, t["allocation_t"].value
    assert same(t["obligation_t"].value, a + Decimal("0.2") * e) and t["obligation_t"].value < e
    assert same(t["balance_t"].value, -Decimal("0.2") * e)


def test_outside_allocation_units_are_not_allocated() -> None:
    month = coal_month(1)
    ev = run(unit_doc(category="not_allocated", months=[month]))
    assert "allocation_t" not in ev.result.units[0].annual
    assert "allocation_t" not in ev.result.totals


def test_heat_benchmark_not_needed_without_heat() -> None:
    doc = unit_doc(months=[coal_month(1)])
    doc["data_year"] = 2023
    doc["parameter_overrides"] = [{"key": "benchmark.electricity.coal_gt300", "value": 0.795, "reason": "notice"}]
    ev = run(doc)
    assert ev.result.units[0].annual["allocation_t"].value is not None
    assert ev.result.missing_parameters == ()


def test_missing_benchmark_makes_allocation_unknown_not_zero() -> None:
    doc = unit_doc(months=[coal_month(1)])
    doc["data_year"] = 2024
    ev = run(doc)
    assert ev.result.units[0].annual["allocation_t"].value is None
    assert ev.result.totals["balance_t"].value is None
    assert "benchmark.electricity.coal_gt300" in ev.result.missing_parameters


def test_provenance_reaches_inputs_and_pack_sources() -> None:
    ev = run(clean_document())
    e = ev.result.totals["e_total_t"]
    sources = {f.source for f in e.walk() if f.formula == "input"}
    assert "units[1#].months[3].fuels[0].c_ad_pct" in sources
    lines = explain(ev.result.units[0].month(3).figures["e_fuel_t"], "en", depth=5)
    text = "\n".join(lines)
    assert (
        "F2" in text
        and "F4" in text
        and "oxidation.coal" in text
        and "input units[1#].months[3].fuels[0].consumption" in text
    )
    doc = to_dict(ev.result.totals["allocation_t"])
    assert doc["formula"] == "F6" and doc["inputs"][0]["formula"] == "AL1"


def test_scaling_example_fuel_scales_fuel_emissions_exactly() -> None:
    example = load_example(example_files()[0])
    doc = example_to_input(copy.deepcopy(example))
    base = run(doc).result.units[0].annual["e_fuel_t"].value
    for m in doc["units"][0]["months"]:
        for f in m["fuels"]:
            f["consumption"] = f["consumption"] * 3
    assert same(run(doc).result.units[0].annual["e_fuel_t"].value, base * 3)


def test_monthly_allocation_shares_sum_to_the_allocation() -> None:
    ev = run(clean_document())
    unit = ev.result.units[0]
    shares = sum(m.figures["allocation_share_t"].value for m in unit.months)
    assert same(shares, unit.annual["allocation_t"].value)


def test_progress_is_reported_and_can_cancel() -> None:
    doc = clean_document()
    doc["units"].append({**doc["units"][0], "id": "2#"})
    seen = []
    report = parse_report(dumps(doc), forms_by_guideline())
    evaluate(report=report, today=TODAY, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 2), (2, 2)]

    class Cancelled(Exception):
        pass

    def cancel(done, total):
        raise Cancelled

    with pytest.raises(Cancelled):
        evaluate(report=report, today=TODAY, progress=cancel)
