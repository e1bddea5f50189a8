"""Issue 14 part 2: the evidence reference is a value type of its own.

A reference names a kind the form declares, a file, a SHA-256 and the places of a month it proves; a
scan of a kind with a record (a lab report) carries what it says of itself, typed by the form's fields.
The same rules hold in a JSON document, when a scan is attached (the store) and in the dialog.
"""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest

from desktop.formspec import FormSpecError
from desktop.formspec.loader import parse_form
from desktop.formspec.types import (
    EVIDENCE,
    MISSING,
    NOT_HASH,
    NOT_OPTION,
    NOT_PLACE,
    RECORD_ORDER,
    Refused,
)
from desktop.interchange.report_json import InputError, dumps_exact, parse_report
from desktop.services import evidence_files, store
from desktop.services.demo import demo_document
from desktop.services.guidelines import GUIDELINES, forms_by_guideline, guideline
from desktop.storage import queries
from desktop.storage.errors import StorageError
from desktop.storage.workspace import Workspace

SHA = hashlib.sha256(b"scan").hexdigest()


def places_of(form) -> list[str]:
    """One place of each shape the form has: a month field, a whole row, a row's field."""
    out = [form.fields("month")[0].id]
    for kind in form.row_kinds:
        out += [f"{kind.id}[0]", f"{kind.id}[2].{form.fields(kind.scope)[-1].id}"]
    return out


def record_kinds(form) -> list[str]:
    return [k for k, ek in form.evidence_kinds.items() if ek.record]


@pytest.mark.parametrize("gid", sorted(GUIDELINES))
def test_a_reference_names_a_declared_kind_a_hash_and_places_the_form_has(gid: str) -> None:
    form = guideline(gid).form
    kind = next(iter(form.evidence_kinds))
    raw = {"kind": kind, "file": "台账.pdf", "sha256": SHA.upper(), "proves": places_of(form)}
    ref = EVIDENCE.from_json(raw, form)
    assert ref.sha256 == SHA and ref.proves == tuple(places_of(form)) and ref.kind == kind
    assert EVIDENCE.check(ref, form) == ref
    shown = EVIDENCE.show(ref, form, "zh")
    assert form.evidence_kinds[kind].label_zh in shown and "台账.pdf" in shown and SHA[:8] in shown

    bad = {
        **raw,
        "kind": "photo",
        "sha256": "abc",
        "proves": ["nowhere", "fuels[x]", f"{form.row_kinds[0].id}[0].ghost", "ghost[0]", 7],
    }
    bad.pop("file")
    faults = {key: exc.reason for key, exc in EVIDENCE.faults(bad, form)}
    assert faults == {
        "kind": NOT_OPTION,
        "": MISSING,
        "sha256": NOT_HASH,
        "proves[0]": NOT_PLACE,
        "proves[1]": NOT_PLACE,
        "proves[2]": NOT_PLACE,
        "proves[3]": NOT_PLACE,
        "proves[4]": "not_text",
    }
    with pytest.raises(Refused) as info:
        EVIDENCE.from_json(bad, form)
    assert info.value.zh and info.value.en


@pytest.mark.parametrize("gid", sorted(GUIDELINES))
def test_a_lab_report_record_is_typed_by_the_form_and_its_dates_run_in_order(gid: str) -> None:
    form = guideline(gid).form
    kinds = record_kinds(form)
    assert kinds, "every guideline asks for accredited lab reports"
    for kind in kinds:
        ek = form.evidence_kinds[kind]
        specs = {s.id: s for s in form.record_specs(kind)}
        assert set(specs) == set(ek.record) and ek.record_required and ek.record_in_order
        good = {}
        for n, key in enumerate(ek.record_in_order):
            good[key] = date(2025, 2, 2 + 2 * n)
        for key in ek.record_required:
            good[key] = f"  {key}-1 "
        checked = EVIDENCE.check_record(kind, {**good, "colour": "red"}, form)
        assert "colour" not in checked  # keys the kind does not record are left out
        assert all(checked[k] == f"{k}-1" for k in ek.record_required)  # text as the text type keeps it
        assert EVIDENCE.check_record(kind, {}, form) == {}  # attached without its record: asked by the rules

        late_first = dict(good)
        first, last = ek.record_in_order[0], ek.record_in_order[-1]
        late_first[first], late_first[last] = good[last], good[first]
        with pytest.raises(Refused) as info:
            EVIDENCE.check_record(kind, late_first, form)
        assert info.value.reason == RECORD_ORDER and specs[first].label_zh in info.value.zh

        anonymous = {k: v for k, v in good.items() if k != ek.record_required[0]}
        with pytest.raises(Refused) as info:
            EVIDENCE.check_record(kind, anonymous, form)
        assert info.value.reason == MISSING and specs[ek.record_required[0]].label_zh in info.value.zh

        with pytest.raises(Refused) as info:
            EVIDENCE.check_record(kind, {**good, first: "2025-02-30"}, form)  # a date field holds dates only
        assert specs[first].label_en in info.value.en

        who, dates = EVIDENCE.show_record(kind, checked, form, "zh")
        assert all(f"{k}-1" in who for k in ek.record_required)
        assert dates == " / ".join(good[k].isoformat() for k in ek.record_in_order)
    plain = next(k for k, ek in form.evidence_kinds.items() if not ek.record)
    assert EVIDENCE.check_record(plain, {"lab_name": "x"}, form) == {}


def test_the_form_states_the_record_and_a_wrong_one_is_refused() -> None:
    text = (Path(__file__).parents[2] / "forms" / "power_generation.toml").read_text(encoding="utf-8")
    broken = text.replace('record = ["lab_name",', 'record = ["lab_nam",', 1).replace(
        'record_in_order = ["sample_received_date",', 'record_in_order = ["qr_present", "sample_received_date",', 1
    )
    with pytest.raises(FormSpecError) as info:
        parse_form(broken, source="broken.toml")
    problems = "\n".join(info.value.problems)
    assert "record field 'lab_nam' is not a [[fuel]] field" in problems
    assert "'record_required' names lab_name, not in its 'record'" in problems
    assert "'qr_present' in record_in_order is not a date field" in problems


@pytest.mark.parametrize("gid", sorted(GUIDELINES))
def test_a_document_naming_a_place_the_form_lacks_is_refused_whole(gid: str) -> None:
    doc = demo_document(gid)
    month = doc["units"][0]["months"][0]
    month["evidence"][0]["proves"].append("no_such_field")
    with pytest.raises(InputError) as info:
        parse_report(dumps_exact(doc), forms_by_guideline(), source="x.json")
    problems = [(p.path, p.code) for p in info.value.problems]
    assert problems == [
        (f"units[0].months[0].evidence[0].proves[{len(month['evidence'][0]['proves']) - 1}]", "INP-E023")
    ]
    text = info.value.problems[0].render("zh")
    assert "no_such_field" in text


@pytest.fixture
def aluminium(tmp_path: Path):
    ws = Workspace.open(tmp_path / "ws.sqlite", app_user="测试员", evidence_dir=tmp_path / "evidence")
    entity = store.create_entity(ws=ws, name="示范铝业", uscc="91150000701461444U", guideline_id="aluminium_smelting")
    unit = store.create_unit(
        ws=ws,
        entity_id=entity.id,
        values={"id": "1#系列", "unit_kind": "potline", "cell_type": "prebake"},
    )
    try:
        yield ws, unit
    finally:
        ws.close()


def test_an_anode_test_report_keeps_its_record_and_a_wrong_one_changes_nothing(aluminium, tmp_path: Path) -> None:
    ws, unit = aluminium
    scan = tmp_path / "阳极检测.pdf"
    scan.write_bytes(b"%PDF-1.4 anode report")
    record = {
        "lab_name": "某铝业检测中心",
        "report_no": "AN-2025-01",
        "sample_received_date": date(2025, 2, 1),
        "test_date": date(2025, 2, 3),
        "report_date": date(2025, 2, 5),
    }
    with pytest.raises(StorageError) as info:  # dates out of order: refused before anything is written
        evidence_files.attach_evidence(
            ws=ws,
            file=scan,
            kind="anode_lab_report",
            links=[(unit.id, 2025, 1, "anode_s_pct")],
            lab={**record, "report_date": date(2025, 1, 30)},
        )
    assert info.value.code == "STO-E025" and "日期" in info.value.params["reason_zh"]
    for wrong in (
        {"kind": "coal_report"},  # a kind the aluminium form does not have
        {"links": [(unit.id, 2025, 1, "clinker_t")]},  # a cement field
    ):
        with pytest.raises(StorageError) as info:
            evidence_files.attach_evidence(
                **{"ws": ws, "file": scan, "kind": "anode_lab_report", "links": [(unit.id, 2025, 1, "anode_s_pct")]}
                | wrong
            )
        assert info.value.code == "STO-E025"
    with ws.read() as session:
        assert list(queries.all_evidence(session)) == []
    assert not any((tmp_path / "evidence").rglob("*.pdf"))

    info = evidence_files.attach_evidence(
        ws=ws,
        file=scan,
        kind="anode_lab_report",
        links=[(unit.id, 2025, 1, "anode_s_pct"), (unit.id, 2025, 1, "anode_ash_pct")],
        lab={**record, "qr_present": None, "colour": "red"},
    )
    assert info.lab == record  # typed as the form's fields; what the kind does not record is not kept


@pytest.mark.parametrize("gid", sorted(GUIDELINES))
def test_the_schema_states_the_places_the_type_accepts(gid: str) -> None:
    """The JSON schema's pattern for ``proves`` and the evidence type agree on every place and non-place."""
    import re

    from desktop.interchange.schema import input_schema

    form = guideline(gid).form
    pattern = re.compile(_find(input_schema(form), "proves")["items"]["pattern"])
    samples = [s.id for s in form.fields("month")] + [f"{k.id}[3]" for k in form.row_kinds]
    samples += [f"{k.id}[12].{s.id}" for k in form.row_kinds for s in form.fields(k.scope)]
    samples += ["x", "fuels[0].x", "fuels[a]", f"{form.fields('month')[0].id}.x", "fuels[0].", "fuels[1234567]"]
    samples += [f"{form.row_kinds[0].id}[0].{s.id}" for s in form.fields("month")[:3]]  # a month field in a row
    for text in samples:
        try:
            EVIDENCE.check_place(text, form)
            accepted = True
        except Refused:
            accepted = False
        assert bool(pattern.match(text)) == accepted, text


def _find(node, key):
    if isinstance(node, dict):
        if key in node:
            return node[key]
        for value in node.values():
            found = _find(value, key)
            if found is not None:
                return found
    return None
