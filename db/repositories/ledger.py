from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlmodel import col, select

from db.repositories.base import Repository
from db.tables import UsageEvent


def _quota_effect(kind: str) -> int:
    # A real-time service's "used" event records a use and leaves the quota alone.
    return {"counted": 1, "refunded": -1}.get(kind, 0)


class UsageLedgerRepository(Repository[UsageEvent]):
    """Append-only: there is no update or delete here on purpose."""

    table = UsageEvent

    def events(self, service_period_id: uuid.UUID, service_code: str) -> list[UsageEvent]:
        statement = (
            select(UsageEvent)
            .where(
                UsageEvent.service_period_id == service_period_id,
                UsageEvent.service_code == service_code,
            )
            .order_by(UsageEvent.at)  # type: ignore[arg-type]
        )
        return list(self.session.exec(statement).all())

    def net_by_request(self, service_period_id: uuid.UUID, service_code: str) -> dict[uuid.UUID | None, int]:
        """Counted less refunded, per request (None: uses not tied to a request)."""
        net: dict[uuid.UUID | None, int] = {}
        for event in self.events(service_period_id, service_code):
            net[event.request_id] = net.get(event.request_id, 0) + _quota_effect(event.kind)
        return net

    def net_of_requests(self, request_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, int]:
        """Counted less refunded, for each of these requests that has ledger events."""
        net: dict[uuid.UUID, int] = {}
        wanted = list(request_ids)
        for start in range(0, len(wanted), 500):
            statement = select(UsageEvent.request_id, UsageEvent.kind).where(
                col(UsageEvent.request_id).in_(wanted[start : start + 500])
            )
            for request_id, kind in self.session.exec(statement).all():
                if request_id is not None:
                    net[request_id] = net.get(request_id, 0) + _quota_effect(kind)
        return net
