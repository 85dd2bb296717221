"""A scratch PostgreSQL database for one benchmark run: made empty on the server of a
given URL, dropped at the end (benchmarks/pg_filings.py, benchmarks/fault_probes.py)."""

from __future__ import annotations

import uuid


def _admin(pg_url: str):
    # Imported here: fault_probes times desk's start in other processes before it needs these.
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    return create_engine(make_url(pg_url).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")


def create_scratch_database(pg_url: str, prefix: str) -> tuple[str, str]:
    """A new, empty database named ``<prefix>_<random>`` on the server of ``pg_url``: (its URL, its name)."""
    from sqlalchemy import text

    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = _admin(pg_url)
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        return admin.url.set(database=name).render_as_string(hide_password=False), name
    finally:
        admin.dispose()


def drop_scratch_database(pg_url: str, name: str) -> None:
    from sqlalchemy import text

    admin = _admin(pg_url)
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()
