"""The request form as an agent meets it: every problem shown where it is, no lost keys,
the current choice visible, long lists searchable by typing."""

from __future__ import annotations

from textual.widgets import Input, Static

from screens.request_form import ChoiceList, RequestFormScreen
from tests.pilot import press_and_leave, settle
from tests.test_form_flow import open_form


def hint(screen: RequestFormScreen, name: str) -> Static:
    return screen.query_one(f"#error-{name}", Static)


async def type_into(pilot, screen: RequestFormScreen, name: str, text: str) -> None:
    widget = screen.query_one(f"#field-{name}", Input)
    widget.focus()
    widget.value = ""
    await pilot.press(*text)
    await settle(pilot)


async def fill_escort(pilot, screen: RequestFormScreen, **changes: str) -> None:
    illnesses = screen.query_one("#field-suspected_illness", ChoiceList)
    illnesses.highlighted = 1
    values = {"hospital": "北京协和医院", "department": "心内科", "preferred_dates": "2026-12-01",
              "meeting_time": "09:00", **changes}
    for name, text in values.items():
        await type_into(pilot, screen, name, text)


async def test_a_date_in_the_past_is_shown_by_its_field(callers_url):
    from tests.pilot import desk_app

    app = desk_app(callers_url)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_form(pilot, "escort")
        await fill_escort(pilot, screen, preferred_dates="2026-01-05")
        await press_and_leave(pilot, "ctrl+s")
        assert app.screen is screen
        shown = hint(screen, "preferred_dates")
        assert shown.display and "不能早于今天" in str(shown.render())
        assert screen.focused is screen.query_one("#field-preferred_dates")


async def test_at_80x24_the_first_problem_is_scrolled_into_view(callers_url):
    from tests.pilot import desk_app

    app = desk_app(callers_url)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_form(pilot, "escort")
        await fill_escort(pilot, screen, meeting_time="25:00")
        screen.query_one("#field-suspected_illness").focus()
        await pilot.press("ctrl+home")
        await press_and_leave(pilot, "ctrl+s")
        await settle(pilot)
        shown = hint(screen, "meeting_time")
        form = screen.query_one("#form")
        assert shown.display and "HH:MM" in str(shown.render())
        # The hint's line lies inside the form's visible region, not below the screen.
        assert form.region.contains_region(shown.region), (form.region, shown.region)


async def test_tab_from_the_last_field_lands_on_a_field(callers_url):
    from tests.pilot import desk_app

    app = desk_app(callers_url)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_form(pilot, "escort")
        fields = [screen.query_one(f"#field-{f.name}") for f in screen.fields]
        fields[-1].focus()
        await pilot.press("tab")
        await settle(pilot)
        assert screen.focused in fields, screen.focused
        await pilot.press("x")  # typed where the agent can see it, never into nothing
        await settle(pilot)


async def test_a_choice_list_shows_the_current_choice(callers_url):
    from tests.pilot import desk_app

    app = desk_app(callers_url)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_form(pilot, "psych")
        who = screen.query_one("#field-beneficiary", ChoiceList)
        prompts = [str(who.get_option_at_index(i).prompt) for i in range(who.option_count)]
        assert prompts[who.highlighted].startswith("> ") and "被保险人本人" in prompts[who.highlighted]
        assert not prompts[0].startswith("> ")  # "please choose" is not what is chosen
        assert "被保险人：张三" in str(screen.query_one("#form-insured", Static).render())


async def test_typing_jumps_in_a_long_illness_list(callers_url):
    from tests.pilot import desk_app

    app = desk_app(callers_url)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_form(pilot, "escort")
        illnesses = screen.query_one("#field-suspected_illness", ChoiceList)
        assert screen.focused is illnesses
        await pilot.press("S", "2")
        assert illnesses.value.startswith("S2")
        illnesses._typed_at = 0.0  # as after a pause: a new search
        await pilot.press("脑")
        label = str(illnesses.get_option_at_index(illnesses.highlighted).prompt)
        assert "脑" in label
        assert "本服务仅限被保险人本人使用" in str(screen.query_one("#form-insured", Static).render())
