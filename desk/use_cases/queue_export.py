"""The whole queue for scripts and shift reports: an audited export, supervisors up.

Printing the queue takes customer data (masked names, but still customer data) out of the
database, so each run needs ``Action.EXPORT`` and is written to the audit log, and so is a
refused attempt. With a reason, the export also carries each customer's full ID number and
mobile (to call back from a shift report); the event records that and the reason.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from db.tables import AuditEvent
from db.unit_of_work import UnitOfWork
from desk.rules.roles import Action
from desk.use_cases.gates import gate
from desk.use_cases.privacy import full_number_reason
from desk.use_cases.queue import QueueFilter, QueueItem, QueuePage, whole_queue
from desk.use_cases.sign_in import SignedIn

__all__ = ["EXPORT", "EXPORT_REFUSED", "FullNumbers", "QueueExport", "export_queue"]

# The audit actions this module writes.
EXPORT = "export_queue"
EXPORT_REFUSED = "export_queue_refused"


@dataclass(frozen=True, slots=True)
class FullNumbers:
    id_number: str
    mobile: str


@dataclass(frozen=True, slots=True)
class QueueExport:
    page: QueuePage
    items: list[QueueItem]
    # Item id to the customer's full numbers; empty unless asked for with a reason.
    numbers: dict[uuid.UUID, FullNumbers] = field(default_factory=dict)
    full_numbers: bool = False


def export_queue(
    uow: UnitOfWork,
    *,
    agent: SignedIn,
    now: datetime,
    queue_filter: QueueFilter,
    at: datetime,
    output: str,
    full_numbers_reason: str | None = None,
) -> QueueExport:
    """Every row of the queue as of ``now``, for the signed-in ``agent``; commits the event.

    Raises ``RoleRefused`` below ``Action.EXPORT``, after recording the attempt.
    """
    reason = full_number_reason(full_numbers_reason) if full_numbers_reason is not None else None
    detail = {"format": output, "service": queue_filter.service, "step": queue_filter.step,
              "state": queue_filter.state.value if queue_filter.state else None,
              "full_numbers": reason is not None}
    gate(uow, agent, Action.EXPORT, refused_as=EXPORT_REFUSED, subject_type="queue", at=at, detail=detail)
    page, items = whole_queue(uow, now, queue_filter)
    numbers: dict[uuid.UUID, FullNumbers] = {}
    if reason is not None:
        found = uow.queue.customer_numbers([i.id for i in items if i.kind == "step"],
                                           [i.id for i in items if i.kind == "complaint"])
        numbers = {item_id: FullNumbers(*pair) for item_id, pair in found.items()}
    uow.audit.add(AuditEvent(at=at, agent_id=agent.agent_id, action=EXPORT, subject_type="queue",
                             reason=reason or "", detail={**detail, "rows": len(items)}))
    uow.commit()
    return QueueExport(page, items, numbers, full_numbers=reason is not None)
