"""One request as the agent reviews it: details, timeline, open steps, what may come next.

The details are read out to a caller, so they come labelled from the text catalogue, with
illness codes named from the policy's own list, times to the minute and lists joined;
never as stored (field names, ISO times, Python lists).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from db.unit_of_work import UnitOfWork
from desk.errors import DeskError
from desk.rules.booking import booked_details
from desk.rules.catalogue import benefit
from desk.rules.lifecycle import next_states
from desk.rules.masking import mask_identity_in_text
from desk.rules.request_states import RequestState
from desk.texts.labels import CATALOGUES, language, t


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    at: datetime
    from_state: str
    to_state: str
    agent: str
    reason: str
    # What the event records beside its reason, in words: who asked for a cancellation
    # and whether it counted.
    note: str = ""


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
    # The details as the agent reads them: (label, value), what was asked before what was booked.
    shown_details: tuple[tuple[str, str], ...] = ()
    # Filed at a branch office: whether head office has counted it (desk.rules.confirmation).
    confirmation: str = ""


def load_request_view(uow: UnitOfWork, request_id: uuid.UUID) -> RequestView:
    request = uow.requests.get(request_id)
    if request is None:
        raise DeskError(t("error.no_request"))
    entry = benefit(request.service_code)
    names = {step.code: step.name_zh for step in entry.sla_steps}
    logins: dict[uuid.UUID | None, str] = {None: "-"}
    timeline = []
    events = uow.request_events.of_request(request.id)
    for event in events:
        if event.agent_id not in logins:
            agent = uow.agents.get(event.agent_id)  # type: ignore[arg-type]
            logins[event.agent_id] = agent.login if agent else "?"
        timeline.append(TimelineEntry(event.at, event.from_state, event.to_state, logins[event.agent_id],
                                      mask_identity_in_text(event.reason), _event_note(event.to_state, event.data)))
    steps = tuple(
        StepLine(s.step_code, names.get(s.step_code, s.step_code), s.started_at, s.due_at, s.done_at,
                 s.calendar_unknown_after)
        for s in uow.request_steps.of_request(request.id)
    )
    # Requests booked before the booking was kept beside the request (and the demo's) hold
    # what was booked only in the booking's event: read it from there.
    booking: dict[str, Any] = {}
    for event in events:
        if event.to_state == RequestState.BOOKED:
            booking = booked_details(event.data)
    details = {**booking, **request.details}
    policy = uow.policies.get(request.policy_id)
    illnesses = {i.code: _illness_name(i.name_zh, i.name_en) for i in uow.illnesses.of_list(policy.illness_list)} \
        if policy is not None else {}
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
        shown_details=shown_details(entry.code, details, illnesses),
        confirmation=request.confirmation,
    )


# What a booking agreed, shown after what the customer asked for.
BOOKING_FIELDS = ("visit_at", "date", "booked_hospital", "booked_department", "meeting_point")
# Fields holding codes whose words are in the catalogue (detail.choice.*).
CODED_FIELDS = frozenset({"kind", "channel", "scales", "scale", "materials", "hospital", "documents"})
ILLNESS_FIELDS = {"suspected_illness": "suspected_illness_name", "illness": "illness_name"}
_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?")


def shown_details(service_code: str, details: Mapping[str, Any],
                  illnesses: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """The details as (label, value) lines; empty values left out, booking fields last."""
    hidden = set(ILLNESS_FIELDS.values())
    names = [n for n in details if n not in BOOKING_FIELDS and n not in hidden]
    names += [n for n in BOOKING_FIELDS if n in details]
    lines = []
    for name in names:
        value = details[name]
        if value is None or value == "" or value == [] or value == {}:
            continue
        if name in ILLNESS_FIELDS:
            code = str(value)
            known = illnesses.get(code) or str(details.get(ILLNESS_FIELDS[name]) or "")
            text = f"{code} {known}".strip()
        else:
            text = _value_text(name, value)
        # Free text may quote a number ("回电 138…"): shown masked like every number on screen.
        lines.append((_label(service_code, name), mask_identity_in_text(text)))
    return tuple(lines)


def _label(service_code: str, name: str) -> str:
    catalogue = CATALOGUES[language()]
    for key in (f"detail.label.{service_code}.{name}", f"detail.label.{name}"):
        if key in catalogue or key in CATALOGUES["zh"]:
            return t(key)
    return name  # a field no channel was known to send: shown as stored rather than hidden


def _value_text(name: str, value: Any) -> str:
    if isinstance(value, bool):
        return t("yes") if value else t("no")
    if isinstance(value, list | tuple):
        return "、".join(_value_text(name, item) for item in value)
    if isinstance(value, dict):
        return "、".join(f"{_label('', k)} {_value_text(k, v)}" for k, v in value.items())
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    text = str(value)
    if _MOMENT.fullmatch(text):
        return f"{datetime.fromisoformat(text):%Y-%m-%d %H:%M}"
    if name in CODED_FIELDS and f"detail.choice.{text}" in CATALOGUES["zh"]:
        return t(f"detail.choice.{text}")
    return text


def _illness_name(name_zh: str, name_en: str) -> str:
    return name_en if language() == "en" and name_en else name_zh


def _event_note(to_state: str, data: Mapping[str, Any]) -> str:
    if to_state != RequestState.CANCELLED:
        return ""
    parts = []
    by = data.get("by")
    if by:
        parts.append(t(f"cancel.by.{by}") if f"cancel.by.{by}" in CATALOGUES["zh"] else str(by))
    if "counted" in data:
        parts.append(t("cancel.note_counted") if data["counted"] else t("cancel.note_not_counted"))
    return "，".join(parts)


# What an agent must give for a transition, beyond the agent and the time.
NEEDS_REASON = frozenset({RequestState.REJECTED, RequestState.CANCELLED, RequestState.BOOKING_FAILED})
NEEDS_BOOKING = frozenset({RequestState.BOOKED})
NEEDS_REQUESTER = frozenset({RequestState.CANCELLED})
