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


def test_a_groups_findings_are_reused_from_the_last_run_only() -> None:
    from desktop.rules.base import RecentGroups

    made: list[str] = []

    def make(key: str):
        made.append(key)
        return [key]

    groups = RecentGroups()
    groups.start()
    assert groups.get("a", lambda: make("a")) == ["a"] and groups.get("b", lambda: make("b")) == ["b"]
    groups.start()  # the next run: what the last one concluded is reused
    assert groups.get("a", lambda: make("a")) == ["a"] and made == ["a", "b"]
    groups.start()  # "b" was not met in the run before: made again
    assert groups.get("b", lambda: make("b")) == ["b"] and made == ["a", "b", "b"]
