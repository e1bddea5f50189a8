"""The engine reproduces every worked cement and aluminium example (copies of ../shared/examples).

Every expected figure of a case is compared: a number to a relative 1e-6 (or half a unit in its last
stated place), a source or rule word exactly, a list of months exactly.  An expected item the engine
does not produce fails, so a case with an item this file has never seen says so instead of passing.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from desktop.engine.results import MonthResult, ReportResult, UnitResult
from desktop.interchange.report_json import parse_report
from desktop.services.evaluation import evaluate
from desktop.services.guidelines import forms_by_guideline
from tests.helpers import dumps, load_example
from tests.industry_examples import (
    ALUMINIUM_EXAMPLES,
    CEMENT_EXAMPLES,
    custom_fuels,
    example_to_input,
    industry_files,
)

EXAMPLES = industry_files(CEMENT_EXAMPLES) + industry_files(ALUMINIUM_EXAMPLES)
TOLERANCE = Decimal("1e-6")

# Names of the examples -> the engine's, where they differ
FIGURE_NAMES = {
    "ef_calc": "ef_calc_t_per_t",
    "ef_calc_t_per_t": "ef_calc_t_per_t",
    "e_carbonate_t": "e_carbonate_t",
    "e_nonfuel_t": "e_nonfuel_t",
    "e_nonfuel_carbon_t": "e_nonfuel_t",
}
TAG_NAMES = {
    "months_default_carbon": "months_default_carbon",
    "months_process_floored": "months_process_floored",
    "months_default_anode_params": "months_default_anode_params",
    "months_default_pfc": "months_default_pfc",
    "allocation_exception_2025": "allocation_exception",
}


def close(actual: Decimal | None, expected: Any, what: str) -> None:
    if expected is None:
        assert actual is None, f"{what}: expected no value, got {actual}"
        return
    expected = Decimal(expected)
    assert actual is not None, f"{what}: expected {expected}, got nothing"
    half_ulp = Decimal(5).scaleb(expected.as_tuple().exponent - 1)
    allowed = max(TOLERANCE * abs(expected), half_ulp)
    assert abs(actual - expected) <= allowed, f"{what}: expected {expected}, got {actual}"


def figure(figures: Any, key: str, what: str, expected: Any = 0) -> Decimal | None:
    name = FIGURE_NAMES.get(key, key)
    if expected is None and name not in figures:
        return None  # an item the case leaves empty and the engine does not make (no dusts, no deduction)
    assert name in figures, f"{what}: the engine has no figure for the expected item '{key}'"
    return figures[name].value


def test_industry_examples_are_present() -> None:
    assert len(industry_files(CEMENT_EXAMPLES)) >= 2 and len(industry_files(ALUMINIUM_EXAMPLES)) >= 2


CUSTOM_FUEL_IDS: dict[str, str] = {}  # a case's fuel the pack does not list -> the custom fuel it is entered as


@pytest.fixture(params=EXAMPLES, ids=lambda p: p.stem)
def case(request) -> tuple[dict[str, Any], ReportResult]:
    example = load_example(request.param)
    document = example_to_input(example)
    CUSTOM_FUEL_IDS.clear()
    CUSTOM_FUEL_IDS.update({k: v["fuel"] for k, v in custom_fuels().items()})
    report = parse_report(dumps(document), forms_by_guideline(), source=request.param.name)
    return example, evaluate(report=report, today=date(2026, 11, 23)).result


def _units(example: dict[str, Any]) -> list[dict[str, Any]]:
    expected = example["expected"]
    return expected.get("lines") or expected.get("processes") or []


def _check_rows(month: MonthResult, rows: list[dict[str, Any]], what: str) -> None:
    fuel_rows = [r for r in month.rows if r.rows == "fuels"]
    assert len(fuel_rows) == len(rows), f"{what}: {len(rows)} fuel rows expected, {len(fuel_rows)} calculated"
    for k, (row, expected) in enumerate(zip(fuel_rows, rows, strict=True)):
        where = f"{what} fuel {k}"
        for key, value in expected.items():
            if key == "fuel":
                assert row.kind == CUSTOM_FUEL_IDS.get(value, value), where
            elif key.endswith("_source"):
                assert row.tags[key] == value, f"{where} {key}"
            else:
                close(figure(row.figures, key, where, value), value, f"{where} {key}")


def _check_month(month: MonthResult, expected: dict[str, Any], what: str) -> None:
    for key, value in expected.items():
        if key == "month":
            continue
        if key == "fuels":
            _check_rows(month, value, what)
        elif key == "process_floored":
            continue  # checked through the year's list of floored months
        elif key in ("anode_sources", "pfc_source"):
            continue  # checked per month below (tags of the year)
        else:
            close(figure(month.figures, key, what, value), value, f"{what} {key}")


def _check_allocation(unit: UnitResult, expected: dict[str, Any], what: str) -> None:
    for key, value in expected.items():
        if key == "rule":
            assert unit.tags.get("allocation_rule") == value, f"{what} allocation rule"
        else:
            close(figure(unit.annual, key, what, value), value, f"{what} allocation {key}")


def test_units_month_by_month(case) -> None:
    example, result = case
    for expected in _units(example):
        unit = result.unit(str(expected["id"]))
        assert unit is not None, expected["id"]
        sources = unit.tags.get("month_sources", {})
        for month_expected in expected["months"]:
            number = int(month_expected["month"])
            what = f"{expected['id']} month {number}"
            month = unit.month(number)
            assert month is not None, what
            _check_month(month, month_expected, what)
            if "anode_sources" in month_expected:
                assert sources[number]["anode_sources"] == month_expected["anode_sources"], what
                assert sources[number]["pfc_source"] == month_expected["pfc_source"], what
            if "process_floored" in month_expected:
                floored = number in (unit.tags.get("months_process_floored") or ())
                assert floored is month_expected["process_floored"], f"{what} floored"


def test_units_over_the_year(case) -> None:
    example, result = case
    for expected in _units(example):
        unit = result.unit(str(expected["id"]))
        assert unit is not None
        for key, value in expected["annual"].items():
            what = f"{expected['id']} annual {key}"
            if key == "allocation":
                _check_allocation(unit, value, str(expected["id"]))
            elif key in TAG_NAMES:
                tag = unit.tags.get(TAG_NAMES[key])
                if isinstance(value, list):
                    assert list(tag or ()) == [int(v) for v in value], what
                else:
                    assert tag is value, what
            else:
                close(figure(unit.annual, key, what, value), value, what)


def test_the_enterprise(case) -> None:
    example, result = case
    totals = result.totals
    for key, value in example["expected"]["enterprise"].items():
        what = f"enterprise {key}"
        if key == "other_facilities":
            for facility in value:
                unit = result.unit(str(facility["id"]))
                assert unit is not None, what
                close(unit.annual["e_fuel_t"].value, facility["e_fuel_t"], f"{what} {facility['id']}")
        elif key == "carbonate_by_material_t":
            for material, amount in value.items():
                close(figure(totals, f"e_carbonate_t:{material}", what), amount, f"{what} {material}")
        else:
            close(figure(totals, key, what, value), value, what)


def _renamed(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {names.get(k, k): _renamed(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [_renamed(v, names) for v in value]
    return names.get(value, value) if isinstance(value, str) else value


@pytest.mark.parametrize("source", EXAMPLES, ids=lambda p: p.stem)
def test_a_case_with_a_fuel_and_material_the_pack_does_not_list(source) -> None:
    """Unseen cases may name fuels, raw materials or carbonates the packs do not list: the user enters them
    as custom rows with their values and source, and the figures still come out right."""
    example = load_example(source)
    names = {"diesel": "heavy_oil_x", "natural_gas": "coke_oven_gas_x", "steel_slag": "slag_x", "soda_ash": "trona_x"}
    renamed = _renamed(example, names)
    document = example_to_input(renamed)
    CUSTOM_FUEL_IDS.clear()
    CUSTOM_FUEL_IDS.update({k: v["fuel"] for k, v in custom_fuels().items()})
    assert CUSTOM_FUEL_IDS, "the renamed case names no unknown fuel"
    result = evaluate(
        report=parse_report(dumps(document), forms_by_guideline(), source=source.name), today=date(2026, 11, 23)
    ).result
    for expected in _units(renamed):
        unit = result.unit(str(expected["id"]))
        for month_expected in expected["months"]:
            _check_month(unit.month(int(month_expected["month"])), month_expected, f"{expected['id']}")
    for key, value in renamed["expected"]["enterprise"].items():
        if isinstance(value, Decimal):
            close(figure(result.totals, key, key, value), value, f"enterprise {key}")
