"""Each rule: a clean report has no errors; one deliberate change produces exactly the expected code."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from desktop.domain.findings import FieldRef, Severity, render
from desktop.interchange.report_json import parse_report
from desktop.rules.base import RuleContext, run_rules
from desktop.services.evaluation import Evaluation, evaluate
from desktop.services.guidelines import forms_by_guideline, guideline
from tests.helpers import clean_document, dumps

TODAY = date(2026, 11, 23)
CLEAN = clean_document()


def run(doc: dict[str, Any], today: date = TODAY) -> Evaluation:
    return evaluate(report=parse_report(dumps(doc), forms_by_guideline()), today=today)


def month(doc: dict[str, Any], number: int) -> dict[str, Any]:
    return doc["units"][0]["months"][number - 1]


def fuel(doc: dict[str, Any], number: int) -> dict[str, Any]:
    return month(doc, number)["fuels"][0]


def test_clean_report_has_no_errors_or_warnings() -> None:
    ev = run(CLEAN)
    assert [f.code for f in ev.findings if f.severity is not Severity.INFO] == []
    assert not ev.has_errors


def _set(path: Callable[[dict], dict], key: str, value: Any) -> Callable[[dict], None]:
    def change(doc: dict) -> None:
        path(doc)[key] = value

    return change


def _drop(path: Callable[[dict], dict], key: str) -> Callable[[dict], None]:
    def change(doc: dict) -> None:
        path(doc).pop(key)

    return change


def _same_day(doc: dict) -> None:
    for n in (4, 5, 6):
        fuel(doc, n).update(
            {"sample_received_date": "2022-07-05", "test_date": "2022-07-06", "report_date": "2022-07-08"}
        )


def _identical_samples(doc: dict) -> None:
    for key in ("c_ad_pct", "m_ad_pct", "m_ar_pct", "ncv"):
        fuel(doc, 8)[key] = fuel(doc, 7)[key]


def _stable_carbon(doc: dict) -> None:
    for n in range(1, 13):
        fuel(doc, n).update(
            {
                "c_ad_pct": Decimal("60.00"),
                "m_ad_pct": Decimal("2.50"),
                "m_ar_pct": Decimal("12.00") + n / Decimal(1000),
            }
        )


def _unmeasured(doc: dict) -> None:
    fuel(doc, 5)["carbon_measured"] = False
    for key in ("c_ad_pct", "m_ad_pct", "m_ar_pct"):
        fuel(doc, 5).pop(key)


def _no_lab_scan(doc: dict) -> None:
    month(doc, 2)["evidence"] = [e for e in month(doc, 2)["evidence"] if e["kind"] != "lab_report"]


def _no_ledger_scan(doc: dict) -> None:
    month(doc, 2)["evidence"] = [e for e in month(doc, 2)["evidence"] if e["kind"] != "fuel_ledger"]


def _reused_scan(doc: dict) -> None:
    lab = next(e for e in month(doc, 3)["evidence"] if e["kind"] == "lab_report")
    for e in month(doc, 4)["evidence"]:
        if e["kind"] == "lab_report":
            e["sha256"] = lab["sha256"]


def _jump(doc: dict) -> None:
    month(doc, 6).pop("note")
    fuel(doc, 6)["consumption"] = fuel(doc, 5)["consumption"] * 2


def _declared(doc: dict) -> None:
    doc["units"][0]["declared_annual"] = {"generation_mwh": Decimal("4122000")}


def _drop_month(doc: dict) -> None:
    doc["units"][0]["months"].pop(4)


def _missing_benchmark(doc: dict) -> None:
    doc["parameter_overrides"] = [
        o for o in doc["parameter_overrides"] if not o["key"].startswith("benchmark.electricity")
    ]
    doc["data_year"] = 2023
    for o in doc["parameter_overrides"]:
        if o["key"] == "allocation.basis":
            o["value"] = "generation"


CASES: list[tuple[str, Callable[[dict], None], str, str | None]] = [
    # (case id, change, expected code, expected path or None)
    (
        "missing consumption",
        _drop(lambda d: fuel(d, 3), "consumption"),
        "PWR-E001",
        "units[1#].months[3].fuels[0].consumption",
    ),
    (
        "missing lab name when measured",
        _drop(lambda d: fuel(d, 3), "lab_name"),
        "PWR-E001",
        "units[1#].months[3].fuels[0].lab_name",
    ),
    (
        "negative generation",
        _set(lambda d: month(d, 2), "generation_mwh", Decimal(-5)),
        "PWR-E002",
        "units[1#].months[2].generation_mwh",
    ),
    (
        "supply above generation",
        _set(lambda d: month(d, 2), "supply_mwh", Decimal("399512.9")),
        "PWR-E003",
        "units[1#].months[2].supply_mwh",
    ),
    ("load factor above 1", _set(lambda d: month(d, 2), "load_factor", Decimal("1.2")), "PWR-E004", None),
    ("heat ratio above 1", _set(lambda d: month(d, 2), "heat_ratio", Decimal("1.5")), "PWR-E005", None),
    ("hours beyond February", _set(lambda d: month(d, 2), "operating_hours", Decimal(673)), "PWR-E006", None),
    (
        "M_ar below M_ad",
        _set(lambda d: fuel(d, 2), "m_ar_pct", Decimal("2.0")),
        "PWR-E007",
        "units[1#].months[2].fuels[0].m_ar_pct",
    ),
    ("moisture of 100 %", _set(lambda d: fuel(d, 2), "m_ad_pct", Decimal(100)), "PWR-E008", None),
    ("report before test", _set(lambda d: fuel(d, 2), "report_date", "2022-03-01"), "PWR-E009", None),
    ("declared annual mismatch", _declared, "PWR-E010", "units[1#].generation_mwh"),
    ("lab report scan missing", _no_lab_scan, "PWR-E020", None),
    ("fuel ledger scan missing", _no_ledger_scan, "PWR-W020", "units[1#].months[2].fuels[0].consumption"),
    ("coal NCV out of range", _set(lambda d: fuel(d, 2), "ncv", Decimal("35")), "PWR-W001", None),
    ("hydrogen out of range", _set(lambda d: fuel(d, 2), "h_ad_pct", Decimal("7.5")), "PWR-W008", None),
    ("carbon per heat too high", _set(lambda d: fuel(d, 2), "c_ad_pct", Decimal("75")), "PWR-W003", None),
    ("jump without note", _jump, "PWR-W009", "units[1#].months[6].fuels[0].consumption"),
    ("report later than 40 days", _set(lambda d: fuel(d, 2), "report_date", "2022-04-12"), "PWR-E011", None),
    ("report after the deposit", _set(lambda d: month(d, 2), "deposited_on", "2022-03-05"), "PWR-E012", None),
    ("hydrogen missing when measured", _drop(lambda d: fuel(d, 4), "h_ad_pct"), "PWR-E001", None),
    ("sulphur missing when measured", _drop(lambda d: fuel(d, 4), "s_t_ad_pct"), "PWR-E001", None),
    ("report number used twice", _set(lambda d: fuel(d, 5), "report_no", "R-2022-04"), "PWR-W018", None),
    ("scan used for two months", _reused_scan, "PWR-W019", None),
    ("NCV inconsistent with the sample", _set(lambda d: fuel(d, 7), "ncv", Decimal("26.5")), "PWR-W022", None),
    ("category against capacity", _set(lambda d: d["units"][0], "capacity_mw", Decimal(350)), "PWR-W040", None),
    ("report before the month", _drop(lambda d: fuel(d, 2), "sample_received_date"), None, None),
    ("three reports on one day", _same_day, "PWR-W012", None),
    ("QR code missing", _set(lambda d: fuel(d, 2), "qr_present", False), "PWR-W013", None),
    ("certificate number missing", _drop(lambda d: fuel(d, 2), "lab_accreditation_no"), "PWR-W013", None),
    ("identical lab results", _identical_samples, "PWR-W014", None),
    ("implausibly stable carbon", _stable_carbon, "PWR-W014", "units[1#]"),
    ("month not measured", _unmeasured, "PWR-W015", "units[1#].months[5].fuels[0].carbon_measured"),
    ("heat without ratio", _set(lambda d: month(d, 2), "heat_supply_gj", Decimal(1000)), "PWR-W016", None),
    ("load factor inconsistent", _set(lambda d: month(d, 2), "load_factor", Decimal("0.60")), "PWR-W017", None),
    ("benchmark not published", _missing_benchmark, "PWR-W030", "parameter:benchmark.electricity.coal_gt300"),
    ("USCC malformed", _set(lambda d: d["entity"], "uscc", "9111000010162374"), "GEN-E001", "entity.uscc"),
    ("USCC check character", _set(lambda d: d["entity"], "uscc", "91310115MA1H8R7C6D"), "GEN-W001", "entity.uscc"),
    (
        "USCC typed with spaces",
        _set(lambda d: d["entity"], "uscc", "9111 0000 1016 2374 1k"),
        "GEN-I001",
        "entity.uscc",
    ),
    (
        "deposited late",
        _set(lambda d: month(d, 3), "deposited_on", "2022-05-20"),
        "DEP-W001",
        "units[1#].months[3].deposited_on",
    ),
    ("month absent from a finished year", _drop_month, "GEN-E010", "units[1#].months[5]"),
]


@pytest.mark.parametrize(("change", "code", "path"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_one_change_one_finding(change, code, path) -> None:
    doc = copy.deepcopy(CLEAN)
    change(doc)
    ev = run(doc)
    new = [f for f in ev.findings if f.severity is not Severity.INFO or f.code == code]
    if code is None:  # a change that must not raise anything
        assert new == []
        return
    assert code in {f.code for f in new}, [f.code for f in new]
    hit = next(f for f in new if f.code == code)
    if path is not None:
        assert hit.ref.path == path
    for lang in ("zh", "en"):
        text = render(hit, ev.guideline.messages, lang)
        assert "{" not in text and hit.code in ev.guideline.messages, text
    assert hit.severity is {"E": Severity.ERROR, "W": Severity.WARNING, "I": Severity.INFO}[code.split("-")[1][0]]


def test_unmeasured_month_reports_its_cost() -> None:
    doc = copy.deepcopy(CLEAN)
    _unmeasured(doc)
    ev = run(doc)
    hit = next(f for f in ev.findings if f.code == "PWR-W015")
    extra = ev.result.units[0].month(5).figures["extra_vs_measured_t"].value
    assert extra > 0 and hit.params["extra"] == round(extra)


def test_note_explains_a_jump() -> None:
    doc = copy.deepcopy(CLEAN)
    _jump(doc)
    month(doc, 6)["note"] = "6月机组满负荷运行"
    assert "PWR-W009" not in {f.code for f in run(doc).findings}


def test_deadlines_in_the_running_cycle() -> None:
    doc = copy.deepcopy(CLEAN)
    month(doc, 11).pop("deposited_on")
    month(doc, 12).pop("deposited_on")
    # 2022-12 is due 2023-02-09; on 2023-02-01 December is due soon and November (due 2023-01-10) overdue.
    ev = run(doc, today=date(2023, 2, 1))
    codes = {(f.code, f.ref.month) for f in ev.findings}
    assert ("DEP-W002", 11) in codes
    assert ("DEP-I001", 12) in codes
    # After the annual report date, a missing deposit date of that year is history, not a reminder.
    ev_later = run(doc, today=date(2024, 1, 1))
    assert not {f.code for f in ev_later.findings} & {"DEP-W002", "DEP-I001"}


def test_annual_report_reminder() -> None:
    ev = run(CLEAN, today=date(2023, 3, 25))
    hit = next(f for f in ev.findings if f.code == "DEP-I002")
    assert hit.params["days"] == 6


def test_month_not_yet_entered_in_running_year() -> None:
    doc = copy.deepcopy(CLEAN)
    _drop_month(doc)
    ev = run(doc, today=date(2022, 8, 1))
    assert ("GEN-W010", 5) in {(f.code, f.ref.month) for f in ev.findings}


def test_acknowledged_warning_passes_but_error_cannot() -> None:
    doc = copy.deepcopy(CLEAN)
    _jump(doc)
    fuel(doc, 2)["m_ar_pct"] = Decimal("2.0")
    doc["acknowledgements"] = [
        {"code": "PWR-W009", "path": "units[1#].months[6].fuels[0].consumption", "justification": "满负荷", "by": "王"},
        {"code": "PWR-E007", "path": "units[1#].months[2].fuels[0].m_ar_pct", "justification": "试图放行错误"},
    ]
    ev = run(doc)
    jump = next(f for f in ev.findings if f.code == "PWR-W009")
    assert jump.acknowledged is not None and not jump.blocks_submission
    error = next(f for f in ev.findings if f.code == "PWR-E007")
    assert error.acknowledged is None and error.blocks_submission
    assert "RUL-I001" in {f.code for f in ev.findings}


def test_a_crashing_rule_becomes_a_finding() -> None:
    def broken(ctx: RuleContext) -> list:
        raise ZeroDivisionError("boom")

    ev = run(CLEAN)
    ctx = RuleContext(report=ev.report, form=ev.guideline.form, pack=ev.pack, result=ev.result, today=TODAY)
    found = run_rules((broken, *guideline("power_generation").rules[:1]), ctx)
    assert found[0].code == "RUL-E001" and found[0].ref == FieldRef()
    assert "boom" in render(found[0], ev.guideline.messages, "en")


def test_every_catalogue_message_has_both_languages_and_matching_placeholders() -> None:
    messages = guideline("power_generation").messages
    for code, message in messages.items():
        assert message.zh.strip() and message.en.strip(), code
        zh = {p for p in message.placeholders() if not p.endswith("_en")}
        en = {p for p in message.placeholders() if not p.endswith("_zh")}
        strip = lambda names: {n.removesuffix("_zh").removesuffix("_en") for n in names}  # noqa: E731
        assert strip(zh) == strip(en), code


def test_a_year_without_its_pack_uses_the_latest_and_says_so() -> None:
    doc = copy.deepcopy(CLEAN)
    doc["data_year"] = 2026
    ev = run(doc, today=date(2026, 11, 23))
    assert ev.pack.data_year == 2025
    hit = next(f for f in ev.findings if f.code == "GEN-W020")
    assert hit.params["pack_year"] == 2025 and "2025" in render(hit, ev.guideline.messages, "zh")
    doc["data_year"] = 2018
    with pytest.raises(Exception, match="no parameter pack for data year 2018"):
        run(doc)
