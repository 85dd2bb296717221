"""What every repository can do with its own table: add, get, bulk insert."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy import JSON, Table, func, insert, select, text
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

    def existing_ids(self, ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
        """Which of these primary keys are already in the table."""
        found: set[uuid.UUID] = set()
        wanted = list(ids)
        key = self.table.__table__.c.id  # type: ignore[attr-defined]
        for start in range(0, len(wanted), 500):
            statement = select(key).where(key.in_(wanted[start : start + 500]))
            found.update(self.session.execute(statement).scalars())
        return found

    def refresh_statistics(self) -> None:
        """Let PostgreSQL's planner see a bulk-loaded table as it is now.

        Until autovacuum gets to it, the planner plans for the near-empty table it last
        saw, and a lookup by a list of keys becomes a sequential scan: a long bulk load
        slows down quadratically. SQLite uses the index for such lookups anyway, so there
        this does nothing.
        """
        if self.session.connection().dialect.name == "postgresql":
            name = self.table.__table__.name  # type: ignore[attr-defined]
            self.session.execute(text(f'ANALYZE "{name}"'))

    def bulk_load(self, rows: Sequence[Mapping[str, Any]]) -> int:
        """Like ``bulk_insert``, for millions of rows: no ORM and no per-row SQLAlchemy work.

        PostgreSQL gets one ``COPY``; SQLite one driver-level executemany with the values
        already converted by the columns' own types. ``id``, ``created_at`` and ``updated_at``
        are filled in if absent; any other missing column takes its scalar default, else NULL.
        The rows join the unit of work's transaction like any other write.
        """
        if not rows:
            return 0
        table: Table = self.table.__table__  # type: ignore[attr-defined]
        connection = self.session.connection()
        dialect = connection.dialect
        now = china_now()
        columns = list(table.c)
        fallback: dict[str, Any] = {"created_at": now, "updated_at": now}
        for column in columns:
            if column.name not in fallback:
                default = column.default
                fallback[column.name] = default.arg if default is not None and default.is_scalar else None  # type: ignore[attr-defined]

        id_at = [c.name for c in columns].index("id")

        def values(row: Mapping[str, Any]) -> list[Any]:
            out = [row.get(c.name, fallback[c.name]) for c in columns]
            if out[id_at] is None:
                out[id_at] = uuid.uuid4()
            return out

        if dialect.name == "postgresql":
            from psycopg import sql
            from psycopg.types.json import Json

            json_at = [i for i, c in enumerate(columns) if isinstance(c.type, JSON)]
            statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
                sql.Identifier(table.name),
                sql.SQL(", ").join(sql.Identifier(c.name) for c in columns),
            )
            driver = connection.connection.driver_connection
            with driver.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
                for row in rows:
                    out = values(row)
                    for i in json_at:
                        out[i] = Json(out[i])
                    copy.write_row(out)
            return len(rows)

        # Only the columns whose type converts (UUID, datetime, JSON, …): a million-customer
        # demo spent a seventh of its time walking the others.
        processors = [
            (i, processor) for i, c in enumerate(columns)
            if (processor := c.type.dialect_impl(dialect).bind_processor(dialect)) is not None
        ]
        converted = []
        for row in rows:
            out = values(row)
            for i, processor in processors:
                if out[i] is not None:
                    out[i] = processor(out[i])
            converted.append(tuple(out))
        names = ", ".join(f'"{c.name}"' for c in columns)
        marks = ", ".join("?" for _ in columns)
        connection.exec_driver_sql(f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})', converted)
        return len(rows)
