"""What a policy entitles its people to today: the service window and each benefit's state.

Pure rules, no database: the facts come in as plain values (the policy's status and
termination date, its service periods, the counted uses from the ledger) and a verdict
an agent can read to the caller comes out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from desk.rules.catalogue import Benefit
from desk.rules.counting import quota_effect
from desk.rules.service_period import PolicyStatus, Window


class WindowState(StrEnum):
    NOT_YET_OPEN = "not_yet_open"
    ACTIVE = "active"
    EXPIRED = "expired"
    POLICY_ENDED = "policy_ended"


@dataclass(frozen=True, slots=True)
class ServiceWindow:
    """Where today falls for a policy; ``on`` is the date the state speaks of.

    not yet open: the opening day; active: the first closed day (``window.ends_on``);
    expired: the day it expired; policy ended: the termination date. ``renews_on`` is the
    first day of a later window, only while active and only when a supervisor granted
    one that starts before the policy ends: services last one year, nothing renews alone.
    """

    state: WindowState
    on: date
    window: Window | None
    renews_on: date | None = None


def service_window(
    status: str,
    termination_date: date | None,
    periods: Sequence[Window],
    today: date,
) -> ServiceWindow:
    """The service window of a policy on ``today``.

    A terminated policy ends every service on its termination date, even mid-window.
    """
    ordered = sorted(periods, key=lambda w: w.starts_on)
    ended = status != PolicyStatus.ACTIVE and termination_date is not None
    if ended and termination_date <= today:
        current = next((w for w in ordered if w.starts_on <= termination_date), None)
        return ServiceWindow(WindowState.POLICY_ENDED, termination_date, current)
    for window in ordered:
        if window.contains(today):
            later = [w.starts_on for w in ordered if w.starts_on >= window.ends_on]
            renews_on = min(later, default=None)
            if renews_on is not None and ended and termination_date <= renews_on:
                renews_on = None
            return ServiceWindow(WindowState.ACTIVE, window.ends_on, window, renews_on)
    upcoming = [w for w in ordered if w.starts_on > today]
    if upcoming:
        return ServiceWindow(WindowState.NOT_YET_OPEN, upcoming[0].starts_on, upcoming[0])
    if ordered:
        return ServiceWindow(WindowState.EXPIRED, ordered[-1].ends_on, ordered[-1])
    raise ValueError("a policy without any service period")


def counted_uses(ledger_kinds: Iterable[str]) -> int:
    """Uses that count against the quota: counted events less refunds, never below zero.

    A real-time service's ``used`` event records a use of an unlimited service and is no
    count against any quota.
    """
    return max(sum(quota_effect(kind) for kind in ledger_kinds), 0)


class BenefitState(StrEnum):
    AVAILABLE = "available"
    NOT_YET_OPEN = "not_yet_open"
    # Every use left is held by a request still being handled: no new filing, but nothing
    # is used yet (the hold may still be given back).
    IN_PROGRESS = "in_progress"
    USED_UP = "used_up"
    EXPIRED = "expired"
    POLICY_ENDED = "policy_ended"


@dataclass(frozen=True, slots=True)
class BenefitStatus:
    benefit: Benefit
    state: BenefitState
    # opens on / the last day of the service year (while open) / expired on / ended on.
    on: date | None
    used: int  # counted uses (real-time services: uses logged) this service year
    left: int | None  # None: unlimited, or the window is closed and nothing can be used
    in_progress: int = 0  # open requests holding a use, not yet counted
    renews_on: date | None = None  # the first day of a granted later window, if any


_WINDOW_TO_BENEFIT = {
    WindowState.NOT_YET_OPEN: BenefitState.NOT_YET_OPEN,
    WindowState.EXPIRED: BenefitState.EXPIRED,
    WindowState.POLICY_ENDED: BenefitState.POLICY_ENDED,
}


def benefit_status(benefit: Benefit, window: ServiceWindow, used: int, in_progress: int = 0) -> BenefitStatus:
    """Today's state of one benefit card: the uses counted, held by open requests and left
    this service year."""
    if window.state is not WindowState.ACTIVE:
        # Outside the window no use is left to offer, whatever the ledger says.
        return BenefitStatus(benefit, _WINDOW_TO_BENEFIT[window.state], window.on, used, None, in_progress)
    last_day = window.on - timedelta(days=1)
    quota = benefit.quota_per_year
    if quota is None:
        return BenefitStatus(benefit, BenefitState.AVAILABLE, last_day, used, None, in_progress)
    left = max(quota - used - in_progress, 0)
    if left > 0:
        state = BenefitState.AVAILABLE
    elif used >= quota:
        state = BenefitState.USED_UP
    else:  # the last uses are only held: they come back if the requests end uncounted
        state = BenefitState.IN_PROGRESS
    return BenefitStatus(benefit, state, last_day, used, left, in_progress, window.renews_on)
