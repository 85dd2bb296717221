"""Tables that repaint only what changed still show every value whole."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import DataTable

from screens.steady import WholeTable, show_rows


class _Table(App[None]):
    # As the lookup's and the queue's: the table's height is the layout's, not its rows'.
    CSS = "DataTable { height: 1fr; }"

    def compose(self) -> ComposeResult:
        yield WholeTable(id="table")


async def test_a_wider_value_for_the_same_row_widens_its_column():
    """The first results after launch showed cut to the columns' widths (137***, 上海)
    when they came for the rows already there: the cells were updated, the widths not."""
    app = _Table()
    async with app.run_test(size=(80, 10)) as pilot:
        table = app.query_one(DataTable)
        table.add_column("手机", key="mobile")
        table.add_column("地区", key="region")
        show_rows(table, [("a", ["", "-"])])
        await pilot.pause()
        show_rows(table, [("a", ["137****1234", "上海市黄浦区"])])
        await pilot.pause()
        assert table.columns["mobile"].content_width >= len("137****1234")
        assert table.columns["region"].content_width >= 12  # six double-width characters
        line = table.render_line(1).text
        assert "137****1234" in line and "上海市黄浦区" in line


async def test_rows_painted_before_the_table_measures_them_are_not_cut():
    """Seen at launch (2 of 15 timed launches): the first results painted with every
    column cut to its header's width, and they stayed so. A frame painted between adding
    the rows and the table's own measuring (on its next idle) was cached at the header
    widths, and the measuring then widened the columns without repainting the cells
    (a table whose height is the layout's gets no resize to clear its caches)."""
    app = _Table()
    async with app.run_test(size=(80, 10)) as pilot:
        table = app.query_one(DataTable)
        table.add_column("手机", key="mobile")
        table.add_column("地区", key="region")
        await pilot.pause()
        show_rows(table, [("a", ["137****1234", "上海市黄浦区"])])
        table.render_line(1)  # a frame before the table's idle
        await pilot.pause()
        line = table.render_line(1).text
        assert "137****1234" in line and "上海市黄浦区" in line
