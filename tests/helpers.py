"""Shared test helpers: the worked examples of ../shared/examples in CarbonDesk's input format."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SHARED_EXAMPLES = REPO.parent / "shared" / "examples" / "power"

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
    return sorted(SHARED_EXAMPLES.glob("*.json"))


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
