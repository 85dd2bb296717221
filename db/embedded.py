"""The embedded database's file: made aside and moved into place whole, or not at all.

A first start that is killed (a laptop losing power, a closed terminal) must never leave a
file that later starts cannot open, or a schema without its reference data. So a new file
is built under a name of its own, made durable, and only then linked to its real name;
a build that never finished is cleared away by the next start. A half-made file that an
older desk left in place is moved aside, never deleted.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from db.engines import SQLITE_SIDE_FILES
from db.private_files import private_file
from db.tables import SQLModel

BUILDING = ".creating-"
SET_ASIDE = ".damaged-"


def sqlite_file(url: str) -> Path | None:
    """The file a ``sqlite:///`` URL names; None for PostgreSQL, memory or a bad URL."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        return None
    if parsed.get_backend_name() != "sqlite" or parsed.database in {None, "", ":memory:"}:
        return None
    return Path(parsed.database).expanduser()  # type: ignore[arg-type]


def build_path(path: Path) -> Path:
    return path.with_name(f"{path.name}{BUILDING}{os.getpid()}")


def clear_unfinished_builds(path: Path) -> None:
    """Remove what killed first starts left beside ``path`` (never a live one's build)."""
    if not path.parent.is_dir():
        return
    for stray in path.parent.glob(f"{path.name}{BUILDING}*"):
        owner = stray.name.removeprefix(f"{path.name}{BUILDING}").split("-", 1)[0]
        if owner.isdigit() and int(owner) != os.getpid() and _alive(int(owner)):
            continue
        stray.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def state_of(path: Path) -> str:
    """``missing``, ``empty`` (no tables), ``desk`` (has a schema version),
    ``half-made`` (only desk's tables, no version: an older first start killed midway)
    or ``foreign`` (some other program's database, or not a database at all)."""
    if not path.exists():
        return "missing"
    if path.stat().st_size == 0:
        return "empty"
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
            tables = {row[0] for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )}
            versioned = "alembic_version" in tables and connection.execute(
                "SELECT count(*) FROM alembic_version"
            ).fetchone()[0] > 0
    except sqlite3.DatabaseError:
        return "foreign"
    if versioned:
        return "desk"
    if not tables:
        return "empty"
    ours = set(SQLModel.metadata.tables) | {"alembic_version"}
    # Alembic's batch mode leaves _alembic_tmp_* tables when killed mid-way.
    if all(name in ours or name.startswith("_alembic_tmp_") for name in tables):
        return "half-made"
    return "foreign"


def set_aside(path: Path, now: datetime) -> Path:
    """Move ``path`` (and its journal files) out of the way; the new name is returned."""
    target = path.with_name(f"{path.name}{SET_ASIDE}{now:%Y%m%d-%H%M%S}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}{SET_ASIDE}{now:%Y%m%d-%H%M%S}-{n}")
    for suffix in SQLITE_SIDE_FILES:
        side = Path(f"{path}{suffix}")
        if side.exists():
            os.replace(side, f"{target}{suffix}")
    os.replace(path, target)
    return target


def remove_empty(path: Path) -> None:
    for suffix in ("", *SQLITE_SIDE_FILES):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def move_into_place(build: Path, path: Path) -> bool:
    """Make the finished ``build`` durable and give it ``path``'s name.

    False if another start got there first: its file is kept and this build dropped.
    """
    # Leave WAL mode for the move: the journal would otherwise sit beside the old name.
    with contextlib.closing(sqlite3.connect(build)) as connection:
        connection.execute("PRAGMA journal_mode=DELETE")
    with open(build, "rb") as handle:
        os.fsync(handle.fileno())
    # Customer data: the owner's alone from the moment it has its real name (the link
    # keeps the mode; the engine made the build 0600 already, this makes sure).
    private_file(build)
    try:
        # A hard link never replaces: two first starts at once cannot overwrite each other.
        os.link(build, path)
    except FileExistsError:
        build.unlink(missing_ok=True)
        return False
    except OSError:
        # A file system without hard links: the small race is the lesser evil.
        if path.exists():
            build.unlink(missing_ok=True)
            return False
        os.replace(build, path)
    else:
        build.unlink()
    _sync_folder(path.parent)
    return True


def _sync_folder(folder: Path) -> None:
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
