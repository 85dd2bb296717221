from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from db.repositories.base import Repository
from db.tables import Agent, AuditEvent


class AuditRepository(Repository[AuditEvent]):
    """Append-only, like the ledger: the database refuses UPDATE and DELETE (migration 0004)."""

    table = AuditEvent

    def events(
        self,
        *,
        since: datetime | None = None,
        agent_id: uuid.UUID | None = None,
        action: str | None = None,
        newest_first: bool = False,
        limit: int | None = None,
    ) -> list[tuple[AuditEvent, str | None]]:
        """The events matching every filter given, oldest first (or newest first, at most
        ``limit``), each with its agent's login (None for an event no agent made, such as a
        scripted import)."""
        statement = _matching(
            select(AuditEvent, Agent.login).outerjoin(Agent, col(Agent.id) == col(AuditEvent.agent_id)),
            since, agent_id, action,
        )
        order = (col(AuditEvent.at), col(AuditEvent.created_at), col(AuditEvent.id))
        statement = statement.order_by(*(column.desc() for column in order) if newest_first else order)
        if limit is not None:
            statement = statement.limit(limit)
        return [(event, login) for event, login in self.session.exec(statement).all()]

    def count(
        self, *, since: datetime | None = None, agent_id: uuid.UUID | None = None, action: str | None = None
    ) -> int:
        """How many events match every filter given: the total beside a limited ``events``."""
        statement = _matching(select(func.count()).select_from(AuditEvent), since, agent_id, action)
        return int(self.session.exec(statement).one())


def _matching(statement: Any, since: datetime | None, agent_id: uuid.UUID | None, action: str | None) -> Any:
    if since is not None:
        statement = statement.where(col(AuditEvent.at) >= since)
    if agent_id is not None:
        statement = statement.where(col(AuditEvent.agent_id) == agent_id)
    if action is not None:
        statement = statement.where(col(AuditEvent.action) == action)
    return statement
