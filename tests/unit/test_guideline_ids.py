"""Issue 14: a guideline's ids live in its own folder, form and packs -- not in the generic code.

Generic code (the window, the exports, the command line, storage, services, the frameworks) may name
only the framework's own items, which every guideline's form has (FRAMEWORK below).  Any other field,
figure, message code or the id of a guideline, written as a string in generic code, is a leak: adding
a guideline would then mean editing generic code.

The guideline's views (grid rows, chart, PDF sections, workbook columns, the command line's report,
the wizard's questions) are declared in its package; generic code renders them and names none.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from desktop.services.guidelines import GUIDELINES

ROOT = Path(__file__).resolve().parents[2]

# items every guideline's form has, that the generic code handles for all of them
FRAMEWORK = {
    "id",
    "name",
    "uscc",
    "address",
    "industry",  # the entity's industry code (国民经济行业分类)
    "contact_person",
    "contact_phone",
    "note",  # entity and unit master data
    "reporting_from",
    "retired_on",  # when a unit's deposits begin and end
    "fuel",  # a fuel row's fuel (every guideline burns fuel)
    "fuels",  # and the table of fuel rows
}


def guideline_ids(gid: str) -> set[str]:
    g = GUIDELINES[gid]
    ids = {gid} | set(g.figures) | {code for code in g.messages if code.split("-")[0] in _prefixes(g)}
    for scope in g.form.scopes:
        ids |= {f.id for f in g.form.fields(scope)}
    ids |= {kind.id for kind in g.form.row_kinds}
    ids |= set(g.form.evidence_kinds)  # the kinds of scan it asks for (lab_report, anode_ledger ...)
    return ids - FRAMEWORK


def shared_ids(path: Path) -> set[str]:
    """A module of methods guidelines share (``desktop/guidelines/_industry``) may name the ids that every
    guideline importing it declares, and no others."""
    shared = ROOT / "desktop" / "guidelines"
    if path.parent == shared or shared not in path.parents:
        return set()
    package = path.relative_to(shared).parts[0]
    if not package.startswith("_"):
        return set()
    users = [
        gid
        for gid in GUIDELINES
        if any(f"desktop.guidelines.{package}" in p.read_text(encoding="utf-8") for p in (shared / gid).rglob("*.py"))
    ]
    return set.intersection(*(guideline_ids(g) for g in users)) if users else set()


def _prefixes(g) -> set[str]:
    """Message-code prefixes the guideline's own rules use (PWR for power), not the shared ones."""
    from desktop.rules import base, common

    shared = set(base.MESSAGES) | set(common.MESSAGES)
    return {code.split("-")[0] for code in g.messages if code not in shared}


def names_in(path: Path, ids: set[str]) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in ids
    }


@pytest.mark.parametrize("gid", sorted(GUIDELINES))
def test_no_new_guideline_ids_in_generic_code(gid: str) -> None:
    ids = guideline_ids(gid)
    own = ROOT / "desktop" / "guidelines" / gid
    grown: list[str] = []
    for path in sorted((ROOT / "desktop").rglob("*.py")):
        if own in path.parents or "migrations" in path.parts:
            continue
        relative = path.relative_to(ROOT).as_posix()
        # another guideline's folder may use the words it has too (both burn coal and diesel): only those
        # of this guideline it does not declare itself are a leak
        other = next((o for o in GUIDELINES if ROOT / "desktop" / "guidelines" / o in path.parents), None)
        allowed = guideline_ids(other) if other else shared_ids(path)
        found = names_in(path, ids - allowed)
        if found:
            grown.append(f"{relative}: {sorted(found)}")
    assert not grown, "guideline ids in generic code:\n" + "\n".join(grown)


def test_the_framework_items_are_in_every_guidelines_form() -> None:
    for gid, g in GUIDELINES.items():
        declared = set()
        for scope in g.form.scopes:
            declared |= {f.id for f in g.form.fields(scope)}
        assert {"name", "uscc", "industry", "id", "reporting_from", "retired_on", "fuel"} <= declared, gid


def test_the_check_bites(tmp_path: Path) -> None:
    leaky = tmp_path / "leaky.py"
    leaky.write_text('ROWS = ["generation_mwh", "name"]\n', encoding="utf-8")
    assert names_in(leaky, guideline_ids("power_generation")) == {"generation_mwh"}
