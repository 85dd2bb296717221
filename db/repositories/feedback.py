from __future__ import annotations

from db.repositories.base import Repository
from db.tables import Complaint, Rating, Supplier


class ComplaintRepository(Repository[Complaint]):
    table = Complaint


class RatingRepository(Repository[Rating]):
    table = Rating


class SupplierRepository(Repository[Supplier]):
    table = Supplier
