from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import col, select

from db.repositories.base import Repository
from db.tables import Agent, AuditEvent


class AuditRepository(Repository[AuditEvent]):
    """Append-only, like the ledger: the database refuses UPDATE and DELETE (migration 0004)."""

    table = AuditEvent

    def events(
        self, *, since: datetime | None = None, agent_id: uuid.UUID | None = None, action: str | None = None
    ) -> list[tuple[AuditEvent, str | None]]:
        """The events matching every filter given, oldest first, each with its agent's
        login (None for an event no agent made, such as a scripted import)."""
        statement = select(AuditEvent, Agent.login).outerjoin(Agent, col(Agent.id) == col(AuditEvent.agent_id))
        if since is not None:
            statement = statement.where(col(AuditEvent.at) >= since)
        if agent_id is not None:
            statement = statement.where(col(AuditEvent.agent_id) == agent_id)
        if action is not None:
            statement = statement.where(col(AuditEvent.action) == action)
        statement = statement.order_by(col(AuditEvent.at), col(AuditEvent.created_at), col(AuditEvent.id))
        return [(event, login) for event, login in self.session.exec(statement).all()]
