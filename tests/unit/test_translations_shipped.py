"""Issue 13: the compiled translations are committed (a wheel or bundle built from a clean clone has them)
and are exactly what the source catalogue compiles to."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_committed_qm_is_the_compiled_ts(tmp_path: Path) -> None:
    lrelease = shutil.which("pyside6-lrelease", path=str(Path(sys.executable).parent))
    assert lrelease, "pyside6-lrelease comes with PySide6"
    source = ROOT / "resources" / "translations" / "carbondesk_zh_CN.ts"
    out = tmp_path / "zh.qm"
    subprocess.run([lrelease, "-silent", str(source), "-qm", str(out)], check=True)
    committed = ROOT / "resources" / "translations" / "carbondesk_zh_CN.qm"
    assert out.read_bytes() == committed.read_bytes(), "run `make translations` and commit the .qm"
    tracked = subprocess.run(
        ["git", "ls-files", "--error-unmatch", str(committed)], cwd=ROOT, capture_output=True, check=False
    )
    assert tracked.returncode == 0 or not (ROOT / ".git").exists(), "the .qm must be in git"
