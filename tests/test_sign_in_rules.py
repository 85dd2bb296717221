"""Five wrong passwords in a row lock an account for 15 minutes: worked cases, no database."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from desk.rules.sign_in import (
    IDLE_LOCK_DEFAULT,
    LOCK_DURATION,
    MAX_FAILED_SIGN_INS,
    SignInOutcome,
    Verdict,
    idle_lock_after,
    sign_in_outcome,
)

NOW = datetime(2026, 11, 24, 9, 0)
LOCKED_UNTIL = datetime(2026, 11, 24, 9, 15)


def test_the_constants_are_five_tries_and_fifteen_minutes():
    assert (MAX_FAILED_SIGN_INS, LOCK_DURATION.total_seconds()) == (5, 15 * 60)


def test_the_right_password_signs_in_and_clears_the_count():
    assert sign_in_outcome(3, None, NOW, password_ok=True) == SignInOutcome(Verdict.SIGNED_IN, 0, None, 5)


def test_a_wrong_password_counts_and_says_how_many_tries_are_left():
    assert sign_in_outcome(0, None, NOW, password_ok=False) == SignInOutcome(Verdict.WRONG_PASSWORD, 1, None, 4)
    assert sign_in_outcome(3, None, NOW, password_ok=False) == SignInOutcome(Verdict.WRONG_PASSWORD, 4, None, 1)


def test_the_fifth_wrong_password_locks_until_fifteen_minutes_later():
    assert sign_in_outcome(4, None, NOW, password_ok=False) == SignInOutcome(Verdict.LOCKED, 5, LOCKED_UNTIL, 0)


def test_while_locked_even_the_right_password_is_refused_and_the_lock_is_not_extended():
    at = datetime(2026, 11, 24, 9, 14, 59)
    for password_ok in (True, False):
        assert sign_in_outcome(5, LOCKED_UNTIL, at, password_ok=password_ok) == SignInOutcome(
            Verdict.LOCKED, 5, LOCKED_UNTIL, 0
        )


def test_when_the_lock_ends_the_agent_may_sign_in():
    assert sign_in_outcome(5, LOCKED_UNTIL, LOCKED_UNTIL, password_ok=True) == SignInOutcome(
        Verdict.SIGNED_IN, 0, None, 5
    )


def test_after_the_lock_a_wrong_password_starts_a_fresh_count():
    at = datetime(2026, 11, 24, 10, 0)
    assert sign_in_outcome(5, LOCKED_UNTIL, at, password_ok=False) == SignInOutcome(
        Verdict.WRONG_PASSWORD, 1, None, 4
    )


@pytest.mark.parametrize(("setting", "lock"), [
    (None, timedelta(minutes=10)), ("", timedelta(minutes=10)), ("  ", timedelta(minutes=10)),
    ("1", timedelta(minutes=1)), (" 30 ", timedelta(minutes=30)), ("480", timedelta(hours=8)),
])
def test_the_idle_lock_is_ten_minutes_unless_set(setting, lock):
    assert timedelta(minutes=10) == IDLE_LOCK_DEFAULT
    assert idle_lock_after(setting) == lock


@pytest.mark.parametrize("setting", ["0", "-5", "481", "ten", "5.5", "10m"])
def test_an_idle_lock_setting_out_of_bounds_or_not_whole_minutes_is_refused(setting):
    with pytest.raises(ValueError):
        idle_lock_after(setting)
