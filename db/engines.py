"""Engines: the embedded SQLite default and a PostgreSQL server chosen by URL.

Every failure to reach a database becomes one ``DatabaseUnavailable`` whose message is a
single line naming the problem, with any password masked: agents read it on screen and
it is pasted into tickets.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

DATABASE_URL_ENV = "DESK_DATABASE_URL"
SQLITE_BUSY_TIMEOUT_MS = 5000
# How long a save waits for another agent's lock, and how long any statement may run,
# on PostgreSQL: past them the agent is told someone else is saving (or the database is
# slow) and retries, instead of a form that hangs without limit.
PG_LOCK_TIMEOUT_MS = 5000
PG_STATEMENT_TIMEOUT_MS = 30000


class DatabaseUnavailable(Exception):
    """The database named by the configuration cannot be used; the message says why."""

    def __init__(self, message: str, *, cause: str = "") -> None:
        super().__init__(message)
        # The cause alone (refused, unknown host, bad password): a status line that
        # already names the server shows this instead of the whole message.
        self.cause = cause or message


def default_sqlite_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("desk", appauthor=False)) / "desk.sqlite3"


def resolve_database_url(cli_url: str | None = None) -> str:
    """``--db`` wins over ``DESK_DATABASE_URL``; neither means the embedded SQLite file."""
    url = cli_url or os.environ.get(DATABASE_URL_ENV, "").strip()
    if url:
        return url
    path = default_sqlite_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def safe_url(url: str) -> str:
    """The URL as it may be shown: the password replaced by ``***``."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return "<unreadable database URL>"


def _parse(url: str) -> URL:
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise DatabaseUnavailable(
            "数据库地址无法识别 (database URL not understood); "
            "use sqlite:///PATH or postgresql://USER@HOST:PORT/DBNAME"
        ) from None
    backend = parsed.get_backend_name()
    if backend not in {"sqlite", "postgresql"}:
        raise DatabaseUnavailable(
            f"不支持的数据库类型 {backend!r} (unsupported database); use sqlite or postgresql"
        )
    if backend == "postgresql" and parsed.get_driver_name() in {"", "psycopg2"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001 (DBAPI hook)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _postgres_timeouts(dbapi_connection, _record) -> None:  # noqa: ANN001 (DBAPI hook)
    with dbapi_connection.cursor() as cursor:
        cursor.execute(f"SET lock_timeout = {int(PG_LOCK_TIMEOUT_MS)}")
        cursor.execute(f"SET statement_timeout = {int(PG_STATEMENT_TIMEOUT_MS)}")
    dbapi_connection.commit()


def make_engine(url: str) -> Engine:
    """An engine for ``url``, checked by opening one connection."""
    parsed = _parse(url)
    shown = parsed.render_as_string(hide_password=True)
    try:
        if parsed.get_backend_name() == "sqlite":
            database = parsed.database or ""
            if database and database != ":memory:":
                folder = Path(database).expanduser().parent
                if not folder.is_dir():
                    raise DatabaseUnavailable(f"数据库文件夹不存在 (no such folder): {folder}")
            engine = create_engine(parsed, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
            event.listen(engine, "connect", _sqlite_pragmas)
        else:
            engine = create_engine(
                parsed,
                pool_pre_ping=True,
                connect_args={"connect_timeout": 5, "application_name": "desk"},
            )
            event.listen(engine, "connect", _postgres_timeouts)
    except NoSuchModuleError:
        raise DatabaseUnavailable(f"数据库驱动不可用 (driver not installed): {shown}") from None
    except ArgumentError as error:
        raise DatabaseUnavailable(f"数据库地址有误 (bad database URL) {shown}: {error}") from None
    check_connection(engine)
    return engine


def check_connection(engine: Engine) -> None:
    shown = engine.url.render_as_string(hide_password=True)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except DBAPIError as error:
        reason = _reason(error)
        raise DatabaseUnavailable(f"无法连接数据库 (cannot connect) {shown}: {reason}", cause=reason) from None


def _reason(error: DBAPIError) -> str:
    """The driver's own first line, which names the cause (refused, auth, no such db)."""
    message = str(error.orig) if error.orig is not None else str(error)
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    reason = lines[0] if lines else type(error.orig).__name__
    # psycopg prefixes "connection failed: connection to server at ... failed:"; keep the cause.
    if "failed:" in reason:
        reason = reason.rsplit("failed:", 1)[1].strip() or reason
    return reason


def dispose(engine: Engine) -> None:
    engine.dispose()
