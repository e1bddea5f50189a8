"""Issue 12: outputs written atomically, readable by colleagues, and tidy after a killed run, touching
nothing that is not ours."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import pytest

from desktop.exports.files import atomic_path, write_atomically
from desktop.storage.workspace import Workspace


def age(path: Path, seconds: int) -> None:
    past = time.time() - seconds
    os.utime(path, (past, past))


def test_a_killed_writes_leftover_is_removed_and_nothing_else(tmp_path: Path) -> None:
    target = tmp_path / "report.pdf"
    ours = tmp_path / ".report.pdf.carbondesk-abc123.part"  # what a killed export leaves
    browser = tmp_path / "setup.exe.part"  # a browser's partial download: not ours
    other_target = tmp_path / ".other.pdf.carbondesk-def456.part"  # another file's: left to its own next run
    fresh = tmp_path / ".report.pdf.carbondesk-live01.part"  # a concurrent writer's, still recent
    for p in (ours, browser, other_target, fresh):
        p.write_bytes(b"x")
    for p in (ours, browser, other_target):
        age(p, 3600)
    write_atomically(target, lambda tmp: tmp.write_bytes(b"%PDF-1.4"))
    assert target.read_bytes() == b"%PDF-1.4"
    assert not ours.exists() and browser.exists() and other_target.exists() and fresh.exists()


def test_a_failed_write_leaves_nothing_and_the_old_file_intact(tmp_path: Path) -> None:
    target = tmp_path / "book.xlsx"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_bytes(b"half")
        raise RuntimeError("disk full")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsx"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_outputs_have_the_users_usual_permissions(tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        target = write_atomically(tmp_path / "r.pdf", lambda tmp: tmp.write_bytes(b"x"))
    finally:
        os.umask(previous)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644  # a colleague can read it (mkstemp alone: 0600)


def test_a_backups_sweep_spares_other_programs_parts(tmp_path: Path) -> None:
    ws = Workspace.open(tmp_path / "w.sqlite", app_user="t")
    folder = tmp_path / "backups"
    folder.mkdir()
    browser = folder / "movie.mkv.part"
    ours = folder / "copy.sqlite.carbondesk-x1.part"
    for p in (browser, ours):
        p.write_bytes(b"x")
        age(p, 3600)
    ws.backup(folder / "copy.sqlite")
    ws.close()
    assert browser.exists() and not ours.exists() and (folder / "copy.sqlite").exists()


def test_a_leftover_is_removed_at_once_when_its_writer_is_gone_and_kept_while_it_runs(tmp_path: Path) -> None:
    """The writer's machine and process are in the name: a dead one's work goes now, a live one's stays,
    another machine's (a network share) only after it is old."""
    import subprocess
    import sys

    from desktop import leftovers

    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    try:
        mine = leftovers.work_prefix("r.pdf")
        host = mine.split(leftovers.MARK, 1)[1].split(".", 1)[0]
        names = {
            "dead": f".r.pdf.{leftovers.MARK}{host}.{dead.pid}.ab12.part",
            "live": f".r.pdf.{leftovers.MARK}{host}.{live.pid}.cd34.part",
            "self": f"{mine}ef56.part",
            "other_host": f".r.pdf.{leftovers.MARK}plant-laptop-7.{dead.pid}.gh78.part",
            "other_host_old": f".r.pdf.{leftovers.MARK}plant-laptop-7.{dead.pid}.ij90.part",
        }
        paths = {k: tmp_path / v for k, v in names.items()}
        for p in paths.values():
            p.write_bytes(b"x")
        age(paths["other_host_old"], 3600)
        write_atomically(tmp_path / "r.pdf", lambda tmp: tmp.write_bytes(b"%PDF"))
        kept = {k for k, p in paths.items() if p.exists()}
        assert kept == {"live", "self", "other_host"}
    finally:
        live.kill()
        live.wait()
