"""The unit of work: one transaction, with every repository bound to it.

    with UnitOfWork(engine) as uow:
        uow.customers.add(...)
        uow.commit()

Leaving the block without ``commit()`` (or by an exception) rolls everything back, so a
half-done import or a failed save never leaves half a request behind.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType

from sqlalchemy import Engine
from sqlmodel import Session

from db.repositories.agents import AgentRepository
from db.repositories.audit import AuditRepository
from db.repositories.calls import CallNoteRepository, CallRepository
from db.repositories.customers import CustomerRepository, FamilyRepository
from db.repositories.feedback import ComplaintRepository, RatingRepository, SupplierRepository
from db.repositories.ledger import UsageLedgerRepository
from db.repositories.lookup import CustomerLookup
from db.repositories.policies import PolicyRepository, ServicePeriodRepository
from db.repositories.queue import QueueRepository
from db.repositories.reference import CalendarRepository, HospitalRepository, IllnessRepository
from db.repositories.requests import (
    RequestEventRepository,
    RequestRepository,
    RequestStepRepository,
)
from db.repositories.sync import SyncRepository


class UnitOfWork:
    def __init__(self, engine: Engine, *, isolation_level: str | None = None) -> None:
        self.engine = engine
        # REPEATABLE READ for a consistent copy of many tables (a branch's first sync);
        # the default, READ COMMITTED, for everything an agent does.
        self.isolation_level = isolation_level
        self._session: Session | None = None

    def __enter__(self) -> UnitOfWork:
        bind = self.engine
        if self.isolation_level is not None:
            bind = bind.execution_options(isolation_level=self.isolation_level)
        session = Session(bind, expire_on_commit=False)
        self._session = session
        self.agents = AgentRepository(session)
        self.customers = CustomerRepository(session)
        self.family = FamilyRepository(session)
        self.lookup = CustomerLookup(session)
        self.policies = PolicyRepository(session)
        self.service_periods = ServicePeriodRepository(session)
        self.requests = RequestRepository(session)
        self.request_events = RequestEventRepository(session)
        self.request_steps = RequestStepRepository(session)
        self.ledger = UsageLedgerRepository(session)
        self.calls = CallRepository(session)
        self.call_notes = CallNoteRepository(session)
        self.complaints = ComplaintRepository(session)
        self.ratings = RatingRepository(session)
        self.suppliers = SupplierRepository(session)
        self.audit = AuditRepository(session)
        self.calendar = CalendarRepository(session)
        self.queue = QueueRepository(session)
        self.illnesses = IllnessRepository(session)
        self.hospitals = HospitalRepository(session)
        self.sync = SyncRepository(session)
        return self

    def commit(self) -> None:
        assert self._session is not None, "commit() outside the with block"
        self._session.commit()

    def rollback(self) -> None:
        assert self._session is not None, "rollback() outside the with block"
        self._session.rollback()

    def prepare_bulk_load(self, cache_megabytes: int = 512) -> None:
        """Let SQLite keep the indexes of a growing bulk load in memory.

        Each row lands in a dozen indexes keyed by random UUIDs and search keys; with
        SQLite's default 2 MB page cache every insert past the first few hundred thousand
        rows reads index pages back from disk, and a batch takes twice as long at the end
        of a million customers as at the start. PostgreSQL sizes its buffers itself.
        """
        assert self._session is not None, "prepare_bulk_load() outside the with block"
        connection = self._session.connection()
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql(f"PRAGMA cache_size=-{cache_megabytes * 1024}")

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """A SAVEPOINT: leaving by an exception undoes only what was written inside.

        For one row of an import: a refused row must not undo the rows before it, and on
        PostgreSQL a failed statement would otherwise abort the whole transaction.
        """
        assert self._session is not None, "savepoint() outside the with block"
        connection = self._session.connection()
        if connection.dialect.name == "sqlite":
            driver = connection.connection.driver_connection
            if driver is not None and not driver.in_transaction:
                # pysqlite opens its transaction lazily, at the first write. A SAVEPOINT
                # before that would itself be the outermost transaction, and releasing it
                # would commit: the import could then no longer roll back.
                connection.exec_driver_sql("BEGIN")
        with self._session.begin_nested():
            yield

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._session is not None
        # close() rolls back whatever was not committed and detaches the rows without
        # expiring them, so what a use case read stays readable after the block.
        self._session.close()
        self._session = None
