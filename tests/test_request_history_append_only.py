"""A request's history only grows (#12): who moved it, when and why stays as it was written.

The database refuses UPDATE and DELETE on ``request_event`` (migration 0006), like the
audit log and the usage ledger (0004); a correction is a new transition, never an edit.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest
from alembic import command
from sqlalchemy import exc, text

from db import schema
from db.tables import Agent, RequestEvent
from desk.use_cases.requests import NewRequest, file_request
from tests.callers import policy_of, rows


@pytest.fixture
def history(cast):
    """One filed request of the cast, with its first transition on record."""
    with cast.unit_of_work() as uow:
        agent = uow.agents.add(Agent(login="agent77", name="坐席七七"))
        uow.commit()
        agent_id = agent.id
    with cast.unit_of_work() as uow:
        file_request(uow, NewRequest(policy_of(cast, "XK202601100001"), "ai_consult", details={"note": "头痛咨询"}),
                     agent_id=agent_id, at=datetime(2026, 9, 28, 10))
    assert rows(cast, RequestEvent)
    return cast


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE request_event SET reason = 'rewritten'",
        "UPDATE request_event SET to_state = 'closed'",
        "UPDATE request_event SET agent_id = NULL",
        "DELETE FROM request_event",
    ],
)
def test_the_request_history_refuses_to_be_rewritten(history, statement):
    before = sorted((e.id, e.reason, e.to_state, e.agent_id) for e in rows(history, RequestEvent))
    with pytest.raises(exc.DBAPIError, match="append-only"), history.engine.begin() as connection:
        connection.execute(text(statement))
    assert sorted((e.id, e.reason, e.to_state, e.agent_id) for e in rows(history, RequestEvent)) == before


def test_new_transitions_are_still_added(history):
    (existing,) = rows(history, RequestEvent)
    names = [f'"{c.name}"' for c in RequestEvent.__table__.columns]
    copied = [":new_id" if name == '"id"' else name for name in names]
    with history.engine.begin() as connection:
        connection.execute(
            text(f"INSERT INTO request_event ({', '.join(names)}) "
                 f"SELECT {', '.join(copied)} FROM request_event WHERE id = :id"),
            {"id": _stored_id(history, existing.id), "new_id": _stored_id(history, uuid.uuid4())},
        )
    assert len(rows(history, RequestEvent)) == 2


def test_the_downgrade_lifts_the_refusal_and_the_upgrade_restores_it(history):
    try:
        _migrate(history, command.downgrade, "0005")
        assert _history_is_refused(history) is False
    finally:
        # The PostgreSQL database is shared by the whole session: always leave it at head.
        _migrate(history, command.upgrade, "head")
    assert _history_is_refused(history) is True


def _migrate(database, step, revision: str) -> None:
    config = schema._config()
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        step(config, revision)


def _history_is_refused(database) -> bool:
    """Whether the database refuses to rewrite ``request_event``; nothing is kept either way."""
    with database.engine.connect() as connection, connection.begin() as transaction:
        try:
            connection.execute(text("UPDATE request_event SET reason = 'rewritten'"))
        except exc.DBAPIError as error:
            assert "append-only" in str(error)
            return True
        finally:
            transaction.rollback()
        return False


def _stored_id(database, row_id: uuid.UUID) -> object:
    # SQLite keeps a UUID as 32 hex digits, PostgreSQL as its own type.
    return row_id.hex if database.is_embedded else row_id
