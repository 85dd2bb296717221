"""A due time as agents read it, flagged when it ran past the days the calendar knows.

Shared by the command line and the screens, so both say "calendar unknown" the same way.
"""

from __future__ import annotations

from datetime import date, datetime

from desk.texts import t


def due_text(due_at: datetime, calendar_unknown_after: date | None = None) -> str:
    """``2027-01-05 10:00``, or ``2027-01-05 10:00 日历未知（2026-12-31之后）`` when the count
    assumed Monday-Friday past the last known day."""
    text = due_at.strftime("%Y-%m-%d %H:%M")
    if calendar_unknown_after is None:
        return text
    return f"{text} {t('calendar.unknown_after', day=calendar_unknown_after.isoformat())}"
