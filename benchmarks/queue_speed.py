"""The pending-SLA queue at 100,000 open requests: first page and scrolling, SQLite and PostgreSQL.

Builds the data set once (demo customers, then open requests with their steps, done
requests and open complaints, all bulk-loaded with fixed ids) and measures, at a fixed
clock (2026-11-24 10:30):

- the use case ``desk.use_cases.queue.load_queue``, one fresh unit of work per call: first page,
  next page by key, a page deep in the queue (after and before its key), the last page
  and filtered first pages; with the time of the repository's two parts (rows, counts);
- the real Textual screen (``DeskApp.run_test``): F2 to the first window on screen, and
  page down, end and home, each until its window is on screen.

    .venv/bin/python benchmarks/queue_speed.py --backend both
    .venv/bin/python benchmarks/queue_speed.py --db sqlite:///benchmarks/out/queue_100k.sqlite3 --runs 30
    .venv/bin/python benchmarks/queue_speed.py --backend postgresql --explain   # query plans too

The SQLite file goes to benchmarks/out/ (git-ignored), PostgreSQL to the database
desk_bench_queue on the server of --pg-url; both are kept, and a second run reuses them.
"""

# ruff: noqa: E402 - the path fix below has to come before the imports

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder is first on sys.path and its name hides the standard
# library's queue module, which Textual and SQLAlchemy import.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != _HERE]

import argparse
import asyncio
import random
import statistics
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.engine import make_url

from db.tables import Agent, Policy, RequestStep, ServicePeriod, SQLModel
from desk.demo.generator import generate_demo
from desk.rules.sla_status import SlaState
from desk.use_cases.database import Database, connect, open_database, upgrade_and_load
from desk.use_cases.queue import QueueFilter, load_queue

OUT = Path(__file__).resolve().parent / "out"
PG_DATABASE = "desk_bench_queue"
NOW = datetime(2026, 11, 24, 10, 30)
SEED = 20261124
BATCH = 10_000
NAMESPACE = uuid.UUID("6f1c1d7e-3b2a-4c55-9f0e-5a9d1b0e7c42")
AGENT_LOGIN = "agent01"

# service, request state, steps already done, the open step; weight (share of open requests)
OPEN_KINDS: list[tuple[str, str, tuple[str, ...], str, int]] = [
    ("smoking", "submitted", (), "booking", 30),
    ("escort", "submitted", (), "eligibility", 8),
    ("escort", "approved", ("eligibility",), "supplier_contact", 8),
    ("escort", "supplier_contacted", ("eligibility", "supplier_contact"), "booking", 8),
    ("escort", "booked", ("eligibility", "supplier_contact", "booking"), "escort", 4),
    ("admission", "submitted", (), "eligibility", 7),
    ("admission", "approved", ("eligibility",), "supplier_contact", 5),
    ("admission", "supplier_contacted", ("eligibility", "supplier_contact"), "arrangement", 7),
    ("advance_claim", "submitted", (), "decision", 14),
    ("advance_claim", "approved", ("decision",), "payment", 9),
]
# Closed requests: every step done. service, steps; weight
DONE_KINDS: list[tuple[str, tuple[str, ...], int]] = [
    ("smoking", ("booking",), 40),
    ("escort", ("eligibility", "supplier_contact", "booking", "escort"), 20),
    ("admission", ("eligibility", "supplier_contact", "arrangement"), 15),
    ("advance_claim", ("decision", "payment"), 25),
]
DETAILS = {
    "smoking": {"city": "北京市", "hospital": "中日友好医院", "preferred_date": "2026-12-01"},
    "escort": {"city": "上海市", "hospital": "瑞金医院", "department": "心内科", "suspected_illness": "S01"},
    "admission": {"city": "广州市", "hospital": "中山大学附属第一医院", "kind": "surgery"},
    "advance_claim": {"illness": "S01", "hospital": "北京协和医院", "claim_amount": 300_000},
}


# --- the data set ---------------------------------------------------------------------------


def sqlite_url(open_requests: int) -> str:
    name = f"{open_requests // 1000}k" if open_requests % 1000 == 0 else str(open_requests)
    return f"sqlite:///{OUT / f'queue_{name}.sqlite3'}"


def ensure_postgres(url: str) -> str:
    """The URL of that PostgreSQL database, created (empty) if the server lacks it."""
    target = make_url(url).set(drivername="postgresql+psycopg")
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database}
        ).first()
        if exists is None:
            connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()
    return target.render_as_string(hide_password=False)


def open_bench_database(url: str) -> Database:
    if url.startswith("sqlite"):
        OUT.mkdir(parents=True, exist_ok=True)
        return open_database(url)
    database = connect(url)
    upgrade_and_load(database)
    database.close()
    return open_database(url)


def open_steps(database: Database) -> int:
    with database.engine.connect() as connection:
        return connection.execute(
            select(func.count()).select_from(RequestStep).where(RequestStep.done_at.is_(None))
        ).scalar_one()


def _id(kind: str, index: int) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"{kind}:{index}")


def _minute(rng: random.Random, low: timedelta, high: timedelta) -> datetime:
    span = int((high - low).total_seconds() // 60)
    return NOW + low + timedelta(minutes=rng.randrange(span))


@dataclass
class _Rows:
    requests: list[dict[str, Any]]
    steps: list[dict[str, Any]]


def _request(number: str, request_id: uuid.UUID, policy: tuple, service: str, state: str,
             submitted: datetime) -> dict[str, Any]:
    policy_id, customer_id, period_id = policy
    return {
        "id": request_id, "number": number, "policy_id": policy_id, "service_period_id": period_id,
        "customer_id": customer_id, "service_code": service, "beneficiary_name": "",
        "channel": "hotline", "state": state, "submitted_at": submitted, "details": DETAILS[service],
    }


def _open_batch(batch: int, count: int, policies: list[tuple], agents: list[uuid.UUID]) -> _Rows:
    """Open requests batch*BATCH .. +count: one open step each, due -30..+30 days from NOW."""
    rng = random.Random(f"{SEED}:open:{batch}")
    weights = [k[4] for k in OPEN_KINDS]
    rows = _Rows([], [])
    for index in range(batch * BATCH, batch * BATCH + count):
        service, state, done, open_code, _w = rng.choices(OPEN_KINDS, weights)[0]
        due = _minute(rng, timedelta(days=-30), timedelta(days=30))
        # Started a little before it is due (steps run from hours to 30 calendar days), never after NOW.
        started = min(due - timedelta(hours=rng.randint(4, 30 * 24)), NOW - timedelta(minutes=rng.randint(5, 600)))
        request_id = _id("open-request", index)
        submitted = started - timedelta(hours=8 * len(done))
        rows.requests.append(_request(f"B{index:09d}", request_id, rng.choice(policies), service, state, submitted))
        at = submitted
        for n, code in enumerate(done):
            finished = at + timedelta(hours=rng.randint(1, 8))
            rows.steps.append({
                "id": _id(f"open-request-done-step-{n}", index), "request_id": request_id,
                "service_code": service, "step_code": code,
                "started_at": at, "due_at": at + timedelta(days=1), "done_at": finished,
                "assigned_to": rng.choice(agents),
            })
            at = finished
        # A third assigned to one of a handful of agents, the rest waiting for someone to take them.
        assigned = rng.choice(agents[:5]) if rng.random() < 0.3 else None
        rows.steps.append({
            "id": _id("open-step", index), "request_id": request_id, "service_code": service,
            "step_code": open_code,
            "started_at": started, "due_at": due, "done_at": None, "assigned_to": assigned,
        })
    return rows


def _done_batch(batch: int, policies: list[tuple], agents: list[uuid.UUID]) -> _Rows:
    """BATCH closed requests, every step done, over the last year."""
    rng = random.Random(f"{SEED}:done:{batch}")
    weights = [k[2] for k in DONE_KINDS]
    rows = _Rows([], [])
    for index in range(batch * BATCH, (batch + 1) * BATCH):
        service, codes, _w = rng.choices(DONE_KINDS, weights)[0]
        submitted = _minute(rng, timedelta(days=-365), timedelta(days=-35))
        request_id = _id("done-request", index)
        rows.requests.append(_request(f"C{index:09d}", request_id, rng.choice(policies), service, "done", submitted))
        at = submitted
        for n, code in enumerate(codes):
            due = at + timedelta(days=rng.randint(1, 3))
            finished = at + timedelta(hours=rng.randint(1, 80))
            rows.steps.append({
                "id": _id(f"done-step-{n}", index), "request_id": request_id, "service_code": service,
                "step_code": code,
                "started_at": at, "due_at": due, "done_at": finished, "assigned_to": rng.choice(agents),
            })
            at = finished
    return rows


def build(database: Database, *, open_requests: int, customers: int, done_steps: int, complaints: int,
          say: Callable[[str], None]) -> None:
    """Make sure the data set is there; resumes a run that was cut off (fixed ids, one batch a commit)."""
    if open_steps(database) >= open_requests:
        say(f"data set present ({open_steps(database):,} open steps), not rebuilt")
        return
    started = time.perf_counter()
    generate_demo(database, customers=customers, today=NOW.date(),
                  progress=lambda line: say(f"demo: {line}"))
    say(f"demo: {customers:,} customers in {time.perf_counter() - started:.1f} s")
    with database.unit_of_work() as uow:
        session = uow.policies.session
        policies = [tuple(r) for r in session.execute(
            select(Policy.id, Policy.insured_id, ServicePeriod.id)
            .join(ServicePeriod, ServicePeriod.policy_id == Policy.id)
            .order_by(Policy.policy_number, ServicePeriod.starts_on)
        ).all()]
        agents = sorted(session.execute(select(Agent.id).where(Agent.role == "agent")).scalars())
    say(f"{len(policies):,} policies, {len(agents)} agents")

    def load(kind: str, batch: int, rows: _Rows) -> None:
        with database.unit_of_work() as uow:
            if uow.requests.existing_ids([rows.requests[0]["id"]]):
                return
            uow.requests.bulk_load(rows.requests)
            uow.request_steps.bulk_load(rows.steps)
            uow.commit()
        say(f"{kind} batch {batch}: {len(rows.requests):,} requests, {len(rows.steps):,} steps "
            f"({time.perf_counter() - started:.1f} s)")

    done_so_far = 0
    for batch in range((open_requests + BATCH - 1) // BATCH):
        rows = _open_batch(batch, min(BATCH, open_requests - batch * BATCH), policies, agents)
        done_so_far += sum(1 for s in rows.steps if s["done_at"] is not None)
        load("open", batch, rows)
    batch = 0
    while done_so_far < done_steps:
        rows = _done_batch(batch, policies, agents)
        done_so_far += len(rows.steps)
        load("done", batch, rows)
        batch += 1
    rng = random.Random(f"{SEED}:complaints")
    complaint_rows = []
    for index in range(complaints):
        due = _minute(rng, timedelta(days=-30), timedelta(days=30))
        _policy, customer_id, _period = rng.choice(policies)
        complaint_rows.append({
            "id": _id("complaint", index), "customer_id": customer_id, "received_at": due - timedelta(days=15),
            "summary": "预约反馈太慢", "due_at": due, "state": "open",
            "assigned_to": rng.choice(agents[:5]) if rng.random() < 0.3 else None,
        })
    with database.unit_of_work() as uow:
        if complaint_rows and not uow.complaints.existing_ids([complaint_rows[0]["id"]]):
            uow.complaints.bulk_load(complaint_rows)
            uow.commit()
    analyze(database)
    say(f"data set built in {time.perf_counter() - started:.1f} s")


def analyze(database: Database) -> None:
    """Planner statistics on both backends (PostgreSQL: VACUUM too, as autovacuum would)."""
    engine = database.engine
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    else:
        with engine.connect() as connection:
            connection.execute(text("ANALYZE"))
            connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
            connection.commit()


def table_sizes(database: Database) -> dict[str, int]:
    with database.engine.connect() as connection:
        sizes = {
            table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
            for table in SQLModel.metadata.sorted_tables
        }
        sizes["request_step (open)"] = connection.execute(
            select(func.count()).select_from(RequestStep).where(RequestStep.done_at.is_(None))
        ).scalar_one()
        sizes["complaint (open)"] = connection.execute(
            text("SELECT count(*) FROM complaint WHERE state = 'open'")
        ).scalar_one()
    return sizes


# --- the use case -----------------------------------------------------------------------------


def _stats(times: list[float]) -> tuple[float, float]:
    if len(times) < 2:
        return times[0], times[0]
    return statistics.median(times), statistics.quantiles(times, n=20, method="inclusive")[-1]


def deep_key(database: Database, position: int) -> Any:
    """The key of the open step ``position`` rows into the queue (complaints aside)."""
    with database.unit_of_work() as uow:
        row = uow.queue.session.execute(
            select(RequestStep.due_at, RequestStep.id)
            .where(RequestStep.done_at.is_(None), RequestStep.due_at.is_not(None))
            .order_by(RequestStep.due_at, RequestStep.id).offset(position).limit(1)
        ).one()
    return (row[0], row[1])


def agent_id(database: Database) -> uuid.UUID | None:
    with database.unit_of_work() as uow:
        agent = uow.agents.by_login(AGENT_LOGIN)
        return agent.id if agent is not None else None


def cases(database: Database) -> list[tuple[str, dict[str, Any]]]:
    with database.unit_of_work() as uow:
        first = load_queue(uow, NOW, size=50)
    position = min(50_000, open_steps(database) // 2)
    deep = deep_key(database, position)
    return [
        ("first page, 50 rows", {"size": 50}),
        ("first page, 20 rows", {"size": 20}),
        # Scrolling keeps the counts and calendar of the page on screen, as the screen does.
        ("next page (after key)", {"size": 50, "direction": "after", "key": first.items[-1].key,
                                   "previous": first}),
        (f"deep page (after row {position:,})", {"size": 50, "direction": "after", "key": deep,
                                                  "previous": first}),
        (f"page up (before row {position:,})", {"size": 50, "direction": "before", "key": deep,
                                                 "previous": first}),
        ("last page", {"size": 50, "direction": "last", "previous": first}),
        ("filter: overdue", {"size": 50, "filter": QueueFilter(state=SlaState.OVERDUE)}),
        ("filter: due soon", {"size": 50, "filter": QueueFilter(state=SlaState.DUE_SOON)}),
        ("filter: smoking", {"size": 50, "filter": QueueFilter(service="smoking")}),
        ("filter: step booking", {"size": 50, "filter": QueueFilter(step="booking")}),
        ("filter: unassigned", {"size": 50, "filter": QueueFilter(agent="unassigned")}),
        ("filter: mine", {"size": 50, "filter": QueueFilter(agent="mine")}),
        ("filter: overdue+smoking+unassigned",
         {"size": 50, "filter": QueueFilter(service="smoking", agent="unassigned", state=SlaState.OVERDUE)}),
    ]


@contextmanager
def timed_parts(database: Database) -> Iterator[dict[str, float]]:
    """Time the queue repository's window() and counts() inside load_queue."""
    from db.repositories.queue import QueueRepository

    spent = {"window": 0.0, "counts": 0.0}
    originals = {name: getattr(QueueRepository, name) for name in spent}

    def wrap(name: str) -> Callable[..., Any]:
        original = originals[name]

        def timed(self: Any, *args: Any, **kwargs: Any) -> Any:
            begun = time.perf_counter()
            try:
                return original(self, *args, **kwargs)
            finally:
                spent[name] += (time.perf_counter() - begun) * 1000

        return timed

    for name in spent:
        setattr(QueueRepository, name, wrap(name))
    try:
        yield spent
    finally:
        for name, original in originals.items():
            setattr(QueueRepository, name, original)


def run_case(database: Database, me: uuid.UUID | None, args: dict[str, Any]) -> int:
    with database.unit_of_work() as uow:
        page = load_queue(uow, NOW, args.get("filter", QueueFilter()), agent_id=me, size=args["size"],
                          direction=args.get("direction", "from"), key=args.get("key"),
                          previous=args.get("previous"))
    return len(page.items)


def measure_use_case(database: Database, runs: int) -> list[tuple[str, float, float, float, float, int]]:
    me = agent_id(database)
    results = []
    for name, args in cases(database):
        run_case(database, me, args)  # warm: the calendar, statement caches
        totals, windows, counts = [], [], []
        rows = 0
        for _ in range(runs):
            with timed_parts(database) as spent:
                begun = time.perf_counter()
                rows = run_case(database, me, args)
                totals.append((time.perf_counter() - begun) * 1000)
            windows.append(spent["window"])
            counts.append(spent["counts"])
        median, p95 = _stats(totals)
        results.append((name, median, p95, statistics.median(windows), statistics.median(counts), rows))
    return results


def explain(database: Database) -> None:
    """Print the plan of every statement one load_queue sends, per case."""
    me = agent_id(database)
    engine = database.engine
    postgres = engine.dialect.name == "postgresql"
    for name, args in cases(database):
        sent: list[tuple[str, Any]] = []

        def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool,
                    sent: list[tuple[str, Any]] = sent) -> None:
            if statement.lstrip().upper().startswith("SELECT") and "calendar_day" not in statement:
                sent.append((statement, parameters))

        event.listen(engine, "before_cursor_execute", capture)
        try:
            run_case(database, me, args)
        finally:
            event.remove(engine, "before_cursor_execute", capture)
        print(f"\n=== {name}")
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            for statement, parameters in sent:
                print("--- " + " ".join(statement.split())[:400])
                prefix = "EXPLAIN (ANALYZE, BUFFERS) " if postgres else "EXPLAIN QUERY PLAN "
                cursor.execute(prefix + statement, parameters)
                for row in cursor.fetchall():
                    print("    " + (row[0] if postgres else f"{row[0]:>3} {row[1]:>3} {row[3]}"))
        finally:
            raw.close()


# --- the screen -------------------------------------------------------------------------------


async def _until(condition: Callable[[], bool], limit: float = 30.0) -> None:
    deadline = time.perf_counter() + limit
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("the queue window did not arrive")
        await asyncio.sleep(0.0005)


async def _screen_run(url: str, size: tuple[int, int], runs: int) -> dict[str, list[float]]:
    """Keys go in as the terminal driver sends them (``App.simulate_key``), not through
    ``Pilot.press``, whose idle waits (20 ms sleeps until the process is idle) would be counted.

    Each figure runs from the key to its window in the table (the screen's ``window_shown``),
    plus the screen processing what that queued (layout, repaint): ``Pilot._wait_for_screen``.
    """
    from screens.app import DeskApp
    from screens.queue import QueueScreen

    # The screen re-reads its window every few seconds; a timer firing mid-measurement would
    # be counted against the key that happened to be pressed.
    QueueScreen.REFRESH_SECONDS = 3600.0
    app = DeskApp(database_url=url, clock=lambda: NOW, agent_login=AGENT_LOGIN)
    times: dict[str, list[float]] = {"F2, first open": [], "F2 to first window": [], "page down": [],
                                     "end (last window)": [], "home (first window)": [], "rows in window": []}
    async with app.run_test(size=size) as pilot:
        await _until(lambda: app.database is not None)
        await pilot.pause()

        async def timed_open(into: str) -> QueueScreen:
            before = app.screen
            begun = time.perf_counter()
            app.simulate_key("f2")
            await _until(lambda: isinstance(app.screen, QueueScreen) and app.screen is not before
                         and app.screen.window_shown and app.screen.page is not None)
            await pilot._wait_for_screen()
            times[into].append((time.perf_counter() - begun) * 1000)
            return app.screen  # type: ignore[return-value]

        async def timed_key(screen: QueueScreen, key: str, into: str) -> None:
            asked = screen._request_serial
            begun = time.perf_counter()
            app.simulate_key(key)
            await _until(lambda: screen._request_serial > asked and screen.window_shown)
            await pilot._wait_for_screen()
            times[into].append((time.perf_counter() - begun) * 1000)

        screen = await timed_open("F2, first open")
        for _ in range(runs):
            app.simulate_key("escape")
            await _until(lambda: not isinstance(app.screen, QueueScreen))
            await pilot.pause()
            screen = await timed_open("F2 to first window")
        times["rows in window"].append(len(screen.items))
        for _ in range(max(1, runs // 10)):
            await timed_key(screen, "home", "home (first window)")
            first = screen.items[0].key
            for _ in range(20):
                await timed_key(screen, "pagedown", "page down")
            assert screen.items[0].key > first, "page down did not move the window"
        for _ in range(runs):
            await timed_key(screen, "end", "end (last window)")
            await timed_key(screen, "home", "home (first window)")
    return times


def measure_screen(url: str, size: tuple[int, int], runs: int) -> dict[str, list[float]]:
    return asyncio.run(_screen_run(url, size, runs))


# --- main ---------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", action="append", default=[], metavar="URL",
                        help="a database to build and measure (repeatable); default: --backend")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/postgres",
                        help=f"the server for --backend; the database is {PG_DATABASE}")
    parser.add_argument("--open", type=int, default=100_000, dest="open_requests", metavar="N",
                        help="open requests added beside the demo's")
    parser.add_argument("--customers", type=int, default=20_000, metavar="M")
    parser.add_argument("--done-steps", type=int, default=200_000)
    parser.add_argument("--complaints", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--skip-screen", action="store_true", help="only the use case")
    parser.add_argument("--explain", action="store_true", help="print each case's query plans")
    args = parser.parse_args(argv)

    urls = list(args.db)
    if not urls:
        if args.backend in ("sqlite", "both"):
            urls.append(sqlite_url(args.open_requests))
        if args.backend in ("postgresql", "both"):
            urls.append(make_url(args.pg_url).set(database=PG_DATABASE).render_as_string(hide_password=False))
    for url in urls:
        if url.startswith("postgresql"):
            url = ensure_postgres(url)
        database = open_bench_database(url)
        label = f"{database.engine.dialect.name} {database.label}"

        def say(line: str, label: str = label) -> None:
            print(f"[{label}] {line}", flush=True)

        build(database, open_requests=args.open_requests, customers=args.customers,
              done_steps=args.done_steps, complaints=args.complaints, say=say)
        print(f"\n{label}: rows per table")
        for table, rows in table_sizes(database).items():
            if rows:
                print(f"  {table:<22} {rows:>10,}")
        if args.explain:
            explain(database)
            database.close()
            continue

        print(f"\n{label}: use case load_queue, {args.runs} runs, fresh unit of work each (ms)")
        print(f"  {'case':<36} {'median':>7} {'p95':>7} {'rows q':>7} {'counts q':>8} {'items':>6}")
        for name, median, p95, window, counts, rows in measure_use_case(database, args.runs):
            print(f"  {name:<36} {median:>7.1f} {p95:>7.1f} {window:>7.1f} {counts:>8.1f} {rows:>6}", flush=True)
        database.close()
        if args.skip_screen:
            continue
        for size in ((80, 24), (160, 48)):
            times = measure_screen(url, size, args.runs)
            rows = times.pop("rows in window")[0]
            print(f"\n{label}: queue screen {size[0]}x{size[1]} ({rows} rows a window), ms")
            print(f"  {'action':<24} {'n':>4} {'median':>7} {'p95':>7} {'max':>7}")
            for action, samples in times.items():
                median, p95 = _stats(samples)
                print(f"  {action:<24} {len(samples):>4} {median:>7.1f} {p95:>7.1f} {max(samples):>7.1f}",
                      flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
