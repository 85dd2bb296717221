"""Benefit cards on worked cases: before the window, inside it, after it, ended, used up."""

from __future__ import annotations

from datetime import date

import pytest

from desk.rules.catalogue import benefit
from desk.rules.entitlement import (
    BenefitState,
    WindowState,
    benefit_status,
    counted_uses,
    service_window,
)
from desk.rules.service_period import initial_window

# Effective 2026-01-10: services open 2026-01-25 and close 2027-01-25.
WINDOW = initial_window(date(2026, 1, 10))


@pytest.mark.parametrize(
    ("status", "terminated_on", "today", "state", "on"),
    [
        ("active", None, date(2026, 1, 24), WindowState.NOT_YET_OPEN, date(2026, 1, 25)),
        ("active", None, date(2026, 1, 25), WindowState.ACTIVE, date(2027, 1, 25)),
        ("active", None, date(2027, 1, 24), WindowState.ACTIVE, date(2027, 1, 25)),
        ("active", None, date(2027, 1, 25), WindowState.EXPIRED, date(2027, 1, 25)),
        # Every service ends the day the policy terminates.
        ("surrendered", date(2026, 6, 1), date(2026, 6, 1), WindowState.POLICY_ENDED, date(2026, 6, 1)),
        ("lapsed", date(2026, 6, 1), date(2026, 5, 31), WindowState.ACTIVE, date(2027, 1, 25)),
        ("terminated", date(2026, 1, 20), date(2026, 1, 24), WindowState.POLICY_ENDED, date(2026, 1, 20)),
    ],
)
def test_service_window_on_a_day(status, terminated_on, today, state, on):
    result = service_window(status, terminated_on, [WINDOW], today)
    assert (result.state, result.on) == (state, on)


def test_a_renewal_window_opens_after_the_first():
    renewal = initial_window(date(2027, 1, 10))
    result = service_window("active", None, [WINDOW, renewal], date(2027, 2, 1))
    assert (result.state, result.window) == (WindowState.ACTIVE, renewal)


def test_uses_are_counted_less_refunds():
    assert counted_uses(["counted", "counted", "refunded"]) == 1
    assert counted_uses(["refunded"]) == 0


def test_a_used_up_quota_names_the_last_day_and_renews_only_with_a_granted_window():
    window = service_window("active", None, [WINDOW], date(2026, 3, 1))
    status = benefit_status(benefit("escort"), window, used=1)
    assert (status.state, status.on, status.used, status.left) == (BenefitState.USED_UP, date(2027, 1, 24), 1, 0)
    assert status.renews_on is None
    renewed = service_window("active", None, [WINDOW, initial_window(date(2027, 1, 10))], date(2026, 3, 1))
    assert benefit_status(benefit("escort"), renewed, used=1).renews_on == date(2027, 1, 25)


def test_smoking_clinic_has_twelve_a_year():
    window = service_window("active", None, [WINDOW], date(2026, 3, 1))
    status = benefit_status(benefit("smoking"), window, used=11)
    assert (status.state, status.left) == (BenefitState.AVAILABLE, 1)
    assert benefit_status(benefit("smoking"), window, used=12).state is BenefitState.USED_UP


def test_unlimited_benefits_never_run_out():
    window = service_window("active", None, [WINDOW], date(2026, 3, 1))
    status = benefit_status(benefit("psych"), window, used=40)
    assert (status.state, status.left) == (BenefitState.AVAILABLE, None)


def test_outside_the_window_the_card_says_why():
    before = service_window("active", None, [WINDOW], date(2026, 1, 12))
    assert benefit_status(benefit("news"), before, used=0).state is BenefitState.NOT_YET_OPEN
    ended = service_window("terminated", date(2026, 5, 5), [WINDOW], date(2026, 6, 1))
    status = benefit_status(benefit("smoking"), ended, used=0)
    assert (status.state, status.on) == (BenefitState.POLICY_ENDED, date(2026, 5, 5))
