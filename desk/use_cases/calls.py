"""A call record: opened with the customer, verified, wrapped up with a note and a code."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime

from db.tables import AuditEvent, Call, CallNote, Request
from db.unit_of_work import UnitOfWork
from desk.errors import DeskError
from desk.rules.free_text import checked_text
from desk.rules.identity import identity_verified
from desk.texts.labels import t
from desk.use_cases.clock import china_now
from desk.use_cases.limits import CALL_NOTE

# Wrap-up codes (小结代码): why the call happened, for shift reports; their labels are
# ``wrap_up.<code>`` in the text catalogue.
WRAP_UP_CODES: tuple[str, ...] = (
    "inquiry", "request_filed", "request_followup", "complaint", "verification_failed", "other",
)
# A call closed by Esc on the identity check: it never reached the customer, so it is no
# choice of the agent's, but the call history still names it (``wrap_up.cancelled``).
CANCELLED = "cancelled"
LABELLED_CODES: tuple[str, ...] = (*WRAP_UP_CODES, CANCELLED)
# How far back a customer's requests are read for the ones filed during a call: a call
# files a handful at most, and they are the newest.
RECENT_REQUESTS = 20


def open_call(
    uow: UnitOfWork, *, customer_id: uuid.UUID, agent_id: uuid.UUID | None, at: datetime
) -> uuid.UUID:
    """Open the call record, with its audit event; commits."""
    call = uow.calls.add(Call(customer_id=customer_id, agent_id=agent_id, started_at=at))
    # Who took a call about whom: the call row itself changes as the call goes on.
    _audit(uow, "call_opened", call, at, {"customer_id": str(customer_id)}, agent_id)
    uow.commit()
    return call.id


def record_verification(
    uow: UnitOfWork, call_id: uuid.UUID, confirmed: Collection[str], *, at: datetime | None = None
) -> None:
    """Keep which facts the caller confirmed, with an audit event (passed or not); commits.

    The event is the call's agent's: only the screen of the call that agent opened
    records its check. ``at`` should be the entry point's clock; without it the wall
    clock is read, for the callers that do not pass one yet.
    """
    call = _call(uow, call_id)
    call.verified_facts = sorted(set(confirmed))
    uow.calls.add(call)
    # Which facts were confirmed, never what the caller said: the values stay in the call.
    _audit(uow, "call_identity_check", call, at or china_now(),
           {"confirmed": call.verified_facts, "verified": identity_verified(call.verified_facts)}, call.agent_id)
    uow.commit()


def end_call(
    uow: UnitOfWork,
    call_id: uuid.UUID,
    *,
    wrap_up_code: str,
    note: str,
    agent_id: uuid.UUID | None,
    at: datetime,
    note_id: uuid.UUID | None = None,
) -> bool:
    """Wrap the call up, with its note; commits. True when an earlier attempt already had.

    ``note_id`` is made by the wrap-up form when it opens and kept across retries: a retry
    after a lost answer finds the note on file and writes nothing, never a second note.
    """
    if wrap_up_code not in WRAP_UP_CODES:
        raise DeskError(t("error.wrap_up_code", code=wrap_up_code))
    try:
        note = checked_text(t("wrap_up.note"), note, max_length=CALL_NOTE, multi_line=True)
    except ValueError as error:
        raise DeskError(str(error)) from None
    call = _call(uow, call_id)
    if note_id is not None and uow.call_notes.get(note_id) is not None:
        return True
    call.wrap_up_code = wrap_up_code
    call.ended_at = at
    uow.calls.add(call)
    note_row = None
    if note:
        note_row = uow.call_notes.add(CallNote(id=note_id or uuid.uuid4(), call_id=call_id, at=at,
                                               agent_id=agent_id, text=note))
    # The note is named, not copied: it may hold health details the log must not spread.
    _audit(uow, "call_ended", call, at,
           {"wrap_up_code": wrap_up_code, "note_id": str(note_row.id) if note_row else None}, agent_id)
    uow.commit()
    return False


def cancel_call(uow: UnitOfWork, call_id: uuid.UUID, *, at: datetime) -> None:
    """End a call whose identity check was cancelled: nothing verified, nothing to wrap up."""
    call = _call(uow, call_id)
    call.verified_facts = []
    call.wrap_up_code = CANCELLED
    call.ended_at = at
    uow.calls.add(call)
    # Esc on the identity check: the call's agent, who opened it, closed it unverified.
    _audit(uow, "call_cancelled", call, at, {}, call.agent_id)
    uow.commit()


def suggested_wrap_up_code(uow: UnitOfWork, call_id: uuid.UUID) -> str:
    """The wrap-up code that fits what the call did; the agent may still choose another.

    Not verified: ``verification_failed``; a request filed during the call by its agent:
    ``request_filed``; otherwise ``inquiry``.
    """
    call = _call(uow, call_id)
    if not identity_verified(call.verified_facts):
        return "verification_failed"
    if requests_filed_during(uow, call):
        return "request_filed"
    return "inquiry"


def requests_filed_during(uow: UnitOfWork, call: Call) -> list[Request]:
    """The hotline requests the call's agent filed on the caller's policies since it began.

    Read from the requests themselves rather than counted by the screens, so a request
    filed from any screen during the call (cards, queue) counts the same.
    """
    if call.customer_id is None:
        return []
    policies = uow.policies.of_customer(call.customer_id)
    policy_ids = {policy.id for policy in policies}
    # A request belongs to the policy's insured, who may not be the caller (a holder).
    insured = {policy.insured_id for policy in policies}
    return [
        request
        for customer_id in insured
        for request in uow.requests.of_customer(customer_id, limit=RECENT_REQUESTS)
        if request.policy_id in policy_ids
        and request.channel == "hotline"
        and request.created_by == call.agent_id
        and request.submitted_at >= call.started_at
    ]


def _audit(
    uow: UnitOfWork, action: str, call: Call, at: datetime, detail: dict[str, object],
    agent_id: uuid.UUID | None,
) -> None:
    """Add the event of a write to ``call``, in the write's transaction."""
    uow.audit.add(AuditEvent(at=at, agent_id=agent_id, action=action, subject_type="call",
                             subject_id=call.id, detail=detail))


def _call(uow: UnitOfWork, call_id: uuid.UUID) -> Call:
    call = uow.calls.get(call_id)
    if call is None:
        raise DeskError(t("error.no_call"))
    return call
