from __future__ import annotations

from db.repositories.base import Repository
from db.tables import AuditEvent


class AuditRepository(Repository[AuditEvent]):
    """Append-only, like the ledger."""

    table = AuditEvent
