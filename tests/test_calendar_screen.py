"""The working calendar screen (F3): a supervisor adds a day, an agent may only look."""

from __future__ import annotations

import shutil
from datetime import date, datetime

import pytest
from textual.widgets import DataTable, Input, Static

from db.tables import Agent, AuditEvent, CalendarDay
from desk.use_cases.database import open_database
from desk.use_cases.requests import NewRequest, file_request
from screens.app import DeskApp
from screens.calendar import CalendarDayScreen, CalendarDeleteScreen, CalendarScreen
from tests.callers import NOW, add_callers, rows
from tests.pilot import press_settled, settle

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 48), id="160x48")]


def add_supervisor(url: str) -> None:
    database = open_database(url)
    with database.unit_of_work() as uow:
        uow.agents.add(Agent(login="supervisor01", name="主管", role="supervisor"))
        uow.commit()
    database.close()


def app_for(url: str, login: str) -> DeskApp:
    return DeskApp(database_url=url, clock=lambda: NOW, agent_login=login)


async def open_calendar(pilot) -> CalendarScreen:
    await settle(pilot)
    await pilot.press("f3")
    await settle(pilot)
    assert isinstance(pilot.app.screen, CalendarScreen)
    return pilot.app.screen


def status(screen) -> str:
    return str(screen.query_one("#calendar-status", Static).render())


def table_dates(screen) -> list[str]:
    table = screen.query_one("#calendar-table", DataTable)
    return [table.get_row_at(i)[0] for i in range(table.row_count)]


async def test_a_supervisor_adds_a_day_and_the_deadlines_are_recomputed(callers_url):
    add_supervisor(callers_url)
    database = open_database(callers_url)
    with database.unit_of_work() as uow:
        policy = uow.policies.by_number("XK202601100001")
        file_request(uow, NewRequest(policy.id, "smoking", details={"city": "北京"}),
                     agent_id=None, at=datetime(2026, 11, 24, 10, 0))
    database.close()
    app = app_for(callers_url, "supervisor01")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_calendar(pilot)
        head = str(screen.query_one("#calendar-head", Static).render())
        assert "2026" in head and "2026-12-31" in head
        assert "2027" in str(screen.query_one("#calendar-warning", Static).render())
        assert "2026-10-01" in table_dates(screen)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, CalendarDayScreen)
        date_input = app.screen.query_one("#calendar-date", Input)
        date_input.value = ""
        await pilot.press(*"2026-11-25x", "ctrl+s")
        await settle(pilot)
        # A bad date is said beside the field; what was typed stays.
        assert isinstance(app.screen, CalendarDayScreen)
        assert "日期格式" in str(app.screen.query_one("#calendar-error-date", Static).render())
        await pilot.press("backspace", "tab", "tab", *"测试假日", "ctrl+s")
        await settle(pilot)
        await settle(pilot)
        assert app.screen is screen
        assert "2026-11-25" in table_dates(screen)
        assert status(screen) == "已保存 2026-11-25：重算 1 个时限，其中 1 个变动"
        await pilot.press("right")
        await settle(pilot)
        assert screen.year == 2027 and table_dates(screen) == []
        await pilot.press("pageup")
        await settle(pilot)
        assert screen.year == 2026
    (day,) = [d for d in rows(app.database, CalendarDay) if d.day == date(2026, 11, 25)]
    assert (day.kind, day.name) == ("holiday", "测试假日")
    assert [a.action for a in rows(app.database, AuditEvent)] == ["calendar_edit"]


async def test_a_supervisor_deletes_a_day_after_confirming(callers_url):
    add_supervisor(callers_url)
    app = app_for(callers_url, "supervisor01")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_calendar(pilot)
        first = table_dates(screen)[0]
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, CalendarDeleteScreen)
        await pilot.press("n")
        await settle(pilot)
        assert first in table_dates(screen)
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        await settle(pilot)
        assert first not in table_dates(screen)
        assert status(screen).startswith(f"已删除 {first}")


async def test_an_agent_may_look_but_not_edit(callers_url):
    app = app_for(callers_url, "agent01")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_calendar(pilot)
        before = table_dates(screen)
        for key in ("a", "d"):
            await pilot.press(key)
            await settle(pilot)
            assert app.screen is screen
            assert status(screen) == "只有主管可以修改工作日历，请联系主管"
        assert table_dates(screen) == before
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, CalendarScreen)


# --- Snapshots ---------------------------------------------------------------------------


@pytest.fixture
def snapshot_url(sqlite_template, tmp_path):
    path = tmp_path / "desk.sqlite3"
    shutil.copyfile(sqlite_template, path)
    url = f"sqlite:///{path}"
    database = open_database(url)
    add_callers(database)
    database.close()
    add_supervisor(url)
    return url


def steps(*keys: str):
    """Open the calendar, wait for its year to be shown, then press ``keys``."""

    async def run(pilot) -> None:
        await open_calendar(pilot)
        for _ in range(50):
            if pilot.app.screen.query_one("#calendar-table", DataTable).row_count:
                break
            await settle(pilot)
        await press_settled(pilot, *keys)

    return run


@pytest.mark.parametrize("size", SIZES)
def test_calendar_year(snap_compare, snapshot_url, size):
    assert snap_compare(app_for(snapshot_url, "supervisor01"), terminal_size=size, run_before=steps())


def test_calendar_add_day(snap_compare, snapshot_url):
    keys = ("down", "down", "a")
    assert snap_compare(app_for(snapshot_url, "supervisor01"), terminal_size=(80, 24), run_before=steps(*keys))
