"""The role check of a signed-in agent, with a refused attempt on record.

Exports and imports move customer data in bulk, so the check lives here, in the use
cases, and not in the channel that asks: the command line today, any other tomorrow. A
refusal is an audit event as well as an error: who tried to take (or load) data they may
not is as worth knowing as who did.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from db.tables import Agent, AuditEvent
from db.unit_of_work import UnitOfWork
from desk.rules.roles import Action, RoleRefused, check_role
from desk.use_cases.sign_in import SignedIn

__all__ = ["gate", "gate_row"]


def gate(
    uow: UnitOfWork,
    agent: SignedIn,
    action: Action,
    *,
    refused_as: str,
    subject_type: str,
    at: datetime,
    detail: dict[str, Any],
) -> Agent:
    """The agent's row, if their role may do ``action``.

    The role is read again from the database rather than taken from ``agent``: an account
    demoted or disabled since signing in is refused (see ``gate_row``).
    """
    return gate_row(uow, uow.agents.get(agent.agent_id), action, refused_as=refused_as,
                    subject_type=subject_type, at=at, detail=detail)


def gate_row(
    uow: UnitOfWork,
    row: Agent | None,
    action: Action,
    *,
    refused_as: str,
    subject_type: str,
    at: datetime,
    detail: dict[str, Any],
) -> Agent:
    """``row`` if that agent is active and their role may do ``action``. Otherwise records
    the event ``refused_as`` (for a known agent), commits it and raises ``RoleRefused``
    (naming the role needed)."""
    try:
        check_role(row.role if row is not None and row.active else None, action)
    except RoleRefused:
        if row is not None:
            uow.audit.add(AuditEvent(at=at, agent_id=row.id, action=refused_as, subject_type=subject_type,
                                     detail=detail))
            uow.commit()
        raise
    assert row is not None  # check_role refuses a missing agent
    return row
