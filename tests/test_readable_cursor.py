"""The row the keys act on is marked in text, not only by a highlight colour.

Under ``NO_COLOR``, in monochrome or on a screen read as text, the highlight of a queue
row or of a choice in a multi-choice list does not show: the agent could not tell which
row Enter, N, A or space would act on. That row starts with ``>``; the others with a
space. These tests read characters only, never styles.
"""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from desk.use_cases.database import open_database
from screens.queue import QueueScreen
from screens.widgets import CURSOR, NOT_CURSOR, TickBox, TickList
from tests.pilot import desk_app, open_identity, settle
from tests.queue_cast import add_open_work
from tests.test_queue_screen import open_queue, press_each


@pytest.fixture
def queue_url(database_url: str) -> str:
    database = open_database(database_url)
    add_open_work(database)
    database.close()
    return database_url


def state_cells(screen: QueueScreen) -> list[str]:
    """The first cell of each queue row, as text: the cursor mark, then the state."""
    table = screen.query_one("#queue-table", DataTable)
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


def marked_rows(cells: list[str]) -> list[int]:
    assert all(cell.startswith((CURSOR, NOT_CURSOR)) for cell in cells), cells
    return [i for i, cell in enumerate(cells) if cell.startswith(CURSOR)]


async def test_the_queue_marks_the_cursor_row_in_text_and_the_mark_follows_the_keys(queue_url):
    async with desk_app(queue_url).run_test(size=(100, 30)) as pilot:
        screen = await open_queue(pilot)
        first = state_cells(screen)
        assert len(first) == 5 and marked_rows(first) == [0]
        await press_each(pilot, "down", "down")
        cells = state_cells(screen)
        assert marked_rows(cells) == [2] == [screen.cursor]
        # Only the mark moved: each state reads as before.
        assert [cell[len(CURSOR):] for cell in cells] == [cell[len(CURSOR):] for cell in first]
        await press_each(pilot, "up")
        assert marked_rows(state_cells(screen)) == [1]
        # The refresh (by key or by itself) keeps the mark where the cursor is.
        await press_each(pilot, "r")
        assert marked_rows(state_cells(screen)) == [1] == [screen.cursor]
        await press_each(pilot, "end")
        assert marked_rows(state_cells(screen)) == [4]
        await press_each(pilot, "home")
        assert marked_rows(state_cells(screen)) == [0]


class Choices(App[None]):
    def compose(self) -> ComposeResult:
        yield TickBox("甲", id="box")
        yield TickList(("焦虑", "anxiety", True), ("抑郁", "depression"), ("睡眠质量", "sleep"), id="list")


def list_lines(widget: TickList) -> list[str]:
    return [widget.render_line(y).text for y in range(widget.option_count)]


async def test_the_highlighted_choice_of_a_focused_list_is_marked_and_the_mark_moves():
    async with Choices().run_test() as pilot:
        choices = pilot.app.query_one("#list", TickList)
        # Not focused: no row is the one space would tick, and none is marked.
        assert [line[:2] for line in list_lines(choices)] == [NOT_CURSOR] * 3
        choices.focus()
        await pilot.pause()
        assert [line[:2] for line in list_lines(choices)] == [CURSOR, NOT_CURSOR, NOT_CURSOR]
        await pilot.press("down", "down")
        assert [line[:2] for line in list_lines(choices)] == [NOT_CURSOR, NOT_CURSOR, CURSOR]
        await pilot.press("up", "space")
        await pilot.pause()
        # Ticking still reads as ticked, beside the mark; the prompts stay in one column.
        first, second, third = list_lines(choices)
        assert first.startswith("  ▐X▌ 焦虑") and second.startswith("> ▐X▌ 抑郁"), (first, second)
        assert third.startswith("  ▐ ▌ 睡眠质量"), third
        assert choices.selected == ["anxiety", "depression"]
        pilot.app.query_one("#box", TickBox).focus()
        await pilot.pause()
        assert [line[:2] for line in list_lines(choices)] == [NOT_CURSOR] * 3


async def test_the_focused_checkbox_is_marked():
    async with Choices().run_test() as pilot:
        box = pilot.app.query_one("#box", TickBox)
        box.focus()
        await pilot.pause()
        assert str(box.render()).startswith(CURSOR + "▐ ▌")
        await pilot.press("space")
        assert str(box.render()).startswith(CURSOR + "▐X▌")
        pilot.app.query_one("#list", TickList).focus()
        await pilot.pause()
        assert str(box.render()).startswith(NOT_CURSOR + "▐X▌")


async def test_the_identity_check_marks_the_fact_space_would_tick(callers_url):
    app = desk_app(callers_url)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_identity(pilot)
        boxes = list(screen.query(TickBox))
        assert [str(box.render())[:2] for box in boxes] == [CURSOR] + [NOT_CURSOR] * 3
        await pilot.press("tab")
        await settle(pilot)
        assert [str(box.render())[:2] for box in boxes] == [NOT_CURSOR, CURSOR, NOT_CURSOR, NOT_CURSOR]
        await pilot.press("space")
        await settle(pilot)
        assert [str(box.render())[:5] for box in boxes] == ["  ▐ ▌", "> ▐X▌", "  ▐ ▌", "  ▐ ▌"]
