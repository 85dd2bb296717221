"""Walking a request through its lifecycle from the request view, by number keys."""

from __future__ import annotations

from datetime import datetime

from textual.widgets import DataTable, Input, Static

from db.tables import RequestEvent, UsageEvent
from desk.rules.request_states import RequestState
from desk.use_cases.database import open_database
from desk.use_cases.requests import NewRequest, file_request, move_request
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
        # What the move did first, then what may come next (here: nothing).
        assert next_line(screen).splitlines() == ["已变更为：已完成", "本申请已结束"]
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


# -- the request as the agent reads it ------------------------------------------------------


def file_with(url: str, number: str, service: str, details: dict, illness: str | None = None,
              at: datetime = datetime(2026, 11, 23, 10)) -> str:
    database = open_database(url)
    with database.unit_of_work() as uow:
        policy = uow.policies.by_number(number)
        filed = file_request(uow, NewRequest(policy.id, service, details=details, suspected_illness=illness),
                             agent_id=None, at=at)
    database.close()
    return filed.number


def details_text(screen) -> str:
    return str(screen.query_one("#request-details-text", Static).render())


async def test_the_details_read_as_labels_names_and_times(callers_url):
    file_with(callers_url, "XK202601100001", "escort",
              {"hospital": "北京协和医院", "department": "心内科",
               "preferred_dates": ["2026-12-01", "2026-12-03"], "meeting_time": "08:30"}, illness="S01")
    app = desk_app(callers_url)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_request(pilot)
        text = details_text(screen)
        for raw in ("suspected_illness", "preferred_dates", "hospital", "['", "T10:00"):
            assert raw not in text
        assert "疑似重疾：S01 恶性肿瘤——重度" in text
        assert "期望就诊日期：2026-12-01、2026-12-03" in text
        assert "医院（客户要求）：北京协和医院" in text
        assert "提交时间：2026-11-23 10:00" in text


async def test_a_booking_shows_what_was_asked_and_what_was_booked(callers_url):
    file_with(callers_url, "XK202601100001", "escort", {"hospital": "北京协和医院"}, illness="S01")
    app = desk_app(callers_url)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_request(pilot)
        await pilot.press("1")
        await settle(pilot)
        await pilot.press("1")
        await settle(pilot)
        await pilot.press("1")  # booked: asks time and place
        await settle(pilot)
        await pilot.press(*"2026-12-01 09:00", "enter", *"北京大学第一医院", "enter", *"神经内科", "ctrl+s")
        await settle(pilot)
        text = details_text(screen)
        assert "医院（客户要求）：北京协和医院" in text
        assert "预约医院：北京大学第一医院" in text and "预约科室：神经内科" in text
        assert "就诊时间：2026-12-01 09:00" in text


async def test_the_next_choices_stay_on_screen_after_a_move(callers_url):
    file_escort(callers_url)
    app = desk_app(callers_url)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_request(pilot)
        await pilot.press("1")  # approved
        await settle(pilot)
        line = next_line(screen)
        assert "已变更为：审核通过" in line and "1 供应商已联系" in line


async def test_long_text_wraps_inside_a_bounded_box(callers_url):
    file_with(callers_url, "XK202601100001", "advance_claim",
              {"diagnosis": "肺恶性肿瘤" * 200, "hospital": "北京协和医院"})
    app = desk_app(callers_url)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_request(pilot)
        box = screen.query_one("#request-details")
        assert box.outer_size.height <= 10
        assert box.outer_size.width <= 100
        # The steps and the timeline are still on screen under it.
        timeline = screen.query_one("#request-timeline", DataTable)
        assert timeline.region.y < 40 and timeline.region.height > 0


async def test_a_cancellation_asks_who_asked_and_says_whether_it_counted(callers_url):
    number = file_escort(callers_url)
    database = open_database(callers_url)
    with database.unit_of_work() as uow:
        request_id = uow.requests.by_number(number).id
    for to, at, data in (("approved", datetime(2026, 11, 23, 11), {}),
                         ("supplier_contacted", datetime(2026, 11, 23, 12), {}),
                         ("booked", datetime(2026, 11, 23, 13), {"visit_at": datetime(2026, 11, 25, 9)})):
        with database.unit_of_work() as uow:
            move_request(uow, request_id, RequestState(to), agent_id=None, at=at, data=data)
    database.close()
    app = desk_app(callers_url)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_request(pilot)
        assert "3 已取消" in next_line(screen)
        await pilot.press("3")  # cancelled, 23 hours before the visit: counts
        await settle(pilot)
        prompt = app.screen
        assert isinstance(prompt, TransitionScreen)
        assert len(prompt.query("#by")) == 1 and prompt.focused is prompt.query_one("#by")
        await pilot.press("ctrl+s")  # neither who asked nor why: refused beside the fields
        await settle(pilot)
        assert app.screen is prompt
        await pilot.press("enter", "tab", *"客户临时出差")  # the first choice: the customer
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert "计入" in next_line(screen)
    (cancelled,) = [e for e in rows(app.database, RequestEvent) if e.to_state == "cancelled"]
    assert cancelled.data["by"] == "customer" and cancelled.data["counted"] is True
