"""Running the command line in-process, as the CLI tests do, signed in as a known agent."""

from __future__ import annotations

import functools

import pytest

from db.tables import Agent
from desk.cli.main import main
from desk.use_cases.database import Database, open_database
from desk.use_cases.passwords import hash_password

# The password every agent made by ``with_password`` has.
PASSWORD = "test-desk-2026"


def run(capsys, *args: str) -> tuple[int, str, str]:
    """``desk ARGS``: its exit status, stdout and stderr."""
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@functools.cache
def password_hash() -> str:
    """The hash of ``PASSWORD``, made once: a scrypt hash takes about 50 ms."""
    return hash_password(PASSWORD)


def with_password(database: Database | str, login: str, role: str = "supervisor", name: str = "") -> None:
    """The agent ``login`` in ``database`` (a Database or its URL), with ``PASSWORD``.

    An agent already there keeps its role and gets the password; a new one gets ``role``.
    """
    opened = open_database(database) if isinstance(database, str) else database
    try:
        with opened.unit_of_work() as uow:
            agent = uow.agents.by_login(login)
            if agent is None:
                agent = Agent(login=login, name=name or login, role=role)
            agent.password_hash = password_hash()
            uow.agents.add(agent)
            uow.commit()
    finally:
        if isinstance(database, str):
            opened.close()


def sign_in_as(
    monkeypatch: pytest.MonkeyPatch, database: Database | str, login: str, role: str = "supervisor"
) -> None:
    """Make ``login`` (see ``with_password``) the agent every ``desk`` command signs in as."""
    with_password(database, login, role)
    monkeypatch.setenv("DESK_AGENT", login)
    monkeypatch.setenv("DESK_PASSWORD", PASSWORD)
