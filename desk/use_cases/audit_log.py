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
from desk.rules.roles import Action, RoleRefused, check_role
from desk.texts.labels import t

__all__ = ["READ", "REFUSED", "AuditFilter", "AuditLine", "read_audit_log"]

# The actions this use case writes.
READ = "read_audit"
REFUSED = "read_audit_refused"


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


def read_audit_log(
    uow: UnitOfWork, *, reader: str, audit_filter: AuditFilter, at: datetime, output: str
) -> list[AuditLine]:
    """The events matching ``audit_filter``, oldest first, for the agent logged in as
    ``reader``; commits the event that records this reading.

    Raises ``RoleRefused`` (naming the role needed) for an agent, after recording the
    attempt, and ``DeskError`` for an ``agent`` filter naming no agent.
    """
    agent = uow.agents.by_login(reader)
    try:
        check_role(agent.role if agent else None, Action.READ_AUDIT)
    except RoleRefused:
        if agent is not None:
            uow.audit.add(AuditEvent(at=at, agent_id=agent.id, action=REFUSED, subject_type="audit_log",
                                     detail=audit_filter.described()))
            uow.commit()
        raise
    assert agent is not None  # check_role refuses an unknown login
    acted_by = None
    if audit_filter.agent is not None:
        actor = uow.agents.by_login(audit_filter.agent)
        if actor is None:
            raise DeskError(t("cli.no_agent", login=audit_filter.agent))
        acted_by = actor.id
    lines = [
        AuditLine(event.at, login or "", event.action, event.subject_type, event.subject_id, event.reason,
                  dict(event.detail))
        for event, login in uow.audit.events(since=audit_filter.since, agent_id=acted_by,
                                             action=audit_filter.action)
    ]
    uow.audit.add(AuditEvent(at=at, agent_id=agent.id, action=READ, subject_type="audit_log",
                             detail={**audit_filter.described(), "format": output, "rows": len(lines)}))
    uow.commit()
    return lines
