"""Another agent's edit lands while the form is open (issue #13): the save shows what
changed, by whom and when, and the agent chooses with a key; nothing typed is lost unless
they keep the other agent's change."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from rich.console import Console
from textual.widgets import Input, Static
from textual.widgets._footer import FooterKey

from db.tables import Agent, Customer, FamilyMember
from desk.use_cases.customer_contact import contact_of, edit_customer_contact
from desk.use_cases.database import open_database
from desk.use_cases.family import edit_family_member, list_family
from screens.contact import ContactFormScreen
from screens.customer import CustomerScreen
from screens.edit_conflict import EditConflictScreen
from screens.family import FamilyFormScreen, FamilyScreen
from tests.callers import resident_id, rows
from tests.pilot import (
    desk_app,
    open_customer,
    press_and_leave,
    press_to,
    settle,
    static_text,
    still_cursor,
)
from tests.test_snapshots import snapshot_url  # noqa: F401 - a fixture

THEIRS_AT = datetime(2026, 11, 24, 10, 32)
LILI = {"name": "李丽", "relation": "spouse", "id_type": "resident_id", "id_number": "", "birth_date": "1991-04-05",
        "sex": "F"}


def _with_second_agent(url: str) -> str:
    database = open_database(url)
    with database.unit_of_work() as uow:
        uow.agents.add(Agent(login="agent02", name="坐席乙"))
        uow.commit()
    database.close()
    return url


@pytest.fixture
def two_agents_url(callers_url):
    return _with_second_agent(callers_url)


def _zhang(database) -> Customer:
    (customer,) = [c for c in rows(database, Customer) if c.name == "张三"]
    return customer


def their_member_edit(url: str, **changes: str) -> None:
    """agent02, at another desk, saves 张三's spouse."""
    database = open_database(url)
    zhang = _zhang(database)
    with database.unit_of_work() as uow:
        (line,) = list_family(uow, zhang.id)
        agent02 = uow.agents.by_login("agent02").id
        edit_family_member(uow, line.member_id, LILI | changes, expected_version=line.version, agent_id=agent02,
                           at=THEIRS_AT)
    database.close()


def their_contact_edit(url: str, **typed: str) -> None:
    database = open_database(url)
    zhang = _zhang(database)
    with database.unit_of_work() as uow:
        line = contact_of(uow, zhang.id)
        agent02 = uow.agents.by_login("agent02").id
        edit_customer_contact(uow, zhang.id, {"mobile": "", "email": line.email, "address": line.address} | typed,
                              expected_version=line.version, agent_id=agent02, at=THEIRS_AT)
    database.close()


async def open_member_form(pilot) -> FamilyFormScreen:
    await open_customer(pilot, "zs")
    await press_to(pilot, "f", FamilyScreen)
    return await press_to(pilot, "enter", FamilyFormScreen)


async def open_contact_form(pilot) -> ContactFormScreen:
    await open_customer(pilot, "zs")
    return await press_to(pilot, "e", ContactFormScreen)


def _changes(modal: EditConflictScreen) -> str:
    """The table of changes as the modal shows it, as text."""
    console = Console(width=100, record=True, file=io.StringIO())
    console.print(modal.query_one("#edit-conflict-table", Static).content)
    return console.export_text()


def _member(database) -> FamilyMember:
    (member,) = [m for m in rows(database, FamilyMember) if m.customer_id == _zhang(database).id]
    return member


async def test_a_member_edited_meanwhile_shows_the_conflict_and_o_applies_mine(two_agents_url):
    app = desk_app(two_agents_url)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_member_form(pilot)
        await pilot.press("end", "backspace", *"莉")  # 李丽 -> 李莉
        their_member_edit(two_agents_url, name="李俪")
        await pilot.press("ctrl+s")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, EditConflictScreen)
        shown = static_text(modal, "#edit-conflict-who") + _changes(modal)
        assert "坐席乙" in shown and "2026-11-24 10:32" in shown
        assert "姓名" in shown and "李丽" in shown and "李俪" in shown
        footer = {key.key_display for key in modal.query(FooterKey)}
        assert {"K/⏎", "O", "esc"} <= footer, footer
        await press_and_leave(pilot, "o")
        assert isinstance(app.screen, FamilyScreen)
        assert "李莉" in static_text(app.screen, "#family-status")
    member = _member(app.database)
    assert (member.name, member.version, member.updated_by) == ("李莉", 3, app.agent_id)


async def test_k_keeps_their_change_and_esc_goes_back_with_everything_typed(two_agents_url):
    app = desk_app(two_agents_url)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await open_member_form(pilot)
        await pilot.press("end", "backspace", *"莉")
        their_member_edit(two_agents_url, name="李俪")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, EditConflictScreen)
        await pilot.press("escape")  # back to my edit: nothing typed is lost
        await settle(pilot)
        assert app.screen is form and form.values()["name"] == "李莉"
        assert "坐席乙" in static_text(form, "#form-message")
        await pilot.press("ctrl+s")  # now from their version: it is mine that is saved ...
        await settle(pilot)
        assert isinstance(app.screen, FamilyScreen)
        assert _member(app.database).name == "李莉"

        # ... and when they save again meanwhile, K keeps theirs and drops mine.
        await pilot.press("enter")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FamilyFormScreen)
        await pilot.press("end", "backspace", *"丽")
        their_member_edit(two_agents_url, name="李俪")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, EditConflictScreen)
        await press_and_leave(pilot, "k")
        assert isinstance(app.screen, FamilyScreen)
        assert "已保留 坐席乙 的修改" in static_text(app.screen, "#family-status")
    assert _member(app.database).name == "李俪"


async def test_contact_details_edited_meanwhile_are_a_conflict_too(two_agents_url):
    app = desk_app(two_agents_url)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await open_contact_form(pilot)
        assert "138****5678" in form.query_one("#field-mobile", Input).placeholder
        address = form.query_one("#field-address", Input)
        address.value = "朝阳路9号"
        their_contact_edit(two_agents_url, mobile="13900004321")
        await pilot.press("ctrl+s")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, EditConflictScreen)
        table = _changes(modal)
        assert "138****5678" in table and "139****4321" in table and "13900004321" not in table
        await press_and_leave(pilot, "o")
        assert isinstance(app.screen, CustomerScreen)
        assert "已修改联系方式" in static_text(app.screen, "#customer-status")
    zhang = _zhang(app.database)
    assert (zhang.mobile, zhang.address, zhang.version, zhang.updated_by) == (
        "13900004321", "朝阳路9号", 3, app.agent_id)


async def test_a_bad_mobile_is_shown_under_its_field(two_agents_url):
    app = desk_app(two_agents_url)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await open_contact_form(pilot)
        await pilot.press(*"1234")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert "手机号" in static_text(form, "#error-mobile") and form.query_one("#error-mobile").display
        assert form.values()["mobile"] == "1234"
    assert _zhang(app.database).version == 1


# --- snapshots --------------------------------------------------------------------------------

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((140, 40), id="140x40")]


@pytest.fixture
def two_agents_snapshot_url(snapshot_url):  # noqa: F811 - the snapshots' callers, imported above
    return _with_second_agent(snapshot_url)


@pytest.mark.parametrize("size", SIZES)
def test_conflict_modal_snapshot(snap_compare, two_agents_snapshot_url, size):
    async def run_before(pilot) -> None:
        await open_member_form(pilot)
        await pilot.press("end", "backspace", *"莉")
        their_member_edit(two_agents_snapshot_url, name="李俪")
        await pilot.press("ctrl+s")
        await settle(pilot)
        still_cursor(pilot)

    assert snap_compare(desk_app(two_agents_snapshot_url), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_contact_form_snapshot(snap_compare, two_agents_snapshot_url, size):
    async def run_before(pilot) -> None:
        await open_contact_form(pilot)
        still_cursor(pilot)

    assert snap_compare(desk_app(two_agents_snapshot_url), terminal_size=size, run_before=run_before)


async def test_o_keeps_the_field_the_other_agent_changed_and_this_one_never_touched(two_agents_url):
    """Applying mine sent every field as the form had opened it: the other agent's new
    e-mail went back to the old one although this agent changed only the address."""
    app = desk_app(two_agents_url)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await open_contact_form(pilot)
        form.query_one("#field-address", Input).value = "朝阳路9号"
        their_contact_edit(two_agents_url, email="zhang@new.example")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, EditConflictScreen)
        await press_and_leave(pilot, "o")
        assert isinstance(app.screen, CustomerScreen)
    zhang = _zhang(app.database)
    assert (zhang.email, zhang.address) == ("zhang@new.example", "朝阳路9号")


async def test_o_keeps_the_other_agents_change_to_a_member_this_agent_left_alone(two_agents_url):
    app = desk_app(two_agents_url)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await open_member_form(pilot)
        new_number = resident_id("110105", date(1991, 4, 5), "126")
        form.query_one("#field-id_number", Input).value = new_number
        their_member_edit(two_agents_url, name="李莉")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, EditConflictScreen)
        await press_and_leave(pilot, "o")
    member = _member(app.database)
    assert (member.name, member.id_number) == ("李莉", new_number)
