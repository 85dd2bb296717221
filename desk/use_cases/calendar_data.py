"""The working calendar as the database holds it (seeded, then edited by supervisors)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from db.unit_of_work import UnitOfWork
from desk.rules.working_calendar import WorkingCalendar


def load_working_calendar(uow: UnitOfWork) -> WorkingCalendar:
    return WorkingCalendar.from_days(uow.calendar.kinds())


@dataclass(frozen=True, slots=True)
class CalendarEntry:
    """One exception to Monday-Friday."""

    day: date
    kind: str  # holiday | workday
    name: str


@dataclass(frozen=True, slots=True)
class CalendarYear:
    year: int
    days: tuple[CalendarEntry, ...]
    known_until: date | None
    # The coming year, from 1 November on, while its arrangement is not in; else None.
    missing_year: int | None


def known_until(uow: UnitOfWork) -> date | None:
    """The last day the calendar knows: the end of the last year it names."""
    last = uow.calendar.last_day()
    return date(last.year, 12, 31) if last is not None else None


def load_calendar_year(uow: UnitOfWork, year: int, today: date) -> CalendarYear:
    days = tuple(CalendarEntry(row.day, row.kind, row.name) for row in uow.calendar.of_year(year))
    known = known_until(uow)
    return CalendarYear(year, days, known, WorkingCalendar(known_until=known).missing_next_year(today))


def load_calendar_days(uow: UnitOfWork, years: list[int]) -> list[CalendarEntry]:
    return [
        CalendarEntry(row.day, row.kind, row.name) for year in years for row in uow.calendar.of_year(year)
    ]
