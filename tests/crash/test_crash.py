"""The crash test in a reduced form (the full 200 kills: `make crash`), and proof that its checker bites."""

from __future__ import annotations

import random
import sqlite3
from decimal import Decimal
from pathlib import Path

from tests.crash import crash_test


def test_sigkill_during_writes_loses_nothing_committed(capsys) -> None:
    assert crash_test.run(kills=12, seed=7) == 0
    out = capsys.readouterr().out
    assert "runs with a problem: 0 of 12" in out


def test_the_checker_detects_lost_and_half_written_data(tmp_path: Path) -> None:
    path = tmp_path / "crash.sqlite"
    crash_test._setup(path)
    log = crash_test._run_once(path, 99, random.Random(3))["lines"]
    expected: dict[int, set[Decimal]] = {}
    assert crash_test._check(path, log, expected) == []
    # Pretend a committed save vanished, and an import stopped half-way (both edited behind the app's back).
    conn = sqlite3.connect(path)
    conn.execute(  # whatever the worker managed to import, July now differs from the other months
        "UPDATE month_versions SET values_json = json_set(values_json, '$.note', 'half-written') "
        "WHERE data_year = 2020 AND month = 7"
    )
    conn.commit()
    conn.close()
    expected[5] = {Decimal(-1)}
    problems = crash_test._check(path, log, expected)
    assert any("half-written import" in p for p in problems)
    assert any("save of month 5" in p for p in problems)
    assert any(p.startswith("audit:") for p in problems)
