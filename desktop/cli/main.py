"""``carbondesk``: calculate, check and inspect reports without the window.

Exit codes: 0 fine; 1 the report has errors (``check``); 2 the input or the command is unusable.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from desktop import __version__
from desktop.cli import text
from desktop.domain.findings import Severity, render
from desktop.domain.numbers import format_decimal, round_reported
from desktop.engine.params import PackError, load_pack
from desktop.engine.provenance import explain
from desktop.formspec import FormSpecError, load_form
from desktop.interchange import report_json, result_json
from desktop.interchange.problems import InputError
from desktop.interchange.schema import input_schema
from desktop.services import demo
from desktop.services.evaluation import Evaluation, evaluate, read_report_file
from desktop.services.guidelines import GUIDELINES, guideline

T = {
    "zh": {
        "title": "{title} — {year} 年度",
        "entity": "重点排放单位",
        "pack": "参数包",
        "unit": "机组",
        "month": "月",
        "fuel": "燃料",
        "source": "来源",
        "annual": "年度",
        "figure": "项目",
        "value": "数值",
        "formula": "公式",
        "params": "参数",
        "compliance": "履约",
        "findings": "校验结果",
        "no_findings": "无",
        "summary": "错误 {errors} 项，警告 {warnings} 项（已说明 {acked} 项），提示 {info} 项",
        "measured": "实测",
        "mean_of_measured": "实测均值",
        "default_cc": "缺省值",
        "ack": "已说明",
        "severity": {"error": "错误", "warning": "警告", "info": "提示"},
        "bad_pack": "参数包不可用",
        "internal": "内部错误：{error}\n请把上面的信息发给开发团队。",
        "form_ok": "表单定义 {path} 正确：{n} 个数据项",
        "pack_ok": "参数包 {label} 正确：{n} 个参数",
        "demo_written": "演示数据已写入 {path}",
        "pack_mismatch": "参数包 {label} 不适用于 {guideline} {year} 年度数据",
        "not_allocated": "不参与配额分配",
    },
    "en": {
        "title": "{title} — data year {year}",
        "entity": "Entity",
        "pack": "Parameter pack",
        "unit": "Unit",
        "month": "Month",
        "fuel": "Fuel",
        "source": "Source",
        "annual": "Year",
        "figure": "Figure",
        "value": "Value",
        "formula": "Formula",
        "params": "Parameters",
        "compliance": "Compliance",
        "findings": "Findings",
        "no_findings": "none",
        "summary": "{errors} error(s), {warnings} warning(s) ({acked} justified), {info} note(s)",
        "measured": "measured",
        "mean_of_measured": "mean of measured",
        "default_cc": "default",
        "ack": "justified",
        "severity": {"error": "error", "warning": "warning", "info": "info"},
        "bad_pack": "The parameter pack cannot be used",
        "internal": "Internal error: {error}\nPlease send the text above to the developers.",
        "form_ok": "form definition {path} is valid: {n} data items",
        "pack_ok": "parameter pack {label} is valid: {n} parameters",
        "demo_written": "demo data written to {path}",
        "pack_mismatch": "parameter pack {label} does not fit {guideline} data year {year}",
        "not_allocated": "outside allocation",
    },
}


def default_language() -> str:
    for var in ("CARBONDESK_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            return "en" if value.lower().startswith("en") else "zh"
    return "zh"  # Chinese first


def _today(value: str | None) -> date:
    return date.fromisoformat(value) if value else date.today()


def _fmt(value: Any, places: int) -> str:
    if value is None:
        return "—"
    return format_decimal(round_reported(value, places))


def _evaluate(args: argparse.Namespace) -> Evaluation:
    report = read_report_file(path=args.file)
    pack = None
    if getattr(args, "pack", None):
        pack = load_pack(args.pack)
        if pack.guideline != report.guideline or pack.data_year != report.data_year:
            raise PackError(
                str(args.pack),
                [
                    T[args.lang]["pack_mismatch"].format(
                        label=pack.label, guideline=report.guideline, year=report.data_year
                    )
                ],
            )
    return evaluate(report=report, pack=pack, today=_today(args.today))


def _findings_lines(ev: Evaluation, lang: str) -> list[str]:
    t = T[lang]
    lines = [f"== {t['findings']} =="]
    if not ev.findings:
        lines.append(t["no_findings"])
    for f in ev.findings:
        mark = f" [{t['ack']}: {f.acknowledged.justification}]" if f.acknowledged else ""
        clause = f"  ({f.clause})" if f.clause else ""
        lines.append(
            f"{t['severity'][f.severity.value]:<7} {f.code}  {f.ref.path}: "
            f"{render(f, ev.guideline.messages, lang)}{clause}{mark}"
        )
    errors = sum(f.severity is Severity.ERROR for f in ev.findings)
    warnings = sum(f.severity is Severity.WARNING for f in ev.findings)
    acked = sum(f.severity is Severity.WARNING and f.acknowledged is not None for f in ev.findings)
    info = sum(f.severity is Severity.INFO for f in ev.findings)
    lines.append(t["summary"].format(errors=errors, warnings=warnings, acked=acked, info=info))
    return lines


def _direct_parameters(fig: Any) -> str:
    """The pack entries a figure's own formula uses (deeper ones show under --explain)."""
    nodes = [c for c in fig.inputs if c.formula == "param"]
    nodes += [c for child in fig.inputs if child.formula.startswith("C") for c in child.inputs if c.formula == "param"]
    shown = [
        f"{p.parameter.key}={p.value:f} [{p.parameter.confidence}]"
        for p in nodes
        if p.parameter is not None and p.value is not None
    ]
    return ", ".join(dict.fromkeys(shown))


def _calc_lines(ev: Evaluation, lang: str, explain_depth: int) -> list[str]:
    t = T[lang]
    g = ev.guideline
    figures = g.figures
    entity = ev.report.entity
    lines = [
        t["title"].format(title=g.form.title(lang), year=ev.report.data_year),
        f"{t['entity']}: {entity.get('name', '—')} ({entity.get('uscc', '—')})",
        f"{t['pack']}: {ev.pack.label}",
        "",
    ]
    fuel_enum = g.form.enums.get("fuel")
    for unit in ev.result.units:
        record = ev.report.unit(unit.unit_id)
        cat = g.form.enums["unit_category"].option(str(unit.tags.get("category")))
        cap = record.get("capacity_mw") if record else None
        lines.append(f"== {t['unit']} {unit.unit_id} — {cat.label(lang) if cat else '—'}, {cap} MW ==")
        rows = []
        for month in unit.months:
            for row in month.rows or [None]:
                fuel_label = "—"
                c_ar = source = e_fuel_row = "—"
                if row is not None:
                    opt = fuel_enum.option(row.kind) if fuel_enum else None
                    fuel_label = opt.label(lang) if opt else row.kind
                    c_ar = _fmt(row.figures["c_ar"].value, 6)
                    source = t.get(str(row.tags.get("carbon_source")), str(row.tags.get("carbon_source")))
                    e_fuel_row = _fmt(row.figures["e_fuel_t"].value, 0)
                first = row is None or row.index == 0
                rows.append(
                    [
                        str(month.month) if first else "",
                        fuel_label,
                        c_ar,
                        source,
                        e_fuel_row,
                        _fmt(month.figures["e_elec_t"].value, 0) if first else "",
                        _fmt(month.figures["e_total_t"].value, 0) if first else "",
                    ]
                )
        heads = [
            t["month"],
            t["fuel"],
            "C_ar tC/unit",
            t["source"],
            f"{figures['e_fuel_t'].label(lang)} tCO2",
            f"{figures['e_elec_t'].label(lang)} tCO2",
            f"{figures['e_total_t'].label(lang)} tCO2",
        ]
        lines += text.table(heads, rows, "llrlrrr")
        lines.append("")
        annual_rows = []
        for name, fig in unit.annual.items():
            info = figures.get(name)
            params = _direct_parameters(fig)
            annual_rows.append(
                [
                    info.label(lang) if info else name,
                    _fmt(fig.value, info.places if info else 4),
                    fig.unit,
                    fig.formula,
                    params,
                ]
            )
        if "allocation_t" not in unit.annual:
            annual_rows.append([figures["allocation_t"].label(lang), t["not_allocated"], "", "", ""])
        lines += text.table([t["figure"], t["value"], "", t["formula"], t["params"]], annual_rows, "lrlll")
        lines.append("")
    lines.append(f"== {t['compliance']} ==")
    comp_rows = []
    for name, fig in ev.result.totals.items():
        info = figures.get(name)
        comp_rows.append(
            [info.label(lang) if info else name, _fmt(fig.value, info.places if info else 4), fig.unit, fig.formula]
        )
    lines += text.table([t["figure"], t["value"], "", t["formula"]], comp_rows, "lrll")
    if explain_depth > 0:
        lines.append("")
        for name in ("e_total_t", "allocation_t", "obligation_t", "balance_t"):
            if name in ev.result.totals:
                lines += explain(ev.result.totals[name], lang, depth=explain_depth)
    lines.append("")
    return lines


def cmd_calc(args: argparse.Namespace, out: TextIO) -> int:
    ev = _evaluate(args)
    if args.json:
        doc = result_json.result_document(
            report=ev.report, result=ev.result, findings=ev.findings, messages=ev.guideline.messages
        )
        out.write(json.dumps(doc, ensure_ascii=False, indent=1) + "\n")
        return 0
    out.write("\n".join(_calc_lines(ev, args.lang, args.explain) + _findings_lines(ev, args.lang)) + "\n")
    return 0


def cmd_check(args: argparse.Namespace, out: TextIO) -> int:
    ev = _evaluate(args)
    if args.json:
        doc = {
            "findings": [result_json.finding_dict(f, ev.guideline.messages) for f in ev.findings],
            "has_errors": ev.has_errors,
        }
        out.write(json.dumps(doc, ensure_ascii=False, indent=1) + "\n")
    else:
        out.write("\n".join(_findings_lines(ev, args.lang)) + "\n")
    return 1 if ev.has_errors else 0


def cmd_schema(args: argparse.Namespace, out: TextIO) -> int:
    out.write(json.dumps(input_schema(guideline(args.guideline).form), ensure_ascii=False, indent=2) + "\n")
    return 0


def cmd_form_check(args: argparse.Namespace, out: TextIO) -> int:
    form = load_form(args.file)
    n = sum(len(form.fields(s)) for s in form.scopes)
    out.write(T[args.lang]["form_ok"].format(path=args.file, n=n) + "\n")
    return 0


def cmd_pack(args: argparse.Namespace, out: TextIO) -> int:
    pack = load_pack(args.file) if args.file else guideline(args.guideline).pack(args.year)
    if args.action == "check":
        out.write(T[args.lang]["pack_ok"].format(label=pack.label, n=len(pack.parameters)) + "\n")
        return 0
    rows = [
        [
            p.key,
            "—" if p.value is None else (f"{p.value:f}" if not isinstance(p.value, bool | str) else str(p.value)),
            p.unit,
            p.confidence,
            p.source,
        ]
        for p in pack.parameters.values()
    ]
    out.write(f"{pack.label}  {pack.title_zh if args.lang == 'zh' else pack.title_en}\n")
    out.write("\n".join(text.table(["key", "value", "unit", "conf.", "source"], rows, "lrlll")) + "\n")
    return 0


def cmd_demo(args: argparse.Namespace, out: TextIO) -> int:
    path = Path(args.out)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(report_json.dumps_exact(demo.demo_document()) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    out.write(T[args.lang]["demo_written"].format(path=path) + "\n\n")
    if args.write_only:
        return 0
    args.file, args.json, args.pack = str(path), False, None
    return cmd_calc(args, out)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="carbondesk", description="CarbonDesk — 全国碳市场 发电设施 核算与报告")
    parser.add_argument("--version", action="version", version=f"carbondesk {__version__}")
    parser.add_argument(
        "--lang", choices=("zh", "en"), default=None, help="output language (default: zh, or en when LANG is English)"
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    sub = parser.add_subparsers(dest="command", required=True)

    def report_args(p: argparse.ArgumentParser) -> None:
        p.add_argument("file", help="report in CarbonDesk JSON (see README, resources/schemas/)")
        p.add_argument("--json", action="store_true", help="machine-readable output")
        p.add_argument("--today", help="date for deadline checks, YYYY-MM-DD (default: today)")
        p.add_argument("--pack", help="use this parameter-pack file instead of the bundled one")

    calc = sub.add_parser("calc", help="calculate emissions, allocation and compliance, with provenance and findings")
    report_args(calc)
    calc.add_argument(
        "--explain",
        type=int,
        default=0,
        metavar="DEPTH",
        help="print the provenance tree of the entity totals to this depth",
    )
    calc.set_defaults(func=cmd_calc)
    check = sub.add_parser("check", help="print findings only; exit 1 when an error exists")
    report_args(check)
    check.set_defaults(func=cmd_check)
    schema = sub.add_parser("schema", help="print the JSON Schema of the input format")
    schema.add_argument("--guideline", default="power_generation", choices=sorted(GUIDELINES))
    schema.set_defaults(func=cmd_schema)
    form = sub.add_parser("form", help="form definitions")
    form.add_argument("action", choices=("check",))
    form.add_argument("file")
    form.set_defaults(func=cmd_form_check)
    pack = sub.add_parser("pack", help="show or check a parameter pack")
    pack.add_argument("action", choices=("show", "check"))
    pack.add_argument("--year", type=int, default=2022)
    pack.add_argument("--file", help="a pack file (default: the bundled pack for --year)")
    pack.add_argument("--guideline", default="power_generation", choices=sorted(GUIDELINES))
    pack.set_defaults(func=cmd_pack)
    demo_cmd = sub.add_parser("demo", help="write the demo plant's year and calculate it")
    demo_cmd.add_argument("--out", default=str(Path.cwd() / "demo-output" / "demo-report.json"))
    demo_cmd.add_argument("--write-only", action="store_true")
    demo_cmd.add_argument("--today", default=None)
    demo_cmd.add_argument("--explain", type=int, default=0)
    demo_cmd.set_defaults(func=cmd_demo)
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    args = _parser().parse_args(argv)
    args.lang = args.lang or default_language()
    try:
        return int(args.func(args, out))
    except InputError as exc:
        err.write(exc.render(args.lang) + "\n")
        return 2
    except (PackError, FormSpecError) as exc:
        err.write(f"{T[args.lang]['bad_pack'] if isinstance(exc, PackError) else ''}\n{exc}\n".lstrip())
        return 2
    except ValueError as exc:  # e.g. a malformed --today
        err.write(f"{exc}\n")
        return 2
    except Exception as exc:
        if args.debug:
            raise
        err.write(T[args.lang]["internal"].format(error=f"{type(exc).__name__}: {exc}") + "\n")
        return 3


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
