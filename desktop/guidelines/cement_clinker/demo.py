"""A demo cement works: two clinker lines and the quarry's vehicles, a full 2025 data year, a few problems.

Synthetic but shaped like a real Portland clinker plant (NSP kilns, ~3.1 GJ/t, ~0.83 tCO2/t), with the
problems a carbon officer must deal with:

- 2# uses carbide slag above the 15 % exception threshold (allocation = verified emissions, noted);
- 1# has no coal carbon test in May (the high default is charged and flagged);
- 1# March: coal fly ash above 12 % of the clinker (a manipulation signal to justify);
- 1# September: the production-ledger scan is missing;
- the sector balance value has no official figure: 1#'s 2025 allocation waits for it.
"""

from __future__ import annotations

import hashlib
import random
from datetime import timedelta
from decimal import Decimal
from typing import Any

from desktop.domain.periods import month_end

DEMO_YEAR = 2025
DEMO_USCC = "913400007050000043"
_SEASON = (0.35, 0.2, 1.0, 1.0, 1.02, 1.0, 0.97, 0.98, 1.0, 1.02, 1.0, 0.9)  # winter stop in Jan–Feb


def _d(value: float, places: int) -> Decimal:
    return Decimal(str(round(value, places)))


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _line_month(
    rng: random.Random, line: dict[str, Any], month: int, *, measured: bool, carbide: bool
) -> dict[str, Any]:
    days = month_end(DEMO_YEAR, month).day
    clinker = float(line["capacity_t_per_day"]) * days * _SEASON[month - 1] * rng.uniform(0.95, 1.0)
    ncv = rng.uniform(21.5, 23.5)
    coal = clinker * rng.uniform(3.0, 3.2) / ncv
    report_day = month_end(DEMO_YEAR, month) + timedelta(days=rng.randint(5, 12))
    fuel: dict[str, Any] = {"fuel": "coal", "consumption": _d(coal, 1), "ncv": _d(ncv, 2), "carbon_measured": measured}
    if measured:
        fuel.update(
            {
                "c_ad_pct": _d(rng.uniform(60.0, 64.0), 2),
                "m_ad_pct": _d(rng.uniform(1.2, 2.2), 2),
                "m_ar_pct": _d(rng.uniform(6.0, 8.0), 2),
                "lab_name": "示范市煤炭质量检测中心",
                "lab_accreditation_no": "CMA 190000000000",
                "report_no": f"MT{DEMO_YEAR}{month:02d}-{line['id'][0]}",
                "sample_received_date": (report_day - timedelta(days=4)).isoformat(),
                "test_date": (report_day - timedelta(days=2)).isoformat(),
                "report_date": report_day.isoformat(),
                "qr_present": True,
            }
        )
    record: dict[str, Any] = {
        "month": month,
        "clinker_t": _d(clinker, 1),
        "electricity_mwh": _d(clinker * rng.uniform(0.052, 0.058), 1),
        "fuels": [fuel, {"fuel": "diesel", "consumption": _d(rng.uniform(8, 18), 2)}],
    }
    if carbide:
        slag = clinker * rng.uniform(0.30, 0.33)
        record["limestone_t"] = _d(clinker * rng.uniform(0.95, 1.0), 1)
        record["alt_raw_materials"] = [{"material": "carbide_slag", "consumption_t": _d(slag, 1)}]
    else:
        record["limestone_t"] = _d(clinker * rng.uniform(1.2, 1.25), 1)
        record["alt_raw_materials"] = [
            {"material": "steel_slag", "consumption_t": _d(clinker * rng.uniform(0.03, 0.045), 1)},
            {"material": "coal_fly_ash", "consumption_t": _d(clinker * rng.uniform(0.05, 0.06), 1)},
        ]
    return record


def _evidence(unit_id: str, record: dict[str, Any], *, skip_production: bool = False) -> None:
    tag = f"{unit_id}-{DEMO_YEAR}-{record['month']:02d}"
    evidence = [
        {
            "kind": "fuel_ledger",
            "file": f"燃料台账-{tag}.pdf",
            "sha256": _sha("fuel" + tag),
            "proves": ["fuels[0].consumption", "fuels[1].consumption"],
        },
    ]
    if "clinker_t" in record:
        if not skip_production:
            evidence.append(
                {
                    "kind": "production_ledger",
                    "file": f"熟料产量台账-{tag}.pdf",
                    "sha256": _sha("prod" + tag),
                    "proves": ["clinker_t"],
                }
            )
        evidence.append(
            {
                "kind": "raw_material_ledger",
                "file": f"原料台账-{tag}.pdf",
                "sha256": _sha("raw" + tag),
                "proves": [
                    "limestone_t",
                    *(f"alt_raw_materials[{i}]" for i in range(len(record.get("alt_raw_materials", [])))),
                ],
            }
        )
        evidence.append(
            {
                "kind": "meter_readings",
                "file": f"电表抄表-{tag}.pdf",
                "sha256": _sha("meter" + tag),
                "proves": ["electricity_mwh"],
            }
        )
        if record["fuels"][0].get("carbon_measured"):
            evidence.append(
                {
                    "kind": "lab_report",
                    "file": f"煤质检测报告-{tag}.pdf",
                    "sha256": _sha("lab" + tag),
                    "proves": ["fuels[0]"],
                }
            )
    record["evidence"] = evidence


def demo_document(seed: int = 2025) -> dict[str, Any]:
    """The demo year in CarbonDesk's JSON input shape (plain Python values, Decimals for numbers)."""
    rng = random.Random(seed)
    units: list[dict[str, Any]] = [
        {
            "id": "1#",
            "name": "1号熟料生产线（5000 t/d）",
            "unit_kind": "clinker_line",
            "clinker_type": "portland",
            "capacity_t_per_day": Decimal(5000),
            "process_method": "default_ef",
            "commissioning_date": "2011-05-20",
            "year": {"prior_year_verified_t": Decimal(1235000)},
        },
        {
            "id": "2#",
            "name": "2号熟料生产线（电石渣，2500 t/d）",
            "unit_kind": "clinker_line",
            "clinker_type": "portland",
            "capacity_t_per_day": Decimal(2500),
            "process_method": "default_ef",
            "commissioning_date": "2016-09-01",
            "year": {"prior_year_verified_t": Decimal(520000)},
        },
        {"id": "矿山", "name": "石灰石矿山及厂内车辆", "unit_kind": "other_facility"},
    ]
    for unit in units:
        months = []
        for month in range(1, 13):
            if unit["unit_kind"] == "clinker_line":
                measured = not (unit["id"] == "1#" and month == 5)
                record = _line_month(rng, unit, month, measured=measured, carbide=unit["id"] == "2#")
            else:
                record = {
                    "month": month,
                    "fuels": [{"fuel": "diesel", "consumption": _d(rng.uniform(35, 55) * _SEASON[month - 1], 2)}],
                }
            _evidence(unit["id"], record, skip_production=(unit["id"] == "1#" and month == 9))
            due = month_end(DEMO_YEAR, month) + timedelta(days=40) if month >= 7 else month_end(DEMO_YEAR, 10)
            record["deposited_on"] = (due - timedelta(days=rng.randint(3, 12))).isoformat()
            months.append(record)
        unit["months"] = months
    march = units[0]["months"][2]
    march["alt_raw_materials"][1]["consumption_t"] = (march["clinker_t"] * Decimal("0.135")).quantize(Decimal("0.1"))
    return {
        "format": "carbondesk.report",
        "version": 1,
        "guideline": "cement_clinker",
        "data_year": DEMO_YEAR,
        "entity": {
            "name": "示范水泥股份有限公司（演示数据）",
            "uscc": DEMO_USCC,
            "address": "安徽省示范市水泥路8号",
            "province": "安徽",
            "industry": "3011",
            "contact_person": "李碳",
            "contact_phone": "0551-00000000",
            "reporting_from": "2025-01-01",
        },
        "units": units,
        "parameter_overrides": [],
        "acknowledgements": [],
    }
