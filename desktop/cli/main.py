"""``carbondesk``: calculate, check and inspect reports without the window.

Exit codes: 0 fine; 1 the report has errors (``check``); 2 the input or the command is unusable.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from desktop import __version__
from desktop.cli import text
from desktop.domain.findings import Severity, render
from desktop.domain.numbers import NumberFormatError, format_decimal, parse_decimal, round_reported
from desktop.domain.typed_text import parse_date_text
from desktop.engine.params import PackError, load_pack
from desktop.exports.errors import WorkbookError
from desktop.filenames import FileNameError
from desktop.formspec import FormSpecError, load_form
from desktop.interchange import report_json, result_json
from desktop.interchange.problems import InputError
from desktop.interchange.schema import input_schema, result_schema
from desktop.services import locations
from desktop.services.evaluation import Evaluation, evaluate, read_report_file
from desktop.services.explain import explain_figure, figure_label
from desktop.services.guidelines import DEFAULT_GUIDELINE, GUIDELINES, guideline
from desktop.signing.errors import SigningError
from desktop.signing.errors import message as signing_message
from desktop.signing.errors import text as signing_text
from desktop.storage.errors import StorageError, environment_error
from desktop.storage.messages import MESSAGES as STORAGE_MESSAGES

if TYPE_CHECKING:
    from cryptography import x509

    from desktop.storage.workspace import Workspace


class _OnFirstUse:
    """A module imported when a command first uses it: the store brings SQLAlchemy (0.1 s and some 300
    modules), which `calc FILE`, `check`, `schema` or `--version` never need."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        return getattr(importlib.import_module(self._name), attr)


store = _OnFirstUse("desktop.services.store")
demo = _OnFirstUse("desktop.services.demo")
audit_check = _OnFirstUse("desktop.services.audit_check")
evidence_files = _OnFirstUse("desktop.services.evidence_files")
importer = _OnFirstUse("desktop.services.importer")


# Loaded by the commands that need them: cryptography, pyHanko, reportlab and openpyxl cost ~0.4 s at
# start-up, which `calc`, `check`, `schema` or `--version` should not pay.
def _outputs() -> Any:
    from desktop.services import outputs  # noqa: PLC0415

    return outputs


def _package() -> Any:
    from desktop.services import package  # noqa: PLC0415

    return package


def _checkpoints() -> Any:
    from desktop.services import checkpoints  # noqa: PLC0415

    return checkpoints


def _signing() -> Any:
    from desktop.signing import core  # noqa: PLC0415

    return core


def _trust_store() -> Any:
    from desktop.signing.trust import TrustStore  # noqa: PLC0415

    return TrustStore(locations.data_dir() / "trust")


T = {
    "zh": {
        "title": "{title} — {year} 年度",
        "entity": "重点排放单位",
        "pack": "参数包",
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
        "ack": "已说明",
        "severity": {"error": "错误", "warning": "警告", "info": "提示"},
        "bad_pack": "参数包不可用",
        "internal": "内部错误：{error}\n请把上面的信息发给开发团队。",
        "form_ok": "表单定义 {path} 正确：{n} 个数据项",
        "pack_ok": "参数包 {label} 正确：{n} 个参数",
        "demo_written": "演示数据已写入 {path}",
        "pack_mismatch": "参数包 {label} 不适用于 {guideline} {year} 年度数据",
        "not_allocated": "不参与配额分配",
        "demo_workspace": "演示工作区：{path}",
        "imported": "已导入 {units} 个{unit_word}、{months} 个月（{changes} 处更改）到 {path}",
        "year_items": "{year} 年度履约数据（{entity}）：",
        "year_bad_item": "“{item}” 应写作 项目=数值，可用项目：{keys}",
        "year_bad_value": "“{label}” 须为数值：{value}",
        "backup_done": "备份已写入 {path}",
        "restore_done": "已从 {source} 恢复；恢复前的数据已备份到 {safety}",
        "checkpoint_signed": "已记录审计检查点，由 {who} 签名。",
        "checkpoint_unsigned": "已记录审计检查点（未签名：加 --passphrase-env 可用签名密钥签名，未签名的检查点不能防止改写）。",
        "using_demo": "（还没有自己的工作区，使用演示工作区 {path}）",
        "audit_ok": "审计链完整：{n} 条记录与数据一致；{files} 个证据文件完好。",
        "audit_bad": "发现问题：审计记录 {n} 条，证据文件 {files} 个。数据可能在 CarbonDesk 之外被修改。",
        "signer_saved": "签名证书已保存：{subject}（指纹 {fingerprint}…），位置 {path}；私钥已用口令加密。",
        "written": "已写入 {path}",
        "xlsx_preview": "共 {n} 处更改（预览，未导入；加 --apply 导入）。",
        "xlsx_applied": "已导入 {n} 处更改。",
        "evidence_missing": "证据文件 {file}（{sha}…）缺失",
        "more": "……另有 {n} 项（--all 显示全部）",
        "evidence_changed": "证据文件 {file}（{sha}…）已被修改",
    },
    "en": {
        "title": "{title} — data year {year}",
        "entity": "Entity",
        "pack": "Parameter pack",
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
        "ack": "justified",
        "severity": {"error": "error", "warning": "warning", "info": "info"},
        "bad_pack": "The parameter pack cannot be used",
        "internal": "Internal error: {error}\nPlease send the text above to the developers.",
        "form_ok": "form definition {path} is valid: {n} data items",
        "pack_ok": "parameter pack {label} is valid: {n} parameters",
        "demo_written": "demo data written to {path}",
        "pack_mismatch": "parameter pack {label} does not fit {guideline} data year {year}",
        "not_allocated": "outside allocation",
        "demo_workspace": "demo workspace: {path}",
        "imported": "imported {units} {unit_word}(s), {months} month(s) ({changes} changes) into {path}",
        "year_items": "items of data year {year} ({entity}):",
        "year_bad_item": '"{item}" must read item=value; items: {keys}',
        "year_bad_value": '"{label}" must be a number: {value}',
        "backup_done": "backup written to {path}",
        "restore_done": "restored from {source}; the previous content was backed up to {safety}",
        "checkpoint_signed": "audit checkpoint recorded, signed by {who}.",
        "checkpoint_unsigned": "audit checkpoint recorded unsigned (give --passphrase-env to sign it with your key; an unsigned checkpoint cannot show a rewrite).",
        "using_demo": "(no workspace of your own yet: using the demo workspace {path})",
        "audit_ok": "audit chain intact: {n} entries match the data; {files} evidence files intact.",
        "audit_bad": "problems found ({n} audit entries, {files} evidence files): data may have been changed outside CarbonDesk.",
        "signer_saved": "signer saved: {subject} (fingerprint {fingerprint}…) in {path}; the key is encrypted with the passphrase.",
        "written": "written to {path}",
        "xlsx_preview": "{n} change(s) (preview only; add --apply to import).",
        "xlsx_applied": "{n} change(s) imported.",
        "evidence_missing": "evidence file {file} ({sha}…) is missing",
        "more": "… and {n} more (--all lists them)",
        "evidence_changed": "evidence file {file} ({sha}…) was changed",
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


def _open_workspace(args: argparse.Namespace, *, create: bool = False) -> Workspace:
    """The workspace named, else the default one; before any exists, the demo's (``carbondesk demo`` made
    it), said on stderr -- so that the README's commands run one after the other on a fresh machine."""
    if args.workspace and "://" in args.workspace:  # a PostgreSQL workspace: a URL, not a file
        from desktop.storage.workspace import Workspace  # noqa: PLC0415 - see _OnFirstUse

        return Workspace.open(args.workspace, app_user=args.user or "", create=create)
    path = Path(args.workspace) if args.workspace else locations.default_workspace()
    if not args.workspace and not create and not path.exists() and locations.demo_workspace().exists():
        path = locations.demo_workspace()
        args.workspace = str(path)
        getattr(args, "err", sys.stderr).write(T[args.lang]["using_demo"].format(path=path) + "\n")
    risk = locations.risky_location(path)
    if risk is not None:  # a sync folder or a network drive: said before the workspace is used
        getattr(args, "err", sys.stderr).write("⚠ " + locations.warning_text(risk, path, args.lang) + "\n")
    from desktop.storage.workspace import Workspace  # noqa: PLC0415 - see _OnFirstUse

    return Workspace.open(path, app_user=args.user or "", create=create)


def _workspace_report(args: argparse.Namespace) -> Any:
    with _open_workspace(args) as ws:
        entities = store.list_entities(ws=ws)
        chosen = [e for e in entities if not args.entity or e.uscc == args.entity.strip().upper()]
        if not chosen:
            raise StorageError("STO-E008", what=args.entity or "entity")
        year = args.year or max((date.today().year - 1, *store.years_with_data(ws=ws, entity_id=chosen[0].id)))
        return store.load_report(ws=ws, entity_id=chosen[0].id, year=year)


def _evaluate(args: argparse.Namespace) -> Evaluation:
    report = read_report_file(path=args.file) if args.file else _workspace_report(args)
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
        clause = f"  ({ev.guideline.form.clause_text(f.clause, lang)})" if f.clause else ""
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


def _unit_value(form: Any, name: str, value: Any, lang: str) -> str:
    """A unit field as a heading shows it: an option by its label, a number with its unit."""
    spec = form.field("unit", name)
    if value is None:
        return "—"
    if spec.enum:
        option = form.enums[spec.enum].option(str(value))
        return option.label(lang) if option else str(value)
    unit = form.unit_of(spec)
    return f"{value} {unit}".strip()


def _row_label(form: Any, row: Any, lang: str) -> str:
    """A month's row by the label of its key's option (the fuel), else its kind."""
    for kind in form.row_kinds:
        spec = form.field(kind.scope, kind.key)
        option = form.enums[spec.enum].option(row.kind) if spec.enum else None
        if option is not None:
            return option.label(lang)
    return str(row.kind)


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
    view = g.report_view
    for unit in ev.result.units:
        record = ev.report.unit(unit.unit_id)
        heading = [_unit_value(g.form, name, record.get(name) if record else None, lang) for name in view.unit_heading]
        lines.append(f"== {g.form.unit_word(lang)} {unit.unit_id} — {', '.join(heading)} ==")
        rows = []
        listed = g.form.row_kinds[0].id if g.form.row_kinds else None  # the view's rows: the first row kind's
        for month in unit.months:
            for row in [r for r in month.rows if r.rows == listed] or [None]:
                first = row is None or row.index == 0
                cells = [str(month.month) if first else "", _row_label(g.form, row, lang) if row else "—"]
                for name in view.row_figures:
                    figure = row.figures.get(name) if row is not None else None
                    cells.append(_fmt(figure.value, figures[name].places) if figure is not None else "—")
                tag = str(row.tags.get(view.row_tag)) if row is not None else "—"
                words = g.grid.source_words.get(tag)
                cells.insert(3, (words[0] if lang == "zh" else words[1]) if words else tag)  # after the first figure
                cells += [
                    _fmt(month.figures[name].value, figures[name].places) if first and name in month.figures else ""
                    for name in view.month_figures
                ]
                rows.append(cells)
        heads = [t["month"], g.form.row_kinds[0].label(lang) if g.form.row_kinds else t["fuel"]]
        heads += [f"{figures[name].label(lang)} {figures[name].unit}".strip() for name in view.row_figures]
        heads.insert(3, t["source"])
        heads += [f"{figures[name].label(lang)} {figures[name].unit}".strip() for name in view.month_figures]
        lines += text.table(heads, rows, "ll" + "r" + "l" + "r" * (len(heads) - 4))
        lines.append("")
        annual_rows = []
        for name, fig in unit.annual.items():
            info = figures.get(name)
            params = _direct_parameters(fig)
            annual_rows.append(
                [
                    figure_label(name, g, lang),
                    _fmt(fig.value, info.places if info else 4),
                    fig.unit,
                    fig.formula,
                    params,
                ]
            )
        for name in view.expected_annual:
            if name not in unit.annual:
                annual_rows.append([figures[name].label(lang), t["not_allocated"], "", "", ""])
        lines += text.table([t["figure"], t["value"], "", t["formula"], t["params"]], annual_rows, "lrlll")
        lines.append("")
    lines.append(f"== {t['compliance']} ==")
    comp_rows = []
    for name, fig in ev.result.totals.items():
        info = figures.get(name)
        comp_rows.append(
            [figure_label(name, g, lang), _fmt(fig.value, info.places if info else 4), fig.unit, fig.formula]
        )
    lines += text.table([t["figure"], t["value"], "", t["formula"]], comp_rows, "lrll")
    if explain_depth > 0:
        lines.append("")
        for name in view.explained:
            if name in ev.result.totals:
                lines += explain_figure(ev.result.totals[name], ev.guideline, lang, depth=explain_depth)
    lines.append("")
    return lines


def cmd_calc(args: argparse.Namespace, out: TextIO) -> int:
    ev = _evaluate(args)
    if args.json:
        # compact: written several times faster than an indented dump (pipe it to `python -m json.tool` or jq
        # to read it), and in pieces as they are made: a large year is never one string
        for piece in result_json.result_pieces(
            report=ev.report,
            result=ev.result,
            findings=ev.findings,
            messages=ev.guideline.messages,
            figures=ev.guideline.figures,
            form=ev.guideline.form,
        ):
            out.write(piece)
        out.write("\n")
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
    schema = result_schema() if args.results else input_schema(guideline(args.guideline).form)
    out.write(json.dumps(schema, ensure_ascii=False, indent=2) + "\n")
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
    if args.json_out:
        path = Path(args.json_out)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(report_json.dumps_exact(demo.demo_document(args.guideline)) + "\n", encoding="utf-8")
        os.replace(tmp, path)
        out.write(T[args.lang]["demo_written"].format(path=path) + "\n")
        return 0
    default = args.guideline == DEFAULT_GUIDELINE
    target = Path(args.workspace or locations.demo_workspace(None if default else args.guideline))
    demo.create_demo_workspace(target, today=_today(args.today), guideline_id=args.guideline).close()
    out.write(T[args.lang]["demo_workspace"].format(path=target) + "\n\n")
    args.workspace, args.file, args.json, args.pack, args.entity, args.year = (
        str(target),
        None,
        False,
        None,
        None,
        demo.demo_year(args.guideline),
    )
    return cmd_calc(args, out)


def cmd_import(args: argparse.Namespace, out: TextIO) -> int:
    report = read_report_file(path=args.file)
    with _open_workspace(args, create=True) as ws:
        outcome = importer.import_report(ws=ws, report=report, reason=f"import {Path(args.file).name}")
    out.write(
        T[args.lang]["imported"].format(
            units=outcome.units,
            unit_word=guideline(report.guideline).form.unit_word(args.lang),
            months=outcome.months,
            changes=outcome.changes,
            path=args.workspace or locations.default_workspace(),
        )
        + "\n"
    )
    return 0


def cmd_backup(args: argparse.Namespace, out: TextIO) -> int:
    with _open_workspace(args) as ws:
        path = ws.backup(Path(args.destination))
    out.write(T[args.lang]["backup_done"].format(path=path) + "\n")
    return 0


def cmd_restore(args: argparse.Namespace, out: TextIO) -> int:
    with _open_workspace(args) as ws:
        safety = ws.restore(Path(args.source))
    out.write(T[args.lang]["restore_done"].format(source=args.source, safety=safety) + "\n")
    return 0


def cmd_audit(args: argparse.Namespace, out: TextIO) -> int:
    anchors = [_package().audit_anchor(Path(p)) for p in args.package or ()]  # signed heads: a rewrite shows
    checkpoints = _checkpoints()
    trusted = checkpoints.trusted_here(locations.data_dir())
    with _open_workspace(args) as ws:
        check = audit_check.verify_audit(ws=ws, anchors=anchors, trusted=trusted)
        evidence = evidence_files.verify_evidence(ws=ws)
    t = T[args.lang]
    out.write(checkpoints.summary(check.checkpoints, args.lang, trusted=bool(trusted)) + "\n")
    bad_files = [c for c in evidence if c.status in ("missing", "changed")]
    lines = [*check.problems]
    lines += [
        t["evidence_" + c.status].format(file=c.evidence.file_name, sha=c.evidence.sha256[:12]) for c in bad_files
    ]
    shown = lines if args.all else lines[:20]
    for line in shown:
        out.write(f"  ✗ {line}\n")
    if len(shown) < len(lines):
        out.write("  " + t["more"].format(n=len(lines) - len(shown)) + "\n")
    ok = check.ok and not bad_files
    out.write((t["audit_ok"] if ok else t["audit_bad"]).format(n=check.entries, files=len(evidence)) + "\n")
    return 0 if ok else 1


def _passphrase(args: argparse.Namespace) -> bytes:
    value = os.environ.get(args.passphrase_env or "", "")
    if not value:
        raise SigningError("SIG-E003")
    return value.encode("utf-8")


def _signer_dir(args: argparse.Namespace) -> Path:
    return Path(args.signer) if args.signer else locations.data_dir() / "signer"


def cmd_signer(args: argparse.Namespace, out: TextIO) -> int:
    if args.action == "create":
        signer = _signing().create_self_signed(
            name=args.name, organisation=args.organisation or "", uscc=args.uscc or ""
        )
    else:
        password = os.environ.get(args.password_env or "", "").encode("utf-8") or None
        signer = _signing().import_pkcs12(Path(args.file).read_bytes(), password)
    folder = _signing().save_signer(signer, _signer_dir(args), _passphrase(args))
    out.write(
        T[args.lang]["signer_saved"].format(subject=signer.subject, fingerprint=signer.fingerprint[:16], path=folder)
        + "\n"
    )
    return 0


def _workspace_target(args: argparse.Namespace) -> tuple[Workspace, str, int]:
    ws = _open_workspace(args)
    entities = store.list_entities(ws=ws)
    chosen = [e for e in entities if not args.entity or e.uscc == args.entity.strip().upper()]
    if not chosen:
        ws.close()
        raise StorageError("STO-E008", what=args.entity or "entity")
    years = store.years_with_data(ws=ws, entity_id=chosen[0].id)
    return ws, chosen[0].id, args.year or (years[-1] if years else date.today().year - 1)


def cmd_month(args: argparse.Namespace, out: TextIO) -> int:
    """The month's lifecycle, as the window does it: submit, mark deposited (lock), back to draft, amend."""
    zh = args.lang == "zh"
    ws, entity_id, year = _workspace_target(args)
    with ws:
        entity = store.get_entity(ws=ws, entity_id=entity_id)
        unit = next((u for u in entity.units if u.code == args.unit), None)
        if unit is None:
            word = guideline(entity.guideline).form.unit_word(args.lang)
            raise StorageError("STO-E008", what=f"{word} {args.unit}")
        # the checkpoint of the audit chain that the change records is signed when the passphrase is given
        signer = _signing().load_signer(_signer_dir(args), _passphrase(args)) if args.passphrase_env else None
        common = {"ws": ws, "unit_id": unit.id, "year": year, "month": args.month, "signer": signer}
        if args.action == "submit":
            stored = store.submit_month(**common, today=_today(args.today))
        elif args.action == "lock":
            deposited = parse_date_text(args.deposited) if args.deposited else _today(args.today)
            stored = store.lock_month(**common, deposited_on=deposited)
        elif args.action == "reopen":
            stored = store.reopen_month(**common, reason=args.reason or "")
        else:
            stored = store.amend_month(**common, reason=args.reason or "")
    words = {
        "draft": ("草稿", "draft"),
        "submitted": ("已提交", "submitted"),
        "locked": ("已锁定（已存证）", "locked (deposited)"),
    }
    status = words[stored.status.value][0 if zh else 1]
    out.write(
        (
            f"{guideline(entity.guideline).form.unit_word('zh')} {unit.code} {year} 年 {args.month} 月：第 {stored.version} 版，{status}"
            if zh
            else f"{guideline(entity.guideline).form.unit_word('en')} {unit.code} {year}-{args.month:02d}: version {stored.version}, {status}"
        )
        + "\n"
    )
    t = T[args.lang]
    out.write((t["checkpoint_signed"].format(who=signer.subject) if signer else t["checkpoint_unsigned"]) + "\n")
    return 0


def cmd_year(args: argparse.Namespace, out: TextIO) -> int:
    """Show or set the entity's items of one data year (CCER used, banked and borrowed allowances)."""
    t = T[args.lang]
    ws, entity_id, year = _workspace_target(args)
    with ws:
        entity = store.get_entity(ws=ws, entity_id=entity_id)
        form = guideline(entity.guideline).form
        specs = {s.id: s for s in form.fields("year")}
        if args.action == "set":
            changes: dict[str, Any] = {}
            for item in args.items:
                key, sep, raw = item.partition("=")
                spec = specs.get(key.strip())
                if not sep or spec is None:
                    raise ValueError(t["year_bad_item"].format(item=item, keys=", ".join(specs)))
                if not raw.strip():
                    changes[spec.id] = None
                elif spec.type in ("decimal", "integer"):
                    try:
                        changes[spec.id] = parse_decimal(raw)
                    except NumberFormatError:
                        raise ValueError(t["year_bad_value"].format(label=spec.label(args.lang), value=raw)) from None
                else:
                    changes[spec.id] = raw.strip()
            store.set_year_values(ws=ws, entity_id=entity_id, year=year, changes=changes, reason=args.reason or "")
        values = store.load_report(ws=ws, entity_id=entity_id, year=year).year
    out.write(t["year_items"].format(year=year, entity=entity.name) + "\n")
    rows = [
        [spec.label(args.lang), spec.id, "—" if values.get(spec.id) is None else str(values[spec.id]), spec.unit or ""]
        for spec in specs.values()
    ]
    for line in text.table([t["figure"], "", t["value"], ""], rows, "llrl"):
        out.write(line + "\n")
    return 0


def cmd_export_pdf(args: argparse.Namespace, out: TextIO) -> int:
    ws, entity_id, year = _workspace_target(args)
    with ws:
        path = _outputs().export_pdf(
            ws=ws, entity_id=entity_id, year=year, target=Path(args.output), today=_today(args.today)
        )
    out.write(T[args.lang]["written"].format(path=path) + "\n")
    return 0


def cmd_export_xlsx(args: argparse.Namespace, out: TextIO) -> int:
    ws, entity_id, year = _workspace_target(args)
    with ws:
        path = _outputs().export_workbook(
            ws=ws, entity_id=entity_id, year=year, target=Path(args.output), today=_today(args.today)
        )
    out.write(T[args.lang]["written"].format(path=path) + "\n")
    return 0


def cmd_import_xlsx(args: argparse.Namespace, out: TextIO) -> int:
    ws, entity_id, year = _workspace_target(args)
    with ws:
        preview = _outputs().preview_workbook(ws=ws, entity_id=entity_id, year=year, path=Path(args.file))
        form = guideline(store.get_entity(ws=ws, entity_id=entity_id).guideline).form
        for unit, month, change in preview.changes:
            label = _outputs().change_label(form, change.path, args.lang)
            out.write(f"  {unit} {month:>2}  {label}: {change.old} → {change.new}\n")
        for unit, month, change in preview.refused:
            label = _outputs().change_label(form, change.path, args.lang)
            why = "已提交或已存证的月份，不导入" if args.lang == "zh" else "submitted or deposited month: not imported"
            out.write(f"  ✗ {unit} {month:>2}  {label}: {change.old} → {change.new} ({why})\n")
        if args.apply and preview.changes:
            _outputs().apply_workbook(ws=ws, preview=preview, source=Path(args.file).name)
        key = "xlsx_applied" if args.apply else "xlsx_preview"
        out.write(T[args.lang][key].format(n=len(preview.changes)) + "\n")
    return 0


def cmd_export_month(args: argparse.Namespace, out: TextIO) -> int:
    ws, entity_id, year = _workspace_target(args)
    with ws:
        pdf, xlsx = _outputs().export_month(
            ws=ws,
            entity_id=entity_id,
            year=year,
            month=args.month,
            target_pdf=Path(args.pdf),
            target_xlsx=Path(args.xlsx),
            today=_today(args.today),
        )
    out.write(T[args.lang]["written"].format(path=f"{pdf}, {xlsx}") + "\n")
    return 0


def cmd_package(args: argparse.Namespace, out: TextIO) -> int:
    from desktop.services import pdf_process  # noqa: PLC0415

    pdf_process.start_ahead()  # the PDF's process loads its libraries while the key is unlocked and the year read
    signer = _signing().load_signer(_signer_dir(args), _passphrase(args))
    ws, entity_id, year = _workspace_target(args)
    with ws:
        path = _package().build_package(
            ws=ws,
            entity_id=entity_id,
            year=year,
            target=Path(args.output),
            signer=signer,
            today=_today(args.today),
            allow_errors=args.allow_errors,
        )
    out.write(T[args.lang]["written"].format(path=path) + "\n")
    return 0


EXIT_TRUSTED, EXIT_FAILED, EXIT_UNESTABLISHED = 0, 1, 4


def _load_certificates(paths: list[str] | None) -> tuple[x509.Certificate, ...]:
    from cryptography import x509  # noqa: PLC0415 - see _signing

    out: list[x509.Certificate] = []
    for p in paths or ():
        try:
            data = Path(p).read_bytes()
            certs = (
                x509.load_pem_x509_certificates(data)
                if b"-----BEGIN" in data
                else [x509.load_der_x509_certificate(data)]
            )
        except (OSError, ValueError) as exc:
            raise SigningError("SIG-E040", what=p, detail=str(exc)) from exc
        out.extend(certs)
    return tuple(out)


def _identity_line(identity: Any, lang: str) -> str:
    organisation = f"，{identity.organisation}" if lang == "zh" else f", {identity.organisation}"
    uscc = f"（统一社会信用代码 {identity.uscc}）" if lang == "zh" else f" (credit code {identity.uscc})"
    return signing_text(
        "VER-SIGNER",
        lang,
        name=identity.name or "—",
        organisation=organisation if identity.organisation else "",
        uscc=uscc if identity.uscc else "",
        fingerprint=identity.fingerprint,
    )


def cmd_verify(args: argparse.Namespace, out: TextIO) -> int:
    """Exit 0: intact and the signer established; 4: intact, signer not established; 1: failed."""
    trusted = _load_certificates(args.trust)
    anchors = _trust_store().certificates()
    verdict = _package().verify_package(Path(args.package), trusted=trusted, store_anchors=anchors)
    lang = args.lang
    for check in verdict.checks:
        mark = "✓" if check.passed else "✗" if check.passed is False else "!"
        out.write(f"  {mark} {signing_text(check.code, lang, **check.params)}\n")
    if verdict.signer is not None:
        out.write(_identity_line(verdict.signer, lang) + "\n")
    status = verdict.status
    out.write(signing_text({"trusted": "VER-OK", "unestablished": "VER-UNKNOWN"}.get(status, "VER-BAD"), lang) + "\n")
    return {"trusted": EXIT_TRUSTED, "unestablished": EXIT_UNESTABLISHED}.get(status, EXIT_FAILED)


def cmd_trust(args: argparse.Namespace, out: TextIO) -> int:
    """The user's trust store: the signers (or CAs) whose packages are accepted."""
    store_ = _trust_store()
    lang = args.lang
    if args.action == "add":
        if not args.file:
            raise SigningError("SIG-E040", what="—", detail="no file given")
        for identity in store_.add(Path(args.file)):
            out.write(("已信任：" if lang == "zh" else "trusted: ") + _identity_line(identity, lang) + "\n")
    elif args.action == "remove":
        identity = store_.remove(args.file or "")
        out.write(("已移除：" if lang == "zh" else "removed: ") + _identity_line(identity, lang) + "\n")
    else:
        identities = store_.identities()
        if not identities:
            out.write(("信任列表为空。" if lang == "zh" else "The trust store is empty.") + "\n")
        for identity in identities:
            out.write(_identity_line(identity, lang) + "\n")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="carbondesk", description="CarbonDesk — 全国碳市场 核算、存证与履约")
    parser.add_argument("--version", action="version", version=f"carbondesk {__version__}")
    parser.add_argument(
        "--lang", choices=("zh", "en"), default=None, help="output language (default: zh, or en when LANG is English)"
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    parser.add_argument("--workspace", help="workspace file or database URL (default: the user's default workspace)")
    parser.add_argument("--user", help="your name, recorded in the audit trail (default: the login name)")
    sub = parser.add_subparsers(dest="command", required=True)

    def report_args(p: argparse.ArgumentParser) -> None:
        p.add_argument("file", nargs="?", help="report in CarbonDesk JSON (default: read the workspace)")
        p.add_argument("--entity", help="USCC of the entity in the workspace (default: the first)")
        p.add_argument("--year", type=int, help="data year in the workspace (default: the latest with data)")
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
    schema.add_argument("--guideline", default=DEFAULT_GUIDELINE, choices=sorted(GUIDELINES))
    schema.add_argument("--results", action="store_true", help="the schema of results.json instead")
    schema.set_defaults(func=cmd_schema)
    form = sub.add_parser("form", help="form definitions")
    form.add_argument("action", choices=("check",))
    form.add_argument("file")
    form.set_defaults(func=cmd_form_check)
    pack = sub.add_parser("pack", help="show or check a parameter pack")
    pack.add_argument("action", choices=("show", "check"))
    pack.add_argument("--year", type=int, default=2022)
    pack.add_argument("--file", help="a pack file (default: the bundled pack for --year)")
    pack.add_argument("--guideline", default=DEFAULT_GUIDELINE, choices=sorted(GUIDELINES))
    pack.set_defaults(func=cmd_pack)
    demo_cmd = sub.add_parser("demo", help="create (or open) the demo workspace and calculate its year")
    demo_cmd.add_argument("--json-out", help="instead, write the demo year as a JSON report to this file")
    demo_cmd.add_argument(
        "--guideline",
        choices=sorted(GUIDELINES),
        default=DEFAULT_GUIDELINE,
        help="whose demo: a power plant (default), a cement works or an aluminium smelter",
    )
    demo_cmd.add_argument("--today", default=None)
    demo_cmd.add_argument("--explain", type=int, default=0)
    demo_cmd.set_defaults(func=cmd_demo)
    imp = sub.add_parser("import", help="import a JSON report into the workspace (all or nothing)")
    imp.add_argument("file")
    imp.set_defaults(func=cmd_import)
    backup = sub.add_parser("backup", help="consistent copy of the workspace, also while the app runs")
    backup.add_argument("destination")
    backup.set_defaults(func=cmd_backup)
    restore = sub.add_parser("restore", help="replace the workspace by a backup (the current one is backed up first)")
    restore.add_argument("source")
    restore.set_defaults(func=cmd_restore)
    signer = sub.add_parser("signer", help="create a self-signed signing certificate, or import a CA's .p12/.pfx")
    signer.add_argument("action", choices=("create", "import"))
    signer.add_argument("file", nargs="?", help="the .p12/.pfx file (import)")
    signer.add_argument("--name", default="CarbonDesk signer")
    signer.add_argument("--organisation")
    signer.add_argument("--uscc")
    signer.add_argument("--password-env", help="environment variable holding the .p12 password")
    signer.add_argument(
        "--passphrase-env",
        required=True,
        help="environment variable holding the passphrase that encrypts the stored key",
    )
    signer.add_argument("--signer", help="folder of the signer (default: the data directory)")
    signer.set_defaults(func=cmd_signer)
    month_sheet = sub.add_parser("export-month", help="the monthly deposit sheet (PDF and Excel) of one month")
    month_sheet.add_argument("month", type=int, choices=range(1, 13))
    month_sheet.add_argument("--pdf", required=True)
    month_sheet.add_argument("--xlsx", required=True)
    month_sheet.add_argument("--entity")
    month_sheet.add_argument("--year", type=int)
    month_sheet.add_argument("--today")
    month_sheet.set_defaults(func=cmd_export_month)
    xlsx_import = sub.add_parser("import-xlsx", help="show what a filled workbook changes; --apply to import it")
    xlsx_import.add_argument("file")
    xlsx_import.add_argument("--apply", action="store_true")
    xlsx_import.add_argument("--entity")
    xlsx_import.add_argument("--year", type=int)
    xlsx_import.set_defaults(func=cmd_import_xlsx, today=None)
    for name, func, helptext in (
        ("export-pdf", cmd_export_pdf, "write the PDF annual report of a workspace year"),
        ("export-xlsx", cmd_export_xlsx, "write the year as an Excel workbook (platform layout)"),
        ("package", cmd_package, "build the signed submission package (ZIP)"),
    ):
        cmd = sub.add_parser(name, help=helptext)
        cmd.add_argument("output")
        cmd.add_argument("--entity")
        cmd.add_argument("--year", type=int)
        cmd.add_argument("--today")
        if name == "package":
            cmd.add_argument("--signer", help="folder of the signer (default: the data directory)")
            cmd.add_argument("--passphrase-env", required=True, help="environment variable holding the key passphrase")
            cmd.add_argument(
                "--allow-errors",
                action="store_true",
                help="build even though the year has errors (the manifest lists the months with errors)",
            )
        cmd.set_defaults(func=func)
    verify = sub.add_parser(
        "verify",
        help="check a signed package: exit 0 intact and signer established, 4 intact but signer not established, "
        "1 failed",
    )
    verify.add_argument("package")
    verify.add_argument(
        "--trust", action="append", help="a certificate (PEM or DER) of the signer or its CA to check against"
    )
    verify.set_defaults(func=cmd_verify)
    trust = sub.add_parser("trust", help="your trust store: certificates of signers whose packages you accept")
    trust.add_argument("action", choices=("add", "list", "remove"))
    trust.add_argument("file", nargs="?", help="certificate file (add) or SHA-256 fingerprint, 8+ hex digits (remove)")
    trust.set_defaults(func=cmd_trust)
    year_cmd = sub.add_parser(
        "year", help="show or set the entity's items of a data year (CCER used, banked or borrowed allowances)"
    )
    year_cmd.add_argument("action", choices=("show", "set"))
    year_cmd.add_argument("items", nargs="*", metavar="ITEM=VALUE", help="e.g. ccer_used_t=12000 (empty value clears)")
    year_cmd.add_argument("--entity")
    year_cmd.add_argument("--year", type=int)
    year_cmd.add_argument("--reason", help="why, recorded in the audit trail")
    year_cmd.set_defaults(func=cmd_year)
    month_cmd = sub.add_parser(
        "month", help="a month's lifecycle: submit, lock (mark deposited), reopen (back to draft), amend"
    )
    month_cmd.add_argument("action", choices=("submit", "lock", "reopen", "amend"))
    month_cmd.add_argument("unit", help="unit no., e.g. 1#")
    month_cmd.add_argument("month", type=int, choices=range(1, 13), metavar="MONTH")
    month_cmd.add_argument("--entity")
    month_cmd.add_argument("--year", type=int)
    month_cmd.add_argument("--reason", help="why (required to reopen or amend; recorded in the audit trail)")
    month_cmd.add_argument("--deposited", help="deposit date on the platform, YYYY-MM-DD (lock; default today)")
    month_cmd.add_argument("--today")
    month_cmd.add_argument("--signer", help="folder of the signer (default: the data directory)")
    month_cmd.add_argument(
        "--passphrase-env",
        help="environment variable holding the key passphrase: the audit checkpoint of the change is signed",
    )
    month_cmd.set_defaults(func=cmd_month)
    audit = sub.add_parser("audit", help="audit trail")
    audit.add_argument("action", choices=("verify",))
    audit.add_argument("--all", action="store_true", help="list every problem")
    audit.add_argument(
        "--package",
        action="append",
        help="a signed package of this workspace: the audit head it signed must still be in the log (repeatable)",
    )
    audit.set_defaults(func=cmd_audit)
    return parser


# The machine's refusals, each its own exit code (2 stays for bad input; 3 is an internal error)
ENVIRONMENT_EXIT = {"STO-E022": 5, "STO-E023": 5, "STO-E007": 6, "STO-E002": 7, "STO-E008": 8}


def _console_safe() -> None:
    """A GBK console (or a redirect) cannot encode every character we print (Σ, ₂, ✓): never die for it."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):  # a closed or detached stream: nothing to adjust
                reconfigure(errors="replace")


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    if out is None or err is None:
        _console_safe()
    out = out or sys.stdout
    err = err or sys.stderr
    args = _parser().parse_args(argv)
    args.lang = args.lang or default_language()
    args.err = err
    try:
        return int(args.func(args, out))
    except InputError as exc:
        err.write(exc.render(args.lang) + "\n")
        return 2
    except SigningError as exc:
        err.write(signing_message(exc, args.lang) + "\n")
        return 2
    except WorkbookError as exc:
        err.write(exc.render(args.lang) + "\n")
        return 2
    except StorageError as exc:
        message = STORAGE_MESSAGES.get(exc.code)
        err.write((message.text(args.lang).format(**exc.params) if message else str(exc)) + "\n")
        return ENVIRONMENT_EXIT.get(exc.code, 2)
    except OSError as exc:  # the machine refused: read-only, full, held by another program, not there
        mapped = environment_error(exc, str(getattr(exc, "filename", "") or ""))
        if mapped is None:
            mapped = StorageError("STO-E023", what=str(getattr(exc, "filename", "") or exc))
        message = STORAGE_MESSAGES[mapped.code]
        err.write(message.text(args.lang).format(**mapped.params) + "\n")
        return ENVIRONMENT_EXIT.get(mapped.code, 2)
    except FileNameError as exc:
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
