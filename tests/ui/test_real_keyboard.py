"""The real window under a real X server, typed into with real X key events (xdotool), read back from disk.

Not QTest and not setData: keys go through the X server, Qt's xcb input handling, the editor, the
delegate, the undo stack, the serial save worker and SQLite, at a touch typist's speed (30 ms a key,
about 50 ms after Enter), while the window recalculates the year after every save.  Then the app is
closed with an editor still open, and every value is read back from the workspace file.

Needs Xvfb, xdotool and xclip (``.ci/run`` installs them); skipped elsewhere, but never on CI.
"""

from __future__ import annotations

import subprocess
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from desktop.services import store
from desktop.services.guidelines import guideline
from desktop.storage.workspace import Workspace
from desktop.ui.models import MonthGridModel, grid_rows
from tests.ui.xserver import MISSING, start_window, xvfb

pytestmark = pytest.mark.skipif(bool(MISSING), reason=f"needs {', '.join(MISSING)}")

KEY_DELAY_MS = 30
AFTER_ENTER_S = 0.05
ENTITY = "Keyboard Plant"


def make_workspace(path: Path) -> None:
    ws = Workspace.open(path, app_user="tester", create=True)
    try:
        entity = store.create_entity(ws=ws, name=ENTITY, uscc="91110000101623741K")
        for code in ("U1", "U2", "U3"):
            unit = store.create_unit(
                ws=ws,
                entity_id=entity.id,
                values={
                    "id": code,
                    "category": "coal_le300",
                    "capacity_mw": Decimal(300),
                    "cooling": "water",
                    "chp": False,
                },
            )
            if code == "U1":  # the data year 2025 exists; January is the month in progress
                store.save_month(ws=ws, unit_id=unit.id, year=2025, month=1, changes={"note": "start"}, validate=False)
    finally:
        ws.close()


class Keyboard:
    def __init__(self, env: dict[str, str], window: str) -> None:
        self.env = env
        self.window = window

    def run(self, *args: str) -> None:
        subprocess.run(["xdotool", *args], env=self.env, check=True, timeout=120)

    def type(self, text: str) -> None:
        self.run("type", "--delay", str(KEY_DELAY_MS), text)  # ``type`` takes every further word as text

    def type_enter(self, text: str) -> None:
        """Type a value and press Enter, then go on typing about 50 ms later, as a fast typist does."""
        self.type(text)
        self.run("key", "Return")
        time.sleep(AFTER_ENTER_S)

    def type_tab(self, text: str) -> None:
        self.type(text)
        self.run("key", "Tab")
        time.sleep(AFTER_ENTER_S)

    def keys(self, *names: str) -> None:
        self.run("key", "--delay", str(KEY_DELAY_MS), *names)

    def goto(self, row: int, column: int) -> None:
        """Ctrl+Home, then the arrow keys: the cursor moves as a keyboard user moves it."""
        self.keys("ctrl+Home", *(["Down"] * row), *(["Right"] * column))


def read_back(path: Path) -> dict[str, tuple[dict, tuple]]:
    ws = Workspace.open(path, create=False)
    try:
        entity = store.list_entities(ws=ws)[0]
        out = {}
        for unit in entity.units:
            month = store.get_month(ws=ws, unit_id=unit.id, year=2025, month=1)
            out[unit.code] = ({}, ()) if month is None else (dict(month.values), tuple(dict(f) for f in month.fuels))
        return out
    finally:
        ws.close()


@pytest.mark.parametrize(
    ("lang", "size", "scale"),
    [("en", "1366x768", "1"), ("zh", "1920x1080", "1.5")],  # a laptop; a desktop screen at 150 %
)
def test_a_fast_typist_on_the_real_window(lang: str, size: str, scale: str, tmp_path: Path) -> None:
    with xvfb(size) as display:
        type_a_month(display, lang, scale, tmp_path)


def type_a_month(display: str, lang: str, scale: str, tmp_path: Path) -> None:
    path = tmp_path / "keyboard.sqlite"
    make_workspace(path)
    form = guideline("power_generation").form
    rows = grid_rows(form, guideline("power_generation"), {"fuels": ["coal"]})

    def row(field: str, fuel: str | None = None) -> int:
        return next(i for i, r in enumerate(rows) if r.spec is not None and r.spec.id == field and r.item == fuel)

    app, env = start_window(display, path, tmp_path / "data", lang=lang, scale=scale, today="2025-02-20")
    try:
        # the title names the entity once its first month is on screen with the cursor in its first cell
        found = subprocess.run(
            ["xdotool", "search", "--sync", "--onlyvisible", "--name", ENTITY],
            env=env,
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        )
        window = found.stdout.split()[0]
        kb = Keyboard(env, window)
        kb.run("windowfocus", "--sync", window)

        # 1. Down a column with Enter: the month items and the coal row of U1 (23 values, dates as typed)
        column_typed = [
            "1234.56",  # purchased electricity
            "160000.5",  # generation
            "150321.7",  # supply
            "5230.4",  # heat supplied
            "0.1234",  # heat ratio
            "720",  # operating hours
            "0.7512",  # load factor
        ]
        for text in column_typed:
            kb.type_enter(text)
        kb.keys("Return")  # the reason for a missing carbon test stays empty
        coal_typed = [
            "65432.1",  # consumption
            "20.908",  # NCV
            "yes",  # carbon measured
            "56.78",
            "1.23",
            "8.9",
            "3.45",
            "0.67",  # C, M_ad, M_ar, H, S
            "Lab A",
            "CNAS L1234",
            "R-2025-01",
            "2025/2/4",  # sample received
            "2025.2.6",  # tested
            "20250210",  # report date
            "no",  # QR code
        ]
        for text in coal_typed:
            kb.type_enter(text)

        # 2. A Tab-driven row: generation of U2 and U3, typed across
        kb.goto(row("generation_mwh"), MonthGridModel.FIXED + 1)
        kb.type_tab("170000.25")
        kb.type_enter("180000.75")

        # 3. Typing over a value right after Enter replaces it (22, then 45 over it)
        kb.goto(row("operating_hours"), MonthGridModel.FIXED + 1)
        kb.type_enter("22")
        kb.keys("Up")
        kb.type_enter("45")

        # 4. A paste from a spreadsheet: purchased electricity of U2 and U3
        subprocess.run(
            ["xclip", "-selection", "clipboard"], input="11.11\t22.22\n", text=True, env=env, timeout=20, check=True
        )
        kb.goto(row("purchased_electricity_mwh"), MonthGridModel.FIXED + 1)
        kb.keys("ctrl+v")

        # 5. A value typed and undone: U3's load factor stays empty
        kb.goto(row("load_factor"), MonthGridModel.FIXED + 2)
        kb.type_enter("0.5")
        kb.keys("ctrl+z")

        # 6. Typed and not entered, then the window is closed: the value is kept
        kb.goto(row("operating_hours"), MonthGridModel.FIXED + 2)
        kb.type("744")
        time.sleep(0.3)
        kb.keys("ctrl+q")
        app.wait(60)
    finally:
        if app.poll() is None:
            app.kill()
        output = app.communicate()[0] if app.stdout else ""
    assert app.returncode == 0, output

    stored = read_back(path)
    u1_values, u1_fuels = stored["U1"]
    assert {k: v for k, v in u1_values.items() if k != "note"} == {
        "purchased_electricity_mwh": Decimal("1234.56"),
        "generation_mwh": Decimal("160000.5"),
        "supply_mwh": Decimal("150321.7"),
        "heat_supply_gj": Decimal("5230.4"),
        "heat_ratio": Decimal("0.1234"),
        "operating_hours": Decimal("720"),
        "load_factor": Decimal("0.7512"),
    }
    assert u1_fuels == (
        {
            "fuel": "coal",
            "consumption": Decimal("65432.1"),
            "ncv": Decimal("20.908"),
            "carbon_measured": True,
            "c_ad_pct": Decimal("56.78"),
            "m_ad_pct": Decimal("1.23"),
            "m_ar_pct": Decimal("8.9"),
            "h_ad_pct": Decimal("3.45"),
            "s_t_ad_pct": Decimal("0.67"),
            "lab_name": "Lab A",
            "lab_accreditation_no": "CNAS L1234",
            "report_no": "R-2025-01",
            "sample_received_date": date(2025, 2, 4),
            "test_date": date(2025, 2, 6),
            "report_date": date(2025, 2, 10),
            "qr_present": False,
        },
    )
    assert stored["U2"] == (
        {
            "generation_mwh": Decimal("170000.25"),
            "operating_hours": Decimal("45"),
            "purchased_electricity_mwh": Decimal("11.11"),
        },
        (),
    )
    assert stored["U3"] == (
        {
            "generation_mwh": Decimal("180000.75"),
            "purchased_electricity_mwh": Decimal("22.22"),
            "operating_hours": Decimal("744"),
        },
        (),
    )
