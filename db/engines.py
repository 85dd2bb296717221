"""Engines: the embedded SQLite default and a PostgreSQL server chosen by URL.

Every failure to reach a database becomes one ``DatabaseUnavailable`` whose message is a
single line naming the problem, with any password masked: agents read it on screen and
it is pasted into tickets.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote_plus

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from db.private_files import private_file, private_files, private_folder

DATABASE_URL_ENV = "DESK_DATABASE_URL"
SQLITE_BUSY_TIMEOUT_MS = 5000
# The journals SQLite keeps beside a database file, which go wherever the file goes.
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")
# How long a save waits for another agent's lock, and how long any statement may run,
# on PostgreSQL: past them the agent is told someone else is saving (or the database is
# slow) and retries, instead of a form that hangs without limit.
PG_LOCK_TIMEOUT_MS = 5000
PG_STATEMENT_TIMEOUT_MS = 30000
# The pool of one desk process, which is one agent: a screen's thread worker and perhaps a
# background refresh at a time. SQLAlchemy's default (5 kept, 10 more on demand) would let
# a hundred agents open up to 1,500 server connections, far past PostgreSQL's
# max_connections (100 by default); this bounds a desk at 4, a hundred desks at 400, which
# a pooler such as PgBouncer in front of the server folds into a few server connections.
PG_POOL_SIZE = 2
PG_MAX_OVERFLOW = 2
# A worker that finds all 4 in use waits this long, then is told the database is busy
# (db.faults sorts the pool's TimeoutError as "busy") rather than hanging.
PG_POOL_TIMEOUT_S = 10
# Replace a connection after half an hour, before an idle limit of a firewall, pooler or
# server cuts it; pool_pre_ping still catches one cut earlier.
PG_POOL_RECYCLE_S = 1800
MASK = "***"
# A query parameter whose name holds one of these carries a secret (libpq's password,
# sslpassword; a driver's token): never shown.
_SECRET_WORDS = ("password", "passwd", "secret", "token")


class DatabaseUnavailable(Exception):
    """The database named by the configuration cannot be used; the message says why."""

    def __init__(self, message: str, *, cause: str = "") -> None:
        super().__init__(message)
        # The cause alone (refused, unknown host, bad password): a status line that
        # already names the server shows this instead of the whole message.
        self.cause = cause or message


def data_dir() -> Path:
    """The user's data directory for desk: the embedded database, drafts and the log."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("desk", appauthor=False))


def default_sqlite_path() -> Path:
    return data_dir() / "desk.sqlite3"


def resolve_database_url(cli_url: str | None = None) -> str:
    """``--db`` wins over ``DESK_DATABASE_URL``; neither means the embedded SQLite file."""
    url = cli_url or os.environ.get(DATABASE_URL_ENV, "").strip()
    if url:
        return url
    path = default_sqlite_path()
    # The data directory holds customer data: the owner's alone, and what an older desk
    # left readable by others (the database, a set-aside copy, the log) is tightened.
    private_folder(path.parent)
    private_files(path.parent, f"{path.name}*")
    return f"sqlite:///{path}"


def _secret_key(key: str) -> bool:
    return any(word in key.lower() for word in _SECRET_WORDS)


def shown_url(url: URL) -> str:
    """``url`` as it may be shown: every password replaced by ``***``, wherever it was
    given (``user:password@`` or a query parameter such as ``?password=``/``sslpassword=``)."""
    shown = url.set(query={}).render_as_string(hide_password=True)
    pairs = [
        f"{quote_plus(key)}={MASK if _secret_key(key) else quote_plus(value)}"
        for key, values in url.query.items()
        for value in ((values,) if isinstance(values, str) else values)
    ]
    return f"{shown}?{'&'.join(pairs)}" if pairs else shown


def safe_url(url: str) -> str:
    """The URL as it may be shown: every password replaced by ``***``."""
    try:
        return shown_url(make_url(url))
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


def _private_sqlite(path: Path) -> None:
    """The file made 0600 before SQLite creates it (its -wal and -shm then take the same
    mode); one this user owns that an older desk left looser is tightened, journals too."""
    try:
        private_file(path, create=True)
    except OSError:
        return  # a read-only folder or the like: SQLite's own error says it better
    for suffix in SQLITE_SIDE_FILES:
        private_file(Path(f"{path}{suffix}"))


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001 (DBAPI hook)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _postgres_timeouts(connection: Connection) -> None:
    """Limit the waits of the transaction just beginning, and of no other.

    ``set_config(..., true)`` is ``SET LOCAL``: it ends with the transaction. Behind
    PgBouncer in transaction mode each transaction may run on another server connection,
    so a session ``SET`` at connect would be missing from the next one and would stay
    behind for whichever client gets this one. Read at each BEGIN, not at connect.
    """
    driver = connection.connection.driver_connection
    if getattr(driver, "autocommit", False):
        # AUTOCOMMIT (VACUUM, CREATE DATABASE): every statement is its own transaction, so
        # a local setting would end before the next statement; maintenance runs unlimited.
        return
    connection.exec_driver_sql(
        f"SELECT set_config('lock_timeout', '{int(PG_LOCK_TIMEOUT_MS)}', true), "
        f"set_config('statement_timeout', '{int(PG_STATEMENT_TIMEOUT_MS)}', true)"
    )


def make_engine(url: str) -> Engine:
    """An engine for ``url``, checked by opening one connection."""
    parsed = _parse(url)
    shown = shown_url(parsed)
    try:
        if parsed.get_backend_name() == "sqlite":
            database = parsed.database or ""
            if database and database != ":memory:":
                folder = Path(database).expanduser().parent
                if not folder.is_dir():
                    raise DatabaseUnavailable(f"数据库文件夹不存在 (no such folder): {folder}")
                _private_sqlite(Path(database).expanduser())
            engine = create_engine(parsed, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
            event.listen(engine, "connect", _sqlite_pragmas)
        else:
            engine = create_engine(
                parsed,
                pool_size=PG_POOL_SIZE,
                max_overflow=PG_MAX_OVERFLOW,
                pool_timeout=PG_POOL_TIMEOUT_S,
                pool_recycle=PG_POOL_RECYCLE_S,
                pool_pre_ping=True,
                # prepare_threshold=None: no server-side prepared statements, which live on
                # one server connection and break behind a transaction-mode pooler.
                connect_args={"connect_timeout": 5, "application_name": "desk", "prepare_threshold": None},
            )
            event.listen(engine, "begin", _postgres_timeouts)
    except NoSuchModuleError:
        raise DatabaseUnavailable(f"数据库驱动不可用 (driver not installed): {shown}") from None
    except ArgumentError as error:
        raise DatabaseUnavailable(f"数据库地址有误 (bad database URL) {shown}: {error}") from None
    check_connection(engine)
    return engine


def check_connection(engine: Engine) -> None:
    shown = shown_url(engine.url)
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
