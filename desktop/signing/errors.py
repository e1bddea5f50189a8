"""Signing problems, in zh and en; no crypto library needed to name them."""

from __future__ import annotations


class SigningError(Exception):
    """A signing problem for the user; ``code`` keys a message in zh and en."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(f"{code} {params}")
        self.code = code
        self.params = params


MESSAGES = {
    "SIG-E001": ("签名私钥口令不正确。", "The passphrase of the signing key is wrong."),
    "SIG-E002": ("无法读取证书文件（PKCS#12）：{detail}", "Cannot read the certificate file (PKCS #12): {detail}"),
    "SIG-E003": ("保存私钥必须设置口令。", "A passphrase is required to store the private key."),
    "SIG-E004": ("找不到签名证书 “{what}”：{detail}", 'No signing certificate at "{what}": {detail}'),
    "SIG-E010": ("签名无法读取：{detail}", "The signature cannot be read: {detail}"),
    "SIG-E011": ("清单内容与签名不符（已被修改）。", "The manifest does not match its signature (it was changed)."),
    "SIG-E012": ("签名值无效。", "The signature value is invalid."),
    "SIG-E013": ("签名证书不在有效期内。", "The signing certificate is not within its validity period."),
    "SIG-E014": ("签名证书不是受信任的证书。", "The signing certificate is not one of the trusted certificates."),
    "SIG-E030": (
        "没有可用来确认签名者的信任证书：请用 --trust 指定签名者（或其 CA）的证书，或用 “carbondesk trust add” 加入信任列表。",
        "No trusted certificate to establish the signer: pass the signer's (or its CA's) certificate with --trust, "
        'or add it with "carbondesk trust add".',
    ),
    "SIG-E031": (
        "签名证书冒用了受信任签名者的名称，但不是该签名者的证书（可能是伪造）。",
        "The signing certificate carries a trusted signer's name but is not that signer's certificate (a forgery?).",
    ),
    "SIG-E032": (
        "签名者不在您的信任列表中；如确认接受，请用 “carbondesk trust add” 加入其证书。",
        'The signer is not in your trust store; if you accept it, add its certificate with "carbondesk trust add".',
    ),
    "SIG-E033": ("签名证书未通过验证：{detail}", "The signing certificate did not validate: {detail}"),
    "SIG-E034": (
        "签名者已确认（证书链验证至受信任证书）。",
        "The signer is established (certificate path to a trusted certificate).",
    ),
    "SIG-E035": (
        "提交包的统一社会信用代码 {package} 与签名证书上的 {certificate} 不一致。",
        "The package's unified social credit code {package} differs from the certificate's {certificate}.",
    ),
    "SIG-E036": (
        "证书中没有统一社会信用代码，无法与提交包核对。",
        "The certificate carries no credit code to compare with the package.",
    ),
    "SIG-E042": (
        "提交包 “{what}” 未通过验证或不含审计记录锚点，不能用来核对审计记录。",
        'The package "{what}" does not verify or holds no audit anchor: it cannot be used to check the audit trail.',
    ),
    "SIG-E040": ("无法读取证书文件 “{what}”：{detail}", 'Cannot read the certificate file "{what}": {detail}'),
    "SIG-E041": ("信任列表中没有指纹为 {what} 的证书。", "No certificate with fingerprint {what} in the trust store."),
    "SIG-E020": ("PDF 无法读取：{detail}", "The PDF cannot be read: {detail}"),
    "SIG-E021": ("PDF 没有签名。", "The PDF carries no signature."),
}


# What `verify` says about a package, check by check (codes in package.Verdict.checks)
MESSAGES.update(
    {
        "VER-E001": ("不是可读取的 ZIP 文件：{detail}", "Not a readable ZIP file: {detail}"),
        "VER-E002": ("成员过多（{count} 个），不是提交包。", "Too many members ({count}): not a package."),
        "VER-E003": ("成员名称不安全：“{name}”（{why}）。", 'Unsafe member name "{name}" ({why}).'),
        "VER-E004": ("有重复的成员名称。", "A member name appears twice."),
        "VER-E005": (
            "缺少清单 manifest.json 或其签名 manifest.p7s。",
            "manifest.json or its signature manifest.p7s is missing.",
        ),
        "VER-E006": ("清单无法读取：{detail}", "The manifest cannot be read: {detail}"),
        "VER-E007": ("{name} 超过允许的大小。", "{name} is larger than allowed."),
        "VER-E010": ("清单签名无效：{reason}", "The manifest's signature is not valid: {reason}"),
        "VER-I010": ("清单签名有效（CMS）。", "The manifest's signature (CMS) is valid."),
        "VER-E011": ("不是 CarbonDesk 提交包清单：{detail}", "Not a CarbonDesk package manifest: {detail}"),
        "VER-E012": ("清单格式不是 CarbonDesk 提交包。", "The manifest is not in the CarbonDesk package format."),
        "VER-I011": ("清单格式正确。", "The manifest's format is right."),
        "VER-E013": ("清单中的文件大小超出限制。", "The manifest lists sizes beyond the limits."),
        "VER-E014": (
            "成员与清单不符：多出 {extra}；缺少 {missing}。",
            "Members differ from the manifest: extra {extra}; missing {missing}.",
        ),
        "VER-I012": ("成员与清单一致。", "The members are exactly those of the manifest."),
        "VER-E015": ("{name} 无法读取：{detail}", "{name} cannot be read: {detail}"),
        "VER-E016": (
            "{name} 与清单记录的哈希或大小不符（已被修改）。",
            "{name} differs from the hash or size in the manifest (it was changed).",
        ),
        "VER-I013": ("{name} 完整（SHA-256 {sha256}）。", "{name} is intact (SHA-256 {sha256})."),
        "VER-E017": (
            "报告数据哈希（报告封面二维码）不符。",
            "The report's data hash (the QR code on its cover) does not match.",
        ),
        "VER-I014": (
            "报告数据哈希与封面二维码一致：{sha256}。",
            "The report's data hash matches its cover QR code: {sha256}.",
        ),
        "VER-E018": (
            "清单中记录的签名者指纹 {manifest_fingerprint} 与实际签名证书 {fingerprint} 不同。",
            "The manifest names signer {manifest_fingerprint}, but the signature is by {fingerprint}.",
        ),
        "VER-I015": ("清单记录的签名者与签名证书一致。", "The signer named in the manifest is the one who signed."),
        "VER-I016": (
            "签名证书的统一社会信用代码 {uscc} 与提交包一致。",
            "The certificate's credit code {uscc} is the package's.",
        ),
        "VER-E020": ("PDF 签名无法验证：{reason}", "The PDF signature cannot be checked: {reason}"),
        "VER-E021": ("PDF 签名未通过：{reasons}", "The PDF signature failed: {reasons}"),
        "VER-I020": (
            "PDF 签名（PAdES）完整有效，覆盖整个文件，签名者与清单一致。",
            "The PDF signature (PAdES) is intact and valid, covers the whole file, by the manifest's signer.",
        ),
        "VER-R001": ("签名后 PDF 被修改", "the PDF was changed after signing"),
        "VER-R002": ("签名值无效", "the signature value is invalid"),
        "VER-R003": ("签名未覆盖整个文件", "the signature does not cover the whole file"),
        "VER-R004": (
            "PDF 签名者 {pdf_fingerprint} 不是清单签名者 {fingerprint}",
            "the PDF was signed by {pdf_fingerprint}, not by the manifest's signer {fingerprint}",
        ),
        "VER-R005": ("pyHanko 认为 PDF 签名者不受信任", "pyHanko does not trust the PDF's signer"),
        "VER-OK": ("结论：提交包完整，签名者已确认。", "Verdict: the package is intact and its signer is established."),
        "VER-UNKNOWN": (
            "结论：提交包完整，但签名者未确认（请用 --trust 指定签名者或其 CA 的证书，或把它加入信任列表）。",
            "Verdict: the package is intact, but its signer is not established (pass the signer's or its CA's "
            "certificate with --trust, or add it to your trust store).",
        ),
        "VER-BAD": (
            "结论：提交包未通过验证（见标 ✗ 的行）。",
            "Verdict: the package FAILED verification (see the ✗ lines).",
        ),
        "VER-SIGNER": (
            "签名者：{name}{organisation}{uscc}；证书指纹 SHA-256 {fingerprint}",
            "Signer: {name}{organisation}{uscc}; certificate SHA-256 {fingerprint}",
        ),
    }
)


def text(code: str, lang: str, **params: object) -> str:
    """A catalogue message in ``lang``; nested reasons (``reason_code``, ``reasons``) rendered too."""
    zh, en = MESSAGES.get(code, (code, code))
    template = zh if lang == "zh" else en
    values = dict(params)
    if "reason_code" in values:
        inner = {k: v for k, v in values.items() if k != "reason_code"}
        values["reason"] = text(str(values["reason_code"]), lang, **inner)
    if isinstance(values.get("reasons"), list):
        joined = [text(str(r), lang, **{k: v for k, v in values.items() if k != "reasons"}) for r in values["reasons"]]
        values["reasons"] = ("；" if lang == "zh" else "; ").join(joined)
    try:
        return template.format(**values)
    except (KeyError, IndexError):
        return template


def message(error: SigningError, lang: str) -> str:
    zh, en = MESSAGES.get(error.code, (error.code, error.code))
    text = zh if lang == "zh" else en
    try:
        return text.format(**error.params)
    except (KeyError, IndexError):
        return text
