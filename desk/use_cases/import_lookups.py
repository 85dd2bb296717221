"""What an import row names (an ID number, a policy number), looked up once per file.

An export repeats the same customers row after row; the lookups remember each answer
for the rest of the file.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from db.tables import Customer, Policy
from db.unit_of_work import UnitOfWork
from desk.use_cases.importing import resident_forms


@dataclass
class CustomerLookups:
    uow: UnitOfWork
    customers: dict[str, list[Customer]] = field(default_factory=dict)
    policies: dict[str, Policy | None] = field(default_factory=dict)

    def customers_with(self, id_number: str) -> list[Customer]:
        """Customers holding this resident ID number, in its 15- or 18-digit form."""
        if id_number not in self.customers:
            found: dict[uuid.UUID, Customer] = {}
            for form in resident_forms(id_number):
                for customer in self.uow.lookup.by_id_number(form, limit=10):
                    found[customer.id] = customer
            self.customers[id_number] = list(found.values())
        return self.customers[id_number]

    def policy(self, number: str) -> Policy | None:
        if number not in self.policies:
            self.policies[number] = self.uow.policies.by_number(number)
        return self.policies[number]
