"""A hundred agents on one PostgreSQL (issue #13): many desks filing at once, each with its
own small pool, and settings that hold behind a transaction-mode pooler (PgBouncer)."""

from __future__ import annotations

import threading
import time
from datetime import datetime

import pytest
from sqlalchemy import exc, text
from sqlalchemy.engine import make_url

import db.engines
import desk.use_cases.requests as requests_module
from db.faults import fault_kind
from db.tables import Request, UsageEvent
from desk.rules.catalogue import benefit
from desk.rules.entitlement import counted_uses
from desk.rules.request_states import RequestState
from desk.use_cases.database import open_database
from desk.use_cases.requests import NewRequest, RequestRefused, file_request, move_request
from tests.callers import policy_of, rows

AT = datetime(2026, 9, 28, 10, 0)  # a Monday inside 张三's service year
ZHANG = "XK202601100001"
AGENTS = 20


def _url(database) -> str:
    return database.engine.url.render_as_string(hide_password=False)


def _postgres_only(database) -> None:
    if database.is_embedded:
        pytest.skip("PostgreSQL's pool and session settings")


def _file(database, policy_id, at: datetime = AT) -> requests_module.Filed:
    with database.unit_of_work() as uow:
        return file_request(uow, NewRequest(policy_id, "smoking"), agent_id=None, at=at)


def _book(database, request_id) -> None:
    with database.unit_of_work() as uow:
        move_request(uow, request_id, RequestState.BOOKED, agent_id=None, at=AT,
                     data={"visit_at": "2026-10-20T09:00"})


def test_twenty_desks_filing_the_last_smoking_booking_at_once_file_it_once(cast, monkeypatch):
    quota = benefit("smoking").quota_per_year
    policy_id = policy_of(cast, ZHANG)
    for _ in range(quota - 1):
        _book(cast, _file(cast, policy_id).request_id)

    counted = requests_module.uses_in_year

    def slow_count(uow, period_id, code):
        # Widen the race: without the claim on the service year every desk would count
        # 11 here, before any of them has written its request.
        result = counted(uow, period_id, code)
        time.sleep(0.03)
        return result

    monkeypatch.setattr(requests_module, "uses_in_year", slow_count)
    desks = [open_database(_url(cast)) for _ in range(AGENTS)]  # 20 processes, 20 engines
    barrier = threading.Barrier(AGENTS)
    outcomes: list[str] = []

    def agent(database) -> None:
        barrier.wait()
        try:
            _file(database, policy_id)
            outcomes.append("filed")
        except RequestRefused as refused:
            outcomes.append("refused" if "12 次已用完" in str(refused) else f"refused: {refused}")
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            outcomes.append(f"{type(error).__name__}: {error}")

    threads = [threading.Thread(target=agent, args=(database,)) for database in desks]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        for database in desks:
            database.close()
    assert sorted(outcomes) == ["filed"] + ["refused"] * (AGENTS - 1), outcomes

    smoking = [r for r in rows(cast, Request) if r.service_code == "smoking"]
    assert len(smoking) == quota
    (still_open,) = [r for r in smoking if r.state == RequestState.SUBMITTED]
    _book(cast, still_open.id)
    ledger = [e for e in rows(cast, UsageEvent) if e.service_code == "smoking"]
    assert counted_uses(e.kind for e in ledger) == quota
    assert len({e.request_id for e in ledger}) == quota  # one counted use per request


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
