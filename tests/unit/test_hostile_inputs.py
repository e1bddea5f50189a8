"""Issue 12: one gate for all input.  Hostile JSON reports end in a named refusal (exit 2), never an
internal error (exit 3), and nothing of them is stored."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from desktop.cli.main import main as cli_main
from desktop.interchange.report_json import dumps_exact
from desktop.services import store
from desktop.storage.workspace import Workspace
from tests.helpers import clean_document


def variant(change) -> str:
    doc = json.loads(dumps_exact(clean_document()))
    result = change(doc)
    return result if isinstance(result, str) else json.dumps(doc, ensure_ascii=False)


def year_as(text: str):
    def change(doc):
        return json.dumps(doc, ensure_ascii=False).replace(f'"data_year": {doc["data_year"]}', f'"data_year": {text}')

    return change


def override(value, key="grid_ef", reason="notice"):
    def change(doc):
        doc["parameter_overrides"] = [{"key": key, "value": value, "reason": reason}]

    return change


CORPUS = {
    "nested 100,000 deep": (lambda doc: "[" * 100_000 + "]" * 100_000, "(file)"),
    "data year -1": (year_as("-1"), "data_year"),
    "data year 0": (year_as("0"), "data_year"),
    "data year 1900": (year_as("1900"), "data_year"),
    "data year 2099": (year_as("2099"), "data_year"),
    "data year 1e30": (year_as("1e30"), "data_year"),
    "override value a list": (override([1, 2]), "parameter_overrides[0].value"),
    "override of an unknown parameter": (override(1, key="nope.key"), "parameter_overrides[0].key"),
    "override with a text value": (override("abc"), "parameter_overrides[0].value"),
    "override with an empty reason": (override(0.5, reason=" "), "parameter_overrides[0].reason"),
    "empty unit id": (lambda doc: doc["units"][0].__setitem__("id", ""), "units[0].id"),
    "a lone surrogate in the name": (
        lambda doc: json.dumps(doc).replace('"name": "', '"name": "\\ud800', 1),
        "entity.name",
    ),
    "no credit code": (lambda doc: doc["entity"].__delitem__("uscc"), "uscc"),
    "a number with a huge exponent": (
        lambda doc: json.dumps(doc).replace('"generation_mwh": ', '"generation_mwh": 1e999999999, "gx": ', 1),
        "generation_mwh",
    ),
}


@pytest.mark.parametrize("case", list(CORPUS))
def test_hostile_reports_are_refused_with_their_place(case: str, tmp_path: Path) -> None:
    change, place = CORPUS[case]
    path = tmp_path / "hostile.json"
    path.write_text(variant(change), encoding="utf-8")
    for command in (["check", str(path)], ["--workspace", str(tmp_path / "w.sqlite"), "import", str(path)]):
        out, err = io.StringIO(), io.StringIO()
        code = cli_main(["--lang", "en", *command], out=out, err=err)
        said = err.getvalue() + out.getvalue()
        if case == "no credit code" and command[0] == "check":
            assert code == 1 and ("uscc" in said.lower() or "credit code" in said.lower())  # a finding, no crash
            continue
        assert code == 2, (case, code, said[-500:])
        assert place in said and "Traceback" not in said
    if (tmp_path / "w.sqlite").exists():  # nothing of a refused import is stored
        with Workspace.open(tmp_path / "w.sqlite", create=False) as ws:
            assert store.list_entities(ws=ws) == ()


@pytest.mark.parametrize(
    ("label", "text"),
    [
        ("nested 100,000 deep", "[pack]\nx = " + "[" * 100_000 + "]" * 100_000 + "\n"),
        ("a huge exponent", None),
        ("larger than any pack", "# " + "x" * (3 * 1024 * 1024) + "\n"),
    ],
)
def test_hostile_packs_are_refused_by_name(label: str, text: str | None, tmp_path: Path) -> None:
    from desktop import paths

    if text is None:  # a real pack with one value written as 1e999999999
        source = (paths.packs_dir("power_generation") / "2025.toml").read_text(encoding="utf-8")
        text = source.replace("value = 0.99\n", "value = 1e999999999\n", 1)
    path = tmp_path / "2025.toml"
    path.write_text(text, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = cli_main(["--lang", "en", "pack", "check", "--file", str(path)], out=out, err=err)
    assert code == 2, (label, code, err.getvalue()[-300:])
    assert "Traceback" not in err.getvalue() and "internal" not in err.getvalue().lower()
