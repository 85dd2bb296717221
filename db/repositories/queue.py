"""The open work read by deadline: request steps not yet done and complaints not yet decided.

The queue is paged by its sort key (due time, then id) rather than by offset, so the
first page, the next page and the page before all cost the same at any depth. Both
sources are read in key order with the same bounds and merged: ids are random UUIDs, so
one key orders the two kinds of row together.
"""

from __future__ import annotations

import heapq
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import Select, and_, case, func, literal, null, or_, select
from sqlalchemy.orm import Session, aliased

from db.tables import Agent, Complaint, Customer, Request, RequestStep

COMPLAINT = "complaint"
COMPLAINT_STEP = "decision"

QueueKey = tuple[datetime, uuid.UUID]
Direction = Literal["from", "after", "before", "last"]


@dataclass(frozen=True, slots=True)
class OpenWork:
    """One row of the queue as stored: a request step or a complaint."""

    kind: Literal["step", "complaint"]
    id: uuid.UUID
    due_at: datetime
    started_at: datetime
    step_code: str
    service_code: str  # "complaint" for a complaint
    request_id: uuid.UUID | None
    request_number: str
    request_state: str
    customer_name: str
    customer_mobile: str
    assigned_to: uuid.UUID | None
    agent_name: str
    calendar_unknown_after: date | None

    @property
    def key(self) -> QueueKey:
        return (self.due_at, self.id)


@dataclass(frozen=True, slots=True)
class QueueBounds:
    """What to show, in stored terms: each field narrows the queue when it is set."""

    service_code: str | None = None
    step_code: str | None = None
    assigned_to: uuid.UUID | None = None
    unassigned: bool = False
    due_from: datetime | None = None  # inclusive
    due_before: datetime | None = None  # exclusive
    due_after: datetime | None = None  # exclusive
    due_to: datetime | None = None  # inclusive


class QueueRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def window(
        self, bounds: QueueBounds, limit: int, direction: Direction = "from", key: QueueKey | None = None
    ) -> list[OpenWork]:
        """Up to ``limit`` rows in key order: from/after ``key``, the ones before it, or the last."""
        backwards = direction in ("before", "last")
        rows: list[OpenWork] = []
        for table, statement in ((RequestStep, _step_rows(bounds)), (Complaint, _complaint_rows(bounds))):
            if statement is None:
                continue
            statement = _keyed(statement, table, direction, key)
            rows.extend(_open_work(r) for r in self.session.execute(statement.limit(limit)).all())
        if backwards:
            return sorted(heapq.nlargest(limit, rows, key=_key), key=_key)
        return heapq.nsmallest(limit, rows, key=_key)

    def counts(self, bounds: QueueBounds, overdue_before: datetime, soon_until: datetime) -> dict[str, int]:
        """How many rows are overdue, due soon and on track, under every bound but the state."""
        totals = {"overdue": 0, "due_soon": 0, "on_track": 0}
        for statement in _count_statements(bounds, overdue_before, soon_until):
            overdue, soon, on_track = self.session.execute(statement).one()
            totals["overdue"] += overdue or 0
            totals["due_soon"] += soon or 0
            totals["on_track"] += on_track or 0
        return totals

    def customer_numbers(
        self, step_ids: list[uuid.UUID], complaint_ids: list[uuid.UUID]
    ) -> dict[uuid.UUID, tuple[str, str]]:
        """The customer's full ID number and mobile for each step or complaint id.

        Kept out of ``window``: the queue rows a screen holds never carry a full number;
        only an audited export with a reason asks for them.
        """
        found: dict[uuid.UUID, tuple[str, str]] = {}
        sources = (
            (step_ids, select(RequestStep.id, Customer.id_number, Customer.mobile)
             .join(Request, Request.id == RequestStep.request_id)
             .join(Customer, Customer.id == Request.customer_id), RequestStep.id),
            (complaint_ids, select(Complaint.id, Customer.id_number, Customer.mobile)
             .join(Customer, Customer.id == Complaint.customer_id), Complaint.id),
        )
        for ids, statement, row_id in sources:
            # In chunks: both backends cap the parameters of one statement.
            for start in range(0, len(ids), 1000):
                chunk = ids[start:start + 1000]
                for item_id, id_number, mobile in self.session.execute(statement.where(row_id.in_(chunk))):
                    found[item_id] = (id_number, mobile or "")
        return found

    def assign_step(self, step_id: uuid.UUID, agent_id: uuid.UUID) -> bool:
        step = self.session.get(RequestStep, step_id)
        if step is None or step.done_at is not None:
            return False
        step.assigned_to = agent_id
        self.session.add(step)
        return True

    def assign_complaint(self, complaint_id: uuid.UUID, agent_id: uuid.UUID) -> bool:
        complaint = self.session.get(Complaint, complaint_id)
        if complaint is None or complaint.state != "open":
            return False
        complaint.assigned_to = agent_id
        self.session.add(complaint)
        return True

    # -- statements ------------------------------------------------------------------------

_Assigned = aliased(Agent)


def _count_statements(bounds: QueueBounds, overdue_before: datetime, soon_until: datetime) -> list[Select[Any]]:
    statements: list[Select[Any]] = []
    for table, where in ((RequestStep, _step_where(bounds)), (Complaint, _complaint_where(bounds))):
        if where is None:
            continue
        due: Any = table.due_at
        statement = select(
            func.sum(case((due < overdue_before, 1), else_=0)),
            func.sum(case((and_(due >= overdue_before, due <= soon_until), 1), else_=0)),
            func.sum(case((due > soon_until, 1), else_=0)),
        ).where(*where)
        statements.append(statement)
    return statements


def _step_where(bounds: QueueBounds) -> list[Any] | None:
    if bounds.service_code == COMPLAINT:
        return None
    where: list[Any] = [RequestStep.done_at.is_(None), RequestStep.due_at.is_not(None)]  # type: ignore[union-attr]
    if bounds.service_code is not None:
        where.append(RequestStep.service_code == bounds.service_code)
    if bounds.step_code is not None:
        where.append(RequestStep.step_code == bounds.step_code)
    where.extend(_common_where(RequestStep, bounds))
    return where


def _complaint_where(bounds: QueueBounds) -> list[Any] | None:
    if bounds.service_code not in (None, COMPLAINT) or bounds.step_code not in (None, COMPLAINT_STEP):
        return None
    where: list[Any] = [Complaint.state == "open"]
    where.extend(_common_where(Complaint, bounds))
    return where


def _common_where(table: Any, bounds: QueueBounds) -> list[Any]:
    where: list[Any] = []
    if bounds.assigned_to is not None:
        where.append(table.assigned_to == bounds.assigned_to)
    if bounds.unassigned:
        where.append(table.assigned_to.is_(None))
    if bounds.due_from is not None:
        where.append(table.due_at >= bounds.due_from)
    if bounds.due_before is not None:
        where.append(table.due_at < bounds.due_before)
    if bounds.due_after is not None:
        where.append(table.due_at > bounds.due_after)
    if bounds.due_to is not None:
        where.append(table.due_at <= bounds.due_to)
    return where


def _step_rows(bounds: QueueBounds) -> Select[Any] | None:
    where = _step_where(bounds)
    if where is None:
        return None
    return (
        select(
            literal("step").label("kind"), RequestStep.id, RequestStep.due_at, RequestStep.started_at,
            RequestStep.step_code, RequestStep.service_code, Request.id.label("request_id"),
            Request.number.label("request_number"), Request.state.label("request_state"),
            Customer.name.label("customer_name"), Customer.mobile.label("customer_mobile"),
            RequestStep.assigned_to, _Assigned.name.label("agent_name"), RequestStep.calendar_unknown_after,
        )
        .join(Request, Request.id == RequestStep.request_id)
        .join(Customer, Customer.id == Request.customer_id)
        .outerjoin(_Assigned, _Assigned.id == RequestStep.assigned_to)
        .where(*where)
    )


def _complaint_rows(bounds: QueueBounds) -> Select[Any] | None:
    where = _complaint_where(bounds)
    if where is None:
        return None
    return (
        select(
            literal("complaint").label("kind"), Complaint.id, Complaint.due_at,
            Complaint.received_at.label("started_at"), literal(COMPLAINT_STEP).label("step_code"),
            literal(COMPLAINT).label("service_code"), Request.id.label("request_id"),
            Request.number.label("request_number"), Request.state.label("request_state"),
            Customer.name.label("customer_name"), Customer.mobile.label("customer_mobile"),
            Complaint.assigned_to, _Assigned.name.label("agent_name"),
            null().label("calendar_unknown_after"),
        )
        .join(Customer, Customer.id == Complaint.customer_id)
        .outerjoin(Request, Request.id == Complaint.request_id)
        .outerjoin(_Assigned, _Assigned.id == Complaint.assigned_to)
        .where(*where)
    )


def _keyed(statement: Select[Any], table: Any, direction: Direction, key: QueueKey | None) -> Select[Any]:
    due, row_id = table.due_at, table.id
    if key is not None and direction != "last":
        at, key_id = key
        if direction == "from":
            # A range on due_at the index can use, then the tie on id.
            statement = statement.where(due >= at, or_(due > at, row_id >= key_id))
        elif direction == "after":
            statement = statement.where(due >= at, or_(due > at, row_id > key_id))
        else:
            statement = statement.where(due <= at, or_(due < at, row_id < key_id))
    if direction in ("before", "last"):
        return statement.order_by(due.desc(), row_id.desc())
    return statement.order_by(due, row_id)


def _key(row: OpenWork) -> QueueKey:
    return row.key


def _open_work(row: Any) -> OpenWork:
    # Both selects label their columns with OpenWork's field names; a complaint linked to
    # no request, or a customer with no mobile, reads as empty text.
    values = dict(row._mapping)
    for name in ("request_number", "request_state", "customer_mobile", "agent_name"):
        values[name] = values[name] or ""
    return OpenWork(**values)
