"""A due time as agents read it, flagged when it ran past the days the calendar knows.

Shared by the command line and the screens, so both say "calendar unknown" the same way.
"""

from __future__ import annotations

from datetime import date, datetime

from desk.texts.labels import t


def minute(at: datetime) -> str:
    """A moment as every screen and report shows it: ``2026-11-24 10:30``, China time."""
    return at.strftime("%Y-%m-%d %H:%M")


def marked(shown: str, calendar_unknown_after: date | None) -> str:
    """A due time in a narrow column: ``?`` after it when it ran past the known calendar."""
    return f"{shown}?" if calendar_unknown_after is not None else shown


def due_text(due_at: datetime, calendar_unknown_after: date | None = None) -> str:
    """``2027-01-05 10:00``, or ``2027-01-05 10:00 日历未知（2026-12-31之后）`` when the count
    assumed Monday-Friday past the last known day."""
    text = minute(due_at)
    if calendar_unknown_after is None:
        return text
    return f"{text} {t('calendar.unknown_after', day=calendar_unknown_after.isoformat())}"
