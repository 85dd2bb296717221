"""Two agents editing the same record (issue #13): the second is told, never overwrites silently.

A customer and a family member carry a row ``version``. A form remembers the version it
was opened at and the use case writes only if the row is still at it (the UPDATE itself
says ``WHERE version = ?``, see ``db.repositories.customers.VersionedRepository``):
``EditedRecord`` does this for every kind of record. Otherwise it raises ``EditConflict``: what differs between what the agent started from and
what is stored now, who stored it and when, and the version now stored. The agent then
keeps the stored record (their edit is dropped), applies theirs over it (the same values
again, with the new version), or goes back to their form.

Values are as the screens show them: ID numbers and mobiles masked.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

from db.repositories.customers import VersionedRepository
from db.unit_of_work import UnitOfWork
from desk.errors import DeskError
from desk.texts.due import minute
from desk.texts.labels import t

__all__ = ["EditConflict", "EditedRecord", "FieldChange", "changed_by"]


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One field that changed under the agent: its label, the value they began from, the value now."""

    field: str
    label: str
    then: str
    now: str


class EditConflict(DeskError):
    """Someone else saved the record after the agent began editing it.

    ``current`` is the record as stored now, in the form the use case returns (a
    ``FamilyMemberLine``, a ``ContactLine``): a form starts over from it.
    """

    def __init__(
        self,
        changes: tuple[FieldChange, ...],
        *,
        changed_by: str,
        changed_at: datetime | None,
        version: int,
        current: object,
    ) -> None:
        at = minute(changed_at) if changed_at is not None else t("conflict.unknown_time")
        fields = "、".join(change.label for change in changes) or t("conflict.nothing_visible")
        super().__init__(t("conflict.message", who=changed_by, at=at, fields=fields))
        self.changes = changes
        self.changed_by = changed_by
        self.changed_at = changed_at
        self.version = version
        self.current = current


def changed_by(uow: UnitOfWork, agent_id: uuid.UUID | None) -> str:
    """The name of the agent who last saved a record; "unknown" when the row does not say."""
    agent = uow.agents.get(agent_id) if agent_id is not None else None
    return agent.name if agent is not None else t("conflict.unknown_agent")


class VersionedRow(Protocol):
    id: uuid.UUID
    version: int
    updated_by: uuid.UUID | None
    updated_at: datetime | None


RowT = TypeVar("RowT", bound=VersionedRow)
LineT = TypeVar("LineT")


@dataclass(frozen=True, slots=True)
class EditedRecord(Generic[RowT, LineT]):
    """A kind of record agents edit from a version (a customer's contact details, a family
    member): how its row becomes the line the screens hold (``line``), that line's fields
    as the screens show them (``shown``, in the form's order) and their labels."""

    line: Callable[[RowT], LineT]
    shown: Callable[[LineT], Mapping[str, str]]
    label: Callable[[str], str]

    def conflict(self, uow: UnitOfWork, row: RowT, started_from: LineT | None) -> EditConflict:
        """What differs between the line the agent began from (None when the caller did not
        say) and the row as stored, field by field in the form's order."""
        current = self.line(row)
        then = self.shown(started_from) if started_from is not None else None
        changes = tuple(
            FieldChange(name, self.label(name), then[name], value)
            for name, value in self.shown(current).items()
            if then is not None and name in then and then[name] != value
        )
        return EditConflict(changes, changed_by=changed_by(uow, row.updated_by), changed_at=row.updated_at,
                            version=row.version, current=current)

    def check_version(self, uow: UnitOfWork, row: RowT, expected_version: int, started_from: LineT | None) -> None:
        """Raise the conflict if someone saved the row since the agent's edit began."""
        if row.version != expected_version:
            raise self.conflict(uow, row, started_from)

    def write(
        self,
        uow: UnitOfWork,
        repository: VersionedRepository[Any],
        row: RowT,
        values: Mapping[str, Any],
        *,
        expected_version: int,
        started_from: LineT | None,
        agent_id: uuid.UUID | None,
        at: datetime,
    ) -> RowT:
        """Write ``values`` (stamped with who and when) if the row is still at
        ``expected_version``; the row as stored now, or the conflict raised."""
        written = repository.update_at_version(
            row.id, expected_version, {**values, "updated_by": agent_id, "updated_at": at}
        )
        stored = repository.fresh(row.id)
        assert stored is not None  # customers and family members are never deleted
        if not written:
            # Saved by someone else between our read and our write (their row lock held us).
            raise self.conflict(uow, stored, started_from)
        return stored
