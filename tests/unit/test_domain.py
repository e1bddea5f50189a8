"""Numbers people type, the USCC check, deadlines and the period state machine."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.domain import uscc
from desktop.domain.numbers import (
    NUM_BAD_GROUPING,
    NUM_EMPTY,
    NUM_EXPONENT,
    NUM_NOT_A_NUMBER,
    NUM_NOT_FINITE,
    NumberFormatError,
    format_decimal,
    parse_decimal,
    round_reported,
)
from desktop.domain.periods import (
    DepositState,
    PeriodStatus,
    PeriodTransitionError,
    PeriodVersion,
    annual_report_due,
    deposit_due,
    deposit_state,
    hours_in_month,
)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1,234.5", "1234.5"),
        (" 42 ", "42"),
        ("１２３", "123"),
        ("１，２３４．５", "1234.5"),
        ("\u22125.5", "-5.5"),
        ("+0.03085", "0.03085"),
        ("\u3000389.31\u00a0", "389.31"),
        ("12,345,678", "12345678"),
        (".5", "0.5"),
    ],
)
def test_numbers_as_people_type_them(text: str, value: str) -> None:
    assert parse_decimal(text) == Decimal(value)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", NUM_EMPTY),
        ("   ", NUM_EMPTY),
        ("abc", NUM_NOT_A_NUMBER),
        ("1.5e3", NUM_EXPONENT),  # no data item is typed in exponent notation; 1e999 broke workspaces
        ("1e999", NUM_EXPONENT),
        ("12吨", NUM_NOT_A_NUMBER),
        ("1.2.3", NUM_NOT_A_NUMBER),
        ("NaN", NUM_NOT_FINITE),
        ("-inf", NUM_NOT_FINITE),
        ("Infinity", NUM_NOT_FINITE),
        ("1,23,4", NUM_BAD_GROUPING),
        ("1,2345", NUM_BAD_GROUPING),
    ],
)
def test_what_is_not_a_number(text: str, reason: str) -> None:
    with pytest.raises(NumberFormatError) as info:
        parse_decimal(text)
    assert info.value.reason == reason


@given(st.decimals(allow_nan=False, allow_infinity=False, places=4, min_value=-(10**12), max_value=10**12))
def test_formatted_numbers_parse_back(value: Decimal) -> None:
    assert parse_decimal(format_decimal(value)) == value


def test_reported_tonnes_round_half_up() -> None:
    assert round_reported(Decimal("2.5")) == 3
    assert round_reported(Decimal("3.5")) == 4
    assert round_reported(Decimal("-2.5")) == -3
    assert round_reported(Decimal("0.1234567"), 6) == Decimal("0.123457")


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("91110000101623741K", uscc.UsccStatus.VALID),
        ("911101066976941872", uscc.UsccStatus.VALID),
        ("91350100M000100Y43", uscc.UsccStatus.VALID),
        ("91310115MA1H8R7C6D", uscc.UsccStatus.BAD_CHECK),
        ("91110000101623741", uscc.UsccStatus.BAD_SHAPE),
        ("9111000010162374IK", uscc.UsccStatus.BAD_SHAPE),  # I is not in the set
        ("91AB0000101623741K", uscc.UsccStatus.BAD_SHAPE),  # division code must be digits
    ],
)
def test_uscc_vectors(code: str, status: uscc.UsccStatus) -> None:
    assert uscc.check(code).status is status


def test_uscc_expected_check_character() -> None:
    assert uscc.check("91310115MA1H8R7C6D").expected_check == "7"


def test_uscc_normalises_spaces_and_case() -> None:
    result = uscc.check(" 9111 0000 1016 2374 1k ")
    assert result.status is uscc.UsccStatus.VALID
    assert result.normalized == "91110000101623741K" and result.changed_by_normalising


_CHARS = uscc.CHARSET


@given(
    st.text(alphabet=_CHARS, min_size=2, max_size=2),
    st.text(alphabet="0123456789", min_size=6, max_size=6),
    st.text(alphabet=_CHARS, min_size=9, max_size=9),
    st.integers(min_value=0, max_value=16),
    st.integers(min_value=1, max_value=30),
)
def test_any_single_substitution_is_caught(head: str, division: str, org: str, pos: int, shift: int) -> None:
    body = head + division + org
    code = body + uscc.check_character(body)
    assert uscc.check(code).status is uscc.UsccStatus.VALID
    if 2 <= pos <= 7:  # keep the shape valid: the division code stays digits
        replacement = str((int(code[pos]) + shift) % 10)
        if replacement == code[pos]:
            return
    else:
        replacement = _CHARS[(_CHARS.index(code[pos]) + shift) % 31]
    mutated = code[:pos] + replacement + code[pos + 1 :]
    assert uscc.check(mutated).status is uscc.UsccStatus.BAD_CHECK


def test_deposit_and_report_dates() -> None:
    assert deposit_due(2022, 1, 40) == date(2022, 3, 12)
    assert deposit_due(2024, 2, 40) == date(2024, 4, 9)  # leap year


def test_a_sector_that_began_monthly_deposits_mid_year_back_fills_its_earlier_months() -> None:
    from desktop.domain.periods import DepositRule

    rule = DepositRule(40, monthly_from=date(2025, 7, 1), backfill_due=date(2025, 10, 31))
    assert rule.due(2025, 1) == rule.due(2025, 6) == date(2025, 10, 31)  # Jan–Jun 2025 by 31 October
    assert rule.due(2025, 7) == date(2025, 9, 9)  # then month end + 40 days
    assert rule.due(2026, 1) == deposit_due(2026, 1, 40)
    assert DepositRule(40).due(2025, 1) == deposit_due(2025, 1, 40)
    assert deposit_due(2022, 12, 40) == date(2023, 2, 9)
    assert annual_report_due(2022, 3, 31) == date(2023, 3, 31)
    assert hours_in_month(2024, 2) == 696 and hours_in_month(2023, 2) == 672


def test_deposit_states() -> None:
    due = date(2022, 3, 12)
    kw = {"due": due}
    assert (
        deposit_state(has_values=False, has_errors=False, deposited_on=None, today=date(2022, 2, 1), **kw)
        is DepositState.NOT_STARTED
    )
    assert (
        deposit_state(has_values=True, has_errors=True, deposited_on=None, today=date(2022, 2, 1), **kw)
        is DepositState.IN_PROGRESS
    )
    assert (
        deposit_state(has_values=True, has_errors=False, deposited_on=None, today=date(2022, 2, 1), **kw)
        is DepositState.READY
    )
    assert (
        deposit_state(has_values=True, has_errors=False, deposited_on=None, today=date(2022, 3, 13), **kw)
        is DepositState.LATE
    )
    assert (
        deposit_state(has_values=True, has_errors=False, deposited_on=date(2022, 3, 1), today=date(2022, 4, 1), **kw)
        is DepositState.DEPOSITED
    )


def test_period_state_machine() -> None:
    v1 = PeriodVersion()
    assert v1.writable
    with pytest.raises(PeriodTransitionError) as info:
        v1.submit(has_errors=True)
    assert info.value.code == "PER-E002"
    locked = v1.submit(has_errors=False).lock()
    assert locked.status is PeriodStatus.LOCKED and not locked.writable
    with pytest.raises(PeriodTransitionError):
        locked.submit(has_errors=False)
    with pytest.raises(PeriodTransitionError) as info:
        locked.amend(reason="  ")
    assert info.value.code == "PER-E006"
    v2 = locked.amend(reason="化验报告更正")
    assert v2.version == 2 and v2.writable and v2.amendment_reason == "化验报告更正"
    assert v1.submit(has_errors=False).reopen().status is PeriodStatus.DRAFT


def test_a_place_in_a_report_is_one_type_written_and_read_alike() -> None:
    """Findings, justifications, evidence links and provenance name places with FieldRef and MonthPath."""
    from desktop.domain.findings import FieldRef
    from desktop.domain.paths import MonthPath

    places = [
        FieldRef("1#", 3, 0, "ncv", "fuel"),
        FieldRef("1#", 3, None, "clinker_t", "month"),
        FieldRef(field="ccer_used_t", scope="year"),
        FieldRef(field="name", scope="entity"),
        FieldRef("2#系列", scope="unit_year", field="prior_year_verified_t"),
        FieldRef("矿山", 5, 1, "consumption_t", "raw_material", "alt_raw_materials"),
        FieldRef("1#", 12, None, None, "month"),
        FieldRef(),
    ]
    for ref in places:
        again = FieldRef.parse(ref.path)
        assert again is not None and again.path == ref.path, ref.path
    assert FieldRef("1#", 3, 0, "ncv").month_path == MonthPath("ncv", "fuels", 0)
    assert (
        str(FieldRef("矿山", 5, 1, "consumption_t", rows="alt_raw_materials").month_path)
        == "alt_raw_materials[1].consumption_t"
    )
    assert FieldRef.parse("units[1#].months[3].fuels[x].ncv") is None  # not a place: refused, never guessed
    assert MonthPath.parse("fuels[0]") == MonthPath(None, "fuels", 0) and MonthPath.parse("Fuels[0]") is None
