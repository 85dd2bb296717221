"""Generate the demo data set into a fresh database and report time and size.

    .venv/bin/python benchmarks/generate_demo.py --customers 1000000 --backend both

SQLite goes to benchmarks/out/demo_<N>.sqlite3 (demo_1m.sqlite3 for a million), PostgreSQL
to the database desk_bench_demo on the server of --pg-url; both are replaced if present
and kept afterwards, for the search benchmarks.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from db.tables import SQLModel
from desk.demo.generator import generate_demo
from desk.use_cases.database import open_database

OUT = Path(__file__).resolve().parent / "out"
PG_DATABASE = "desk_bench_demo"


def sqlite_path(customers: int) -> Path:
    name = "1m" if customers == 1_000_000 else str(customers)
    return OUT / f"demo_{name}.sqlite3"


def fresh_sqlite(customers: int) -> tuple[str, Path]:
    OUT.mkdir(parents=True, exist_ok=True)
    path = sqlite_path(customers)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}", path


def fresh_postgres(pg_url: str) -> str:
    admin_url = make_url(pg_url).set(drivername="postgresql+psycopg")
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{PG_DATABASE}"'))
    admin.dispose()
    return admin_url.set(database=PG_DATABASE).render_as_string(hide_password=False)


def run(backend: str, customers: int, pg_url: str) -> None:
    if backend == "sqlite":
        url, path = fresh_sqlite(customers)
    else:
        url, path = fresh_postgres(pg_url), None
    database = open_database(url, auto_upgrade=True)
    started = time.perf_counter()
    last = [started]

    def progress(line: str) -> None:
        now = time.perf_counter()
        print(f"  [{now - started:7.1f} s, batch {now - last[0]:5.1f} s] {line}", flush=True)
        last[0] = now

    report = generate_demo(database, customers=customers, progress=progress)
    elapsed = time.perf_counter() - started
    print(f"{backend}: {report.summary()}")
    print(f"{backend}: generated {customers} customers in {elapsed:.1f} s ({elapsed / 60:.1f} min)")
    with database.engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            rows = connection.execute(select(func.count()).select_from(table)).scalar_one()
            print(f"  {table.name:<16} {rows:>10,}")
        if path is None:
            size = connection.execute(text("SELECT pg_database_size(current_database())")).scalar_one()
        else:
            connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
            size = sum(
                Path(f"{path}{suffix}").stat().st_size
                for suffix in ("", "-wal")
                if Path(f"{path}{suffix}").exists()
            )
    where = path if path is not None else f"PostgreSQL database {PG_DATABASE}"
    print(f"{backend}: database size {size / 2**20:,.0f} MiB ({where})", flush=True)
    database.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args(argv)
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    for backend in backends:
        run(backend, args.customers, args.pg_url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
