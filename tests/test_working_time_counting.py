"""Working days and hotline time are counted without walking the calendar (issue #14),
and give exactly what a day-by-day walk gives: on the shipped 2025-2026 arrangement, past
its end, and on made-up calendars with holidays and make-up days anywhere.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from desk.rules.sla_status import (
    HOTLINE_CLOSES,
    HOTLINE_OPENS,
    working_time_between,
    working_time_left,
)
from desk.rules.working_calendar import HOLIDAY, WORKDAY, WorkingCalendar
from tests.test_sla_clock import CALENDAR

COUNTING = settings(max_examples=300, deadline=None, derandomize=True)
DAYS = st.dates(min_value=date(2022, 1, 1), max_value=date(2028, 12, 31))
MOMENTS = st.datetimes(min_value=datetime(2022, 1, 1), max_value=datetime(2028, 12, 31))
MADE_UP = st.dictionaries(DAYS, st.sampled_from([HOLIDAY, WORKDAY]), max_size=40).map(
    lambda days: WorkingCalendar.from_days(days.items()))
CALENDARS = st.one_of(st.just(CALENDAR), MADE_UP, st.just(WorkingCalendar()))


def walked_days(calendar: WorkingCalendar, after: date, up_to: date) -> int:
    """The definition, one day at a time."""
    count, day = 0, after
    while day < up_to:
        day += timedelta(days=1)
        count += calendar.is_working_day(day)
    return count


def walked_time(start: datetime, end: datetime, calendar: WorkingCalendar) -> timedelta:
    total, day = timedelta(), start.date()
    while day <= end.date():
        if calendar.is_working_day(day):
            opens = max(start, datetime.combine(day, HOTLINE_OPENS))
            closes = min(end, datetime.combine(day, HOTLINE_CLOSES))
            if closes > opens:
                total += closes - opens
        day += timedelta(days=1)
    return total


@COUNTING
@given(calendar=CALENDARS, after=DAYS, up_to=DAYS)
def test_working_days_between_is_the_day_by_day_count(calendar, after, up_to):
    assert calendar.working_days_between(after, up_to) == walked_days(calendar, after, up_to)


@COUNTING
@given(calendar=CALENDARS, start=MOMENTS, end=MOMENTS)
def test_hotline_time_between_is_the_day_by_day_sum(calendar, start, end):
    assert working_time_between(start, end, calendar) == walked_time(start, end, calendar)


def test_worked_cases_on_the_2026_arrangement():
    # National Day 2026: 1-7 October off, Saturday 10 October worked.
    assert CALENDAR.working_days_between(date(2026, 9, 30), date(2026, 10, 10)) == 3  # 8, 9, 10 Oct
    # Friday 18:00 to the make-up Saturday 10:00 after the holiday: 2 h on the 30th, 11 h on
    # each of the 8th and 9th, 1 h on the 10th.
    assert working_time_between(datetime(2026, 9, 30, 18), datetime(2026, 10, 10, 10), CALENDAR) == timedelta(
        hours=2 + 11 + 11 + 1)
    # Same day, outside hotline hours on both ends.
    assert working_time_between(datetime(2026, 9, 28, 7), datetime(2026, 9, 28, 21), CALENDAR) == timedelta(
        hours=11)


def test_a_row_three_years_overdue_costs_no_more_than_one_due_today():
    """The cost is the same whatever the backlog's age: it used to walk ~1,000 days."""
    import timeit

    now = datetime.combine(date(2026, 11, 24), time(10))
    old, fresh = datetime(2023, 11, 24, 10), datetime(2026, 11, 24, 9)
    # The best of several runs: a loaded machine pauses a process, never speeds it up.
    slow = min(timeit.repeat(lambda: working_time_left(old, now, CALENDAR), number=500, repeat=7))
    quick = min(timeit.repeat(lambda: working_time_left(fresh, now, CALENDAR), number=500, repeat=7))
    assert working_time_left(old, now, CALENDAR) == -walked_time(old, now, CALENDAR)
    assert slow < quick * 5, f"{slow:.4f} s for the old row against {quick:.4f} s for today's"
