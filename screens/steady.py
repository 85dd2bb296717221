"""Repainting only what changed: table rows, and status lines.

A queue refreshes every few seconds and the lookup answers every keystroke: clearing the
table and adding every row again repaints all of it each time, kilobytes per refresh sent
to a terminal that may be at the end of an SSH link. When the rows are the same ones in
the same order, only the cells that differ are updated; when nothing differs, nothing is
touched and nothing is repainted.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.visual import VisualType
from textual.widgets import DataTable, Static

Row = tuple[str, Sequence[object]]  # (row key, cells in column order)


def show_rows(table: DataTable, rows: Sequence[Row]) -> bool:
    """Make ``table`` hold ``rows``; True if anything on it changed."""
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
                table.update_cell(key, column, new)
                changed = True
    return changed


class SteadyStatic(Static):
    """A line that repaints only when given something new (``Static.update`` always does)."""

    def update(self, content: VisualType = "", *, layout: bool = True) -> None:
        # rich Text compares text and styles; a str never equals a Text, so it is shown.
        if content == self.content:
            return
        super().update(content, layout=layout)
