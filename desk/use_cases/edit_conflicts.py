"""Two agents editing the same record (issue #13): the second is told, never overwrites silently.

A customer and a family member carry a row ``version``. A form remembers the version it
was opened at and the use case writes only if the row is still at it (the UPDATE itself
says ``WHERE version = ?``, see ``db.repositories.customers.VersionedRepository``).
Otherwise it raises ``EditConflict``: what differs between what the agent started from and
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

from db.unit_of_work import UnitOfWork
from desk.errors import DeskError
from desk.texts.due import minute
from desk.texts.labels import t

__all__ = ["EditConflict", "FieldChange", "changed_by", "conflict"]


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


def conflict(
    uow: UnitOfWork,
    *,
    then: Mapping[str, str] | None,
    now: Mapping[str, str],
    label: Callable[[str], str],
    updated_by: uuid.UUID | None,
    updated_at: datetime | None,
    version: int,
    current: object,
) -> EditConflict:
    """The conflict between what the agent began from (``then``, shown values; None when
    the caller did not say) and what is stored (``now``), field by field in ``now``'s order."""
    changes = tuple(
        FieldChange(name, label(name), then[name], value)
        for name, value in now.items()
        if then is not None and name in then and then[name] != value
    )
    return EditConflict(changes, changed_by=changed_by(uow, updated_by), changed_at=updated_at,
                        version=version, current=current)
