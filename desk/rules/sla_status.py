"""Where a step stands against its deadline: overdue, due soon, or on track.

A step is overdue when now is past its due time and it is not done. "Due soon" means the
deadline falls within the rest of the current working day or within the next 4 working
hours, counting hotline hours (9:00-20:00) on working days only.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from enum import StrEnum

from desk.rules.working_calendar import WorkingCalendar

HOTLINE_OPENS = time(9, 0)
HOTLINE_CLOSES = time(20, 0)
DUE_SOON_WORKING_HOURS = timedelta(hours=4)


class SlaState(StrEnum):
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    ON_TRACK = "on_track"


HOTLINE_DAY = datetime.combine(date.min, HOTLINE_CLOSES) - datetime.combine(date.min, HOTLINE_OPENS)


def _hotline_time_on(day: date, start: datetime, end: datetime, calendar: WorkingCalendar) -> timedelta:
    """Hotline time of ``day`` between ``start`` and ``end``."""
    if not calendar.is_working_day(day):
        return timedelta()
    opens = max(start, datetime.combine(day, HOTLINE_OPENS))
    closes = min(end, datetime.combine(day, HOTLINE_CLOSES))
    return max(closes - opens, timedelta())


def working_time_between(start: datetime, end: datetime, calendar: WorkingCalendar) -> timedelta:
    """Hotline time on working days between ``start`` and ``end`` (zero if end is earlier).

    The first and last days count in part; every working day between them is a whole
    hotline day, counted without walking them: the same cost for an hour as for years.
    """
    first, last = start.date(), end.date()
    if last < first:
        return timedelta()
    if first == last:
        return _hotline_time_on(first, start, end, calendar)
    whole_days = calendar.working_days_between(first, last - timedelta(days=1))
    return (_hotline_time_on(first, start, end, calendar) + whole_days * HOTLINE_DAY
            + _hotline_time_on(last, start, end, calendar))


def due_soon_until(now: datetime, calendar: WorkingCalendar) -> datetime:
    """The latest due time that still counts as due soon at ``now``.

    Working time only grows with the due time, so "due soon" is every due time up to one
    instant: the end of today if today is a working day, or the moment the next 4 hotline
    hours run out (the next opening, if they run out exactly at closing), whichever is later.
    """
    latest = now
    if calendar.is_working_day(now.date()):
        latest = datetime.combine(now.date() + timedelta(days=1), time(0))
    left, day = DUE_SOON_WORKING_HOURS, now.date()
    while True:
        if calendar.is_working_day(day):
            opens = max(now, datetime.combine(day, HOTLINE_OPENS))
            closes = datetime.combine(day, HOTLINE_CLOSES)
            if closes > opens:
                if closes - opens > left:
                    return max(latest, opens + left)
                left -= closes - opens
                if not left:
                    # Out exactly at closing: nothing more is spent until the next opening.
                    next_day = calendar.next_working_day(day)
                    return max(latest, datetime.combine(next_day, HOTLINE_OPENS))
        day += timedelta(days=1)


def sla_state(due: datetime, now: datetime, calendar: WorkingCalendar) -> SlaState:
    return state_between(due, now, due_soon_until(now, calendar))


def state_between(due: datetime, now: datetime, soon_until: datetime) -> SlaState:
    """The state of ``due`` once the "due soon" instant for ``now`` is known (a whole queue)."""
    if now > due:
        return SlaState.OVERDUE
    if due <= soon_until:
        return SlaState.DUE_SOON
    return SlaState.ON_TRACK


def working_time_left(due: datetime, now: datetime, calendar: WorkingCalendar) -> timedelta:
    """Hotline time left until ``due``; negative, the hotline time since, when overdue."""
    if now > due:
        return -working_time_between(due, now, calendar)
    return working_time_between(now, due, calendar)
