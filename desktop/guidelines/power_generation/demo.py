"""A demo plant: one entity with two coal units and one gas unit, a full data year, a few problems.

The data are synthetic but shaped like a real plant's year, so every screen and report has something
to show, including deliberate problems a carbon officer must deal with:

- 2# has no carbon test in March and August (default charged; the extra tCO2 are shown);
- 2# July: total moisture below air-dried moisture (an error that blocks submission);
- 1# October–December: three "monthly" lab reports issued the same day by the same lab (fraud signal);
- 1# June: fuel consumption jumps without a note; G1 May: deposited late;
- 1# September: the fuel-ledger scan is missing; the lab report of 2# lacks its QR code;
- the benchmark of the 300 MW-and-below coal category has no official value in the pack yet.
"""

from __future__ import annotations

import hashlib
import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from desktop.domain.periods import deposit_due, hours_in_month, month_end

DEMO_YEAR = 2025
DEMO_USCC = "91110000101623741K"


def _d(value: float, places: int) -> Decimal:
    return Decimal(str(round(value, places)))


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# Gentle seasonal profile (winter and summer peaks), so month-on-month changes stay realistic.
_SEASON = (1.0, 0.93, 0.9, 0.88, 0.9, 0.95, 1.0, 1.0, 0.93, 0.9, 0.95, 1.0)


def _coal_month(rng: random.Random, unit: dict[str, Any], month: int, *, measured: bool, chp: bool) -> dict[str, Any]:
    capacity = float(unit["capacity_mw"])
    hours_cap = float(hours_in_month(DEMO_YEAR, month))
    hours = round(hours_cap * _SEASON[month - 1] * rng.uniform(0.88, 0.92), 1)
    load = rng.uniform(0.80, 0.84)
    generation = round(capacity * hours * load, 1)
    supply = round(generation * (1 - rng.uniform(0.045, 0.065)), 1)
    ncv = round(rng.uniform(20.0, 21.5), 2)
    heat_rate = rng.uniform(8.6, 9.4)
    consumption = round(generation * heat_rate / ncv, 1)
    heat = round(generation * rng.uniform(1.1, 1.25), 1) if chp else 0
    heat_ratio = round(rng.uniform(0.15, 0.17), 4) if chp else 0
    c_ad, m_ad, m_ar = (
        round(rng.uniform(59.0, 63.0), 2),
        round(rng.uniform(2.2, 3.0), 2),
        round(rng.uniform(10.0, 13.0), 2),
    )
    report_day = month_end(DEMO_YEAR, month) + timedelta(days=rng.randint(6, 14))
    fuel: dict[str, Any] = {
        "fuel": "coal",
        "consumption": _d(consumption, 1),
        "ncv": _d(ncv, 2),
        "carbon_measured": measured,
    }
    if measured:
        fuel.update(
            {
                "c_ad_pct": _d(c_ad, 2),
                "m_ad_pct": _d(m_ad, 2),
                "m_ar_pct": _d(m_ar, 2),
                "h_ad_pct": _d(rng.uniform(3.2, 4.2), 2),
                "s_t_ad_pct": _d(rng.uniform(0.4, 1.1), 2),
                "lab_name": "华北煤质检测中心",
                "lab_accreditation_no": "CMA 2019000123",
                "report_no": f"HB-{DEMO_YEAR}-{unit['id'].rstrip('#')}{month:02d}",
                "sample_received_date": (month_end(DEMO_YEAR, month) + timedelta(days=2)).isoformat(),
                "test_date": (month_end(DEMO_YEAR, month) + timedelta(days=4)).isoformat(),
                "report_date": report_day.isoformat(),
                "qr_present": True,
            }
        )
    return {
        "month": month,
        "fuels": [fuel],
        "purchased_electricity_mwh": _d(140 * _SEASON[month - 1] * rng.uniform(0.95, 1.05), 1),
        "generation_mwh": _d(generation, 1),
        "supply_mwh": _d(supply, 1),
        "heat_supply_gj": _d(heat, 1),
        "heat_ratio": _d(heat_ratio, 4),
        "operating_hours": _d(hours, 1),
        "load_factor": _d(generation / (capacity * hours), 4),
    }


def _gas_month(rng: random.Random, unit: dict[str, Any], month: int) -> dict[str, Any]:
    capacity = float(unit["capacity_mw"])
    hours = round(float(hours_in_month(DEMO_YEAR, month)) * _SEASON[month - 1] * rng.uniform(0.48, 0.52), 1)
    load = rng.uniform(0.74, 0.78)
    generation = round(capacity * hours * load, 1)
    ncv = round(rng.uniform(360.0, 392.0), 2)
    consumption = round(generation * rng.uniform(6.3, 6.9) / ncv, 2)
    return {
        "month": month,
        "fuels": [{"fuel": "natural_gas", "consumption": _d(consumption, 2), "ncv": _d(ncv, 2)}],
        "purchased_electricity_mwh": _d(25 * _SEASON[month - 1] * rng.uniform(0.95, 1.05), 1),
        "generation_mwh": _d(generation, 1),
        "supply_mwh": _d(generation * (1 - rng.uniform(0.02, 0.03)), 1),
        "heat_supply_gj": Decimal(0),
        "heat_ratio": Decimal(0),
        "operating_hours": _d(hours, 1),
        "load_factor": _d(generation / (capacity * hours), 4),
    }


def _attach_evidence(unit_id: str, record: dict[str, Any], *, skip_fuel_ledger: bool = False) -> None:
    month = record["month"]
    tag = f"{unit_id}-{DEMO_YEAR}-{month:02d}"
    evidence = [
        {
            "kind": "production_ledger",
            "file": f"生产报表-{tag}.pdf",
            "sha256": _sha("prod" + tag),
            "proves": [
                "generation_mwh",
                "supply_mwh",
                "heat_supply_gj",
                "heat_ratio",
                "operating_hours",
                "load_factor",
            ],
        },
        {
            "kind": "electricity_ledger",
            "file": f"购电结算单-{tag}.pdf",
            "sha256": _sha("elec" + tag),
            "proves": ["purchased_electricity_mwh"],
        },
    ]
    if not skip_fuel_ledger:
        evidence.append(
            {
                "kind": "fuel_ledger",
                "file": f"燃料台账-{tag}.pdf",
                "sha256": _sha("fuel" + tag),
                "proves": ["fuels[0].consumption"],
            }
        )
    evidence.append(
        {"kind": "lab_report", "file": f"检测报告-{tag}.pdf", "sha256": _sha("lab" + tag), "proves": ["fuels[0]"]}
    )
    record["evidence"] = evidence


def demo_document(seed: int = 2025) -> dict[str, Any]:
    """The demo report in CarbonDesk's JSON input shape (plain Python values, Decimals for numbers)."""
    rng = random.Random(seed)
    units: list[dict[str, Any]] = [
        {
            "id": "1#",
            "name": "1号机组",
            "category": "coal_gt300",
            "capacity_mw": Decimal(660),
            "fuel_type": "coal",
            "cooling": "water",
            "chp": False,
            "pressure_class": "ultra_supercritical",
            "commissioning_date": "2012-06-30",
        },
        {
            "id": "2#",
            "name": "2号机组",
            "category": "coal_le300",
            "capacity_mw": Decimal(300),
            "fuel_type": "coal",
            "cooling": "air",
            "chp": True,
            "pressure_class": "subcritical",
            "commissioning_date": "2006-11-18",
        },
        {
            "id": "G1",
            "name": "燃机1号",
            "category": "gas",
            "capacity_mw": Decimal(400),
            "fuel_type": "natural_gas",
            "cooling": "water",
            "chp": False,
            "pressure_class": "other",
            "commissioning_date": "2018-03-01",
        },
    ]
    for unit in units:
        months = []
        for month in range(1, 13):
            if unit["category"] == "gas":
                record = _gas_month(rng, unit, month)
            else:
                measured = not (unit["id"] == "2#" and month in (3, 8))
                record = _coal_month(rng, unit, month, measured=measured, chp=unit["chp"])
            _attach_evidence(unit["id"], record, skip_fuel_ledger=(unit["id"] == "1#" and month == 9))
            due = deposit_due(DEMO_YEAR, month, 40)
            late = unit["id"] == "G1" and month == 5
            record["deposited_on"] = (
                due + timedelta(days=6) if late else due - timedelta(days=rng.randint(3, 12))
            ).isoformat()
            months.append(record)
        unit["months"] = months
    one, two = units[0]["months"], units[1]["months"]
    # Deliberate problems (see the module docstring).
    one[5]["fuels"][0]["consumption"] = (one[4]["fuels"][0]["consumption"] * Decimal("1.38")).quantize(Decimal("0.1"))
    same_day = date(DEMO_YEAR + 1, 1, 12).isoformat()
    for record in one[9:12]:
        fuel = record["fuels"][0]
        fuel.update({"sample_received_date": same_day, "test_date": same_day, "report_date": same_day})
    two[6]["fuels"][0]["m_ar_pct"] = Decimal("2.10")
    for record in two:
        record["fuels"][0].pop("qr_present", None)
    return {
        "format": "carbondesk.report",
        "version": 1,
        "guideline": "power_generation",
        "data_year": DEMO_YEAR,
        "entity": {
            "name": "华能示范电厂有限公司（演示数据）",
            "uscc": DEMO_USCC,
            "address": "河北省示范市电厂路1号",
            "province": "河北",
            "industry": "4411",
            "contact_person": "王碳",
            "contact_phone": "0311-00000000",
        },
        "units": units,
        "parameter_overrides": [
            {
                "key": "benchmark.electricity.coal_gt300",
                "value": Decimal("0.7950"),
                "reason": "演示：按省级主管部门通知录入（示意值） / demo: entered from the provincial notice (illustrative)",
                "by": "王碳",
            },
            {
                "key": "benchmark.electricity.gas",
                "value": Decimal("0.3300"),
                "reason": "演示：按省级主管部门通知录入（示意值） / demo: entered from the provincial notice (illustrative)",
                "by": "王碳",
            },
            {
                "key": "benchmark.heat.coal",
                "value": Decimal("0.1100"),
                "reason": "演示：按省级主管部门通知录入（示意值） / demo: entered from the provincial notice (illustrative)",
                "by": "王碳",
            },
        ],
        "acknowledgements": [],
    }
