"""Values of data items as self-describing JSON: exact decimals and dates survive the round trip."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any


def _encode(value: Any) -> Any:
    if isinstance(value, Decimal):
        return {"$d": f"{value:f}"}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if "$d" in value:
            return Decimal(value["$d"])
        if "$date" in value:
            return date.fromisoformat(value["$date"])
    return value


def dumps(values: Mapping[str, Any]) -> str:
    return json.dumps({k: _encode(v) for k, v in sorted(values.items())}, ensure_ascii=False, sort_keys=True)


def loads(text: str) -> dict[str, Any]:
    # the common case (an exact decimal) decoded inline: a year read from storage decodes ~50,000 values
    return {
        k: Decimal(v["$d"]) if v.__class__ is dict and "$d" in v else _decode(v)
        for k, v in json.loads(text or "{}").items()
    }


def dump_value(value: Any) -> str:
    """One value as canonical JSON text (for overrides and the audit log)."""
    return json.dumps(_encode(value), ensure_ascii=False, sort_keys=True)


def load_value(text: str | None) -> Any:
    return None if text is None else _decode(json.loads(text))
