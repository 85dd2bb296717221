"""Offline branch sync (issue #13): 10,000 changes each way between a branch's SQLite file
and head office's PostgreSQL.

Makes a fresh database on the server of --pg-url (desk_bench_sync_<random>, dropped at the
end) with --customers demo customers, sets a branch up on a new SQLite file for one region
(the first sync, timed), then:

- the branch writes --changes changes offline (calls logged, each one row and one outbox
  entry written by the capture trigger in the same transaction), and the sync sends them;
- head office writes as many for the branch's customers, and the sync receives them;
- a second sync with nothing new.

It also times the capture triggers themselves: the same --changes inserts on the branch
with the capture off and on.

    .venv/bin/python benchmarks/sync_changes.py
    .venv/bin/python benchmarks/sync_changes.py --customers 20000 --changes 10000

Runs on demand, not in CI.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from db.tables import Call, Customer, SyncSite
from desk.demo.generator import generate_demo
from desk.use_cases.database import Database, open_database
from desk.use_cases.sign_in import SignedIn
from desk.use_cases.sync import sync_branch

AT = datetime(2026, 12, 4, 10, 0)


def _timed(label: str, work: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = work()
    elapsed = time.perf_counter() - started
    print(f"{label}: {elapsed:.2f} s")
    return elapsed, result


def _calls(database: Database, customers: list[uuid.UUID], count: int, prefix: str) -> None:
    with database.unit_of_work() as uow:
        uow.calls.bulk_insert(
            {"customer_id": customers[i % len(customers)], "started_at": AT, "caller_number": f"{prefix}{i:06d}",
             "verified_facts": []}
            for i in range(count)
        )
        uow.commit()


def _any_agent(database: Database) -> SignedIn:
    with database.unit_of_work() as uow:
        row = uow.agents.by_login("agent01")
        return SignedIn(row.id, row.login, row.name, row.role)


def _busiest_region(database: Database) -> tuple[str, int]:
    with database.unit_of_work() as uow:
        session = uow.sync.session
        region, count = session.execute(
            select(Customer.region, func.count()).group_by(Customer.region).order_by(func.count().desc())
        ).first()
    return region, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--customers", type=int, default=20000)
    parser.add_argument("--changes", type=int, default=10000)
    args = parser.parse_args()

    admin_url = make_url(args.pg_url).set(drivername="postgresql+psycopg")
    name = f"desk_bench_sync_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    head_url = admin_url.set(database=name).render_as_string(hide_password=False)
    folder = Path(tempfile.mkdtemp(prefix="desk-sync-bench-"))
    try:
        head = open_database(head_url, auto_upgrade=True)
        _timed(f"head office: {args.customers} demo customers", lambda: generate_demo(head, customers=args.customers))
        region, in_region = _busiest_region(head)
        print(f"branch region: {region} ({in_region} customers)")
        branch = open_database(f"sqlite:///{folder / 'branch.sqlite3'}")

        first, report = _timed("first sync (copy of the branch's customers)", lambda: sync_branch(
            branch, remote_url=head_url, at=AT, scope={"region": region}))
        rows = sum(report.copied.values())
        print(f"  copied {rows} rows ({rows / first:.0f} rows/s)")
        agent = _any_agent(branch)
        with branch.unit_of_work() as uow:
            customers = [
                c.id for c in uow.sync.session.execute(select(Customer).where(Customer.region == region)).scalars()
            ]

        # The capture triggers' cost, on a copy of the branch: the same inserts with the
        # capture off, then on.
        branch.close()  # its last connection folds the write-ahead log into the file
        shutil.copyfile(folder / "branch.sqlite3", folder / "scratch.sqlite3")
        branch = open_database(f"sqlite:///{folder / 'branch.sqlite3'}")
        scratch = open_database(f"sqlite:///{folder / 'scratch.sqlite3'}")
        with scratch.engine.begin() as connection:
            connection.execute(text("UPDATE sync_site SET capture = 0"))
        off, _ = _timed(f"branch: {args.changes} writes, capture off",
                        lambda: _calls(scratch, customers, args.changes, "137"))
        with scratch.engine.begin() as connection:
            connection.execute(text("UPDATE sync_site SET capture = 1"))
        on, _ = _timed(f"branch: {args.changes} writes, capture on",
                       lambda: _calls(scratch, customers, args.changes, "136"))
        print(f"  capture costs {(on - off) / args.changes * 1e6:.0f} µs a write ({on / off:.2f}x)")
        scratch.close()

        _calls(branch, customers, args.changes, "138")

        sent_time, report = _timed(f"sync: send {args.changes} changes", lambda: sync_branch(
            branch, remote_url=None, at=AT, agent=agent))
        print(f"  sent {report.sent}, received {report.received}: {report.sent / sent_time:.0f} changes/s")

        _calls(head, customers, args.changes, "139")
        received_time, report = _timed(f"sync: receive {args.changes} changes", lambda: sync_branch(
            branch, remote_url=None, at=AT, agent=agent))
        print(f"  sent {report.sent}, received {report.received}: {report.received / received_time:.0f} changes/s")

        _timed("sync with nothing new", lambda: sync_branch(branch, remote_url=None, at=AT, agent=agent))
        in_region = select(Customer.id).where(Customer.region == region)
        counted = select(func.count()).select_from(Call).where(Call.customer_id.in_(in_region))
        with head.unit_of_work() as uow:
            at_head = uow.sync.session.execute(counted).scalar_one()
        with branch.unit_of_work() as uow:
            at_branch = uow.sync.session.execute(counted).scalar_one()
            assert uow.sync.session.execute(select(SyncSite)).scalars().one().role == "branch"
        print(f"the region's calls at head office {at_head}, at the branch {at_branch}: "
              f"{'equal' if at_head == at_branch else 'DIFFERENT'}")
        branch.close()
        head.close()
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
