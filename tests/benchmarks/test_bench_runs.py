"""The benchmark script runs (its figures are printed by `make bench`; no timing is asserted here)."""

from __future__ import annotations

import io
from contextlib import redirect_stdout

from tests.benchmarks.bench_engine import main


def test_benchmark_script_runs_and_prints_figures() -> None:
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["--quick"]) == 0
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("calculate + validate")
    assert any(line.split()[0] == "200" for line in lines[2:])


def test_storage_benchmark_runs_and_prints_figures() -> None:
    from tests.benchmarks.bench_storage import main as storage_main

    out = io.StringIO()
    with redirect_stdout(out):
        assert storage_main(["--quick"]) == 0
    assert "save one month" in out.getvalue() and "calculate + validate one year from storage" in out.getvalue()


def test_package_benchmark_runs_and_prints_figures() -> None:
    from tests.benchmarks.bench_package import main as package_main

    out = io.StringIO()
    with redirect_stdout(out):
        assert package_main(["--quick"]) == 0
    assert "demo workspace" in out.getvalue() and "build" in out.getvalue()


def test_command_line_figures_at_group_sizes() -> None:
    """`bench_package.py --sizes`: check, calc --json and package from the command line, with their memory."""
    from tests.benchmarks.bench_package import main as package_main

    out = io.StringIO()
    with redirect_stdout(out):
        assert package_main(["--sizes", "3"]) == 0
    row = out.getvalue().splitlines()[-1].split()
    assert row[0] == "3" and row.count("s") == 3 and row.count("MiB") == 3 and "MB" in row
    assert float(row[row.index("MB") - 1]) > 0  # calc --json wrote its JSON
    assert float(row[row.index("MiB)") - 1]) > 0  # the package's PDF helper ran, and its memory is shown
