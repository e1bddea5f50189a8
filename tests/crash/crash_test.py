"""Crash test: kill the app with SIGKILL at random moments while it writes; nothing committed is lost.

A worker process runs random operations on a workspace -- saves of single values, submit/lock/amend
cycles, imports of a whole year, online backups -- and prints an ``A`` line before each one and a ``C``
line after its commit returns.  The parent kills it (SIGKILL) at a random moment, then checks:

- ``PRAGMA integrity_check`` is ok and the audit chain verifies (including its replay against the data);
- every committed save is present (the stored value is the last committed one, or the one in flight);
- no half-written state: the twelve months of an imported year carry the same import; month versions
  are contiguous with only the newest a draft; every finished backup file is an intact workspace.

    python tests/crash/crash_test.py --kills 200        # the full run, prints its figures
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

IMPORT_YEAR = 2020
SAVE_YEAR = 2022
AMEND_YEAR = 2021


def _setup(path: Path) -> None:
    from desktop.interchange.report_json import parse_report
    from desktop.services import importer
    from desktop.services.guidelines import forms_by_guideline
    from desktop.storage.workspace import Workspace
    from tests.helpers import clean_document, dumps

    with Workspace.open(path, app_user="setup") as ws:
        for year in (SAVE_YEAR, AMEND_YEAR, IMPORT_YEAR):
            doc = clean_document()
            doc["data_year"] = year
            for month in doc["units"][0]["months"]:
                month.pop("deposited_on")
            importer.import_report(ws=ws, report=parse_report(dumps(doc), forms_by_guideline()))


def _import_doc(k: int):
    from desktop.interchange.report_json import parse_report
    from desktop.services.guidelines import forms_by_guideline
    from tests.helpers import clean_document, dumps

    doc = clean_document()
    doc["data_year"] = IMPORT_YEAR
    for month in doc["units"][0]["months"]:
        month.pop("deposited_on")
        month["note"] = f"import-{k}"
        month["generation_mwh"] = Decimal(k * 1000 + int(month["month"]))
    return parse_report(dumps(doc), forms_by_guideline())


def worker(path: Path, seed: int) -> None:
    """Random writes forever; the parent kills it."""
    from desktop.services import importer, store
    from desktop.storage.errors import StorageError
    from desktop.storage.workspace import Workspace

    rng = random.Random(seed)
    ws = Workspace.open(path, app_user=f"worker-{seed}")
    unit_id = store.list_entities(ws=ws)[0].units[0].id
    imports = [_import_doc(k) for k in range(seed * 1000, seed * 1000 + 3)]  # prepared before READY
    print("READY", flush=True)
    counter = seed * 1_000_000
    while True:
        counter += 1
        op = rng.random()
        if op < 0.55:
            month = rng.randint(1, 12)
            print(f"A save {month} {counter}", flush=True)
            store.save_month(
                ws=ws,
                unit_id=unit_id,
                year=SAVE_YEAR,
                month=month,
                validate=False,
                changes={"fuels[0].consumption": Decimal(counter)},
            )
            print(f"C save {month} {counter}", flush=True)
        elif op < 0.75:
            month = rng.randint(1, 12)
            current = store.get_month(ws=ws, unit_id=unit_id, year=AMEND_YEAR, month=month)
            try:
                if current.status.value == "draft":
                    print(f"A submit {month}", flush=True)
                    store.submit_month(ws=ws, unit_id=unit_id, year=AMEND_YEAR, month=month, today=date(2026, 1, 1))
                elif current.status.value == "submitted":
                    print(f"A lock {month}", flush=True)
                    store.lock_month(
                        ws=ws, unit_id=unit_id, year=AMEND_YEAR, month=month, deposited_on=date(2022, 3, 1)
                    )
                else:
                    print(f"A amend {month}", flush=True)
                    store.amend_month(ws=ws, unit_id=unit_id, year=AMEND_YEAR, month=month, reason=f"fix {counter}")
                print(f"C lifecycle {month}", flush=True)
            except StorageError as exc:
                print(f"R lifecycle {month} {exc.code}", flush=True)
        elif op < 0.9:
            k = counter % 3
            report = imports[k]
            marker = report.units[0].months[0].values["note"]
            print(f"A import {marker}", flush=True)
            importer.import_report(ws=ws, report=report)
            print(f"C import {marker}", flush=True)
        else:
            target = path.parent / "backups" / f"crash-{counter}.sqlite"
            print(f"A backup {target.name}", flush=True)
            ws.backup(target)
            print(f"C backup {target.name}", flush=True)


def _run_once(path: Path, seed: int, rng: random.Random) -> dict:
    proc = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "--worker", str(path), str(seed)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    lines: list[str] = []
    ready = threading.Event()

    def read() -> None:
        for line in proc.stdout:  # type: ignore[union-attr]
            lines.append(line.strip())
            if line.startswith("READY"):
                ready.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    if not ready.wait(60):
        proc.kill()
        proc.wait()
        raise RuntimeError(f"worker did not start: {proc.stderr.read() if proc.stderr else ''}")
    time.sleep(rng.uniform(0.0, 0.8))
    proc.kill()  # SIGKILL: no cleanup, no finally blocks
    proc.wait()
    reader.join(5)
    stderr = proc.stderr.read() if proc.stderr else ""
    for stream in (proc.stdout, proc.stderr):
        if stream is not None:
            stream.close()
    if "Traceback" in stderr:
        raise RuntimeError(f"the worker failed before it was killed:\n{stderr}")
    return {"lines": lines}


def stored_saves(path: Path) -> dict[int, set[Decimal]]:
    """What each month of the saved year holds now: before any run, the value a save killed before its
    commit must leave in place (a month no run has committed to yet keeps the value it was set up with)."""
    from desktop.services import store
    from desktop.storage.workspace import Workspace

    with Workspace.open(path, app_user="checker") as ws:
        unit_id = store.list_entities(ws=ws)[0].units[0].id
        return {
            m: {store.get_month(ws=ws, unit_id=unit_id, year=SAVE_YEAR, month=m).get("fuels[0].consumption")}
            for m in range(1, 13)
        }


def _check(path: Path, log: list[str], expected_saves: dict[int, set[Decimal]]) -> list[str]:
    from desktop.services import audit_check, store
    from desktop.storage.workspace import Workspace

    problems: list[str] = []
    conn = sqlite3.connect(path)
    if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
        problems.append("integrity_check failed")
    conn.close()
    # What this run committed, and what was in flight when it died.
    in_flight: tuple[str, ...] | None = None
    for line in log:
        parts = tuple(line.split())
        if parts[0] == "A":
            in_flight = parts[1:]
        elif parts[0] in ("C", "R"):
            if parts[1] == "save":
                expected_saves[int(parts[2])] = {Decimal(parts[3])}
            in_flight = None
    possible = {m: set(v) for m, v in expected_saves.items()}
    if in_flight and in_flight[0] == "save":
        possible.setdefault(int(in_flight[1]), set()).add(Decimal(in_flight[2]))
    with Workspace.open(path, app_user="checker") as ws:
        audit = audit_check.verify_audit(ws=ws)
        problems += [f"audit: {p}" for p in audit.problems]
        unit_id = store.list_entities(ws=ws)[0].units[0].id
        for month, values in possible.items():
            stored = store.get_month(ws=ws, unit_id=unit_id, year=SAVE_YEAR, month=month).get("fuels[0].consumption")
            if stored not in values:
                history = _audit_of(ws, unit_id, month)
                problems.append(
                    f"save of month {month}: stored {stored}, committed {sorted(values)}; "
                    f"audit: {history}; worker's last lines: {log[-6:]}"
                )
            else:
                expected_saves[month] = {stored}
        notes = {
            store.get_month(ws=ws, unit_id=unit_id, year=IMPORT_YEAR, month=m).values.get("note") for m in range(1, 13)
        }
        if len(notes) != 1:
            problems.append(f"half-written import: the months of {IMPORT_YEAR} carry {sorted(map(str, notes))}")
        for month in range(1, 13):
            history = store.month_history(ws=ws, unit_id=unit_id, year=AMEND_YEAR, month=month)
            if [v.version for v in history] != list(range(1, len(history) + 1)):
                problems.append(f"month {month}: versions {[v.version for v in history]} are not contiguous")
            if any(v.status.value != "locked" for v in history[:-1]):
                problems.append(f"month {month}: an older version is not locked")
    for backup in (path.parent / "backups").glob("*.sqlite"):
        conn = sqlite3.connect(backup)
        try:
            ok = conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            ok = ok and conn.execute("SELECT count(*) FROM audit_log").fetchone()[0] > 0
        except sqlite3.DatabaseError:
            ok = False
        conn.close()
        if not ok:
            problems.append(f"backup {backup.name} is not intact")
        backup.unlink()  # checked once; keeps the next checks (and the disk) small
    return problems


def _audit_of(ws, unit_id: str, month: int) -> list[str]:
    from sqlalchemy import text

    with ws.engine.connect() as conn:
        mv = (
            conn.execute(
                text("SELECT id FROM month_versions WHERE unit_id=:u AND data_year=:y AND month=:m"),
                {"u": unit_id, "y": SAVE_YEAR, "m": month},
            )
            .scalars()
            .all()
        )
        rows = conn.execute(
            text(
                "SELECT seq, app_user, field, new_value FROM audit_log WHERE target IN "
                "(SELECT 'month_versions:' || id FROM month_versions WHERE unit_id=:u AND "
                "data_year=:y AND month=:m) AND field LIKE 'fuels[0].consumption' ORDER BY seq"
            ),
            {"u": unit_id, "y": SAVE_YEAR, "m": month},
        ).all()
    return [f"{len(mv)} version(s)"] + [f"{r.seq}:{r.app_user}:{r.new_value}" for r in rows[-4:]]


def run(kills: int, seed: int = 1) -> int:
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "crash.sqlite"
        _setup(path)
        expected = stored_saves(path)
        committed = {"save": 0, "lifecycle": 0, "import": 0, "backup": 0}
        interrupted: dict[str, int] = {}
        failures = 0
        started = time.perf_counter()
        for i in range(kills):
            log = _run_once(path, seed * 1000 + i, rng)["lines"]
            for line in log:
                parts = line.split()
                if parts[0] == "C":
                    committed[parts[1]] += 1
            last = [line for line in log if line[:1] in "ACR"]
            if last and last[-1].startswith("A"):
                kind = last[-1].split()[1]
                interrupted[kind] = interrupted.get(kind, 0) + 1
            problems = _check(path, log, expected)
            if problems:
                failures += 1
                print(f"kill {i + 1}: " + "; ".join(problems[:5]), flush=True)
        elapsed = time.perf_counter() - started
    print(f"crash test: {kills} SIGKILLs in {elapsed:.1f} s ({elapsed / max(kills, 1):.2f} s each)")
    print(f"  committed before the kills: {committed}")
    print(f"  killed in the middle of: {interrupted or 'nothing (every kill fell between operations)'}")
    print(f"  runs with a problem: {failures} of {kills}")
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker(Path(sys.argv[2]), int(sys.argv[3]))
    else:
        parser = argparse.ArgumentParser()
        parser.add_argument("--kills", type=int, default=200)
        parser.add_argument("--seed", type=int, default=1)
        args = parser.parse_args()
        sys.exit(run(args.kills, args.seed))
