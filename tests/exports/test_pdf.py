"""The PDF report: written atomically, every font embedded, Chinese headings extractable, data hash on it."""

from __future__ import annotations

import itertools
import math
import os
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from desktop.services import evidence_files, outputs, store
from desktop.services.demo import create_demo_workspace

POPPLER = shutil.which("pdffonts") and shutil.which("pdftotext")


def need_poppler() -> None:
    """Skip on a developer machine without poppler-utils; CI installs it and must not skip."""
    if not POPPLER:
        if os.environ.get("CI") == "true":
            pytest.fail("poppler-utils (pdffonts, pdftotext) missing in CI")
        pytest.skip("poppler-utils not installed")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):
    ws = create_demo_workspace(tmp_path_factory.mktemp("demo") / "demo.sqlite", today=date(2026, 11, 23))
    yield ws, store.list_entities(ws=ws)[0].id
    ws.close()


def test_pdf_report_of_the_demo(demo, tmp_path: Path) -> None:
    ws, entity_id = demo
    target = tmp_path / "out" / "report.pdf"
    outputs.export_pdf(ws=ws, entity_id=entity_id, year=2025, target=target, today=date(2026, 11, 23))
    data = target.read_bytes()
    assert data.startswith(b"%PDF-") and b"%%EOF" in data[-32:]
    assert [p.name for p in target.parent.iterdir()] == ["report.pdf"]  # no temporary file left
    need_poppler()
    fonts = subprocess.run(["pdffonts", str(target)], capture_output=True, text=True, check=True).stdout
    rows = fonts.splitlines()[2:]
    assert rows and all(row.split()[-5] == "yes" for row in rows), fonts  # the "emb" column: every font embedded
    text = subprocess.run(["pdftotext", str(target), "-"], capture_output=True, text=True, check=True).stdout
    for heading in (
        "企业温室气体排放报告",
        "排放量汇总",
        "活动数据",
        "排放因子与参数",
        "机组补充数据表",
        "配额与履约",
        "月度排放",
        "校验结果",
        "支撑材料索引",
        "声明",
        "PWR-E007",
    ):
        assert heading in text, heading
    doc, _ = outputs.report_document(ws=ws, entity_id=entity_id, year=2025, today=date(2026, 11, 23))
    assert doc.data_sha256 in text.replace("\n", "")


def test_a_failed_export_leaves_nothing(demo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ws, entity_id = demo

    def boom(doc, target):
        target.write_bytes(b"%PDF-half")
        raise RuntimeError("disk full")

    from desktop.exports import pdf_report

    monkeypatch.setattr(pdf_report, "write_pdf", boom)
    with pytest.raises(RuntimeError):
        outputs.export_pdf(ws=ws, entity_id=entity_id, year=2025, target=tmp_path / "r.pdf")
    assert list(tmp_path.iterdir()) == []


def test_json_export_reads_back_unchanged(demo) -> None:
    from desktop.interchange.report_json import parse_report
    from desktop.services.guidelines import forms_by_guideline

    ws, entity_id = demo
    evaluation = store.compute_year(ws=ws, entity_id=entity_id, year=2025)
    exported = outputs.json_export(evaluation)
    again = parse_report(exported.decode("utf-8"), forms_by_guideline())
    assert again == evaluation.report


def test_monthly_deposit_sheet(demo, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    ws, entity_id = demo
    pdf, xlsx = outputs.export_month(
        ws=ws,
        entity_id=entity_id,
        year=2025,
        month=7,
        target_pdf=tmp_path / "m.pdf",
        target_xlsx=tmp_path / "m.xlsx",
        today=date(2026, 11, 23),
    )
    wb = load_workbook(xlsx)
    sheet = wb["2025-07"]
    assert [c.value for c in sheet[1]] == ["数据项", "单位", "1#", "2#", "G1", "key"]  # key: a hidden column
    evidence = wb["支撑材料 Evidence"]
    assert evidence.max_row == 1 + 12  # four scans for each of the three units, that month only
    need_poppler()
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "月度信息化存证表" in text and "2025 年 7 月" in text and "PWR-E007" in text and "支撑材料索引" in text
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert all(row.split()[-5] == "yes" for row in fonts.splitlines()[2:])


def test_a_verifier_reads_words_not_ids(demo, tmp_path: Path) -> None:
    """Issue 11: no internal ids on the page; whole SHA-256 values; headers unbroken; lab data filled."""
    import re
    import subprocess

    need_poppler()
    ws, entity_id = demo[0], demo[1]
    pdf = outputs.export_pdf(ws=ws, entity_id=entity_id, year=2025, target=tmp_path / "r.pdf")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    ids = re.findall(r"\b[a-z]+(?:_[a-z0-9]+)+\b|units\[|\bpower_generation/", text)
    assert not ids, sorted(set(ids))[:10]
    assert "How obtained" in text and "obtain\ned" not in text
    evidence = evidence_files.list_evidence(ws=ws)
    assert evidence and all(e.sha256[:32] in text and e.sha256[32:] in text for e in evidence)  # both halves
    assert "华北煤质检测中心" in text  # the lab, from the fuel rows the reports prove
    month_pdf, _ = outputs.export_month(
        ws=ws, entity_id=entity_id, year=2025, month=10, target_pdf=tmp_path / "m.pdf", target_xlsx=tmp_path / "m.xlsx"
    )
    month_text = subprocess.run(["pdftotext", str(month_pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert not re.findall(r"\b[a-z]+(?:_[a-z0-9]+)+\b|fuels\[", month_text)


def test_findings_said_alike_share_a_row_and_every_one_is_counted(tmp_path: Path) -> None:
    """A group whose units share scans repeats one warning for every unit-month: the PDF gives such findings
    one row listing where (the first places and their number) and says where each is listed on its own."""
    need_poppler()
    from desktop.services import importer
    from desktop.storage.workspace import Workspace
    from tests.benchmarks.bench_storage import group_year

    with Workspace.open(tmp_path / "group.sqlite", app_user="测试员") as ws:
        importer.import_report(ws=ws, report=group_year(12, 2025))
        entity_id = store.list_entities(ws=ws)[0].id
        findings = store.compute_year(ws=ws, entity_id=entity_id, year=2025, today=date(2026, 11, 23)).findings
        target = outputs.export_pdf(
            ws=ws, entity_id=entity_id, year=2025, target=tmp_path / "group.pdf", today=date(2026, 11, 23)
        )
    text = subprocess.run(["pdftotext", str(target), "-"], capture_output=True, text=True, check=True).stdout
    flat = "".join(text.split())
    assert f"全部{len(findings)}条逐条列于Excel工作簿与results.json" in flat
    assert "等共" in flat  # a row standing for many places says how many
    assert {f.code for f in findings} <= set(re.findall(r"[A-Z]+-[EWI]\d{3}", text))  # every kind of finding shown


@pytest.mark.parametrize(
    ("low", "high"),
    [(0, 0), (0, 1), (0, 0.0004), (0, 7), (0, 399_876.5), (12.5, 13.1), (-250, 1_000), (-3, -1), (0, 1e9)],
)
def test_month_chart_axis_covers_every_bar_in_round_steps(low: float, high: float) -> None:
    from desktop.exports.pdf_report import axis_ticks

    ticks = axis_ticks(low, high)
    assert ticks[0] <= min(low, 0) and ticks[-1] >= max(high, 0)  # every bar inside, zero on the axis
    assert 0.0 in [round(t, 12) for t in ticks]
    step = ticks[1] - ticks[0]
    assert all(math.isclose(b - a, step, rel_tol=1e-9) for a, b in itertools.pairwise(ticks))  # evenly spaced
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert round(mantissa, 6) in (1, 2, 2.5, 5)  # 1, 2, 2.5 or 5 times a power of ten
    assert len(ticks) <= 7 or high == low == 0  # at most six intervals
    if high > low:
        assert ticks[-1] - ticks[0] <= 3.5 * max(high, 0) - 3.5 * min(low, 0)  # not a far larger axis than needed


def test_month_chart_draws_any_months(tmp_path: Path) -> None:
    """Months missing, all zero, negative or tiny: the bars and their axis are drawn, labels as numbers."""
    from decimal import Decimal

    from reportlab.platypus import SimpleDocTemplate

    from desktop.exports.pdf_report import MonthBars, register_font

    register_font()
    cases = [
        [None] * 12,
        [Decimal(0)] * 12,
        [Decimal("-40.5"), *[Decimal(120)] * 10, None],
        [Decimal("0.00031")] * 12,
        [Decimal("399876.54")] + [None] * 11,
    ]
    target = tmp_path / "bars.pdf"
    SimpleDocTemplate(str(target)).build([MonthBars(f"case {i}", values) for i, values in enumerate(cases)])
    need_poppler()
    text = subprocess.run(["pdftotext", str(target), "-"], capture_output=True, text=True, check=True).stdout
    for i in range(len(cases)):
        assert f"case {i}" in text
    assert "12月" in text and "400,000" in text and "0.0003" in text and "-50" in text
