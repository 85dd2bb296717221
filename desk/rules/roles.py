"""Who may do what: the one table of roles and the actions each needs.

Agents file and move requests; supervisors also override refusals, edit the working
calendar, decide complaints, read the audit log, export and import; admins also manage agents.
Each role may do all that the roles below it may. A refusal names the role needed, so an
agent knows whom to ask.
"""

from __future__ import annotations

from enum import StrEnum

from desk.errors import DeskError
from desk.texts.labels import t


class Role(StrEnum):
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class Action(StrEnum):
    FILE_REQUEST = "file_request"
    MOVE_REQUEST = "move_request"
    OVERRIDE = "override"
    EDIT_CALENDAR = "edit_calendar"
    DECIDE_COMPLAINT = "decide_complaint"
    READ_AUDIT = "read_audit"
    EXPORT = "export"
    IMPORT = "import"
    MANAGE_AGENTS = "manage_agents"
    SYNC = "sync"
    REVIEW_CONFLICTS = "review_conflicts"


_RANK = {Role.AGENT: 0, Role.SUPERVISOR: 1, Role.ADMIN: 2}

NEEDS: dict[Action, Role] = {
    Action.FILE_REQUEST: Role.AGENT,
    Action.MOVE_REQUEST: Role.AGENT,
    Action.OVERRIDE: Role.SUPERVISOR,
    Action.EDIT_CALENDAR: Role.SUPERVISOR,
    Action.DECIDE_COMPLAINT: Role.SUPERVISOR,
    Action.READ_AUDIT: Role.SUPERVISOR,
    Action.EXPORT: Role.SUPERVISOR,
    # An import rewrites customers and policies in bulk, past every screen's checks.
    Action.IMPORT: Role.SUPERVISOR,
    Action.MANAGE_AGENTS: Role.ADMIN,
    # Any agent at a branch brings its work to head office when the line is back.
    Action.SYNC: Role.AGENT,
    Action.REVIEW_CONFLICTS: Role.SUPERVISOR,
}


class RoleRefused(DeskError):
    """The acting agent's role does not allow the action; the message names the one needed."""

    def __init__(self, action: Action) -> None:
        self.action = action
        self.needed = NEEDS[action]
        super().__init__(t("role.refused", action=t(f"action.{action}"), role=t(f"role.{self.needed}")))


def may(role: str | None, action: Action) -> bool:
    """True if an agent of ``role`` may do ``action``; an unknown role may do nothing."""
    try:
        rank = _RANK[Role(role)] if role is not None else -1
    except ValueError:
        return False
    return rank >= _RANK[NEEDS[action]]


def check_role(role: str | None, action: Action) -> None:
    """Raise ``RoleRefused`` unless ``role`` may do ``action``."""
    if not may(role, action):
        raise RoleRefused(action)


def roles_that_may(action: Action) -> frozenset[str]:
    return frozenset(role.value for role in Role if may(role, action))
