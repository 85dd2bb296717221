"""Losing the database mid-call (issue #13): the app stays up and says since when, what
is on screen stays with its age, a form keeps its input and files once the database is
back, and desk reconnects by itself.

The server goes away for real: desk reaches PostgreSQL through a proxy
(tests/commit_loss_proxy.py) that can cut every link and close new ones at once, or
lose the answer to a COMMIT; or desk's own backend is terminated mid-save.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from db.tables import Request, RequestEvent
from desk.use_cases.database import open_database
from screens.app import DeskApp
from screens.connection import ConnectionBanner
from screens.queue import QueueScreen
from screens.request_form import RequestFormScreen
from tests.callers import NOW, rows
from tests.commit_loss_proxy import CommitLossProxy
from tests.pilot import settle, still_cursor
from tests.test_form_flow import open_form
from tests.test_snapshots import snapshot_url as snapshot_url  # noqa: F401 - a fixture

PROBE_SECONDS = 0.2  # how often the tests' desk asks a lost server again
LOST_AT = NOW + timedelta(minutes=2)  # 10:32, the fixed clock moved on


class Clock:
    """The app's clock, moved by the test."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
def proxy(pg_database_url: str) -> Iterator[CommitLossProxy]:
    url = make_url(pg_database_url)
    with CommitLossProxy(url.host or "127.0.0.1", url.port or 5432) as proxy:
        yield proxy


def _fresh_cast(pg_database_url: str, add) -> None:
    from tests.conftest import _empty_postgres

    direct = open_database(pg_database_url)
    _empty_postgres(direct)
    add(direct)
    direct.close()


def _through(proxy: CommitLossProxy, pg_database_url: str) -> str:
    # A plain stream (no TLS) the proxy can read for its COMMIT.
    return make_url(pg_database_url).set(
        host="127.0.0.1", port=proxy.port, query={"sslmode": "disable", "gssencmode": "disable"},
    ).render_as_string(hide_password=False)


@pytest.fixture
def callers_behind_proxy(proxy: CommitLossProxy, pg_database_url: str) -> str:
    """The fixed cast of callers on PostgreSQL, reached through the proxy."""
    from tests.callers import add_callers

    _fresh_cast(pg_database_url, add_callers)
    return _through(proxy, pg_database_url)


@pytest.fixture
def open_work_behind_proxy(proxy: CommitLossProxy, pg_database_url: str) -> str:
    """The queue's open work on PostgreSQL, reached through the proxy."""
    from tests.queue_cast import add_open_work

    _fresh_cast(pg_database_url, add_open_work)
    return _through(proxy, pg_database_url)


def counted(pg_database_url: str) -> tuple[int, int]:
    """Requests and their history events, counted on a connection of the test's own."""
    database = open_database(pg_database_url)
    try:
        return len(rows(database, Request)), len(rows(database, RequestEvent))
    finally:
        database.close()


def desk(url: str, clock: Clock) -> DeskApp:
    return DeskApp(database_url=url, clock=clock, agent_login="agent01", reconnect_every=PROBE_SECONDS)


def banner(app: DeskApp) -> str | None:
    found = list(app.screen.query(ConnectionBanner))
    return str(found[0].render()) if found else None


async def until(pilot, condition, seconds: float = 15.0) -> None:
    """Let the app run (timers, probes, workers) until ``condition()`` holds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not condition():
        assert loop.time() < deadline, "gave up waiting"
        await pilot.pause(0.05)


async def fill_advance_claim(pilot) -> RequestFormScreen:
    screen = await open_form(pilot, "advance_claim")
    await pilot.press(*"肺癌", "tab", *"北京肿瘤医院", "tab", "space")
    return screen


@asynccontextmanager
async def advance_claim_typed(url: str) -> AsyncIterator[tuple[DeskApp, Pilot, RequestFormScreen, Clock]]:
    """A desk at NOW on ``url`` with an advance claim typed in its form, not yet saved."""
    clock = Clock(NOW)
    app = desk(url, clock)
    async with app.run_test(size=(100, 40)) as pilot:
        yield app, pilot, await fill_advance_claim(pilot), clock


async def until_saved(pilot, screen: RequestFormScreen) -> None:
    """Until the form has closed on its save, and the app has caught up."""
    await until(pilot, lambda: pilot.app.screen is not screen)
    await settle(pilot)


async def a_few_more_probes(pilot) -> None:
    """Time for a few more probes of the connection: anything that would file again, does."""
    await pilot.pause(PROBE_SECONDS * 5)
    await settle(pilot)


def form_message(screen: RequestFormScreen) -> str:
    return str(screen.query_one("#form-message", Static).render())


def errors_said(app: DeskApp) -> list[str]:
    return [str(n.message) for n in app._notifications if n.severity == "error"]


# -- (a) the server goes away before the save, and comes back ----------------------------


async def test_a_save_while_the_database_is_away_waits_then_files_once_by_itself(
    callers_behind_proxy, proxy, pg_database_url,
):
    async with advance_claim_typed(callers_behind_proxy) as (app, pilot, screen, clock):
        clock.at = LOST_AT
        proxy.go_down()
        await pilot.press("ctrl+s")
        await until(pilot, lambda: screen.waiting_for_connection)
        await until(pilot, lambda: banner(app) is not None)

        assert app.screen is screen, "the form stays open"
        assert banner(app) == "数据库无法连接（自 10:32 起）· 正在自动重连…"
        assert screen.query_one("#field-diagnosis", Input).value == "肺癌"
        assert screen.query_one("#field-hospital", Input).value == "北京肿瘤医院"
        assert "等待数据库" in form_message(screen), form_message(screen)
        assert counted(pg_database_url) == (0, 0)
        assert errors_said(app) == []

        # Probes keep failing while it is away: the banner stays, the form waits.
        clock.at = LOST_AT + timedelta(minutes=1)
        await pilot.pause(PROBE_SECONDS * 5)
        assert app.screen is screen and banner(app) == "数据库无法连接（自 10:32 起）· 正在自动重连…"
        assert counted(pg_database_url) == (0, 0)

        proxy.come_back()
        await until_saved(pilot, screen)
        assert banner(app) is None
        assert "已重新连接数据库" in [str(n.message) for n in app._notifications]
        await a_few_more_probes(pilot)  # nothing files it again
    assert counted(pg_database_url) == (1, 1)


async def test_saving_again_by_key_as_the_database_comes_back_still_files_once(
    callers_behind_proxy, proxy, pg_database_url,
):
    async with advance_claim_typed(callers_behind_proxy) as (app, pilot, screen, _clock):
        proxy.go_down()
        await pilot.press("ctrl+s")
        await until(pilot, lambda: screen.waiting_for_connection and banner(app) is not None)
        # The agent tries again while it is still away: it waits again, nothing is saved.
        await pilot.press("ctrl+s")
        await until(pilot, lambda: screen.waiting_for_connection and not screen.saving)
        assert counted(pg_database_url) == (0, 0)

        # Back, and the agent presses the key at once, racing the watch's own save.
        proxy.come_back()
        app.simulate_key("ctrl+s")
        await until(pilot, lambda: app.screen is not screen)
        await a_few_more_probes(pilot)
        assert banner(app) is None
    assert counted(pg_database_url) == (1, 1)


# -- (b) the connection dies during the save ------------------------------------------------


async def test_desks_backend_killed_mid_save_keeps_the_app_up_and_files_once_after_reconnect(
    callers_behind_proxy, proxy, pg_database_url,
):
    admin = create_engine(make_url(pg_database_url), isolation_level="AUTOCOMMIT")
    async with advance_claim_typed(callers_behind_proxy) as (app, pilot, screen, clock):
        killed: list[int] = []

        def kill_desks_backend(connection, _cursor, statement, *_args) -> None:
            if statement.lstrip().upper().startswith("INSERT INTO REQUEST ") and not killed:
                with admin.connect() as other:
                    killed.extend(other.execute(text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE application_name = 'desk' AND datname = current_database() "
                        "AND pid = :pid"), {"pid": connection.connection.dbapi_connection.info.backend_pid},
                    ).scalars())

        event.listen(app.database.engine, "before_cursor_execute", kill_desks_backend)
        clock.at = LOST_AT
        await pilot.press("ctrl+s")
        await until_saved(pilot, screen)
        event.remove(app.database.engine, "before_cursor_execute", kill_desks_backend)
        assert killed == [True]
        assert banner(app) is None, "reconnected by itself"
        assert "已重新连接数据库" in [str(n.message) for n in app._notifications]
        await a_few_more_probes(pilot)
    admin.dispose()
    assert counted(pg_database_url) == (1, 1)


async def test_a_save_whose_commit_answer_is_lost_is_found_saved_not_filed_twice(
    callers_behind_proxy, proxy, pg_database_url,
):
    async with advance_claim_typed(callers_behind_proxy) as (app, pilot, screen, _clock):
        proxy.arm()  # the server commits, the answer never reaches desk
        await pilot.press("ctrl+s")
        await until_saved(pilot, screen)
        assert proxy.dropped == 1
        said = [str(n.message) for n in app._notifications]
        assert any("上次已提交成功，未重复提交" in line for line in said), said
        await a_few_more_probes(pilot)
    assert counted(pg_database_url) == (1, 1)


# -- (c) what is on screen stays, with its age -----------------------------------------------


def queue_rows(screen: QueueScreen) -> list[str]:
    table = screen.query_one("#queue-table", DataTable)
    return [str(table.get_row_at(i)[5]) for i in range(table.row_count)]


async def test_the_queue_stays_with_its_age_while_the_database_is_away(
    open_work_behind_proxy, proxy, monkeypatch,
):
    monkeypatch.setattr(QueueScreen, "REFRESH_SECONDS", PROBE_SECONDS)
    clock = Clock(NOW)
    app = desk(open_work_behind_proxy, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        await until(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.page is not None)
        screen = app.screen
        assert isinstance(screen, QueueScreen)
        before = queue_rows(screen)
        assert len(before) == 5

        clock.at = LOST_AT
        proxy.go_down()
        await until(pilot, lambda: banner(app) is not None)
        assert banner(app) == "数据库无法连接（自 10:32 起）· 正在自动重连… · 数据截至 10:30"
        # Refresh after refresh comes and goes: the rows stay, and nothing but the banner says it.
        clock.at = LOST_AT + timedelta(minutes=1)
        await pilot.pause(PROBE_SECONDS * 10)
        assert app.screen is screen and queue_rows(screen) == before
        assert errors_said(app) == []
        assert banner(app) == "数据库无法连接（自 10:32 起）· 正在自动重连… · 数据截至 10:30"

        proxy.come_back()
        await until(pilot, lambda: banner(app) is None)
        await until(pilot, lambda: screen.data_read_at == LOST_AT + timedelta(minutes=1))
        assert queue_rows(screen) == before


# -- the banner as the agent sees it ---------------------------------------------------------

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((140, 40), id="140x40")]


def _lost_at(at: datetime):
    """Tell the app the database did not answer at ``at``, as a failed read would."""

    async def run(pilot) -> None:
        from screens.connection import ConnectionLost

        pilot.app.post_message(ConnectionLost(at))
        await settle(pilot)
        await pilot.pause()
        still_cursor(pilot)

    return run


def _snapshot_app(url: str, clock: Clock) -> DeskApp:
    # A probe of the embedded file would answer at once: none comes during the picture.
    return DeskApp(database_url=url, clock=clock, agent_login="agent01", reconnect_every=3600)


@pytest.mark.parametrize("size", SIZES)
def test_request_form_with_the_banner(snap_compare, snapshot_url, size):  # noqa: F811
    clock = Clock(NOW)

    async def run(pilot) -> None:
        from desk.texts.labels import t

        screen = await fill_advance_claim(pilot)
        clock.at = LOST_AT
        await _lost_at(LOST_AT)(pilot)
        # As the save's worker says it, with a fixed log reference for the picture.
        screen._wait_for_connection(t("fault.unreachable", ref="3f2a91"), "draft", None)
        await settle(pilot)

    assert snap_compare(_snapshot_app(snapshot_url, clock), terminal_size=size, run_before=run)


@pytest.fixture
def snapshot_queue_url(migrated_sqlite_url: str) -> str:
    from tests.queue_cast import add_open_work

    database = open_database(migrated_sqlite_url)
    add_open_work(database)
    database.close()
    return migrated_sqlite_url


def test_queue_with_the_banner_and_its_age(snap_compare, snapshot_queue_url):
    clock = Clock(NOW)

    async def run(pilot) -> None:
        await settle(pilot)
        await pilot.press("f2")
        await until(pilot, lambda: isinstance(pilot.app.screen, QueueScreen) and pilot.app.screen.window_shown
                    and pilot.app.screen.page is not None)
        clock.at = LOST_AT
        await _lost_at(LOST_AT)(pilot)

    assert snap_compare(_snapshot_app(snapshot_queue_url, clock), terminal_size=(80, 24), run_before=run)
