"""Issue 15: after saves, the snapshot that recalculates only the units saved is the full snapshot.

Random sequences of edits (numbers, cleared values, rows of any kind added) are saved to a demo workspace
of every guideline; after each, the incremental snapshot (from the previous one and the units changed)
and a full snapshot of the same year must hold the same figures, findings and month states.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.domain.paths import MonthPath
from desktop.services import session, store
from desktop.services.demo import create_demo_workspace, demo_year
from desktop.services.guidelines import GUIDELINES, guideline

TODAY = date(2026, 2, 20)


def picture(snapshot: session.YearSnapshot) -> tuple:
    """Everything a snapshot shows, comparable."""
    result = snapshot.evaluation.result
    figures = [(name, fig.value) for name, fig in sorted(result.totals.items())]
    for unit in result.units:
        figures += [(unit.unit_id, name, fig.value) for name, fig in sorted(unit.annual.items())]
        for month in unit.months:
            figures += [(unit.unit_id, month.month, n, f.value) for n, f in sorted(month.figures.items())]
    findings = sorted(
        (f.sort_key(), f.code, f.ref.path, repr(sorted(f.params.items())), f.acknowledged is not None)
        for f in snapshot.findings
    )
    states = sorted((k, s.state, s.errors, s.warnings) for k, s in snapshot.months.items())
    return figures, findings, states


@pytest.fixture(scope="module", params=sorted(GUIDELINES))
def workspace(request, tmp_path_factory: pytest.TempPathFactory):
    gid = request.param
    ws = create_demo_workspace(tmp_path_factory.mktemp(gid) / "demo.sqlite", today=TODAY, guideline_id=gid)
    entity = store.list_entities(ws=ws)[0]
    year = demo_year(gid)
    state = {"snapshot": session.year_snapshot(ws=ws, entity_id=entity.id, year=year, today=TODAY)}
    yield gid, ws, entity, year, state
    ws.close()


def _edit(gid: str, draw) -> tuple[int, int, str, object]:
    form = guideline(gid).form
    numbers = [s.id for s in form.fields("month") if s.type == "decimal"]
    options = ["month"] + [k.id for k in form.row_kinds]
    where = draw(st.sampled_from(options))
    unit = draw(st.integers(min_value=0, max_value=9))
    month = 12  # the demo keeps December open (a draft): every edit is allowed
    value = draw(st.one_of(st.none(), st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False)))
    if where == "month":
        return unit, month, draw(st.sampled_from(numbers)), value
    kind = form.row_kind(where)
    key = form.field(kind.scope, kind.key)
    fields = [s.id for s in form.fields(kind.scope) if s.type == "decimal"]
    row = draw(st.integers(min_value=0, max_value=2))
    if draw(st.booleans()):  # a row of this item, to add or overwrite
        item = draw(st.sampled_from(form.enums[key.enum or ""].ids))
        return unit, month, str(MonthPath.of_row(kind.id, row, kind.key)), item
    return unit, month, str(MonthPath.of_row(kind.id, row, draw(st.sampled_from(fields)))), value


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_an_incremental_snapshot_is_the_full_snapshot(workspace, data) -> None:
    gid, ws, entity, year, state = workspace
    units = store.get_entity(ws=ws, entity_id=entity.id).units
    for _ in range(data.draw(st.integers(min_value=1, max_value=3))):
        index, month, path, value = _edit(gid, data.draw)
        unit = units[index % len(units)]
        try:
            store.save_month(ws=ws, unit_id=unit.id, year=year, month=month, changes={path: value}, validate=False)
        except Exception as exc:  # a path the month cannot take (a row beyond the next): refused, nothing saved
            assert type(exc).__name__ == "StorageError", exc
            continue
        previous = state["snapshot"]
        incremental = session.year_snapshot(
            ws=ws, entity_id=entity.id, year=year, today=TODAY, previous=previous, changed={unit.id}
        )
        full = session.year_snapshot(ws=ws, entity_id=entity.id, year=year, today=TODAY)
        assert picture(incremental) == picture(full), (gid, unit.code, path, value)
        state["snapshot"] = incremental


def test_the_incremental_path_is_taken(workspace) -> None:
    """Not a full calculation in disguise: only the saved unit is read again."""
    gid, ws, entity, year, state = workspace
    unit = store.get_entity(ws=ws, entity_id=entity.id).units[0]
    spec = next(s for s in guideline(gid).form.fields("month") if s.type == "decimal")
    store.save_month(ws=ws, unit_id=unit.id, year=year, month=12, changes={spec.id: Decimal(123)}, validate=False)
    previous = state["snapshot"]
    incremental = session.year_snapshot(
        ws=ws, entity_id=entity.id, year=year, today=TODAY, previous=previous, changed={unit.id}
    )
    others = [u for u in incremental.evaluation.result.units if u.unit_id != unit.code]
    assert others and all(u is previous.evaluation.result.unit(u.unit_id) for u in others)
    state["snapshot"] = incremental
