"""The database schema's version: upgrade it, and refuse a database newer than this code.

Alembic (with Mako and Pygments behind it) takes about 150 ms to import, most of what a
start costs after the first frame: a database already at this code's head, which is
every start but the first after an upgrade, is checked without it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
# The newest migration shipped; tests/test_database.py checks it against the scripts.
HEAD = "0008"


class SchemaTooNew(Exception):
    """The database was migrated by a newer desk than this one."""


class SchemaOutdated(Exception):
    """The database needs ``desk db upgrade`` before this desk can use it."""


def _config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    return HEAD


def shipped_head() -> str | None:
    """The head of the migration scripts themselves, as Alembic reads them."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The schema version stored in the database (Alembic's table), None for none."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _known(revision: str) -> bool:
    if revision == HEAD:
        return True
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_config())
    return any(r.revision == revision for r in script.walk_revisions())


def revision_rank(revision: str | None) -> int | None:
    """How far along the shipped migrations ``revision`` is (0: an empty schema); None
    for one this code does not know, made by a newer desk."""
    if revision is None:
        return 0
    from alembic.script import ScriptDirectory

    shipped = [r.revision for r in ScriptDirectory.from_config(_config()).walk_revisions()]
    if revision not in shipped:
        return None
    return len(shipped) - shipped.index(revision)


def check_not_newer(engine: Engine) -> None:
    revision = current_revision(engine)
    if revision is not None and not _known(revision):
        raise SchemaTooNew(
            f"数据库结构版本 {revision} 比本程序新，请升级 desk 后再使用 "
            f"(database schema {revision} is newer than this desk; upgrade desk)"
        )


def check_current(engine: Engine) -> None:
    """Refuse both a newer schema and one that still needs ``desk db upgrade``."""
    check_not_newer(engine)
    if current_revision(engine) != head_revision():
        raise SchemaOutdated(
            "数据库结构需要升级，请运行 desk db upgrade (database needs: desk db upgrade)"
        )


def upgrade(engine: Engine) -> bool:
    """Bring the schema to this code's head, all or nothing; True when anything was applied."""
    from alembic import command

    check_not_newer(engine)
    before = current_revision(engine)
    config = _config()
    with engine.connect() as connection, _ddl_in_transaction(connection), connection.begin():
        if connection.dialect.name == "postgresql":
            # A migration may rebuild an index over millions of rows: no statement limit.
            connection.exec_driver_sql("SET LOCAL statement_timeout = 0")
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    return before != head_revision()


@contextmanager
def _ddl_in_transaction(connection: Connection) -> Iterator[None]:
    """Let SQLite roll back a migration killed half-way, as PostgreSQL does.

    pysqlite opens its transaction only before INSERT, UPDATE and DELETE, so every
    CREATE TABLE commits on its own: a first start killed during migration left tables
    with no schema version, a file no later start could upgrade ("table agent already
    exists"). With the driver's own transaction handling off, one BEGIN covers it all.
    """
    if connection.dialect.name != "sqlite":
        yield
        return
    driver = connection.connection.driver_connection
    legacy = driver.isolation_level  # type: ignore[union-attr]
    driver.isolation_level = None  # type: ignore[union-attr]
    try:
        driver.execute("BEGIN IMMEDIATE")  # type: ignore[union-attr]
        yield
    finally:
        if driver.in_transaction:  # type: ignore[union-attr]
            driver.execute("ROLLBACK")  # type: ignore[union-attr]
        driver.isolation_level = legacy  # type: ignore[union-attr]
