"""The calculated report as JSON: every figure with its provenance, every finding in both languages.

Format ``carbondesk.results`` version 3 (schema: ``resources/schemas/results.schema.json``, made by
``carbondesk schema --results``).  Provenance is by reference, and everything is written once:

- ``kinds`` lists each kind of figure once: its name, unit, formula code and expression;
- ``nodes`` lists every figure of the year once: the index of its kind, its value, where it comes from
  (``source``: an input's data item, a parameter's pack; ``parameter``: the pack key) and the ids of the
  nodes it was made from (``inputs``);
- ``parameters`` lists every pack parameter once;
- a figure of a month or a row is the id of its node (``{"e_fuel_t": 812}``: value, kind and tree are
  the node's); an annual figure or a total is its ``value``, its ``exact`` value where rounding changed
  it, and its ``node``.  A tree shared by many figures is written once; a reader rebuilds any figure's
  tree by following ``inputs`` and names each node through its kind.

Numbers are decimal strings:

- ``value`` is the figure at the precision declared for display (the figure's places in the guideline,
  the data item's places in the form; a parameter as the pack states it; 6 decimals at most otherwise);
- ``exact`` is added where the exact value matters -- the annual figures and the entity's totals, which a
  verifier re-adds from months -- when it differs from ``value``; it is cut to 12 decimals, beyond any
  measurement's precision.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from desktop.domain.batch import without_cycle_collection
from desktop.domain.findings import Finding, Message, render_in
from desktop.domain.records import ReportInput
from desktop.engine.provenance import INPUT, PARAM, Figure, parameter_dict
from desktop.engine.results import FigureInfo, ReportResult
from desktop.formspec import FormSpec

FORMAT = "carbondesk.results"
VERSION = 3
DEFAULT_PLACES = 6
EXACT_PLACES = 12
_FIELD = re.compile(r"(\w+)$")  # the data item at the end of an input's path


_AS_IS = frozenset({str, int, float, bool, type(None)})  # written as they are


def _plain(value: Any) -> Any:
    if value.__class__ in _AS_IS:  # most values: no isinstance checks (a Mapping check is an ABC's)
        return value
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    return value


class _Quanta(dict[int, Decimal]):
    def __missing__(self, places: int) -> Decimal:
        self[places] = quantum = Decimal(1).scaleb(-places)
        return quantum


_QUANTUM = _Quanta()  # the quantum of each number of places, made once


def _rounded(value: Decimal, places: int) -> str:
    if not value.is_finite():
        return str(value)
    return f"{value.quantize(_QUANTUM[places]):f}"


def places_of(figures: Mapping[str, FigureInfo], form: FormSpec | None) -> Callable[[Figure], int | None]:
    """The declared display precision of a figure (None: shown as stated, e.g. a pack parameter)."""
    specs: dict[str, int | None] = {}
    if form is not None:
        for scope in form.scopes:
            for spec in form.fields(scope):
                specs.setdefault(spec.id, spec.places)

    by_field: dict[str, int] = {}  # a year has few kinds of figure and many figures: each worked out once
    by_name: dict[str, int] = {}

    def places(figure: Figure) -> int | None:
        formula = figure.formula
        if formula == PARAM:
            return None
        if formula == INPUT:
            tail = (figure.source or "").rpartition(".")[2]
            found = by_field.get(tail)
            if found is None:
                match = _FIELD.search(tail)
                declared = specs.get(match.group(1)) if match else None
                found = by_field[tail] = declared if declared is not None else DEFAULT_PLACES
            return found
        found = by_name.get(figure.name)
        if found is None:
            info = figures.get(figure.name)
            found = by_name[figure.name] = info.places if info is not None else DEFAULT_PLACES
        return found

    return places


class _Nodes:
    """Every figure of a result once: a node per distinct figure, a parameter per pack key."""

    def __init__(self, places: Callable[[Figure], int | None]) -> None:
        self.places = places
        self.nodes: list[str] = []  # each node's JSON text, written once as it is made (see result_pieces)
        self.kinds: list[dict[str, Any]] = []
        self._kind_ids: dict[tuple[str, str, str, str], int] = {}
        self.parameters: dict[str, dict[str, Any]] = {}
        self._by_identity: dict[int, int] = {}
        # leaves (inputs, parameters, constants) made more than once; figures are known by identity, which
        # holds because the result being written keeps every one of them alive meanwhile
        self._by_value: dict[Figure, int] = {}

    def value(self, fig: Figure, *, exact: bool = False) -> dict[str, Any]:
        value = fig.value
        if not isinstance(value, Decimal):
            return {"value": None if value is None else str(value)}
        wanted = self.places(fig)
        shown = f"{value.normalize():f}" if wanted is None else _rounded(value, wanted)
        out: dict[str, Any] = {"value": shown}
        if exact and wanted is not None:
            precise = _rounded(value, EXACT_PLACES).rstrip("0").rstrip(".")
            if Decimal(precise) != Decimal(shown):
                out["exact"] = precise
        return out

    def node(self, fig: Figure) -> int:
        """The id of the figure's node, made (with its inputs' nodes) the first time it is met.  Written as
        one loop over local names: a 50-unit year has some 20,000 figures to visit."""
        by_identity = self._by_identity
        found = by_identity.get(id(fig))
        if found is not None:
            return found
        by_value, kind_ids, kinds, nodes = self._by_value, self._kind_ids, self.kinds, self.nodes
        places, quantum, parameters, quote = self.places, _QUANTUM, self.parameters, _quote
        stack = [fig]
        while stack:  # iterative, depth first: a year's trees are deep enough to exhaust Python's recursion
            current = stack[-1]
            if id(current) in by_identity:
                stack.pop()
                continue
            inputs = current.inputs
            if inputs:
                pending = [c for c in inputs if id(c) not in by_identity]
                if pending:
                    stack += pending
                    continue
            stack.pop()
            if not inputs:  # a leaf made again (the same input or parameter read twice) is written once
                known = by_value.get(current)
                if known is not None:
                    by_identity[id(current)] = known
                    continue
            kind_key = (current.name, current.unit, current.formula, current.expression)
            kind = kind_ids.get(kind_key)
            if kind is None:
                kind = kind_ids[kind_key] = len(kinds)
                described = {"name": current.name, "unit": current.unit, "formula": current.formula}
                if current.expression:
                    described["expression"] = current.expression
                kinds.append(described)
            value = current.value
            if value.__class__ is Decimal and value.is_finite():
                wanted = places(current)
                shown = f"{value.normalize():f}" if wanted is None else f"{value.quantize(quantum[wanted]):f}"
            else:
                shown = None if value is None else str(value)
            # the node as JSON text, keys in the order a dict of them would be written: no dict is made, and
            # the text is what json.dumps writes for it (quoted by the json module's own C function)
            entry = f'{{"kind":{kind},"value":{"null" if shown is None else quote(shown)}'
            if current.source:
                entry += f',"source":{quote(current.source)}'
            parameter = current.parameter
            if parameter is not None:
                entry += f',"parameter":{quote(parameter.key)}'
                if parameter.key not in parameters:
                    parameters[parameter.key] = parameter_dict(parameter)
            number = len(nodes)
            if inputs:
                entry += ',"inputs":[' + ",".join([str(by_identity[id(c)]) for c in inputs]) + "]}"
            else:
                entry += "}"
                by_value[current] = number
            nodes.append(entry)
            by_identity[id(current)] = number
        return by_identity[id(fig)]

    def figures(self, figures: Mapping[str, Figure]) -> dict[str, int]:
        """A month's or a row's figures by name: the node of each (its value, its kind, its tree)."""
        node = self.node
        return {name: node(fig) for name, fig in figures.items()}

    def totals(self, figures: Mapping[str, Figure]) -> dict[str, Any]:
        """Annual figures and totals by name: value, exact value where rounding changed it, and node."""
        return {name: {**self.value(fig, exact=True), "node": self.node(fig)} for name, fig in figures.items()}


def finding_dict(f: Finding, messages: Mapping[str, Message]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "code": f.code,
        "severity": f.severity.value,
        "path": f.ref.path,
        "unit": f.ref.unit,
        "month": f.ref.month,
        "row": f.ref.row,
        "rows": f.ref.rows if f.ref.row is not None else None,
        "field": f.ref.field,
        "clause": f.clause,
        "params": _plain(dict(f.params)),
        "message": dict(zip(("zh", "en"), render_in(f, messages, ("zh", "en")), strict=True)),
    }
    if f.acknowledged is not None:
        out["acknowledged"] = {"justification": f.acknowledged.justification, "by": f.acknowledged.by}
    return out


PIECE = 64_000  # characters of JSON made per call of the C encoder (well under a millisecond's work)


def encode(value: Any) -> str:
    """``value`` as compact JSON, exactly as ``json.dumps(value, ensure_ascii=False, separators=(",", ":"))``
    writes it, made by the C encoder a piece at a time.  One call over a 50-unit year holds the interpreter
    lock some 30 ms, and a package or a results file is written on a worker thread while the window waits
    for its turn; in pieces of about ``PIECE`` characters the window gets the lock back within a millisecond
    or two, and the whole costs hardly more."""
    return "".join(pieces(value))


def pieces(value: Any) -> Iterator[str]:
    """The text of ``encode(value)`` in pieces, to be written as they come (an 800-unit year's 45 MB is
    then never held as one string, nor again as its UTF-8 bytes)."""
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        yield "{"
        for i, (k, v) in enumerate(value.items()):
            yield ("," if i else "") + _dumps(k) + ":"
            yield from pieces(v)
        yield "}"
    elif isinstance(value, list | tuple) and len(value) > 16:
        start, step = 0, 16
        while start < len(value):
            piece = _dumps(list(value[start : start + step]))[1:-1]
            yield ("[" if start == 0 else ",") + piece
            start += step
            step = max(1, min(4096, PIECE * step // max(1, len(piece))))  # items of about PIECE characters
        yield "]"
    else:
        yield _dumps(value)


NODES_PER_PIECE = 2048  # nodes joined into one piece of text (some 100k characters)
_quote = json.encoder.encode_basestring  # json.dumps's own quoting of a string (ensure_ascii=False), in C


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def result_pieces(
    *,
    report: ReportInput,
    result: ReportResult,
    findings: Iterable[Finding],
    messages: Mapping[str, Message],
    figures: Mapping[str, FigureInfo] | None = None,
    form: FormSpec | None = None,
) -> Iterator[str]:
    """results.json as compact JSON text, in pieces to be written as they come (the package's file and
    ``calc --json``). Its figure nodes are written as text the moment each is made: a year has a node per
    distinct figure (some 18,000 at 50 units, 300,000 at 800), and making a dict of each to encode it
    afterwards cost ``calc --json`` some 7 % of its time at 800 units, and 55 MiB."""
    with without_cycle_collection():  # some 60,000 small objects at 50 units, and no cycles among them
        head, nodes = _head(report, result, list(findings), messages, figures, form)
    pending = pieces(head)
    held = next(pending)
    for piece in pending:  # all but the head's closing brace: the figure tables come before it
        yield held
        held = piece
    yield ',"kinds":' + _dumps(nodes.kinds) + ',"nodes":['
    for start in range(0, len(nodes.nodes), NODES_PER_PIECE):
        yield ("," if start else "") + ",".join(nodes.nodes[start : start + NODES_PER_PIECE])
    yield '],"parameters":' + _dumps(nodes.parameters) + held


def result_text(**kwargs: Any) -> str:
    """The whole text of ``result_pieces`` (same arguments)."""
    return "".join(result_pieces(**kwargs))


def result_document(**kwargs: Any) -> dict[str, Any]:
    """The same document, read back from its text (same arguments as ``result_pieces``): what a reader of
    results.json gets."""
    return json.loads(result_text(**kwargs))


def _head(
    report: ReportInput,
    result: ReportResult,
    findings: list[Finding],
    messages: Mapping[str, Message],
    figures: Mapping[str, FigureInfo] | None,
    form: FormSpec | None,
) -> tuple[dict[str, Any], _Nodes]:
    """The document up to its figure tables, and the nodes it refers to (made while it was built)."""
    nodes = _Nodes(places_of(figures or {}, form))
    doc = {
        "format": FORMAT,
        "version": VERSION,
        "guideline": result.guideline,
        "data_year": result.data_year,
        "parameter_pack": result.pack_label,
        "entity": _plain(dict(report.entity)),
        "units": [
            {
                "id": unit.unit_id,
                "tags": _plain(dict(unit.tags)),
                "missing_parameters": list(unit.missing_parameters),
                "months": [
                    {
                        "month": month.month,
                        "figures": nodes.figures(month.figures),
                        "rows": [
                            {
                                "index": row.index,
                                "kind": row.kind,
                                "tags": _plain(dict(row.tags)),
                                "rows": row.rows,
                                "figures": nodes.figures(row.figures),
                            }
                            for row in month.rows
                        ],
                    }
                    for month in unit.months
                ],
                "annual": nodes.totals(unit.annual),
            }
            for unit in result.units
        ],
        "totals": nodes.totals(result.totals),
        "findings": [finding_dict(f, messages) for f in findings],
        "summary": {
            "errors": sum(f.severity.value == "error" for f in findings),
            "warnings": sum(f.severity.value == "warning" for f in findings),
            "warnings_acknowledged": sum(
                f.severity.value == "warning" and f.acknowledged is not None for f in findings
            ),
            "info": sum(f.severity.value == "info" for f in findings),
        },
    }
    return doc, nodes
