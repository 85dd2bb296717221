"""The working calendar as the database holds it (seeded, then edited by supervisors)."""

from __future__ import annotations

from db.unit_of_work import UnitOfWork
from desk.working_calendar import WorkingCalendar


def load_working_calendar(uow: UnitOfWork) -> WorkingCalendar:
    return WorkingCalendar.from_days((row.day, row.kind) for row in uow.calendar.all_days())
