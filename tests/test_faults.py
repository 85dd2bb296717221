"""One error boundary: database faults reach the agent as a short message in Chinese,
never as SQL, parameters or personal data, and the full text goes to a private log."""

from __future__ import annotations

import os
import stat
from datetime import datetime

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url
from textual.widgets import Input, Static

import db.engines
from db.tables import Request
from desk.errors import DatabaseFailure
from desk.use_cases.database import open_database
from desk.use_cases.drafts import DraftStore
from desk.use_cases.fault_log import LOGGER, default_log_path, install_log
from desk.use_cases.requests import NewRequest, file_request
from screens.request_form import RequestFormScreen
from tests.callers import policy_of, rows
from tests.pilot import desk_app, settle
from tests.test_form_flow import open_form
from tests.write_lock import hold_the_write_lock

AT = datetime(2026, 11, 24, 10, 30)
RAW = ("INSERT", "SELECT", "sqlalchemy", "psycopg", "sqlite3", "parameters", "Traceback")


def _is_postgres(url: str) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


async def test_a_backend_killed_mid_save_leaves_the_form_as_typed_with_a_short_message(callers_url):
    if not _is_postgres(callers_url):
        pytest.skip("a server connection to kill is PostgreSQL's")
    app = desk_app(callers_url)
    # The form saves by itself once the server answers again (tests/test_connection_loss.py):
    # here the check is of what it kept meanwhile, so the reconnect must not come first.
    app.connection.reconnect_seconds = 60.0
    admin = create_engine(make_url(callers_url), isolation_level="AUTOCOMMIT")
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_form(pilot, "advance_claim")
        assert isinstance(screen, RequestFormScreen)

        def kill_own_backend(connection, _cursor, statement, *_args) -> None:
            if statement.lstrip().upper().startswith("INSERT INTO REQUEST "):
                pid = connection.connection.dbapi_connection.info.backend_pid
                with admin.connect() as other:
                    other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})

        event.listen(app.database.engine, "before_cursor_execute", kill_own_backend)
        await pilot.press(*"肺癌", "tab", *"北京肿瘤医院", "tab", "space", "ctrl+s")
        await settle(pilot)
        event.remove(app.database.engine, "before_cursor_execute", kill_own_backend)

        assert app.screen is screen, "the form stays open"
        message = str(screen.query_one("#form-message", Static).render())
        assert "数据库连接中断" in message and "草稿" in message, message
        assert not any(word in message for word in RAW), message
        assert "张三" not in message
        assert screen.query_one("#field-diagnosis", Input).value == "肺癌"
        assert screen.query_one("#field-hospital", Input).value == "北京肿瘤医院"
        assert DraftStore().load(screen.policy_id, "advance_claim") is not None
        assert rows(app.database, Request) == []

        # The connection is back (the pool reconnects): the same key saves it, once.
        await pilot.press("ctrl+s")
        await settle(pilot)
    admin.dispose()
    assert len(rows(app.database, Request)) == 1


def _psych(policy) -> NewRequest:
    return NewRequest(policy, "psych", details={"scales": ["SCL-90"]})


def _save_behind_the_lock(url: str, monkeypatch, *, wait_ms: int) -> DatabaseFailure:
    """File a psychological test while another writer holds the lock; the failure."""
    monkeypatch.setattr(db.engines, "SQLITE_BUSY_TIMEOUT_MS", wait_ms)
    monkeypatch.setattr(db.engines, "PG_LOCK_TIMEOUT_MS", wait_ms)
    database = open_database(url)
    release = hold_the_write_lock(url)
    try:
        with pytest.raises(DatabaseFailure) as failure, database.unit_of_work() as uow:
            file_request(uow, _psych(policy_of(database, "XK202601100001")), agent_id=None, at=AT)
    finally:
        release()
        database.close()
    return failure.value


def test_a_save_behind_another_writer_says_someone_is_saving_and_stores_nothing(callers_url, monkeypatch):
    failure = _save_behind_the_lock(callers_url, monkeypatch, wait_ms=300)
    assert failure.kind == "busy"
    assert "其他人正在保存" in str(failure)
    assert failure.reference in str(failure)
    assert not any(word in str(failure) for word in RAW)
    # Once the other writer is done, the same save goes through.
    database = open_database(callers_url)
    with database.unit_of_work() as uow:
        file_request(uow, _psych(policy_of(database, "XK202601100001")), agent_id=None, at=AT)
    assert len(rows(database, Request)) == 1
    database.close()


def test_the_log_holds_the_detail_under_the_reference_privately_with_identity_masked(callers_url, monkeypatch):
    old_umask = os.umask(0o022)
    try:
        path = install_log()
        failure = _save_behind_the_lock(callers_url, monkeypatch, wait_ms=200)
        LOGGER.error("caller quoted 110105199003071234 and 13812345678")
    finally:
        os.umask(old_umask)
    assert path == default_log_path()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    logged = path.read_text(encoding="utf-8")
    entry = logged.split(f"ref={failure.reference}", 1)[1]
    assert "kind=busy" in entry and "SQL:" in entry
    assert "110105199003071234" not in logged and "13812345678" not in logged
    assert "110105********1234" in logged and "138****5678" in logged
