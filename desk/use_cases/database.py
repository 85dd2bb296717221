"""Opening the database desk works on: the embedded SQLite file or a PostgreSQL URL."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from db.engines import DatabaseUnavailable, make_engine, resolve_database_url, safe_url
from db.schema import (
    SchemaOutdated,
    SchemaTooNew,
    check_current,
    current_revision,
    head_revision,
    upgrade,
)
from db.unit_of_work import UnitOfWork
from desk.errors import DatabaseProblem, DeskError
from desk.use_cases.reference_data import load_reference_data


@dataclass
class Database:
    engine: Engine
    shown_url: str

    @property
    def is_embedded(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def label(self) -> str:
        """A short name for the status line: the file name, or host and database."""
        url = self.engine.url
        if self.is_embedded:
            return Path(url.database or ":memory:").name
        return f"{url.host}:{url.port or 5432}/{url.database}"

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    def on_commit(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` (in the committing thread) whenever a transaction commits.

        The screens learn from it that what they show may be stale, whichever screen or
        use case wrote.
        """
        event.listen(self.engine, "commit", lambda _connection: callback())


@dataclass(frozen=True)
class OpenFailure:
    """Why the database did not open, as a status line shows it: where, and why."""

    target: str  # host:port/database (user shown, password masked) or the file
    cause: str  # one line


def open_failure(url: str | None, error: BaseException | None) -> OpenFailure:
    """Name the database ``url`` points at and the cause of ``error``, in one line each."""
    if isinstance(error, DatabaseProblem):
        cause = error.cause
    elif isinstance(error, DeskError):
        cause = str(error)
    else:
        cause = f"{type(error).__name__}: {error}"
    lines = [line.strip() for line in cause.splitlines() if line.strip()]
    return OpenFailure(database_target(url), lines[0] if lines else type(error).__name__)


def database_target(url: str | None) -> str:
    """The server and database (password masked) or the file ``url`` means."""
    resolved = resolve_database_url(url)
    try:
        parsed = make_url(resolved)
    except (ArgumentError, ValueError):
        return safe_url(resolved)
    if parsed.get_backend_name() == "sqlite":
        return parsed.database or ":memory:"
    return parsed.render_as_string(hide_password=True).split("://", 1)[-1]


def connect(url: str | None = None) -> Database:
    """Connected, schema not checked: for the commands that inspect or change the schema."""
    resolved = resolve_database_url(url)
    try:
        return Database(make_engine(resolved), safe_url(resolved))
    except DatabaseUnavailable as error:
        raise DatabaseProblem(str(error), cause=error.cause) from None


def open_database(url: str | None = None, *, auto_upgrade: bool | None = None) -> Database:
    """Connect and make sure the schema fits this code.

    The embedded default upgrades itself (a branch laptop has nobody to run migrations);
    a shared server is upgraded only by ``desk db upgrade``, deliberately.
    """
    database = connect(url)
    engine = database.engine
    if auto_upgrade is None:
        auto_upgrade = database.is_embedded
    try:
        if auto_upgrade:
            _upgrade_if_behind(database)
        else:
            check_current(engine)
    except (SchemaTooNew, SchemaOutdated) as error:
        engine.dispose()
        raise DatabaseProblem(str(error)) from None
    return database


def upgrade_and_load(database: Database) -> bool:
    """Migrate to head and add missing reference data; True if the schema moved."""
    try:
        moved = upgrade(database.engine)
    except SchemaTooNew as error:
        raise DatabaseProblem(str(error)) from None
    load_reference_data(database)
    return moved


def _upgrade_if_behind(database: Database) -> None:
    # Reference data is loaded only when the schema moves, keeping start-up quick.
    if current_revision(database.engine) != head_revision():
        upgrade_and_load(database)
