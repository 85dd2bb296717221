from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, func, update
from sqlmodel import col, select

from db.repositories.base import Repository
from db.tables import Request, RequestEvent, RequestStep
from db.timestamps import china_now


@dataclass(frozen=True, slots=True)
class OpenStepClock:
    """What recomputing an open step's due time needs, without loading the ORM row."""

    step_id: uuid.UUID
    service_code: str
    step_code: str
    started_at: datetime
    due_at: datetime | None
    calendar_unknown_after: date | None


class RequestRepository(Repository[Request]):
    table = Request

    def by_number(self, number: str) -> Request | None:
        return self.session.exec(select(Request).where(Request.number == number)).first()

    def of_customer(self, customer_id: uuid.UUID, limit: int = 50) -> list[Request]:
        statement = (
            select(Request)
            .where(Request.customer_id == customer_id)
            .order_by(Request.submitted_at.desc())  # type: ignore[attr-defined]
            .limit(limit)
        )
        return list(self.session.exec(statement).all())

    def count_of_customer(self, customer_id: uuid.UUID) -> int:
        statement = select(func.count()).select_from(Request).where(Request.customer_id == customer_id)
        return self.session.exec(statement).one()

    def keys_of_channel(
        self, policy_ids: Collection[uuid.UUID], channel: str
    ) -> set[tuple[uuid.UUID, str, str, datetime]]:
        """(policy, service, beneficiary name, submitted at) of every request of these
        policies that came in through ``channel``: what an import must not file twice."""
        found: set[tuple[uuid.UUID, str, str, datetime]] = set()
        wanted = list(policy_ids)
        for start in range(0, len(wanted), 500):
            statement = select(
                Request.policy_id, Request.service_code, Request.beneficiary_name, Request.submitted_at
            ).where(col(Request.policy_id).in_(wanted[start : start + 500]), Request.channel == channel)
            found.update(tuple(row) for row in self.session.exec(statement).all())
        return found

    def of_period(self, period_id: uuid.UUID, service_code: str) -> list[Request]:
        """Every request of one service in one service year, oldest first."""
        statement = (
            select(Request)
            .where(Request.service_period_id == period_id, Request.service_code == service_code)
            .order_by(Request.submitted_at)  # type: ignore[arg-type]
        )
        return list(self.session.exec(statement).all())

    def states_in_period(self, period_id: uuid.UUID, service_code: str) -> dict[uuid.UUID, str]:
        """Every request of one service in one service year, with its state."""
        statement = select(Request.id, Request.state).where(
            Request.service_period_id == period_id, Request.service_code == service_code
        )
        return dict(self.session.exec(statement).all())


class RequestEventRepository(Repository[RequestEvent]):
    table = RequestEvent

    def of_request(self, request_id: uuid.UUID) -> list[RequestEvent]:
        statement = (
            select(RequestEvent)
            .where(RequestEvent.request_id == request_id)
            .order_by(RequestEvent.at, RequestEvent.created_at)  # type: ignore[arg-type]
        )
        return list(self.session.exec(statement).all())


class RequestStepRepository(Repository[RequestStep]):
    table = RequestStep

    def of_request(self, request_id: uuid.UUID) -> list[RequestStep]:
        statement = (
            select(RequestStep)
            .where(RequestStep.request_id == request_id)
            .order_by(RequestStep.started_at)  # type: ignore[arg-type]
        )
        return list(self.session.exec(statement).all())

    def open_of_request(self, request_id: uuid.UUID) -> list[RequestStep]:
        statement = select(RequestStep).where(
            RequestStep.request_id == request_id,
            RequestStep.done_at == None,  # noqa: E711 - SQL IS NULL
        )
        return list(self.session.exec(statement).all())

    def open_of_requests(self, request_ids: Collection[uuid.UUID]) -> list[RequestStep]:
        """The steps not yet done of these requests, soonest due first."""
        steps: list[RequestStep] = []
        wanted = list(request_ids)
        for start in range(0, len(wanted), 500):
            statement = select(RequestStep).where(
                col(RequestStep.request_id).in_(wanted[start : start + 500]),
                RequestStep.done_at == None,  # noqa: E711 - SQL IS NULL
            )
            steps.extend(self.session.exec(statement).all())
        # Steps without a deadline (on the visit day, not yet booked) sort last.
        return sorted(steps, key=lambda s: (s.due_at is None, s.due_at or s.started_at, s.step_code))

    def open_clocks(
        self,
        step_codes: Collection[str],
        *,
        due_from: datetime | None = None,
        started_before: datetime | None = None,
    ) -> list[OpenStepClock]:
        """Open steps with one of these codes, with their request's service, in one query.

        ``due_from`` and ``started_before`` narrow it to the steps whose count can touch
        a span of days; the open-due index serves ``done_at IS NULL AND due_at >= ...``.
        """
        if not step_codes:
            return []
        statement = (
            select(
                RequestStep.id, Request.service_code, RequestStep.step_code,
                RequestStep.started_at, RequestStep.due_at, RequestStep.calendar_unknown_after,
            )
            .join(Request, col(Request.id) == col(RequestStep.request_id))
            .where(
                RequestStep.done_at == None,  # noqa: E711 - SQL IS NULL
                col(RequestStep.step_code).in_(sorted(step_codes)),
            )
        )
        if due_from is not None:
            statement = statement.where(col(RequestStep.due_at) >= due_from)
        if started_before is not None:
            statement = statement.where(col(RequestStep.started_at) < started_before)
        # Through the connection: plain tuples, without the ORM's per-row loading.
        return [OpenStepClock(*row) for row in self.session.connection().execute(statement)]

    def set_due_times(self, rows: Sequence[Mapping[str, Any]]) -> int:
        """Update by primary key in executemany chunks: each dict holds ``id``, ``due_at``
        and ``calendar_unknown_after``.

        A Core statement, not the ORM's bulk update: a calendar edit can move a hundred
        thousand deadlines, and the ORM's per-row bookkeeping would be most of the time.
        """
        table = RequestStep.__table__  # type: ignore[attr-defined]
        statement = (
            update(table)
            .where(table.c.id == bindparam("step_id"))
            .values(
                due_at=bindparam("new_due_at"),
                calendar_unknown_after=bindparam("new_unknown_after"),
                updated_at=china_now(),
            )
        )
        connection = self.session.connection()
        for start in range(0, len(rows), 5000):
            connection.execute(
                statement,
                [
                    {
                        "step_id": row["id"],
                        "new_due_at": row["due_at"],
                        "new_unknown_after": row["calendar_unknown_after"],
                    }
                    for row in rows[start : start + 5000]
                ],
            )
        return len(rows)
