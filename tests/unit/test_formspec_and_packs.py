"""The shipped form and packs load; broken ones are refused with every problem listed at once."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from desktop import paths
from desktop.domain.records import ParameterOverride
from desktop.engine.params import CONFIDENCE, MissingParameter, PackError, load_pack, parse_pack
from desktop.formspec import FormSpecError, load_form, parse_form
from desktop.services.guidelines import guideline

FORM = paths.forms_dir() / "power_generation.toml"


def test_power_form_declares_the_domain_items() -> None:
    form = load_form(FORM)
    ids = {scope: {f.id for f in form.fields(scope)} for scope in form.scopes}
    assert {"name", "uscc"} <= ids["entity"]
    assert {"id", "category", "capacity_mw", "cooling", "chp", "pressure_class"} <= ids["unit"]
    assert {
        "purchased_electricity_mwh",
        "generation_mwh",
        "supply_mwh",
        "heat_supply_gj",
        "heat_ratio",
        "operating_hours",
        "load_factor",
    } <= ids["month"]
    assert {
        "fuel",
        "consumption",
        "ncv",
        "c_ad_pct",
        "m_ad_pct",
        "m_ar_pct",
        "h_ad_pct",
        "s_t_ad_pct",
        "lab_name",
        "lab_accreditation_no",
        "report_no",
        "sample_received_date",
        "test_date",
        "report_date",
        "qr_present",
    } <= ids["fuel"]
    for scope in form.scopes:
        for spec in form.fields(scope):
            assert spec.label_zh and spec.label_en, spec.id


def test_conditional_requirements_and_units() -> None:
    form = load_form(FORM)
    c_ad = form.field("fuel", "c_ad_pct")
    assert form.is_required(c_ad, {"fuel": "coal", "carbon_measured": True})
    assert not form.is_required(c_ad, {"fuel": "coal", "carbon_measured": False})
    assert not form.is_required(c_ad, {"fuel": "natural_gas", "carbon_measured": True})
    consumption = form.field("fuel", "consumption")
    assert form.unit_of(consumption, {"fuel": "natural_gas"}) == "10⁴Nm³"
    assert form.unit_of(consumption, {"fuel": "coal"}) == "t"


BROKEN_FORM = """
[form]
id = "Bad-Id"
missing_code = "nonsense"
evidence_code = "PWR-W020"
evidence_blocking_code = "PWR-E020"
colour = "red"

[[groups]]
id = "g"
label_zh = "组"
label_en = "group"

[[entity]]
id = "name"
label_zh = "名称"
type = "text"

[[entity]]
id = "name"
label_zh = "重复"
label_en = "duplicate"
type = "texty"
group = "nowhere"

[[month]]
id = "x"
label_zh = "x"
label_en = "x"
type = "decimal"
min = 5
max = 1
evidence = "scan"
required_when = { ghost = true }
"""


def test_a_broken_form_lists_every_problem() -> None:
    with pytest.raises(FormSpecError) as info:
        parse_form(BROKEN_FORM, source="broken.toml")
    problems = "\n".join(info.value.problems)
    for expected in (
        "[form]: unknown key 'colour'",
        "'label_en' is missing",
        "declared twice",
        "type 'texty'",
        "group 'nowhere'",
        "min 5 is above max 1",
        "a range needs a 'range_code'",
        "evidence kind 'scan'",
        "unknown field 'ghost'",
        "missing_code 'nonsense'",
        "id 'Bad-Id' must be lower_snake_case",
    ):
        assert expected in problems, expected
    assert len(info.value.problems) >= 11


def test_form_that_is_not_toml() -> None:
    with pytest.raises(FormSpecError) as info:
        parse_form("[form\nid=", source="x")
    assert "not valid TOML" in info.value.problems[0]


def test_every_shipped_pack_is_complete_and_sourced() -> None:
    packs = guideline("power_generation").pack_files()
    assert sorted(packs) == list(range(2019, 2026))
    keys = None
    for year, path in packs.items():
        pack = load_pack(path)
        assert pack.data_year == year
        for param in pack.parameters.values():
            assert param.confidence in CONFIDENCE and param.source.strip(), param.key
        keys = keys or set(pack.parameters)
        assert set(pack.parameters) == keys, f"{year} has different keys"


@pytest.mark.parametrize(
    ("year", "cc", "grid", "rule", "basis"),
    [
        (2019, "0.03356", "0.6101", "default_only", "supply"),
        (2021, "0.03085", "0.5810", "mean_if_3_measured_else_default", "supply"),
        (2022, "0.03085", "0.5703", "mean_if_3_measured_else_default", "supply"),
        (2023, "0.03085", "0.5703", "default_only", "generation"),
    ],
)
def test_pack_values_follow_the_domain_reference(year, cc, grid, rule, basis) -> None:
    pack = guideline("power_generation").pack(year)
    assert pack.number("default_cc.coal") == Decimal(cc)
    assert pack.number("grid_ef") == Decimal(grid)
    assert pack.switch("missing_carbon_rule") == rule
    assert pack.switch("allocation.basis") == basis


def test_unpublished_benchmarks_are_missing_not_invented() -> None:
    pack = guideline("power_generation").pack(2023)
    assert pack.get("benchmark.electricity.coal_gt300").confidence == "missing"
    with pytest.raises(MissingParameter):
        pack.number("benchmark.electricity.coal_gt300")
    filled = pack.with_overrides([ParameterOverride("benchmark.electricity.coal_gt300", Decimal("0.795"), "通知")])
    param = filled.get("benchmark.electricity.coal_gt300")
    assert param.value == Decimal("0.795") and param.confidence == "user" and param.override_reason == "通知"
    assert pack.get("benchmark.electricity.coal_gt300").value is None  # the original pack is untouched


def test_bad_overrides_are_all_reported() -> None:
    pack = guideline("power_generation").pack(2022)
    with pytest.raises(PackError) as info:
        pack.with_overrides(
            [
                ParameterOverride("no.such.key", Decimal(1), "x"),
                ParameterOverride("grid_ef", Decimal("0.6"), "  "),
                ParameterOverride("compliance.gas_exempt_gap", Decimal(1), "x"),
                ParameterOverride("missing_carbon_rule", Decimal(1), "x"),
            ]
        )
    assert len(info.value.problems) == 4


def test_broken_pack_lists_every_problem(tmp_path: Path) -> None:
    text = """
[pack]
guideline = "power_generation"
data_year = "twenty"

[params.a]
value = 1
unit = "t"
confidence = "sure"
source = ""

[params.b]
unit = "t"
confidence = "C1"
source = "s"

[params.c]
value = 2
unit = "t"
confidence = "missing"
source = "s"
extra = 1
"""
    with pytest.raises(PackError) as info:
        parse_pack(text, source="bad.toml")
    problems = "\n".join(info.value.problems)
    for expected in (
        "'version' is missing",
        "'data_year' must be a whole number",
        "confidence 'sure'",
        "a source is required",
        "no value, so confidence must be 'missing'",
        "has a value but is marked 'missing'",
        "unknown key(s) extra",
    ):
        assert expected in problems, expected
