"""Plain-text tables for the command line, aligned by terminal cells, and CSV cells.

Chinese characters take two terminal columns: pad by cell width, never by len().
Stored text (a name imported from a chat window) may hold an escape sequence: every cell
is made inert here, where the tables are formatted, so no caller can forget it.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

from rich.cells import cell_len

from desk.rules.free_text import printable

# A spreadsheet reads a cell starting with one of these as a formula (or, for tab and CR,
# strips them and reads what follows): `=HYPERLINK(...)` in an agent's name would run.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# A signed number, time or working duration (-6h30, -130h, -1.5): digits alone make no
# formula, and the scripts reading a report parse the figure, so it stays as it is.
_SIGNED_FIGURE = re.compile(r"[+-]?\d+(?:[.:]\d+)*(?:h\d*)?")


def csv_safe(cell: object) -> str:
    """``cell`` as a CSV cell a spreadsheet shows as text: a leading ``'`` before a formula
    start (OWASP's advice). Every CSV desk writes passes its cells through this."""
    text = "" if cell is None else str(cell)
    if text.startswith(_FORMULA_STARTS) and not _SIGNED_FIGURE.fullmatch(text):
        return "'" + text
    return text


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A CSV document (``\n`` line ends), every cell passed through ``csv_safe``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([csv_safe(cell) for cell in header])
    writer.writerows([csv_safe(cell) for cell in row] for row in rows)
    return out.getvalue()


def aligned_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """The header and rows as lines, each column padded to its widest cell; control
    characters and escape sequences in a cell are dropped, so they neither act on the
    terminal nor throw the columns out of line."""
    header = [printable(cell) for cell in header]
    rows = [[printable(cell) for cell in row] for row in rows]
    widths = [max(cell_len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def aligned(cells: Sequence[str]) -> str:
        padded = [cell + " " * (width - cell_len(cell)) for cell, width in zip(cells, widths, strict=True)]
        return "  ".join(padded).rstrip()

    return [aligned(header), *(aligned(row) for row in rows)]
