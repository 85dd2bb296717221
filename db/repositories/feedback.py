from __future__ import annotations

from sqlmodel import select

from db.repositories.base import Repository
from db.tables import Complaint, Rating, Supplier


class ComplaintRepository(Repository[Complaint]):
    table = Complaint


class RatingRepository(Repository[Rating]):
    table = Rating


class SupplierRepository(Repository[Supplier]):
    table = Supplier

    def by_name(self, name: str) -> Supplier | None:
        return self.session.exec(select(Supplier).where(Supplier.name == name)).first()
