"""A call record: opened with the customer, verified, wrapped up with a note and a code."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime

from db.tables import Call, CallNote
from db.unit_of_work import UnitOfWork
from desk.errors import DeskError
from desk.texts.labels import t

# Wrap-up codes (小结代码): why the call happened, for shift reports; their labels are
# ``wrap_up.<code>`` in the text catalogue.
WRAP_UP_CODES: tuple[str, ...] = (
    "inquiry", "request_filed", "request_followup", "complaint", "verification_failed", "other",
)


def open_call(
    uow: UnitOfWork, *, customer_id: uuid.UUID, agent_id: uuid.UUID | None, at: datetime
) -> uuid.UUID:
    call = uow.calls.add(Call(customer_id=customer_id, agent_id=agent_id, started_at=at))
    uow.commit()
    return call.id


def record_verification(uow: UnitOfWork, call_id: uuid.UUID, confirmed: Collection[str]) -> None:
    call = _call(uow, call_id)
    call.verified_facts = sorted(set(confirmed))
    uow.calls.add(call)
    uow.commit()


def end_call(
    uow: UnitOfWork,
    call_id: uuid.UUID,
    *,
    wrap_up_code: str,
    note: str,
    agent_id: uuid.UUID | None,
    at: datetime,
) -> None:
    if wrap_up_code not in WRAP_UP_CODES:
        raise DeskError(t("error.wrap_up_code", code=wrap_up_code))
    call = _call(uow, call_id)
    call.wrap_up_code = wrap_up_code
    call.ended_at = at
    uow.calls.add(call)
    if note.strip():
        uow.call_notes.add(CallNote(call_id=call_id, at=at, agent_id=agent_id, text=note.strip()))
    uow.commit()


def _call(uow: UnitOfWork, call_id: uuid.UUID) -> Call:
    call = uow.calls.get(call_id)
    if call is None:
        raise DeskError(t("error.no_call"))
    return call
