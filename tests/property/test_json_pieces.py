"""The results JSON made a piece at a time is the same text as one call of the encoder makes."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.interchange import result_json

SCALARS = st.none() | st.booleans() | st.integers() | st.text(max_size=12) | st.floats(allow_nan=False)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=60)
        | st.dictionaries(st.text(max_size=6), inner, max_size=6)
        | st.dictionaries(st.integers(), inner, max_size=3)
    ),  # keys json turns into text its own way
    max_leaves=400,
)


def _one_call(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@settings(max_examples=300, deadline=None)
@given(VALUES)
def test_pieces_join_to_the_one_call_text(value: object) -> None:
    assert result_json.encode(value) == _one_call(value)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.text(max_size=300), min_size=17, max_size=400), st.integers(min_value=1, max_value=2000))
def test_any_piece_size(items: list[str], piece: int) -> None:
    original = result_json.PIECE
    result_json.PIECE = piece  # tiny pieces (one item each) and pieces bigger than the list
    try:
        assert result_json.encode({"a": items, "b": [items, tuple(items)]}) == _one_call(
            {"a": items, "b": [items, list(items)]}
        )
    finally:
        result_json.PIECE = original
