"""Issue 12: a kill loop over the commands that write beside a target (package, PDF, workbook, backup).

Each command is killed (SIGKILL) at random moments of its run.  After every kill the target is either
absent or whole; the next complete run of the same command removes every leftover of the killed runs
(their writers are gone) and leaves only its target -- and never touches a file that is not ours.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from datetime import date
from pathlib import Path

import pytest

from desktop.services.demo import create_demo_workspace
from desktop.signing.core import create_self_signed, save_signer

pytestmark = pytest.mark.slow
TODAY = "2026-11-23"


def whole(kind: str, path: Path) -> bool:
    if kind == "zip":
        with zipfile.ZipFile(path) as z:
            return z.testzip() is None and "manifest.json" in z.namelist()
    if kind == "pdf":
        data = path.read_bytes()
        return data.startswith(b"%PDF") and data.rstrip().endswith(b"%%EOF")
    if kind == "xlsx":
        with zipfile.ZipFile(path) as z:
            return z.testzip() is None
    with sqlite3.connect(path) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def work(folder: Path, name: str) -> list[Path]:
    return [p for p in folder.iterdir() if p.name.startswith(f".{name}.carbondesk-")]


@pytest.mark.parametrize(
    ("name", "kind", "args"),
    [
        ("p.zip", "zip", ["package", "{target}", "--passphrase-env", "CD_PASS", "--allow-errors", "--today", TODAY]),
        ("r.pdf", "pdf", ["export-pdf", "{target}", "--year", "2025", "--today", TODAY]),
        ("r.xlsx", "xlsx", ["export-xlsx", "{target}", "--year", "2025", "--today", TODAY]),
        ("b.sqlite", "sqlite", ["backup", "{target}"]),
    ],
)
def test_killed_writes_leave_nothing_half_and_the_next_run_tidies(
    tmp_path: Path, name: str, kind: str, args: list[str]
) -> None:
    create_demo_workspace(tmp_path / "w.sqlite", today=date.fromisoformat(TODAY)).close()
    data = tmp_path / "data"
    save_signer(create_self_signed(name="王碳"), data / "signer", b"passphrase-1")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    mine = out_dir / "download.part"  # another program's partial download: never touched
    mine.write_bytes(b"not ours")
    old = time.time() - 3600
    os.utime(mine, (old, old))
    target = out_dir / name
    env = {**os.environ, "CARBONDESK_DATA_DIR": str(data), "CD_PASS": "passphrase-1", "PYTHONIOENCODING": "utf-8"}
    command = [
        sys.executable,
        "-m",
        "desktop",
        "--workspace",
        str(tmp_path / "w.sqlite"),
        *[a.format(target=target) for a in args],
    ]

    def run() -> float:
        start = time.perf_counter()
        done = subprocess.run(command, env=env, capture_output=True, check=False)
        assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
        return time.perf_counter() - start

    full = run()  # how long one run takes here, to kill inside it
    target.unlink()
    rng = random.Random(hash(name) & 0xFFFF)
    leftovers_seen = landed = 0
    for _ in range(30):  # until three kills landed while it wrote (a backup's write takes milliseconds)
        if landed >= 3:
            break
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # kill while it writes: as soon as its work beside the target appears, or a moment later
        deadline = time.perf_counter() + 3 * full
        while process.poll() is None and time.perf_counter() < deadline and not work(out_dir, name):
            time.sleep(0.002)
        time.sleep(rng.choice((0, 0, 0.003, 0.02, 0.1)))
        process.send_signal(signal.SIGKILL)
        process.wait()  # reaped: its process id is no longer running
        if target.exists():
            assert whole(kind, target), "a killed run left a half-written target"
            target.unlink()
        left = len(work(out_dir, name))
        leftovers_seen += left
        landed += bool(left)
    assert leftovers_seen > 0, "no kill landed while the command was writing: the loop proved nothing"
    run()
    assert whole(kind, target)
    assert sorted(p.name for p in out_dir.iterdir()) == sorted([name, "download.part"])
    print(f"{name}: run {full:.1f} s, {leftovers_seen} leftovers of killed runs removed by the next run")
