"""Deciding a complaint: the decision closes the ticket and leaves the queue; kept forever."""

from __future__ import annotations

import uuid
from datetime import datetime

from db.tables import AuditEvent
from db.unit_of_work import UnitOfWork
from desk.errors import DeskError
from desk.rules.free_text import checked_text
from desk.rules.masking import mask_identity_in_text
from desk.rules.roles import Action, check_role
from desk.texts.labels import t
from desk.use_cases.limits import COMPLAINT_DECISION


def decide_complaint(
    uow: UnitOfWork, complaint_id: uuid.UUID, decision: str, *, agent_id: uuid.UUID | None, at: datetime
) -> None:
    """Record the decision on an open complaint, with an audit event; commits."""
    try:
        decision = checked_text(t("complaint.decision"), decision, max_length=COMPLAINT_DECISION,
                                multi_line=True)
    except ValueError as error:
        raise DeskError(str(error)) from None
    if not decision:
        raise DeskError(t("complaint.need_decision"))
    agent = uow.agents.get(agent_id) if agent_id is not None else None
    check_role(agent.role if agent is not None else None, Action.DECIDE_COMPLAINT)
    complaint = uow.complaints.get(complaint_id)
    if complaint is None or complaint.state != "open":
        raise DeskError(t("queue.already_closed"))
    complaint.state = "decided"
    complaint.decided_at = at
    complaint.decision = decision
    uow.complaints.add(complaint)
    # The decision answers a regulator's deadline: who decided, and when, stays on record.
    # Its words are the reason, with any ID number or mobile masked as on a screen.
    uow.audit.add(AuditEvent(at=at, agent_id=agent_id, action="complaint_decided", subject_type="complaint",
                             subject_id=complaint.id, reason=mask_identity_in_text(decision)[:512],
                             detail={"due_at": complaint.due_at.isoformat(), "late": at > complaint.due_at}))
    uow.commit()
