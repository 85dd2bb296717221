"""The synced tables, and a row's values to and from the JSON a change carries.

A change's JSON was written by a trigger: SQLite spells a UUID as 32 hex digits, a
boolean as 0/1 and a time with a space; PostgreSQL's ``to_json`` uses dashes, true/false
and a ``T``. Reading by the column's type takes either.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Date, DateTime, Integer, Table, Uuid

from db.tables import (
    AuditEvent,
    Call,
    CallNote,
    Complaint,
    Customer,
    FamilyMember,
    Policy,
    Rating,
    Request,
    RequestEvent,
    RequestStep,
    ServicePeriod,
    UsageEvent,
)

# In the order a parent comes before the rows that refer to it.
SYNCED: tuple[Table, ...] = tuple(
    model.__table__  # type: ignore[attr-defined]
    for model in (
        Customer, FamilyMember, Policy, ServicePeriod, Request, RequestEvent, RequestStep,
        UsageEvent, Call, CallNote, Complaint, Rating, AuditEvent,
    )
)
BY_NAME: dict[str, Table] = {table.name: table for table in SYNCED}
# Never compared as an edit: when a row was written, and its version, which the
# applying side counts on for itself.
NOT_EDITS = frozenset({"created_at", "updated_at", "version"})


def decoded(table: Table, data: Mapping[str, Any]) -> dict[str, Any]:
    """The values of ``data`` typed as ``table``'s columns; unknown keys are left out."""
    values: dict[str, Any] = {}
    for column in table.columns:
        if column.name in data:
            values[column.name] = _typed(column.type, data[column.name])
    return values


def _typed(kind: object, value: Any) -> Any:
    if value is None or isinstance(kind, JSON):
        return value
    if isinstance(kind, Uuid):
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    if isinstance(kind, DateTime):
        return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if isinstance(kind, Date):
        return value if isinstance(value, date) else date.fromisoformat(str(value))
    if isinstance(kind, Boolean):
        return bool(value)
    if isinstance(kind, (Integer, BigInteger)):
        return int(value)
    return str(value)


def encoded(values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` as JSON can hold them, in the spelling ``decoded`` reads back."""
    return {name: _plain(value) for name, value in values.items()}


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return encoded(value)
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value
