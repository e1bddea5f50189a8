"""Plain-text tables that line up with Chinese text (wide characters take two columns)."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def pad(text: str, size: int, align: str = "<") -> str:
    gap = max(0, size - width(text))
    return (" " * gap + text) if align == ">" else (text + " " * gap)


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], align: str = "") -> list[str]:
    """``align`` is one letter per column: l or r (default l)."""
    columns = len(headers)
    sizes = [width(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row[:columns]):
            sizes[i] = max(sizes[i], width(cell))
    aligns = [">" if (align[i : i + 1] == "r") else "<" for i in range(columns)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(pad(c, sizes[i], aligns[i]) for i, c in enumerate(cells)).rstrip()

    out = [line(headers), "  ".join("-" * s for s in sizes)]
    out += [line(row) for row in rows]
    return out
