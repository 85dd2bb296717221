from __future__ import annotations

from sqlmodel import col, select

from db.repositories.base import Repository
from db.tables import Agent


class AgentRepository(Repository[Agent]):
    table = Agent

    def by_login(self, login: str, *, for_update: bool = False) -> Agent | None:
        """The agent with ``login``; ``for_update`` locks the row on PostgreSQL until the
        commit, so two sign-ins at once cannot both count from the same failure count
        (SQLite has one writer at a time anyway)."""
        statement = select(Agent).where(Agent.login == login)
        if for_update:
            statement = statement.with_for_update()
        return self.session.exec(statement).first()

    def has_active_admin(self) -> bool:
        statement = select(Agent.id).where(col(Agent.role) == "admin", col(Agent.active).is_(True)).limit(1)
        return self.session.exec(statement).first() is not None
