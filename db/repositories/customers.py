from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from sqlalchemy import update
from sqlmodel import select

from db.repositories.base import Repository
from db.tables import Customer, FamilyMember
from db.timestamps import china_now


class CustomerRepository(Repository[Customer]):
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
        """Update by primary key in one executemany: each dict holds ``id`` and the new values."""
        now = china_now()
        if rows:
            self.session.execute(update(Customer), [{"updated_at": now, **row} for row in rows])
        return len(rows)


class FamilyRepository(Repository[FamilyMember]):
    table = FamilyMember

    def of_customer(self, customer_id: uuid.UUID) -> list[FamilyMember]:
        statement = (
            select(FamilyMember)
            .where(FamilyMember.customer_id == customer_id)
            .order_by(FamilyMember.relation, FamilyMember.name)
        )
        return list(self.session.exec(statement).all())
