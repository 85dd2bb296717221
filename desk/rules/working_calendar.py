"""China's official working days: Monday-Friday, minus public holidays, plus make-up days.

The calendar is data (from the database, seeded from the State Council's announcements),
not code: each year's arrangement arrives in late autumn. Past the last year it knows,
the calendar falls back to Monday-Friday and says so, so a deadline computed there can be
flagged "calendar unknown after DATE".
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import accumulate

HOLIDAY = "holiday"
WORKDAY = "workday"


@dataclass(frozen=True)
class WorkingCalendar:
    # The exceptions to Monday-Friday: date -> "holiday" | "workday".
    exceptions: Mapping[date, str] = field(default_factory=dict)
    # The last day whose status is known from an announcement.
    known_until: date | None = None
    # The exceptions that change a count of Monday-Friday days (a weekday holiday: -1, a
    # weekend make-up day: +1), by ordinal, with running totals: counting working days
    # over any span is then two bisections, not a walk of every day in it (a queue row
    # three years overdue counted ~1,000 days on every refresh).
    _changes: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _running: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        changes = sorted(
            (day.toordinal(), 1 if kind == WORKDAY else -1)
            for day, kind in self.exceptions.items()
            if (kind == WORKDAY) != (day.weekday() < 5)
        )
        object.__setattr__(self, "_changes", tuple(ordinal for ordinal, _ in changes))
        object.__setattr__(self, "_running", tuple(accumulate(delta for _, delta in changes)))

    @classmethod
    def from_days(cls, days: Iterable[tuple[date, str]]) -> WorkingCalendar:
        """A calendar from (day, kind) pairs; it is known to the end of the last year named."""
        exceptions = dict(days)
        last_year = max((d.year for d in exceptions), default=None)
        known_until = date(last_year, 12, 31) if last_year is not None else None
        return cls(exceptions, known_until)

    def is_working_day(self, day: date) -> bool:
        kind = self.exceptions.get(day)
        if kind is not None:
            return kind == WORKDAY
        return day.weekday() < 5

    def is_known(self, day: date) -> bool:
        return self.known_until is not None and day <= self.known_until

    def missing_next_year(self, today: date) -> int | None:
        """The coming year, from 1 November on, while its arrangement is not yet in."""
        if today < date(today.year, 11, 1):
            return None
        coming = today.year + 1
        if self.known_until is not None and self.known_until >= date(coming, 12, 31):
            return None
        return coming

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        candidate = day + timedelta(days=1)
        while not self.is_working_day(candidate):
            candidate += timedelta(days=1)
        return candidate

    def working_days_between(self, after: date, up_to: date) -> int:
        """How many working days d there are with ``after < d <= up_to`` (0 if none)."""
        if up_to <= after:
            return 0
        return self._working_days_to(up_to.toordinal()) - self._working_days_to(after.toordinal())

    def _working_days_to(self, ordinal: int) -> int:
        """Working days from 0001-01-01 (a Monday, ordinal 1) to ``ordinal``, inclusive."""
        weeks, rest = divmod(ordinal, 7)
        changed = bisect_right(self._changes, ordinal)
        return weeks * 5 + min(rest, 5) + (self._running[changed - 1] if changed else 0)
