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
    "SIG-E020": ("PDF 无法读取：{detail}", "The PDF cannot be read: {detail}"),
    "SIG-E021": ("PDF 没有签名。", "The PDF carries no signature."),
}


def message(error: SigningError, lang: str) -> str:
    zh, en = MESSAGES.get(error.code, (error.code, error.code))
    text = zh if lang == "zh" else en
    try:
        return text.format(**error.params)
    except (KeyError, IndexError):
        return text
