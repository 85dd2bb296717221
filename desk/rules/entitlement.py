"""What a policy entitles its people to today: the service window and each benefit's state.

Pure rules, no database: the facts come in as plain values (the policy's status and
termination date, its service periods, the counted uses from the ledger) and a verdict
an agent can read to the caller comes out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from desk.rules.catalogue import Benefit
from desk.rules.request_states import LedgerKind
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
    expired: the day it expired; policy ended: the termination date.
    """

    state: WindowState
    on: date
    window: Window | None


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
            return ServiceWindow(WindowState.ACTIVE, window.ends_on, window)
    upcoming = [w for w in ordered if w.starts_on > today]
    if upcoming:
        return ServiceWindow(WindowState.NOT_YET_OPEN, upcoming[0].starts_on, upcoming[0])
    if ordered:
        return ServiceWindow(WindowState.EXPIRED, ordered[-1].ends_on, ordered[-1])
    raise ValueError("a policy without any service period")


def counted_uses(ledger_kinds: Iterable[str]) -> int:
    """Uses that count against the quota: counted events less refunds, never below zero."""
    total = 0
    for kind in ledger_kinds:
        total += 1 if kind == LedgerKind.COUNTED else -1 if kind == LedgerKind.REFUNDED else 0
    return max(total, 0)


class BenefitState(StrEnum):
    AVAILABLE = "available"
    NOT_YET_OPEN = "not_yet_open"
    USED_UP = "used_up"
    EXPIRED = "expired"
    POLICY_ENDED = "policy_ended"


@dataclass(frozen=True, slots=True)
class BenefitStatus:
    benefit: Benefit
    state: BenefitState
    # opens on / renews on / expired on / ended on: the date the state speaks of.
    on: date | None
    used: int
    left: int | None  # None: unlimited


_WINDOW_TO_BENEFIT = {
    WindowState.NOT_YET_OPEN: BenefitState.NOT_YET_OPEN,
    WindowState.EXPIRED: BenefitState.EXPIRED,
    WindowState.POLICY_ENDED: BenefitState.POLICY_ENDED,
}


def benefit_status(benefit: Benefit, window: ServiceWindow, used: int) -> BenefitStatus:
    """Today's state of one benefit card, with the quota used and left this service year."""
    quota = benefit.quota_per_year
    left = None if quota is None else max(quota - used, 0)
    if window.state is not WindowState.ACTIVE:
        return BenefitStatus(benefit, _WINDOW_TO_BENEFIT[window.state], window.on, used, left)
    if left == 0:
        # The quota renews with the next service year, which starts as this one ends.
        return BenefitStatus(benefit, BenefitState.USED_UP, window.on, used, left)
    return BenefitStatus(benefit, BenefitState.AVAILABLE, window.on, used, left)
