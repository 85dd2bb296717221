"""Complaints (投诉): filed during a call, read in full before they are decided.

A complaint is a ticket of its own with a decision due 15 calendar days after receipt
(``desk.rules.complaints``); filing one is audited, as deciding one is
(``desk.use_cases.complaint_decisions``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from db.tables import AuditEvent, Complaint
from db.unit_of_work import UnitOfWork
from desk.errors import DeskError
from desk.rules.complaints import decision_due
from desk.rules.free_text import printable
from desk.rules.masking import mask_name
from desk.texts.labels import t
from desk.use_cases.limits import COMPLAINT_SUMMARY
from desk.use_cases.queue import service_label

SUMMARY_LIMIT = COMPLAINT_SUMMARY  # the column's size: a longer text is refused, never cut


@dataclass(frozen=True, slots=True)
class FiledComplaint:
    complaint_id: uuid.UUID
    due_at: datetime  # told to the caller before the call ends
    # True when an earlier attempt had filed it already (its answer was lost): nothing new written.
    already_saved: bool = False


@dataclass(frozen=True, slots=True)
class ComplaintView:
    complaint_id: uuid.UUID
    customer: str  # masked: the queue is read outside a verified call
    received_at: datetime
    due_at: datetime
    summary: str
    state: str
    request_id: uuid.UUID | None
    request_number: str
    service: str  # the linked request's service, short name


def file_complaint(
    uow: UnitOfWork,
    customer_id: uuid.UUID,
    summary: str,
    *,
    request_id: uuid.UUID | None,
    agent_id: uuid.UUID | None,
    at: datetime,
    complaint_id: uuid.UUID | None = None,
) -> FiledComplaint:
    """Open a complaint received at ``at``, due by the 15-day rule, with an audit event; commits.

    ``complaint_id`` is made by the caller when the form opens and kept across retries: a
    complaint already on file under it is returned as ``already_saved``, never filed twice.
    Without one, a fresh id is made and a retry is not recognised.
    """
    if complaint_id is not None:
        earlier = uow.complaints.get(complaint_id)
        if earlier is not None:
            if earlier.customer_id != customer_id:
                raise DeskError(t("complaint.id_reused"))
            return FiledComplaint(earlier.id, earlier.due_at, already_saved=True)
    # The customer's words in lines, without what would act on a terminal or the database.
    summary = printable(summary, keep_breaks=True).strip()
    if not summary:
        raise DeskError(t("complaint.need_text"))
    if len(summary) > SUMMARY_LIMIT:
        raise DeskError(t("complaint.too_long", limit=SUMMARY_LIMIT))
    if uow.customers.get(customer_id) is None:
        raise DeskError(t("complaint.no_customer"))
    if request_id is not None:
        request = uow.requests.get(request_id)
        # A complaint linked to someone else's request would show their request to this caller.
        if request is None or request.customer_id != customer_id:
            raise DeskError(t("complaint.not_customers_request"))
    complaint = uow.complaints.add(Complaint(
        id=complaint_id or uuid.uuid4(), customer_id=customer_id, request_id=request_id, received_at=at, summary=summary,
        due_at=decision_due(at, complex_case=False),
    ))
    # The regulator's clock starts at receipt: who took the complaint, and when, stays on record.
    # The customer's words are named by the complaint's id, not copied: they may hold health
    # details and numbers, and the log is read more widely than the complaint.
    uow.audit.add(AuditEvent(at=at, agent_id=agent_id, action="complaint_filed", subject_type="complaint",
                             subject_id=complaint.id,
                             detail={"due_at": complaint.due_at.isoformat(),
                                     "request_id": str(request_id) if request_id else None}))
    uow.commit()
    return FiledComplaint(complaint.id, complaint.due_at)


def load_complaint(uow: UnitOfWork, complaint_id: uuid.UUID) -> ComplaintView:
    complaint = uow.complaints.get(complaint_id)
    if complaint is None:
        raise DeskError(t("queue.already_closed"))
    customer = uow.customers.get(complaint.customer_id)
    request = uow.requests.get(complaint.request_id) if complaint.request_id else None
    return ComplaintView(
        complaint_id=complaint.id,
        customer=mask_name(customer.name) if customer else "-",
        received_at=complaint.received_at,
        due_at=complaint.due_at,
        summary=complaint.summary,
        state=complaint.state,
        request_id=request.id if request else None,
        request_number=request.number if request else "",
        service=service_label(request.service_code) if request else "",
    )
