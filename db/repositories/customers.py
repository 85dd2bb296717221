from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from sqlalchemy import bindparam, case, false, or_, update
from sqlmodel import select

from db.repositories.base import Repository, RowT
from db.tables import Customer, FamilyMember
from db.timestamps import china_now

# Columns an edit or an import writes about itself rather than about the person.
_BOOKKEEPING = frozenset({"updated_at", "updated_by", "version"})


class VersionedRepository(Repository[RowT]):
    """Rows with a ``version``: an edit names the version it began from and is written
    only if the row is still at it, in the UPDATE itself, so two saves of the same
    version can never both win (on PostgreSQL the second waits for the first's row lock,
    then finds the version moved on and updates nothing)."""

    def update_at_version(self, row_id: uuid.UUID, version: int, values: Mapping[str, Any]) -> bool:
        """Write ``values`` and move the version on by one, if the row is still at ``version``."""
        table = self.table.__table__  # type: ignore[attr-defined]
        statement = (
            update(table)
            .where(table.c.id == row_id, table.c.version == version)
            .values(**values, version=table.c.version + 1)
        )
        return self.session.execute(statement).rowcount == 1

    def fresh(self, row_id: uuid.UUID) -> RowT | None:
        """The row as the database holds it now, not as this session first read it."""
        return self.session.get(self.table, row_id, populate_existing=True)  # type: ignore[return-value]


class CustomerRepository(VersionedRepository[Customer]):
    table = Customer

    def by_id_number(self, id_number: str, id_type: str = "resident_id") -> Customer | None:
        statement = select(Customer).where(
            Customer.id_type == id_type, Customer.id_number == id_number
        )
        return self.session.exec(statement).first()

    def ids_by_id_number(self, id_numbers: Collection[str]) -> dict[str, uuid.UUID]:
        """Which of these ID numbers are already bound, and to whom."""
        found: dict[str, uuid.UUID] = {}
        numbers = list(id_numbers)
        for start in range(0, len(numbers), 500):
            chunk = numbers[start : start + 500]
            statement = select(Customer.id_number, Customer.id).where(
                Customer.id_number.in_(chunk)  # type: ignore[attr-defined]
            )
            found.update(dict(self.session.exec(statement).all()))
        return found

    def ids_by_identity(self, id_type: str, id_numbers: Collection[str]) -> dict[str, uuid.UUID]:
        """Like ``ids_by_id_number``, but within one ID type (the unique key of a customer)."""
        found: dict[str, uuid.UUID] = {}
        numbers = list(id_numbers)
        for start in range(0, len(numbers), 500):
            statement = select(Customer.id_number, Customer.id).where(
                Customer.id_type == id_type,
                Customer.id_number.in_(numbers[start : start + 500]),  # type: ignore[attr-defined]
            )
            found.update(dict(self.session.exec(statement).all()))
        return found

    def bulk_update(self, rows: Sequence[Mapping[str, Any]]) -> int:
        """Update by primary key, one executemany per set of columns: each dict holds ``id``
        and the new values (``updated_by`` too, if given).

        A row whose values differ from the stored ones moves its version on by one (and
        takes ``updated_by``), so an agent editing that customer meanwhile is told; a row
        the import leaves as it was keeps its version, and nobody's edit is stopped by it.
        """
        table = Customer.__table__  # type: ignore[attr-defined]
        now = china_now()
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for row in rows:
            values = {"updated_at": now, **row}
            groups.setdefault(tuple(sorted(values)), []).append(values)
        for names, group in groups.items():

            def bound(name: str) -> Any:
                # Bind names may not be column names in an UPDATE's SET: prefixed.
                return bindparam(f"new_{name}", type_=table.c[name].type)

            compared = [table.c[name].is_distinct_from(bound(name))
                        for name in names if name != "id" and name not in _BOOKKEEPING]
            changed = or_(*compared) if compared else false()
            sets: dict[str, Any] = {name: bound(name) for name in names if name not in {"id", "updated_by"}}
            sets["version"] = case((changed, table.c.version + 1), else_=table.c.version)
            if "updated_by" in names:
                sets["updated_by"] = case((changed, bound("updated_by")), else_=table.c.updated_by)
            statement = update(table).where(table.c.id == bound("id")).values(sets)
            self.session.execute(statement, [{f"new_{name}": value for name, value in row.items()} for row in group])
        return len(rows)


class FamilyRepository(VersionedRepository[FamilyMember]):
    table = FamilyMember

    def of_customer(self, customer_id: uuid.UUID) -> list[FamilyMember]:
        statement = (
            select(FamilyMember)
            .where(FamilyMember.customer_id == customer_id)
            .order_by(FamilyMember.relation, FamilyMember.name)
        )
        return list(self.session.exec(statement).all())
