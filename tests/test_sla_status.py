"""Overdue, due soon, on track: worked cases with the 2026 calendar and hotline hours."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from desk.rules.sla_status import (
    SlaState,
    due_soon_until,
    sla_state,
    working_time_between,
    working_time_left,
)
from tests.test_sla_clock import CALENDAR


@pytest.mark.parametrize(
    ("now", "due", "state"),
    [
        ("2026-11-24 10:00", "2026-11-24 09:59", SlaState.OVERDUE),
        ("2026-11-24 10:00", "2026-11-24 10:00", SlaState.DUE_SOON),  # not yet past it
        ("2026-11-24 10:00", "2026-11-24 23:00", SlaState.DUE_SOON),  # the rest of today
        ("2026-11-24 18:00", "2026-11-25 11:00", SlaState.DUE_SOON),  # 2 h today + 2 h tomorrow
        ("2026-11-24 18:00", "2026-11-25 11:01", SlaState.ON_TRACK),
        ("2026-11-24 10:00", "2026-11-25 10:00", SlaState.ON_TRACK),
        # Friday evening to Monday morning: the weekend has no hotline hours.
        ("2026-11-27 19:00", "2026-11-30 12:00", SlaState.DUE_SOON),
        # National Day: from 30 Sep 19:00 to 8 Oct 12:00 is 1 h + 3 h of hotline time.
        ("2026-09-30 19:00", "2026-10-08 12:00", SlaState.DUE_SOON),
        ("2026-09-30 19:00", "2026-10-08 12:30", SlaState.ON_TRACK),
        # On a holiday the rest of the day does not count as a working day.
        ("2026-10-03 10:00", "2026-10-03 23:00", SlaState.DUE_SOON),  # 0 working hours away
        ("2026-10-03 10:00", "2026-10-08 14:00", SlaState.ON_TRACK),
    ],
)
def test_sla_state(now, due, state):
    assert sla_state(datetime.fromisoformat(due), datetime.fromisoformat(now), CALENDAR) is state


def test_working_time_counts_hotline_hours_of_working_days_only():
    start, end = datetime(2026, 2, 13, 8, 0), datetime(2026, 2, 16, 12, 0)
    # Fri 13 Feb 9:00-20:00 (11 h) + Sat 14 Feb make-up day (11 h); 15, 16 are holidays.
    assert working_time_between(start, end, CALENDAR) == timedelta(hours=22)
    assert working_time_between(end, start, CALENDAR) == timedelta()


@pytest.mark.parametrize(
    ("now", "until"),
    [
        ("2026-11-24 10:00", "2026-11-25 00:00"),  # the rest of a working day is longer than 4 h
        ("2026-11-24 18:00", "2026-11-25 11:00"),  # 2 h today, 2 h tomorrow morning
        ("2026-11-27 19:00", "2026-11-30 12:00"),  # Friday evening: the weekend adds nothing
        ("2026-10-03 10:00", "2026-10-08 13:00"),  # a holiday has no "rest of today"
        ("2026-11-24 16:00", "2026-11-25 09:00"),  # out exactly at closing: due until opening
    ],
)
def test_due_soon_until(now, until):
    assert due_soon_until(datetime.fromisoformat(now), CALENDAR) == datetime.fromisoformat(until)


def _due_soon_as_domain_says(due: datetime, now: datetime) -> bool:
    # domain.md word for word: within the rest of the current working day or 4 hotline hours.
    today_ends = datetime.combine(now.date() + timedelta(days=1), datetime.min.time())
    rest_of_today = CALENDAR.is_working_day(now.date()) and due <= today_ends
    return now <= due and (rest_of_today or working_time_between(now, due, CALENDAR) <= timedelta(hours=4))


def test_due_soon_until_agrees_with_the_rule_at_every_quarter_hour():
    # A queue sorts by due time and cuts the states at instants; they must say what the
    # rule says for every due time, across a weekend, National Day and a make-up day.
    for start in ("2026-09-30 19:00", "2026-10-09 17:45", "2026-02-13 20:00", "2026-11-27 08:00"):
        now = datetime.fromisoformat(start)
        until = due_soon_until(now, CALENDAR)
        for quarter in range(0, 4 * 24 * 12):
            due = now + timedelta(minutes=15 * quarter)
            assert (due <= until) is _due_soon_as_domain_says(due, now), (now, due)


def test_working_time_left_is_negative_once_overdue():
    now = datetime(2026, 11, 25, 10, 0)
    assert working_time_left(datetime(2026, 11, 24, 19, 0), now, CALENDAR) == -timedelta(hours=2)
    assert working_time_left(datetime(2026, 11, 25, 12, 30), now, CALENDAR) == timedelta(hours=2, minutes=30)
