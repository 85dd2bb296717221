"""Walking a request through its lifecycle from the request view, by number keys."""

from __future__ import annotations

from datetime import datetime

from textual.widgets import DataTable, Input, Static

from db.tables import RequestEvent, UsageEvent
from desk.use_cases.database import open_database
from desk.use_cases.requests import NewRequest, file_request
from screens.request_view import RequestViewScreen, TransitionScreen
from tests.callers import NOW, rows
from tests.pilot import desk_app, open_and_verify, search, settle


def file_escort(url: str) -> str:
    database = open_database(url)
    with database.unit_of_work() as uow:
        policy = uow.policies.by_number("XK202601100001")
        filed = file_request(uow, NewRequest(policy.id, "escort", suspected_illness="S01"),
                             agent_id=None, at=datetime(2026, 11, 23, 10))
    database.close()
    return filed.number


async def open_request(pilot) -> RequestViewScreen:
    await search(pilot, "zs")
    await open_and_verify(pilot, "12")
    pilot.app.screen.query_one("#requests", DataTable).focus()
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, RequestViewScreen)
    return pilot.app.screen


def next_line(screen) -> str:
    return str(screen.query_one("#request-next", Static).render())


async def test_walk_an_escort_request_from_approval_to_done(callers_url):
    number = file_escort(callers_url)
    app = desk_app(callers_url)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_request(pilot)
        assert number in str(screen.query_one("#request-head", Static).render())
        assert "1 审核通过" in next_line(screen)
        await pilot.press("1")  # approved
        await settle(pilot)
        assert "已变更为：审核通过" in next_line(screen)
        await pilot.press("1")  # supplier contacted
        await settle(pilot)
        await pilot.press("1")  # booked: asks time and place
        await settle(pilot)
        assert isinstance(app.screen, TransitionScreen)
        await pilot.press(*"2026-12-01 09:00", "enter", *"北京协和医院", "enter", *"心内科", "ctrl+s")
        await settle(pilot)
        assert "已预约" in next_line(screen) and "2026-12-02 00:00" in next_line(screen)
        await pilot.press("1")  # done
        await settle(pilot)
        assert "本申请已结束" not in next_line(screen)  # the message of the move is shown first
        timeline = screen.query_one("#request-timeline", DataTable)
        assert timeline.row_count == 5
    assert [e.kind for e in rows(app.database, UsageEvent) if e.service_code == "escort" and e.request_id] == ["counted"]


async def test_a_rejection_needs_a_reason(callers_url):
    file_escort(callers_url)
    app = desk_app(callers_url)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_request(pilot)
        await pilot.press("2")  # rejected
        await settle(pilot)
        await pilot.press("ctrl+s")
        assert "请填写原因" in str(app.screen.query_one("#transition-error", Static).render())
        await pilot.press(*"非重疾列表疾病", "ctrl+s")
        await settle(pilot)
        assert app.screen is screen and "审核未通过" in next_line(screen)
    (rejected,) = [e for e in rows(app.database, RequestEvent) if e.to_state == "rejected"]
    assert rejected.reason == "非重疾列表疾病" and rejected.at == NOW


async def test_a_refused_transition_is_said_on_screen(callers_url, monkeypatch):
    file_escort(callers_url)
    app = desk_app(callers_url)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_request(pilot)
        await pilot.press("9")  # not a choice: nothing happens
        assert "1 审核通过" in next_line(screen)
        await pilot.press("3")  # cancel: asks a reason
        await settle(pilot)
        assert isinstance(app.screen.query_one("#reason", Input), Input)
        await pilot.press("escape")
        assert app.screen is screen
