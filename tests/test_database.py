"""Opening a database: the embedded default, PostgreSQL, and every way it can go wrong."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import text

from db.schema import current_revision, head_revision, shipped_head
from desk.cli.main import main as cli_main
from desk.errors import DatabaseProblem
from desk.use_cases.database import open_database


def test_embedded_default_is_created_migrated_and_seeded(sqlite_url):
    database = open_database(sqlite_url)
    assert current_revision(database.engine) == head_revision()
    with database.unit_of_work() as uow:
        # The shipped 2025-2026 file's 72 days, and the years before from chinesecalendar.
        assert len(uow.calendar.of_year(2025)) + len(uow.calendar.of_year(2026)) == 72
        assert min(uow.calendar.years()) == 2004
        assert len(uow.illnesses.of_list("industry_2020")) == 31
        assert len(uow.hospitals.smoking_clinics()) == 8
    database.close()


def test_the_head_desk_checks_against_is_the_newest_migration_shipped():
    # A migration added without moving db.schema.HEAD would leave every database unmigrated.
    assert head_revision() == shipped_head()


def test_a_database_at_head_opens_without_importing_alembic(database_url):
    """Alembic, Mako and Pygments cost about 150 ms of every start, after the sign-in's
    first frame and before the search answers; a database already at head needs none."""
    import subprocess
    import sys

    code = ("import sys; from desk.use_cases.database import open_database; "
            f"open_database({database_url!r}).close(); "
            "print(sorted(m for m in ('alembic', 'mako', 'pygments') if m in sys.modules))")
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert shown.stdout.strip() == "[]"


def test_embedded_default_lives_in_the_user_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    database = open_database()
    assert database.shown_url == f"sqlite:///{tmp_path / 'data' / 'desk' / 'desk.sqlite3'}"
    database.close()


def test_sqlite_runs_with_wal_foreign_keys_and_busy_timeout(database):
    if not database.is_embedded:
        pytest.skip("SQLite pragmas")
    with database.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 5000


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("not a url", "database URL not understood"),
        ("mysql://root@127.0.0.1/test", "unsupported database"),
        ("postgresql://postgres:s3cret@127.0.0.1:1/desk", "Connection refused"),
        ("postgresql://nobody_here:s3cret@127.0.0.1:5432/postgres", 'role "nobody_here" does not exist'),
        ("postgresql://postgres@127.0.0.1:5432/no_such_db_here", 'database "no_such_db_here" does not exist'),
        ("sqlite:////no/such/folder/desk.sqlite3", "no such folder"),
    ],
)
def test_a_database_that_cannot_be_used_is_one_clear_line(url, words, capsys):
    assert cli_main(["--db", url, "db", "status"]) == 2
    err = capsys.readouterr().err
    assert words in err
    assert err.count("\n") == 1, err
    assert "s3cret" not in err
    assert "Traceback" not in err


def test_the_environment_variable_selects_the_database(tmp_path, monkeypatch, capsys):
    path = tmp_path / "env.sqlite3"
    monkeypatch.setenv("DESK_DATABASE_URL", f"sqlite:///{path}")
    assert cli_main(["db", "upgrade"]) == 0
    assert str(path) in capsys.readouterr().out
    assert path.exists()


def test_a_newer_schema_is_refused_and_left_untouched(sqlite_url):
    open_database(sqlite_url).close()
    path = sqlite_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    with pytest.raises(DatabaseProblem, match="newer than this desk"):
        open_database(sqlite_url)
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchone() == (
            "9999_from_the_future",
        )


def test_a_newer_schema_on_postgres_is_refused(pg_database_url, capsys):
    database = open_database(pg_database_url)
    try:
        with database.engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
        assert cli_main(["--db", pg_database_url, "db", "upgrade"]) == 2
        assert "newer than this desk" in capsys.readouterr().err
    finally:
        with database.engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = :head"), {"head": head_revision()})
        database.close()


def test_a_server_database_is_upgraded_only_on_request(pg_database_url, capsys):
    database = open_database(pg_database_url)
    try:
        with database.engine.begin() as connection:
            connection.execute(text("DELETE FROM alembic_version"))
        with pytest.raises(DatabaseProblem, match="desk db upgrade"):
            open_database(pg_database_url)
    finally:
        with database.engine.begin() as connection:
            connection.execute(text("INSERT INTO alembic_version VALUES (:head)"), {"head": head_revision()})
        database.close()


def test_the_migrations_build_exactly_the_tables_the_code_declares(database):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from db.tables import SQLModel

    with database.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), SQLModel.metadata) == []
