"""Signing in, and the accounts that can: an agent's login, role and password.

A refusal says as little as it must. An unknown login and a wrong password get the same
words (and take as long: an unknown login is checked against a hash no one knows), so the
sign-in screen cannot be used to find out who works here. A lock says until when, an
inactive account says so once the password is right. Every attempt, let in or not, is an
audit event: who (the agent, or the login typed when there is none), when, and what came
of it.

Managing accounts needs ``Action.MANAGE_AGENTS`` (admins), with one exception: while the
database has no active admin, anyone at the machine may add the first one. Someone has to
be first, and whoever can run ``desk`` on that machine already holds its database.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from db.tables import Agent, AuditEvent
from db.unit_of_work import UnitOfWork
from desk.errors import DeskError
from desk.rules.free_text import checked_name, printable
from desk.rules.roles import Action, Role, check_role
from desk.rules.sign_in import MAX_FAILED_SIGN_INS, Verdict, sign_in_outcome
from desk.texts.labels import t
from desk.use_cases.limits import AGENT_LOGIN, column_width
from desk.use_cases.passwords import (
    MIN_PASSWORD_LENGTH,
    hash_password,
    password_matches,
    unmatchable_hash,
)

__all__ = [
    "ADDED",
    "FAILED",
    "PASSWORD_SET",
    "SIGNED_IN",
    "SignInRefused",
    "SignedIn",
    "add_agent",
    "set_password",
    "sign_in",
]

# The audit actions this module writes.
SIGNED_IN = "sign_in"
FAILED = "sign_in_failed"
ADDED = "agent_added"
PASSWORD_SET = "password_set"

AGENT_NAME = column_width(Agent, "name") or AGENT_LOGIN


@dataclass(frozen=True, slots=True)
class SignedIn:
    agent_id: uuid.UUID
    login: str
    name: str
    role: str


class SignInRefused(DeskError):
    """Not let in; ``str(error)`` is all the person at the keyboard should learn.

    ``locked_until`` is set when the account is locked (the message says it too).
    """

    def __init__(self, message: str, *, locked_until: datetime | None = None) -> None:
        super().__init__(message)
        self.locked_until = locked_until


def _stored_login(login: str) -> str | None:
    """``login`` as it could be stored, or None if no agent can have it (too long,
    control characters): such a login is never looked up, PostgreSQL would refuse a NUL."""
    try:
        return checked_name(t("validation.label.login"), login, max_length=AGENT_LOGIN) or None
    except ValueError:
        return None


def _inert(login: str) -> str:
    """A login as typed, safe to keep in an event: inert, and cut to a login's width (so a
    password pasted into the login field stays mostly out of the log)."""
    return printable(login)[:AGENT_LOGIN]


def _failed(uow: UnitOfWork, agent: Agent | None, at: datetime, reason: str, **detail: Any) -> None:
    uow.audit.add(AuditEvent(at=at, agent_id=agent.id if agent else None, action=FAILED, subject_type="agent",
                             subject_id=agent.id if agent else None, detail={"reason": reason, **detail}))


def sign_in(uow: UnitOfWork, login: str, password: str, at: datetime) -> SignedIn:
    """The agent ``login`` is, if ``password`` is theirs and the account may be used at
    ``at``; commits the new failure count and the audit event either way.

    Raises ``SignInRefused``: the same message for an unknown login and a wrong password,
    a message saying until when (HH:MM) for a locked account, even with the right password.
    """
    stored = _stored_login(login)
    agent = uow.agents.by_login(stored, for_update=True) if stored else None
    password_ok = password_matches(password, (agent.password_hash if agent else None) or unmatchable_hash())
    if agent is None:
        _failed(uow, None, at, "unknown_login", login=_inert(login))
        uow.commit()
        raise SignInRefused(t("sign_in.refused"))
    if agent.password_hash is None:
        password_ok = False  # no password set yet: nothing opens it
    if not agent.active:
        _failed(uow, agent, at, "inactive")
        uow.commit()
        raise SignInRefused(t("sign_in.inactive") if password_ok else t("sign_in.refused"))
    outcome = sign_in_outcome(agent.failed_sign_ins, agent.locked_until, at, password_ok=password_ok)
    agent.failed_sign_ins = outcome.failed_sign_ins
    agent.locked_until = outcome.locked_until
    uow.agents.add(agent)
    if outcome.verdict is Verdict.SIGNED_IN:
        uow.audit.add(AuditEvent(at=at, agent_id=agent.id, action=SIGNED_IN, subject_type="agent",
                                 subject_id=agent.id))
        uow.commit()
        return SignedIn(agent.id, agent.login, agent.name, agent.role)
    if outcome.verdict is Verdict.LOCKED:
        assert outcome.locked_until is not None
        _failed(uow, agent, at, "locked", locked_until=outcome.locked_until.isoformat(sep=" "),
                failed_sign_ins=outcome.failed_sign_ins)
        uow.commit()
        raise SignInRefused(t("sign_in.locked", count=MAX_FAILED_SIGN_INS,
                              until=outcome.locked_until.strftime("%H:%M")), locked_until=outcome.locked_until)
    _failed(uow, agent, at, "wrong_password", failed_sign_ins=outcome.failed_sign_ins,
            attempts_left=outcome.attempts_left)
    uow.commit()
    raise SignInRefused(t("sign_in.refused"))


def _checked(label: str, text: str, max_length: int, required_key: str) -> str:
    try:
        text = checked_name(label, text, max_length=max_length)
    except ValueError as error:
        raise DeskError(str(error)) from None
    if not text:
        raise DeskError(t(required_key))
    return text


def _checked_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DeskError(t("agent.password_too_short", count=MIN_PASSWORD_LENGTH))
    return password


def _acting(uow: UnitOfWork, by: str, *, bootstrap: bool) -> Agent | None:
    """The agent logged in as ``by`` if they may manage agents; None when nobody need be
    (``bootstrap``: the first admin of a database without one). Raises ``RoleRefused``."""
    login = _stored_login(by)
    actor = uow.agents.by_login(login) if login else None
    if bootstrap:
        return actor
    check_role(actor.role if actor and actor.active else None, Action.MANAGE_AGENTS)
    return actor


def add_agent(
    uow: UnitOfWork, *, login: str, name: str, role: str, password: str, by: str, at: datetime
) -> Agent:
    """Add the agent ``login`` with ``password``, on behalf of the agent logged in as ``by``.

    Needs an admin, except for the first admin: while the database has no active admin,
    anyone at the machine may add one (the event records it as a bootstrap, with ``by``).
    Refuses, with a ``DeskError``, a role outside ``Role``, a login or name that does not
    fit its column, a password shorter than 8 characters and a login already taken.
    """
    login = _checked(t("validation.label.login"), login, AGENT_LOGIN, "agent.login_required")
    name = _checked(t("validation.label.name"), name, AGENT_NAME, "agent.name_required")
    if role not in {r.value for r in Role}:
        raise DeskError(t("agent.unknown_role", role=role, choices=t("cli.list_separator").join(Role)))
    password = _checked_password(password)
    bootstrap = role == Role.ADMIN and not uow.agents.has_active_admin()
    actor = _acting(uow, by, bootstrap=bootstrap)
    if uow.agents.by_login(login) is not None:
        raise DeskError(t("agent.login_taken", login=login))
    agent = uow.agents.add(Agent(login=login, name=name, role=role, password_hash=hash_password(password)))
    uow.audit.add(AuditEvent(at=at, agent_id=actor.id if actor else None, action=ADDED, subject_type="agent",
                             subject_id=agent.id, detail={"login": login, "role": role, "by": _inert(by),
                                                          "bootstrap": bootstrap}))
    uow.commit()
    return agent


def set_password(uow: UnitOfWork, *, login: str, password: str, by: str, at: datetime) -> Agent:
    """Give the agent ``login`` a new password, on behalf of the admin logged in as ``by``;
    it also lifts a lock and clears the failure count (an admin's way to unlock)."""
    password = _checked_password(password)
    actor = _acting(uow, by, bootstrap=False)
    stored = _stored_login(login)
    agent = uow.agents.by_login(stored, for_update=True) if stored else None
    if agent is None:
        raise DeskError(t("cli.no_agent", login=login))
    agent.password_hash = hash_password(password)
    agent.failed_sign_ins = 0
    agent.locked_until = None
    uow.agents.add(agent)
    uow.audit.add(AuditEvent(at=at, agent_id=actor.id if actor else None, action=PASSWORD_SET,
                             subject_type="agent", subject_id=agent.id, detail={"login": agent.login, "by": _inert(by)}))
    uow.commit()
    return agent
