"""A whole-year rule's per-unit part is read once per unit record (issue 15: an edit re-reads the unit
saved, not the year), again for a new record, pack or form, and forgotten with its record."""

from __future__ import annotations

import gc
from types import SimpleNamespace

from desktop.domain.records import UnitRecord
from desktop.rules.base import PerUnitPart


def test_a_unit_is_read_again_only_when_its_record_pack_or_form_changed() -> None:
    reads: list[str] = []

    def read(ctx, unit: UnitRecord) -> str:
        reads.append(unit.values["id"])
        return f"{unit.values['id']}@{ctx.pack}"

    part = PerUnitPart(read)
    ctx = SimpleNamespace(pack="2025", form="form")
    one, two = UnitRecord({"id": "1#"}), UnitRecord({"id": "2#"})
    assert [part(ctx, u) for u in (one, two, one, two)] == ["1#@2025", "2#@2025", "1#@2025", "2#@2025"]
    assert reads == ["1#", "2#"]
    edited = UnitRecord({"id": "1#"})  # the unit saved: a new record, read again
    assert part(ctx, edited) == "1#@2025" and reads == ["1#", "2#", "1#"]
    other_pack = SimpleNamespace(pack="2024", form="form")
    assert part(other_pack, two) == "2#@2024" and reads[-1] == "2#"
    del one, edited
    gc.collect()
    assert len(part._kept) == 1  # only the record still alive is remembered
