"""Repainting only what changed: table rows, and status lines.

A queue refreshes every few seconds and the lookup answers every keystroke: clearing the
table and adding every row again repaints all of it each time, kilobytes per refresh sent
to a terminal that may be at the end of an SSH link. When the rows are the same ones in
the same order, only the cells that differ are updated; when nothing differs, nothing is
touched and nothing is repainted. The footer, likewise, is built again only when the keys
it shows change.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
from rich.text import Text, TextType
from textual.app import ComposeResult
from textual.screen import Screen
from textual.visual import VisualType
from textual.widgets import DataTable, Footer, Static
from textual.widgets.data_table import RowKey

Row = tuple[str, Sequence[object]]  # (row key, cells in column order)


def show_rows(table: WholeTable, rows: Sequence[Row]) -> bool:
    """Make ``table`` hold ``rows``; True if anything on it changed. A WholeTable: rows
    added to a plain DataTable could be painted cut to the old column widths."""
    if [row.key.value for row in table.ordered_rows] != [key for key, _ in rows]:
        table.clear()
        for key, cells in rows:
            table.add_row(*cells, key=key)
        return True
    columns = [column.key for column in table.ordered_columns]
    changed = False
    for key, cells in rows:
        for column, old, new in zip(columns, table.get_row(key), cells, strict=True):
            # rich Text compares text and styles; plain strings compare as strings.
            if old != new:
                # A wider value widens its column; without it the value showed cut to the
                # column's old width (137***, 上海) until the rows changed again.
                wider = _width(new) > table.columns[column].content_width
                table.update_cell(key, column, new, update_width=wider)
                changed = True
    return changed


def _width(cell: object) -> int:
    return cell.cell_len if isinstance(cell, Text) else cell_len(str(cell))


class WholeTable(DataTable):
    """A DataTable whose columns take a new row's widths as the row is added.

    DataTable measures new rows only when it is next idle, and caches every cell it
    renders under a key without the width: a frame painted in between (the first results
    after launch were, 2 launches in 15) cached the cells cut to the header's width, and
    a table whose height is the layout's gets no resize that would clear them, so they
    stayed cut (137***, 上海).
    """

    def add_row(self, *cells: object, height: int | None = 1, key: str | None = None,
                label: TextType | None = None) -> RowKey:
        row_key = super().add_row(*cells, height=height, key=key, label=label)
        for column, cell in zip(self.ordered_columns, cells, strict=False):
            column.content_width = max(column.content_width, _width(cell))
        return row_key


class SteadyStatic(Static):
    """A line that repaints only when given something new (``Static.update`` always does)."""

    def update(self, content: VisualType = "", *, layout: bool = True) -> None:
        # rich Text compares text and styles; a str never equals a Text, so it is shown.
        if content == self.content:
            return
        super().update(content, layout=layout)


class SteadyFooter(Footer):
    """A footer built again only when the keys it would show differ from those it shows.

    Textual's footer rebuilds all its keys (about 12 ms for 16 bindings) after every
    bindings signal, and one screen change sends several: F2 sent the lookup one as it was
    suspended and the queue three (its first focus, the refresh after that focus, its
    resume), Esc one to the lookup as it resumed, each with the same keys as before.
    Signals before a rebuild share it; a rebuild whose keys are the ones on screen is skipped.
    A key that ``check_action`` enables or disables still changes what is shown, so it still
    rebuilds.
    """

    _shown: tuple[object, ...] | None = None  # what the keys on screen were built from
    _rebuild_asked = False

    def _keys_to_show(self) -> tuple[object, ...]:
        """Everything ``Footer.compose`` builds the keys from (a Binding compares all its fields)."""
        app = self.app
        active = self.screen.active_bindings
        shown = [(key, binding, enabled, tooltip, app.get_key_display(binding))
                 for key, (_, binding, enabled, tooltip) in active.items()
                 if binding.show or key == app.COMMAND_PALETTE_BINDING]
        return (self.show_command_palette and app.ENABLE_COMMAND_PALETTE, *shown)

    def compose(self) -> ComposeResult:
        # Keys in the screen's first frame. Textual's footer waits for the first bindings
        # signal, after the screen's first focus: the lookup painted without its keys and
        # again with them, 80 ms after the sign-in's Enter. Keys that focus changes come
        # with that signal, which still rebuilds.
        self.set_reactive(Footer._bindings_ready, True)
        self._shown = self._keys_to_show()
        yield from super().compose()

    def bindings_changed(self, screen: Screen) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus or self._rebuild_asked:
            return
        if self.is_attached and screen is self.screen:
            self._rebuild_asked = True
            self.call_after_refresh(self._rebuild)

    async def _rebuild(self) -> None:
        self._rebuild_asked = False
        if self.is_attached and self._keys_to_show() != self._shown:
            await self.recompose()
