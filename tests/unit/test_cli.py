"""The command line end to end: tables, JSON, exit codes, messages in the user's language."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from desktop.cli.main import main
from tests.helpers import clean_document, dumps, example_files, example_to_input, load_example


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def clean_file(tmp_path: Path) -> Path:
    path = tmp_path / "clean.json"
    path.write_text(dumps(clean_document()), encoding="utf-8")
    return path


def test_calc_prints_monthly_annual_compliance_and_findings(clean_file: Path) -> None:
    code, out, _ = cli("--lang", "zh", "calc", str(clean_file), "--today", "2026-11-23")
    assert code == 0
    assert "机组 1#" in out and "实测" in out and "配额量" in out and "配额盈缺" in out and "校验结果" in out
    assert "3,500,881" in out  # P1's verified emissions in whole tonnes, half-up
    code, out_en, _ = cli("--lang", "en", "calc", str(clean_file), "--today", "2026-11-23", "--explain", "3")
    assert (
        "Allowances allocated" in out_en
        and "[AL1:" in out_en
        and "Electricity benchmark: conventional coal above 300 MW" in out_en
        and "[parameter ·" in out_en
    )


def test_calc_json_carries_figures_provenance_and_findings(clean_file: Path) -> None:
    code, out, _ = cli("calc", str(clean_file), "--json", "--today", "2026-11-23")
    doc = json.loads(out)
    assert code == 0
    assert doc["format"] == "carbondesk.results" and doc["totals"]["balance_t"]["value"] == "-277615"
    balance = Decimal(doc["totals"]["balance_t"]["exact"])  # the exact value, where it matters
    assert abs(balance - Decimal("-277614.888544")) < Decimal("0.000001")
    c_ar = doc["nodes"][doc["units"][0]["months"][0]["rows"][0]["figures"]["c_ar"]]  # a month's figure: its node
    inputs = [doc["nodes"][i] for i in c_ar["inputs"]]  # provenance by reference
    assert doc["kinds"][c_ar["kind"]]["formula"] == "F4"
    assert {i["source"] for i in inputs} >= {"units[1#].months[1].fuels[0].c_ad_pct"}
    assert doc["kinds"][doc["nodes"][doc["totals"]["balance_t"]["node"]]["kind"]]["unit"] == "tCO2"
    assert doc["summary"]["errors"] == 0


def test_check_exit_codes(tmp_path: Path, clean_file: Path) -> None:
    assert cli("check", str(clean_file), "--today", "2026-11-23")[0] == 0
    doc = clean_document()
    doc["units"][0]["months"][1]["supply_mwh"] = Decimal("999999")
    bad = tmp_path / "bad.json"
    bad.write_text(dumps(doc), encoding="utf-8")
    code, out, _ = cli("--lang", "en", "check", str(bad), "--json")
    assert code == 1
    found = json.loads(out)
    assert found["has_errors"] and "PWR-E003" in {f["code"] for f in found["findings"]}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_bad_input_exits_2_with_a_placed_message_and_no_traceback(tmp_path: Path, lang: str) -> None:
    doc = clean_document()
    doc["units"][0]["months"][0]["generation_mwh"] = "1,234.5"
    path = tmp_path / "bad.json"
    path.write_text(dumps(doc), encoding="utf-8")
    code, out, err = cli("--lang", lang, "calc", str(path))
    assert code == 2 and out == ""
    assert "units[0].months[0].generation_mwh" in err and "1234.5" in err and "Traceback" not in err
    assert ("未做任何计算" if lang == "zh" else "nothing was calculated") in err


def test_missing_file_and_bad_pack(tmp_path: Path, clean_file: Path) -> None:
    code, _, err = cli("--lang", "en", "calc", str(tmp_path / "nope.json"))
    assert code == 2 and "cannot read the file" in err
    pack = tmp_path / "pack.toml"
    pack.write_text("[pack]\nguideline='power_generation'\n", encoding="utf-8")
    code, _, err = cli("--lang", "en", "calc", str(clean_file), "--pack", str(pack))
    assert code == 2 and "parameter pack" in err.lower()


def test_a_newer_pack_file_is_used(tmp_path: Path, clean_file: Path) -> None:
    from desktop import paths

    text = (paths.packs_dir("power_generation") / "2022.toml").read_text(encoding="utf-8")
    newer = tmp_path / "2022-newer.toml"
    newer.write_text(text.replace('version = "2026.11.1"', 'version = "2027.1.0"'), encoding="utf-8")
    code, out, _ = cli("calc", str(clean_file), "--json", "--pack", str(newer), "--today", "2026-11-23")
    assert code == 0 and json.loads(out)["parameter_pack"] == "power_generation/2022@2027.1.0"
    wrong_year = tmp_path / "2019.toml"
    wrong_year.write_text(
        (paths.packs_dir("power_generation") / "2019.toml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    assert cli("calc", str(clean_file), "--pack", str(wrong_year))[0] == 2


def test_demo_workspace_is_created_and_calculated(tmp_path: Path) -> None:
    workspace = tmp_path / "demo" / "demo.sqlite"
    code, out, _ = cli("--lang", "zh", "--workspace", str(workspace), "demo", "--today", "2026-11-23")
    assert code == 0 and workspace.exists()
    assert "PWR-E007" in out and "PWR-W012" in out and "PWR-W015" in out and "PWR-W030" in out and "DEP-W001" in out
    code, audit_out, _ = cli("--lang", "en", "--workspace", str(workspace), "audit", "verify")
    assert code == 0 and "audit chain intact" in audit_out
    # opening it again reuses it
    code, out_again, _ = cli("--lang", "zh", "--workspace", str(workspace), "demo", "--today", "2026-11-23")
    assert code == 0 and out_again.count("PWR-E007") == out.count("PWR-E007")


def test_demo_json_is_written_atomically(tmp_path: Path) -> None:
    target = tmp_path / "demo" / "report.json"
    code, _, _ = cli("demo", "--json-out", str(target))
    assert code == 0 and json.loads(target.read_text(encoding="utf-8"))["guideline"] == "power_generation"
    assert not list(target.parent.glob("*.tmp"))


def test_workspace_commands(tmp_path: Path, clean_file: Path) -> None:
    workspace = tmp_path / "ws.sqlite"
    code, out, _ = cli("--lang", "en", "--workspace", str(workspace), "import", str(clean_file))
    assert code == 0 and "12 month(s)" in out
    code, out, _ = cli("--workspace", str(workspace), "calc", "--json", "--year", "2022", "--today", "2026-11-23")
    assert code == 0 and json.loads(out)["summary"]["errors"] == 0
    backup = tmp_path / "b.sqlite"
    assert cli("--lang", "en", "--workspace", str(workspace), "backup", str(backup))[0] == 0
    code, out, _ = cli("--lang", "en", "--workspace", str(workspace), "restore", str(backup))
    assert code == 0 and "restored" in out
    code, _, err = cli("--lang", "zh", "--workspace", str(workspace), "restore", str(clean_file))
    assert code == 2 and "不是" in err
    assert cli("--workspace", str(tmp_path / "absent.sqlite"), "calc")[0] == 8  # not found: its own exit code


def test_schema_pack_and_form_commands(tmp_path: Path) -> None:
    code, out, _ = cli("schema")
    assert code == 0 and json.loads(out)["properties"]["guideline"]["const"] == "power_generation"
    code, out, _ = cli("--lang", "en", "pack", "show", "--year", "2023")
    assert code == 0 and "benchmark.electricity.coal_gt300" in out and "missing" in out
    broken = tmp_path / "form.toml"
    broken.write_text("[form]\nid='x'\n", encoding="utf-8")
    code, _, err = cli("form", "check", str(broken))
    assert code == 2 and "problem" in err


def test_examples_through_the_cli(tmp_path: Path) -> None:
    for path in example_files():
        target = tmp_path / path.name
        target.write_text(dumps(example_to_input(load_example(path))), encoding="utf-8")
        code, out, _ = cli("calc", str(target), "--json", "--today", "2026-11-23")
        assert code == 0
        expected = load_example(path)["expected"]["annual"]["obligation_t"]
        obligation = json.loads(out)["totals"]["obligation_t"]
        assert abs(Decimal(obligation.get("exact", obligation["value"])) - expected) < Decimal("0.00001")


def test_installed_console_script(clean_file: Path) -> None:
    exe = Path(sys.executable).parent / "carbondesk"
    env = {**os.environ, "LANG": "en_US.UTF-8", "CARBONDESK_LANG": ""}
    result = subprocess.run(
        [str(exe), "check", str(clean_file), "--today", "2026-11-23"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "0 error(s)" in result.stdout


def test_month_lifecycle_and_reimport_of_a_locked_year(tmp_path: Path) -> None:
    """Issue 12: `month submit|lock|reopen|amend` mirror the window; a year whose locked months are given
    unchanged imports, a real change to one is refused and named."""
    from datetime import date as day

    from desktop.services import outputs, store
    from desktop.services.demo import create_demo_workspace

    path = tmp_path / "demo.sqlite"
    ws = create_demo_workspace(path, today=day(2026, 11, 23))
    entity_id = store.list_entities(ws=ws)[0].id
    evaluation = store.compute_year(ws=ws, entity_id=entity_id, year=2025)
    december = next(
        u.code
        for u in store.get_entity(ws=ws, entity_id=entity_id).units
        if not any(
            f.ref.unit == u.code and f.ref.month == 12 and f.severity.value == "error" for f in evaluation.findings
        )
    )
    exported = tmp_path / "year.json"
    exported.write_bytes(outputs.json_export(evaluation))
    ws.close()
    base = ["--lang", "en", "--workspace", str(path)]
    code, out, err = cli(*base, "month", "submit", december, "12", "--year", "2025", "--today", "2026-01-20")
    assert code == 0 and "submitted" in out, err
    code, out, err = cli(*base, "month", "reopen", december, "12", "--year", "2025")
    assert code == 2 and "reason" in err  # a reason is required
    code, out, _ = cli(*base, "month", "reopen", december, "12", "--year", "2025", "--reason", "supply corrected")
    assert code == 0 and "draft" in out
    cli(*base, "month", "submit", december, "12", "--year", "2025", "--today", "2026-01-20")
    code, out, _ = cli(*base, "month", "lock", december, "12", "--year", "2025", "--deposited", "2026/1/25")
    assert code == 0 and "locked" in out
    code, out, _ = cli(*base, "month", "amend", december, "12", "--year", "2025", "--reason", "verifier's remark")
    assert code == 0 and "version 2" in out
    # the whole year again, locked months unchanged: accepted
    code, out, err = cli(*base, "import", str(exported))
    assert code == 0, err
    # a locked month changed: refused, named, nothing written
    from desktop.interchange.report_json import dumps_exact

    doc = json.loads(exported.read_text(encoding="utf-8"), parse_float=Decimal)
    unit = next(u for u in doc["units"] if u["id"] == "1#")
    january = next(m for m in unit["months"] if m["month"] == 1)
    january["generation_mwh"] = Decimal(1)
    changed = tmp_path / "changed.json"
    changed.write_text(dumps_exact(doc), encoding="utf-8")
    code, _, err = cli(*base, "import", str(changed))
    assert code == 2 and "1# 2025-01" in err
