"""Time to build (and verify) the signed submission package: the demo workspace and a 50-unit entity.

Prints figures; asserts nothing about time. Target (issue 5): the demo package under 3 s; (issue 15) the
package of a 50-unit year within 3x the year's check -- measured inside one process (the work alone) and
from outside, as a user or a script runs the two commands (each a fresh process: start, libraries, work).

    python tests/benchmarks/bench_package.py [--quick]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from desktop.services import importer, package, store
from desktop.services.demo import create_demo_workspace
from desktop.signing.core import create_self_signed, save_signer
from desktop.storage.workspace import Workspace
from tests.benchmarks.bench_storage import group_year


def timed(ws: Workspace, signer, target: Path) -> tuple[float, float, int]:
    entity_id = store.list_entities(ws=ws)[0].id
    start = time.perf_counter()
    package.build_package(
        ws=ws, entity_id=entity_id, year=2025, target=target, signer=signer, today=date(2026, 11, 23), allow_errors=True
    )
    built = time.perf_counter() - start
    start = time.perf_counter()
    assert package.verify_package(target).intact
    return built, time.perf_counter() - start, target.stat().st_size


def _seconds(work) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


REPO = Path(__file__).resolve().parents[2]
CLI = "import sys; from desktop.cli.main import main; sys.exit(main())"


def command_line(workspace: Path, signer_dir: Path, target: Path, runs: int = 3) -> tuple[float, float]:
    """Median seconds of `carbondesk check` and `carbondesk package` on the same workspace year, each a
    fresh process."""
    env = {**os.environ, "CD_BENCH_PASS": "bench-passphrase", "PYTHONIOENCODING": "utf-8"}
    common = [sys.executable, "-c", CLI, "--lang", "en", "--workspace", str(workspace)]
    check = [*common, "check", "--year", "2025", "--today", "2026-11-23"]
    build = [
        *common,
        "package",
        str(target),
        "--year",
        "2025",
        "--today",
        "2026-11-23",
        "--signer",
        str(signer_dir),
        "--passphrase-env",
        "CD_BENCH_PASS",
        "--allow-errors",
    ]

    def seconds(command: list[str], ok: tuple[int, ...]) -> float:
        start = time.perf_counter()
        done = subprocess.run(command, check=False, env=env, cwd=REPO, capture_output=True, text=True)
        if done.returncode not in ok:
            raise SystemExit(f"{command[4:]} failed ({done.returncode}): {done.stderr[-2000:]}")
        return time.perf_counter() - start

    checks = [seconds(check, (0, 1)) for _ in range(runs)]  # 1: the year has errors, as the group's has
    builds = [seconds(build, (0,)) for _ in range(runs)]
    return statistics.median(checks), statistics.median(builds)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    signer = create_self_signed(name="bench")
    print("signed package (PDF + PAdES, workbook, JSON, evidence, CMS-signed manifest)")
    with tempfile.TemporaryDirectory() as tmp:
        with create_demo_workspace(Path(tmp) / "demo.sqlite", today=date(2026, 11, 23)) as ws:
            built, verified, size = timed(ws, signer, Path(tmp) / "demo.zip")
        print(
            f"  demo workspace (3 units, 143 scans): build {built:.2f} s, verify {verified:.2f} s, "
            f"{size / 1e6:.1f} MB (target < 3 s)"
        )
        units = 6 if args.quick else 50
        with Workspace.open(Path(tmp) / "group.sqlite", app_user="bench") as ws:
            importer.import_report(ws=ws, report=group_year(units, 2025))
            entity_id = store.list_entities(ws=ws)[0].id
            check = min(
                _seconds(lambda: store.compute_year(ws=ws, entity_id=entity_id, year=2025, today=date(2026, 11, 23)))
                for _ in range(3)
            )
            built, verified, size = timed(ws, signer, Path(tmp) / "group.zip")
        print(
            f"  {units}-unit entity: build {built:.2f} s, verify {verified:.2f} s, {size / 1e6:.1f} MB; "
            f"the year's check alone {check:.2f} s: package/check {built / check:.1f} in one process "
            "(issue 15 target <= 3)"
        )
        save_signer(signer, Path(tmp) / "signer", b"bench-passphrase")
        cli_check, cli_package = command_line(Path(tmp) / "group.sqlite", Path(tmp) / "signer", Path(tmp) / "cli.zip")
        print(
            f"  {units}-unit entity from the command line: `carbondesk check` {cli_check:.2f} s, "
            f"`carbondesk package` {cli_package:.2f} s: ratio {cli_package / cli_check:.1f} (issue 15 target <= 3)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
