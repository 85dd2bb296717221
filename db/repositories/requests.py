from __future__ import annotations

import uuid

from sqlmodel import select

from db.repositories.base import Repository
from db.tables import Request, RequestEvent, RequestStep


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
