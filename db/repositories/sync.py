"""The sync tables: this site, the outbox / change log, conflicts; and scoped copies.

A branch holds the customers it serves: a region (with the holders of its customers'
policies, whom the policies refer to), a list of customers, or everything. ``scope`` is
that choice as stored in ``sync_site.scope``: ``{"region": …}``, ``{"id_numbers": […]}``
or ``{}``.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import fields
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy import Select, Table, and_, delete, func, insert, or_, select, text, update
from sqlmodel import col

from db.repositories.base import Repository
from db.sync.apply import Applied, Incoming, apply_change
from db.sync.rows import BY_NAME, decoded, encoded
from db.tables import (
    Agent,
    CalendarDay,
    Customer,
    Policy,
    Request,
    Supplier,
    SyncApplying,
    SyncChange,
    SyncConflict,
    SyncSite,
)

Scope = Mapping[str, Any]
# How long a reader tries for the change log's order before giving up (another branch's
# send of thousands of changes holds it shared for seconds).
CUTOFF_PATIENCE_S = 60.0


class ChangeLogBusy(Exception):
    """Head office's change log stayed busy (other branches sending): try again shortly."""

# Migration 0008's advisory lock key for the change log's order ("desk" in ASCII).
CHANGE_ORDER_LOCK = 0x6465736B
_CUSTOMER = Customer.__table__  # type: ignore[attr-defined]
_POLICY = Policy.__table__  # type: ignore[attr-defined]
_CHANGE = SyncChange.__table__  # type: ignore[attr-defined]
# Rows every site needs whole, whoever they belong to: who may sign in, the working-day
# calendar the deadlines are counted on, the suppliers complaints name. Head office's
# copy wins; they are copied on every sync rather than through the change log.
# An agent's failed passwords and lock are counted where the agent signs in: a sync must not
# lift a branch's lock, nor carry head office's.
_LOCAL_COLUMNS = frozenset({"failed_sign_ins", "locked_until"})
SHARED: tuple[Table, ...] = tuple(
    model.__table__ for model in (Agent, CalendarDay, Supplier)  # type: ignore[attr-defined]
)


def scope_customers(scope: Scope) -> Select[Any]:
    """The ids of the customers a branch with ``scope`` serves: their policies, requests,
    calls and the rest go to the branch."""
    if "id_numbers" in scope:
        return select(_CUSTOMER.c.id).where(_CUSTOMER.c.id_number.in_(list(scope["id_numbers"])))
    if "region" in scope:
        return select(_CUSTOMER.c.id).where(_CUSTOMER.c.region == scope["region"])
    return select(_CUSTOMER.c.id)


def scope_people(scope: Scope) -> Select[Any]:
    """The customers the branch serves and the holders of their policies: a policy names
    its holder, so the holder's own row travels too (but not the holder's policies)."""
    own = scope_customers(scope)
    return own.union(select(_POLICY.c.holder_id).where(_POLICY.c.insured_id.in_(own)))


def _scoped(table: Table, scope: Scope) -> Select[Any]:
    """``table``'s rows that belong to ``scope``, by the same links the triggers follow."""
    if table.name == "customer":
        return select(table).where(table.c.id.in_(scope_people(scope)))
    customers = scope_customers(scope)
    policies = select(_POLICY.c.id).where(_POLICY.c.insured_id.in_(customers))
    requests_of = select(BY_NAME["request"].c.id).where(BY_NAME["request"].c.customer_id.in_(customers))
    calls_of = select(BY_NAME["call"].c.id).where(BY_NAME["call"].c.customer_id.in_(customers))
    name = table.name
    if name == "policy":
        where = table.c.insured_id.in_(customers)
    elif name in ("service_period", "usage_event"):
        where = table.c.policy_id.in_(policies)
    elif name in ("request_event", "request_step", "rating"):
        where = table.c.request_id.in_(requests_of)
    elif name == "call_note":
        where = table.c.call_id.in_(calls_of)
    elif "customer_id" in table.c:
        where = table.c.customer_id.in_(customers)
    else:
        where = text("1 = 0")  # the audit log stays where it was written
    return select(table).where(where)


class SyncRepository(Repository[SyncChange]):
    table = SyncChange

    # -- this site --------------------------------------------------------------------
    def site(self) -> SyncSite | None:
        return self.session.execute(select(SyncSite)).scalars().first()

    def is_branch(self) -> bool:
        site = self.site()
        return site is not None and site.role == "branch"

    def save_site(self, site: SyncSite) -> SyncSite:
        self.session.add(site)
        self.session.flush()
        return site

    # -- what the triggers record ----------------------------------------------------
    def applying(self) -> None:
        """From here to the end of the transaction, writes are the other side's: the
        triggers leave them to the sync, which records each once with its origin."""
        connection = self.session.connection()
        connection.execute(delete(SyncApplying.__table__))  # type: ignore[attr-defined]
        connection.execute(insert(SyncApplying.__table__).values(id=uuid.uuid4()))  # type: ignore[attr-defined]

    def done_applying(self) -> None:
        self.session.connection().execute(delete(SyncApplying.__table__))  # type: ignore[attr-defined]

    def outbox(self, limit: int | None = None) -> list[SyncChange]:
        statement = (
            select(SyncChange)
            .where(col(SyncChange.origin).is_(None), col(SyncChange.sent_at).is_(None))
            .order_by(col(SyncChange.seq))
            .limit(limit)
        )
        return list(self.session.execute(statement).scalars())

    def outbox_rows(self) -> set[uuid.UUID]:
        """The rows edited here whose changes have not gone out yet."""
        statement = select(_CHANGE.c.row_id).where(_CHANGE.c.origin.is_(None), _CHANGE.c.sent_at.is_(None))
        return set(self.session.execute(statement).scalars())

    def outbox_count(self) -> int:
        statement = select(func.count()).where(
            col(SyncChange.origin).is_(None), col(SyncChange.sent_at).is_(None)
        )
        return self.session.execute(statement).scalar_one()

    def mark_sent(self, seqs: Sequence[int], at: datetime) -> None:
        for start in range(0, len(seqs), 500):
            self.session.execute(
                update(_CHANGE).where(_CHANGE.c.seq.in_(seqs[start : start + 500])).values(sent_at=at)
            )

    def known(self, change_ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
        found: set[uuid.UUID] = set()
        for start in range(0, len(change_ids), 500):
            statement = select(_CHANGE.c.change_id).where(_CHANGE.c.change_id.in_(change_ids[start : start + 500]))
            found.update(self.session.execute(statement).scalars())
        return found

    def cutoff(self) -> int:
        """The highest change number below which every change has committed.

        On PostgreSQL, takes the change log's order lock exclusively (migration 0008):
        it waits for every statement still adding changes to commit. Call it in a
        transaction of its own and commit at once: the lock holds up every writer.
        """
        if self.session.connection().dialect.name == "postgresql":
            # Tried, never queued for: a waiting exclusive request would queue every
            # agent's next write behind it (PostgreSQL grants locks in order), for as long
            # as another branch's send holds the shared lock.
            deadline = time.monotonic() + CUTOFF_PATIENCE_S
            while not self.session.execute(
                text(f"SELECT pg_try_advisory_xact_lock({CHANGE_ORDER_LOCK})")
            ).scalar_one():
                if time.monotonic() > deadline:
                    raise ChangeLogBusy()
                time.sleep(0.05)
        return int(self.session.execute(select(func.coalesce(func.max(_CHANGE.c.seq), 0))).scalar_one())

    def changes_for(self, branch_id: uuid.UUID, scope: Scope, low: int, high: int) -> list[Incoming]:
        """Changes numbered ``(low, high]`` for ``scope``'s customers, but not those the
        branch itself sent."""
        statement = (
            select(_CHANGE)
            .where(
                _CHANGE.c.seq > low,
                _CHANGE.c.seq <= high,
                or_(_CHANGE.c.origin.is_(None), _CHANGE.c.origin != branch_id),
                _in_scope(scope),
            )
            .order_by(_CHANGE.c.seq)
        )
        return [incoming_of(row) for row in self.session.execute(statement).mappings()]

    def changes_visible_from(self, low: int, scope: Scope) -> list[Incoming]:
        """Changes numbered above ``low`` that this transaction already sees: in a copy,
        they are in the rows copied, and the branch must not receive them again."""
        statement = select(_CHANGE).where(_CHANGE.c.seq > low, _in_scope(scope))
        return [incoming_of(row) for row in self.session.execute(statement).mappings()]

    def record(self, changes: Sequence[Incoming], origin_of: Callable[[Incoming], uuid.UUID | None]) -> None:
        """Keep ``changes`` as applied here (their ids then skip them when they come again)."""
        rows = [
            {"change_id": change.change_id, "origin": origin_of(change), "table_name": change.table_name,
             "row_id": change.row_id, "op": change.op, "customer_id": change.customer_id,
             "data": change.data, "old": change.old, "at": change.at, "sent_at": None}
            for change in changes
        ]
        if rows:
            self.session.execute(insert(_CHANGE), rows)

    def apply(self, changes: Sequence[Incoming]) -> list[tuple[Incoming, Applied]]:
        """Apply ``changes`` in order (``db.sync.apply``). Rows this side lacks are inserted
        many at a time, a run of one table in one statement: a branch's day offline is
        thousands of new rows, and one round trip each made a sync take minutes."""
        connection = self.session.connection()
        present = self._present(changes)
        results: list[tuple[Incoming, Applied]] = []
        run: list[dict[str, Any]] = []
        run_table: Table | None = None

        def flush() -> None:
            if run and run_table is not None:
                connection.execute(insert(run_table), run)
            run.clear()

        for change in changes:
            table = BY_NAME[change.table_name]
            key = (change.table_name, change.row_id)
            if key in present:
                flush()
                results.append((change, apply_change(connection, change)))
                continue
            if table is not run_table:
                flush()
                run_table = table
            run.append(decoded(table, change.data))
            present.add(key)
            results.append((change, Applied(inserted=True)))
        flush()
        return results

    def _present(self, changes: Sequence[Incoming]) -> set[tuple[str, uuid.UUID]]:
        wanted: dict[str, list[uuid.UUID]] = {}
        for change in changes:
            wanted.setdefault(change.table_name, []).append(change.row_id)
        present: set[tuple[str, uuid.UUID]] = set()
        for name, ids in wanted.items():
            key = BY_NAME[name].c.id
            for start in range(0, len(ids), 500):
                found = self.session.execute(select(key).where(key.in_(ids[start : start + 500]))).scalars()
                present.update((name, row_id) for row_id in found)
        return present

    def answer(self, change: Incoming, at: datetime) -> None:
        """Record, as this site's own change, that its row stayed as it is against
        ``change``: the sender then receives this site's values for the fields it lost."""
        table = BY_NAME[change.table_name]
        row = self.session.execute(select(table).where(table.c.id == change.row_id)).mappings().first()
        if row is None:
            return
        self.session.execute(
            insert(_CHANGE).values(
                change_id=uuid.uuid4(), origin=None, table_name=change.table_name, row_id=change.row_id,
                op="update", customer_id=change.customer_id, data=encoded(dict(row)), old=change.data, at=at,
            )
        )

    # -- copies of a whole scope -----------------------------------------------------
    def scoped_count(self, table: Table, scope: Scope) -> int:
        return self.session.execute(select(func.count()).select_from(_scoped(table, scope).subquery())).scalar_one()

    def scoped_rows(self, table: Table, scope: Scope, batch: int = 2000) -> Iterator[list[dict[str, Any]]]:
        result = self.session.execute(
            _scoped(table, scope).execution_options(yield_per=batch)
        ).mappings()
        for part in result.partitions(batch):
            yield [dict(row) for row in part]

    def shared_rows(self) -> dict[str, list[dict[str, Any]]]:
        return {
            table.name: [dict(row) for row in self.session.execute(select(table)).mappings()]
            for table in SHARED
        }

    def insert_rows(self, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
        if rows:
            self.session.execute(insert(table), list(rows))

    def replace_shared(self, shared: Mapping[str, Sequence[Mapping[str, Any]]]) -> None:
        """Head office's agents, calendar and suppliers, over this site's copies."""
        for table in SHARED:
            rows = shared.get(table.name, [])
            key = table.c.day if table.name == "calendar_day" else table.c.id
            keyname = key.name
            here = {row[keyname]: row for row in self.session.execute(select(table)).mappings()}
            # A login or a supplier name this side has under another id is left as it is:
            # a unique key would refuse the copy.
            unique = "login" if table.name == "agent" else "name" if table.name == "supplier" else None
            taken = {row[unique] for row in here.values()} if unique is not None else set()
            for row in rows:
                mine = here.get(row[keyname])
                if mine is not None:
                    values = {name: value for name, value in row.items() if name not in _LOCAL_COLUMNS}
                    # Only what differs: the calendar alone is hundreds of days, every sync.
                    if any(mine[name] != value for name, value in values.items()):
                        self.session.execute(update(table).where(key == row[keyname]).values(**values))
                elif unique is None or row[unique] not in taken:
                    self.session.execute(insert(table).values(**row))

    # -- what a sync could not settle ------------------------------------------------
    def add_conflict(self, conflict: SyncConflict) -> SyncConflict:
        self.session.add(conflict)
        self.session.flush()
        return conflict

    def open_conflict_count(self) -> int:
        statement = select(func.count()).where(col(SyncConflict.resolved_at).is_(None))
        return self.session.execute(statement).scalar_one()

    def open_conflicts(self, limit: int = 200) -> list[SyncConflict]:
        statement = (
            select(SyncConflict)
            .where(col(SyncConflict.resolved_at).is_(None))
            .order_by(col(SyncConflict.at))
            .limit(limit)
        )
        return list(self.session.execute(statement).scalars())

    def conflict(self, conflict_id: uuid.UUID) -> SyncConflict | None:
        return self.session.get(SyncConflict, conflict_id)

    def provisional_requests(self) -> list[Request]:
        statement = select(Request).where(col(Request.confirmation) == "provisional").order_by(col(Request.submitted_at))
        return list(self.session.execute(statement).scalars())


def _in_scope(scope: Scope) -> Any:
    return or_(
        _CHANGE.c.customer_id.in_(scope_customers(scope)),
        and_(_CHANGE.c.table_name == "customer", _CHANGE.c.customer_id.in_(scope_people(scope))),
    )


def incoming_of(change: SyncChange | Mapping[str, Any]) -> Incoming:
    """A change as it travels, from a ``sync_change`` row (ORM object or plain mapping)."""
    read = change.__getitem__ if isinstance(change, Mapping) else partial(getattr, change)
    return Incoming(**{name.name: read(name.name) for name in fields(Incoming)})
