"""The SLA clock on the worked cases of domain.md, through the 2025-2026 calendar."""

from __future__ import annotations

import csv
from datetime import date, datetime
from importlib import resources

import pytest

from desk.rules.catalogue import benefit
from desk.rules.sla_clock import due_after_calendar_days, due_after_working_days, due_for_step
from desk.rules.working_calendar import WorkingCalendar


def _shipped_calendar() -> WorkingCalendar:
    text = resources.files("desk.data").joinpath("cn_workdays_2025_2026.csv").read_text("utf-8")
    rows = csv.DictReader(text.splitlines())
    return WorkingCalendar.from_days((date.fromisoformat(r["date"]), r["kind"]) for r in rows)


CALENDAR = _shipped_calendar()


def due(submitted: str, working_days: int) -> str:
    result = due_after_working_days(datetime.fromisoformat(submitted), working_days, CALENDAR)
    return result.at.strftime("%Y-%m-%d %H:%M")


@pytest.mark.parametrize(
    ("submitted", "working_days", "expected"),
    [
        # domain.md: Friday before the Spring Festival; Saturday 14 Feb is a make-up working day.
        ("2026-02-13 16:00", 1, "2026-02-14 16:00"),
        # domain.md: across the National Day holiday, Oct 1-7; Oct 8 is the first working day.
        ("2026-09-30 11:00", 2, "2026-10-09 11:00"),
        # An ordinary week.
        ("2026-11-24 10:30", 1, "2026-11-25 10:30"),
        ("2026-11-27 17:00", 1, "2026-11-30 17:00"),
        # Submitted on a holiday: moved to 00:00 of Oct 8, due at the end of Oct 8.
        ("2026-10-03 11:00", 1, "2026-10-09 00:00"),
        # On a Sunday, 2 working days: Mon counts as the first, due end of Tuesday.
        ("2026-11-22 09:00", 2, "2026-11-25 00:00"),
        # 2025 Spring Festival: Jan 26 (Sun) was a make-up working day.
        ("2025-01-24 15:00", 1, "2025-01-26 15:00"),
        ("2025-01-27 15:00", 1, "2025-02-05 15:00"),
        # Admission: 10 working days from documents complete.
        ("2026-04-30 14:00", 10, "2026-05-18 14:00"),
        # 2025 National Day and Mid-autumn: Oct 1-8 off; Sun 28 Sep and Sat 11 Oct worked.
        ("2025-09-30 11:00", 1, "2025-10-09 11:00"),
        ("2025-09-30 11:00", 3, "2025-10-11 11:00"),
        ("2025-09-26 17:00", 1, "2025-09-28 17:00"),  # Friday to the make-up Sunday
        ("2025-09-28 10:00", 1, "2025-09-29 10:00"),  # submitted on the make-up Sunday itself
        # Submitted on a Labour Day holiday: May 6 counts as the first day, due at its end.
        ("2025-05-03 10:00", 1, "2025-05-07 00:00"),
        # An ordinary Saturday before a make-up Sunday (27 Apr 2025): that Sunday is day one.
        ("2025-04-26 10:00", 1, "2025-04-28 00:00"),
        # Dragon Boat Festival, 31 May - 2 Jun 2025.
        ("2025-05-30 15:00", 1, "2025-06-03 15:00"),
    ],
)
def test_working_day_deadlines(submitted, working_days, expected):
    assert due(submitted, working_days) == expected


def test_a_deadline_past_the_known_calendar_is_flagged():
    result = due_after_working_days(datetime(2026, 12, 31, 11), 1, CALENDAR)
    assert result.calendar_unknown_after == date(2026, 12, 31)
    assert due_after_working_days(datetime(2026, 12, 29, 11), 1, CALENDAR).calendar_unknown_after is None


def test_past_the_known_calendar_monday_to_friday_is_assumed_and_said():
    # 1 Jan 2027 will surely be a holiday, but until the arrangement is in it counts as a Friday.
    result = due_after_working_days(datetime(2026, 12, 30, 15), 3, CALENDAR)
    assert (result.at, result.calendar_unknown_after) == (datetime(2027, 1, 4, 15), date(2026, 12, 31))


def test_calendar_day_limits_ignore_holidays():
    # A complaint received on 30 Sep is decided within 15 calendar days, holidays or not.
    assert due_after_calendar_days(datetime(2026, 9, 30, 11), 15).at == datetime(2026, 10, 15, 11)


def test_catalogue_steps_use_their_own_units():
    escort_eligibility = benefit("escort").sla_steps[0]
    assert due_for_step(escort_eligibility, datetime(2026, 2, 13, 16), CALENDAR).at == datetime(2026, 2, 14, 16)
    claim_decision = benefit("advance_claim").sla_steps[0]
    assert due_for_step(claim_decision, datetime(2026, 9, 30, 11), CALENDAR).at == datetime(2026, 10, 30, 11)
    assert due_for_step(benefit("news").sla_steps[0], datetime(2026, 9, 30, 11), CALENDAR) is None


def test_working_days_between_counts_withdrawal_to_visit():
    # Withdrawal Wed 30 Sep, visit Fri 9 Oct: only Oct 8 and Oct 9 are working days.
    assert CALENDAR.working_days_between(date(2026, 9, 30), date(2026, 10, 9)) == 2
    assert CALENDAR.working_days_between(date(2026, 9, 30), date(2026, 10, 8)) == 1


@pytest.mark.parametrize(
    ("today", "missing"),
    [
        ("2026-10-31", None),  # the arrangement is announced in late autumn: no warning yet
        ("2026-11-01", 2027),
        ("2026-12-31", 2027),
        ("2025-11-01", None),  # 2026 is in the shipped calendar
    ],
)
def test_next_year_is_missing_from_1_november(today, missing):
    assert CALENDAR.missing_next_year(date.fromisoformat(today)) == missing
