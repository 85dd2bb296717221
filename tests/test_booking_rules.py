"""The dates the manual bounds on a booking, as worked cases (pure rules, no fixture)."""

from __future__ import annotations

from datetime import datetime

import pytest

from desk.rules.booking import check_booking
from desk.rules.cancellation import check_cancellation

ARRANGED = datetime(2026, 11, 24, 10, 30)


@pytest.mark.parametrize(
    ("admission_at", "refused"),
    [
        (datetime(2026, 11, 25, 9, 0), False),
        (datetime(2026, 12, 8, 18, 0), False),  # the 14th day after the arrangement
        (datetime(2026, 12, 9, 9, 0), True),  # the 15th: beyond "within 14 days"
    ],
)
def test_an_admission_is_arranged_within_14_days(admission_at, refused):
    problems = check_booking("admission", {"visit_at": admission_at}, at=ARRANGED)
    assert bool(problems) is refused
    if refused:
        assert problems[0].field == "visit_at" and "14" in problems[0].message and "2026-12-08" in problems[0].message


def test_only_the_admission_has_the_14_day_bound():
    assert check_booking("escort", {"visit_at": datetime(2027, 1, 10, 9)}, at=ARRANGED) == []
    assert check_booking("smoking", {"visit_at": "2027-01-10T09:00"}, at=ARRANGED) == []


@pytest.mark.parametrize("service", ["escort", "admission", "smoking"])
def test_a_visit_already_past_is_refused(service):
    (problem,) = check_booking(service, {"visit_at": datetime(2026, 11, 24, 9, 0)}, at=ARRANGED)
    assert problem.field == "visit_at" and "2026-11-24 09:00" in problem.message
    assert check_booking(service, {"visit_at": ARRANGED}, at=ARRANGED) == []


def test_a_cancellation_says_who_asked_for_it():
    assert check_cancellation({"by": "customer"}) == []
    assert check_cancellation({"by": "supplier"}) == []
    assert check_cancellation({"by": "agent"}) == []
    (missing,) = check_cancellation({})
    assert missing.field == "by"
    assert check_cancellation({"by": "neighbour"})[0].field == "by"
