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


    def states_in_period(self, period_id: uuid.UUID, service_code: str) -> dict[uuid.UUID, str]:
        """Every request of one service in one service year, with its state."""
        statement = select(Request.id, Request.state).where(
            Request.service_period_id == period_id, Request.service_code == service_code
        )
        return dict(self.session.exec(statement).all())

    def of_customer_service(self, customer_id: uuid.UUID, service_code: str) -> list[Request]:
        statement = (
            select(Request)
            .where(Request.customer_id == customer_id, Request.service_code == service_code)
            .order_by(Request.submitted_at.desc())  # type: ignore[attr-defined]
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

    def open_of_request(self, request_id: uuid.UUID) -> list[RequestStep]:
        statement = select(RequestStep).where(
            RequestStep.request_id == request_id,
            RequestStep.done_at == None,  # noqa: E711 - SQL IS NULL
        )
        return list(self.session.exec(statement).all())
