"""The power-generation corrections of the revised domain note (sections 6 and 8), on cases of our own.

Each test builds a variant of the clean P1 report (or a worked example) and checks the figure or the
finding the rule must give, with the arithmetic done here independently of the engine.
"""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal
from typing import Any

from desktop.domain.findings import Severity, render
from desktop.interchange.report_json import parse_report
from desktop.services.evaluation import Evaluation, evaluate
from desktop.services.guidelines import forms_by_guideline, guideline
from tests.helpers import POWER_EXAMPLES, clean_document, dumps, example_to_input, load_example

TODAY = date(2026, 11, 23)


def run(doc: dict[str, Any]) -> Evaluation:
    return evaluate(report=parse_report(dumps(doc), forms_by_guideline()), today=TODAY)


def codes(ev: Evaluation) -> set[str]:
    return {f.code for f in ev.findings}


def example(name: str) -> dict[str, Any]:
    return example_to_input(load_example(POWER_EXAMPLES / f"{name}.json"))


def near(a: Decimal, b: Decimal) -> bool:
    """Equal to 25 significant digits (the engine works at 34, this test at Python's default 28)."""
    return abs(a - b) <= abs(b) * Decimal("1e-25") + Decimal("1e-25")


def override(doc: dict[str, Any], key: str, value: Any) -> None:
    doc["parameter_overrides"] = [o for o in doc.get("parameter_overrides", []) if o["key"] != key]
    doc["parameter_overrides"].append({"key": key, "value": value, "reason": "test case"})


def test_compliance_scope_follows_the_pack_not_the_year() -> None:
    doc = clean_document()  # 2022: fuel + purchased electricity
    ev = run(doc)
    unit = ev.result.units[0].annual
    assert ev.result.totals["obligation_t"].value == unit["e_total_t"].value
    # The same data under a pack that excludes indirect emissions: fuel only, electricity still reported.
    override(doc, "compliance.includes_indirect", False)
    ev = run(doc)
    unit = ev.result.units[0].annual
    assert unit["e_elec_t"].value > 0
    assert unit["e_compliance_t"].value == unit["e_fuel_t"].value
    assert ev.result.totals["obligation_t"].value == unit["e_fuel_t"].value


def test_gap_cap_and_ccer_cap_use_the_compliance_scope_and_the_obligation() -> None:
    doc = clean_document()
    override(doc, "benchmark.electricity.coal_gt300", Decimal("0.5"))  # a large gap: the 20 % cap binds
    ev = run(doc)
    t, a = ev.result.totals, ev.result.units[0].annual
    expected = a["allocation_t"].value + Decimal("0.2") * a["e_total_t"].value
    assert near(t["obligation_t"].value, expected) and expected < a["e_total_t"].value
    assert near(t["ccer_cap_t"].value, Decimal("0.05") * expected)  # 5 % of the obligation, not of emissions


def test_load_correction_for_chp_units_is_a_pack_switch() -> None:
    doc = example("P2-coal-300MW-CHP-8-measured")  # 2022 CHP: corrected
    ev = run(doc)
    assert ev.result.units[0].annual["f_load"].value != 1
    override(doc, "f_load.applies_to_chp", False)
    assert run(doc).result.units[0].annual["f_load"].value == 1
    doc["data_year"] = 2020  # the 2020 pack: pure-condensing units only
    doc["parameter_overrides"] = [o for o in doc["parameter_overrides"] if o["key"] != "f_load.applies_to_chp"]
    assert run(doc).result.units[0].annual["f_load"].value == 1


def test_unit_commissioned_in_the_data_year_gets_no_allocation() -> None:
    doc = clean_document()
    doc["units"][0]["commissioning_date"] = "2022-03-15"
    ev = run(doc)
    unit = ev.result.units[0]
    assert "allocation_t" not in unit.annual and unit.annual["e_total_t"].value > 0
    assert unit.tags["not_allocated"] == "commissioned_in_year"
    hit = next(f for f in ev.findings if f.code == "PWR-I003")
    assert hit.ref.path == "units[1#].commissioning_date"
    doc["units"][0]["commissioning_date"] = "2021-12-31"
    assert "allocation_t" in run(doc).result.units[0].annual


def test_capacity_class_threshold() -> None:
    for capacity, category, warned in (
        (350, "coal_le300", False),
        (350, "coal_gt300", True),
        (400, "coal_gt300", False),
        (400, "coal_le300", True),
        (399.9, "coal_le300", False),
        (1000, "coal_unconventional", False),
    ):
        doc = clean_document()
        doc["units"][0].update({"capacity_mw": Decimal(str(capacity)), "category": category})
        override(doc, f"benchmark.electricity.{category}", Decimal("0.8"))
        found = [f for f in run(doc).findings if f.code == "PWR-W040"]
        assert bool(found) is warned, (capacity, category)
        if found:
            text = render(found[0], run(doc).guideline.messages, "en")
            assert "300 MW class" in text and str(capacity) in text


def test_lab_report_40_days_and_deposit_date() -> None:
    doc = clean_document()
    fuel = doc["units"][0]["months"][0]["fuels"][0]
    fuel["report_date"] = "2022-03-12"  # 40 days after 31 January: allowed
    doc["units"][0]["months"][0]["deposited_on"] = "2022-03-12"
    assert not {"PWR-E011", "PWR-E012"} & codes(run(doc))
    fuel["report_date"] = "2022-03-13"  # 41 days
    found = codes(run(doc))
    assert "PWR-E011" in found and "PWR-E012" in found


def test_same_lab_same_day_across_units() -> None:
    doc = clean_document()
    second = copy.deepcopy(doc["units"][0])
    second["id"] = "2#"
    doc["units"].append(second)
    for k, fuel_month in enumerate((1, 2)):
        f = doc["units"][k]["months"][fuel_month - 1]["fuels"][0]
        f.update({"report_no": f"X-{k}", "report_date": "2022-03-02", "test_date": "2022-03-01"})
    f = doc["units"][1]["months"][2]["fuels"][0]
    f.update({"report_no": "X-3", "report_date": "2022-03-02", "test_date": "2022-03-01"})
    # units of one month tested on one day is normal; three different months is the signal
    assert "PWR-W012" in codes(run(doc))


def test_report_number_reuse_across_units_same_month() -> None:
    doc = clean_document()
    second = copy.deepcopy(doc["units"][0])
    second["id"] = "2#"
    for m in second["months"]:
        m["fuels"][0]["report_no"] = "B-" + m["fuels"][0]["report_no"]
        for e in m["evidence"]:
            e["sha256"] = e["sha256"][::-1]
    doc["units"].append(second)
    assert not {"PWR-W018", "PWR-W019"} & codes(run(doc))
    second["months"][0]["fuels"][0]["report_no"] = doc["units"][0]["months"][0]["fuels"][0]["report_no"]
    hits = [f for f in run(doc).findings if f.code == "PWR-W018"]
    assert {f.ref.unit for f in hits} == {"1#", "2#"}
    # the same production-ledger scan for both units of one month is a plant-wide ledger: fine
    prod = next(e for e in doc["units"][0]["months"][1]["evidence"] if e["kind"] == "production_ledger")
    next(e for e in second["months"][1]["evidence"] if e["kind"] == "production_ledger")["sha256"] = prod["sha256"]
    assert "PWR-W019" not in codes(run(doc))
    # the same lab-report scan for both units is not
    lab = next(e for e in doc["units"][0]["months"][1]["evidence"] if e["kind"] == "lab_report")
    next(e for e in second["months"][1]["evidence"] if e["kind"] == "lab_report")["sha256"] = lab["sha256"]
    assert "PWR-W019" in codes(run(doc))


def test_a_scan_reused_everywhere_names_a_few_places_and_their_number() -> None:
    """One lab-report scan in every month of ten units: each unit-month has its finding, and each message
    names the first places and the number of all (a message naming all would grow with the group's square)."""
    doc = clean_document()
    sha = doc["units"][0]["months"][0]["evidence"][0]["sha256"]
    for k in range(1, 10):
        unit = copy.deepcopy(doc["units"][0])
        unit["id"] = f"{k + 1}#"
        for m in unit["months"]:
            m["fuels"][0]["report_no"] = f"U{k}-" + m["fuels"][0]["report_no"]
        doc["units"].append(unit)
    for unit in doc["units"]:
        for m in unit["months"]:
            next(e for e in m["evidence"] if e["kind"] == "lab_report")["sha256"] = sha
    hits = [f for f in run(doc).findings if f.code == "PWR-W019"]
    places = {(u["id"], m["month"]) for u in doc["units"] for m in u["months"]}
    assert {(f.ref.unit, f.ref.month) for f in hits} == places  # every place has its finding
    words = guideline("power_generation").messages
    for f in hits:
        zh, en = render(f, words, "zh"), render(f, words, "en")
        assert f"等共 {len(places)} 处" in zh and f"({len(places)} in all)" in en
        assert zh.count("月") <= 7 and len(en) < 400  # six places named, not 120


def test_mendeleev_band_is_pack_data() -> None:
    doc = clean_document()
    fuel = doc["units"][0]["months"][6]["fuels"][0]
    c, h, s = (fuel[k] for k in ("c_ad_pct", "h_ad_pct", "s_t_ad_pct"))
    k = (100 - fuel["m_ar_pct"]) / (100 - fuel["m_ad_pct"])
    estimate = (339 * c * k + 1030 * h * k - 109 * (7 * k - s * k) - 25 * (9 * h * k + fuel["m_ar_pct"])) / 1000
    fuel["ncv"] = (estimate * Decimal("1.10")).quantize(Decimal("0.01"))  # 10 % off: inside the 15 % band
    assert "PWR-W022" not in codes(run(doc))
    override(doc, "checks.ncv_consistency_band", Decimal("0.05"))
    hit = next(f for f in run(doc).findings if f.code == "PWR-W022" and f.ref.month == 7)
    assert abs(hit.params["estimate"] - estimate) < Decimal("0.01")


def test_grid_factor_from_2023_must_be_confirmed() -> None:
    doc = example("P3-coal-350MW-2-measured-2023")
    doc["parameter_overrides"] = [o for o in doc["parameter_overrides"] if o["key"] != "grid_ef"]
    ev = run(doc)
    hit = next(f for f in ev.findings if f.code == "PWR-W031")
    assert hit.severity is Severity.WARNING and hit.params["key"] == "grid_ef"
    override(doc, "grid_ef", Decimal("0.5703"))  # confirmed by the user, with a reason
    assert "PWR-W031" not in codes(run(doc))
    doc["data_year"] = 2022  # the 2022 factor is confirmed [C2]
    doc["parameter_overrides"] = [o for o in doc["parameter_overrides"] if o["key"] != "grid_ef"]
    assert "PWR-W031" not in codes(run(doc))


def test_relief_months_need_a_reason() -> None:
    doc = example("P2-coal-300MW-CHP-8-measured")  # 2022, mean of measured months for 4 months
    ev = run(doc)
    relief = [
        m.month for m in ev.result.units[0].months if any(r.tags["carbon_source"] == "mean_of_measured" for r in m.rows)
    ]
    assert relief
    assert {f.ref.month for f in ev.findings if f.code == "PWR-W021"} == set(relief)
    for m in doc["units"][0]["months"]:
        if m["month"] in relief:
            m["carbon_missing_reason"] = "疫情封控，检测机构无法接收样品"
    assert "PWR-W021" not in codes(run(doc))


def test_heat_coal_rate_and_gas_energy_rate() -> None:
    ev = run(example("P2-coal-300MW-CHP-8-measured"))
    a = ev.result.units[0].annual
    expected = a["heat_input_gj"].value / Decimal("29.3076") * a["heat_ratio"].value / a["heat_supply_gj"].value * 1000
    assert abs(a["heat_coal_rate_kgce_per_gj"].value - expected) < Decimal("1e-20")
    assert 30 < a["heat_coal_rate_kgce_per_gj"].value < 50  # kgce/GJ, as plants know it
    gas = run(example("P4-gas-400MW")).result.units[0].annual
    assert "supply_coal_rate_gce_per_kwh" not in gas and gas["supply_energy_rate_gce_per_kwh"].value > 0


def test_weighted_ncv_and_carbon() -> None:
    doc = example("P1-coal-660MW-all-measured")
    ev = run(doc)
    a, unit = ev.result.units[0].annual, ev.result.units[0]
    fc = sum(m["fuels"][0]["consumption"] for m in doc["units"][0]["months"])
    ncv = sum(m["fuels"][0]["consumption"] * m["fuels"][0]["ncv"] for m in doc["units"][0]["months"]) / fc
    assert abs(a["ncv_weighted"].value - ncv) < Decimal("1e-20")
    c_ar = sum(m.rows[0].figures["consumption"].value * m.rows[0].figures["c_ar"].value for m in unit.months) / fc
    assert abs(a["c_ar_weighted"].value - c_ar) < Decimal("1e-20")
    assert near(a["aux_rate"].value, 1 - a["supply_mwh"].value / a["generation_mwh"].value)


def test_compliance_beyond_one_year() -> None:
    doc = clean_document()  # 2022: borrowing allowed, no banking cap
    t = run(doc).result.totals
    cap, obligation, allocation = t["ccer_cap_t"].value, t["obligation_t"].value, t["allocation_t"].value
    doc["year"] = {"ccer_used_t": Decimal(100000), "banked_in_t": Decimal(50000), "borrowed_t": Decimal(20000)}
    ev = run(doc)
    t = ev.result.totals
    assert near(t["position_t"].value, allocation + 170000 - obligation)
    assert not {"PWR-E013", "PWR-E014"} & codes(ev)
    assert next(f for f in ev.findings if f.code == "PWR-I004").params["deadline"] == "2023-12-31"
    doc["year"]["ccer_used_t"] = (cap + 1).to_integral_value()
    assert "PWR-E014" in codes(run(doc))


def test_no_borrowing_and_the_banking_cap_from_2023() -> None:
    doc = example("P3-coal-350MW-2-measured-2023")
    doc["year"] = {"borrowed_t": Decimal(1000)}
    assert "PWR-E013" in codes(run(doc))
    t = run(example("P3-coal-350MW-2-measured-2023")).result.totals
    shortfall = -t["balance_t"].value
    doc["year"] = {"banked_in_t": (shortfall + 50000).to_integral_value(), "net_sales_t": Decimal(20000)}
    ev = run(doc)
    t = ev.result.totals
    assert t["banking_cap_t"].value == 10000 + Decimal("1.5") * 20000
    hit = next(f for f in ev.findings if f.code == "PWR-W032")
    assert hit.params["cap"] == 40000
    doc["year"]["net_sales_t"] = Decimal(40000)
    assert "PWR-W032" not in codes(run(doc))


def test_year_items_refuse_negative_values_and_unknown_keys() -> None:
    doc = clean_document()
    doc["year"] = {"ccer_used_t": Decimal(-1)}
    assert "PWR-E002" in codes(run(doc))
    doc["year"] = {"ccer_sold": Decimal(1)}
    try:
        run(doc)
    except Exception as exc:  # InputError names the place
        assert "year.ccer_sold" in str(exc)
    else:
        raise AssertionError("an unknown year item was accepted")


def test_numbers_beyond_the_form_are_refused_by_every_reader() -> None:
    """One rule, from the form: exponent notation, huge magnitudes and over 15 significant digits."""
    import pytest

    from desktop.domain.numbers import NUM_EXPONENT, NumberFormatError, parse_decimal
    from desktop.interchange.problems import InputError

    with pytest.raises(NumberFormatError) as caught:
        parse_decimal("1e999")
    assert caught.value.reason == NUM_EXPONENT
    for bad in ("1e999999999", "-1e308", "12345678901234567890123456", "1234567890.123456"):
        doc = clean_document()
        text = dumps(doc).replace('"generation_mwh": 339512.9', f'"generation_mwh": {bad}', 1)
        assert bad in text
        with pytest.raises(InputError) as refused:
            parse_report(text, forms_by_guideline())
        assert "units[0].months[0].generation_mwh" in refused.value.render("en")
