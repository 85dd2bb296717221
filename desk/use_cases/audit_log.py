"""Reading the audit log: supervisors and admins only, and the reading is itself on record.

The log says who saw a full ID number, who overrode a refusal, who exported what: reading
it is as sensitive as what it records, so each reading is a new event (with the filters
and how many events were read), and an agent's refused attempt is one too.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from db.tables import AuditEvent
from db.unit_of_work import UnitOfWork
from desk.errors import DeskError
from desk.rules.roles import Action
from desk.texts.labels import ZH, t
from desk.use_cases.gates import gate_row

__all__ = [
    "READ", "REFUSED", "AuditFilter", "AuditLine", "AuditPage", "UnknownAgent", "action_label", "known_actions",
    "subject_label",
    "read_audit_log", "read_audit_page",
]

# The actions this use case writes.
READ = "read_audit"
REFUSED = "read_audit_refused"


class UnknownAgent(DeskError):
    """The ``agent`` filter names no agent: the screen says so in its own words."""

    def __init__(self, login: str) -> None:
        self.login = login
        super().__init__(t("cli.no_agent", login=login))


@dataclass(frozen=True, slots=True)
class AuditFilter:
    since: datetime | None = None
    agent: str | None = None  # the login of the agent who acted
    action: str | None = None

    def described(self) -> dict[str, str | None]:
        return {"since": self.since.isoformat(sep=" ") if self.since else None,
                "agent": self.agent, "action": self.action}


@dataclass(frozen=True, slots=True)
class AuditLine:
    at: datetime
    agent: str  # login; empty for an event no agent made (a scripted import)
    action: str
    subject_type: str
    subject_id: uuid.UUID | None
    reason: str
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AuditPage:
    """The newest events matching a filter, newest first, and how many match in all."""

    lines: list[AuditLine]
    total: int


_ACTION_LABEL = "audit.action."


def known_actions() -> tuple[str, ...]:
    """Every action desk has a name for, in the catalogue's order: the choices a supervisor
    cycles through on the screen. A use case that writes a new action names it there."""
    return tuple(key.removeprefix(_ACTION_LABEL) for key in ZH if key.startswith(_ACTION_LABEL))


def action_label(action: str) -> str:
    """The action as supervisors read it (查看证件全号), or its code when desk has no name for it."""
    return t(_ACTION_LABEL + action) if _ACTION_LABEL + action in ZH else action


def subject_label(subject_type: str) -> str:
    """What an event acted on as supervisors read it (客户, 申请), or its code."""
    key = f"audit.subject.{subject_type}"
    return t(key) if key in ZH else subject_type


def read_audit_log(
    uow: UnitOfWork, *, reader: str, audit_filter: AuditFilter, at: datetime, output: str
) -> list[AuditLine]:
    """The events matching ``audit_filter``, oldest first, for the agent logged in as
    ``reader``; commits the event that records this reading.

    Raises ``RoleRefused`` (naming the role needed) for an agent, after recording the
    attempt, and ``DeskError`` for an ``agent`` filter naming no agent.
    """
    return _read(uow, reader, audit_filter, at, output, limit=None).lines


def read_audit_page(
    uow: UnitOfWork, *, reader: str, audit_filter: AuditFilter, at: datetime, output: str, limit: int
) -> AuditPage:
    """The newest ``limit`` events matching ``audit_filter``, newest first, with the number
    matching in all: a screen shows a bounded page however long the log has grown. Records
    and refuses as ``read_audit_log`` does."""
    return _read(uow, reader, audit_filter, at, output, limit=limit)


def _read(
    uow: UnitOfWork, reader: str, audit_filter: AuditFilter, at: datetime, output: str, limit: int | None
) -> AuditPage:
    agent = gate_row(uow, uow.agents.by_login(reader), Action.READ_AUDIT, refused_as=REFUSED,
                     subject_type="audit_log", at=at, detail=audit_filter.described())
    acted_by = None
    if audit_filter.agent is not None:
        actor = uow.agents.by_login(audit_filter.agent)
        if actor is None:
            raise UnknownAgent(audit_filter.agent)
        acted_by = actor.id
    since, action = audit_filter.since, audit_filter.action
    events = uow.audit.events(since=since, agent_id=acted_by, action=action, newest_first=limit is not None,
                              limit=limit)
    lines = [
        AuditLine(event.at, login or "", event.action, event.subject_type, event.subject_id, event.reason,
                  dict(event.detail))
        for event, login in events
    ]
    # Counted before this reading's own event is added: the total is of what was asked for.
    total = len(lines)
    if limit is not None and total == limit:
        total = uow.audit.count(since=since, agent_id=acted_by, action=action)
    detail: dict[str, Any] = {**audit_filter.described(), "format": output, "rows": len(lines)}
    if limit is not None:
        detail["total"] = total
    uow.audit.add(AuditEvent(at=at, agent_id=agent.id, action=READ, subject_type="audit_log", detail=detail))
    uow.commit()
    return AuditPage(lines, total)
