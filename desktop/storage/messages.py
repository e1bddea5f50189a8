"""Messages of storage and workspace problems, in Chinese and English."""

from __future__ import annotations

from collections.abc import Mapping

from desktop.domain.findings import Message

MESSAGES: Mapping[str, Message] = {
    "STO-E001": Message(
        "此工作区由更新版本的 CarbonDesk 创建（数据库版本 {revision}，本程序支持到 {head}）。请升级 CarbonDesk 后再打开；为保护数据，本程序不会修改它。",
        "This workspace was written by a newer CarbonDesk (schema {revision}; this app knows up to {head}). "
        "Update CarbonDesk to open it; to protect your data this app will not touch it.",
    ),
    "STO-E002": Message(
        "另一个 CarbonDesk 窗口正在写入此工作区，请稍候几秒再试。已保存的数据不受影响。",
        "Another CarbonDesk window is writing to this workspace. Try again in a few seconds; nothing saved is lost.",
    ),
    "STO-E003": Message("“{what}” 不是 CarbonDesk 工作区文件。", '"{what}" is not a CarbonDesk workspace.'),
    "STO-E004": Message(
        "{unit} {year} 年 {month} 月（第 {version} 版）{status_zh}，不能修改。{advice_zh}",
        "{unit}, {year}-{month:02} (version {version}) is {status_en} and cannot be changed. {advice_en}",
    ),
    "STO-E005": Message(
        "{unit} {year} 年 {month} 月还有 {count} 个错误，不能提交：{codes}",
        "{unit}, {year}-{month:02} still has {count} error(s) and cannot be submitted: {codes}",
    ),
    "STO-E006": Message(
        "当前状态为“{status_zh}”，不能{action_zh}。", "The month is {status_en}; it cannot be {action_en}."
    ),
    "STO-E007": Message(
        "磁盘已满或无法写入：{detail}。未保存任何内容。",
        "The disk is full or cannot be written: {detail}. Nothing was saved.",
    ),
    "STO-E008": Message("找不到 {what}。", "{what} was not found."),
    "STO-E009": Message("无法读取证据文件 “{what}”：{detail}", 'Cannot read the evidence file "{what}": {detail}'),
    "STO-E010": Message("修订已锁定的月份必须填写原因。", "Amending a locked month needs a written reason."),
    "STO-E011": Message(
        "“{label_zh}” 应为{expected_zh}，收到的是 “{value}”。", '"{label_en}" must be {expected_en}; got "{value}".'
    ),
    "STO-E012": Message("未知数据项 “{path}”。", 'Unknown data item "{path}".'),
    "STO-E013": Message("{what} “{value}” 已存在。", '{what} "{value}" already exists.'),
    "STO-E014": Message(
        "“{what}” 不是可用的 CarbonDesk 备份：{detail}", '"{what}" is not a usable CarbonDesk backup: {detail}'
    ),
    "STO-E015": Message(
        "导入已取消，未做任何更改：以下已提交或锁定的月份会被修改：{months}（内容相同的已锁定月份不受影响）",
        "Import cancelled, nothing was changed: it would change these submitted or locked months: {months} "
        "(locked months given unchanged are fine)",
    ),
    "STO-E016": Message(
        "PostgreSQL 工作区请使用数据库服务器的备份工具（pg_dump / pg_restore）。",
        "For a PostgreSQL workspace use the server's backup tools (pg_dump / pg_restore).",
    ),
    "STO-E019": Message(
        "本年度仍有 {count} 项错误（{where}）。请先更正；确需提交时，明确选择“带错误生成”，清单中会注明这些错误。",
        "The year still has {count} error(s) ({where}). Correct them first; if it must go now, choose explicitly to "
        "build it with errors, and its manifest will list them.",
    ),
    "STO-E021": Message(
        "数据年度 {year} 不在 {low}–{high} 之间。", "Data year {year} is not between {low} and {high}."
    ),
    "STO-E022": Message(
        "工作区不能写入（只读文件、只读文件夹或网络盘没有写权限）：{what}。未做任何更改；请把工作区复制到可写的位置。",
        "The workspace cannot be written (a read-only file, a read-only folder or a network drive without write "
        "permission): {what}. Nothing was changed; copy the workspace to a writable place.",
    ),
    "STO-E023": Message(
        "文件被其他程序占用或没有写入权限：{what}。请关闭占用它的程序（如 Excel、WPS）后重试。",
        "The file is held by another program, or you may not write it: {what}. Close the program holding it "
        "(Excel, WPS) and try again.",
    ),
    "STO-E024": Message(
        "报告没有填写重点排放单位的统一社会信用代码（entity.uscc），未导入任何内容。",
        "The report gives no unified social credit code for the entity (entity.uscc); nothing was imported.",
    ),
    "STO-E025": Message(
        "支撑材料“{file}”：{reason_zh}。未做任何更改。", 'Evidence "{file}": {reason_en}. Nothing was changed.'
    ),
    "STO-E020": Message("退回草稿必须填写原因。", "Taking a month back to draft needs a written reason."),
    "STO-E018": Message("“{label_zh}”的数值{reason_zh}。", '"{label_en}": the number {reason_en}.'),
    "STO-E017": Message(
        "统一社会信用代码 “{uscc}” 格式不正确（应为18位）。",
        'Unified social credit code "{uscc}" is malformed (18 characters).',
    ),
}

STATUS = {"draft": ("草稿", "a draft"), "submitted": ("提交", "submitted"), "locked": ("锁定", "locked")}
