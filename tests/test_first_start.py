"""The first start of a new embedded database survives being killed, at any moment.

A branch laptop loses power while desk creates its file: every later start must work and
have its reference data (the working calendar, the illness list), or due times silently
skip holidays and escort requests are refused. These run the real command in a child
process and kill it with SIGKILL.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from desk.use_cases.database import open_database, reference_data_missing

# 30 September 2026 is the eve of National Day: two working days later is 9 October.
DUE_ARGS = ["sla", "due", "--from", "2026-09-30 11:00", "--working-days", "2"]
DUE_AFTER_HOLIDAY = "2026-10-09 11:00"


def _desk(url: str, *args: str) -> list[str]:
    return [str(Path(sys.executable).with_name("desk")), "--db", url, *args]


def _run(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(_desk(url, *args), capture_output=True, text=True, timeout=60)


def _first_start_seconds(tmp_path: Path) -> float:
    url = f"sqlite:///{tmp_path / 'timing.sqlite3'}"
    started = time.perf_counter()
    result = _run(url, *DUE_ARGS)
    assert result.returncode == 0, result.stderr
    return time.perf_counter() - started


def test_a_first_start_killed_at_any_moment_leaves_a_database_every_later_start_can_use(
    tmp_path: Path,
) -> None:
    whole = _first_start_seconds(tmp_path)
    # Spread over the whole first start, imports included: most of the kills land while
    # the schema and the reference data are being made.
    fractions = [0.35, 0.45, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1.0]
    for k, fraction in enumerate(fractions):
        path = tmp_path / f"killed_{k}.sqlite3"
        url = f"sqlite:///{path}"
        child = subprocess.Popen(_desk(url, *DUE_ARGS), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(whole * fraction)
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        after = _run(url, *DUE_ARGS)
        assert after.returncode == 0, f"killed at {fraction:.0%}: {after.stderr}"
        assert after.stdout.strip() == DUE_AFTER_HOLIDAY, f"killed at {fraction:.0%}"
        assert "Traceback" not in after.stderr
        database = open_database(url)
        try:
            assert reference_data_missing(database) == [], f"killed at {fraction:.0%}"
        finally:
            database.close()


def test_a_half_made_file_from_an_older_crash_is_set_aside_with_a_message(tmp_path: Path) -> None:
    # What an older desk left when killed during its first migration: tables, no version.
    path = tmp_path / "desk.sqlite3"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE agent (id CHAR(32) PRIMARY KEY, login VARCHAR)")
    result = _run(f"sqlite:///{path}", *DUE_ARGS)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == DUE_AFTER_HOLIDAY
    aside = [p for p in tmp_path.iterdir() if p.name.startswith("desk.sqlite3.damaged-")]
    assert len(aside) == 1
    assert str(aside[0]) in result.stderr
    assert "Traceback" not in result.stderr
    # The set-aside file is kept as it was, for whoever wants to look at it.
    with sqlite3.connect(aside[0]) as connection:
        assert connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall() == [("agent",)]


def test_reference_data_lost_after_the_schema_is_reloaded_on_the_next_start(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'desk.sqlite3'}"
    open_database(url).close()
    with sqlite3.connect(tmp_path / "desk.sqlite3") as connection:
        connection.execute("DELETE FROM calendar_day")
        connection.execute("DELETE FROM critical_illness")
    result = _run(url, *DUE_ARGS)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == DUE_AFTER_HOLIDAY


@pytest.mark.parametrize("leftover", ["creating"])
def test_a_file_being_created_by_a_killed_start_is_cleared_away(tmp_path: Path, leftover: str) -> None:
    path = tmp_path / "desk.sqlite3"
    stray = tmp_path / f"desk.sqlite3.{leftover}-12345"
    stray.write_bytes(b"SQLite format 3\x00 half written")
    result = _run(f"sqlite:///{path}", *DUE_ARGS)
    assert result.returncode == 0, result.stderr
    assert not stray.exists()
    assert path.exists()


def test_db_upgrade_on_a_half_made_file_sets_it_aside_too(tmp_path: Path) -> None:
    path = tmp_path / "desk.sqlite3"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE agent (id CHAR(32) PRIMARY KEY, login VARCHAR)")
        connection.execute("CREATE TABLE customer (id CHAR(32) PRIMARY KEY)")
    result = _run(f"sqlite:///{path}", "db", "upgrade")
    assert result.returncode == 0, result.stderr
    assert ": schema " in result.stdout
    assert "damaged-" in result.stderr and "Traceback" not in result.stderr


def test_a_file_of_another_program_is_never_moved(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite3"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE notes (body TEXT)")
    result = _run(f"sqlite:///{path}", *DUE_ARGS)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr and result.stderr.startswith("desk: ")
    assert path.exists() and not list(tmp_path.glob("notes.sqlite3.damaged-*"))
