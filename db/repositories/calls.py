from __future__ import annotations

import uuid

from sqlmodel import select

from db.repositories.base import Repository
from db.tables import Call, CallNote


class CallRepository(Repository[Call]):
    table = Call

    def of_customer(self, customer_id: uuid.UUID, limit: int = 20) -> list[Call]:
        statement = (
            select(Call)
            .where(Call.customer_id == customer_id)
            .order_by(Call.started_at.desc())  # type: ignore[attr-defined]
            .limit(limit)
        )
        return list(self.session.exec(statement).all())


class CallNoteRepository(Repository[CallNote]):
    table = CallNote

    def of_call(self, call_id: uuid.UUID) -> list[CallNote]:
        statement = select(CallNote).where(CallNote.call_id == call_id).order_by(CallNote.at)  # type: ignore[arg-type]
        return list(self.session.exec(statement).all())
