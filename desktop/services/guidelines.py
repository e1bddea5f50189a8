"""The guidelines CarbonDesk knows.

A guideline is four things: a form file (``forms/``), an engine module, a rule module and parameter
packs (``resources/packs/<id>/<year>.toml``).  Adding one means writing those four and adding one
entry to ``GUIDELINES`` below; nothing of another guideline changes.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from desktop import guidelines as guideline_packages
from desktop import paths
from desktop.domain.findings import Message
from desktop.domain.periods import DepositRule
from desktop.engine.params import PackError, ParameterPack, load_pack
from desktop.engine.results import (
    ChartSpec,
    FigureInfo,
    GridSpec,
    ReportResult,
    ReportSection,
    ReportView,
    WorkbookView,
)
from desktop.formspec import FormSpec, load_form
from desktop.rules import base as rules_base
from desktop.rules import common as common_rules
from desktop.rules.base import Rule
from desktop.services import locations


@dataclass(frozen=True)
class Guideline:
    id: str
    form_file: str
    calculate: Callable[..., ReportResult]  # (report, pack, form, progress=None)
    rules: tuple[Rule, ...]
    messages: Mapping[str, Message]
    figures: Mapping[str, FigureInfo]
    formulas: Mapping[str, tuple[str, str]]
    demo: Callable[[], dict[str, Any]]  # its demo year in the JSON input shape
    chart: ChartSpec  # what the annual view's chart draws
    wizard_unit_fields: tuple[str, ...]  # the unit items the first-run wizard asks for each unit
    report_view: ReportView  # what a text report of a year shows per unit
    grid: GridSpec  # the monthly grid's computed rows and the rows every unit shows
    workbook: WorkbookView  # what the Excel workbooks show besides the form's fields
    report_sections: Callable[..., tuple[ReportSection, ...]]  # its sections of the annual report (text tables)
    order: int  # where it stands in lists and which one is the default (the lowest)
    # A unit's year alone, and the entity's from its units' (both or neither): a save then recalculates the
    # units it touched only (``desktop.services.evaluation.reevaluate``)
    calculate_unit: Callable[..., Any] | None = None  # (unit, report, pack, form) -> UnitResult
    aggregate: Callable[..., ReportResult] | None = None  # (unit results, report, pack, form) -> ReportResult

    @property
    def form(self) -> FormSpec:
        return _form(self.form_file)

    def pack_files(self) -> dict[int, Path]:
        """Shipped packs, replaced by a newer one the user imported (data directory ``packs/``)."""
        files = {int(p.stem): p for p in sorted(paths.packs_dir(self.id).glob("*.toml")) if p.stem.isdigit()}
        for path in sorted((locations.data_dir() / "packs" / self.id).glob("*.toml")):
            if not path.stem.isdigit():
                continue
            year = int(path.stem)
            try:
                imported = _pack(str(path))
            except PackError:
                continue  # an unusable file is reported when it is imported, not at every start
            if year not in files or _version(imported.version) >= _version(_pack(str(files[year])).version):
                files[year] = path
        return files

    def pack(self, data_year: int) -> ParameterPack:
        """The pack of that data year, or else the latest earlier one (the rules then warn, GEN-W020).

        The running year usually has no pack yet; its months must still be entered and checked.
        """
        files = self.pack_files()
        earlier = [year for year in files if year <= data_year]
        if not earlier:
            raise PackError(
                f"{self.id}/{data_year}",
                [f"no parameter pack for data year {data_year}; available: {', '.join(map(str, files))}"],
            )
        return _pack(str(files[max(earlier)])).with_labels(_pack_words(self.id)["labels"])

    def parameter_label(self, key: str, lang: str) -> str:
        """What a pack parameter is called on screen (labels.toml beside the packs); the key if unknown."""
        labels = _pack_words(self.id)["labels"]
        return labels[key][0 if lang == "zh" else 1] if key in labels else key

    def parameter_value(self, value: Any, lang: str) -> str:
        """A parameter's value as shown: yes/no, word values in the user's language, numbers as written."""
        if value is None:
            return "—"
        if isinstance(value, bool):
            return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
        if isinstance(value, Decimal):
            return f"{value:f}"
        words = _pack_words(self.id)["values"]
        return words[str(value)][0 if lang == "zh" else 1] if str(value) in words else str(value)

    def parameter_source(self, source: str, lang: str) -> str:
        """A pack's source in the report's language where a translation exists (labels.toml [sources])."""
        words = _pack_words(self.id)["sources"]
        return words[source][0 if lang == "zh" else 1] if source in words else source

    def parameter_unit(self, unit: str, lang: str) -> str:
        words = _pack_words(self.id)["units"]
        return words[unit][0 if lang == "zh" else 1] if unit in words else unit

    def deposit_rule(self, data_year: int) -> DepositRule:
        """When a month's deposit is due, from the year's pack (or the earliest one, for older years)."""
        files = self.pack_files()
        year = data_year if any(y <= data_year for y in files) else min(files)
        return self.pack(year).deposit_rule()


@cache
def _pack_words(guideline_id: str) -> dict[str, dict[str, tuple[str, str]]]:
    """labels.toml beside a guideline's packs: parameter names, word values and units, in zh and en."""
    path = paths.packs_dir(guideline_id) / "labels.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    return {
        table: {str(k): (str(v[0]), str(v[1])) for k, v in data.get(table, {}).items()}
        for table in ("labels", "values", "units", "sources")
    }


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".") if part.isdigit())


@cache
def _form(name: str) -> FormSpec:
    return load_form(paths.forms_dir() / name)


@cache
def _pack(path: str) -> ParameterPack:
    return load_pack(path)


def _catalogue(*parts: Mapping[str, Message]) -> dict[str, Message]:
    merged: dict[str, Message] = {}
    for part in parts:
        merged.update(part)
    return merged


GUIDELINES: Mapping[str, Guideline] = {
    package.ID: Guideline(
        id=package.ID,
        form_file=package.FORM,
        calculate=package.calculate,
        rules=package.RULES,
        messages=_catalogue(rules_base.MESSAGES, common_rules.MESSAGES, package.MESSAGES),
        figures=package.FIGURES,
        formulas=package.FORMULAS,
        demo=package.demo_document,
        chart=package.CHART,
        wizard_unit_fields=tuple(package.WIZARD_UNIT_FIELDS),
        report_view=package.REPORT_VIEW,
        grid=package.GRID,
        workbook=package.WORKBOOK,
        report_sections=package.report_sections,
        order=package.ORDER,
        calculate_unit=getattr(package, "calculate_unit", None),
        aggregate=getattr(package, "aggregate", None),
    )
    for package in sorted(guideline_packages.discover(), key=lambda p: p.ORDER)
}
DEFAULT_GUIDELINE = next(iter(GUIDELINES))  # the lowest ORDER: offered first, used when none is named


def guideline(guideline_id: str) -> Guideline:
    return GUIDELINES[guideline_id]


def forms_by_guideline() -> dict[str, FormSpec]:
    return {gid: g.form for gid, g in GUIDELINES.items()}
