"""Who is likely at the keyboard, and the agent row behind a login.

Neither grants anything: only a password does (``desk.use_cases.sign_in``). The likely
login fills the sign-in box; ``agent_for`` serves code that vouches for its agent itself
(tests, benchmarks, the demo).
"""

from __future__ import annotations

from db.tables import Agent
from db.unit_of_work import UnitOfWork
from desk.errors import DeskError
from desk.rules.free_text import checked_name
from desk.texts.labels import t
from desk.use_cases.limits import AGENT_LOGIN


def agent_for(uow: UnitOfWork, login: str) -> Agent:
    """The agent row for ``login``, created on first use, with no password (so it cannot
    sign in until an admin gives it one).

    A login that cannot be stored (too long for its column, or holding control
    characters, from a mistyped ``DESK_AGENT``) is refused in words before any query.
    """
    try:
        login = checked_name(t("validation.label.login"), login, max_length=AGENT_LOGIN)
    except ValueError as error:
        raise DeskError(str(error)) from None
    agent = uow.agents.by_login(login)
    if agent is None:
        agent = uow.agents.add(Agent(login=login, name=login))
    return agent
