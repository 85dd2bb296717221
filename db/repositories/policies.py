from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlmodel import or_, select

from db.repositories.base import Repository
from db.tables import Policy, ServicePeriod


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
