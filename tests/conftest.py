"""Fixtures: a real database for every repository test, SQLite and PostgreSQL alike.

PostgreSQL comes from ``DESK_TEST_PG_URL`` (default: the local server, user postgres).
CI sets ``DESK_REQUIRE_PG=1`` so an unreachable server fails the run instead of
skipping half the suite.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from desk.use_cases.database import Database, open_database
from desk.use_cases.reference_data import load_reference_data

PG_URL = os.environ.get("DESK_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REQUIRE_PG = os.environ.get("DESK_REQUIRE_PG", "") not in {"", "0"}


@pytest.fixture(autouse=True)
def _no_user_database(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test ever opens the developer's own embedded database."""
    home = tmp_path_factory.getbasetemp() / "xdg"
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    monkeypatch.delenv("DESK_DATABASE_URL", raising=False)
    # Nor signs in as whoever runs the tests: each CLI test says who it is.
    monkeypatch.delenv("DESK_AGENT", raising=False)
    monkeypatch.delenv("DESK_PASSWORD", raising=False)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file, copied for each test: migrating per test is slow."""
    path = tmp_path_factory.mktemp("template") / "desk.sqlite3"
    database = open_database(f"sqlite:///{path}")
    database.close()
    return path


@pytest.fixture(scope="session")
def pg_database_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, dropped at the end."""
    admin_url = make_url(PG_URL).set(drivername="postgresql+psycopg")
    name = f"desk_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # noqa: BLE001 - any failure to reach the server
        admin.dispose()
        message = f"PostgreSQL at {admin_url.render_as_string(hide_password=True)} unreachable: {error}"
        if REQUIRE_PG:
            pytest.fail(message)
        pytest.skip(message)
    url = admin_url.set(database=name).render_as_string(hide_password=False)
    database = open_database(url, auto_upgrade=True)
    database.close()
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _empty_postgres(database: Database) -> None:
    with database.engine.begin() as connection:
        tables = connection.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'")
        ).scalars().all()
        connection.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " CASCADE"))
    load_reference_data(database)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty, migrated database with reference data, on each backend."""
    if request.param == "sqlite":
        path = tmp_path / "desk.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("pg_database_url")
    database = open_database(url)
    _empty_postgres(database)
    database.close()
    return url


@pytest.fixture
def empty_pg_url(pg_database_url: str) -> str:
    """This session's PostgreSQL database, emptied, with reference data: head office."""
    database = open_database(pg_database_url)
    _empty_postgres(database)
    database.close()
    return pg_database_url


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    database = open_database(database_url)
    yield database
    database.close()


@pytest.fixture
def migrated_sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    """An embedded database, migrated and with reference data, of this test's own."""
    path = tmp_path / "desk.sqlite3"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A path for a brand-new embedded database (not yet created)."""
    return f"sqlite:///{tmp_path / 'fresh.sqlite3'}"


@pytest.fixture
def callers_url(database_url: str) -> str:
    """A database with the fixed cast of callers (tests/callers.py)."""
    from tests.callers import add_callers

    database = open_database(database_url)
    add_callers(database)
    database.close()
    return database_url


@pytest.fixture
def cast(database: Database) -> Database:
    """The fixed cast of tests/callers.py on each backend."""
    from tests.callers import add_callers

    add_callers(database)
    return database
