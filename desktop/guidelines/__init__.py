"""Every guideline the app knows, one package each: ``desktop/guidelines/<id>/``.

A guideline package declares itself in its ``__init__``:

- ``ID`` (the folder's name), ``FORM`` (its file in ``forms/``), ``ORDER`` (its place in lists; the
  lowest is the default);
- ``calculate`` (report, pack, form, progress=None -> ReportResult), ``RULES``, ``MESSAGES``,
  ``FIGURES``, ``FORMULAS``;
- its views as data: ``CHART`` (the annual chart), ``GRID`` (the monthly grid's computed rows),
  ``REPORT_VIEW`` (the command line's year report), ``WORKBOOK`` (the workbooks' computed rows and
  summary), ``WIZARD_UNIT_FIELDS`` (what the first-run wizard asks per unit), ``report_sections`` (its
  sections of the annual report, as text tables);
- ``demo_document`` (its demo year in the JSON input shape).

Its parameter packs live in ``resources/packs/<id>/``.  Adding a guideline adds a package here, a form
and packs: the registry finds the package, nothing else is edited.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

DECLARED = (
    "ID",
    "FORM",
    "ORDER",
    "calculate",
    "RULES",
    "MESSAGES",
    "FIGURES",
    "FORMULAS",
    "CHART",
    "WIZARD_UNIT_FIELDS",
    "demo_document",
)


def discover() -> tuple[ModuleType, ...]:
    """The guideline packages under this one, each checked to declare what the app needs."""
    found = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if not info.ispkg or info.name.startswith("_"):
            continue  # "_industry": methods shared by guidelines, not a guideline
        module = importlib.import_module(f"{__name__}.{info.name}")
        missing = [name for name in DECLARED if not hasattr(module, name)]
        if missing:
            raise ImportError(f"guideline package {info.name} does not declare {', '.join(missing)}")
        if info.name != module.ID:
            raise ImportError(f"guideline package {info.name} declares the id {module.ID!r}: they must be one")
        found.append(module)
    return tuple(found)
