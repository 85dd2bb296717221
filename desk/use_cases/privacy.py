"""Showing a masked number in full: a deliberate act, written to the audit log."""

from __future__ import annotations

import uuid
from datetime import datetime

from db.tables import AuditEvent
from db.unit_of_work import UnitOfWork
from desk.errors import DeskError
from desk.texts.labels import t
from desk.use_cases.requests import checked_reason

REVEALABLE = {"id_number": "reveal_id_number", "mobile": "reveal_mobile"}


def full_number_reason(reason: str) -> str:
    """Why a full number is shown, as it is stored: never empty, whatever the channel
    (a reveal on screen, an export asked for in full)."""
    reason = checked_reason(reason)
    if not reason:
        raise DeskError(t("error.reveal_reason"))
    return reason


def reveal(
    uow: UnitOfWork,
    *,
    customer_id: uuid.UUID,
    field: str,
    reason: str,
    agent_id: uuid.UUID | None,
    at: datetime,
) -> str:
    """The full value of ``field``, after the audit event is in the same transaction."""
    if field not in REVEALABLE:
        raise DeskError(t("error.reveal_field", field=field))
    reason = full_number_reason(reason)
    customer = uow.customers.get(customer_id)
    if customer is None:
        raise DeskError(t("error.no_customer"))
    uow.audit.add(
        AuditEvent(
            at=at,
            agent_id=agent_id,
            action=REVEALABLE[field],
            subject_type="customer",
            subject_id=customer_id,
            reason=reason,
        )
    )
    uow.commit()
    return str(getattr(customer, field))
