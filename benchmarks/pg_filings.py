"""Many agents on one PostgreSQL (issue #13): twenty desks filing requests at once.

Makes a fresh database on the server of --pg-url (desk_bench_<random>, dropped at the
end), migrates it and loads the reference data (``open_database(url, auto_upgrade=True)``),
adds --customers demo customers (``desk.demo.generator.generate_demo``), then runs --agents
threads for --seconds, each with its own engine as a desk process has. Each agent files,
at the clock's time:

- half of the time a smoking-clinic booking (12 a service year) and a tenth of the time an
  escort (1 a year) for one of --shared policies, which every agent files for: contention
  on the same service years and their quotas; a smoking booking filed is then booked
  (counted) most of the time, and now and then withdrawn early enough to be refunded;
- the rest of the time a real-time, unlimited service for any active policy.

Prints filings/s sustained, p50/p95 latency per filing, the refusals by the quota rule, the
most connections the desks held, and the check that matters: for every service year and
limited service, counted uses minus refunds in ``usage_event`` never exceed the quota
("double uses: 0").

    .venv/bin/python benchmarks/pg_filings.py
    .venv/bin/python benchmarks/pg_filings.py --agents 20 --seconds 20 --customers 500 --shared 5

Runs on demand, not in CI.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from scratch_database import create_scratch_database, drop_scratch_database  # beside this script
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from desk.demo.generator import generate_demo
from desk.errors import DatabaseFailure, DeskError
from desk.rules.catalogue import benefit
from desk.rules.eligibility import Refusal, green_channel_illness
from desk.rules.request_states import RequestState
from desk.use_cases.clock import china_now
from desk.use_cases.database import Database, open_database
from desk.use_cases.requests import NewRequest, RequestRefused, file_request, move_request

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
# Real-time services without a quota, with details their rules accept.
UNLIMITED = (
    ("psych", {"scales": ["SCL-90"]}),
    ("ai_consult", {"note": "头痛咨询"}),
)


@dataclass(frozen=True)
class Policies:
    shared: list[tuple[uuid.UUID, str]]  # (policy id, a severe illness on its list)
    everyone: list[uuid.UUID]


@dataclass
class Tally:
    """What one agent saw; merged at the end."""

    latencies: list[float] = field(default_factory=list)  # seconds per filing
    move_latencies: list[float] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)


def active_policies(database: Database, shared: int) -> Policies:
    """Active policies in their service year today; the first ``shared`` with a severe
    illness on their list, for the green channel."""
    today = china_now().date()
    with database.engine.connect() as connection:
        found = connection.execute(
            text(
                "SELECT p.id, p.illness_list FROM policy p JOIN service_period s ON s.policy_id = p.id "
                "WHERE p.status = 'active' AND s.starts_on <= :today AND :today < s.ends_on "
                "ORDER BY p.policy_number"
            ),
            {"today": today},
        ).all()
    with database.unit_of_work() as uow:
        severe = {
            name: next(i.code for i in uow.illnesses.of_list(name) if green_channel_illness(i.severity))
            for name in {illness_list for _, illness_list in found}
        }
    if len(found) < shared:
        raise SystemExit(f"only {len(found)} active policies: ask for more --customers")
    return Policies([(pid, severe[name]) for pid, name in found[:shared]], [pid for pid, _ in found])


def agent(url: str, seed: int, policies: Policies, start: threading.Barrier, seconds: float,
          tally: Tally) -> None:
    rng = random.Random(seed)
    database = open_database(url)  # its own engine and pool, like another desk process
    try:
        start.wait()
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            new, kind = next_filing(rng, policies)
            began = time.perf_counter()
            try:
                with database.unit_of_work() as uow:
                    filed = file_request(uow, new, agent_id=None, at=china_now())
                outcome = "filed"
            except RequestRefused as refused:
                filed = None
                quota = refused.decision.refusal is Refusal.QUOTA_USED_UP
                outcome = "refused by quota" if quota else f"refused: {refused.decision.refusal}"
            except DatabaseFailure as failure:
                filed = None
                outcome = f"database {failure.kind}{constraint_of(failure)}"
            except DeskError as error:
                filed = None
                outcome = f"refused: {type(error).__name__} {error}"
            tally.latencies.append(time.perf_counter() - began)
            tally.outcomes[f"{kind} {outcome}"] += 1
            if filed is not None and new.service_code == "smoking" and rng.random() < 0.7:
                book_and_maybe_withdraw(database, filed.request_id, rng, tally)
    finally:
        database.close()


def next_filing(rng: random.Random, policies: Policies) -> tuple[NewRequest, str]:
    draw = rng.random()
    if draw < 0.5:
        policy_id, _ = rng.choice(policies.shared)
        return NewRequest(policy_id, "smoking"), "limited"
    if draw < 0.6:
        policy_id, illness = rng.choice(policies.shared)
        return NewRequest(policy_id, "escort", suspected_illness=illness), "limited"
    code, details = rng.choice(UNLIMITED)
    return NewRequest(rng.choice(policies.everyone), code, details=details), "unlimited"


def constraint_of(failure: DatabaseFailure) -> str:
    """The constraint a conflict broke, from the driver error the failure was made from."""
    original = getattr(failure.__context__, "orig", None)
    name = getattr(getattr(original, "diag", None), "constraint_name", None)
    return f" ({name})" if name else ""


def book_and_maybe_withdraw(database: Database, request_id: uuid.UUID, rng: random.Random,
                            tally: Tally) -> None:
    """Book it (a counted use); one time in five the customer withdraws at once, more than
    two working days before the visit, and the use is given back."""
    now = china_now()
    visit = datetime.combine(now.date() + timedelta(days=14), datetime.min.time()) + timedelta(hours=9)
    moves: list[tuple[RequestState, dict, str]] = [(RequestState.BOOKED, {"visit_at": visit.isoformat()}, "")]
    if rng.random() < 0.2:
        moves.append((RequestState.CANCELLED, {"by": "customer"}, "客户改期"))
    for to, data, reason in moves:
        began = time.perf_counter()
        try:
            with database.unit_of_work() as uow:
                move_request(uow, request_id, to, agent_id=None, at=china_now(), data=data, reason=reason)
            outcome = f"moved to {to}"
        except DeskError as error:
            outcome = f"move to {to} failed: {type(error).__name__}"
        tally.move_latencies.append(time.perf_counter() - began)
        tally.outcomes[outcome] += 1


def watch_connections(url: str, stop: threading.Event, most: list[int]) -> None:
    """The most server connections the desks held at once, sampled every 100 ms."""
    name = make_url(url).database
    engine = create_engine(make_url(url), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        while not stop.wait(0.1):
            held = connection.execute(
                text("SELECT count(*) FROM pg_stat_activity WHERE datname = :name AND application_name = 'desk'"),
                {"name": name},
            ).scalar_one()
            most[0] = max(most[0], held)
    engine.dispose()


def double_uses(database: Database) -> tuple[int, int]:
    """(service years and services checked, uses beyond the quota over all of them)."""
    with database.engine.connect() as connection:
        nets = connection.execute(
            text(
                "SELECT service_period_id, service_code, "
                "sum(CASE kind WHEN 'counted' THEN 1 WHEN 'refunded' THEN -1 ELSE 0 END) "
                "FROM usage_event GROUP BY service_period_id, service_code"
            )
        ).all()
    checked = beyond = 0
    for _period, code, net in nets:
        quota = benefit(code).quota_per_year
        if quota is None:
            continue
        checked += 1
        beyond += max(0, int(net) - quota)
    return checked, beyond


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def run(pg_url: str, customers: int, agents: int, seconds: float, shared: int, seed: int,
        capture: bool = False) -> int:
    url, name = create_scratch_database(pg_url, "desk_bench")
    print(f"database {name}", flush=True)
    try:
        database = open_database(url, auto_upgrade=True)
        began = time.perf_counter()
        generate_demo(database, customers=customers)
        if capture:
            # Head office once a branch syncs with it: every write also goes into the
            # change log (migration 0008's triggers), in the same transaction.
            from db.tables import SyncSite

            with database.unit_of_work() as uow:
                uow.sync.save_site(SyncSite(role="head", remote_url="", scope={}))
                uow.commit()
            print("change log on (head office of branches)", flush=True)
        policies = active_policies(database, shared)
        print(f"{customers} demo customers in {time.perf_counter() - began:.1f} s; "
              f"{len(policies.everyone)} active policies, {shared} shared by every agent", flush=True)

        database.engine.dispose()  # the connections counted below are the agents' alone
        tallies = [Tally() for _ in range(agents)]
        start = threading.Barrier(agents + 1)
        threads = [
            threading.Thread(target=agent, args=(url, seed * 1000 + i, policies, start, seconds, tallies[i]))
            for i in range(agents)
        ]
        stop, most = threading.Event(), [0]
        watcher = threading.Thread(target=watch_connections, args=(url, stop, most))
        for thread in threads:
            thread.start()
        watcher.start()
        start.wait()
        started = time.perf_counter()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        stop.set()
        watcher.join()

        latencies = [s for t in tallies for s in t.latencies]
        moves = [s for t in tallies for s in t.move_latencies]
        outcomes: Counter[str] = sum((t.outcomes for t in tallies), Counter())
        filed = sum(n for k, n in outcomes.items() if k.endswith(" filed"))
        quota = sum(n for k, n in outcomes.items() if k.endswith("refused by quota"))
        print(f"{agents} agents for {elapsed:.1f} s: {len(latencies)} filings, "
              f"{len(latencies) / elapsed:.1f} filings/s sustained ({filed / elapsed:.1f} filed/s)")
        print(f"latency per filing: p50 {percentile(latencies, 0.5) * 1000:.1f} ms, "
              f"p95 {percentile(latencies, 0.95) * 1000:.1f} ms, max {max(latencies) * 1000:.1f} ms, "
              f"mean {statistics.fmean(latencies) * 1000:.1f} ms")
        if moves:
            print(f"latency per move (book, withdraw): p50 {percentile(moves, 0.5) * 1000:.1f} ms, "
                  f"p95 {percentile(moves, 0.95) * 1000:.1f} ms ({len(moves)} moves)")
        print(f"filed: {filed}; refused by quota: {quota}")
        for outcome, count in sorted(outcomes.items()):
            print(f"  {outcome:<40} {count:>7}")
        print(f"most connections held by the {agents} desks at once: {most[0]}")
        checked, beyond = double_uses(database)
        print(f"service years x limited services checked: {checked}")
        print(f"double uses: {beyond}")
        database.close()
        return 1 if beyond else 0
    finally:
        drop_scratch_database(pg_url, name)
        print(f"database {name} dropped")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL, help="any database on the server (default: %(default)s)")
    parser.add_argument("--customers", type=int, default=500)
    parser.add_argument("--agents", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--shared", type=int, default=5, help="policies every agent files limited services for")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--capture", action="store_true",
                        help="as head office of branch offices: every write also recorded in the change log")
    args = parser.parse_args(argv)
    return run(args.pg_url, args.customers, args.agents, args.seconds, args.shared, args.seed, args.capture)


if __name__ == "__main__":
    sys.exit(main())
