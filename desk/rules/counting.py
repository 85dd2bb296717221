"""When a use counts against the quota (计次), and when it is given back.

domain.md, "When a use counts": an escort counts once the visit happens, on a no-show,
or on a cancellation less than 24 h before the visit; an admission once the supplier
confirms the arrangement within its SLA; a smoking-clinic booking when the booking comes
back successful, and it is given back when the booking is withdrawn 2 or more working
days before the visit. Hour limits run on the clock, holidays or not.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from desk.rules.catalogue import Benefit
from desk.rules.request_states import (
    FINAL_STATES,
    LedgerKind,
    RequestFacts,
    RequestState,
    TransitionRefused,
)
from desk.rules.working_calendar import WorkingCalendar
from desk.texts.labels import t

S = RequestState

ESCORT_FREE_CANCEL = timedelta(hours=24)
SMOKING_FREE_CANCEL = timedelta(hours=2)
SMOKING_FREE_WITHDRAWAL_WORKING_DAYS = 2


def quota_effect(kind: str | None) -> int:
    """What one ledger event does to the uses counted against a quota: a count adds one, a
    refund takes it back; a real-time ``used`` event counts against no quota."""
    return 1 if kind == LedgerKind.COUNTED else -1 if kind == LedgerKind.REFUNDED else 0


def use_effect(kind: str | None) -> int:
    """What one ledger event does to the uses a card shows: the quota's, plus each
    real-time use logged."""
    return 1 if kind == LedgerKind.USED else quota_effect(kind)


def filing_effect(benefit: Benefit) -> LedgerKind | None:
    """What filing does to the ledger: a real-time service has no lifecycle to count it
    later, so its use is recorded when it is filed (domain.md: "record who used it")."""
    return LedgerKind.USED if benefit.real_time else None


def ledger_effect(benefit: Benefit, facts: RequestFacts, to: RequestState, at: datetime,
                  calendar: WorkingCalendar) -> LedgerKind | None:
    """What moving to ``to`` at ``at`` does to the quota (domain.md, "When a use counts")."""
    code = benefit.code
    if code == "escort":
        return _escort(facts, to, at)
    if code == "admission":
        return _admission(facts, to, at)
    if code == "smoking":
        return _smoking(facts, to, at, calendar)
    return None


def _escort(facts: RequestFacts, to: RequestState, at: datetime) -> LedgerKind | None:
    # Counts once the escort visit happens, on a no-show, or on a cancellation less than
    # 24 h before the visit; 24 h or more ahead it does not.
    if to in (S.DONE, S.NO_SHOW):
        return LedgerKind.COUNTED
    if to is S.CANCELLED and facts.state is S.BOOKED:
        if facts.visit_at is None:
            raise TransitionRefused(t("refused.no_visit_time"))
        if facts.visit_at - at < ESCORT_FREE_CANCEL:
            return LedgerKind.COUNTED
    return None


def _admission(facts: RequestFacts, to: RequestState, at: datetime) -> LedgerKind | None:
    # Counts once the supplier confirms the arrangement within its SLA, even if the insured
    # then cancels. A confirmation after the deadline counts only if the admission happens.
    if to is S.BOOKED and (facts.arrangement_due is None or at <= facts.arrangement_due):
        return LedgerKind.COUNTED
    if to is S.DONE and not facts.counted:
        return LedgerKind.COUNTED
    return None


def _smoking(facts: RequestFacts, to: RequestState, at: datetime,
             calendar: WorkingCalendar) -> LedgerKind | None:
    # Counts when a booking comes back successful; a failed booking does not. Withdrawing
    # the booking 2 or more working days before the visit gives the use back.
    if to is S.BOOKED:
        return LedgerKind.COUNTED
    if to is S.CANCELLED and facts.state is S.BOOKED and facts.counted:
        if facts.visit_at is None:
            raise TransitionRefused(t("refused.no_visit_date"))
        if withdrawn_in_time(at.date(), facts.visit_at.date(), calendar):
            return LedgerKind.REFUNDED
    return None


def smoking_cancel_too_late(facts: RequestFacts, to: RequestState, at: datetime) -> bool:
    """A smoking-clinic booking still being made may be cancelled only within 2 h of its
    submission; after that the booking result must come back first."""
    return (to is S.CANCELLED and facts.service_code == "smoking" and facts.state is S.SUBMITTED
            and at - facts.submitted_at > SMOKING_FREE_CANCEL)


def withdrawn_in_time(withdrawal: date, visit: date, calendar: WorkingCalendar) -> bool:
    """"2 or more working days before the visit": the visit is at least the 2nd working
    day after the withdrawal date (count working days d, withdrawal < d <= visit)."""
    return calendar.working_days_between(withdrawal, visit) >= SMOKING_FREE_WITHDRAWAL_WORKING_DAYS


def holds_quota(state: RequestState) -> bool:
    """An open request holds a use of the quota until it ends, so two open requests can
    never share the last one; the ledger takes over once the use is counted."""
    return state not in FINAL_STATES
