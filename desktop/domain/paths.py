"""Places inside a month, as one type: a field of the month (``clinker_t``), a row of one of the month's
tables (``alt_raw_materials[1]``) or a field of such a row (``fuels[0].ncv``).

Every reader and writer of a month path (the store, evidence links, the audit check, imports, the grid)
parses and prints it here instead of assembling strings by hand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ID = r"[a-z][a-z0-9_]*"
_PATH = re.compile(rf"^(?:(?P<rows>{_ID})\[(?P<row>\d{{1,6}})\](?:\.(?P<rfield>{_ID}))?|(?P<field>{_ID}))$")


@dataclass(frozen=True, order=True)
class MonthPath:
    """``rows``/``row``: the table (a row kind's id) and the index in it; ``field``: the field, or ``None``
    for a whole row."""

    field: str | None
    rows: str | None = None
    row: int | None = None

    @classmethod
    def parse(cls, text: str) -> MonthPath | None:
        """The path a text names, or ``None`` when it names no place of a month."""
        match = _PATH.match(text)
        if match is None:
            return None
        if match["field"] is not None:
            return cls(match["field"])
        return cls(match["rfield"], match["rows"], int(match["row"]))

    @classmethod
    def of_row(cls, rows: str, row: int, field: str | None = None) -> MonthPath:
        return cls(field, rows, row)

    @property
    def in_row(self) -> bool:
        return self.rows is not None

    @property
    def row_path(self) -> MonthPath:
        """The whole row a row field is in (a scan proving ``fuels[0]`` covers ``fuels[0].ncv``)."""
        return MonthPath(None, self.rows, self.row)

    def moved(self, row: int) -> MonthPath:
        return MonthPath(self.field, self.rows, row)

    def __str__(self) -> str:
        if self.rows is None:
            return self.field or ""
        head = f"{self.rows}[{self.row}]"
        return head if self.field is None else f"{head}.{self.field}"
