"""One request as the agent reviews it: details, timeline, open steps, what may come next."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from db.unit_of_work import UnitOfWork
from desk.errors import DeskError
from desk.rules.catalogue import benefit
from desk.rules.lifecycle import next_states
from desk.rules.request_states import RequestState
from desk.texts.labels import t


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    at: datetime
    from_state: str
    to_state: str
    agent: str
    reason: str


@dataclass(frozen=True, slots=True)
class StepLine:
    code: str
    name_zh: str
    started_at: datetime
    due_at: datetime | None
    done_at: datetime | None
    # Set when the due time ran past the days the calendar knew (see desk.texts.due).
    calendar_unknown_after: date | None = None


@dataclass(frozen=True, slots=True)
class RequestView:
    request_id: uuid.UUID
    number: str
    service_code: str
    service_name: str
    state: RequestState
    beneficiary: str
    channel: str
    submitted_at: datetime
    details: dict[str, Any]
    timeline: tuple[TimelineEntry, ...]
    steps: tuple[StepLine, ...]
    next_states: tuple[RequestState, ...]


def load_request_view(uow: UnitOfWork, request_id: uuid.UUID) -> RequestView:
    request = uow.requests.get(request_id)
    if request is None:
        raise DeskError(t("error.no_request"))
    entry = benefit(request.service_code)
    names = {step.code: step.name_zh for step in entry.sla_steps}
    logins: dict[uuid.UUID | None, str] = {None: "-"}
    timeline = []
    for event in uow.request_events.of_request(request.id):
        if event.agent_id not in logins:
            agent = uow.agents.get(event.agent_id)  # type: ignore[arg-type]
            logins[event.agent_id] = agent.login if agent else "?"
        timeline.append(TimelineEntry(event.at, event.from_state, event.to_state, logins[event.agent_id], event.reason))
    steps = tuple(
        StepLine(s.step_code, names.get(s.step_code, s.step_code), s.started_at, s.due_at, s.done_at,
                 s.calendar_unknown_after)
        for s in uow.request_steps.of_request(request.id)
    )
    state = RequestState(request.state)
    return RequestView(
        request_id=request.id,
        number=request.number,
        service_code=entry.code,
        service_name=entry.name_zh,
        state=state,
        beneficiary=request.beneficiary_name,
        channel=request.channel,
        submitted_at=request.submitted_at,
        details=dict(request.details),
        timeline=tuple(timeline),
        steps=steps,
        next_states=next_states(entry, state),
    )


# What an agent must give for a transition, beyond the agent and the time.
NEEDS_REASON = frozenset({RequestState.REJECTED, RequestState.CANCELLED, RequestState.BOOKING_FAILED})
NEEDS_BOOKING = frozenset({RequestState.BOOKED})
