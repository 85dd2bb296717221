"""The request lifecycle: which transitions are allowed, and what each does to the ledger.

submitted → approved / rejected → supplier contacted → booked (arranged) → done; or
cancelled, no-show, booking failed. Each benefit walks its own part of that line (a
smoking-clinic booking has no separate eligibility step; a claim has no supplier).
What each transition does to the quota is ``desk.rules.counting``. Pure rules: the use
cases apply them, stamp the event and write the ledger.
"""

from __future__ import annotations

from datetime import datetime

from desk.rules.catalogue import Benefit
from desk.rules.counting import ledger_effect, smoking_cancel_too_late
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

# The main line each benefit walks, from submission to done.
MAIN_LINE: dict[str, tuple[RequestState, ...]] = {
    "escort": (S.SUBMITTED, S.APPROVED, S.SUPPLIER_CONTACTED, S.BOOKED, S.DONE),
    "admission": (S.SUBMITTED, S.APPROVED, S.SUPPLIER_CONTACTED, S.BOOKED, S.DONE),
    "smoking": (S.SUBMITTED, S.BOOKED, S.DONE),
    "advance_claim": (S.SUBMITTED, S.APPROVED, S.DONE),
}
# Services with a visit the customer can miss.
HAS_VISIT = frozenset({"escort", "smoking"})

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
        raise TransitionRefused(t("refused.transition", source=t(f"state.{facts.state.value}"),
                                  target=t(f"state.{to.value}")))
    if smoking_cancel_too_late(facts, to, at):
        raise TransitionRefused(t("refused.smoking_cancel_late"))
    return ledger_effect(benefit, facts, to, at, calendar)


def path_to(benefit: Benefit, target: RequestState,
            start: RequestState = S.SUBMITTED) -> tuple[RequestState, ...]:
    """The states a request walks from ``start`` to ``target``: along the main line until
    ``target`` is one of the next states. Empty when ``target`` is ``start``."""
    path: list[RequestState] = []
    state = start
    while state is not target:
        options = next_states(benefit, state)
        if not options:
            raise ValueError(f"{benefit.code}: {target} cannot be reached from {start}")
        state = target if target in options else options[0]
        path.append(state)
    return tuple(path)
