"""Applying one change from the other side to this database, idempotently.

A row this side lacks is inserted whole. A row it has is brought to the change's values
field by field: a field only the other side changed takes their value; a field only this
side changed keeps ours; a field both sides changed goes to the later edit (by the rows'
``updated_at``) and the other value is reported as a conflict, never dropped unseen. A
change whose values this side already holds changes nothing, so applying it twice is
applying it once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from db.sync.rows import BY_NAME, NOT_EDITS, decoded

# The database refuses UPDATE on these (migrations 0004, 0006): their rows only arrive.
APPEND_ONLY = frozenset({"audit_event", "usage_event", "request_event"})


@dataclass(frozen=True, slots=True)
class Incoming:
    """One change as it travels between head office and a branch."""

    change_id: uuid.UUID
    origin: uuid.UUID | None
    table_name: str
    row_id: uuid.UUID
    op: str  # insert | update
    customer_id: uuid.UUID | None
    data: dict[str, Any]
    old: dict[str, Any] | None
    at: datetime


@dataclass(frozen=True, slots=True)
class FieldConflict:
    """One field both sides changed: the value kept (the later edit) and the one set aside."""

    table_name: str
    row_id: uuid.UUID
    customer_id: uuid.UUID | None
    field: str
    kept: Any
    kept_at: datetime
    set_aside: Any
    set_aside_at: datetime
    # Whether the kept value is the one that arrived (else this side's own stayed).
    arrived_won: bool


@dataclass(slots=True)
class Applied:
    inserted: bool = False
    changed: dict[str, Any] = field(default_factory=dict)
    conflicts: list[FieldConflict] = field(default_factory=list)
    # Fields where this side's value stayed against the arrival's: the sender holds a
    # value that lost and must be told (``db.repositories.sync.SyncRepository.answer``).
    kept_ours: dict[str, Any] = field(default_factory=dict)


def apply_change(connection: Connection, incoming: Incoming) -> Applied:
    table = BY_NAME[incoming.table_name]
    new = decoded(table, incoming.data)
    current = connection.execute(select(table).where(table.c.id == incoming.row_id)).mappings().first()
    if current is None:
        connection.execute(insert(table).values(**new))
        return Applied(inserted=True)
    if incoming.table_name in APPEND_ONLY:
        return Applied()
    old = decoded(table, incoming.old) if incoming.old else None
    theirs_at: datetime = new.get("updated_at") or incoming.at
    ours_at: datetime = current["updated_at"]
    applied = Applied()
    for name, value in new.items():
        if name in NOT_EDITS or name == "id" or current[name] == value:
            continue
        if old is not None and old.get(name) == value:
            continue  # not edited by this change: whatever this side holds stays
        if old is None or current[name] == old.get(name):
            # Edited there only (or a whole row arriving again): the later row decides
            # quietly for a re-sent insert, and an edit there only always applies.
            if old is not None or theirs_at >= ours_at:
                applied.changed[name] = value
            continue
        arrived_won = theirs_at > ours_at
        if arrived_won:
            applied.changed[name] = value
        else:
            applied.kept_ours[name] = current[name]
        applied.conflicts.append(
            FieldConflict(
                incoming.table_name, incoming.row_id, incoming.customer_id, name,
                kept=value if arrived_won else current[name],
                kept_at=theirs_at if arrived_won else ours_at,
                set_aside=current[name] if arrived_won else value,
                set_aside_at=ours_at if arrived_won else theirs_at,
                arrived_won=arrived_won,
            )
        )
    if applied.changed:
        values: dict[str, Any] = {**applied.changed, "updated_at": max(theirs_at, ours_at)}
        if "version" in table.c:
            values["version"] = table.c.version + 1
        connection.execute(update(table).where(table.c.id == incoming.row_id).values(**values))
    return applied
