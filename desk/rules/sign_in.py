"""When a password lets an agent in: five wrong ones in a row lock the account for 15 minutes.

The count is of wrong passwords since the last success; a success resets it. While the
lock lasts even the right password is refused, so guessing on gains nothing; once it has
ended the agent starts afresh with five tries. Trying while locked neither counts nor
makes the lock longer: an agent who keeps trying is not kept out longer than 15 minutes.

The rule takes the stored facts and the time; the caller checks the password and stores
the outcome's ``failed_sign_ins`` and ``locked_until``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

MAX_FAILED_SIGN_INS = 5
LOCK_DURATION = timedelta(minutes=15)
# An idle session locks after this long without a key or a click; configurable within
# bounds: a minute is the least that lets an agent read a screen, a shift the most.
IDLE_LOCK_DEFAULT = timedelta(minutes=10)
IDLE_LOCK_MINUTES_RANGE = (1, 480)


class Verdict(StrEnum):
    SIGNED_IN = "signed_in"
    WRONG_PASSWORD = "wrong_password"
    LOCKED = "locked"


@dataclass(frozen=True, slots=True)
class SignInOutcome:
    verdict: Verdict
    # What to store on the agent afterwards.
    failed_sign_ins: int
    locked_until: datetime | None
    # Wrong passwords still allowed before the lock (0 when locked).
    attempts_left: int


def is_locked(locked_until: datetime | None, now: datetime) -> bool:
    return locked_until is not None and now < locked_until


def sign_in_outcome(
    failed_sign_ins: int, locked_until: datetime | None, now: datetime, *, password_ok: bool
) -> SignInOutcome:
    """What a sign-in at ``now`` comes to, given the agent's stored count and lock."""
    if is_locked(locked_until, now):
        return SignInOutcome(Verdict.LOCKED, failed_sign_ins, locked_until, 0)
    if locked_until is not None:
        failed_sign_ins = 0  # the lock has ended: five fresh tries
    if password_ok:
        return SignInOutcome(Verdict.SIGNED_IN, 0, None, MAX_FAILED_SIGN_INS)
    failed = failed_sign_ins + 1
    if failed >= MAX_FAILED_SIGN_INS:
        return SignInOutcome(Verdict.LOCKED, failed, now + LOCK_DURATION, 0)
    return SignInOutcome(Verdict.WRONG_PASSWORD, failed, None, MAX_FAILED_SIGN_INS - failed)


def idle_lock_after(minutes: str | None) -> timedelta:
    """The idle lock asked for in whole ``minutes`` (a setting's text), or the default.

    Raises ``ValueError`` for anything but a whole number within the bounds: a typo in a
    setting must not leave sessions unlocked, nor silently keep the default.
    """
    if minutes is None or not minutes.strip():
        return IDLE_LOCK_DEFAULT
    value = int(minutes.strip())  # ValueError for "ten", "5.5"
    low, high = IDLE_LOCK_MINUTES_RANGE
    if not low <= value <= high:
        raise ValueError(minutes)
    return timedelta(minutes=value)
