"""A demo smelter: two potlines, the casthouse and the desulphurisation plant, a full 2025 data year.

Synthetic but shaped like a real prebake smelter (~13 200 kWh/t AC, ~0.41 t net anode per t), with the
problems a carbon officer must deal with:

- potline 2# has no anode test in February and July (default sulphur and ash, noted);
- potline 2#'s control system keeps no anode-effect log (default PFC factors all year);
- potline 1# August: the anode-effect export is missing from the evidence;
- the sector balance value has no official figure: the 2025 allocations wait for it.
"""

from __future__ import annotations

import hashlib
import random
from datetime import timedelta
from decimal import Decimal
from typing import Any

from desktop.domain.periods import month_end

DEMO_YEAR = 2025
DEMO_USCC = "91150000701461444U"


def _d(value: float, places: int) -> Decimal:
    return Decimal(str(round(value, places)))


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _potline_month(rng: random.Random, line: dict[str, Any], month: int, *, tested: bool, aem: bool) -> dict[str, Any]:
    days = month_end(DEMO_YEAR, month).day
    cells = int(line["cells"]) - rng.randint(0, 3)
    output = 0.3356 * float(line["current_ka"]) * 24 * days * cells / 1000 * rng.uniform(0.925, 0.94)
    record: dict[str, Any] = {
        "month": month,
        "al_liquid_t": _d(output, 1),
        "cells_operating": Decimal(cells),
        "net_anode_t": _d(output * rng.uniform(0.402, 0.414), 1),
        "anode_tested": tested,
        "ac_electricity_mwh": _d(output * rng.uniform(13.05, 13.3), 1),
        "fuels": [{"fuel": "natural_gas", "consumption": _d(rng.uniform(2.0, 5.5), 2)}],
    }
    if tested:
        record["anode_s_pct"] = _d(rng.uniform(1.6, 2.4), 2)
        record["anode_ash_pct"] = _d(rng.uniform(0.25, 0.5), 2)
    if aem:
        record["ae_frequency_per_cell_day"] = _d(rng.uniform(0.015, 0.035), 4)
        record["ae_duration_min"] = _d(rng.uniform(1.8, 3.4), 2)
    return record


def _evidence(unit_id: str, record: dict[str, Any], *, skip_ae: bool = False) -> None:
    tag = f"{unit_id}-{DEMO_YEAR}-{record['month']:02d}"
    evidence: list[dict[str, Any]] = []
    if record.get("fuels"):
        evidence.append(
            {
                "kind": "fuel_ledger",
                "file": f"燃料台账-{tag}.pdf",
                "sha256": _sha("fuel" + tag),
                "proves": ["fuels[0].consumption"],
            }
        )
    if "al_liquid_t" in record:
        evidence += [
            {
                "kind": "production_ledger",
                "file": f"出铝记录-{tag}.pdf",
                "sha256": _sha("prod" + tag),
                "proves": ["al_liquid_t", "cells_operating"],
            },
            {
                "kind": "anode_ledger",
                "file": f"阳极台账-{tag}.pdf",
                "sha256": _sha("anode" + tag),
                "proves": ["net_anode_t"],
            },
            {
                "kind": "meter_readings",
                "file": f"整流电表-{tag}.pdf",
                "sha256": _sha("meter" + tag),
                "proves": ["ac_electricity_mwh"],
            },
        ]
        if record.get("anode_tested"):
            evidence.append(
                {
                    "kind": "anode_lab_report",
                    "file": f"阳极检测-{tag}.pdf",
                    "sha256": _sha("alab" + tag),
                    "proves": ["anode_s_pct", "anode_ash_pct"],
                }
            )
        if not skip_ae:
            evidence.append(
                {
                    "kind": "potline_log",
                    "file": f"阳极效应导出-{tag}.xlsx",
                    "sha256": _sha("ae" + tag),
                    "proves": [k for k in ("ae_frequency_per_cell_day", "ae_duration_min") if k in record],
                }
            )
    if record.get("carbonates"):
        evidence.append(
            {
                "kind": "carbonate_ledger",
                "file": f"脱硫剂台账-{tag}.pdf",
                "sha256": _sha("carb" + tag),
                "proves": ["carbonates[0]"],
            }
        )
    record["evidence"] = evidence


def demo_document(seed: int = 2025) -> dict[str, Any]:
    """The demo year in CarbonDesk's JSON input shape (plain Python values, Decimals for numbers)."""
    rng = random.Random(seed)
    units: list[dict[str, Any]] = [
        {
            "id": "1#系列",
            "name": "一期 500 kA 电解系列",
            "unit_kind": "potline",
            "cell_type": "prebake",
            "current_ka": Decimal(500),
            "cells": Decimal(280),
            "commissioning_date": "2014-10-18",
            "year": {"prior_year_verified_t": Decimal(585000)},
        },
        {
            "id": "2#系列",
            "name": "二期 300 kA 电解系列",
            "unit_kind": "potline",
            "cell_type": "prebake",
            "current_ka": Decimal(300),
            "cells": Decimal(240),
            "commissioning_date": "2008-04-02",
            "year": {"prior_year_verified_t": Decimal(330000)},
        },
        {"id": "铸造", "name": "铸造车间（熔铸炉）", "unit_kind": "other_facility"},
        {"id": "脱硫", "name": "烟气脱硫（石灰石）", "unit_kind": "other_facility"},
    ]
    for unit in units:
        months = []
        for month in range(1, 13):
            if unit["unit_kind"] == "potline":
                tested = not (unit["id"] == "2#系列" and month in (2, 7))
                record = _potline_month(rng, unit, month, tested=tested, aem=unit["id"] == "1#系列")
            elif unit["id"] == "铸造":
                record = {"month": month, "fuels": [{"fuel": "natural_gas", "consumption": _d(rng.uniform(11, 15), 2)}]}
            else:
                record = {
                    "month": month,
                    "carbonates": [
                        {
                            "material": "limestone",
                            "consumption_t": _d(rng.uniform(300, 600), 1),
                            "purity_pct": _d(rng.uniform(89, 95), 1),
                        }
                    ],
                }
            _evidence(unit["id"], record, skip_ae=(unit["id"] == "1#系列" and month == 8))
            due = month_end(DEMO_YEAR, month) + timedelta(days=40) if month >= 7 else month_end(DEMO_YEAR, 10)
            record["deposited_on"] = (due - timedelta(days=rng.randint(3, 12))).isoformat()
            months.append(record)
        unit["months"] = months
    return {
        "format": "carbondesk.report",
        "version": 1,
        "guideline": "aluminium_smelting",
        "data_year": DEMO_YEAR,
        "entity": {
            "name": "示范铝业有限公司（演示数据）",
            "uscc": DEMO_USCC,
            "address": "内蒙古示范市铝业大道1号",
            "province": "内蒙古",
            "industry": "3216",
            "contact_person": "赵碳",
            "contact_phone": "0471-00000000",
            "reporting_from": "2025-01-01",
        },
        "units": units,
        "parameter_overrides": [],
        "acknowledgements": [],
    }
