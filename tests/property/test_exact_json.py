"""The JSON report's writer, with the json module's C quoting, writes the same text as the writer it
replaced (json.dumps for every string): the package's data hash is taken over these bytes."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.interchange.report_json import dumps_exact


def _before(value: Any, indent: int | None = 1, _level: int = 0) -> str:
    pad = "" if indent is None else "\n" + " " * (indent * (_level + 1))
    end = "" if indent is None else "\n" + " " * (indent * _level)
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, date):
        return json.dumps(value.isoformat())
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        items = [
            f"{pad}{json.dumps(str(k), ensure_ascii=False)}: {_before(v, indent, _level + 1)}" for k, v in value.items()
        ]
        return "{" + ",".join(items) + end + "}"
    if not value:
        return "[]"
    return "[" + ",".join(f"{pad}{_before(v, indent, _level + 1)}" for v in value) + end + "]"


SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.text()  # any text: quotes, backslashes, control characters, Chinese, surrogates' neighbours
    | st.decimals(allow_nan=False, allow_infinity=False)
    | st.dates()
    | st.datetimes()
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8), inner, max_size=5),
    max_leaves=60,
)


@settings(max_examples=400, deadline=None)
@given(VALUES, st.sampled_from([None, 1, 2]))
def test_same_text_as_before(value: Any, indent: int | None) -> None:
    assert dumps_exact(value, indent) == _before(value, indent)


def test_a_report_reads_as_json_with_its_exact_numbers() -> None:
    doc = {"年": Decimal("2025"), "x": [Decimal("0.10"), 'a"b\\c\n', None, True], "d": date(2026, 1, 2)}
    text = dumps_exact(doc)
    assert json.loads(text, parse_float=Decimal, parse_int=Decimal) == {
        "年": Decimal("2025"),
        "x": [Decimal("0.10"), 'a"b\\c\n', None, True],
        "d": "2026-01-02",
    }
    assert datetime(2026, 1, 2, 3, 4).isoformat() in dumps_exact([datetime(2026, 1, 2, 3, 4)])
