"""The dates the manual bounds on a booking (the move to "booked / arranged").

* An admission or surgery is arranged "within 14 days" (协助安排 14 天内住院或安排手术):
  the admission day is at most the 14th calendar day after the day the arrangement is
  made. The manual counts from the arrangement, not from the submission: its own SLA
  allows 12 working days before the arrangement is due, which would leave no 14 days.
* Nobody can be booked for a time already past: the visit (or admission) time is not
  before the moment the booking is recorded.

Pure: the moment of the booking comes in as ``at``; ``move_request`` applies these, so
every channel that books goes through them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from desk.rules.request_details import parse_detail_moment
from desk.rules.validation import FieldProblem
from desk.texts.labels import t

ADMISSION_WITHIN_DAYS = 14


def check_booking(service_code: str, data: Mapping[str, Any], *, at: datetime) -> list[FieldProblem]:
    """What is wrong with a booking's ``data`` (its ``visit_at``) made at ``at``; empty if nothing."""
    value = data.get("visit_at")
    if value in (None, ""):
        return []
    label = t("detail.label.visit_at")
    try:
        visit_at = parse_detail_moment(label, value)
    except ValueError as error:
        return [FieldProblem("visit_at", str(error))]
    if visit_at < at:
        return [FieldProblem("visit_at", t("booking.in_the_past", visit=f"{visit_at:%Y-%m-%d %H:%M}",
                                           now=f"{at:%Y-%m-%d %H:%M}"))]
    last_day = at.date() + timedelta(days=ADMISSION_WITHIN_DAYS)
    if service_code == "admission" and visit_at.date() > last_day:
        return [FieldProblem("visit_at", t("booking.admission_too_late", days=ADMISSION_WITHIN_DAYS,
                                           day=visit_at.date().isoformat(), last=last_day.isoformat()))]
    return []


# A booking's place is what was booked, not what the customer asked for: both are kept.
BOOKED_NAMES = {"hospital": "booked_hospital", "department": "booked_department"}


def booked_details(data: Mapping[str, Any]) -> dict[str, Any]:
    """A booking's data under the names that keep the request's own hospital and department."""
    return {BOOKED_NAMES.get(name, name): value for name, value in data.items()}
