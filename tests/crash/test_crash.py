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
    expected = crash_test.stored_saves(path)  # a save killed before its commit leaves these in place
    log = crash_test._run_once(path, 99, random.Random(3))["lines"]
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


def test_a_save_killed_before_its_commit_leaves_the_value_before(tmp_path: Path) -> None:
    """The worker said it was saving month 1 and died before the commit: the month keeps the value it had
    -- here the one it was set up with, no save of it having committed before (the checker once wanted the
    new value then, and failed a run that lost nothing)."""
    path = tmp_path / "crash.sqlite"
    crash_test._setup(path)
    expected = crash_test.stored_saves(path)
    assert crash_test._check(path, ["READY", "A save 1 99000034"], expected) == []
    # and a save that did commit must be there
    problems = crash_test._check(path, ["READY", "A save 2 99000035", "C save 2 99000035"], expected)
    assert any("save of month 2" in p for p in problems)
