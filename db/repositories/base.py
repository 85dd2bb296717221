"""What every repository can do with its own table: add, get, bulk insert."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy import func, insert, select
from sqlmodel import Session, SQLModel

from db.timestamps import china_now

RowT = TypeVar("RowT", bound=SQLModel)


class Repository(Generic[RowT]):
    table: ClassVar[type[SQLModel]]

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row: RowT) -> RowT:
        self.session.add(row)
        self.session.flush()
        return row

    def get(self, row_id: uuid.UUID) -> RowT | None:
        return self.session.get(self.table, row_id)  # type: ignore[return-value]

    def count(self) -> int:
        return self.session.execute(select(func.count()).select_from(self.table)).scalar_one()

    def bulk_insert(self, rows: Iterable[Mapping[str, Any]]) -> int:
        """Insert plain dicts in one executemany; ids and timestamps are filled in if absent.

        For imports and demo data: no ORM objects, so a million rows take minutes.
        """
        now = china_now()
        prepared = [
            {"id": uuid.uuid4(), "created_at": now, "updated_at": now, **row} for row in rows
        ]
        if prepared:
            self.session.execute(insert(self.table), prepared)
        return len(prepared)
