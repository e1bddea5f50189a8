"""One parser for every number a person types or pastes.

People type ``1,234.5``, full-width ``１２３``, ``１，２３４．５``, a Unicode minus, or leave spaces around
the value.  All of that is accepted; anything that is not a finite decimal number is refused with a
reason code that the caller renders in the user's language.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# Reason codes; their messages live in desktop.domain.messages.
NUM_EMPTY = "NUM-EMPTY"
NUM_NOT_A_NUMBER = "NUM-NAN"
NUM_NOT_FINITE = "NUM-INF"
NUM_BAD_GROUPING = "NUM-GROUPING"
NUM_EXPONENT = "NUM-EXPONENT"

_MINUS_SIGNS = "\u2212\u2012\u2013\uff0d\ufe63"
_SPACES = " \t\u00a0\u2009\u202f\u3000"
_PLAIN = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")


class NumberFormatError(ValueError):
    """The text is not a number; ``reason`` is a message code, ``text`` what was typed."""

    def __init__(self, reason: str, text: str) -> None:
        super().__init__(f"{reason}: {text!r}")
        self.reason = reason
        self.text = text


def parse_decimal(text: str) -> Decimal:
    """Turn typed or pasted text into an exact Decimal.

    >>> parse_decimal(" 1,234.5 ")
    Decimal('1234.5')
    >>> parse_decimal("１２３．４")
    Decimal('123.4')
    """
    if not isinstance(text, str):
        raise TypeError("parse_decimal takes text")
    # NFKC folds full-width digits, comma and full stop to ASCII.
    folded = unicodedata.normalize("NFKC", text)
    for sign in _MINUS_SIGNS:
        folded = folded.replace(sign, "-")
    folded = folded.strip(_SPACES)
    if not folded:
        raise NumberFormatError(NUM_EMPTY, text)
    if "," in folded:
        if not _GROUPED.match(folded):
            raise NumberFormatError(NUM_BAD_GROUPING, text)
        folded = folded.replace(",", "")
    if "e" in folded.lower() and _PLAIN.match(folded):
        # 1e999 is a valid literal but no data item is typed that way; refused before it is expanded
        raise NumberFormatError(NUM_EXPONENT, text)
    if not _PLAIN.match(folded):
        lowered = folded.lower().lstrip("+-")
        if lowered in {"inf", "infinity", "nan", "snan"}:
            raise NumberFormatError(NUM_NOT_FINITE, text)
        raise NumberFormatError(NUM_NOT_A_NUMBER, text)
    try:
        value = Decimal(folded)
    except InvalidOperation as exc:  # pragma: no cover - the pattern above admits only valid literals
        raise NumberFormatError(NUM_NOT_A_NUMBER, text) from exc
    if not value.is_finite():  # pragma: no cover - same
        raise NumberFormatError(NUM_NOT_FINITE, text)
    return value


def format_decimal(value: Decimal, places: int | None = None, *, grouping: bool = True) -> str:
    """Render a Decimal for people: thousands separators, fixed places when asked."""
    if places is not None:
        value = value.quantize(Decimal(1).scaleb(-places))
    text = f"{value:,f}" if grouping else f"{value:f}"
    return text


def round_reported(value: Decimal, places: int = 0) -> Decimal:
    """The reporting edge's rounding rule: reported tCO2 are whole tonnes, half-up (places=0)."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
