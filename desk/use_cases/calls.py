"""A call record: opened with the customer, verified, wrapped up with a note and a code."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime

from db.tables import Call, CallNote
from db.unit_of_work import UnitOfWork
from desk.errors import DeskError

# Wrap-up codes (小结代码): why the call happened, for shift reports.
WRAP_UP_CODES: dict[str, str] = {
    "inquiry": "咨询权益",
    "request_filed": "已提交服务申请",
    "request_followup": "跟进申请进度",
    "complaint": "投诉",
    "verification_failed": "核身未通过",
    "other": "其他",
}


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
        raise DeskError(f"请选择小结代码 (unknown wrap-up code {wrap_up_code!r})")
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
        raise DeskError("通话记录不存在 (no such call)")
    return call
