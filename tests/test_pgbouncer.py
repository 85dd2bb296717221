"""Desk behind a real PgBouncer in transaction mode (issue #13).

In transaction pooling a client's transactions may each run on another server connection,
and a server connection passes from client to client. So nothing desk needs may outlive a
transaction: no server-side prepared statement (psycopg prepares a query on its sixth run
unless told not to), no session ``SET`` (it would be missing on the next server connection
and stay behind for the next client). db/engines.py sets both up; these tests run desk
through a PgBouncer started for the session (``apt-get install pgbouncer``).
"""

from __future__ import annotations

import collections
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from db.tables import Request
from desk.rules.eligibility import Refusal
from desk.use_cases.database import Database, open_database
from desk.use_cases.requests import RequestRefused
from tests.callers import CALLERS, add_callers, policy_of, rows
from tests.conftest import REQUIRE_PG
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

# Many desks (clients) share this few server connections, as behind a real pooler.
POOL_SIZE = 4
# An alias of the test database with one server connection: every client gets that one.
SINGLE = "desk_single"
# Callers whose smoking clinic is open on tests.many_desks.AT: 张三, 赵敏, 欧阳娜娜.
FILERS = (ZHANG, "XK202603010004", "XK202602010005")
ROUNDS = 8  # more runs of each query than psycopg's default prepare_threshold (5)
START_TIMEOUT_S = 10


@dataclass(frozen=True)
class PgBouncer:
    url: str  # the session's test database, through PgBouncer (pool of POOL_SIZE)
    single_url: str  # the same database through the one-server-connection alias


def _binary() -> str | None:
    found = shutil.which("pgbouncer")
    if found:
        return found
    # Debian installs it in /usr/sbin, which is not on every user's PATH.
    return "/usr/sbin/pgbouncer" if os.access("/usr/sbin/pgbouncer", os.X_OK) else None


def _version(binary: str) -> tuple[int, ...]:
    result = subprocess.run([binary, "--version"], capture_output=True, text=True, check=False)
    found = re.search(r"(\d+)\.(\d+)", result.stdout + result.stderr)
    return tuple(int(part) for part in found.groups()) if found else (0, 0)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _quoted(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


@pytest.fixture(scope="session")
def pgbouncer(pg_database_url: str) -> Iterator[PgBouncer]:
    """A PgBouncer in transaction mode in front of this session's test database."""
    binary = _binary()
    if binary is None:
        message = "pgbouncer is not installed (apt-get install pgbouncer)"
        if REQUIRE_PG:
            pytest.fail(f"{message}; DESK_REQUIRE_PG=1 requires the PgBouncer tests to run")
        pytest.skip(message)
    server = make_url(pg_database_url)
    host, port, user = server.host or "127.0.0.1", server.port or 5432, server.username or "postgres"
    password = f" password={server.password}" if server.password else ""
    listen = _free_port()
    folder = Path(tempfile.mkdtemp(prefix="desk-pgbouncer-"))
    (folder / "userlist.txt").write_text(f"{_quoted(user)} {_quoted(server.password or '')}\n")
    settings = [
        "[databases]",
        f"* = host={host} port={port}{password}",
        f"{SINGLE} = host={host} port={port} dbname={server.database}{password} pool_size=1",
        "[pgbouncer]",
        "listen_addr = 127.0.0.1",
        f"listen_port = {listen}",
        "unix_socket_dir =",
        "auth_type = trust",
        f"admin_users = {user}",
        f"auth_file = {folder / 'userlist.txt'}",
        "pool_mode = transaction",
        f"default_pool_size = {POOL_SIZE}",
        "max_client_conn = 500",
        "ignore_startup_parameters = extra_float_digits,options",
        f"logfile = {folder / 'pgbouncer.log'}",
        f"pidfile = {folder / 'pgbouncer.pid'}",
    ]
    if _version(binary) >= (1, 21):
        # Newer PgBouncers can carry prepared statements across server connections; off,
        # so these tests see what a transaction-mode pooler does without that help.
        settings.append("max_prepared_statements = 0")
    (folder / "pgbouncer.ini").write_text("\n".join(settings) + "\n")
    run_as: dict = {}
    if os.geteuid() == 0:
        # PgBouncer refuses to run as root: as postgres (or nobody), owning its folder.
        try:
            account = pwd.getpwnam("postgres")
        except KeyError:
            account = pwd.getpwnam("nobody")
        for path in (folder, *folder.iterdir()):
            os.chown(path, account.pw_uid, account.pw_gid)
        run_as = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}
    # Its output to a file, not a pipe: an unread pipe would fill and stall it.
    with (folder / "output.txt").open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 - our own binary and config
            [binary, str(folder / "pgbouncer.ini")], stdout=output, stderr=subprocess.STDOUT, **run_as,
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if process.poll() is not None:
                said = (folder / "output.txt").read_text(errors="replace").strip()
                pytest.fail(f"pgbouncer exited with {process.returncode}: {said}")
            try:
                socket.create_connection(("127.0.0.1", listen), 0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"pgbouncer did not listen on 127.0.0.1:{listen} within {START_TIMEOUT_S} s")
                time.sleep(0.05)
        bounced = server.set(host="127.0.0.1", port=listen)
        yield PgBouncer(
            url=bounced.render_as_string(hide_password=False),
            single_url=bounced.set(database=SINGLE).render_as_string(hide_password=False),
        )
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)  # immediate shutdown: no client is left to wait for
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def bounced_cast(pgbouncer: PgBouncer, empty_pg_url: str) -> str:
    """The URL through PgBouncer of this session's database, holding the cast of callers."""
    direct = open_database(empty_pg_url)
    add_callers(direct)
    direct.close()
    return pgbouncer.url


def _described(error: BaseException) -> str:
    """An error and the driver's error under it (desk's own message hides the cause)."""
    cause = error.__cause__ or error.__context__
    return f"{type(error).__name__}: {error}" + (f" <- {type(cause).__name__}: {cause}" if cause else "")


def _look_up_every_caller(database: Database) -> None:
    """One unit of work of an agent's lookups, run twice as a screen and its refresh would:
    each caller's policy, insured and service years (ten runs of each query)."""
    with database.unit_of_work() as uow:
        for _ in range(2):
            for *_, number, _effective, _status, _terminated in CALLERS:
                policy = uow.policies.by_number(number)
                assert uow.customers.get(policy.insured_id) is not None
                assert uow.service_periods.of_policy(policy.id)


def test_the_same_queries_run_again_and_again_from_several_desks(bounced_cast):
    # psycopg's default prepares a query on its sixth run (counted across committed
    # transactions; a rollback starts the count again) as a named statement on the server
    # connection of that moment. Behind transaction pooling the next desk meets that name
    # there ("already exists") or the same desk runs it on another ("does not exist").
    desks = [open_database(bounced_cast) for _ in range(3)]
    # Three callers whose smoking clinic is open on AT: one for each desk.
    policies = [policy_of(desks[0], number) for number in FILERS]
    errors: list[str] = []

    def agent(database: Database, policy_id: uuid.UUID) -> None:
        try:
            for round_ in range(ROUNDS):
                _look_up_every_caller(database)
                if round_ % 3 == 0:
                    file_smoking(database, policy_id)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(_described(error))

    with closing(desks):
        # One desk after another: PgBouncer hands out the server connection used last, so
        # every desk's transactions land where the others' ran. Each filing commits and
        # runs one query twice: a desk's third filing would prepare it, under the same
        # name as the desk before did on that same server connection.
        for _ in range(3):
            for database, policy_id in zip(desks, policies, strict=True):
                file_smoking(database, policy_id)
        # Then all three at once, lookups and filings interleaved on the shared connections.
        at_once(agent, zip(desks, policies, strict=True), timeout=60)
    assert errors == []
    with closing([open_database(bounced_cast)]) as (direct,):
        smoking = [r for r in rows(direct, Request) if r.service_code == "smoking"]
    filed_each = 3 + len(range(0, ROUNDS, 3))
    assert sorted(collections.Counter(r.policy_id for r in smoking).values()) == [filed_each] * 3


def test_the_timeouts_hold_in_a_transaction_and_never_reach_the_next_client(pgbouncer, pg_database_url):
    # Through the alias with one server connection every client gets the same one: a
    # session SET by desk would be found there by the next client, whoever it is.
    with psycopg.connect(make_url(pg_database_url).set(drivername="postgresql").render_as_string(hide_password=False)) as direct:
        defaults = [direct.execute(f"SHOW {name}").fetchone()[0] for name in ("lock_timeout", "statement_timeout")]
    assert defaults != ["5s", "30s"]
    database = open_database(pgbouncer.single_url)
    try:
        with database.unit_of_work() as uow:
            connection = uow.policies.session.connection()
            assert connection.execute(text("SHOW lock_timeout")).scalar() == "5s"
            assert connection.execute(text("SHOW statement_timeout")).scalar() == "30s"
            server_pid = connection.execute(text("SELECT pg_backend_pid()")).scalar()
        other_client = make_url(pgbouncer.single_url).set(drivername="postgresql")
        with psycopg.connect(other_client.render_as_string(hide_password=False), application_name="not desk") as plain:
            # A new transaction (psycopg opens one) on the very server connection desk used.
            assert plain.execute("SELECT pg_backend_pid()").fetchone()[0] == server_pid
            seen = [plain.execute(f"SHOW {name}").fetchone()[0] for name in ("lock_timeout", "statement_timeout")]
            assert seen == defaults
        # And desk's next transaction has its limits again, set afresh at its BEGIN.
        with database.engine.begin() as connection:
            assert connection.execute(text("SHOW lock_timeout")).scalar() == "5s"
    finally:
        database.close()


def test_twenty_desks_behind_pgbouncer_file_the_last_smoking_booking_once(bounced_cast, monkeypatch):
    # The earlier uses filed and booked through PgBouncer by one desk, all committed: with
    # psycopg's default it would leave its prepared statements on the server connection,
    # which PgBouncer hands on as it is.
    with closing([open_database(bounced_cast)]) as (setup,):
        policy_id = all_but_the_last_booked(setup)
    slow_counting(monkeypatch)
    barrier = threading.Barrier(AGENTS)
    outcomes: list[str] = []

    def agent(database: Database) -> None:
        try:
            # The call: the agent finds the caller and the card reloads the policy as
            # the agent works (ROUNDS runs of one query); then all twenty file at once.
            with database.unit_of_work() as uow:
                for _ in range(ROUNDS):
                    assert uow.policies.by_number(ZHANG).id == policy_id
            barrier.wait(timeout=60)
            file_smoking(database, policy_id)
            outcomes.append("filed")
        except RequestRefused as refused:
            quota_rule = refused.decision.refusal == Refusal.QUOTA_USED_UP
            outcomes.append("refused" if quota_rule else f"refused: {refused}")
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            barrier.abort()
            outcomes.append(_described(error))

    # Twenty desks, twenty engines, sharing POOL_SIZE server connections through PgBouncer.
    with closing([open_database(bounced_cast) for _ in range(AGENTS)]) as desks:
        at_once(agent, [(database,) for database in desks], timeout=90)
    assert sorted(outcomes) == FILED_ONCE, outcomes
    with closing([open_database(bounced_cast)]) as (check,):
        assert_the_last_use_counted_once(check)


def test_the_pooler_is_in_transaction_mode(pgbouncer):
    # What the tests above rely on: PgBouncer's own view of its pools.
    admin = make_url(pgbouncer.url).set(drivername="postgresql", database="pgbouncer")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as console:
        cursor = console.execute("SHOW CONFIG")
        config = {row[0]: row[1] for row in cursor.fetchall()}
    assert config["pool_mode"] == "transaction"
    assert config["default_pool_size"] == str(POOL_SIZE)
