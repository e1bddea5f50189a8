"""Signed checkpoints of the audit chain, and their check.

The audit chain alone is plain SHA-256: someone who has the workspace file can rewrite the data and the
log together and recompute every hash.  What they cannot do without the signer's key and passphrase is
sign.  So every submit, lock, reopen, amend and package records a checkpoint -- the number of entries,
the head hash, the time and the event -- signed with the signer's key when one is at hand (the window
asks for the passphrase once per session; the command line takes ``--passphrase-env``).  Each checkpoint
names the hash of the one before it, so one cannot be taken out of the middle.

``check`` compares the chain with every checkpoint.  What remains possible, and is said so in the README
and the window: deleting the newest checkpoints together with everything after them (a signed package
anchors its checkpoint outside the file), and forging unsigned checkpoints (made when no signer was
at hand).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes

from desktop.signing.core import TRUSTED, Identity, Signer, establish_signer, sign_detached, verify_detached
from desktop.signing.errors import SigningError
from desktop.signing.trust import TrustStore
from desktop.storage import queries
from desktop.storage.models import AuditCheckpoint
from desktop.storage.queries import Session
from desktop.storage.workspace import CHECKPOINT_FORMAT, GENESIS, checkpoint_digest


def signing_with(signer: Signer | None) -> Callable[[bytes], tuple[bytes, str]] | None:
    """What ``UnitOfWork.checkpoint`` calls to sign, or None to record the checkpoint unsigned."""
    if signer is None:
        return None
    return lambda payload: (sign_detached(payload, signer), signer.fingerprint)


def trusted_here(data_dir: Path) -> tuple[x509.Certificate, ...]:
    """Whose checkpoint signatures count on this machine: the user's own signer and the trust store."""
    own: list[x509.Certificate] = []
    try:
        own = x509.load_pem_x509_certificates((data_dir / "signer" / "signer-cert.pem").read_bytes())
    except (OSError, ValueError):
        own = []  # no signer here (yet): the trust store alone
    return (*own, *TrustStore(data_dir / "trust").certificates())


@dataclass(frozen=True)
class CheckpointState:
    number: int
    entries: int
    event: str
    at: str
    signer: Identity | None  # None: recorded without a signer
    trusted: bool | None  # None: no trusted certificate to check against, or unsigned


# month events that must each be covered by a checkpoint once checkpoints began
STATUS_ACTIONS = ("month.status",)


def check(
    session: Session,
    *,
    workspace_id: str,
    heads: Sequence[str],
    status_entries: Sequence[int],
    trusted: Sequence[x509.Certificate] = (),
) -> tuple[list[str], tuple[CheckpointState, ...]]:
    """Problems, and what each checkpoint is.

    ``heads[n - 1]``: the chain's hash after entry n, as it is now; ``status_entries``: entry numbers of
    the month status changes (each must be covered by a checkpoint made in its transaction); ``trusted``:
    certificates whose signatures count (the user's own signer, the trust store).
    """
    problems: list[str] = []
    states: list[CheckpointState] = []
    previous = ""
    expected_number = 1
    verdicts: dict[str, bool] = {}
    last_entries = 0
    for record in queries.checkpoints(session):
        where = f"checkpoint {record.seq}"
        try:
            fields = json.loads(record.payload)
        except ValueError:
            problems.append(f"{where}: unreadable (edited outside the app)")
            continue
        if not isinstance(fields, Mapping) or fields.get("format") != CHECKPOINT_FORMAT:
            problems.append(f"{where}: not a CarbonDesk checkpoint (edited outside the app)")
            continue
        if record.seq != expected_number or fields.get("number") != record.seq:
            problems.append(f"{where}: numbering broken (a checkpoint before it was removed)")
        expected_number = record.seq + 1
        if fields.get("previous_sha256", "") != previous:
            problems.append(f"{where}: does not follow the checkpoint before it (one was removed or changed)")
        previous = checkpoint_digest(record.payload)
        if fields.get("workspace") != workspace_id:
            problems.append(f"{where}: made in another workspace")
        if (fields.get("entries"), fields.get("head_sha256"), fields.get("event")) != (
            record.entries,
            record.head,
            record.event,
        ):
            problems.append(f"{where}: its columns differ from what it recorded (edited outside the app)")
        entries = fields.get("entries")
        head = fields.get("head_sha256")
        if not isinstance(entries, int) or entries < 0:
            problems.append(f"{where}: unreadable entry count")
            continue
        if entries > len(heads):
            problems.append(
                f"{where} ({fields.get('event', '')}) covers {entries} audit entries, the log has {len(heads)}: "
                "entries were removed"
            )
        elif (heads[entries - 1] if entries else GENESIS) != head:
            problems.append(
                f"{where} ({fields.get('event', '')}): the audit log up to entry {entries} is not the one "
                "checkpointed (history rewritten)"
            )
        if entries < last_entries:
            problems.append(f"{where}: covers fewer entries than the checkpoint before it")
        last_entries = max(last_entries, entries)
        signer, verdict = _signature(record, where, trusted, verdicts, problems)
        states.append(
            CheckpointState(
                record.seq, entries, str(fields.get("event", "")), str(fields.get("at", "")), signer, verdict
            )
        )
    if states:  # once checkpoints began, a status change after the last one means some were removed
        uncovered = [n for n in status_entries if n > last_entries]
        if uncovered:
            problems.append(
                f"audit entries {', '.join(map(str, uncovered[:5]))}: month status changed after the last "
                "checkpoint, which every status change records (checkpoints were removed)"
            )
    return problems, tuple(states)


def _signature(
    record: AuditCheckpoint,
    where: str,
    trusted: Sequence[x509.Certificate],
    verdicts: dict[str, bool],
    problems: list[str],
) -> tuple[Identity | None, bool | None]:
    """Who signed the checkpoint, and whether that is someone trusted (None: unsigned, or nobody to ask)."""
    if record.signature is None:
        return None, None
    try:
        verified = verify_detached(record.payload.encode("utf-8"), record.signature)
    except SigningError as exc:
        problems.append(f"{where}: signature does not hold ({exc})")
        return None, None
    signer = Identity.of(verified.certificate)
    if signer.fingerprint != record.signer_sha256:
        problems.append(f"{where}: signer recorded differs from the one who signed")
    if not trusted:
        return signer, None
    if signer.fingerprint not in verdicts:
        when = verified.signing_time or record.made_at.replace(tzinfo=dt.UTC)
        verdicts[signer.fingerprint] = _trusted(verified.certificate, verified.others, trusted, when)
    if not verdicts[signer.fingerprint]:
        problems.append(
            f"{where}: signed by {signer.name} ({signer.fingerprint[:16]}…), not a signer you trust "
            "(re-signed by someone else?)"
        )
    return signer, verdicts[signer.fingerprint]


def _trusted(
    certificate: x509.Certificate,
    chain: tuple[x509.Certificate, ...],
    trusted: Sequence[x509.Certificate],
    when: dt.datetime,
) -> bool:
    fingerprint = certificate.fingerprint(hashes.SHA256())
    if any(t.fingerprint(hashes.SHA256()) == fingerprint for t in trusted):
        return True
    return establish_signer(certificate, chain, tuple(trusted), when).status == TRUSTED


WORDS = {
    "zh": {
        "none": "尚无审计检查点（提交、锁定、退回、修订和生成提交包时记录）。",
        "all": "审计检查点 {n} 个（最近：{last}）：{what}。",
        "signed": "{n} 个由 {who} 签名",
        "unsigned": "{n} 个未签名（不能证明未被改写）",
        "unchecked": "本机没有签名证书或信任的证书，签名人未核对。",
        "limits": "说明：持有工作区文件的人可以同时改写数据和审计记录并重新计算哈希，但无法伪造您的签名："
        "签名的检查点（提交、锁定、退回、修订、生成提交包时记录）与改写后的记录对不上。仍然做不到的："
        "连同最近的检查点一起删去其后的全部记录，或改写未签名检查点之前的记录——已提交的签名提交包记录了当时的位置，"
        "可用 “carbondesk audit verify --package 提交包.zip” 核对。请妥善保存已提交的提交包。",
    },
    "en": {
        "none": "No audit checkpoint yet (recorded at each submit, lock, reopen, amend and package).",
        "all": "Audit checkpoints: {n} (latest: {last}): {what}.",
        "signed": "{n} signed by {who}",
        "unsigned": "{n} unsigned (cannot show a rewrite)",
        "unchecked": "No signer or trusted certificate on this machine: who signed was not checked.",
        "limits": "Note: someone who has the workspace file can rewrite the data and the log together and recompute "
        "every hash, but cannot forge your signature: the signed checkpoints (recorded at each submit, lock, "
        "reopen, amend and package) no longer match a rewritten log. What remains possible: deleting the newest "
        "checkpoints together with everything after them, or rewriting what came before unsigned checkpoints. "
        'Each signed package records where the log stood; "carbondesk audit verify --package PACKAGE.zip" checks '
        "it. Keep the packages you submit.",
    },
}


def summary(states: Sequence[CheckpointState], lang: str, *, trusted: bool) -> str:
    """How many checkpoints, signed by whom, and whether who signed was checked against a trusted certificate."""
    words = WORDS["zh" if lang == "zh" else "en"]
    if not states:
        return words["none"]
    signers: dict[str, int] = {}
    for state in states:
        if state.signer is not None:
            who = f"{state.signer.name} ({state.signer.fingerprint[:16]}…)"
            signers[who] = signers.get(who, 0) + 1
    parts = [words["signed"].format(n=n, who=who) for who, n in signers.items()]
    unsigned = sum(1 for state in states if state.signer is None)
    if unsigned:
        parts.append(words["unsigned"].format(n=unsigned))
    text = words["all"].format(n=len(states), last=states[-1].event, what="; ".join(parts))
    return text if trusted or not signers else f"{text} {words['unchecked']}"
