"""ID numbers and mobiles are masked everywhere (#12): on every screen, in the log, in errors.

A number is shown in full only through the reveal (R, with a reason, audited): every other
screen of a call shows 110105********1239 and 138****5678. The screens are driven as an
agent drives them and read as the agent reads them: the terminal's picture (the SVG
screenshot's text) and every widget's own content, inputs included.
"""

from __future__ import annotations

import html
import re
from datetime import datetime

import pytest
from textual.widgets import DataTable, Input, Static

from desk.errors import DeskError
from desk.rules.masking import mask_id_number, mask_mobile
from desk.use_cases import fault_log
from desk.use_cases.database import open_database
from desk.use_cases.requests import NewRequest, file_request
from screens.cards import BenefitCardsScreen
from screens.customer import CustomerScreen
from screens.family import FamilyScreen
from screens.identity import IdentityScreen
from screens.request_form import RequestFormScreen
from screens.request_view import RequestViewScreen
from screens.wrap_up import WrapUpScreen
from tests.callers import CALLERS, resident_id
from tests.pilot import desk_app, search, settle
from tests.queue_cast import add_open_work
from tests.test_queue_screen import open_queue

ZHANG_ID = resident_id("110105", CALLERS[0][2], "123")
ZHANG_MOBILE = "13812345678"
SPOUSE_ID = resident_id("110105", datetime(1991, 4, 5).date(), "124")
NANA_ID = resident_id("510104", CALLERS[4][2], "062")
NANA_MOBILE = "15800005555"
# Every full number of the cast a screen of these tests could reach.
FULL = [resident_id(region, born, sequence) for _n, region, born, sequence, *_ in CALLERS] + [
    mobile for *_, mobile, _number, _eff, _status, _end in CALLERS] + [SPOUSE_ID]


@pytest.fixture
def desk_url(database_url: str) -> str:
    """The cast with open work, and a request of 张三's whose note quotes his numbers."""
    database = open_database(database_url)
    add_open_work(database)
    with database.unit_of_work() as uow:
        policy = uow.policies.by_number("XK202601100001")
        file_request(uow, NewRequest(policy.id, "ai_consult",
                                     details={"note": f"客户报身份证 {ZHANG_ID}，回电 {ZHANG_MOBILE}"}),
                     agent_id=None, at=datetime(2026, 11, 24, 9, 30))
    database.close()
    return database_url


def visible(app) -> str:
    """What the agent can read: the terminal's picture and each widget's whole content."""
    svg = app.export_screenshot()
    picture = html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " ")
    parts = [picture]
    for widget in app.screen.query("*"):
        if isinstance(widget, Input):
            parts += [widget.value, str(widget.placeholder)]
        elif isinstance(widget, DataTable):
            parts += [str(cell) for row in range(widget.row_count) for cell in widget.get_row_at(row)]
        elif isinstance(widget, Static):
            parts.append(str(widget.render()))
    return "\n".join(parts)


def assert_masked(app, *masked: str) -> str:
    text = visible(app)
    shown_in_full = [number for number in FULL if number in text]
    assert shown_in_full == [], f"{type(app.screen).__name__} shows {shown_in_full}"
    for form in masked:
        assert form in text, f"{type(app.screen).__name__} lacks {form}"
    return text


async def open_zhang(pilot) -> None:
    await search(pilot, "zs")
    assert_masked(pilot.app, mask_id_number(ZHANG_ID), mask_mobile(ZHANG_MOBILE))
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, IdentityScreen)
    assert_masked(pilot.app, mask_mobile(ZHANG_MOBILE))
    await pilot.press(*"12", "enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, CustomerScreen)


async def test_a_call_shows_every_number_masked_from_lookup_to_wrap_up(desk_url):
    app = desk_app(desk_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_zhang(pilot)
        customer = app.screen
        assert_masked(app, mask_id_number(ZHANG_ID), mask_mobile(ZHANG_MOBILE), mask_id_number(SPOUSE_ID))

        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, FamilyScreen)
        assert_masked(app, mask_id_number(SPOUSE_ID))
        await pilot.press("e")  # the edit form: the number stays masked, as a hint
        await settle(pilot)
        assert_masked(app)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is customer

        await pilot.press("b")
        await settle(pilot)
        assert isinstance(app.screen, BenefitCardsScreen)
        assert_masked(app)
        await pilot.press("enter")  # the escort form, with the caller's contact filled in
        await settle(pilot)
        assert isinstance(app.screen, RequestFormScreen)
        assert_masked(app)
        await pilot.press("escape")
        await settle(pilot)
        while app.screen is not customer and not isinstance(app.screen, CustomerScreen):
            await pilot.press("escape")
            await settle(pilot)

        app.screen.query_one("#requests", DataTable).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RequestViewScreen)
        assert_masked(app, mask_id_number(ZHANG_ID), mask_mobile(ZHANG_MOBILE))
        await pilot.press("escape")
        await settle(pilot)

        await pilot.press("w")
        await settle(pilot)
        await settle(pilot)
        assert isinstance(app.screen, WrapUpScreen)
        assert_masked(app)


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
async def test_the_queue_shows_no_number_whole_at_any_width(desk_url, size):
    app = desk_app(desk_url)
    async with app.run_test(size=size) as pilot:
        await open_queue(pilot)
        text = assert_masked(app)
        if size[0] >= 160:
            # Wide enough for the mobile's tail: the last 4 digits, never more.
            assert ZHANG_MOBILE[-4:] in text and NANA_MOBILE[-4:] in text


def test_a_fault_that_quotes_a_number_is_logged_masked(tmp_path):
    path = tmp_path / "desk.log"
    fault_log.install_log(path)
    try:
        try:
            raise ValueError(f"duplicate key (id_number)=({ZHANG_ID}) mobile {ZHANG_MOBILE}")
        except ValueError as error:
            fault_log.unexpected(error)
        fault_log.record_fault(RuntimeError(f"row {ZHANG_ID}"), doing=f"saving {ZHANG_MOBILE}")
    finally:
        handler = fault_log._installed.pop(path)
        fault_log.LOGGER.removeHandler(handler)
        handler.close()
    written = path.read_text(encoding="utf-8")
    assert ZHANG_ID not in written and ZHANG_MOBILE not in written
    assert mask_id_number(ZHANG_ID) in written and mask_mobile(ZHANG_MOBILE) in written
    assert "ValueError" in written  # the traceback is still there, for support


def test_an_error_quoting_a_number_says_it_masked():
    error = DeskError(f"证件号码 {ZHANG_ID} 已登记，手机 {ZHANG_MOBILE}")
    assert ZHANG_ID not in str(error) and ZHANG_MOBILE not in str(error)
    assert mask_id_number(ZHANG_ID) in str(error) and mask_mobile(ZHANG_MOBILE) in str(error)


async def test_a_failed_save_on_a_screen_shows_no_number_whole(desk_url, monkeypatch):
    """A driver's error quotes the row it refused; the queue shows a reference instead."""
    import desk.use_cases.queue as queue_use_cases

    def refused(*_args, **_kwargs):
        raise RuntimeError(f"duplicate key value (id_number)=({ZHANG_ID}) mobile {ZHANG_MOBILE}")

    monkeypatch.setattr(queue_use_cases, "assign_to_me", refused)
    monkeypatch.setattr(fault_log, "_logged", lambda *_args, **_kwargs: "abc123")
    app = desk_app(desk_url)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_queue(pilot)
        await pilot.press("a")
        for _ in range(20):
            await settle(pilot)
        text = assert_masked(app)
        assert "abc123" in text

