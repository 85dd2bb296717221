from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import bindparam, update
from sqlmodel import or_, select

from db.repositories.base import Repository
from db.tables import Policy, ServicePeriod
from db.timestamps import china_now


class PolicyRepository(Repository[Policy]):
    table = Policy

    def by_number(self, policy_number: str) -> Policy | None:
        return self.session.exec(select(Policy).where(Policy.policy_number == policy_number)).first()

    def existing_numbers(self, numbers: Collection[str]) -> set[str]:
        found: set[str] = set()
        wanted = list(numbers)
        for start in range(0, len(wanted), 500):
            statement = select(Policy.policy_number).where(
                Policy.policy_number.in_(wanted[start : start + 500])  # type: ignore[attr-defined]
            )
            found.update(self.session.exec(statement).all())
        return found

    def effective_dates_by_number(self, numbers: Collection[str]) -> dict[str, tuple[uuid.UUID, date]]:
        """Id and effective date of each of these policies that exists, by policy number."""
        found: dict[str, tuple[uuid.UUID, date]] = {}
        wanted = list(numbers)
        for start in range(0, len(wanted), 500):
            statement = select(Policy.policy_number, Policy.id, Policy.effective_date).where(
                Policy.policy_number.in_(wanted[start : start + 500])  # type: ignore[attr-defined]
            )
            for number, policy_id, effective_date in self.session.exec(statement).all():
                found[number] = (policy_id, effective_date)
        return found

    def bulk_update(self, rows: Sequence[Mapping[str, Any]]) -> int:
        """Update by primary key in one executemany: each dict holds ``id`` and the new values."""
        now = china_now()
        if rows:
            self.session.execute(update(Policy), [{"updated_at": now, **row} for row in rows])
        return len(rows)

    def of_customer(self, customer_id: uuid.UUID) -> list[Policy]:
        """Policies where the customer is the insured or the holder."""
        statement = (
            select(Policy)
            .where(or_(Policy.insured_id == customer_id, Policy.holder_id == customer_id))
            .order_by(Policy.effective_date.desc())  # type: ignore[attr-defined]
        )
        return list(self.session.exec(statement).all())


class ServicePeriodRepository(Repository[ServicePeriod]):
    table = ServicePeriod

    def of_policy(self, policy_id: uuid.UUID) -> list[ServicePeriod]:
        statement = (
            select(ServicePeriod)
            .where(ServicePeriod.policy_id == policy_id)
            .order_by(ServicePeriod.starts_on)  # type: ignore[arg-type]
        )
        return list(self.session.exec(statement).all())

    def move_initial(self, moves: Sequence[tuple[uuid.UUID, date, date]]) -> None:
        """Set the window of each policy's initial period: ``(policy_id, starts_on, ends_on)``."""
        if not moves:
            return
        # Core table statement: ORM-enabled UPDATE allows executemany only by primary key.
        table = ServicePeriod.__table__  # type: ignore[attr-defined]
        statement = (
            update(table)
            .where(table.c.policy_id == bindparam("target"), table.c.kind == "initial")
            .values(
                starts_on=bindparam("new_start"),
                ends_on=bindparam("new_end"),
                updated_at=china_now(),
            )
        )
        self.session.execute(
            statement,
            [{"target": p, "new_start": s, "new_end": e} for p, s, e in moves],
        )

    def claim(self, period_id: uuid.UUID) -> bool:
        """Take the write lock on one service year before counting its uses.

        Two agents filing the last use at once: the second waits here until the first
        commits (a row lock on PostgreSQL; the database write lock on SQLite, taken by
        this first write of the transaction), then counts what the first one wrote.
        """
        result = self.session.execute(
            update(ServicePeriod)
            .where(ServicePeriod.id == period_id)
            .values(updated_at=china_now())
        )
        return result.rowcount == 1
