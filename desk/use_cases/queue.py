"""The pending-SLA queue: every open step and undecided complaint, soonest due first.

Each row says where it stands against its deadline (overdue, due soon, on track) and how
many hotline hours are left. The states cut the queue at two instants (now, and the end
of "due soon"), so a filter by state is a range of due times the database can page.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Literal

from db.repositories.queue import (
    COMPLAINT,
    COMPLAINT_STEP,
    Direction,
    OpenWork,
    QueueBounds,
    QueueKey,
)
from db.tables import AuditEvent
from db.unit_of_work import UnitOfWork
from desk.errors import DeskError
from desk.rules.catalogue import BENEFITS, SlaUnit, benefit
from desk.rules.lifecycle import next_states
from desk.rules.masking import mask_name
from desk.rules.request_states import RequestState
from desk.rules.sla_status import SlaState, due_soon_until, state_between, working_time_left
from desk.rules.working_calendar import WorkingCalendar
from desk.texts.labels import language, t
from desk.use_cases.calendar_data import load_working_calendar

PAGE_SIZE = 50
AgentFilter = Literal["mine", "unassigned"]


@dataclass(frozen=True, slots=True)
class QueueFilter:
    """What the agent narrowed the queue to; None shows everything."""

    service: str | None = None  # a benefit code, or "complaint"
    step: str | None = None
    agent: AgentFilter | None = None
    state: SlaState | None = None


@dataclass(frozen=True, slots=True)
class QueueItem:
    kind: Literal["step", "complaint"]
    id: uuid.UUID
    key: QueueKey
    state: SlaState
    due_at: datetime
    working_left: timedelta
    calendar_unknown_after: date | None
    service_code: str
    service: str
    step_code: str
    step: str
    customer: str  # masked
    mobile_tail: str
    agent: str
    request_id: uuid.UUID | None
    request_number: str
    # The next main-line transition of the request, if the queue can make it.
    next_state: RequestState | None
    # The state the request is in: the move is made from it, and only from it.
    request_state: RequestState | None = None


@dataclass(frozen=True, slots=True)
class QueuePage:
    items: list[QueueItem]
    counts: dict[SlaState, int]
    now: datetime
    calendar: WorkingCalendar
    at_end: bool = False

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def known_until(self) -> date | None:
        return self.calendar.known_until

    @property
    def missing_year(self) -> int | None:
        """Next year, from 1 November on, while its arrangement is not in the calendar."""
        return self.calendar.missing_next_year(self.now.date())


def load_queue(
    uow: UnitOfWork,
    now: datetime,
    queue_filter: QueueFilter = QueueFilter(),
    *,
    agent_id: uuid.UUID | None = None,
    size: int = PAGE_SIZE,
    direction: Direction = "from",
    key: QueueKey | None = None,
    previous: QueuePage | None = None,
) -> QueuePage:
    """One window of the queue: ``size`` rows from, after or before ``key`` (or the last).

    The counts per state cost a pass over every open step, and the calendar a read of
    every day it holds: a window that only scrolls passes the ``previous`` page, whose
    counts and calendar are kept rather than read again.
    """
    calendar = previous.calendar if previous is not None else load_working_calendar(uow)
    soon_until = due_soon_until(now, calendar)
    bounds = _bounds(queue_filter, agent_id, now, soon_until)
    forwards = direction in ("from", "after")
    # Forwards, one row more than asked says whether the queue goes on; backwards from a
    # key, the key's own row is still to come, so the window is never the end.
    rows = uow.queue.window(bounds, size + 1 if forwards else size, direction, key)
    at_end = direction == "last" or (forwards and len(rows) <= size)
    rows = rows[:size]
    if previous is not None:
        counts = previous.counts
    else:
        stored = uow.queue.counts(replace(bounds, due_from=None, due_before=None, due_after=None, due_to=None),
                                  now, soon_until)
        counts = {SlaState(state): stored.get(state, 0) for state in SlaState}
    return QueuePage(
        items=[_item(row, now, soon_until, calendar) for row in rows],
        counts=counts,
        now=now,
        calendar=calendar,
        at_end=at_end,
    )


def whole_queue(
    uow: UnitOfWork, now: datetime, queue_filter: QueueFilter = QueueFilter(), *, agent_id: uuid.UUID | None = None
) -> tuple[QueuePage, list[QueueItem]]:
    """Every row, page by page (for scripts and shift reports), and the first page's header."""
    first = load_queue(uow, now, queue_filter, agent_id=agent_id, size=500)
    items, page = list(first.items), first
    while not page.at_end and page.items:
        page = load_queue(uow, now, queue_filter, agent_id=agent_id, size=500,
                          direction="after", key=page.items[-1].key, previous=page)
        items.extend(page.items)
    return first, items


def load_queue_at_request(
    uow: UnitOfWork,
    now: datetime,
    queue_filter: QueueFilter,
    request_id: uuid.UUID,
    *,
    agent_id: uuid.UUID | None = None,
    size: int = PAGE_SIZE,
    previous: QueuePage | None = None,
) -> QueuePage | None:
    """The window that starts at the request's open step, or None when the queue (under
    this filter) holds none: after a move, the agent stays on the request acted on even
    when its next deadline is further down the queue."""
    steps = [s for s in uow.request_steps.open_of_requests([request_id]) if s.due_at is not None]
    if not steps:
        return None
    key = (steps[0].due_at, steps[0].id)
    page = load_queue(uow, now, queue_filter, agent_id=agent_id, size=size, direction="from",
                      key=key, previous=previous)  # type: ignore[arg-type]
    return page if page.items and page.items[0].request_id == request_id else None


def assign_to_me(uow: UnitOfWork, item: QueueItem, agent_id: uuid.UUID, *, at: datetime) -> None:
    """Take a row: the step (or complaint) is assigned to the agent, with an audit event; commits."""
    if item.kind == "step":
        taken = uow.queue.assign_step(item.id, agent_id)
    else:
        taken = uow.queue.assign_complaint(item.id, agent_id)
    if not taken:
        raise DeskError(t("queue.already_closed"))
    # The row keeps only the latest holder: who took the work, and when, is kept here.
    uow.audit.add(AuditEvent(
        at=at, agent_id=agent_id, action="assign",
        subject_type="request_step" if item.kind == "step" else "complaint", subject_id=item.id,
        detail={"request_id": str(item.request_id) if item.request_id else None, "step": item.step_code},
    ))
    uow.commit()


def step_names() -> dict[str, str]:
    """Every timed step the queue can hold, code to name, in catalogue order."""
    names: dict[str, str] = {}
    for entry in BENEFITS:
        for step in entry.sla_steps:
            if step.unit is not SlaUnit.REAL_TIME:
                names.setdefault(step.code, _step_name(step.name_zh, step.name_en))
    names[COMPLAINT_STEP] = t("queue.complaint_step")
    return names


def service_names() -> dict[str, str]:
    """Every service that can have open steps, code to short name, and complaints."""
    names = {entry.code: service_label(entry.code) for entry in BENEFITS if not entry.real_time}
    names[COMPLAINT] = t("queue.complaint")
    return names


def service_label(code: str) -> str:
    if code == COMPLAINT:
        return t("queue.complaint")
    entry = benefit(code)
    if language() == "en":
        return entry.short_en or entry.name_en
    return entry.short_zh or entry.name_zh


def format_working_left(left: timedelta) -> str:
    """Hotline hours and minutes, "-" in front once overdue: 4h05, -2h30, 27h00, -130h."""
    minutes = int(abs(left).total_seconds() // 60)
    sign = "-" if left < timedelta() else ""
    if minutes >= 100 * 60:
        # Past 100 hours the minutes are noise, and the column stays narrow.
        return f"{sign}{minutes // 60}h"
    return f"{sign}{minutes // 60}h{minutes % 60:02d}"


def _bounds(queue_filter: QueueFilter, agent_id: uuid.UUID | None, now: datetime, soon_until: datetime) -> QueueBounds:
    bounds = QueueBounds(service_code=queue_filter.service, step_code=queue_filter.step)
    if queue_filter.agent == "mine":
        # With no agent known there is nothing that is "mine": an id no row carries.
        bounds = replace(bounds, assigned_to=agent_id or uuid.UUID(int=0))
    elif queue_filter.agent == "unassigned":
        bounds = replace(bounds, unassigned=True)
    if queue_filter.state is SlaState.OVERDUE:
        bounds = replace(bounds, due_before=now)
    elif queue_filter.state is SlaState.DUE_SOON:
        bounds = replace(bounds, due_from=now, due_to=soon_until)
    elif queue_filter.state is SlaState.ON_TRACK:
        bounds = replace(bounds, due_after=soon_until)
    return bounds


def _item(row: OpenWork, now: datetime, soon_until: datetime, calendar: WorkingCalendar) -> QueueItem:
    state = state_between(row.due_at, now, soon_until)
    return QueueItem(
        kind=row.kind,
        id=row.id,
        key=row.key,
        state=state,
        due_at=row.due_at,
        working_left=working_time_left(row.due_at, now, calendar),
        calendar_unknown_after=row.calendar_unknown_after,
        service_code=row.service_code,
        service=service_label(row.service_code),
        step_code=row.step_code,
        step=_row_step_name(row),
        customer=mask_name(row.customer_name),
        mobile_tail=row.customer_mobile[-4:],
        agent=row.agent_name,
        request_id=row.request_id,
        request_number=row.request_number,
        next_state=_next_state(row),
        request_state=RequestState(row.request_state) if row.kind == "step" and row.request_state else None,
    )


def _row_step_name(row: OpenWork) -> str:
    if row.kind == "complaint":
        return t("queue.complaint_step")
    for step in benefit(row.service_code).sla_steps:
        if step.code == row.step_code:
            return _step_name(step.name_zh, step.name_en)
    return row.step_code


def _step_name(zh: str, en: str) -> str:
    return en if language() == "en" else zh


def _next_state(row: OpenWork) -> RequestState | None:
    if row.kind != "step":
        return None
    following = next_states(benefit(row.service_code), RequestState(row.request_state))
    return following[0] if following else None
