"""The request lifecycle: which transitions are allowed, and what each does to the ledger.

submitted → approved / rejected → supplier contacted → booked (arranged) → done; or
cancelled, no-show, booking failed. Each benefit walks its own part of that line (a
smoking-clinic booking has no separate eligibility step; a claim has no supplier).
Pure rules: the use cases apply them, stamp the event and write the ledger.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from desk.errors import DeskError
from desk.rules.catalogue import Benefit
from desk.rules.request_states import FINAL_STATES, LedgerKind, RequestState
from desk.rules.working_calendar import WorkingCalendar
from desk.texts.labels import t

S = RequestState

# The main line each benefit walks, from submission to done.
MAIN_LINE: dict[str, tuple[RequestState, ...]] = {
    "escort": (S.SUBMITTED, S.APPROVED, S.SUPPLIER_CONTACTED, S.BOOKED, S.DONE),
    "admission": (S.SUBMITTED, S.APPROVED, S.SUPPLIER_CONTACTED, S.BOOKED, S.DONE),
    "smoking": (S.SUBMITTED, S.BOOKED, S.DONE),
    "advance_claim": (S.SUBMITTED, S.APPROVED, S.DONE),
}
# Services with a visit the customer can miss.
HAS_VISIT = frozenset({"escort", "smoking"})

ESCORT_FREE_CANCEL = timedelta(hours=24)
SMOKING_FREE_CANCEL = timedelta(hours=2)
SMOKING_FREE_WITHDRAWAL_WORKING_DAYS = 2

# The manual's words for the event that starts an SLA step, as lifecycle states.
STEP_STARTS_AT: dict[str, RequestState] = {
    "submitted": S.SUBMITTED,
    "materials_complete": S.SUBMITTED,
    "approved": S.APPROVED,
    "agreement": S.APPROVED,
    "needs_agreed": S.SUPPLIER_CONTACTED,
    "documents_complete": S.SUPPLIER_CONTACTED,
    "booked": S.BOOKED,
}


class TransitionRefused(DeskError):
    """The transition is not allowed; the message says why, in words for the agent."""


@dataclass(frozen=True, slots=True)
class RequestFacts:
    """What the rules need to know about a request to judge a transition."""

    service_code: str
    state: RequestState
    submitted_at: datetime
    visit_at: datetime | None = None  # the agreed visit or meeting time, once booked
    counted: bool = False  # the ledger already holds an unrefunded use for it
    arrangement_due: datetime | None = None  # admission: when the arrangement was due


def next_states(benefit: Benefit, state: RequestState) -> tuple[RequestState, ...]:
    """Every state the request may move to from ``state``, main line first."""
    if benefit.real_time or state in FINAL_STATES:
        return ()
    line = MAIN_LINE[benefit.code]
    position = line.index(state)
    allowed = [line[position + 1]]
    if state is S.SUBMITTED and S.APPROVED in line:
        allowed.append(S.REJECTED)
    booking = line.index(S.BOOKED) if S.BOOKED in line else -1
    # A booking can fail once someone is working on it: after approval, or at once where
    # booking is the first step (a smoking-clinic booking).
    if position < booking and (state is not S.SUBMITTED or booking == 1):
        allowed.append(S.BOOKING_FAILED)
    if state is S.BOOKED and benefit.code in HAS_VISIT:
        allowed.append(S.NO_SHOW)
    allowed.append(S.CANCELLED)
    return tuple(allowed)


def check_transition(benefit: Benefit, facts: RequestFacts, to: RequestState, at: datetime,
                     calendar: WorkingCalendar) -> LedgerKind | None:
    """Refuse an illegal transition; otherwise the ledger event it makes, if any."""
    if to not in next_states(benefit, facts.state):
        raise TransitionRefused(f"不能从“{t(f'state.{facts.state.value}')}”变为“{t(f'state.{to.value}')}”")
    late_cancel = at - facts.submitted_at > SMOKING_FREE_CANCEL
    if to is S.CANCELLED and benefit.code == "smoking" and facts.state is S.SUBMITTED and late_cancel:
        raise TransitionRefused("提交已超过2小时且预约正在进行，暂不能取消；预约结果返回后可申请退号")
    return ledger_effect(benefit, facts, to, at, calendar)


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
            raise TransitionRefused("预约记录缺少就诊时间，无法判断是否计次")
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
            raise TransitionRefused("预约记录缺少就诊日期，无法判断是否计次")
        if withdrawn_in_time(at.date(), facts.visit_at.date(), calendar):
            return LedgerKind.REFUNDED
    return None


def withdrawn_in_time(withdrawal: date, visit: date, calendar: WorkingCalendar) -> bool:
    """"2 or more working days before the visit": the visit is at least the 2nd working
    day after the withdrawal date (count working days d, withdrawal < d <= visit)."""
    return calendar.working_days_between(withdrawal, visit) >= SMOKING_FREE_WITHDRAWAL_WORKING_DAYS


def holds_quota(state: RequestState) -> bool:
    """An open request holds a use of the quota until it ends, so two open requests can
    never share the last one; the ledger takes over once the use is counted."""
    return state not in FINAL_STATES
