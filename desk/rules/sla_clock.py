"""The SLA clock: when a step that starts at an event is due.

"Within N working days of event E": if E happens on a working day, the deadline is the
same time of day on the N-th following working day; if E happens on a non-working day,
E first moves to 00:00 of the next working day, so the deadline is the end of the N-th
working day counting that one. Calendar-day limits (claims, complaints) simply add days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from desk.rules.catalogue import SlaStep, SlaUnit
from desk.rules.working_calendar import WorkingCalendar


@dataclass(frozen=True, slots=True)
class Due:
    at: datetime
    # Set when the count ran past the days the calendar knows: the deadline assumed
    # Monday-Friday from the day after this date and must be shown as uncertain.
    calendar_unknown_after: date | None = None


def due_after_working_days(event: datetime, days: int, calendar: WorkingCalendar) -> Due:
    if days < 1:
        raise ValueError("a working-day limit is at least one day")
    start = event.date()
    if calendar.is_working_day(start):
        end = _nth_working_day_after(start, days, calendar)
        return _due(datetime.combine(end, event.time()), end, calendar)
    # E moves to 00:00 of the next working day, which counts as the first of the N:
    # the deadline is the end (24:00) of the N-th working day.
    first = calendar.next_working_day(start)
    end = _nth_working_day_after(first, days - 1, calendar)
    return _due(datetime.combine(end + timedelta(days=1), time(0)), end, calendar)


def due_after_calendar_days(event: datetime, days: int) -> Due:
    return Due(event + timedelta(days=days))


def due_for_step(step: SlaStep, event: datetime, calendar: WorkingCalendar) -> Due | None:
    """The due time of ``step`` started by ``event``; None for steps with no clock."""
    if step.limit is None:
        return None
    if step.unit is SlaUnit.WORKING_DAYS:
        return due_after_working_days(event, step.limit, calendar)
    if step.unit is SlaUnit.CALENDAR_DAYS:
        return due_after_calendar_days(event, step.limit)
    if step.unit is SlaUnit.MINUTES:
        return Due(event + timedelta(minutes=step.limit))
    return None


def _nth_working_day_after(day: date, n: int, calendar: WorkingCalendar) -> date:
    for _ in range(n):
        day = calendar.next_working_day(day)
    return day


def _due(at: datetime, last_day: date, calendar: WorkingCalendar) -> Due:
    if calendar.is_known(last_day):
        return Due(at)
    return Due(at, calendar.known_until)
