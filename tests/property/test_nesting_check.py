"""The input's nesting check (in C: strings taken out, a running depth over the brackets) finds what a scan
token by token finds, on text of any shape: brackets inside strings, escaped quotes, an unterminated string."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.interchange.report_json import MAX_DEPTH, _too_deep

_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def _scanned(text: str, limit: int) -> bool:
    depth = 0
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token in ("[", "{"):
            depth += 1
            if depth > limit:
                return True
        elif token in ("]", "}"):
            depth -= 1
    return False


PIECES = st.sampled_from(['"', "\\", "[", "]", "{", "}", "a", ",", ":", '\\"', '"[["', " "])


@settings(max_examples=500, deadline=None)
@given(st.lists(PIECES, max_size=300), st.integers(min_value=0, max_value=12))
def test_same_verdict_as_a_token_scan(parts: list[str], limit: int) -> None:
    text = "".join(parts)
    assert _too_deep(text, limit) == _scanned(text, limit)


def test_the_limit_itself() -> None:
    assert not _too_deep("[" * MAX_DEPTH + "]" * MAX_DEPTH)
    assert _too_deep("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))
    assert not _too_deep('["' + "[" * 1000 + '"]')  # brackets in a string do not count
    assert not _too_deep("")
