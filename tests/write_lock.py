"""Another writer in the middle of a save, on either backend: for the busy-database tests
and the fault probes."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def hold_the_write_lock(url: str) -> Callable[[], None]:
    """Take the lock a save needs; returns the function that lets it go."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        engine = create_engine(parsed)
        connection = engine.connect()
        connection.execute(text("LOCK TABLE request IN ACCESS EXCLUSIVE MODE"))

        def release() -> None:
            connection.rollback()
            connection.close()
            engine.dispose()

        return release
    raw = sqlite3.connect(parsed.database or "", isolation_level=None)
    raw.execute("BEGIN IMMEDIATE")

    def release_sqlite() -> None:
        raw.execute("ROLLBACK")
        raw.close()

    return release_sqlite
