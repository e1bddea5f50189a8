"""Guideline-neutral result shapes: what every engine returns and every skin renders.

A guideline's engine fills these with its own figure names (declared in its ``FIGURES`` table), so
the UI, the exports and the CLI can show any guideline without knowing its formulas.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from desktop.engine.provenance import Figure


@dataclass(frozen=True)
class RowResult:
    """One row inside a month, e.g. one fuel: ``index`` in its table ``rows`` (a row kind), ``kind`` the value
    of the row's key (the fuel, the material)."""

    index: int
    kind: str
    figures: Mapping[str, Figure]
    tags: Mapping[str, Any] = field(default_factory=dict)
    rows: str = "fuels"


@dataclass(frozen=True)
class MonthResult:
    unit_id: str
    month: int
    figures: Mapping[str, Figure]
    rows: tuple[RowResult, ...] = ()


@dataclass(frozen=True)
class UnitResult:
    unit_id: str
    months: tuple[MonthResult, ...]
    annual: Mapping[str, Figure]
    tags: Mapping[str, Any] = field(default_factory=dict)
    missing_parameters: tuple[str, ...] = ()
    used_parameters: tuple[str, ...] = ()

    def month(self, number: int) -> MonthResult | None:
        return self._by_month.get(number)

    @cached_property
    def _by_month(self) -> dict[int, MonthResult]:
        return {m.month: m for m in reversed(self.months)}  # the first of a month wins, as a scan would


@dataclass(frozen=True)
class ReportResult:
    guideline: str
    data_year: int
    pack_label: str
    units: tuple[UnitResult, ...]
    totals: Mapping[str, Figure]
    missing_parameters: tuple[str, ...] = ()
    used_parameters: tuple[str, ...] = ()  # every pack key a figure of this result depends on

    def unit(self, unit_id: str) -> UnitResult | None:
        """By id in constant time: rules and views ask for units one by one (a scan made a group's year
        quadratic)."""
        return self._by_id.get(unit_id)

    @cached_property
    def _by_id(self) -> dict[str, UnitResult]:
        return {u.unit_id: u for u in reversed(self.units)}


@dataclass(frozen=True)
class FigureInfo:
    """How a figure is labelled and shown: declared once per guideline."""

    label_zh: str
    label_en: str
    unit: str
    places: int
    formula_zh: str = ""
    formula_en: str = ""

    def label(self, lang: str) -> str:
        return self.label_zh if lang == "zh" else self.label_en


@dataclass(frozen=True)
class ChartSpec:
    """What the annual view's chart draws, named by figures of the guideline's ``FIGURES`` (a view as data:
    the window draws any guideline's chart without knowing its figures)."""

    bars: str  # a monthly figure drawn as bars (the month's emissions)
    line: str  # a monthly figure drawn as a line (an emission intensity)
    line_when: str  # the line has a point only in months where this figure is not zero (its denominator)
    reference: str  # an annual figure whose parameter is drawn as the line's reference (the allocation)
    reference_parameter: str  # the key prefix of that parameter (the benchmark)
    share: str  # the month's share of the allocation: the running balance is Σ (share − bars)


@dataclass(frozen=True)
class ReportView:
    """What a text report of a year shows per unit (the command line's ``calc``), named by the guideline's
    form fields and ``FIGURES`` -- a view as data, so the printer knows no guideline."""

    unit_heading: tuple[str, ...]  # unit fields after the unit's id (an option by its label, a number with its unit)
    row_figures: tuple[str, ...]  # figures of each row of a month (a fuel's carbon content and emissions)
    row_tag: str  # the tag of a row shown in words (where its carbon content came from)
    month_figures: tuple[str, ...]  # figures of the month, on its first row
    expected_annual: tuple[str, ...]  # annual figures said to be missing when a unit has none (not allocated)
    explained: tuple[str, ...]  # entity totals whose provenance ``--explain`` prints


@dataclass(frozen=True)
class RowFigure:
    """A computed row under each row of a month's table (a fuel's carbon content used, its emissions)."""

    figure: str
    places: int
    label_zh: str  # after the row's name: "燃煤 收到基含碳量（采用值）"
    label_en: str
    unit: str  # may name an attribute of the row's option: "tC/{consumption_unit}"


@dataclass(frozen=True)
class GridSpec:
    """The monthly grid's computed rows and the rows every unit shows, named by the guideline's figures and
    form -- a view as data, so the grid knows no guideline."""

    month_figures: tuple[str, ...]  # computed rows of each month, in order (places from FIGURES)
    row_figures: tuple[RowFigure, ...]  # computed rows under each row of the first row kind
    source_tag: str  # a row's tag saying where its values came from (carbon measured, mean, default)
    source_figure: str  # the row figure shown with that source in words
    source_fields: tuple[str, ...]  # row fields whose "how obtained" is that source
    source_words: Mapping[str, tuple[str, str]]  # the source tag's values in words (zh, en), in their order
    row_annual: Mapping[str, str]  # row field -> its annual figure, "{key}" standing for the row's key
    default_rows: Callable[[Mapping[str, object], object], str | None]  # (unit values, form) -> a row key shown


@dataclass(frozen=True)
class WorkbookView:
    """What the Excel workbooks show besides the form's fields, named by the guideline's ``FIGURES``."""

    unit_computed: tuple[str, ...]  # computed rows of each unit's yearly sheet
    month_computed: tuple[str, ...]  # computed rows of the monthly deposit sheet
    summary: tuple[str, ...]  # the summary sheet's columns per unit (and the entity's total row)
    compliance: tuple[str, ...]  # the entity's compliance figures under the summary


@dataclass(frozen=True)
class ReportTable:
    """A table of the annual report, as text: the first row is the header ("中文 English")."""

    rows: tuple[tuple[str, ...], ...]
    widths_mm: tuple[float, ...]
    numeric: tuple[int, ...] = ()  # columns aligned right


@dataclass(frozen=True)
class ReportSection:
    """A section of the annual report a guideline writes: its title (numbered by the report), then tables,
    notes (small print) and sub-headings, in order.  ``generic`` names a section the report writes itself
    at this place ("parameters")."""

    title: str = ""
    parts: tuple[ReportTable | ReportNote | ReportHeading, ...] = ()
    generic: str = ""


@dataclass(frozen=True)
class ReportNote:
    text: str


@dataclass(frozen=True)
class ReportHeading:
    text: str


def calculate_year(
    report: Any,
    pack: Any,
    form: Any,
    progress: Callable[[int, int], None] | None,
    calculate_unit: Callable[..., UnitResult],
    aggregate: Callable[..., ReportResult],
) -> ReportResult:
    """A guideline's year: each unit on its own (``calculate_unit``), then the entity (``aggregate``).

    ``progress(done, total)`` is called after each unit; it may raise to cancel (long group years).
    """
    results = []
    for done, unit in enumerate(report.units, start=1):
        results.append(calculate_unit(unit, report, pack, form))
        if progress is not None:
            progress(done, len(report.units))
    return aggregate(tuple(results), report, pack, form)
