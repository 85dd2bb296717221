"""The family screen, key by key: F on the customer view, A to add, Enter to edit; what
is on file there is what the psych and smoking forms offer."""

from __future__ import annotations

from datetime import date

from textual.widgets import DataTable, Input

from db.tables import AuditEvent, FamilyMember
from screens.cards import BenefitCardsScreen
from screens.customer import CustomerScreen
from screens.family import FamilyFormScreen, FamilyScreen
from screens.request_form import ChoiceList, ConfirmDiscard, RequestFormScreen
from tests.callers import resident_id, rows
from tests.pilot import (
    desk_app,
    open_and_verify,
    open_customer,
    press_and_leave,
    press_to,
    search,
    settle,
    static_text,
)

SPOUSE_ID = resident_id("510104", date(1993, 6, 18), "031")


async def open_family(pilot, caller: str = "oynn") -> FamilyScreen:
    await open_customer(pilot, caller)
    return await press_to(pilot, "f", FamilyScreen)


async def type_member(pilot, name: str, relation_downs: int, id_number: str) -> None:
    """Name, relation (n presses of ↓), ID type as offered, ID number: as an agent types."""
    assert isinstance(pilot.app.screen, FamilyFormScreen)
    await pilot.press(*name, "tab", *["down"] * relation_downs, "tab", "tab", *id_number)
    await settle(pilot)


def _choices(widget: ChoiceList) -> list[str]:
    return [str(widget.get_option_at_index(i).prompt) for i in range(widget.option_count)]


async def test_a_spouse_added_from_the_customer_view_is_offered_on_the_psych_form(callers_url):
    app = desk_app(callers_url)
    async with app.run_test(size=(80, 24)) as pilot:
        family = await open_family(pilot)
        customer = app.screen_stack[-2]
        assert isinstance(customer, CustomerScreen)
        assert "family-members" in {b.binding.id for b in customer.active_bindings.values()}
        assert family.query_one("#family-table", DataTable).row_count == 0
        await pilot.press("a")
        await settle(pilot)
        await type_member(pilot, "陈刚", 1, SPOUSE_ID)
        await press_and_leave(pilot, "ctrl+s")
        assert app.screen is family
        table = family.query_one("#family-table", DataTable)
        assert table.get_row_at(0)[:2] == ["陈刚", "配偶"] and table.get_row_at(0)[3:] == ["1993-06-18", "男"]
        assert "****" in table.get_row_at(0)[2]
        assert "已登记家庭成员 陈刚（配偶）" in static_text(family, "#family-status")

        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is customer
        assert customer.query_one("#family", DataTable).get_row_at(0)[:2] == ["陈刚", "配偶"]

        await pilot.press("b")
        await settle(pilot)
        assert isinstance(app.screen, BenefitCardsScreen)
        await pilot.press("right", "right", "enter")  # the third card: psych
        await settle(pilot)
        form = app.screen
        assert isinstance(form, RequestFormScreen) and form.benefit.code == "psych"
        offered = _choices(form.query_one("#field-beneficiary", ChoiceList))
        assert any(choice.strip().endswith("陈刚（配偶）") for choice in offered), offered
    (member,) = [m for m in rows(app.database, FamilyMember) if m.id_number == SPOUSE_ID]
    assert (member.name, member.relation) == ("陈刚", "spouse")
    (event,) = [e for e in rows(app.database, AuditEvent) if e.action == "family_add"]
    assert event.agent_id == app.agent_id


async def test_problems_show_under_their_fields_and_nothing_typed_is_lost(callers_url):
    app = desk_app(callers_url)
    async with app.run_test(size=(80, 24)) as pilot:
        family = await open_family(pilot)
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        bad = SPOUSE_ID[:-1] + ("0" if SPOUSE_ID[-1] != "0" else "1")
        await type_member(pilot, "陈刚", 0, bad)  # no relation chosen, a wrong check digit
        await pilot.press("tab", *"1990-01-01")  # a birth date
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert "与被保险人关系" in static_text(form, "#error-relation")
        assert "校验位不正确" in static_text(form, "#error-id_number")
        assert form.query_one("#error-relation").display and not form.query_one("#error-name").display
        assert "有 2 处需要修改" in static_text(form, "#form-message")
        assert form.focused is form.query_one("#field-relation")
        assert form.values() | {"relation": ""} == {"name": "陈刚", "relation": "", "id_type": "resident_id",
                                                    "id_number": bad, "birth_date": "1990-01-01", "sex": ""}

        # Fixing the number shows the next problem: the birth date disagrees with it.
        number = form.query_one("#field-id_number", Input)
        number.value = SPOUSE_ID
        await pilot.press("down")  # relation: spouse
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "与证件号码中的出生日期 1993-06-18 不一致" in static_text(form, "#error-birth_date")
        assert not form.query_one("#error-id_number").display

        # Esc asks first; N keeps the form as it was.
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDiscard)
        await pilot.press("n")
        await settle(pilot)
        assert app.screen is form and form.values()["name"] == "陈刚"
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert app.screen is family
    assert [m for m in rows(app.database, FamilyMember) if m.name == "陈刚"] == []


async def test_enter_edits_the_highlighted_member_and_an_empty_id_number_keeps_it(callers_url):
    app = desk_app(callers_url)
    async with app.run_test(size=(80, 24)) as pilot:
        family = await open_family(pilot, "zs")  # 张三: spouse 李丽 on file
        table = family.query_one("#family-table", DataTable)
        assert table.get_row_at(0)[:2] == ["李丽", "配偶"]
        await pilot.press("enter")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FamilyFormScreen)
        number = form.query_one("#field-id_number", Input)
        assert number.value == "" and "****" in number.placeholder and "留空则不变" in number.placeholder
        # Nothing typed: Esc leaves without asking.
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is family
        await pilot.press("e")
        await settle(pilot)
        await pilot.press("end", "backspace", *"莉")
        await press_and_leave(pilot, "ctrl+s")
        assert app.screen is family
        assert table.get_row_at(0)[0] == "李莉"
        assert "已修改家庭成员 李莉（配偶）" in static_text(family, "#family-status")
    (member,) = [m for m in rows(app.database, FamilyMember) if m.id_number == resident_id("110105", date(1991, 4, 5), "124")]
    assert member.name == "李莉"


async def test_an_unverified_caller_has_no_family_key(callers_url):
    app = desk_app(callers_url)
    async with app.run_test(size=(80, 24)) as pilot:
        await search(pilot, "zs")
        await open_and_verify(pilot, "1")
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)
