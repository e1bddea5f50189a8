"""Shared test helpers: the worked examples (copied from ../shared/examples) in CarbonDesk's input format."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
# The project's own copies of ../shared/examples: a user's clone has no ../shared beside it.
# tests/examples/test_example_copies.py fails when the copies and ../shared/examples differ.
EXAMPLES_DIR = REPO / "tests" / "examples" / "data"
SHARED_EXAMPLES_DIR = REPO.parent / "shared" / "examples"
POWER_EXAMPLES = EXAMPLES_DIR / "power"

# Example parameter names → parameter-pack keys.
_PARAMS = {
    "coal_default_cc": "default_cc.coal",
    "coal_of": "oxidation.coal",
    "gas_of": "oxidation.gas",
    "gas_default_cc": "default_cc.natural_gas",
    "grid_ef": "grid_ef",
    "missing_carbon_rule": "missing_carbon_rule",
    "min_measured_months_for_mean": "min_measured_months_for_mean",
}
_FAMILY = {"coal_gt300": "coal", "coal_le300": "coal", "coal_unconventional": "coal", "gas": "gas"}


def example_files() -> list[Path]:
    return sorted(POWER_EXAMPLES.glob("*.json"))


def load_example(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal, parse_int=Decimal)


def example_to_input(example: dict[str, Any]) -> dict[str, Any]:
    """The example's unit and months as a report document, its parameters as recorded overrides."""
    unit = dict(example["unit"])
    unit["months"] = example["months"]
    reason = f"worked example {example['case']}"
    overrides = [
        {"key": key, "value": example["parameters"][name], "reason": reason}
        for name, key in _PARAMS.items()
        if name in example["parameters"]
    ]
    alloc = example["allocation"]
    family = _FAMILY[unit["category"]]
    overrides += [
        {"key": "allocation.basis", "value": alloc["basis"], "reason": reason},
        {"key": f"benchmark.electricity.{unit['category']}", "value": alloc["benchmark_electricity"], "reason": reason},
        {"key": f"benchmark.heat.{family}", "value": alloc["benchmark_heat"], "reason": reason},
        {"key": "compliance.gap_cap_enabled", "value": alloc["gap_cap_fraction"] is not None, "reason": reason},
    ]
    if alloc["gap_cap_fraction"] is not None:
        overrides.append({"key": "compliance.gap_cap_fraction", "value": alloc["gap_cap_fraction"], "reason": reason})
    if "gas_exempt_gap" in alloc:
        overrides.append({"key": "compliance.gas_exempt_gap", "value": alloc["gas_exempt_gap"], "reason": reason})
    return {
        "format": "carbondesk.report",
        "version": 1,
        "guideline": "power_generation",
        "data_year": example["data_year"],
        "entity": {"name": example["case"], "uscc": "91110000101623741K"},
        "units": [unit],
        "parameter_overrides": overrides,
    }


def dumps(doc: Any) -> str:
    def default(value: Any) -> Any:
        if isinstance(value, Decimal):
            return float(value) if value != value.to_integral_value() else int(value)
        raise TypeError(type(value))

    return json.dumps(doc, ensure_ascii=False, default=default)


def clean_document() -> dict[str, Any]:
    """P1 completed as a careful carbon officer would: lab metadata, scans and deposits for every month.

    It validates without errors, so a test can break exactly one thing and look for exactly one code.
    """
    import copy
    import hashlib
    from datetime import date, timedelta

    from desktop.domain.periods import deposit_due, month_end

    example = load_example(POWER_EXAMPLES / "P1-coal-660MW-all-measured.json")
    doc = example_to_input(copy.deepcopy(example))
    year = int(doc["data_year"])
    unit = doc["units"][0]
    unit.update({"name": "1号机组", "fuel_type": "coal", "pressure_class": "supercritical"})
    for record in unit["months"]:
        month = int(record["month"])
        end = month_end(year, month)
        for fuel in record["fuels"]:
            fuel.update(
                {
                    "h_ad_pct": Decimal("3.6"),
                    "s_t_ad_pct": Decimal("0.82"),
                    "lab_name": "某某煤质检测中心",
                    "lab_accreditation_no": "CMA 2019000123",
                    "report_no": f"R-{year}-{month:02d}",
                    "sample_received_date": (end + timedelta(days=2)).isoformat(),
                    "test_date": (end + timedelta(days=4)).isoformat(),
                    "report_date": (end + timedelta(days=6 + month % 5)).isoformat(),
                    "qr_present": True,
                }
            )
        tag = f"{year}-{month:02d}"
        record["evidence"] = [
            {
                "kind": "production_ledger",
                "file": f"prod-{tag}.pdf",
                "sha256": hashlib.sha256(b"p" + tag.encode()).hexdigest(),
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
                "file": f"elec-{tag}.pdf",
                "sha256": hashlib.sha256(b"e" + tag.encode()).hexdigest(),
                "proves": ["purchased_electricity_mwh"],
            },
            {
                "kind": "fuel_ledger",
                "file": f"fuel-{tag}.pdf",
                "sha256": hashlib.sha256(b"f" + tag.encode()).hexdigest(),
                "proves": ["fuels[0].consumption"],
            },
            {
                "kind": "lab_report",
                "file": f"lab-{tag}.pdf",
                "sha256": hashlib.sha256(b"l" + tag.encode()).hexdigest(),
                "proves": ["fuels[0]"],
            },
        ]
        record["deposited_on"] = (deposit_due(year, month, 40) - timedelta(days=3)).isoformat()
        record["note"] = "负荷随电网调度变化"  # explains the month-on-month swings of the example
    assert date(year, 1, 1)  # keeps the import honest for readers
    return doc


def rechain(conn: Any) -> None:
    """What a forger with the workspace file does after editing audit entries: recompute every hash of the
    chain and the recorded head, so that the chain alone looks intact."""
    from sqlalchemy import select, text

    from desktop.storage.models import AuditRecord
    from desktop.storage.workspace import GENESIS, entry_fields, entry_hash

    prev = GENESIS
    for row in conn.execute(select(AuditRecord).order_by(AuditRecord.seq)).all():
        digest = entry_hash(prev, entry_fields(row))
        conn.execute(
            text("UPDATE audit_log SET prev_hash = :p, hash = :h WHERE seq = :s"),
            {"p": prev, "h": digest, "s": row.seq},
        )
        prev = digest
    conn.execute(text("UPDATE workspace_info SET audit_head = :h"), {"h": prev})
