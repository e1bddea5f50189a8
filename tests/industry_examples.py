"""The cement and aluminium worked examples (copies of ../shared/examples) in CarbonDesk's input format.

Each example states its parameters (most of them [U]); they become recorded parameter overrides, as a
user would enter them.  A raw material the pack does not list becomes a custom row carrying its
coefficient and source.  Fields are copied as they are: the input reader refuses any it does not know.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from desktop.services.guidelines import GUIDELINES
from tests.helpers import EXAMPLES_DIR

CEMENT_EXAMPLES = EXAMPLES_DIR / "cement"
ALUMINIUM_EXAMPLES = EXAMPLES_DIR / "aluminium"

GUIDELINE_OF = {"cement": "cement_clinker", "aluminium": "aluminium_smelting"}

_CEMENT_PARAMS = {
    "process_floor": "process_floor",
    "carbide_slag_exception_rate": "allocation.carbide_slag_exception_rate",
    "pre_allocation_share": "allocation.pre_allocation_share",
    "alloc_coef_slope": "allocation.coef_slope",
    "alloc_coef_cap": "allocation.coef_cap",
    "ccer_cap_share": "compliance.ccer_cap_share",
    "raw_meal_nonfuel_c_low_pct": "nonfuel_carbon.low_pct",
    "raw_meal_nonfuel_c_high_pct": "nonfuel_carbon.high_pct",
}
_ALUMINIUM_PARAMS = {
    "anode_nc_default_t_per_t": "anode.nc_default",
    "anode_s_default_pct": "anode.s_default_pct",
    "anode_ash_default_pct": "anode.ash_default_pct",
    "ef_cf4_default_kg_per_t": "pfc.ef_cf4_default",
    "ef_c2f6_default_kg_per_t": "pfc.ef_c2f6_default",
    "cf4_slope_kg_per_t_per_aem": "pfc.cf4_slope",
    "c2f6_to_cf4_ratio": "pfc.c2f6_to_cf4_ratio",
    "gwp_cf4": "gwp.cf4",
    "gwp_c2f6": "gwp.c2f6",
    "pre_allocation_share": "allocation.pre_allocation_share",
    "alloc_coef_slope": "allocation.coef_slope",
    "alloc_coef_cap": "allocation.coef_cap",
    "ccer_cap_share": "compliance.ccer_cap_share",
}
_FUEL_PARAMS = {"ncv_default": "fuel.ncv_default", "cc_default": "fuel.cc_default", "of": "fuel.oxidation"}


def industry_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.json"))


def _value(entry: Any) -> Any:
    return entry["value"] if isinstance(entry, dict) and "value" in entry else entry


def _clean(values: dict[str, Any], skip: tuple[str, ...] = ()) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None and k not in skip}


_CUSTOM_FUELS: dict[str, dict[str, Any]] = {}  # of the case being mapped: fuel key -> its custom row fields
_CUSTOM_CARBONATES: dict[str, dict[str, Any]] = {}


def _fuels(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        cleaned = _clean(row)
        if row.get("fuel") in _CUSTOM_FUELS:
            cleaned = {**cleaned, **_clean(_CUSTOM_FUELS[row["fuel"]])}
        out.append(cleaned)
    return out


def example_to_input(example: dict[str, Any]) -> dict[str, Any]:
    _CUSTOM_CARBONATES.clear()
    gid = GUIDELINE_OF[example["industry"]]
    pack = GUIDELINES[gid].pack(int(example["data_year"]))
    params = example["parameters"]
    reason = f"worked example {example['case']}"
    overrides: list[dict[str, Any]] = []

    def override(key: str, value: Any) -> None:
        assert key in pack.parameters, f"{example['case']}: the pack has no parameter {key}"
        overrides.append({"key": key, "value": value, "reason": reason})

    custom_fuels: dict[str, dict[str, Any]] = {}
    for fuel, entry in params.get("fuels", {}).items():
        if f"fuel.ncv_default.{fuel}" not in pack.parameters:
            # a fuel the pack does not list: entered as a custom fuel with the case's values and source
            gas = "Nm" in str(entry.get("unit", ""))
            custom_fuels[fuel] = {
                "fuel": "other_gas" if gas else "other_fuel",
                "custom_name": fuel,
                "custom_ncv": _value(entry.get("ncv_default")),
                "custom_cc": _value(entry.get("cc_default")),
                "custom_oxidation": _value(entry.get("of")),
                "custom_source": f"{reason}: {entry.get('ncv_default', {}).get('src', '')}",
            }
            continue
        for name, prefix in _FUEL_PARAMS.items():
            if name in entry:
                override(f"{prefix}.{fuel}", _value(entry[name]))
    _CUSTOM_FUELS.clear()
    _CUSTOM_FUELS.update(custom_fuels)
    custom: dict[str, dict[str, Any]] = {}
    if gid == "cement_clinker":
        for name, key in _CEMENT_PARAMS.items():
            if name in params:
                override(key, _value(params[name]))
        for kind, entry in params.get("clinker_ef_t_per_t", {}).items():
            override(f"clinker_ef.{kind}", _value(entry))
        for material, entry in params.get("deduction_t_per_t", {}).items():
            if f"deduction.{material}" in pack.parameters:
                override(f"deduction.{material}", _value(entry))
            else:  # a material the pack does not list: the user enters it with its coefficient and source
                custom[material] = {
                    "material": "custom",
                    "custom_name": entry.get("name", material),
                    "custom_coefficient": _value(entry),
                    "custom_source": f"{entry.get('src', '')} ({reason})",
                }
        units = [_cement_line(line, example, custom) for line in example["lines"]]
    else:
        for name, key in _ALUMINIUM_PARAMS.items():
            if name in params:
                override(key, _value(params[name]))
        for material, entry in params.get("carbonate_ef_t_per_t", {}).items():
            if f"carbonate_ef.{material}" in pack.parameters:
                override(f"carbonate_ef.{material}", _value(entry))
            else:  # a carbonate the pack does not list: entered as custom with its factor and source
                _CUSTOM_CARBONATES[material] = {
                    "material": "custom",
                    "custom_name": entry.get("name", material),
                    "custom_factor": _value(entry),
                    "custom_source": f"{entry.get('src', '')} ({reason})",
                }
        units = [_potline(p, example) for p in example["processes"]]
    for facility in example.get("other_facilities", []):
        units.append(_other_facility(facility, example, gid))
    if gid == "aluminium_smelting" and example.get("carbonates"):
        units = _with_carbonates(units, example)
    return {
        "format": "carbondesk.report",
        "version": 1,
        "guideline": gid,
        "data_year": example["data_year"],
        "entity": {
            "name": example["enterprise"].get("name", example["case"]),
            "uscc": example["enterprise"].get("uscc", "91110000101623741K"),
        },
        "units": units,
        "parameter_overrides": overrides,
    }


def _unit_year(allocation: dict[str, Any]) -> dict[str, Any]:
    return _clean(
        {
            "prior_year_verified_t": allocation.get("prior_year_verified_t"),
            "balance_value_t_per_t": allocation.get("balance_value_t_per_t"),
        }
    )


def _cement_line(line: dict[str, Any], example: dict[str, Any], custom: dict[str, dict[str, Any]]) -> dict[str, Any]:
    unit = {"unit_kind": "clinker_line", **_clean(line, ("months",))}
    months = []
    for month in line["months"]:
        record = _clean(month, ("fuels", "alt_raw_materials"))
        record["fuels"] = _fuels(month.get("fuels", []))
        materials = []
        for row in month.get("alt_raw_materials", []):
            if row["material"] in custom:
                materials.append({**custom[row["material"]], "consumption_t": row["consumption_t"]})
            else:
                materials.append(_clean(row))
        if materials:
            record["alt_raw_materials"] = materials
        months.append(record)
    unit["months"] = months
    year = _unit_year(example.get("allocation", {}).get("lines", {}).get(line["id"], {}))
    if year:
        unit["year"] = year
    return unit


def _potline(process: dict[str, Any], example: dict[str, Any]) -> dict[str, Any]:
    unit = {"unit_kind": "potline", **_clean(process, ("months",))}
    months = []
    for month in process["months"]:
        record = _clean(month, ("fuels",))
        record["fuels"] = _fuels(month.get("fuels", []))
        months.append(record)
    unit["months"] = months
    year = _unit_year(example.get("allocation", {}).get("processes", {}).get(process["id"], {}))
    if year:
        unit["year"] = year
    return unit


def _other_facility(facility: dict[str, Any], example: dict[str, Any], gid: str) -> dict[str, Any]:
    unit: dict[str, Any] = {"id": facility["id"], "unit_kind": "other_facility"}
    if facility.get("description"):
        unit["name"] = facility["description"]
    unit["months"] = [{"month": m["month"], "fuels": _fuels(m.get("fuels", []))} for m in facility["months"]]
    return unit


CARBONATE_UNIT = "carbonates"


def _with_carbonates(units: list[dict[str, Any]], example: dict[str, Any]) -> list[dict[str, Any]]:
    """The enterprise's carbonates go to a facility of their own (where the plant keeps their ledger)."""
    months = []
    for month in example["carbonates"]:
        rows = []
        for item in month.get("items", []):
            if item["material"] in _CUSTOM_CARBONATES:
                rows.append({**_clean(item), **_CUSTOM_CARBONATES[item["material"]]})
            else:
                rows.append(_clean(item))
        months.append({"month": month["month"], **({"carbonates": rows} if rows else {})})
    return [*units, {"id": CARBONATE_UNIT, "unit_kind": "other_facility", "name": "碳酸盐使用", "months": months}]


def custom_fuels() -> dict[str, dict[str, Any]]:
    """The fuels of the case last mapped that the pack does not list, as the custom rows they became."""
    return dict(_CUSTOM_FUELS)


def as_decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))
