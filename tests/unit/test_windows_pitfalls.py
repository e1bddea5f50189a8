"""Issue 13 (part): Windows pitfalls simulated here -- odd backup paths, a GBK console, Chinese on a
machine without a Chinese font."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import date
from pathlib import Path, PureWindowsPath

import pytest

from desktop.cli.main import main as cli_main
from desktop.exports.files import write_atomically
from desktop.filenames import FileNameError, long_path, name_problem
from desktop.services import evidence_files, locations, store
from desktop.services.demo import create_demo_workspace

REPO = Path(__file__).resolve().parents[2]


def test_backup_and_restore_through_paths_with_odd_characters(tmp_path: Path) -> None:
    ws = create_demo_workspace(tmp_path / "demo.sqlite", today=date(2026, 11, 23))
    entity_id = store.list_entities(ws=ws)[0].id
    before = store.load_report(ws=ws, entity_id=entity_id, year=2025)
    folder = tmp_path / "备份 #1 ?%&"  # a URI glued from this path would lose everything after '#' or '?'
    target = ws.backup(folder / "工作区 #2 ?% &.sqlite")
    assert target.exists() and target.stat().st_size > 0
    assert not [p for p in folder.iterdir() if p != target]  # no half file beside it
    ws.restore(target)
    assert store.load_report(ws=ws, entity_id=entity_id, year=2025) == before
    ws.close()


def test_the_command_line_survives_a_gbk_console(tmp_path: Path) -> None:
    """Σ, ₂, ✓ are not in GBK: printed as replacements, never a UnicodeEncodeError."""
    env = {**os.environ, "PYTHONIOENCODING": "gbk", "CARBONDESK_DATA_DIR": str(tmp_path / "data")}
    for args in (["--lang", "zh", "schema", "--results"], ["--lang", "en", "pack", "show", "--year", "2025"]):
        run = subprocess.run(
            [sys.executable, "-m", "desktop.cli.main", *args],
            env=env,
            capture_output=True,
            cwd=REPO,
            timeout=120,
            check=False,
        )
        assert run.returncode == 0, run.stderr.decode("gbk", "replace")[-500:]
        assert b"UnicodeEncodeError" not in run.stderr


def test_the_bundled_font_is_given_to_qt_when_no_chinese_font_exists(qapp, monkeypatch) -> None:
    from PySide6.QtGui import QFontDatabase

    from desktop.ui import app as gui_app

    added: list[str] = []
    monkeypatch.setattr(QFontDatabase, "families", staticmethod(lambda *_a: []))
    monkeypatch.setattr(QFontDatabase, "addApplicationFont", staticmethod(lambda path: added.append(path) or 0))
    gui_app.register_bundled_font()
    assert added and added[0].endswith("wqy-microhei.ttc") and Path(added[0]).exists()


def test_evidence_files_keep_their_extension_and_old_stores_are_renamed(tmp_path: Path) -> None:
    """A stored scan opens with the right program: its extension is kept (lower case) under its hash.
    A store written before (no extension) is renamed the first time a file is asked for."""
    ws = create_demo_workspace(tmp_path / "demo.sqlite", today=date(2026, 11, 23))
    evidence = evidence_files.list_evidence(ws=ws)
    assert evidence and all(Path(e.file_name).suffix for e in evidence)
    for e in evidence:
        path = evidence_files.evidence_path(ws, e.sha256, e.file_name)
        assert path.is_file() and path.suffix == Path(e.file_name).suffix.lower() and path.stem == e.sha256
    # an older store: every file under its bare hash
    for e in evidence:
        path = evidence_files.evidence_path(ws, e.sha256, e.file_name)
        path.rename(path.with_name(e.sha256))
    assert {c.status for c in evidence_files.verify_evidence(ws=ws)} == {"ok"}
    first = evidence[0]
    assert evidence_files.evidence_file(ws=ws, sha256=first.sha256).suffix == Path(first.file_name).suffix.lower()
    assert not (ws.evidence_dir / first.sha256[:2] / first.sha256).exists()  # renamed, not copied
    ws.close()


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("CON.pdf", "reserved"),
        ("nul", "reserved"),
        ("com1.report.xlsx", "reserved"),
        ("Lpt9.zip", "reserved"),
        ("报告.", "trailing"),
        ("报告.pdf ", "trailing"),
        ("a<b>.pdf", None),  # allowed where the system allows it (Linux); refused on Windows, below
        ("CONSOLE.pdf", None),
        ("2025年度报告.pdf", None),
    ],
)
def test_names_windows_would_not_keep_are_refused_before_anything_is_written(
    tmp_path: Path, name: str, kind: str | None
) -> None:
    assert name_problem(name, windows=False) == kind
    target = tmp_path / name
    if kind is None:
        return
    with pytest.raises(FileNameError) as info:
        write_atomically(target, lambda tmp: tmp.write_bytes(b"%PDF"))
    assert info.value.kind == kind and name.strip() in info.value.render("zh")
    assert list(tmp_path.iterdir()) == []


def test_windows_only_characters_and_long_paths() -> None:
    assert name_problem("a<b>.pdf", windows=True) == "invalid"
    assert name_problem("季度:1.pdf", windows=True) == "invalid"
    short = PureWindowsPath("C:\\Users\\王碳\\Documents\\报告.pdf")
    assert long_path(short, windows=True) == short
    deep = PureWindowsPath("C:\\Users\\王碳\\" + "很长的文件夹名称\\" * 30 + "报告.pdf")
    assert str(long_path(deep, windows=True)).startswith("\\\\?\\C:\\Users\\")
    share = PureWindowsPath("\\\\fileserver\\碳排放\\" + "x" * 250 + "\\报告.pdf")
    assert str(long_path(share, windows=True)).startswith("\\\\?\\UNC\\fileserver\\碳排放\\")


def test_the_command_line_names_a_reserved_output_name_in_the_users_language(tmp_path: Path) -> None:
    create_demo_workspace(tmp_path / "w.sqlite", today=date(2026, 11, 23)).close()
    for args in (["export-pdf", str(tmp_path / "PRN.pdf")], ["backup", str(tmp_path / "备份.")]):
        out, err = io.StringIO(), io.StringIO()
        code = cli_main(["--lang", "zh", "--workspace", str(tmp_path / "w.sqlite"), *args], out=out, err=err)
        assert code == 2 and ("保留的设备名" in err.getvalue() or "以点或空格结尾" in err.getvalue()), err.getvalue()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.evidence", "w.sqlite"]


def test_a_file_held_open_by_another_program_is_named_and_nothing_is_lost(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What Windows says when Excel or WPS holds the file (sharing violation, WinError 32): simulated at the
    rename, the one step Windows refuses; the previous file stays, no part is left, the message says close it."""
    create_demo_workspace(tmp_path / "w.sqlite", today=date(2026, 11, 23)).close()
    target = tmp_path / "年度报告.xlsx"
    target.write_bytes(b"the version the user has open")
    real_replace = os.replace

    def held(src, dst, *a, **k):
        if Path(dst) == target:
            raise PermissionError(
                13, "The process cannot access the file because it is being used by another process", str(dst)
            )
        return real_replace(src, dst, *a, **k)

    monkeypatch.setattr(os, "replace", held)
    out, err = io.StringIO(), io.StringIO()
    code = cli_main(
        ["--lang", "zh", "--workspace", str(tmp_path / "w.sqlite"), "export-xlsx", str(target)], out=out, err=err
    )
    assert code == 5 and "被其他程序占用" in err.getvalue() and "WPS" in err.getvalue(), err.getvalue()
    assert target.read_bytes() == b"the version the user has open"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.evidence", "w.sqlite", "年度报告.xlsx"]


@pytest.mark.parametrize(
    ("folder", "what"),
    [
        ("OneDrive - 华能集团", "OneDrive"),
        ("WPS云文档", "WPS 云文档"),
        ("我的坚果云", "坚果云"),
        ("BaiduSyncdisk", "百度网盘"),
    ],
)
def test_a_workspace_in_a_sync_folder_is_warned_about_before_use(tmp_path: Path, folder: str, what: str) -> None:
    path = tmp_path / folder / "碳排放" / "w.sqlite"
    assert locations.risky_location(path) == ("sync", what)
    create_demo_workspace(tmp_path / "w.sqlite", today=date(2026, 11, 23)).close()
    path.parent.mkdir(parents=True)
    for suffix in (".sqlite",):
        (path.parent / ("w" + suffix)).write_bytes((tmp_path / ("w" + suffix)).read_bytes())
    out, err = io.StringIO(), io.StringIO()
    assert cli_main(["--lang", "zh", "--workspace", str(path), "audit", "verify"], out=out, err=err) in (0, 1)
    assert f"同步文件夹（{what}）" in err.getvalue() and "本机文件夹" in err.getvalue()
    assert locations.risky_location(tmp_path / "本机" / "w.sqlite") is None


def test_a_workspace_on_a_network_file_system_is_recognised(tmp_path: Path) -> None:
    mounts = tmp_path / "mounts"
    mounts.write_text(
        "/dev/sda1 / ext4 rw 0 0\n//fileserver/carbon /mnt/carbon cifs rw 0 0\nserver:/x /mnt/nfs\\040share nfs4 rw 0 0\n"
    )
    assert locations.mount_of(Path("/mnt/carbon/2025/w.sqlite"), str(mounts)) == ("cifs", "/mnt/carbon")
    assert locations.mount_of(Path("/mnt/nfs share/w.sqlite"), str(mounts)) == ("nfs4", "/mnt/nfs share")
    assert locations.mount_of(Path("/home/u/w.sqlite"), str(mounts)) == ("ext4", "/")
    assert locations.risky_location(Path("//fileserver/碳排放/w.sqlite")) == ("network", "\\\\fileserver\\碳排放")
