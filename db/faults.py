"""What kind of failure a database or driver error is, in words an agent can act on.

The driver's own message carries SQL, parameters and personal data; it belongs in the
log, never on the screen. Here each error is sorted into a few kinds the user can do
something about: wait and retry (busy, timed out, unreachable), shorten or fix what was
typed (too long, unreadable text), look again (conflict).
"""

from __future__ import annotations

import sqlite3
from typing import Literal

from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout

FaultKind = Literal["unreachable", "timeout", "busy", "too_long", "bad_text", "conflict", "failed"]

# PostgreSQL SQLSTATE classes and codes (Appendix A of its manual).
_PG_CODES: dict[str, FaultKind] = {
    "55P03": "busy",  # lock_not_available: lock_timeout ran out
    "40P01": "busy",  # deadlock_detected
    "40001": "conflict",  # serialization_failure
    "23505": "conflict",  # unique_violation
    "57014": "timeout",  # query_canceled: statement_timeout ran out
    "22001": "too_long",  # string_data_right_truncation
    "22021": "bad_text",  # character_not_in_repertoire
    "22P05": "bad_text",  # untranslatable_character
    "57P01": "unreachable",  # admin_shutdown: the backend was terminated
    "57P02": "unreachable",
    "57P03": "unreachable",
}


def is_store_error(error: BaseException) -> bool:
    """A failure of the database or its driver, as opposed to a bug or a refusal."""
    if isinstance(error, (SQLAlchemyError, sqlite3.Error, UnicodeEncodeError)):
        return True
    return type(error).__module__.split(".")[0] == "psycopg"


def fault_kind(error: BaseException) -> FaultKind:
    original = error.orig if isinstance(error, DBAPIError) and error.orig is not None else error
    if isinstance(error, PoolTimeout):
        return "busy"
    if isinstance(original, UnicodeEncodeError):
        return "bad_text"  # lone surrogates: no encoding can store them
    code = getattr(original, "sqlstate", None)
    if isinstance(code, str):
        if code in _PG_CODES:
            return _PG_CODES[code]
        if code.startswith("08"):  # connection_exception
            return "unreachable"
        if code.startswith("22"):  # data_exception: the value cannot be stored as given
            return "bad_text"
        if code.startswith("23"):
            return "conflict"
    message = str(original).lower()
    if "database is locked" in message or "database is busy" in message:
        return "busy"
    if "nul (0x00)" in message:
        return "bad_text"
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return "unreachable"
    if any(words in message for words in _GONE):
        return "unreachable"
    if isinstance(original, sqlite3.IntegrityError):
        return "conflict"  # as PostgreSQL's class 23: a key taken or a row gone meanwhile
    return "failed"


_GONE = (
    "server closed the connection",
    "connection is closed",
    "consuming input failed",
    "terminating connection",
    "connection refused",
    "could not receive data",
    "could not send data",
    "ssl syscall error",
    "the connection is lost",
    "connection timeout expired",
)


def detail(error: BaseException) -> str:
    """The driver's message and the SQL, without the parameters: for the log only."""
    original = error.orig if isinstance(error, DBAPIError) and error.orig is not None else error
    lines = [f"{type(original).__module__}.{type(original).__name__}: {original}".strip()]
    statement = getattr(error, "statement", None)
    if statement:
        lines.append(f"SQL: {' '.join(str(statement).split())[:2000]}")
    return "\n".join(lines)
