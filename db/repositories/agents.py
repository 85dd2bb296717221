from __future__ import annotations

from sqlmodel import select

from db.repositories.base import Repository
from db.tables import Agent


class AgentRepository(Repository[Agent]):
    table = Agent

    def by_login(self, login: str) -> Agent | None:
        return self.session.exec(select(Agent).where(Agent.login == login)).first()
