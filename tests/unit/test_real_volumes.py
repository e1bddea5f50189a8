"""Issue 12: real read-only and full volumes (small tmpfs mounts), not simulated errors.

A workspace on a read-only volume opens to read: it is calculated, verified, exported, backed up and
packaged; every write is refused plainly (exit 5), nothing left behind.  On a full volume every
output and every write ends in the disk-full message (exit 6), no part file and no backup are left,
and the workspace is intact once space is freed.  Mounting needs root (as in CI here); elsewhere these
tests are skipped.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from desktop.cli.main import main as cli_main
from desktop.services.demo import create_demo_workspace
from desktop.signing.core import create_self_signed, save_signer

TODAY = "2026-11-23"


def mount_tmpfs(folder: Path, size: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        pytest.skip("mounting a small volume needs root")
    run = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True, check=False
    )
    if run.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {run.stderr.decode(errors='replace').strip()}")


def unmount(folder: Path) -> None:
    subprocess.run(["umount", "-l", str(folder)], capture_output=True, check=False)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    root = tmp_path_factory.mktemp("volumes")
    create_demo_workspace(root / "w.sqlite", today=date.fromisoformat(TODAY)).close()
    data = root / "data"
    save_signer(create_self_signed(name="王碳"), data / "signer", b"passphrase-1")
    out = io.StringIO()
    assert cli_main(["--workspace", str(root / "w.sqlite"), "demo", "--json-out", str(root / "d.json")], out=out) == 0
    yield {"root": root, "data": data}


def cli(args: list[str], data: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    monkeypatch.setenv("CARBONDESK_DATA_DIR", str(data))
    monkeypatch.setenv("CD_PASS", "passphrase-1")
    out, err = io.StringIO(), io.StringIO()
    code = cli_main(["--lang", "en", *args], out=out, err=err)
    return code, out.getvalue() + err.getvalue()


def copy_workspace(source: Path, folder: Path) -> Path:
    shutil.copy(source / "w.sqlite", folder / "w.sqlite")
    shutil.copytree(source / "w.evidence", folder / "w.evidence")
    return folder / "w.sqlite"


@pytest.fixture
def read_only_volume(demo: dict, tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / f"ro-{uuid.uuid4().hex[:6]}"
    mount_tmpfs(folder, "8m")
    try:
        copy_workspace(demo["root"], folder)
        subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
        yield folder
    finally:
        unmount(folder)


def test_a_workspace_on_a_read_only_volume_reads_and_refuses_writes_plainly(
    demo: dict, read_only_volume: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = ["--workspace", str(read_only_volume / "w.sqlite")]
    before = sorted(p.name for p in read_only_volume.iterdir())
    for args in (
        ["audit", "verify"],
        ["export-pdf", str(tmp_path / "r.pdf"), "--year", "2025", "--today", TODAY],
        ["export-xlsx", str(tmp_path / "r.xlsx"), "--year", "2025", "--today", TODAY],
        ["backup", str(tmp_path / "b.sqlite")],
        ["package", str(tmp_path / "p.zip"), "--passphrase-env", "CD_PASS", "--allow-errors", "--today", TODAY],
    ):
        code, said = cli([*ws, *args], demo["data"], monkeypatch)
        assert code == 0, (args, said)
    code, said = cli(["verify", str(tmp_path / "p.zip")], demo["data"], monkeypatch)
    assert code in (0, 4), said  # intact (its signer is not in this trust store)
    for args in (
        ["month", "amend", "1#", "3", "--year", "2025", "--reason", "x"],
        ["month", "submit", "1#", "12", "--year", "2025", "--today", TODAY],
        ["year", "set", "ccer_used_t=1", "--year", "2025", "--reason", "y"],
        ["import", str(demo["root"] / "d.json")],
        ["restore", str(tmp_path / "b.sqlite")],
    ):
        code, said = cli([*ws, *args], demo["data"], monkeypatch)
        assert code == 5, (args, said)
        assert "cannot be written" in said and "copy the workspace to a writable place" in said, said
    assert sorted(p.name for p in read_only_volume.iterdir()) == before  # nothing written, no backup


@pytest.fixture
def full_volume(tmp_path: Path) -> Iterator[tuple[Path, callable]]:
    folder = tmp_path / f"full-{uuid.uuid4().hex[:6]}"
    mount_tmpfs(folder, "8m")

    def fill(leave_kib: int) -> None:
        (folder / "filler").unlink(missing_ok=True)
        free = shutil.disk_usage(folder).free
        with (folder / "filler").open("wb") as handle:
            handle.truncate(0)
            handle.write(b"\0" * max(0, free - leave_kib * 1024))

    try:
        yield folder, fill
    finally:
        unmount(folder)


def test_outputs_onto_a_full_volume_say_so_and_leave_nothing(
    demo: dict, full_volume, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, fill = full_volume
    fill(0)
    ws = ["--workspace", str(demo["root"] / "w.sqlite")]
    for args in (
        ["export-pdf", str(folder / "r.pdf"), "--year", "2025", "--today", TODAY],
        ["export-month", "3", "--pdf", str(folder / "m.pdf"), "--xlsx", str(folder / "m.xlsx"), "--year", "2025"],
        ["backup", str(folder / "b.sqlite")],
        ["package", str(folder / "p.zip"), "--passphrase-env", "CD_PASS", "--allow-errors", "--today", TODAY],
    ):
        code, said = cli([*ws, *args], demo["data"], monkeypatch)
        assert code == 6 and "disk is full" in said, (args, said)
        assert sorted(p.name for p in folder.iterdir()) == ["filler"], args
    # a separate process, to see what its interpreter prints when the half-written ZIP is collected
    env = {**os.environ, "CARBONDESK_DATA_DIR": str(demo["data"]), "PYTHONIOENCODING": "utf-8"}
    run = subprocess.run(
        [sys.executable, "-m", "desktop", "--lang", "en", *ws, "export-xlsx", str(folder / "r.xlsx"), "--year", "2025"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert run.returncode == 6, run.stderr
    assert "Traceback" not in run.stderr and "Exception ignored" not in run.stderr, run.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["filler"]


@pytest.mark.parametrize("leave_kib", [0, 40, 400])
def test_a_workspace_on_a_full_volume_refuses_writes_and_stays_intact(
    demo: dict, full_volume, monkeypatch: pytest.MonkeyPatch, leave_kib: int
) -> None:
    folder, fill = full_volume
    path = copy_workspace(demo["root"], folder)
    ws = ["--workspace", str(path)]
    code, said = cli([*ws, "audit", "verify"], demo["data"], monkeypatch)
    assert code == 0, said
    entries = said.rsplit("intact:", 1)[1].split()[0]
    fill(leave_kib)
    for args in (
        ["month", "amend", "1#", "3", "--year", "2025", "--reason", "x"],  # with its backup first
        ["restore", str(demo["root"] / "w.sqlite")],
    ):
        code, said = cli([*ws, *args], demo["data"], monkeypatch)
        assert code == 6 and "disk is full" in said and "Nothing was saved" in said, (args, said)
    backups = folder / "backups"
    assert not backups.exists() or not any(backups.iterdir())  # no backup left for what was not done
    (folder / "filler").unlink()
    code, said = cli([*ws, "audit", "verify"], demo["data"], monkeypatch)
    assert code == 0 and f"intact: {entries} entries" in said, said
