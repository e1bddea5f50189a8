"""Time to build (and verify) the signed submission package: the demo workspace and a 50-unit entity.

Prints figures; asserts nothing about time. Target (issue 5): the demo package under 3 s.

    python tests/benchmarks/bench_package.py [--quick]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from desktop.services import importer, package, store
from desktop.services.demo import create_demo_workspace
from desktop.signing.core import create_self_signed
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
            f"the year's check alone {check:.2f} s: package/check {built / check:.1f} (issue 15 target <= 3)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
