"""How long each free-text field may be: the width of the column it lands in.

The rules (``desk.rules.free_text``, ``desk.rules.request_details``) take a limit as an
argument and may not read the database's tables; this module reads the widths off the
SQLAlchemy columns, so a migration that widens a column widens the form, the import and
the use case with it. PostgreSQL refuses a value that does not fit (and fails the whole
transaction); SQLite would keep it. Both must see the same refusal, in words, before
anything is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlmodel import SQLModel

from db.tables import Agent, AuditEvent, CallNote, Complaint, Request, RequestEvent

__all__ = [
    "AGENT_LOGIN",
    "BENEFICIARY_NAME",
    "CALL_NOTE",
    "COMPLAINT_DECISION",
    "COMPLAINT_SUMMARY",
    "DETAIL_TEXT",
    "REASON",
    "column_width",
    "too_long",
]


def column_width(table: type[SQLModel], column: str) -> int | None:
    """The most characters ``table.column`` holds; None for a column without a width."""
    columns = table.__table__.columns  # type: ignore[attr-defined]
    if column not in columns:
        return None
    return getattr(columns[column].type, "length", None)


def _width(table: type[SQLModel], column: str) -> int:
    width = column_width(table, column)
    assert width is not None, f"{table.__name__}.{column} has no width"
    return width


def too_long(table: type[SQLModel], values: Mapping[str, Any]) -> dict[str, int]:
    """The text values that do not fit their column in ``table``: name -> the width."""
    widths = {name: column_width(table, name) for name in values}
    return {
        name: width
        for name, value in values.items()
        if isinstance(value, str) and (width := widths[name]) is not None and len(value) > width
    }


# An agent row is made from the login on first use; its name starts as the login.
AGENT_LOGIN = min(_width(Agent, "login"), _width(Agent, "name"))
# The form's "user" and the import's beneficiary land in request.beneficiary_name.
BENEFICIARY_NAME = _width(Request, "beneficiary_name")
# A reason (cancellation, rejection, any move; a supervisor's override; the reason for
# showing a full ID number) lands in request_event.reason and in audit_event.reason.
REASON = min(_width(RequestEvent, "reason"), _width(AuditEvent, "reason"))
CALL_NOTE = _width(CallNote, "text")
COMPLAINT_SUMMARY = _width(Complaint, "summary")
COMPLAINT_DECISION = _width(Complaint, "decision")
# A request's details are one JSON column, which has no width of its own: each text in
# it (a hospital, a diagnosis, a note) is held to the widest free text the desk keeps, a
# call note's, so a pasted file never reaches the request view.
DETAIL_TEXT = CALL_NOTE
