"""Ticked and unticked boxes differ in their characters, not only in colour.

Textual's own checkbox, radio button and selection list draw the same ``▐X▌`` / ``▐●▌``
for on and off; without colour (``NO_COLOR``, a monochrome terminal, a screen read as
text) every box looked ticked. These tests read the rendered characters only. Each box
and choice is led by a two-character cursor mark (``> `` on the focused one, see
tests/test_readable_cursor.py): the box is read after it.
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import RadioSet

from screens.widgets import CURSOR, TickBox, TickList, TickRadio
from tests.pilot import desk_app, open_identity, settle
from tests.test_call_guards import open_card_form


def box_text(widget: TickBox | TickRadio) -> str:
    """The box and its label, without a checkbox's cursor mark."""
    text = str(widget.render())
    return text[len(CURSOR):] if isinstance(widget, TickBox) else text


def list_lines(widget: TickList) -> list[str]:
    """Each choice's box and prompt, without the cursor mark."""
    return [widget.render_line(y).text[len(CURSOR):] for y in range(widget.option_count)]


class Boxes(App[None]):
    def compose(self) -> ComposeResult:
        yield TickBox("甲", id="box")
        with RadioSet(id="radios"):
            yield TickRadio("节假日", value=True, id="on")
            yield TickRadio("调休上班", id="off")
        yield TickList(("焦虑", "anxiety", True), ("抑郁", "depression"), id="list")


async def test_a_checkbox_shows_x_only_when_ticked():
    async with Boxes().run_test() as pilot:
        box = pilot.app.query_one("#box", TickBox)
        assert box_text(box).startswith("▐ ▌")
        box.value = True
        await pilot.pause()
        assert box_text(box).startswith("▐X▌")


async def test_only_the_chosen_radio_button_is_filled():
    async with Boxes().run_test() as pilot:
        on, off = pilot.app.query_one("#on", TickRadio), pilot.app.query_one("#off", TickRadio)
        assert box_text(on).startswith("▐●▌") and box_text(off).startswith("▐ ▌")
        off.value = True
        await pilot.pause()
        assert box_text(on).startswith("▐ ▌") and box_text(off).startswith("▐●▌")


async def test_a_selection_list_marks_the_selected_choices_only():
    async with Boxes().run_test() as pilot:
        choices = pilot.app.query_one("#list", TickList)
        first, second = list_lines(choices)
        assert first.startswith("▐X▌ 焦虑") and second.startswith("▐ ▌ 抑郁")
        choices.toggle("depression")
        choices.toggle("anxiety")
        await pilot.pause()
        first, second = list_lines(choices)
        assert first.startswith("▐ ▌ 焦虑") and second.startswith("▐X▌ 抑郁")


async def test_the_identity_check_shows_which_facts_are_ticked(callers_url):
    app = desk_app(callers_url)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_identity(pilot)
        await pilot.press("1", "3")
        await settle(pilot)
        marks = [box_text(box)[:3] for box in screen.query(TickBox)]
        assert marks == ["▐X▌", "▐ ▌", "▐X▌", "▐ ▌"]


async def test_the_form_shows_which_scales_are_chosen(callers_url):
    app = desk_app(callers_url)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_card_form(pilot, 2)  # the third card: the psych test
        assert screen.benefit.code == "psych"
        scales = screen.query_one("#field-scales", TickList)
        scales.focus()
        scales.highlighted = 1
        await pilot.press("space")
        await settle(pilot)
        lines = list_lines(scales)
        assert [line[:3] for line in lines] == ["▐ ▌", "▐X▌"] + ["▐ ▌"] * (len(lines) - 2)
        assert screen.values()["scales"] == ["depression"]
