"""Issue 13: the README's first command-line session runs as written, one line after the other, on a
fresh data directory (no workspace given: after `demo`, the demo's workspace is used and said so)."""

from __future__ import annotations

import io
import re
import shlex
from pathlib import Path

import pytest

from desktop.cli.main import main as cli_main

README = Path(__file__).resolve().parents[2] / "README.md"
EXPECTED_EXIT = {"check": 1, "verify": 4}  # as the README's comments say


def session() -> list[str]:
    text = README.read_text(encoding="utf-8")
    block = re.search(r"<!-- first-session -->\s*```sh\n(.*?)```\s*<!-- /first-session -->", text, re.S)
    assert block, "the README lost its first-session block"
    return [line.split("  #", 1)[0].strip() for line in block.group(1).splitlines() if line.strip()]


def test_the_readmes_first_session_runs_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARBONDESK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    lines = session()
    assert len(lines) >= 8
    for line in lines:
        words = shlex.split(line)
        while "=" in words[0] and not words[0].startswith("-"):  # VAR=value before the command
            name, value = words.pop(0).split("=", 1)
            monkeypatch.setenv(name, value)
        assert words[0] == "carbondesk", line
        out, err = io.StringIO(), io.StringIO()
        code = cli_main(["--lang", "en", *words[1:]], out=out, err=err)
        assert code == EXPECTED_EXIT.get(words[1], 0), f"{line}: exit {code}\n{out.getvalue()}{err.getvalue()}"
        if words[1] in ("export-pdf", "package"):
            assert "using the demo workspace" in err.getvalue()
    for name in ("demo.json", "report.pdf", "report.xlsx", "pkg.zip"):
        assert (tmp_path / name).stat().st_size > 0, name


def test_a_workspace_url_is_not_taken_for_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A PostgreSQL URL goes to the database as given (never a SQLite file named "postgresql:"), no
    demo fallback and no file-location warning."""
    monkeypatch.setenv("CARBONDESK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    out, err = io.StringIO(), io.StringIO()
    code = cli_main(["--lang", "en", "--workspace", "postgresql://u@127.0.0.1:1/none", "audit", "verify"], out, err)
    assert code == 2 and "PostgreSQL workspace needs an evidence folder" in err.getvalue()
    assert list(tmp_path.iterdir()) == []  # nothing created here
