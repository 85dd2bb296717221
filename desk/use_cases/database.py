"""Opening the database desk works on: the embedded SQLite file or a PostgreSQL URL."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from db import embedded
from db.engines import (
    DatabaseUnavailable,
    check_connection,
    make_engine,
    resolve_database_url,
    safe_url,
    shown_url,
)
from db.faults import fault_kind, is_store_error
from db.schema import (
    SchemaOutdated,
    SchemaTooNew,
    check_current,
    current_revision,
    head_revision,
    upgrade,
)
from db.unit_of_work import UnitOfWork
from desk.errors import DatabaseFailure, DatabaseProblem, DeskError
from desk.texts.labels import t
from desk.use_cases.clock import china_now
from desk.use_cases.fault_log import record_fault
from desk.use_cases.reference_data import load_reference_data, reference_data_missing


@dataclass
class Database:
    engine: Engine
    shown_url: str
    # What opening had to repair, in the user's words: a half-made file set aside, reference
    # data loaded again. Entry points show these once.
    notices: list[str] = field(default_factory=list)
    _fault_listeners: list[Callable[[str], None]] = field(default_factory=list, repr=False)

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

    def unit_of_work(self, *, isolation_level: str | None = None) -> UnitOfWork:
        return GuardedUnitOfWork(self.engine, isolation_level=isolation_level, on_fault=self._fault_seen)

    def close(self) -> None:
        self.engine.dispose()

    def on_commit(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` (in the committing thread) whenever a transaction commits.

        The screens learn from it that what they show may be stale, whichever screen or
        use case wrote.
        """
        event.listen(self.engine, "commit", lambda _connection: callback())

    def on_fault(self, callback: Callable[[str], None]) -> None:
        """Call ``callback`` with the kind of fault (``db.faults.FaultKind``), in the failing
        thread, whenever a unit of work fails with a database or driver error.

        The app learns from it that the server went away ("unreachable"), whichever
        screen's read or save found out, even one that catches the failure to keep a form.
        """
        self._fault_listeners.append(callback)

    def _fault_seen(self, kind: str) -> None:
        for callback in list(self._fault_listeners):
            callback(kind)

    def reachable(self) -> bool:
        """Whether the server answers a ``SELECT 1`` now: the reconnect probe.

        A failed probe throws the pool's idle connections away: an outage leaves them all
        dead, and the first use once the server is back opens new ones instead of finding
        each dead one in turn. A pool whose connections are all in use is a busy server,
        not a lost one.
        """
        try:
            check_connection(self.engine)
        except DatabaseUnavailable:
            self.engine.dispose()
            return False
        except PoolTimeout:
            return True
        return True


class GuardedUnitOfWork(UnitOfWork):
    """The unit of work as use cases get it: a database or driver error leaving the block
    becomes a ``DatabaseFailure`` in the user's words, its full text in the log, and its
    kind is told to ``on_fault``."""

    def __init__(
        self,
        engine: Engine,
        *,
        isolation_level: str | None = None,
        on_fault: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__(engine, isolation_level=isolation_level)
        self._on_fault = on_fault

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            super().__exit__(exc_type, exc, tb)
        except Exception as closing:  # a dead connection can fail even the rollback
            if exc is None and is_store_error(closing):
                raise self._failure(closing) from None
            if exc is None:
                raise
        if exc is not None and is_store_error(exc):
            raise self._failure(exc) from None

    def _failure(self, error: BaseException) -> DatabaseFailure:
        failure = failure_of(error)
        if self._on_fault is not None:
            self._on_fault(failure.kind)
        return failure


def failure_of(error: BaseException) -> DatabaseFailure:
    """``error`` logged in full, as the short message the user reads."""
    reference = record_fault(error)
    kind = fault_kind(error)
    return DatabaseFailure(t(f"fault.{kind}", ref=reference), kind=kind, reference=reference)


@dataclass(frozen=True)
class OpenFailure:
    """Why the database did not open, as a status line shows it: where, and why."""

    target: str  # host:port/database (user shown, password masked) or the file
    cause: str  # one line

    @property
    def line(self) -> str:
        """The one line every screen shows it in: where, and why."""
        return t("db.failed_at", target=self.target, reason=self.cause)


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
    return shown_url(parsed).split("://", 1)[-1]


def connect(url: str | None = None) -> Database:
    """Connected, schema not checked: for the commands that inspect or change the schema."""
    resolved = resolve_database_url(url)
    try:
        return Database(make_engine(resolved), safe_url(resolved))
    except DatabaseUnavailable as error:
        raise DatabaseProblem(str(error), cause=error.cause) from None


def open_database(url: str | None = None, *, auto_upgrade: bool | None = None) -> Database:
    """Connect and make sure the schema and the reference data fit this code.

    The embedded default upgrades itself (a branch laptop has nobody to run migrations)
    and is first made aside and moved into place whole; a shared server is upgraded only
    by ``desk db upgrade``, deliberately. On every start the reference data the rules
    depend on is checked, and whatever is missing is loaded again.
    """
    resolved = resolve_database_url(url)
    notices = prepare_embedded_file(resolved) if auto_upgrade is not False else []
    database = connect(resolved)
    database.notices.extend(notices)
    engine = database.engine
    if auto_upgrade is None:
        auto_upgrade = database.is_embedded
    try:
        upgraded = False
        if auto_upgrade:
            upgraded = _upgrade_if_behind(database)
        else:
            check_current(engine)
        # An upgrade has just loaded it all; otherwise look (a few small queries).
        missing = [] if upgraded else reference_data_missing(database)
        if missing:
            load_reference_data(database)
            database.notices.append(t("db.reference_reloaded", what="、".join(missing)))
    except (SchemaTooNew, SchemaOutdated) as error:
        engine.dispose()
        raise DatabaseProblem(str(error)) from None
    except DeskError:
        engine.dispose()
        raise
    return database


def prepare_embedded_file(url: str) -> list[str]:
    """Make sure an embedded database file is either whole or absent before it opens.

    A new file is built aside, schema and reference data, and moved into place in one
    step; a half-made one an older desk left is set aside. Returns what to tell the user.
    """
    path = embedded.sqlite_file(url)
    if path is None or not path.parent.is_dir():
        return []
    embedded.clear_unfinished_builds(path)
    state = embedded.state_of(path)
    notices: list[str] = []
    if state == "half-made":
        aside = embedded.set_aside(path, china_now())
        notices.append(t("db.set_aside", path=str(aside)))
    elif state == "empty":
        embedded.remove_empty(path)
    elif state == "foreign":
        # Some other program's file, named by mistake: never add desk's tables to it.
        raise DatabaseProblem(t("db.not_desk", path=str(path)))
    elif state != "missing":
        return notices
    build = embedded.build_path(path)
    database = connect(f"sqlite:///{build}")
    try:
        upgrade_and_load(database)
    finally:
        database.close()
    embedded.move_into_place(build, path)
    return notices


def upgrade_and_load(database: Database) -> bool:
    """Migrate to head and add missing reference data; True if the schema moved."""
    try:
        moved = upgrade(database.engine)
    except SchemaTooNew as error:
        raise DatabaseProblem(str(error)) from None
    except OperationalError as error:
        # A schema this code cannot migrate (changed by hand, or half-made by a desk older
        # than the all-or-nothing migrations): nothing was applied.
        raise DatabaseProblem(t("db.cannot_upgrade", target=database.shown_url, reason=_first_line(error))) from None
    load_reference_data(database)
    return moved


def _first_line(error: OperationalError) -> str:
    text = str(error.orig) if error.orig is not None else str(error)
    return (text.strip().splitlines() or [type(error).__name__])[0]


def _upgrade_if_behind(database: Database) -> bool:
    if current_revision(database.engine) != head_revision():
        upgrade_and_load(database)
        return True
    return False
