"""Who is at the keyboard: every event is stamped with an agent."""

from __future__ import annotations

import getpass
import os

from db.tables import Agent
from db.unit_of_work import UnitOfWork

AGENT_ENV = "DESK_AGENT"


def current_login() -> str:
    """``DESK_AGENT`` if set (a shared terminal), else the operating-system user."""
    login = os.environ.get(AGENT_ENV, "").strip()
    if login:
        return login
    try:
        return getpass.getuser()
    except OSError:
        return "agent"


def agent_for(uow: UnitOfWork, login: str) -> Agent:
    """The agent row for ``login``, created on first use (a new branch laptop)."""
    agent = uow.agents.by_login(login)
    if agent is None:
        agent = uow.agents.add(Agent(login=login, name=login))
    return agent
