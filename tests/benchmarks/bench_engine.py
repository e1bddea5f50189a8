"""Speed of the accounting core: calculate and validate a plant's year and a group's year.

Prints figures; asserts nothing about time (a busy machine must not fail a build).
Targets (issue 2, on the 2-core reference machine): 12-unit plant < 50 ms, 200-unit group < 2 s.

    python tests/benchmarks/bench_engine.py [--quick]
"""

from __future__ import annotations

import argparse
import copy
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from desktop.interchange.report_json import dumps_exact, parse_report
from desktop.services import demo
from desktop.services.evaluation import evaluate
from desktop.services.guidelines import forms_by_guideline


def group_document(units: int) -> dict:
    """``units`` units cycled from the demo plant's three, each with a full year of months."""
    base = demo.demo_document()
    template = base["units"]
    base["units"] = []
    for i in range(units):
        unit = copy.deepcopy(template[i % len(template)])
        unit["id"] = f"{unit['id']}-{i + 1:03d}"
        base["units"].append(unit)
    return base


def measure(units: int, repeats: int) -> tuple[float, float, int, int]:
    report = parse_report(dumps_exact(group_document(units)), forms_by_guideline())
    times = []
    findings = 0
    for _ in range(repeats):
        start = time.perf_counter()
        ev = evaluate(report=report, today=date(2026, 11, 23))
        times.append(time.perf_counter() - start)
        findings = len(ev.findings)
    return statistics.median(times), min(times), findings, sum(len(u.months) for u in report.units)


def json_against_check(units: int, repeats: int) -> tuple[float, float, int]:
    """The command line's ``calc --json`` and ``check`` on the same year, in the same run (best of repeats):
    their times and the size of the JSON (issue 15: calc --json <= 1.5x check; <= 8 MB at 50 units)."""
    import io
    import tempfile

    from desktop.cli.main import main as cli_main

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "year.json"
        path.write_text(dumps_exact(group_document(units)), encoding="utf-8")
        best = {"check": float("inf"), "calc": float("inf")}
        size = 0
        for _ in range(repeats):
            for name, args in (("check", ["check", str(path)]), ("calc", ["calc", "--json", str(path)])):
                out = io.StringIO()
                start = time.perf_counter()
                cli_main(["--lang", "en", *args, "--today", "2026-11-23"], out=out, err=io.StringIO())
                best[name] = min(best[name], time.perf_counter() - start)
                if name == "calc":
                    size = len(out.getvalue().encode("utf-8"))
    return best["check"], best["calc"], size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer repeats (used by the test suite)")
    args = parser.parse_args(argv)
    cases = [(12, 3 if args.quick else 15, 0.050), (200, 1 if args.quick else 5, 2.0)]
    if not args.quick:
        cases.append((800, 2, 8.0))
    print("calculate + validate one data year (median of repeats)")
    print(f"{'units':>6} {'unit-months':>12} {'median s':>10} {'best s':>10} {'findings':>9} {'target s':>9}")
    best_of: dict[int, float] = {}
    for units, repeats, target in cases:
        median, best, findings, months = measure(units, repeats)
        best_of[units] = best
        print(
            f"{units:>6} {months:>12} {median:>10.4f} {best:>10.4f} {findings:>9} {target:>9.3f}"
            f"  {'within target' if median < target else 'ABOVE TARGET'}"
        )
    if 800 in best_of:  # issue 15: the cost of a unit from 200 to 800 units against that from 12 to 200
        small = (best_of[200] - best_of[12]) / 188
        large = (best_of[800] - best_of[200]) / 600
        print(
            f"cost per added unit: 12-200 {small * 1000:.2f} ms, 200-800 {large * 1000:.2f} ms, "
            f"ratio {large / small:.2f} (target <= 1.25)"
        )
    units = 12 if args.quick else 50
    check, calc, size = json_against_check(units, 1 if args.quick else 3)
    print(
        f"calc --json against check, {units} units (best of runs): check {check:.3f} s, calc --json {calc:.3f} s, "
        f"ratio {calc / check:.2f} (target <= 1.5), JSON {size / 1e6:.1f} MB (target at 50 units <= 8 MB)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
