"""A hundred agents on one PostgreSQL (issue #13): many desks filing at once, each with its
own small pool, and settings that hold behind a transaction-mode pooler (PgBouncer)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import exc, text
from sqlalchemy.engine import make_url

import db.engines
from db.faults import fault_kind
from desk.use_cases.database import open_database
from desk.use_cases.requests import RequestRefused
from tests.many_desks import (
    AGENTS,
    FILED_ONCE,
    ZHANG,
    all_but_the_last_booked,
    assert_the_last_use_counted_once,
    at_once,
    closing,
    file_smoking,
    slow_counting,
)


def _url(database) -> str:
    return database.engine.url.render_as_string(hide_password=False)


def _postgres_only(database) -> None:
    if database.is_embedded:
        pytest.skip("PostgreSQL's pool and session settings")


def test_twenty_desks_filing_the_last_smoking_booking_at_once_file_it_once(cast, monkeypatch):
    policy_id = all_but_the_last_booked(cast)
    slow_counting(monkeypatch)
    barrier = threading.Barrier(AGENTS)
    outcomes: list[str] = []

    def agent(database) -> None:
        barrier.wait()
        try:
            file_smoking(database, policy_id)
            outcomes.append("filed")
        except RequestRefused as refused:
            outcomes.append("refused" if "12 次已用完" in str(refused) else f"refused: {refused}")
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            outcomes.append(f"{type(error).__name__}: {error}")

    with closing([open_database(_url(cast)) for _ in range(AGENTS)]) as desks:  # 20 processes, 20 engines
        at_once(agent, [(database,) for database in desks], timeout=60)
    assert sorted(outcomes) == FILED_ONCE, outcomes
    assert_the_last_use_counted_once(cast)


def test_the_timeouts_hold_for_one_transaction_and_leave_the_connection_clean(database):
    _postgres_only(database)
    engine = database.engine
    with database.unit_of_work() as uow:
        connection = uow.policies.session.connection()
        assert connection.execute(text("SHOW lock_timeout")).scalar() == "5s"
        assert connection.execute(text("SHOW statement_timeout")).scalar() == "30s"
        backend = connection.connection.driver_connection.info.backend_pid
    # The same server connection, back in the pool, outside any transaction: the server's
    # defaults, as a transaction-mode pooler must find it before handing it to another client.
    raw = engine.raw_connection()
    try:
        driver = raw.driver_connection
        assert driver.info.backend_pid == backend
        driver.autocommit = True
        with driver.cursor() as cursor:
            assert cursor.execute("SHOW lock_timeout").fetchone() == ("0",)
            assert cursor.execute("SHOW statement_timeout").fetchone() == ("0",)
        driver.autocommit = False
    finally:
        raw.close()


def test_no_statement_is_prepared_on_the_server(database):
    # A named prepared statement lives on one server connection; behind a transaction-mode
    # pooler the next transaction may run on another, where it does not exist.
    _postgres_only(database)
    with database.unit_of_work() as uow:
        for _ in range(10):  # psycopg's default prepares a query on its 5th run
            uow.policies.by_number(ZHANG)
        connection = uow.policies.session.connection()
        prepared = connection.execute(text("SELECT count(*) FROM pg_prepared_statements")).scalar()
        assert prepared == 0
        assert connection.connection.driver_connection.prepare_threshold is None


def test_each_transaction_reads_the_limits_afresh(database, monkeypatch):
    _postgres_only(database)
    monkeypatch.setattr(db.engines, "PG_LOCK_TIMEOUT_MS", 250)
    with database.engine.begin() as connection:
        assert connection.execute(text("SHOW lock_timeout")).scalar() == "250ms"


def test_an_autocommit_connection_still_works_and_runs_maintenance(database):
    _postgres_only(database)
    with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        # VACUUM refuses to run inside a transaction block: nothing opened one.
        connection.execute(text("VACUUM ANALYZE service_period"))
        assert connection.execute(text("SHOW lock_timeout")).scalar() == "0"


def test_a_desk_holds_at_most_four_connections_and_says_busy_past_them(database_url, monkeypatch):
    if make_url(database_url).get_backend_name() != "postgresql":
        pytest.skip("SQLite has no connection pool to bound")
    monkeypatch.setattr(db.engines, "PG_POOL_TIMEOUT_S", 0.2, raising=False)
    database = open_database(database_url)
    held = [database.engine.connect() for _ in range(4)]
    try:
        with pytest.raises(exc.TimeoutError) as waited:
            database.engine.connect()
        assert fault_kind(waited.value) == "busy"
    finally:
        for connection in held:
            connection.close()
        database.close()
    pool = database.engine.pool
    assert (db.engines.PG_POOL_SIZE, db.engines.PG_MAX_OVERFLOW) == (2, 2)
    assert pool.size() == db.engines.PG_POOL_SIZE
    assert pool.timeout() == 0.2
    assert pool._recycle == db.engines.PG_POOL_RECYCLE_S == 1800
