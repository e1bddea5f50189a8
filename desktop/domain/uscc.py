"""Unified social credit code (统一社会信用代码, GB 32100-2015).

A failed check character is only a warning (at least one real registered code is known to fail it);
a wrong length or a character outside the set is an error.  Codes are normalised first (spaces
removed, upper case) and the caller is told when that changed the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(CHARSET)}
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
SHAPE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
_SEPARATORS = re.compile(r"[\s\-\u3000]+")


class UsccStatus(Enum):
    VALID = "valid"
    BAD_SHAPE = "bad_shape"
    BAD_CHECK = "bad_check"


@dataclass(frozen=True)
class UsccCheck:
    text: str
    normalized: str
    status: UsccStatus
    expected_check: str | None = None

    @property
    def changed_by_normalising(self) -> bool:
        return self.text != self.normalized


def normalize(text: str) -> str:
    return _SEPARATORS.sub("", text).upper()


def check_character(first17: str) -> str:
    total = sum(_VALUE[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def check(text: str) -> UsccCheck:
    normalized = normalize(text)
    if not SHAPE.match(normalized):
        return UsccCheck(text, normalized, UsccStatus.BAD_SHAPE)
    expected = check_character(normalized[:17])
    if expected != normalized[17]:
        return UsccCheck(text, normalized, UsccStatus.BAD_CHECK, expected)
    return UsccCheck(text, normalized, UsccStatus.VALID, expected)
