"""Issue 9: every name a user can meet exists in both languages — parameters, figures, formulas, clauses."""

from __future__ import annotations

import importlib
from datetime import date
from pathlib import Path

import pytest

from desktop import paths
from desktop.engine.params import load_pack
from desktop.engine.provenance import CONST, INPUT, PARAM
from desktop.services import store
from desktop.services.demo import create_demo_workspace
from desktop.services.explain import CONSTANTS, explain_figure
from desktop.services.guidelines import GUIDELINES, guideline

ALL = sorted(GUIDELINES)


@pytest.mark.parametrize("gid", ALL)
def test_every_parameter_of_every_pack_has_its_labels(gid: str) -> None:
    g = guideline(gid)
    for path in sorted(paths.packs_dir(gid).glob("[0-9]*.toml")):
        pack = load_pack(path)
        for key, param in pack.parameters.items():
            assert g.parameter_label(key, "zh") != key, f"{path.name}: {key} has no label"
            assert g.parameter_label(key, "en") != key, f"{path.name}: {key} has no English label"
            assert g.parameter_source(param.source, "zh") != param.source or not param.source.isascii(), param.source
            if isinstance(param.value, str) and not param.value[:4].isdigit():  # a word value, not a date
                assert g.parameter_value(param.value, "zh") != param.value, f"{key} = {param.value}"


@pytest.mark.parametrize("gid", ALL)
def test_every_clause_a_rule_cites_is_translated(gid: str) -> None:
    form = guideline(gid).form
    rules = importlib.import_module(f"desktop.guidelines.{gid}.rules")
    shared = importlib.import_module("desktop.guidelines._industry.rules")
    uses_shared = any(getattr(v, "__module__", "") == shared.__name__ for v in vars(rules).values())
    modules = [rules, shared] if uses_shared else [rules]
    cited = [v for m in modules for k, v in vars(m).items() if k.startswith("CL_") and isinstance(v, str)]
    assert cited
    for clause in cited:
        assert clause in form.clauses, clause
        assert form.clause_text(clause, "zh") == clause


@pytest.mark.parametrize("gid", ALL)
def test_every_figure_of_a_year_reads_in_words(gid: str, tmp_path: Path) -> None:
    ws = create_demo_workspace(tmp_path / "demo.sqlite", today=date(2026, 2, 20), guideline_id=gid)
    ev = store.compute_year(ws=ws, entity_id=store.list_entities(ws=ws)[0].id, year=2025)
    ws.close()
    g = ev.guideline
    seen: set[int] = set()
    unnamed: set[str] = set()

    def walk(figure) -> None:
        if id(figure) in seen:
            return
        seen.add(id(figure))
        if figure.formula == CONST:
            assert figure.name in CONSTANTS, figure.name
        elif figure.formula not in (INPUT, PARAM):
            if figure.name not in g.figures and ":" not in figure.name:  # "consumption:coal": a row's total
                unnamed.add(figure.name)
            assert figure.formula in g.formulas, (figure.name, figure.formula)
        for child in figure.inputs:
            walk(child)

    roots = [*ev.result.totals.values()]
    for unit in ev.result.units:
        roots += [*unit.annual.values(), *(f for m in unit.months for f in m.figures.values())]
    for figure in roots:
        walk(figure)
    assert not unnamed
    lines = explain_figure(ev.result.totals["e_total_t"], g, "zh", depth=6)
    assert len(lines) > 3
    assert all("e_total_t" not in line and "grid_ef" not in line for line in lines)
    assert not any(
        len(part) > 12 for line in lines for part in line.split() if part.replace(",", "").replace(".", "").isdigit()
    )
