"""The engine reproduces every worked power example (copies of ../shared/examples/power; relative error < 1e-6)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from desktop.interchange.report_json import parse_report
from desktop.services.evaluation import evaluate
from desktop.services.guidelines import forms_by_guideline
from tests.helpers import dumps, example_files, example_to_input, load_example

EXAMPLES = example_files()
TOLERANCE = Decimal("1e-6")


def close(actual: Decimal | None, expected: Decimal | None, what: str) -> None:
    if expected is None:
        assert actual is None, f"{what}: expected no value, got {actual}"
        return
    assert actual is not None, f"{what}: expected {expected}, got nothing"
    # The examples state figures to six decimal places: allow the relative 1e-6 of the examples' README
    # or half a unit in the last stated place, whichever is larger.
    half_ulp = Decimal(5).scaleb(expected.as_tuple().exponent - 1)
    allowed = max(TOLERANCE * abs(expected), half_ulp)
    assert abs(actual - expected) <= allowed, f"{what}: expected {expected}, got {actual}"


def test_examples_are_present() -> None:
    assert len(EXAMPLES) >= 4, "the worked examples were not found in tests/examples/data"


@pytest.fixture(params=EXAMPLES, ids=lambda p: p.stem)
def case(request):
    example = load_example(request.param)
    report = parse_report(dumps(example_to_input(example)), forms_by_guideline(), source=request.param.name)
    return example, evaluate(report=report, today=date(2026, 11, 23))


def test_monthly_figures(case) -> None:
    example, ev = case
    unit = ev.result.units[0]
    for expected in example["expected"]["months"]:
        month = unit.month(int(expected["month"]))
        m = f"month {expected['month']}"
        for k, carbon in enumerate(expected["carbon"]):
            row = month.rows[k]
            assert row.kind == carbon["fuel"]
            assert row.tags["carbon_source"] == carbon["source"], m
            close(row.figures["c_ar"].value, carbon["c_ar"], f"{m} c_ar")
        for key in ("e_fuel_t", "e_elec_t", "e_total_t"):
            close(month.figures[key].value, expected[key], f"{m} {key}")


ANNUAL_UNIT_KEYS = (
    "e_fuel_t",
    "e_elec_t",
    "e_total_t",
    "generation_mwh",
    "supply_mwh",
    "heat_supply_gj",
    "heat_ratio",
    "load_factor",
    "supply_intensity_t_per_mwh",
    "heat_intensity_t_per_gj",
    "supply_coal_rate_gce_per_kwh",
    "f_cool",
    "f_heat",
    "f_load",
    "allocation_t",
)
ENTITY_KEYS = ("obligation_t", "ccer_cap_t", "balance_t", "allocation_t", "e_total_t")


def test_annual_figures(case) -> None:
    example, ev = case
    expected = example["expected"]["annual"]
    unit = ev.result.units[0]
    for key in ANNUAL_UNIT_KEYS:
        ours = key
        if key == "supply_coal_rate_gce_per_kwh" and unit.tags["family"] == "gas":
            ours = "supply_energy_rate_gce_per_kwh"  # a gas unit's rate is its gas as standard coal equivalent
        close(unit.annual[ours].value, expected[key], f"annual {key}")
    for key in ENTITY_KEYS:
        close(ev.result.totals[key].value, expected[key], f"entity {key}")
    assert list(unit.tags["months_not_measured"]) == [int(m) for m in expected["months_not_measured"]]


def test_every_figure_traces_to_the_example_parameters(case) -> None:
    """Provenance: the allocation names its benchmark with the override reason of the example."""
    example, ev = case
    allocation = ev.result.units[0].annual["allocation_t"]
    params = {f.parameter.key: f.parameter for f in allocation.parameters()}
    bench = params[f"benchmark.electricity.{example['unit']['category']}"]
    assert bench.value == example["allocation"]["benchmark_electricity"]
    assert bench.override_reason == f"worked example {example['case']}"
    e_fuel = ev.result.units[0].months[0].figures["e_fuel_t"]
    formulas = {f.formula for f in e_fuel.walk()}
    assert "F2" in formulas
