"""Where a step stands against its deadline: overdue, due soon, or on track.

A step is overdue when now is past its due time and it is not done. "Due soon" means the
deadline falls within the rest of the current working day or within the next 4 working
hours, counting hotline hours (9:00-20:00) on working days only.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from enum import StrEnum

from desk.working_calendar import WorkingCalendar

HOTLINE_OPENS = time(9, 0)
HOTLINE_CLOSES = time(20, 0)
DUE_SOON_WORKING_HOURS = timedelta(hours=4)


class SlaState(StrEnum):
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    ON_TRACK = "on_track"


def working_time_between(start: datetime, end: datetime, calendar: WorkingCalendar) -> timedelta:
    """Hotline time on working days between ``start`` and ``end`` (zero if end is earlier)."""
    total = timedelta()
    day = start.date()
    while day <= end.date():
        if calendar.is_working_day(day):
            opens = max(start, datetime.combine(day, HOTLINE_OPENS))
            closes = min(end, datetime.combine(day, HOTLINE_CLOSES))
            if closes > opens:
                total += closes - opens
        day += timedelta(days=1)
    return total


def sla_state(due: datetime, now: datetime, calendar: WorkingCalendar) -> SlaState:
    if now > due:
        return SlaState.OVERDUE
    today_ends = datetime.combine(now.date() + timedelta(days=1), time(0))
    if calendar.is_working_day(now.date()) and due <= today_ends:
        return SlaState.DUE_SOON
    if working_time_between(now, due, calendar) <= DUE_SOON_WORKING_HOURS:
        return SlaState.DUE_SOON
    return SlaState.ON_TRACK
