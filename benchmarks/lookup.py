"""Lookup speed: median and p95 from query to results, for each kind of search.

Runs against a database that already holds the demo data (see generate_demo.py), the
way the lookup screen does it: one unit of work per query, ``find_customers`` with the
screen's limit. Queries are drawn from real rows so every one has answers.

    .venv/bin/python benchmarks/lookup.py --db sqlite:///benchmarks/out/demo_1m.sqlite3
    .venv/bin/python benchmarks/lookup.py --db postgresql://postgres@127.0.0.1:5432/desk_bench_demo
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from sqlalchemy import func, select

from db.tables import Customer, Policy
from desk.use_cases.database import open_database
from desk.use_cases.lookup import RESULT_LIMIT, find_customers


def _sample(database, count: int, seed: int) -> tuple[list[Customer], list[str]]:
    rng = random.Random(seed)
    with database.unit_of_work() as uow:
        session = uow.customers.session
        total = session.execute(select(func.count()).select_from(Customer)).scalar_one()
        offsets = sorted(rng.randrange(total) for _ in range(count))
        customers = [
            session.execute(select(Customer).offset(offset).limit(1)).scalar_one() for offset in offsets
        ]
        numbers = [
            session.execute(select(Policy.policy_number).offset(rng.randrange(total)).limit(1)).scalar_one()
            for _ in range(count)
        ]
    return customers, numbers


def _queries(customers: list[Customer], numbers: list[str]) -> dict[str, list[str]]:
    return {
        "name (characters)": [c.name for c in customers],
        "surname prefix": [c.name[:1] for c in customers],
        "full pinyin": [c.name_pinyin for c in customers],
        "pinyin initials": [c.name_initials for c in customers],
        "mobile (full)": [c.mobile for c in customers],
        "mobile last 4": [c.mobile[-4:] for c in customers],
        "ID number (full)": [c.id_number for c in customers],
        "ID last 4": [c.id_number[-4:] for c in customers],
        "ID last 6": [c.id_number[-6:] for c in customers],
        "policy number": numbers,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--queries", type=int, default=200, help="queries per kind")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    database = open_database(args.db)
    with database.unit_of_work() as uow:
        total = uow.customers.count()
    customers, numbers = _sample(database, args.queries, args.seed)
    print(f"{database.label}: {total:,} customers, {args.queries} queries per kind")
    print(f"{'search kind':<20} {'median ms':>10} {'p95 ms':>8} {'max ms':>8} {'avg hits':>9}")
    for kind, queries in _queries(customers, numbers).items():
        times, hits = [], []
        for query in queries:
            started = time.perf_counter()
            with database.unit_of_work() as uow:
                found = find_customers(uow, query, limit=RESULT_LIMIT + 1)
            times.append((time.perf_counter() - started) * 1000)
            hits.append(len(found))
        p95 = statistics.quantiles(times, n=20)[-1]
        print(f"{kind:<20} {statistics.median(times):>10.2f} {p95:>8.2f} {max(times):>8.2f} {statistics.mean(hits):>9.1f}")
    database.close()


if __name__ == "__main__":
    main()
