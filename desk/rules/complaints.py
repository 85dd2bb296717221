"""Complaints (投诉): a decision is due within 15 calendar days of receipt, 30 for a case a
supervisor has marked complex (the consumer-complaint rule for banks and insurers)."""

from __future__ import annotations

from datetime import datetime

from desk.rules.sla_clock import due_after_calendar_days

DECISION_DAYS = 15
COMPLEX_DECISION_DAYS = 30


def decision_due(received_at: datetime, *, complex_case: bool) -> datetime:
    days = COMPLEX_DECISION_DAYS if complex_case else DECISION_DAYS
    return due_after_calendar_days(received_at, days).at


