"""Finding a caller: one indexed query per kind of key an agent types.

Each query reads at most ``limit`` rows straight off an index, so a lookup costs the same
at a thousand customers as at a million. Prefix searches are a range on SQLite (binary
collation: byte order is code-point order) and ``LIKE 'x%'`` on PostgreSQL (served by
the ``text_pattern_ops`` indexes).
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Collection

from sqlalchemy import ColumnElement, TextClause, or_, select, text
from sqlmodel import Session

from db.tables import Customer, Policy

# Above every code point: "abc" <= x < "abc" + this is "x starts with abc" in binary order.
_PREFIX_END = "\U0010ffff"


class CustomerLookup:
    def __init__(self, session: Session) -> None:
        self.session = session

    def _starts_with(self, column: ColumnElement[str], prefix: str) -> ColumnElement[bool]:
        if self.session.get_bind().dialect.name == "postgresql":
            escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            return column.like(escaped + "%", escape="\\")
        return (column >= prefix) & (column < prefix + _PREFIX_END)

    def _prefix_order(self, column: ColumnElement[str]) -> ColumnElement[str] | TextClause:
        """Order by the searched column as its prefix index is ordered.

        On PostgreSQL the ``text_pattern_ops`` index is ordered by ``~<~``; ordering by
        the column's collation instead would sort every match (70,000 for a common
        surname) before the limit applies.
        """
        if self.session.get_bind().dialect.name == "postgresql":
            return text(f"{column.table.name}.{column.name} USING ~<~")  # type: ignore[attr-defined]
        return column

    def _customers(self, condition: ColumnElement[bool], order: ColumnElement[str] | TextClause, limit: int) -> list[Customer]:
        # Ordered by the searched column alone, so a prefix search reads its index in order
        # and stops at the limit instead of sorting every match.
        statement = select(Customer).where(condition).order_by(order).limit(limit)
        return list(self.session.scalars(statement).all())

    def by_name_prefix(self, prefix: str, limit: int) -> list[Customer]:
        return self._customers(self._starts_with(Customer.name, prefix), self._prefix_order(Customer.name), limit)

    def by_pinyin_prefix(self, prefix: str, limit: int) -> list[Customer]:
        column = Customer.name_pinyin
        return self._customers(self._starts_with(column, prefix), self._prefix_order(column), limit)

    def by_initials_prefix(self, prefix: str, limit: int) -> list[Customer]:
        column = Customer.name_initials
        return self._customers(self._starts_with(column, prefix), self._prefix_order(column), limit)

    def by_mobile(self, mobile: str, limit: int) -> list[Customer]:
        return self._customers(Customer.mobile == mobile, Customer.name, limit)

    def by_mobile_last4(self, digits: str, limit: int) -> list[Customer]:
        return self._customers(Customer.mobile_last4 == digits, Customer.name, limit)

    def by_id_number(self, id_number: str, limit: int) -> list[Customer]:
        return self._customers(Customer.id_number == id_number, Customer.name, limit)

    def by_id_last4(self, tail: str, limit: int) -> list[Customer]:
        return self._customers(Customer.id_last4 == tail, Customer.name, limit)

    def by_id_last6(self, tail: str, limit: int) -> list[Customer]:
        return self._customers(Customer.id_last6 == tail, Customer.name, limit)

    def by_policy_number_prefix(self, prefix: str, limit: int) -> list[Customer]:
        """Insured and holders of the policies whose number starts with ``prefix``."""
        policies = select(Policy.insured_id, Policy.holder_id).where(
            self._starts_with(Policy.policy_number, prefix)
        ).order_by(self._prefix_order(Policy.policy_number)).limit(limit)
        ids: list[uuid.UUID] = []
        for insured_id, holder_id in self.session.execute(policies):
            ids.extend(i for i in (insured_id, holder_id) if i not in ids)
        if not ids:
            return []
        return self._customers(Customer.id.in_(ids[:limit]), Customer.name, limit)  # type: ignore[attr-defined]

    def policy_counts(self, customer_ids: Collection[uuid.UUID]) -> Counter[uuid.UUID]:
        """How many policies each customer is insured or holder on (each policy once)."""
        wanted = set(customer_ids)
        counts: Counter[uuid.UUID] = Counter()
        if not wanted:
            return counts
        statement = select(Policy.insured_id, Policy.holder_id).where(
            or_(Policy.insured_id.in_(list(wanted)), Policy.holder_id.in_(list(wanted)))  # type: ignore[attr-defined]
        )
        for insured_id, holder_id in self.session.execute(statement):
            for person in {insured_id, holder_id}:
                if person in wanted:
                    counts[person] += 1
        return counts
